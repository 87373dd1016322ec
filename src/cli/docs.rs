//! `scrubs rules`, `scrubs explain RULE`, `scrubs policies [ID]`: docs
//! rendered from the rules' own metadata and the packs, so they cannot drift.

use std::fmt::Write;
use std::process::ExitCode;

use crate::engine::Rule;
use crate::packs;

/// `scrubs rules`
pub fn rules() -> ExitCode {
    print!("{}", rules_text());
    ExitCode::SUCCESS
}

pub fn rules_text() -> String {
    let mut out = String::new();
    for r in crate::rules::all() {
        let m = r.meta();
        let _ = writeln!(
            out,
            "{:<40} {:<16} {:<12} {}",
            m.id,
            m.category(),
            m.default_severity.as_str(),
            m.summary
        );
    }
    out
}

/// `scrubs explain RULE`
pub fn explain(id: &str) -> ExitCode {
    match explain_text(id) {
        Some(t) => {
            print!("{t}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("scrubs: error: unknown rule `{id}` (see `scrubs rules`)");
            ExitCode::from(2)
        }
    }
}

/// The Markdown documentation of a rule.
pub fn explain_text(id: &str) -> Option<String> {
    let rule: &dyn Rule = crate::rules::find(id)?;
    let m = rule.meta();
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n\n{}\n", m.id, m.summary);
    let _ = writeln!(
        out,
        "Category: `{}` · default severity: {}\n",
        m.category(),
        m.default_severity.as_str()
    );
    let _ = writeln!(out, "## What it does\n\n{}\n", m.what);
    let _ = writeln!(out, "## Why\n\n{}\n", m.why);
    let _ = writeln!(out, "## Example\n\nFlagged:\n");
    for e in m.fires {
        let _ = writeln!(out, "    {}", e.replace('\n', "\n    "));
    }
    let _ = writeln!(out, "\nNot flagged:\n");
    for e in m.clean {
        let _ = writeln!(out, "    {}", e.replace('\n', "\n    "));
    }
    let _ = writeln!(out, "\n## Fix\n\n{}\n", m.fix);
    let _ = writeln!(out, "## Policy\n");
    let mut any = false;
    for p in packs::builtin() {
        let cites = p.citations_for(m.id, m.category());
        if cites.is_empty() {
            continue;
        }
        any = true;
        for g in cites {
            let _ = writeln!(
                out,
                "{}, {} ({}) — {}:\n\n> {}\n",
                p.name, g.section, g.id, p.source.title, g.quote
            );
        }
    }
    if !any {
        let _ = writeln!(out, "No institution's policy cites this rule.\n");
    }
    Some(out)
}

/// `scrubs policies [ID]`
pub fn policies(id: Option<&str>) -> ExitCode {
    let mut out = String::new();
    match id {
        None => {
            for p in packs::builtin() {
                let _ = writeln!(
                    out,
                    "{:<8} {} — {} ({} clauses)",
                    p.id,
                    p.name,
                    p.source.title,
                    p.guidelines.len()
                );
            }
        }
        Some(id) => {
            let Some(p) = packs::builtin_pack(id) else {
                eprintln!(
                    "scrubs: error: unknown institution `{id}` (known: {})",
                    packs::builtin()
                        .iter()
                        .map(|p| p.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return ExitCode::from(2);
            };
            let _ = writeln!(out, "# {} — {}\n", p.name, p.source.title);
            if let Some(u) = &p.source.url {
                let _ = writeln!(out, "{u}\n");
            }
            for g in &p.guidelines {
                let _ = writeln!(
                    out,
                    "## {} · {} · {}\n\n> {}\n",
                    g.id, g.section, g.title, g.quote
                );
            }
        }
    }
    print!("{out}");
    ExitCode::SUCCESS
}
