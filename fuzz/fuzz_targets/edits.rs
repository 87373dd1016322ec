//! Edit sequences applied to the LSP document store (a rope) and to a
//! reference `String` (positions resolved with `position::LineIndex`): the
//! two always hold the same text, whatever the ranges (out of range,
//! reversed, inside a surrogate pair or a CRLF) and the encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scrubs::lsp::document::Document;
use scrubs::markup::Format;
use scrubs::position::{Encoding, LineIndex, Pos};
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

fuzz_target!(|data: &[u8]| {
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
});
