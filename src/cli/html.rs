//! `--format html`: one self-contained page for a reviewer who does not use
//! an editor. Inline CSS, no scripts, no external resources. For each post:
//! its source with the findings highlighted in place, and beside it each
//! finding with its rule, message, the policy clauses it cites (quoted) and
//! the offered fix. Everything from the documents is HTML-escaped.

use std::fmt::Write;

use crate::cli::{summary, FileResult};
use crate::engine::Finding;
use crate::position::{Encoding, LineIndex};

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232a;background:#f5f6f8}
header{background:#17324d;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
main{padding:12px 28px 40px}
table.summary{border-collapse:collapse;margin:8px 0 20px;background:#fff}
table.summary td,table.summary th{border:1px solid #d5d9de;padding:4px 10px;text-align:left}
section.post{background:#fff;border:1px solid #d5d9de;border-radius:6px;margin:18px 0;padding:12px 18px}
section.post h2{font-size:17px;margin:4px 0 10px;font-family:ui-monospace,monospace}
.cols{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:18px}
pre.source{white-space:pre-wrap;word-wrap:break-word;font:13px/1.5 ui-monospace,Menlo,monospace;background:#fafbfc;border:1px solid #e3e6ea;padding:10px;margin:0;counter-reset:l}
mark{border-radius:2px;padding:0 1px}
mark.error{background:#ffd3d0;border-bottom:2px solid #d1242f}
mark.warning{background:#fff0b3;border-bottom:2px solid #bf8700}
mark.information,mark.hint{background:#dbeafe;border-bottom:2px solid #1f6feb}
mark a{color:inherit;text-decoration:none}
ol.findings{margin:0;padding-left:22px}
ol.findings li{margin:0 0 14px}
.rule{font-family:ui-monospace,monospace;font-size:12px;background:#eef1f4;padding:1px 5px;border-radius:3px}
.sev{font-size:11px;text-transform:uppercase;font-weight:600;letter-spacing:.04em}
.sev.error{color:#d1242f}.sev.warning{color:#9a6700}.sev.information,.sev.hint{color:#1f6feb}
.excerpt{font-family:ui-monospace,monospace;font-size:12px;background:#fafbfc}
blockquote.policy{margin:6px 0;padding:4px 10px;border-left:3px solid #8c959f;color:#414a53;background:#f6f8fa}
blockquote.policy cite{display:block;font-style:normal;font-size:12px;color:#57606a;margin-top:3px}
.fix{font-size:13px;color:#1a7f37}
.clean{color:#1a7f37}
"#;

/// The page.
pub fn html(results: &[FileResult]) -> String {
    let mut out = String::new();
    let total: usize = results.iter().map(|r| r.findings.len()).sum();
    let with = results.iter().filter(|r| !r.findings.is_empty()).count();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>scrubs report: {total} finding(s)</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <header><h1>scrubs report</h1><div id=\"totals\">{}</div></header>\n<main>\n",
        escape(&summary::line(results))
    );
    let cats = summary::by_category(results);
    if !cats.is_empty() {
        out.push_str(
            "<table class=\"summary\" id=\"by-category\"><tr><th>Category</th><th>Findings</th><th>Posts</th></tr>\n",
        );
        for (c, (n, files)) in &cats {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{n}</td><td>{files}</td></tr>",
                escape(c)
            );
        }
        out.push_str("</table>\n");
    }
    let _ = writeln!(
        out,
        "<p>{with} of {} post(s) have findings.</p>",
        results.len()
    );
    for (fi, r) in results.iter().enumerate() {
        if r.findings.is_empty() {
            continue;
        }
        post(&mut out, fi, r);
    }
    let clean: Vec<&FileResult> = results.iter().filter(|r| r.findings.is_empty()).collect();
    if !clean.is_empty() {
        out.push_str("<section class=\"post\" id=\"clean\"><h2>No findings</h2><ul>\n");
        for r in clean {
            let _ = writeln!(out, "<li class=\"clean\">{}</li>", escape(&r.path));
        }
        out.push_str("</ul></section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn post(out: &mut String, fi: usize, r: &FileResult) {
    let idx = LineIndex::new(&r.text);
    let _ = write!(
        out,
        "<section class=\"post\" id=\"post-{fi}\" data-path=\"{}\">\n<h2>{}</h2>\n<div class=\"cols\">\n<pre class=\"source\">",
        escape(&r.path),
        escape(&r.path)
    );
    highlighted(out, fi, &r.text, &r.findings);
    out.push_str("</pre>\n<ol class=\"findings\">\n");
    for (i, f) in r.findings.iter().enumerate() {
        finding(out, fi, i, &idx, r, f);
    }
    out.push_str("</ol>\n</div>\n</section>\n");
}

/// The source with every finding's range in a `<mark>` (overlapping ranges
/// are split at their boundaries; each piece takes the most severe finding
/// covering it). An empty range gets a small marker.
fn highlighted(out: &mut String, fi: usize, text: &str, findings: &[Finding]) {
    let mut points: Vec<usize> = vec![0, text.len()];
    for f in findings {
        points.push(f.range.start.min(text.len()));
        points.push(f.range.end.min(text.len()));
    }
    points.sort_unstable();
    points.dedup();
    let mut empties: Vec<(usize, usize)> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.range.is_empty())
        .map(|(i, f)| (f.range.start, i))
        .collect();
    empties.sort_unstable();
    let mut e = 0;
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        while e < empties.len() && empties[e].0 <= a {
            let i = empties[e].1;
            let _ = write!(
                out,
                "<mark class=\"{}\" data-rule=\"{}\"><a href=\"#f-{fi}-{i}\">⚑</a></mark>",
                findings[i].severity.as_str(),
                escape(&findings[i].rule)
            );
            e += 1;
        }
        let piece = match text.get(a..b) {
            Some(p) => p,
            None => continue,
        };
        let covering = findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.range.start <= a && b <= f.range.end && !f.range.is_empty())
            .max_by_key(|(_, f)| f.severity);
        match covering {
            Some((i, f)) => {
                let _ = write!(
                    out,
                    "<mark class=\"{}\" data-rule=\"{}\" title=\"{}\"><a href=\"#f-{fi}-{i}\">{}</a></mark>",
                    f.severity.as_str(),
                    escape(&f.rule),
                    escape(&format!("{}: {}", f.rule, f.message)),
                    escape(piece)
                );
            }
            None => out.push_str(&escape(piece)),
        }
    }
    while e < empties.len() {
        let i = empties[e].1;
        let _ = write!(
            out,
            "<mark class=\"{}\" data-rule=\"{}\"><a href=\"#f-{fi}-{i}\">⚑</a></mark>",
            findings[i].severity.as_str(),
            escape(&findings[i].rule)
        );
        e += 1;
    }
}

fn finding(out: &mut String, fi: usize, i: usize, idx: &LineIndex, r: &FileResult, f: &Finding) {
    let p = idx.position(&r.text, f.range.start, Encoding::Utf16);
    let sev = f.severity.as_str();
    let _ = write!(
        out,
        "<li class=\"finding\" id=\"f-{fi}-{i}\" data-rule=\"{}\">\
         <span class=\"sev {sev}\">{sev}</span> <span class=\"rule\">{}</span> \
         <span class=\"loc\">line {}, column {}</span>\
         <div class=\"message\">{}</div>",
        escape(&f.rule),
        escape(&f.rule),
        p.line + 1,
        p.character + 1,
        escape(&f.message)
    );
    if let Some(x) = r.text.get(f.range.clone()).filter(|x| !x.is_empty()) {
        let _ = write!(
            out,
            "<div>Text: <code class=\"excerpt\">{}</code></div>",
            escape(x)
        );
    }
    for c in &f.citations {
        let _ = write!(
            out,
            "<blockquote class=\"policy\" data-guideline=\"{}\">“{}”<cite>{}, {} ({})</cite></blockquote>",
            escape(&c.guideline),
            escape(&c.quote),
            escape(&c.institution_name),
            escape(&c.section),
            escape(&c.guideline)
        );
    }
    if let Some(fix) = f.fixes.iter().find(|x| x.preferred).or(f.fixes.first()) {
        let _ = write!(
            out,
            "<div class=\"fix\">Fix{}: {}</div>",
            if fix.safe { "" } else { " (review first)" },
            escape(&fix.title)
        );
    }
    out.push_str("</li>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<b a=\"x\">&'</b>"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;&lt;/b&gt;"
        );
    }
}
