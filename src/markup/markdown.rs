//! Markdown through pulldown-cmark, with source offsets.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{frontmatter, Block, BlockKind, Image, Link, Markup};

pub(super) fn extract(text: &str) -> Markup {
    let mut markup = Markup::default();
    let body_start = match frontmatter::parse(text) {
        Some(fm) => {
            markup.blocks.extend(fm.blocks);
            markup.images.extend(fm.images);
            markup.front_matter = Some(fm.range.clone());
            fm.range.end
        }
        None => 0,
    };
    let body = &text[body_start..];

    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_FOOTNOTES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);

    let mut w = Walker {
        text,
        markup: &mut markup,
        current: None,
        code_depth: 0,
        quote_depth: 0,
        item_depth: 0,
        heading: None,
        links: Vec::new(),
        images: Vec::new(),
    };
    let mut top_level = Vec::new();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let range = (range.start + body_start)..(range.end + body_start);
        match event {
            Event::Start(_) => {
                if depth == 0 {
                    top_level.push(range.start);
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ if depth == 0 => top_level.push(range.start),
            _ => {}
        }
        w.event(event, range);
    }
    w.flush();
    markup.top_level = top_level;
    markup.trailing_definitions = trailing_definitions(text, body_start);
    markup
}

struct Walker<'t, 'm> {
    text: &'t str,
    markup: &'m mut Markup,
    current: Option<Block>,
    code_depth: usize,
    quote_depth: usize,
    item_depth: usize,
    /// The heading being read: its level and source range.
    heading: Option<(u8, Range<usize>)>,
    /// Open links: index into `markup.links`.
    links: Vec<usize>,
    /// Open images: index into `markup.images`.
    images: Vec<usize>,
}

impl Walker<'_, '_> {
    fn flush(&mut self) {
        if let Some(block) = self.current.take() {
            if !block.text.trim().is_empty() {
                self.markup.blocks.push(block);
            }
        }
    }

    fn start_block(&mut self, kind: BlockKind) {
        self.flush();
        self.current = Some(Block::new(kind, self.quote_depth > 0));
    }

    fn block(&mut self) -> &mut Block {
        let kind = if self.item_depth > 0 {
            BlockKind::ListItem
        } else {
            BlockKind::Paragraph
        };
        let quoted = self.quote_depth > 0;
        self.current.get_or_insert_with(|| Block::new(kind, quoted))
    }

    /// Index the next pushed block will have.
    fn block_index(&self) -> usize {
        self.markup.blocks.len()
    }

    fn comment(&mut self, range: Range<usize>) {
        let s = &self.text[range.clone()];
        let mut from = 0;
        while let Some(i) = s[from..].find("<!--") {
            let start = from + i;
            let end = s[start + 4..]
                .find("-->")
                .map(|j| start + 4 + j + 3)
                .unwrap_or(s.len());
            self.markup
                .comments
                .push(range.start + start..range.start + end);
            from = end;
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(_) => {
                if self.code_depth > 0 {
                    return;
                }
                let slice = &self.text[range.clone()];
                for &i in &self.images {
                    self.markup.images[i].alt.push_str(slice);
                }
                self.block().push_verbatim(range, slice);
            }
            Event::SoftBreak => {
                if self.code_depth == 0 {
                    let slice = &self.text[range.clone()];
                    self.block().push_verbatim(range, slice);
                }
            }
            Event::HardBreak | Event::Code(_) | Event::FootnoteReference(_) => {
                if self.code_depth == 0 {
                    if let Some(b) = self.current.as_mut() {
                        b.push_gap(range);
                    }
                }
            }
            Event::InlineHtml(_) => {
                self.comment(range.clone());
                if let Some(b) = self.current.as_mut() {
                    b.push_gap(range);
                }
            }
            Event::Html(_) => self.comment(range),
            Event::InlineMath(_) | Event::DisplayMath(_) => {
                if let Some(b) = self.current.as_mut() {
                    b.push_gap(range);
                }
            }
            Event::Rule | Event::TaskListMarker(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Paragraph => {
                let kind = if self.item_depth > 0 {
                    BlockKind::ListItem
                } else {
                    BlockKind::Paragraph
                };
                self.start_block(kind);
            }
            Tag::Heading { level, .. } => {
                self.start_block(BlockKind::Heading(level as u8));
                self.heading = Some((level as u8, range));
            }
            Tag::TableCell => self.start_block(BlockKind::TableCell),
            Tag::Item => {
                self.flush();
                self.item_depth += 1;
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.quote_depth += 1;
            }
            Tag::CodeBlock(_) => {
                self.flush();
                self.code_depth += 1;
            }
            Tag::HtmlBlock | Tag::List(_) | Tag::FootnoteDefinition(_) | Tag::Table(_) => {
                self.flush();
            }
            Tag::Link { dest_url, .. } => {
                let dest = dest_url.to_string();
                let dest_range = find_dest(self.text, &range, &dest);
                let block = Some(self.block_index());
                self.block();
                self.markup.links.push(Link {
                    range,
                    dest,
                    dest_range,
                    block,
                });
                self.links.push(self.markup.links.len() - 1);
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                let dest = dest_url.to_string();
                let dest_range = find_dest(self.text, &range, &dest);
                let block = Some(self.block_index());
                self.block();
                self.markup.images.push(Image {
                    range,
                    dest,
                    dest_range,
                    alt: String::new(),
                    title: title.to_string(),
                    block,
                });
                self.images.push(self.markup.images.len() - 1);
            }
            Tag::MetadataBlock(_) => {
                self.code_depth += 1;
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd, _range: Range<usize>) {
        match tag {
            TagEnd::Paragraph | TagEnd::TableCell => self.flush(),
            TagEnd::Heading(_) => {
                if let Some((level, range)) = self.heading.take() {
                    let text = self
                        .current
                        .as_ref()
                        .map(|b| b.text.clone())
                        .unwrap_or_default();
                    self.markup.headings.push((range, level, text));
                }
                self.flush();
            }
            TagEnd::Item => {
                self.flush();
                self.item_depth = self.item_depth.saturating_sub(1);
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote_depth = self.quote_depth.saturating_sub(1);
            }
            TagEnd::CodeBlock | TagEnd::MetadataBlock(_) => {
                self.code_depth = self.code_depth.saturating_sub(1);
            }
            TagEnd::Link => {
                self.links.pop();
            }
            TagEnd::Image => {
                self.images.pop();
            }
            _ => {}
        }
    }
}

/// Where `dest` is written inside the link at `range`, if it is there
/// (inline links and autolinks; not reference links).
fn find_dest(text: &str, range: &Range<usize>, dest: &str) -> Option<Range<usize>> {
    if dest.is_empty() {
        return None;
    }
    let s = &text[range.clone()];
    let from = s.rfind("](").map(|i| i + 2).unwrap_or(0);
    s[from..]
        .find(dest)
        .map(|i| range.start + from + i..range.start + from + i + dest.len())
}

/// Where a run of footnote or link-reference definitions at the end of the
/// document begins, if there is one.
fn trailing_definitions(text: &str, body_start: usize) -> Option<usize> {
    let body = &text[body_start..];
    let mut result = None;
    let mut pos = body.len();
    // Walk lines backwards.
    let lines: Vec<(usize, &str)> = {
        let mut v = Vec::new();
        let mut p = 0;
        for l in body.split_inclusive('\n') {
            v.push((p, l));
            p += l.len();
        }
        v
    };
    let mut in_def_run = false;
    for &(p, line) in lines.iter().rev() {
        let t = line.trim_end();
        if t.trim().is_empty() {
            pos = p;
            continue;
        }
        let is_def = t.starts_with('[') && t.contains("]:");
        let is_continuation = line.starts_with("    ") || line.starts_with('\t');
        if is_def {
            result = Some(body_start + p);
            in_def_run = true;
        } else if is_continuation && in_def_run {
            continue;
        } else {
            break;
        }
        pos = p;
    }
    let _ = pos;
    result
}

/// MDX: Markdown with ES `import`/`export` lines and `{…}` expressions,
/// which are not prose. They are blanked out (each byte a space, line breaks
/// kept), so every offset still points into the original text; JSX tags are
/// HTML to pulldown-cmark and are not prose either.
pub(super) fn extract_mdx(text: &str) -> Markup {
    let mut masked = text.as_bytes().to_vec();
    // Blanked ranges start and end on ASCII bytes (`{`, `}`, line ends), so
    // on character boundaries of the original text.
    let mut blanked: Vec<Range<usize>> = Vec::new();
    let mut blank = |m: &mut Vec<u8>, r: Range<usize>| {
        blanked.push(r.clone());
        for b in &mut m[r] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    };
    let mut pos = 0;
    let mut in_fence = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
        }
        if !in_fence && (t.starts_with("import ") || t.starts_with("export ")) && line == t {
            blank(&mut masked, pos..pos + line.len());
        }
        pos += line.len();
    }
    // Balanced `{…}` outside code fences (a fence's braces are code anyway).
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            if j < b.len() {
                blank(&mut masked, i..j + 1);
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    // Only ASCII bytes were replaced by spaces, whole characters at a time
    // (a multi-byte character is all non-ASCII bytes, each blanked), so this
    // is still UTF-8; fall back to the text itself if not.
    let masked = String::from_utf8(masked).unwrap_or_else(|_| text.to_string());
    let mut markup = extract(&masked);
    // Inside a blanked range the prose (spaces) is not the source byte for
    // byte: a blanked `é` is two spaces. Map those pieces as stand-ins, so no
    // offset lands inside a character of the original text.
    for b in &mut markup.blocks {
        b.mark_stand_ins(&blanked);
    }
    markup
}
