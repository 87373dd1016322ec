//! Property tests (proptest) of the invariants the editor relies on:
//! edits keep the rope equal to a reference string; findings lie inside the
//! text on character boundaries; fixes give valid text and remove their
//! finding; UTF-16/UTF-8 positions round-trip on hostile text.

use proptest::prelude::*;
use scrubs::config::Settings;
use scrubs::engine::Checker;
use scrubs::lsp::document::{map_range, Document};
use scrubs::markup::Format;
use scrubs::position::{Encoding, LineIndex, Pos};
use tower_lsp::lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// Pieces of hostile text: emoji (with ZWJ and skin tone), combining marks,
/// CJK, every kind of line break, a BOM, and words the rules react to.
const PIECES: &[&str] = &[
    "a",
    "word ",
    "é",
    "e\u{301}",
    "n\u{303}\u{323}",
    "😀",
    "👩🏽‍⚕️",
    "カタカナ",
    "病院",
    "\n",
    "\r\n",
    "\r",
    "\r\r\n",
    "\u{feff}",
    "\t",
    " ",
    "# ",
    "> ",
    "- ",
    "*",
    "`",
    "[",
    "](",
    ")",
    "<!-- ",
    " -->",
    "---\n",
    "As a nurse at Mayo Clinic",
    " at MSK",
    "Mass General",
    "jane.doe@mayo.edu",
    "x@mskcc.org",
    "Views my own.",
    "patient",
    "🌙",
    "\u{200b}",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.concat())
}

fn checkers() -> Vec<Checker> {
    let mut v = vec![Checker::default_checker()];
    for id in ["mayo", "msk", "mgh", "umn"] {
        let s = Settings::from_toml("t", &format!("institution = \"{id}\"\n")).unwrap();
        v.push(Checker::new(s, Vec::new()).unwrap());
    }
    v
}

/// Applies an LSP range edit to a `String`, resolving positions with
/// `LineIndex` (the same clamping and ordering the server promises).
fn reference_apply(text: &mut String, r: Range, new: &str, enc: Encoding) {
    let idx = LineIndex::new(text);
    let p = |p: Position| {
        idx.offset(
            text,
            Pos {
                line: p.line,
                character: p.character,
            },
            enc,
        )
    };
    let (a, b) = (p(r.start), p(r.end));
    text.replace_range(a.min(b)..a.max(b), new);
}

fn edit() -> impl Strategy<Value = (u32, u32, u32, u32, &'static str, bool)> {
    (
        0u32..8,
        0u32..30,
        0u32..8,
        0u32..30,
        prop::sample::select(PIECES),
        prop::bool::weighted(0.03),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn rope_equals_reference_after_any_edits(
        start in text(),
        edits in prop::collection::vec(edit(), 0..40),
        utf8 in any::<bool>(),
    ) {
        let enc = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        let mut reference = start.clone();
        let mut doc = Document::new(&start, 1, Format::Markdown);
        for (i, (l1, c1, l2, c2, t, full)) in edits.into_iter().enumerate() {
            let range = Range::new(Position::new(l1, c1), Position::new(l2, c2));
            if full {
                reference = t.to_string();
            } else {
                reference_apply(&mut reference, range, t, enc);
            }
            doc.apply(
                vec![TextDocumentContentChangeEvent {
                    range: (!full).then_some(range),
                    range_length: None,
                    text: t.into(),
                }],
                i as i32 + 2,
                enc,
            );
            prop_assert_eq!(doc.rope.to_string(), reference.clone());
        }
    }

    /// What a hover during a check relies on: a range of an older text that
    /// is carried over the edits made since holds the same text after them.
    /// Some edits come as full-text changes, as a full-sync editor sends
    /// them (the store logs only the part that differs).
    #[test]
    fn carried_over_ranges_hold_the_same_text(
        start in text(),
        cuts in prop::collection::vec((0usize..400, 0usize..40), 1..12),
        edits in prop::collection::vec((edit(), any::<bool>()), 0..20),
        utf8 in any::<bool>(),
    ) {
        let enc = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        let floor = |i: usize| {
            let mut i = i.min(start.len());
            while !start.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let ranges: Vec<std::ops::Range<usize>> = cuts
            .iter()
            .map(|&(a, n)| floor(a)..floor(a + n).max(floor(a)))
            .collect();
        let mut reference = start.clone();
        let mut doc = Document::new(&start, 1, Format::Markdown);
        for (i, ((l1, c1, l2, c2, t, _), full)) in edits.into_iter().enumerate() {
            let range = Range::new(Position::new(l1, c1), Position::new(l2, c2));
            reference_apply(&mut reference, range, t, enc);
            let change = TextDocumentContentChangeEvent {
                range: (!full).then_some(range),
                range_length: None,
                text: if full { reference.clone() } else { t.into() },
            };
            doc.apply(vec![change], i as i32 + 2, enc);
            prop_assert_eq!(doc.rope.to_string(), reference.clone());
            let log = doc.edits_since(1).unwrap();
            for r in &ranges {
                if let Some(m) = map_range(r, log) {
                    prop_assert_eq!(&reference[m], &start[r.clone()]);
                }
            }
        }
    }

    #[test]
    fn findings_and_fixes_stay_inside_the_text_and_fixes_remove_their_finding(
        t in text(),
        markdown in any::<bool>(),
    ) {
        let format = if markdown { Format::Markdown } else { Format::PlainText };
        for checker in checkers() {
            let findings = checker.check(&t, format);
            for f in &findings {
                prop_assert!(f.range.start <= f.range.end && f.range.end <= t.len(), "{:?} in {} bytes", f.range, t.len());
                prop_assert!(t.is_char_boundary(f.range.start) && t.is_char_boundary(f.range.end));
                for fix in &f.fixes {
                    for e in &fix.edits {
                        prop_assert!(e.range.start <= e.range.end && e.range.end <= t.len());
                        prop_assert!(t.is_char_boundary(e.range.start) && t.is_char_boundary(e.range.end));
                    }
                    // `apply` returns a `String`: valid UTF-8 by construction.
                    let fixed = fix.apply(&t);
                    let before = findings.iter().filter(|g| g.rule == f.rule).count();
                    let after = checker.check(&fixed, format).iter().filter(|g| g.rule == f.rule).count();
                    prop_assert!(
                        after < before,
                        "fix {:?} of {} did not remove it: {:?} -> {:?}", fix.title, f.rule, t, fixed
                    );
                }
            }
        }
    }

    /// The sentence model beside the rules, on any text: its findings lie inside the text on
    /// character boundaries, it never panics, and a second judgement (from the verdict cache)
    /// is the same.
    #[test]
    fn judged_findings_stay_inside_the_text(t in text(), markdown in any::<bool>()) {
        let format = if markdown { Format::Markdown } else { Format::PlainText };
        let judge = scrubs::model::judge().unwrap();
        let checker = &checkers()[0];
        let found = checker.check_judged(&t, format, None, Some(&*judge));
        for f in &found {
            prop_assert!(f.range.start <= f.range.end && f.range.end <= t.len());
            prop_assert!(t.is_char_boundary(f.range.start) && t.is_char_boundary(f.range.end));
        }
        prop_assert_eq!(checker.check_judged(&t, format, None, Some(&*judge)), found);
    }

    #[test]
    fn positions_round_trip_on_hostile_text(t in text()) {
        let idx = LineIndex::new(&t);
        let rope = ropey::Rope::from_str(&t);
        for enc in [Encoding::Utf16, Encoding::Utf8] {
            for (o, _) in t.char_indices().chain(std::iter::once((t.len(), ' '))) {
                // The middle of a CRLF is not a position (it belongs to the break).
                if o > 0 && t.as_bytes()[o - 1] == b'\r' && t.as_bytes().get(o) == Some(&b'\n') {
                    continue;
                }
                let p = idx.position(&t, o, enc);
                prop_assert_eq!(idx.offset(&t, p, enc), o, "offset {} -> {:?} ({:?})", o, p, enc);
                // The rope agrees with the string index.
                let c = scrubs::position::rope_pos_to_char(&rope, p, enc);
                prop_assert_eq!(rope.char_to_byte(c), o);
                if enc == Encoding::Utf16 {
                    let line_start = idx.offset(&t, Pos { line: p.line, character: 0 }, enc);
                    prop_assert_eq!(t[line_start..o].encode_utf16().count() as u32, p.character);
                }
            }
        }
    }
}

/// Found by the property above: text appended after an unclosed HTML
/// comment (or code fence) is swallowed by it, so the disclaimer fix did not
/// remove its finding. It now goes at the start of the post.
#[test]
fn a_disclaimer_fix_is_never_swallowed_by_an_unclosed_construct() {
    let c = Checker::default_checker();
    for t in [
        "As a nurse at Mayo Clinic\n<!-- ",
        "As a nurse at Mayo Clinic\n\n```\ncode",
        "As a nurse at Mayo Clinic\n\n<div>\nhtml",
    ] {
        let findings = c.check(t, Format::Markdown);
        let f = findings
            .iter()
            .find(|f| f.rule == "disclaimer/missing")
            .expect(t);
        for fix in &f.fixes {
            let fixed = fix.apply(t);
            assert!(
                !c.check(&fixed, Format::Markdown)
                    .iter()
                    .any(|g| g.rule == "disclaimer/missing"),
                "{t:?} -> {fixed:?}"
            );
        }
    }
}

/// Found by the property test: removing an address at the start of a line
/// must not turn the rest of the line into a list item.
#[test]
fn removing_a_line_initial_address_keeps_the_block_structure() {
    let checker = Checker::default_checker();
    let t = "a---\njane.doe@mayo.edu- a\r\r\n\tjane.doe@mayo.edu😀";
    let findings = checker.check(t, Format::Markdown);
    let f = findings
        .iter()
        .find(|f| f.rule == "work-email/institutional-address")
        .unwrap();
    let fixed = f.fixes[0].apply(t);
    assert_eq!(fixed, "a---\na\r\r\n\tjane.doe@mayo.edu😀");
    assert!(!checker
        .check(&fixed, Format::Markdown)
        .iter()
        .any(|g| g.rule == "work-email/institutional-address"));
}
