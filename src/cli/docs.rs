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

/// For the picture rules: what this machine can read (the OCR engine, or why the check is
/// skipped), and that remote pictures are never fetched.
fn pictures_text(id: &str) -> String {
    if !crate::images::is_picture_rule(id) {
        return String::new();
    }
    let mut out = String::from("## On this machine\n\n");
    if id.ends_with("/text-in-image") {
        match crate::images::tesseract() {
            Some(t) => {
                let _ = writeln!(out, "Text is recognised by Tesseract ({}).", t.display());
            }
            None => {
                let _ = writeln!(
                    out,
                    "No OCR engine is installed, so this check is skipped (it is not an error). Install Tesseract (`apt install tesseract-ocr`, `brew install tesseract`, `winget install UB-Mannheim.TesseractOCR`) or point `SCRUBS_TESSERACT` at it."
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "Only local pictures are read; a picture given by URL is never fetched. Nothing is written unless you run the strip fix.\n"
    );
    out
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
    out.push_str(&judgement_text(m.id));
    out.push_str(&pictures_text(m.id));
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

/// The "Judgement" section of a rule the sentence model feeds (empty for the others).
fn judgement_text(rule: &str) -> String {
    let Ok(file) = crate::model::parse_heads() else {
        return String::new();
    };
    let mut out = String::new();
    for h in &file.heads {
        let feeds = h.rule.as_deref() == Some(rule)
            || (h.name == crate::engine::judgement::DISCLAIMER_HEAD
                && rule == "disclaimer/missing");
        if !feeds {
            continue;
        }
        if !h.enabled {
            let _ = writeln!(
                out,
                "## Judgement\n\nscrubs's sentence model has a head for this rule (`{}`), but it is off: on \
                 the held-back dev split it could not reach the precision it must have (0.90) before \
                 it may flag anything.\n",
                h.name
            );
            continue;
        }
        let (fires, clean) = crate::model::examples(&h.name);
        if h.rule.is_some() {
            let _ = writeln!(
                out,
                "## Judgement\n\nBesides its patterns, this rule takes findings from scrubs's sentence model \
                 (head `{}`): a sentence, or two or three in a row, judged to be {} with a score of {:.3} \
                 or more is flagged, and the hover gives the score. On the held-back dev split that \
                 threshold had precision {:.2} and recall {:.2}. `[judgement] sensitivity` moves it \
                 (`low`, `medium`, `high`, `off`) for this rule or its category; `scrubs check \
                 --no-judgement` or `[judgement] enabled = false` leaves the model out.\n",
                h.name,
                crate::model::describe(&h.name),
                h.threshold,
                h.dev.precision,
                h.dev.recall
            );
        } else {
            let _ = writeln!(
                out,
                "## Judgement\n\nA disclaimer in the writer's own words counts: scrubs's sentence model \
                 (head `{}`) recognises a personal-views disclaimer in any wording, and a post that has \
                 one gets no `disclaimer/missing` (dev precision {:.2}, recall {:.2}).\n",
                h.name, h.dev.precision, h.dev.recall
            );
        }
        if !fires.is_empty() {
            let _ = writeln!(out, "Judged {}:\n", crate::model::describe(&h.name));
            for e in fires {
                let _ = writeln!(out, "    {e}");
            }
        }
        if !clean.is_empty() {
            let _ = writeln!(out, "\nNot judged so:\n");
            for e in clean {
                let _ = writeln!(out, "    {e}");
            }
        }
        out.push('\n');
    }
    out
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
