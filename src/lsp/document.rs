//! The document store: each open document as a `ropey::Rope`, edited in
//! place by incremental changes. Out-of-range and reversed ranges are
//! clamped and ordered, never a panic.
//!
//! Each document also keeps the byte-level edits made since its last
//! finished check ([`Document::edits_since`]), so that the findings of that
//! check can be carried over to the current text
//! ([`map_range`]) for a hover or a code action that arrives while the next
//! check is still running.

use std::ops::Range as Bytes;

use ropey::Rope;
use tower_lsp::lsp_types::{Position, Range, TextDocumentContentChangeEvent};

use crate::engine::Finding;
use crate::markup::Format;
use crate::position::{rope_pos_to_char, Encoding, Pos};

/// At most this many edits are remembered between two finished checks;
/// past that, findings of the older check are not carried over.
const MAX_LOGGED_EDITS: usize = 4096;

/// One replacement in byte offsets: `start..old_end` of the text before it
/// became `new_len` bytes, at document `version`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteEdit {
    pub version: i32,
    pub start: usize,
    pub old_end: usize,
    pub new_len: usize,
}

/// An open document.
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    pub format: Format,
    /// Every edit made after version `log_base`, in order.
    log: Vec<ByteEdit>,
    log_base: i32,
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

/// The length in bytes of the common prefix of `rope` and `text`, on a char
/// boundary.
fn common_prefix(rope: &Rope, text: &str) -> usize {
    let new = text.as_bytes();
    let mut n = 0;
    for chunk in rope.chunks() {
        let c = chunk.as_bytes();
        let rest = &new[n..];
        // Whole equal chunks at memcmp speed; bytes only in the one that differs.
        let same = if rest.len() >= c.len() && rest[..c.len()] == *c {
            c.len()
        } else {
            c.iter().zip(rest).take_while(|(a, b)| a == b).count()
        };
        n += same;
        if same < c.len() {
            break;
        }
    }
    while !text.is_char_boundary(n) {
        n -= 1;
    }
    n
}

/// The length in bytes of the common suffix of `rope` and `text`, at most
/// `max`, on a char boundary.
fn common_suffix(rope: &Rope, text: &str, max: usize) -> usize {
    let new = text.as_bytes();
    let mut n = 0;
    let mut chunks = rope.chunks_at_byte(rope.len_bytes()).0;
    while let Some(chunk) = chunks.prev() {
        let c = chunk.as_bytes();
        let rest = &new[..new.len() - n];
        let same = if rest.len() >= c.len() && rest[rest.len() - c.len()..] == *c {
            c.len()
        } else {
            c.iter()
                .rev()
                .zip(rest.iter().rev())
                .take_while(|(a, b)| a == b)
                .count()
        };
        n += same;
        if same < c.len() || n >= max {
            break;
        }
    }
    let mut n = n.min(max);
    while !text.is_char_boundary(text.len() - n) {
        n -= 1;
    }
    n
}

impl Document {
    pub fn new(text: &str, version: i32, format: Format) -> Self {
        Document {
            rope: Rope::from_str(text),
            version,
            format,
            log: Vec::new(),
            log_base: version,
        }
    }

    /// Applies changes in order (a change without a range replaces the text:
    /// only the part that differs is replaced, so that it is logged as the
    /// small edit it usually is).
    pub fn apply(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        enc: Encoding,
    ) {
        for change in changes {
            let (start, old_end, new_text) = match change.range {
                None => {
                    let text = change.text.as_str();
                    let old_len = self.rope.len_bytes();
                    let prefix = common_prefix(&self.rope, text);
                    let max = old_len.min(text.len()) - prefix;
                    let suffix = common_suffix(&self.rope, text, max);
                    (prefix, old_len - suffix, &text[prefix..text.len() - suffix])
                }
                Some(range) => {
                    let r = char_range(&self.rope, range, enc);
                    (
                        self.rope.char_to_byte(r.start),
                        self.rope.char_to_byte(r.end),
                        change.text.as_str(),
                    )
                }
            };
            let chars = self.rope.byte_to_char(start)..self.rope.byte_to_char(old_end);
            self.rope.remove(chars.clone());
            self.rope.insert(chars.start, new_text);
            self.log(ByteEdit {
                version,
                start,
                old_end,
                new_len: new_text.len(),
            });
        }
        self.version = version;
    }

    fn log(&mut self, edit: ByteEdit) {
        if edit.start == edit.old_end && edit.new_len == 0 {
            return;
        }
        if self.log.len() >= MAX_LOGGED_EDITS {
            // Too many to carry findings over: forget them all.
            self.log.clear();
            self.log_base = edit.version;
            return;
        }
        self.log.push(edit);
    }

    /// The edits made after `version`, in order, or `None` when they are no
    /// longer all known.
    pub fn edits_since(&self, version: i32) -> Option<&[ByteEdit]> {
        if version < self.log_base {
            return None;
        }
        let first = self.log.partition_point(|e| e.version <= version);
        Some(&self.log[first..])
    }

    /// Forgets the edits up to `version` (a check of it has finished).
    pub fn checked(&mut self, version: i32) {
        if version >= self.log_base {
            let first = self.log.partition_point(|e| e.version <= version);
            self.log.drain(..first);
            self.log_base = version;
        }
    }

    /// The byte offset of an LSP position in the current text.
    pub fn offset(&self, p: Position, enc: Encoding) -> usize {
        self.rope
            .char_to_byte(rope_pos_to_char(&self.rope, pos(p), enc))
    }
}

/// Where byte range `r` of an older text is after `edits`, or `None` when an
/// edit touched it (overlapped it or began or ended at its edge): only
/// bytes no edit came near are carried over.
pub fn map_range(r: &Bytes<usize>, edits: &[ByteEdit]) -> Option<Bytes<usize>> {
    let (mut start, mut end) = (r.start, r.end);
    for e in edits {
        if end < e.start {
            continue;
        }
        if start > e.old_end {
            start = start - e.old_end + e.start + e.new_len;
            end = end - e.old_end + e.start + e.new_len;
            continue;
        }
        return None;
    }
    Some(start..end)
}

/// `f` carried over `edits` (its range and every fix's edits), or `None`
/// when an edit touched any of them.
pub fn map_finding(f: &Finding, edits: &[ByteEdit]) -> Option<Finding> {
    if edits.is_empty() {
        return Some(f.clone());
    }
    let mut f2 = f.clone();
    f2.range = map_range(&f.range, edits)?;
    for fix in &mut f2.fixes {
        for e in &mut fix.edits {
            e.range = map_range(&e.range, edits)?;
        }
    }
    Some(f2)
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

    fn full(text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn a_full_text_change_is_logged_as_the_part_that_differs() {
        let mut d = Document::new("one two three", 1, Format::Markdown);
        d.apply(vec![full("one 2 three")], 2, Encoding::Utf16);
        assert_eq!(d.rope.to_string(), "one 2 three");
        let e = ByteEdit {
            version: 2,
            start: 4,
            old_end: 7,
            new_len: 1,
        };
        assert_eq!(d.edits_since(1), Some(&[e][..]));
        // Same text: nothing logged. A repeated letter: still one char wide.
        d.apply(vec![full("one 2 three")], 3, Encoding::Utf16);
        d.apply(vec![full("one 2 threee")], 4, Encoding::Utf16);
        assert_eq!(d.edits_since(2).unwrap().len(), 1);
        // Multi-byte: the differing part is whole characters.
        d.apply(vec![full("é")], 5, Encoding::Utf16);
        d.apply(vec![full("è")], 6, Encoding::Utf16);
        let last = *d.edits_since(5).unwrap().last().unwrap();
        assert_eq!((last.start, last.old_end, last.new_len), (0, 2, 2));
        assert_eq!(d.rope.to_string(), "è");
    }

    #[test]
    fn findings_are_carried_over_edits_that_do_not_touch_them() {
        let mut d = Document::new("Call 555-0100 now.\nBye.\n", 1, Format::Markdown);
        let phone = 5..13;
        let bye = 19..22;
        // A line inserted at the start: both move down by its length.
        d.apply(vec![change(0, 0, 0, 0, "Hi.\n")], 2, Encoding::Utf16);
        let edits = d.edits_since(1).unwrap().to_vec();
        assert_eq!(map_range(&phone, &edits), Some(9..17));
        assert_eq!(map_range(&bye, &edits), Some(23..26));
        let text = d.rope.to_string();
        assert_eq!(&text[9..17], "555-0100");
        // Typing right after the number touches it: not carried over, while
        // the later "Bye" still is.
        d.apply(vec![change(1, 13, 1, 13, "1")], 3, Encoding::Utf16);
        let edits = d.edits_since(1).unwrap().to_vec();
        assert_eq!(map_range(&phone, &edits), None);
        assert_eq!(map_range(&bye, &edits), Some(24..27));
        // Once version 3 is checked, its edits are forgotten.
        d.checked(3);
        assert_eq!(d.edits_since(3), Some(&[][..]));
        assert_eq!(d.edits_since(1), None);
    }
}
