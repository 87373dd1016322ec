//! HTML (`.html`, `.htm`), with optional front matter (Jekyll posts).
//!
//! A small forgiving tokenizer, not a validating parser: text nodes are
//! prose; block-level tags end a block; `<img alt>` is prose and its `src`
//! is kept apart, like a Markdown image; `<a href>` is a link; `<script>`,
//! `<style>`, `<code>`, `<pre>` and friends are skipped with their contents;
//! comments are recorded. Character references (`&amp;`) are decoded as
//! stand-ins mapped to their whole source.

use std::ops::Range;

use super::{frontmatter, Block, BlockKind, Image, Link, Markup};

/// Tags whose contents are not prose.
const SKIP: &[&str] = &[
    "script",
    "style",
    "code",
    "pre",
    "template",
    "noscript",
    "svg",
    "math",
    "textarea",
    "kbd",
    "samp",
    "head-script",
];

/// Tags that end a block of prose.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "td",
    "th",
    "tr",
    "table",
    "thead",
    "tbody",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "figure",
    "figcaption",
    "br",
    "hr",
    "dt",
    "dd",
    "dl",
    "title",
    "head",
    "body",
    "html",
    "form",
    "details",
    "summary",
    "caption",
    "address",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "option",
    "button",
    "label",
];

pub(super) fn extract(text: &str) -> Markup {
    let mut w = Walker {
        text,
        markup: Markup::default(),
        current: None,
        quote_depth: 0,
        heading: None,
        open_link: None,
    };
    let start = match frontmatter::parse(text) {
        Some(fm) => {
            w.markup.blocks.extend(fm.blocks);
            w.markup.images.extend(fm.images);
            w.markup.front_matter = Some(fm.range.clone());
            fm.range.end
        }
        None => 0,
    };
    w.run(start);
    w.flush();
    w.markup
}

struct Walker<'t> {
    text: &'t str,
    markup: Markup,
    current: Option<Block>,
    quote_depth: usize,
    /// Open heading: level and where its tag starts.
    heading: Option<(u8, usize)>,
    open_link: Option<usize>,
}

struct Tag {
    name: String,
    closing: bool,
    /// The whole tag `<…>`.
    range: Range<usize>,
    /// Attribute name (lowercase) → value range in the source.
    attrs: Vec<(String, Range<usize>)>,
}

impl Walker<'_> {
    fn flush(&mut self) {
        if let Some(b) = self.current.take() {
            if !b.text.trim().is_empty() {
                self.markup.blocks.push(b);
            }
        }
    }

    fn block(&mut self) -> &mut Block {
        let quoted = self.quote_depth > 0;
        self.current
            .get_or_insert_with(|| Block::new(BlockKind::Paragraph, quoted))
    }

    fn run(&mut self, mut pos: usize) {
        let text = self.text;
        let bytes = text.as_bytes();
        while pos < text.len() {
            let next = text[pos..].find(['<', '&']).map(|i| pos + i);
            let Some(at) = next else {
                self.push_text(pos..text.len());
                break;
            };
            self.push_text(pos..at);
            if bytes[at] == b'&' {
                pos = self.entity(at);
                continue;
            }
            // A comment.
            if text[at..].starts_with("<!--") {
                let end = text[at + 4..]
                    .find("-->")
                    .map(|j| at + 4 + j + 3)
                    .unwrap_or(text.len());
                self.markup.comments.push(at..end);
                if let Some(b) = self.current.as_mut() {
                    b.push_gap(at..end);
                }
                pos = end;
                continue;
            }
            // A doctype, CDATA or processing instruction.
            if text[at..].starts_with("<!") || text[at..].starts_with("<?") {
                pos = text[at..]
                    .find('>')
                    .map(|j| at + j + 1)
                    .unwrap_or(text.len());
                continue;
            }
            match self.tag(at) {
                Some(tag) => pos = self.handle(tag),
                None => {
                    // A lone `<`: prose.
                    self.push_text(at..at + 1);
                    pos = at + 1;
                }
            }
        }
    }

    /// Pushes a text node's source `range` (no `<` or `&` inside).
    fn push_text(&mut self, range: Range<usize>) {
        let mut s = &self.text[range.clone()];
        let mut start = range.start;
        let empty = self.current.as_ref().is_none_or(|b| b.text.is_empty());
        if empty {
            let t = s.trim_start();
            start += s.len() - t.len();
            s = t;
        }
        if s.is_empty() {
            return;
        }
        self.block().push_verbatim(start..start + s.len(), s);
    }

    /// Decodes the character reference at `at`; returns where to go on.
    fn entity(&mut self, at: usize) -> usize {
        let rest = &self.text[at..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|i| i + 1);
        if let Some(e) = end {
            if rest.as_bytes().get(e) == Some(&b';') {
                let name = &rest[1..e];
                if let Some(c) = decode(name) {
                    let mut buf = [0u8; 4];
                    let s: &str = c.encode_utf8(&mut buf);
                    let empty = self.current.as_ref().is_none_or(|b| b.text.is_empty());
                    if !(empty && c.is_whitespace()) {
                        self.block().push_stand_in(at..at + e + 1, s);
                    }
                    return at + e + 1;
                }
            }
        }
        self.push_text(at..at + 1);
        at + 1
    }

    /// Reads the tag starting at `at` (`<name …>` or `</name>`).
    fn tag(&self, at: usize) -> Option<Tag> {
        let text = self.text;
        let b = text.as_bytes();
        let mut i = at + 1;
        let closing = b.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':') {
            i += 1;
        }
        if i == name_start || !b[name_start].is_ascii_alphabetic() {
            return None;
        }
        let name = text[name_start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= b.len() {
                return None;
            }
            if b[i] == b'>' {
                i += 1;
                break;
            }
            if b[i] == b'/' {
                i += 1;
                continue;
            }
            let an = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !b"=>/".contains(&b[i]) {
                i += 1;
            }
            let aname = text[an..i].to_ascii_lowercase();
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if b.get(i) == Some(&b'=') {
                i += 1;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                match b.get(i) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let vs = i + 1;
                        let ve = text[vs..].find(q as char).map(|j| vs + j)?;
                        attrs.push((aname, vs..ve));
                        i = ve + 1;
                    }
                    Some(_) => {
                        let vs = i;
                        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                            i += 1;
                        }
                        attrs.push((aname, vs..i));
                    }
                    None => return None,
                }
            } else if an == i {
                i += 1;
            } else {
                attrs.push((aname, i..i));
            }
        }
        Some(Tag {
            name,
            closing,
            range: at..i,
            attrs,
        })
    }

    fn attr(&self, tag: &Tag, name: &str) -> Option<Range<usize>> {
        tag.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.clone())
    }

    /// Handles a tag; returns where to go on.
    fn handle(&mut self, tag: Tag) -> usize {
        let name = tag.name.as_str();
        let end = tag.range.end;
        if !tag.closing && SKIP.contains(&name) {
            // Skip to the matching close tag.
            let close = format!("</{name}");
            let lower = self.text[end..].to_ascii_lowercase();
            let stop = lower
                .find(&close)
                .map(|j| {
                    let c = end + j;
                    self.text[c..]
                        .find('>')
                        .map(|k| c + k + 1)
                        .unwrap_or(self.text.len())
                })
                .unwrap_or(self.text.len());
            if name == "code" || name == "kbd" || name == "samp" {
                if let Some(b) = self.current.as_mut() {
                    b.push_gap(tag.range.start..stop);
                }
            } else {
                self.flush();
            }
            return stop;
        }
        if BLOCK.contains(&name) {
            if let (Some(level), true) = (heading_level(name), tag.closing) {
                if let Some((l, start)) = self.heading.take() {
                    let text = self
                        .current
                        .as_ref()
                        .map(|b| b.text.clone())
                        .unwrap_or_default();
                    self.markup.headings.push((start..end, l.max(level), text));
                }
            }
            self.flush();
            if name == "blockquote" {
                if tag.closing {
                    self.quote_depth = self.quote_depth.saturating_sub(1);
                } else {
                    self.quote_depth += 1;
                }
            }
            if !tag.closing {
                let quoted = self.quote_depth > 0;
                let kind = match name {
                    "li" | "dd" | "dt" => Some(BlockKind::ListItem),
                    "td" | "th" => Some(BlockKind::TableCell),
                    _ => heading_level(name).map(BlockKind::Heading),
                };
                if let Some(kind) = kind {
                    self.current = Some(Block::new(kind, quoted));
                }
                if let Some(l) = heading_level(name) {
                    self.heading = Some((l, tag.range.start));
                }
            }
            return end;
        }
        match (name, tag.closing) {
            ("a", false) => {
                let dest_range = self.attr(&tag, "href");
                let dest = dest_range
                    .as_ref()
                    .map(|r| self.text[r.clone()].to_string())
                    .unwrap_or_default();
                let block = Some(self.markup.blocks.len());
                self.block();
                self.markup.links.push(Link {
                    range: tag.range.clone(),
                    dest,
                    dest_range,
                    block,
                });
                self.open_link = Some(self.markup.links.len() - 1);
            }
            ("a", true) => {
                if let Some(i) = self.open_link.take() {
                    self.markup.links[i].range.end = end;
                }
            }
            ("img", false) => {
                let dest_range = self.attr(&tag, "src");
                let dest = dest_range
                    .as_ref()
                    .map(|r| self.text[r.clone()].to_string())
                    .unwrap_or_default();
                let alt_range = self.attr(&tag, "alt");
                let alt = alt_range
                    .as_ref()
                    .map(|r| self.text[r.clone()].to_string())
                    .unwrap_or_default();
                let title = self
                    .attr(&tag, "title")
                    .map(|r| self.text[r].to_string())
                    .unwrap_or_default();
                let block = Some(self.markup.blocks.len());
                if let Some(r) = alt_range.filter(|r| !r.is_empty()) {
                    let b = self.block();
                    b.push_gap(tag.range.start..r.start);
                    b.push_verbatim(r.clone(), &alt);
                    b.push_gap(r.end..end);
                } else {
                    self.block();
                }
                self.markup.images.push(Image {
                    range: tag.range.clone(),
                    dest,
                    dest_range,
                    alt,
                    title,
                    block,
                });
            }
            _ => {}
        }
        end
    }
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// A character reference's character (`amp`, `#39`, `#x27`).
fn decode(name: &str) -> Option<char> {
    if let Some(n) = name.strip_prefix('#') {
        let v = match n.strip_prefix(['x', 'X']) {
            Some(h) => u32::from_str_radix(h, 16).ok()?,
            None => n.parse().ok()?,
        };
        return char::from_u32(v).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        _ => return None,
    })
}
