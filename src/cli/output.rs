//! Printing results: text for people, JSON for tools.

use std::fmt::Write;

use annotate_snippets::{Level, Renderer, Snippet};
use serde_json::{json, Value};

use crate::cli::FileResult;
use crate::engine::{Finding, Severity};
use crate::position::{Encoding, LineIndex, Pos};

fn pos_json(p: Pos) -> Value {
    json!({"line": p.line, "character": p.character})
}

fn range_json(idx: &LineIndex, text: &str, r: &std::ops::Range<usize>) -> Value {
    json!({
        "start": pos_json(idx.position(text, r.start, Encoding::Utf16)),
        "end": pos_json(idx.position(text, r.end, Encoding::Utf16)),
    })
}

/// One finding as the contract's JSON object (with extensions).
pub fn finding_json(idx: &LineIndex, text: &str, f: &Finding) -> Value {
    let mut v = finding_fields(idx, text, f);
    // An extension of the contract: what the sentence model judged the text to be.
    if let Some(j) = &f.judged {
        v["judged"] = json!(j);
    }
    v
}

fn finding_fields(idx: &LineIndex, text: &str, f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "category": f.category(),
        "severity": f.severity.as_str(),
        "message": f.message,
        "range": range_json(idx, text, &f.range),
        "excerpt": text.get(f.range.clone()).unwrap_or(""),
        "citations": f.citations.iter().map(|c| {
            let mut v = json!({
                "institution": c.institution,
                "guideline": c.guideline,
                "quote": c.quote,
                "institution_name": c.institution_name,
                "section": c.section,
                "title": c.title,
                "source": c.source,
            });
            if let Some(u) = &c.url {
                v["url"] = json!(u);
            }
            v
        }).collect::<Vec<_>>(),
        "fixes": f.fixes.iter().map(|fix| json!({
            "title": fix.title,
            "safe": fix.safe,
            "preferred": fix.preferred,
            "edits": fix.edits.iter().map(|e| json!({
                "range": range_json(idx, text, &e.range),
                "new_text": e.new_text,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The `--format json` document.
pub fn json(results: &[FileResult]) -> String {
    let files: Vec<Value> = results
        .iter()
        .map(|r| {
            let idx = LineIndex::new(&r.text);
            json!({
                "path": r.path,
                "diagnostics": r.findings.iter().map(|f| finding_json(&idx, &r.text, f)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&json!({"version": 1, "files": files}))
        .unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Information => Level::Info,
        Severity::Hint => Level::Help,
    }
}

/// Text output: a source snippet per finding, like rustc and ruff, then a summary.
pub fn text(results: &[FileResult], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    let mut counts = [0usize; 4];
    let mut files_with = 0;
    for r in results {
        if !r.findings.is_empty() {
            files_with += 1;
        }
        let idx = LineIndex::new(&r.text);
        for f in &r.findings {
            counts[f.severity as usize] += 1;
            let start = idx.position(&r.text, f.range.start, Encoding::Utf8);
            // The lines the finding is on.
            let line_start = r.text[..f.range.start]
                .rfind('\n')
                .map(|i| i + 1)
                .unwrap_or(0);
            let line_end = r.text[f.range.end..]
                .find('\n')
                .map(|i| f.range.end + i)
                .unwrap_or(r.text.len());
            let source = &r.text[line_start..line_end];
            let span = (f.range.start - line_start)..(f.range.end - line_start);
            let origin = r.path.as_str();
            let mut footers: Vec<String> = Vec::new();
            for c in &f.citations {
                footers.push(format!(
                    "policy: {}, {} ({}): “{}”",
                    c.institution_name,
                    c.section,
                    c.guideline,
                    shorten(&c.quote, 160)
                ));
            }
            if let Some(fix) = f.fixes.iter().find(|x| x.preferred).or(f.fixes.first()) {
                footers.push(format!(
                    "fix{}: {}",
                    if fix.safe { "" } else { " (unsafe)" },
                    fix.title
                ));
            }
            let lvl = level(f.severity);
            let mut msg = lvl.title(&f.message).id(&f.rule).snippet(
                Snippet::source(source)
                    .line_start(start.line as usize + 1)
                    .origin(origin)
                    .fold(true)
                    .annotation(lvl.span(span).label("")),
            );
            for foot in &footers {
                msg = msg.footer(Level::Note.title(foot));
            }
            let _ = writeln!(out, "{}\n", renderer.render(msg));
        }
    }
    let total: usize = counts.iter().sum();
    if total == 0 {
        let _ = writeln!(out, "No findings in {} file(s).", results.len());
    } else {
        let _ = writeln!(
            out,
            "Found {total} finding(s) in {files_with} of {} file(s): {} error(s), {} warning(s), {} information, {} hint(s).",
            results.len(),
            counts[Severity::Error as usize],
            counts[Severity::Warning as usize],
            counts[Severity::Information as usize],
            counts[Severity::Hint as usize],
        );
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}
