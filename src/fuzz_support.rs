//! The fuzz targets' bodies, shared by `fuzz/` (cargo-fuzz, long runs) and
//! `tests/fuzz_seeds.rs` (replays the committed seed corpora and every crash
//! found so far on each `cargo test`). Not part of the public API.
#![allow(missing_docs)]

pub mod markup {
    use crate::markup::{extract, Format};

    fn inside(text: &str, r: &std::ops::Range<usize>) {
        assert!(
            r.start <= r.end && r.end <= text.len(),
            "{r:?} outside 0..{}",
            text.len()
        );
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "{r:?} splits a char"
        );
    }

    /// Markup extraction on arbitrary bytes taken as UTF-8 (lossily): never a
    /// panic, and every block, link, image and comment maps into the source on
    /// character boundaries.
    pub fn run(data: &[u8]) {
        let text = String::from_utf8_lossy(data);
        for format in [Format::Markdown, Format::PlainText] {
            let m = extract(&text, format);
            for b in &m.blocks {
                inside(&text, &b.span());
                for (i, _) in b
                    .text
                    .char_indices()
                    .chain(std::iter::once((b.text.len(), ' ')))
                {
                    let s = b.source_offset(i, false);
                    let e = b.source_offset(i, true);
                    assert!(s <= text.len() && e <= text.len());
                    assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
                }
                inside(&text, &b.source_range(0..b.text.len()));
            }
            for l in &m.links {
                inside(&text, &l.range);
                if let Some(d) = &l.dest_range {
                    inside(&text, d);
                }
            }
            for i in &m.images {
                inside(&text, &i.range);
                if let Some(d) = &i.dest_range {
                    inside(&text, d);
                }
            }
            for c in m.comments.iter().chain(m.front_matter.iter()) {
                inside(&text, c);
            }
            for (h, _, _) in &m.headings {
                inside(&text, h);
            }
            if let Some(t) = m.trailing_definitions {
                assert!(t <= text.len() && text.is_char_boundary(t));
            }
        }
    }
}

pub mod engine {
    use crate::config::Settings;
    use crate::engine::Checker;
    use crate::markup::Format;
    use std::sync::OnceLock;

    fn checkers() -> &'static [Checker] {
        static C: OnceLock<Vec<Checker>> = OnceLock::new();
        C.get_or_init(|| {
            let mut v = vec![Checker::default_checker()];
            for id in ["mayo", "msk"] {
                let s = Settings::from_toml("fuzz", &format!("institution = \"{id}\"\n")).unwrap();
                v.push(Checker::new(s, Vec::new()).unwrap());
            }
            v
        })
    }

    fn on_boundaries(text: &str, r: &std::ops::Range<usize>) {
        assert!(
            r.start <= r.end && r.end <= text.len(),
            "{r:?} outside 0..{}",
            text.len()
        );
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "{r:?} splits a char"
        );
    }

    /// The whole engine on arbitrary text: never a panic; every finding's range
    /// lies inside the text on character boundaries; every fix's edits do too,
    /// and applying a fix gives a string (valid UTF-8 by construction) that is
    /// the text outside the edits unchanged.
    pub fn run(data: &[u8]) {
        let Some((&sel, rest)) = data.split_first() else {
            return;
        };
        let text = String::from_utf8_lossy(rest);
        let format = if sel & 1 == 0 {
            Format::Markdown
        } else {
            Format::PlainText
        };
        let checker = &checkers()[(sel as usize >> 1) % checkers().len()];
        for f in checker.check(&text, format) {
            on_boundaries(&text, &f.range);
            for fix in &f.fixes {
                for e in &fix.edits {
                    on_boundaries(&text, &e.range);
                }
                let fixed = fix.apply(&text);
                // Text before the first edit is untouched.
                let first = fix
                    .edits
                    .iter()
                    .map(|e| e.range.start)
                    .min()
                    .unwrap_or(text.len());
                assert!(fixed.starts_with(&text[..first]));
            }
        }
    }
}

pub mod edits {
    use crate::lsp::document::Document;
    use crate::markup::Format;
    use crate::position::{Encoding, LineIndex, Pos};
    use tower_lsp::lsp_types::{Position, Range, TextDocumentContentChangeEvent};

    /// Pieces of text the edits insert: multi-byte, line breaks of every kind.
    const PIECES: &[&str] = &[
        "",
        "a",
        "é",
        "e\u{301}",
        "😀",
        "👩‍⚕️",
        "カタ",
        "\n",
        "\r\n",
        "\r",
        " Mayo Clinic ",
        "\u{feff}",
        "x\ry",
    ];

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

    /// Edit sequences applied to the LSP document store (a rope) and to a
    /// reference `String` (positions resolved with `position::LineIndex`): the
    /// two always hold the same text, whatever the ranges (out of range,
    /// reversed, inside a surrogate pair or a CRLF) and the encoding.
    pub fn run(data: &[u8]) {
        let Some((&flags, ops)) = data.split_first() else {
            return;
        };
        let enc = if flags & 1 == 0 {
            Encoding::Utf16
        } else {
            Encoding::Utf8
        };
        let mut reference = String::from("é 😀 カタ\r\nline two\rthree\n");
        let mut doc = Document::new(&reference, 1, Format::Markdown);
        for (i, op) in ops.chunks_exact(5).enumerate() {
            let small = |b: u8| (b % 8) as u32;
            let range = Range::new(
                Position::new(small(op[0]), (op[1] % 24) as u32),
                Position::new(small(op[2]), (op[3] % 24) as u32),
            );
            let piece = PIECES[op[4] as usize % PIECES.len()];
            if op[4] >= 250 {
                // A full-text replacement.
                reference = piece.to_string();
                doc.apply(
                    vec![TextDocumentContentChangeEvent {
                        range: None,
                        range_length: None,
                        text: piece.into(),
                    }],
                    i as i32 + 2,
                    enc,
                );
            } else {
                reference_apply(&mut reference, range, piece, enc);
                doc.apply(
                    vec![TextDocumentContentChangeEvent {
                        range: Some(range),
                        range_length: None,
                        text: piece.into(),
                    }],
                    i as i32 + 2,
                    enc,
                );
            }
            assert_eq!(
                doc.rope.to_string(),
                reference,
                "after edit {i}: {range:?} {piece:?}"
            );
        }
    }
}

pub mod config {
    use crate::config::Settings;
    use crate::engine::Checker;
    use crate::markup::Format;
    use crate::packs::Pack;

    /// Settings (`scrubs.toml` and the LSP JSON) and policy-pack parsing on
    /// arbitrary text: an error or a value, never a panic; a parsed config
    /// always builds a checker or says why not; a parsed pack checks text.
    pub fn run(data: &[u8]) {
        let text = String::from_utf8_lossy(data);
        if let Ok(s) = Settings::from_toml("fuzz.toml", &text) {
            let _ = Checker::new(s, Vec::new());
        }
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            if let Ok(s) = Settings::from_json("fuzz", &v) {
                let _ = Checker::new(s, Vec::new());
            }
        }
        if let Ok(p) = Pack::parse("fuzz.toml", &text) {
            if let Ok(c) = Checker::new(Settings::default(), vec![p]) {
                c.check(
                    "As a nurse at Mayo Clinic, I care. Mail me at a@mayo.edu.",
                    Format::Markdown,
                );
            }
        }
    }
}

pub mod pictures {
    use crate::images::{read_metadata, strip_bytes};

    /// A picture file of any bytes (a draft may link anything): reading its metadata and
    /// stripping it never panic; a stripped file strips to itself (nothing left to remove, the
    /// container written the same way again).
    pub fn run(data: &[u8]) {
        let _ = read_metadata(data);
        if let Ok(out) = strip_bytes(data) {
            let _ = read_metadata(&out);
            if let Ok(again) = strip_bytes(&out) {
                assert_eq!(again, out, "stripping a stripped picture changed it");
            }
        }
    }
}
