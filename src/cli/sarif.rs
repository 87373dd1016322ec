//! `--format sarif`: SARIF 2.1.0, the format GitHub code scanning and other
//! review tools read.
//!
//! One run; the driver lists every rule with its own docs (summary, what /
//! why / fix, as `scrubs explain` renders them), so a reviewer sees the rule's
//! help beside each result. Regions are 1-based lines and columns counted in
//! UTF-16 code units (`columnKind: utf16CodeUnits`, GitHub's and the LSP's
//! count); fixes are SARIF fixes with their replacements. Positions come from
//! `position.rs`; this module only shapes JSON.

use serde_json::{json, Value};

use crate::cli::FileResult;
use crate::engine::{Finding, Severity};
use crate::position::{Encoding, LineIndex};

/// The schema URI written into the log (the schema itself is vendored in
/// `tests/fixtures/sarif/` and checked by `.ci/publishing/run.sh`).
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF's `level` for a severity (SARIF has no "hint": it is a note).
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// A path as a relative URI reference: forward slashes, no leading `./`,
/// bytes outside the unreserved set (and `/`) percent-encoded.
pub fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let p = p.trim_start_matches("./");
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A region for `range` of `text`: 1-based lines and UTF-16 columns.
fn region(idx: &LineIndex, text: &str, range: &std::ops::Range<usize>, snippet: bool) -> Value {
    let s = idx.position(text, range.start, Encoding::Utf16);
    let e = idx.position(text, range.end, Encoding::Utf16);
    let mut r = json!({
        "startLine": s.line + 1,
        "startColumn": s.character + 1,
        "endLine": e.line + 1,
        "endColumn": e.character + 1,
    });
    if snippet {
        if let Some(t) = text.get(range.clone()) {
            r["snippet"] = json!({ "text": t });
        }
    }
    r
}

fn rules() -> Vec<Value> {
    crate::rules::all()
        .iter()
        .map(|r| {
            let m = r.meta();
            let text = format!(
                "{}\n\nWhat it does: {}\n\nWhy: {}\n\nFix: {}",
                m.summary, m.what, m.why, m.fix
            );
            let markdown = crate::cli::docs::explain_text(m.id).unwrap_or_else(|| text.clone());
            json!({
                "id": m.id,
                "name": m.id.replace(['/', '-'], "_"),
                "shortDescription": { "text": m.summary },
                "fullDescription": { "text": m.what },
                "help": { "text": text, "markdown": markdown },
                "defaultConfiguration": { "level": level(m.default_severity) },
                "properties": {
                    "category": m.category(),
                    "tags": [m.category(), "social-media-policy"],
                },
            })
        })
        .collect()
}

fn result(idx: &LineIndex, r: &FileResult, f: &Finding, rule_index: Option<usize>) -> Value {
    let uri = uri(&r.path);
    let mut message = f.message.clone();
    for c in &f.citations {
        message.push_str(&format!(
            "\n\nPolicy: {}, {} ({}): “{}”",
            c.institution_name, c.section, c.guideline, c.quote
        ));
    }
    let mut v = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": region(idx, &r.text, &f.range, true),
            }
        }],
        "properties": {
            "category": f.category(),
            "severity": f.severity.as_str(),
            "citations": f.citations.iter().map(|c| json!({
                "institution": c.institution,
                "guideline": c.guideline,
                "quote": c.quote,
            })).collect::<Vec<_>>(),
        },
    });
    if let Some(i) = rule_index {
        v["ruleIndex"] = json!(i);
    }
    if !f.fixes.is_empty() {
        v["fixes"] = f
            .fixes
            .iter()
            .filter(|fix| !fix.edits.is_empty())
            .map(|fix| {
                json!({
                    "description": { "text": fix.title },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": uri },
                        "replacements": fix.edits.iter().map(|e| json!({
                            "deletedRegion": region(idx, &r.text, &e.range, false),
                            "insertedContent": { "text": e.new_text },
                        })).collect::<Vec<_>>(),
                    }],
                    "properties": { "safe": fix.safe, "preferred": fix.preferred },
                })
            })
            .collect();
    }
    v
}

/// The `--format sarif` document.
pub fn sarif(results: &[FileResult]) -> String {
    let rules = rules();
    let index = |id: &str| rules.iter().position(|r| r["id"] == id);
    let mut out = Vec::new();
    for r in results {
        let idx = LineIndex::new(&r.text);
        for f in &r.findings {
            out.push(result(&idx, r, f, index(&f.rule)));
        }
    }
    let artifacts: Vec<Value> = results
        .iter()
        .map(|r| json!({ "location": { "uri": uri(&r.path) }, "mimeType": mime(&r.path) }))
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "scrubs",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "utf16CodeUnits",
            "artifacts": artifacts,
            "results": out,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

fn mime(path: &str) -> &'static str {
    match crate::markup::Format::from_path(std::path::Path::new(path)) {
        crate::markup::Format::Markdown => "text/markdown",
        crate::markup::Format::Html => "text/html",
        _ => "text/plain",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_escaped() {
        assert_eq!(uri("./content/posts/a b.md"), "content/posts/a%20b.md");
        assert_eq!(uri("dir\\x.md"), "dir/x.md");
        assert_eq!(uri("café.md"), "caf%C3%A9.md");
    }
}
