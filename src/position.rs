//! Byte offsets ↔ LSP positions, in exactly one place.
//!
//! Everything inside scrubs speaks byte offsets into the original text. The
//! edges (the LSP server and the CLI's JSON output) speak `line` / `character`
//! where `character` counts UTF-16 code units by default, or UTF-8 bytes when
//! the client negotiated `positionEncoding: "utf-8"`. Lines end at `\n`,
//! `\r\n` or a lone `\r`, as the LSP specification says; nothing else.
//!
//! Every conversion clamps: a position past the end of a line lands at the
//! line's end, a line past the end of the text lands at the end of the text,
//! and a UTF-16 position inside a surrogate pair rounds down. Nothing panics.

use ropey::Rope;

/// How `character` in a position is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-16 code units (LSP's default and the JSON contract's).
    #[default]
    Utf16,
    /// UTF-8 bytes.
    Utf8,
}

/// A zero-based line / character pair, in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub character: u32,
}

/// Line starts of a `&str`, for converting many offsets of one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset where each line starts. Always begins with 0.
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 40 + 1);
        starts.push(0);
        let mut after_cr = usize::MAX;
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' && after_cr == i {
                // The `\n` of a `\r\n`: the line already started after it.
                if let Some(last) = starts.last_mut() {
                    *last = i + 1;
                }
                continue;
            }
            starts.push(i + 1);
            if bytes[i] == b'\r' {
                after_cr = i + 1;
            }
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The position of byte `offset` (clamped to the text, rounded down to a
    /// character boundary).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Pos {
        let offset = floor_char_boundary(text, offset.min(self.len));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character = match enc {
            Encoding::Utf8 => offset - start,
            Encoding::Utf16 => text[start..offset].encode_utf16().count(),
        };
        Pos {
            line: line as u32,
            character: character as u32,
        }
    }

    /// The byte offset of `pos` (clamped as the module docs say).
    pub fn offset(&self, text: &str, pos: Pos, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let start = self.starts[line];
        let end = self.line_end(text, line);
        let line_text = &text[start..end];
        start + column_to_byte(line_text, pos.character as usize, enc)
    }

    /// Byte offset of the end of `line`'s content (before its line break).
    fn line_end(&self, text: &str, line: usize) -> usize {
        let start = self.starts[line];
        let mut end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        end
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// The byte offset within `line` (a line's content, no line break) of
/// column `col` counted in `enc`, clamped to the line's length.
fn column_to_byte(line: &str, col: usize, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => floor_char_boundary(line, col.min(line.len())),
        Encoding::Utf16 => {
            let mut units = 0;
            for (i, ch) in line.char_indices() {
                let w = ch.len_utf16();
                if units + w > col {
                    return i;
                }
                units += w;
            }
            line.len()
        }
    }
}

/// The largest character boundary `<= i` (stable replacement for the
/// unstable `str::floor_char_boundary`).
pub fn floor_char_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The position of byte `offset` of `rope`'s text (clamped to the text,
/// rounded down to a character boundary): the same as
/// [`LineIndex::position`] on the rope's text, without building an index
/// (O(log n) per call).
pub fn rope_position(rope: &Rope, offset: usize, enc: Encoding) -> Pos {
    let ch = rope.byte_to_char(offset.min(rope.len_bytes()));
    let line = rope.char_to_line(ch);
    let character = match enc {
        Encoding::Utf8 => rope.char_to_byte(ch) - rope.line_to_byte(line),
        Encoding::Utf16 => {
            rope.char_to_utf16_cu(ch) - rope.char_to_utf16_cu(rope.line_to_char(line))
        }
    };
    Pos {
        line: line as u32,
        character: character as u32,
    }
}

/// The char index in `rope` of an LSP position (clamped as the module docs say).
pub fn rope_pos_to_char(rope: &Rope, pos: Pos, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let slice = rope.line(line);
    // The line's content without its line break.
    let mut content_chars = slice.len_chars();
    if content_chars > 0 && slice.char(content_chars - 1) == '\n' {
        content_chars -= 1;
    }
    if content_chars > 0 && slice.char(content_chars - 1) == '\r' {
        content_chars -= 1;
    }
    let col = pos.character as usize;
    let chars = match enc {
        Encoding::Utf8 => {
            let content_bytes = slice.char_to_byte(content_chars);
            let b = col.min(content_bytes);
            // Round down to a char boundary.
            let c = slice.byte_to_char(b);
            if slice.char_to_byte(c) > b {
                c.saturating_sub(1)
            } else {
                c
            }
        }
        Encoding::Utf16 => {
            let content_units = slice.char_to_utf16_cu(content_chars);
            let u = col.min(content_units);
            // `utf16_cu_to_char` rounds a position inside a surrogate pair down.
            slice.utf16_cu_to_char(u)
        }
    };
    line_start + chars.min(content_chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_count_surrogate_pairs() {
        let text = "a😀b\nx";
        let idx = LineIndex::new(text);
        let b = text.find('b').unwrap();
        assert_eq!(
            idx.position(text, b, Encoding::Utf16),
            Pos {
                line: 0,
                character: 3
            }
        );
        assert_eq!(
            idx.position(text, b, Encoding::Utf8),
            Pos {
                line: 0,
                character: 5
            }
        );
        assert_eq!(
            idx.offset(
                text,
                Pos {
                    line: 0,
                    character: 3
                },
                Encoding::Utf16
            ),
            b
        );
        // Inside the surrogate pair: rounds down to the emoji's start.
        assert_eq!(
            idx.offset(
                text,
                Pos {
                    line: 0,
                    character: 2
                },
                Encoding::Utf16
            ),
            1
        );
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "ab\r\ncd\ref\ngh";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        let g = text.find('g').unwrap();
        assert_eq!(
            idx.position(text, g, Encoding::Utf16),
            Pos {
                line: 3,
                character: 0
            }
        );
        // Past the end of line 0 clamps before the \r\n.
        assert_eq!(
            idx.offset(
                text,
                Pos {
                    line: 0,
                    character: 99
                },
                Encoding::Utf16
            ),
            2
        );
        assert_eq!(
            idx.offset(
                text,
                Pos {
                    line: 1,
                    character: 99
                },
                Encoding::Utf16
            ),
            6
        );
        assert_eq!(
            idx.offset(
                text,
                Pos {
                    line: 42,
                    character: 0
                },
                Encoding::Utf16
            ),
            text.len()
        );
    }

    #[test]
    fn rope_and_line_index_agree() {
        let text = "é😀\r\nカタ\rz\n";
        let rope = Rope::from_str(text);
        let idx = LineIndex::new(text);
        for line in 0..5u32 {
            for character in 0..8u32 {
                let pos = Pos { line, character };
                for enc in [Encoding::Utf16, Encoding::Utf8] {
                    let c = rope_pos_to_char(&rope, pos, enc);
                    assert_eq!(
                        rope.char_to_byte(c),
                        idx.offset(text, pos, enc),
                        "{pos:?} {enc:?}"
                    );
                }
            }
        }
        for offset in 0..=text.len() + 2 {
            for enc in [Encoding::Utf16, Encoding::Utf8] {
                assert_eq!(
                    rope_position(&rope, offset, enc),
                    idx.position(text, offset, enc),
                    "{offset} {enc:?}"
                );
            }
        }
    }

    #[test]
    fn line_index_of_every_kind_of_line_break() {
        for text in [
            "",
            "\n",
            "\r",
            "\r\n",
            "\r\r\n\n",
            "a\r\nb\rc\nd",
            "\n\r",
            "x\r",
        ] {
            let idx = LineIndex::new(text);
            let rope = Rope::from_str(text);
            assert_eq!(idx.line_count(), rope.len_lines(), "{text:?}");
            for line in 0..idx.line_count() {
                let pos = Pos {
                    line: line as u32,
                    character: 0,
                };
                assert_eq!(
                    idx.offset(text, pos, Encoding::Utf8),
                    rope.line_to_byte(line),
                    "{text:?} line {line}"
                );
            }
        }
    }
}
