//! Fix all: the safe fixes of a document, applied together without
//! overlaps. Used by the language server's `source.fixAll.scrubs` and by
//! `scrubs check --fix` / `--diff`.
//!
//! Safe fixes (disclaimer and notice insertion, work e-mail removal) are
//! applied; unsafe ones (redactions, rewrites, removing a suppression) are
//! only ever offered one by one.

use crate::engine::{Checker, Edit, Finding};
use crate::markup::Format;

/// Whether two edits cannot both be applied: they overlap, or they start at
/// the same place (two insertions there would land in an arbitrary order).
fn conflict(a: &Edit, b: &Edit) -> bool {
    (a.range.start < b.range.end && b.range.start < a.range.end) || a.range.start == b.range.start
}

/// One safe fix per finding (its preferred one when that is safe, else its
/// first safe one), skipping a fix whose edits conflict with one already
/// taken. Findings are taken in order, so the result does not depend on
/// anything but the findings.
pub fn safe_edits(findings: &[Finding]) -> Vec<Edit> {
    let mut edits: Vec<Edit> = Vec::new();
    for f in findings {
        let fix = f
            .fixes
            .iter()
            .find(|x| x.safe && x.preferred)
            .or_else(|| f.fixes.iter().find(|x| x.safe));
        let Some(fix) = fix else { continue };
        if fix
            .edits
            .iter()
            .any(|e| edits.iter().any(|o| conflict(e, o)))
        {
            continue;
        }
        edits.extend(fix.edits.iter().cloned());
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits
}

/// The text with every safe fix applied, and how many fixes that took.
/// Rechecks after each round (a fix skipped for a conflict gets its turn in
/// the next), at most ten rounds.
pub fn fix_text(checker: &Checker, text: &str, format: Format) -> (String, usize) {
    let mut text = text.to_string();
    let mut applied = 0;
    for _ in 0..10 {
        let findings = checker.check(&text, format);
        let edits = safe_edits(&findings);
        if edits.is_empty() {
            break;
        }
        let fixed = crate::engine::finding::apply_edits(&text, &edits);
        if fixed == text {
            break;
        }
        applied += edits.len();
        text = fixed;
    }
    (text, applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_all_applies_safe_fixes_only_and_leaves_no_safe_finding() {
        let checker = Checker::default_checker();
        let text = "As a nurse at Mayo Clinic, write to jane.doe@mayo.edu or j@mayo.edu.\n";
        let (fixed, n) = fix_text(&checker, text, Format::Markdown);
        assert_eq!(n, 3, "{fixed}");
        assert_eq!(
            fixed,
            "As a nurse at Mayo Clinic, write to or.\n\n*The views expressed on this blog are my own and do not reflect the views of my employer.*\n"
        );
        let left = checker.check(&fixed, Format::Markdown);
        assert!(safe_edits(&left).is_empty(), "{left:?}");
    }

    #[test]
    fn conflicting_insertions_are_not_taken_together() {
        let e = |s: usize, t: usize| Edit {
            range: s..t,
            new_text: "x".into(),
        };
        assert!(conflict(&e(3, 3), &e(3, 3)));
        assert!(conflict(&e(3, 3), &e(3, 5)));
        assert!(conflict(&e(2, 4), &e(3, 5)));
        assert!(!conflict(&e(2, 3), &e(3, 5)));
        assert!(!conflict(&e(5, 5), &e(3, 5)));
    }
}
