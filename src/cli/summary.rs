//! The summary by category printed at the end of a whole-site check.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::cli::FileResult;
use crate::engine::Severity;

/// Per category: (findings, files with one), in category order.
pub fn by_category(results: &[FileResult]) -> BTreeMap<String, (usize, usize)> {
    let mut m: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in results {
        let mut seen: Vec<&str> = Vec::new();
        for f in &r.findings {
            let c = f.category();
            let e = m.entry(c.to_string()).or_default();
            e.0 += 1;
            if !seen.contains(&c) {
                seen.push(c);
                e.1 += 1;
            }
        }
    }
    m
}

/// `By category:` then one line per category with findings, e.g.
/// `  phi            3 finding(s) in 2 file(s)`; empty when there are none.
pub fn text(results: &[FileResult]) -> String {
    let m = by_category(results);
    if m.is_empty() {
        return String::new();
    }
    let mut out = String::from("By category:\n");
    for (c, (n, files)) in &m {
        let _ = writeln!(out, "  {c:<16} {n} finding(s) in {files} file(s)");
    }
    out
}

/// The one-line count, for when the report went to a file.
pub fn line(results: &[FileResult]) -> String {
    let mut counts = [0usize; 4];
    for f in results.iter().flat_map(|r| &r.findings) {
        counts[f.severity as usize] += 1;
    }
    format!(
        "{} finding(s) in {} file(s): {} error(s), {} warning(s), {} information, {} hint(s)",
        counts.iter().sum::<usize>(),
        results.len(),
        counts[Severity::Error as usize],
        counts[Severity::Warning as usize],
        counts[Severity::Information as usize],
        counts[Severity::Hint as usize],
    )
}
