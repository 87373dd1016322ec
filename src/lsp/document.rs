//! The document store: each open document as a `ropey::Rope`, edited in
//! place by incremental changes. Out-of-range and reversed ranges are
//! clamped and ordered, never a panic.

use ropey::Rope;
use tower_lsp::lsp_types::{Position, Range, TextDocumentContentChangeEvent};

use crate::markup::Format;
use crate::position::{rope_pos_to_char, Encoding, Pos};

/// An open document.
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    pub format: Format,
}

fn pos(p: Position) -> Pos {
    Pos {
        line: p.line,
        character: p.character,
    }
}

/// The char range in `rope` of an LSP range: clamped, and ordered when reversed.
pub fn char_range(rope: &Rope, range: Range, enc: Encoding) -> std::ops::Range<usize> {
    let a = rope_pos_to_char(rope, pos(range.start), enc);
    let b = rope_pos_to_char(rope, pos(range.end), enc);
    a.min(b)..a.max(b)
}

impl Document {
    pub fn new(text: &str, version: i32, format: Format) -> Self {
        Document {
            rope: Rope::from_str(text),
            version,
            format,
        }
    }

    /// Applies changes in order (a change without a range replaces the text).
    pub fn apply(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        enc: Encoding,
    ) {
        for change in changes {
            match change.range {
                None => self.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let r = char_range(&self.rope, range, enc);
                    self.rope.remove(r.clone());
                    self.rope.insert(r.start, &change.text);
                }
            }
        }
        self.version = version;
    }

    /// The byte offset of an LSP position in the current text.
    pub fn offset(&self, p: Position, enc: Encoding) -> usize {
        self.rope
            .char_to_byte(rope_pos_to_char(&self.rope, pos(p), enc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn utf16_edits_after_emoji_and_cjk() {
        let mut d = Document::new("😀 é\r\nカタカナ\n", 1, Format::Markdown);
        // Replace "é" (UTF-16 column 3: the emoji is two units).
        d.apply(vec![change(0, 3, 0, 4, "e")], 2, Encoding::Utf16);
        assert_eq!(d.rope.to_string(), "😀 e\r\nカタカナ\n");
        d.apply(vec![change(1, 1, 1, 3, "")], 3, Encoding::Utf16);
        assert_eq!(d.rope.to_string(), "😀 e\r\nカナ\n");
        // Out of range and reversed: clamped and ordered.
        d.apply(vec![change(9, 9, 1, 1, "!")], 4, Encoding::Utf16);
        assert_eq!(d.rope.to_string(), "😀 e\r\nカ!");
        assert_eq!(d.version, 4);
    }
}
