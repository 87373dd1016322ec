//! Line-oriented lightweight markups: reStructuredText, AsciiDoc and Org.
//!
//! Each line is classified (blank, heading, list item, table row, code or
//! directive to skip, prose); prose lines join into paragraphs with their
//! markers (`* `, `== `, `|`) left out, inline code replaced by a gap, and
//! link targets kept apart. Every piece is pushed with its source range, so
//! offsets are exact. Not a full parser of any of the three; what it does not
//! understand it treats as prose, which errs toward checking more.

use std::ops::Range;

use super::{frontmatter, Block, BlockKind, Image, Link, Markup};

/// A link's text and target, as ranges in one line.
type LinkParts = (Range<usize>, Range<usize>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dialect {
    Rst,
    AsciiDoc,
    Org,
}

/// What skips lines until it ends.
enum Skip {
    /// Until a line that is not blank and indented at most this much.
    Indented(usize),
    /// Until a line equal (trimmed) to this delimiter.
    Delimiter(String),
    /// Until a line starting (case-insensitively) with this.
    Prefix(String),
}

struct State<'t> {
    text: &'t str,
    d: Dialect,
    markup: Markup,
    current: Option<Block>,
    skip: Option<Skip>,
    /// rst: the paragraph ended with `::`, the next indented block is literal.
    literal_next: bool,
    /// rst: the start of the paragraph being read, for a section underline.
    para_line: Option<Range<usize>>,
}

pub(super) fn extract(text: &str, d: Dialect) -> Markup {
    let mut s = State {
        text,
        d,
        markup: Markup::default(),
        current: None,
        skip: None,
        literal_next: false,
        para_line: None,
    };
    let mut pos = 0;
    if d != Dialect::Rst {
        if let Some(fm) = frontmatter::parse(text) {
            s.markup.blocks.extend(fm.blocks);
            s.markup.images.extend(fm.images);
            s.markup.front_matter = Some(fm.range.clone());
            pos = fm.range.end;
        }
    }
    for line in text[pos..].split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        s.line(pos, content);
        pos += line.len();
    }
    s.flush();
    s.markup
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A line of one repeated punctuation character, at least `min` long.
fn is_rule(line: &str, min: usize) -> bool {
    let t = line.trim_end();
    let mut chars = t.chars();
    match chars.next() {
        Some(c) if c.is_ascii_punctuation() => t.len() >= min && t.chars().all(|x| x == c),
        _ => false,
    }
}

/// The length of a list marker at the start of `t` (`- `, `* `, `1. `, `#. `, `1) `).
fn list_marker(t: &str, bullets: &[char]) -> Option<usize> {
    let mut chars = t.char_indices();
    let (_, c) = chars.next()?;
    if bullets.contains(&c) {
        let rest = &t[c.len_utf8()..];
        return rest.starts_with(' ').then_some(c.len_utf8() + 1);
    }
    let digits = t
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'#')
        .count();
    if digits > 0 && digits < 4 {
        let rest = &t[digits..];
        if rest.starts_with(". ") || rest.starts_with(") ") {
            return Some(digits + 2);
        }
    }
    None
}

impl State<'_> {
    fn flush(&mut self) {
        if let Some(b) = self.current.take() {
            if !b.text.trim().is_empty() {
                self.markup.blocks.push(b);
            }
        }
        self.para_line = None;
    }

    fn start(&mut self, kind: BlockKind) {
        self.flush();
        self.current = Some(Block::new(kind, false));
    }

    fn line(&mut self, at: usize, line: &str) {
        let t = line.trim();
        // Inside something skipped?
        if let Some(skip) = &self.skip {
            let done = match skip {
                Skip::Indented(n) => !t.is_empty() && indent(line) <= *n,
                Skip::Delimiter(d) => {
                    if t == d {
                        self.skip = None;
                        return;
                    }
                    false
                }
                Skip::Prefix(p) => {
                    if t.to_ascii_lowercase().starts_with(p.as_str()) {
                        self.skip = None;
                        return;
                    }
                    false
                }
            };
            if !done {
                return;
            }
            self.skip = None;
        }
        if t.is_empty() {
            self.flush();
            return;
        }
        let lead = indent(line);
        let start = at + lead;
        match self.d {
            Dialect::Rst => self.rst(at, line, t, lead, start),
            Dialect::AsciiDoc => self.adoc(line, t, start),
            Dialect::Org => self.org(line, t, start),
        }
    }

    /// Appends prose `range` (one line's content) to the current block, or
    /// starts a paragraph.
    fn prose(&mut self, range: Range<usize>, kind: BlockKind) {
        if self.current.is_none() {
            self.current = Some(Block::new(kind, false));
            self.para_line = Some(range.clone());
        } else if let Some(b) = self.current.as_mut() {
            let prev = b.span().end;
            b.push_gap(prev.min(range.start)..range.start);
        }
        self.inline(range);
    }

    /// Pushes one line's prose, with inline code as a gap and link targets kept apart.
    fn inline(&mut self, range: Range<usize>) {
        let text = self.text;
        let s = &text[range.clone()];
        let base = range.start;
        let mut last = 0;
        let mut i = 0;
        let bytes = s.as_bytes();
        let mut pieces: Vec<(Range<usize>, bool)> = Vec::new(); // (range in s, prose?)
        while i < bytes.len() {
            let rest = &s[i..];
            let (skip_to, link): (Option<usize>, Option<LinkParts>) = match self.d {
                Dialect::Rst if rest.starts_with("``") => {
                    (rest[2..].find("``").map(|j| i + 2 + j + 2), None)
                }
                Dialect::Rst if rest.starts_with('`') => {
                    // `text <url>`_ : text is prose, url a link target.
                    match rest[1..].find('`') {
                        Some(j) => {
                            let inner = &rest[1..1 + j];
                            let after = i + 1 + j + 1;
                            match (inner.rfind('<'), inner.ends_with('>')) {
                                (Some(lt), true) => {
                                    let text_r = i + 1..i + 1 + lt;
                                    let dest_r = i + 1 + lt + 1..i + 1 + j - 1;
                                    let end = if s[after..].starts_with("__") {
                                        after + 2
                                    } else if s[after..].starts_with('_') {
                                        after + 1
                                    } else {
                                        after
                                    };
                                    (Some(end), Some((text_r, dest_r)))
                                }
                                _ => {
                                    // Interpreted text: the inside is prose.
                                    pieces.push((last..i, true));
                                    pieces.push((i + 1..i + 1 + j, true));
                                    last = after;
                                    i = after;
                                    continue;
                                }
                            }
                        }
                        None => (None, None),
                    }
                }
                Dialect::AsciiDoc if rest.starts_with('`') => {
                    (rest[1..].find('`').map(|j| i + 1 + j + 1), None)
                }
                Dialect::Org
                    if (rest.starts_with('~') || rest.starts_with('='))
                        && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) =>
                {
                    let d = &rest[..1];
                    rest[1..]
                        .find(d)
                        .filter(|&j| j > 0)
                        .filter(|&j| {
                            bytes
                                .get(i + 1 + j + 1)
                                .is_none_or(|b| !b.is_ascii_alphanumeric())
                        })
                        .map(|j| (Some(i + 1 + j + 1), None))
                        .unwrap_or((None, None))
                }
                Dialect::Org if rest.starts_with("[[") => match rest.find("]]") {
                    Some(j) => {
                        let inner = &rest[2..j];
                        match inner.find("][") {
                            Some(k) => (
                                Some(i + j + 2),
                                Some((i + 2 + k + 2..i + j, i + 2..i + 2 + k)),
                            ),
                            None => (Some(i + j + 2), Some((i..i, i + 2..i + j))),
                        }
                    }
                    None => (None, None),
                },
                _ => (None, None),
            };
            match skip_to {
                Some(end) => {
                    pieces.push((last..i, true));
                    match link {
                        Some((text_r, dest_r)) => {
                            pieces.push((text_r, true));
                            let raw = &s[dest_r.clone()];
                            let lead = raw.len() - raw.trim_start().len();
                            let dest = raw.trim().to_string();
                            let dest_r = dest_r.start + lead..dest_r.start + lead + dest.len();
                            let block = Some(self.markup.blocks.len());
                            self.markup.links.push(Link {
                                range: base + i..base + end,
                                dest,
                                dest_range: Some(base + dest_r.start..base + dest_r.end),
                                block,
                            });
                        }
                        None => pieces.push((i..end, false)),
                    }
                    last = end;
                    i = end;
                }
                None => {
                    i += rest.chars().next().map(char::len_utf8).unwrap_or(1);
                }
            }
        }
        pieces.push((last..s.len(), true));
        let b = self
            .current
            .get_or_insert_with(|| Block::new(BlockKind::Paragraph, false));
        for (r, prose) in pieces {
            if r.is_empty() {
                continue;
            }
            let src = base + r.start..base + r.end;
            if prose {
                b.push_verbatim(src, &s[r]);
            } else {
                b.push_gap(src);
            }
        }
    }

    fn heading(&mut self, level: u8, range: Range<usize>, whole: Range<usize>) {
        self.start(BlockKind::Heading(level));
        self.inline(range);
        let text = self
            .current
            .as_ref()
            .map(|b| b.text.clone())
            .unwrap_or_default();
        self.markup.headings.push((whole, level, text));
        self.flush();
    }

    fn table_row(&mut self, line: &str, start: usize) {
        self.flush();
        let t = line.trim();
        let mut p = 0;
        for cell in t.split('|') {
            let lead = cell.len() - cell.trim_start().len();
            let c = cell.trim();
            if !c.is_empty() && !is_rule(c, 1) && !c.chars().all(|x| "-+:= ".contains(x)) {
                let s = start + p + lead;
                self.start(BlockKind::TableCell);
                self.inline(s..s + c.len());
                self.flush();
            }
            p += cell.len() + 1;
        }
    }

    fn rst(&mut self, at: usize, line: &str, t: &str, lead: usize, start: usize) {
        if self.literal_next && self.current.is_none() && lead > 0 {
            self.literal_next = false;
            self.skip = Some(Skip::Indented(lead - 1));
            return;
        }
        self.literal_next = false;
        // Section underline or overline.
        if is_rule(t, 2) && lead == 0 && !t.starts_with(['|', '+']) {
            if let (Some(b), Some(_)) = (self.current.take(), self.para_line.take()) {
                let span = b.span();
                let text = b.text.clone();
                let mut h = b;
                h.kind = BlockKind::Heading(1);
                self.markup
                    .headings
                    .push((span.start..at + line.len(), 1, text));
                self.markup.blocks.push(h);
            }
            self.flush();
            return;
        }
        if let Some(rest) = t.strip_prefix("..") {
            // Directive, comment, target, substitution: skipped with its body.
            self.flush();
            let rest = rest.trim_start();
            for kind in ["image::", "figure::"] {
                if let Some(dest) = rest.strip_prefix(kind) {
                    let d = dest.trim();
                    let off = start + t.find(d).unwrap_or(0);
                    self.markup.images.push(Image {
                        range: start..start + t.len(),
                        dest: d.to_string(),
                        dest_range: (!d.is_empty()).then(|| off..off + d.len()),
                        alt: String::new(),
                        title: String::new(),
                        block: None,
                    });
                }
            }
            self.skip = Some(Skip::Indented(lead));
            return;
        }
        if t.starts_with(">>>") {
            self.flush();
            return;
        }
        if t.starts_with('|') || t.starts_with('+') && is_table_border(t) {
            if is_table_border(t) {
                self.flush();
                return;
            }
            self.table_row(line, start);
            return;
        }
        if is_rule(t, 4) && t.starts_with('=') {
            // A simple-table border.
            self.flush();
            return;
        }
        let end = start + t.len();
        let (content, literal) = match t.strip_suffix("::") {
            Some(x) => (
                start..start + x.len() + usize::from(!x.ends_with(' ') && !x.is_empty()),
                true,
            ),
            None => (start..end, false),
        };
        let content = content.start..content.end.min(end);
        if let Some(m) = list_marker(t, &['-', '*', '+', '•']) {
            self.start(BlockKind::ListItem);
            self.para_line = None;
            self.inline(start + m..content.end.max(start + m));
        } else {
            self.prose(content, BlockKind::Paragraph);
        }
        if literal {
            self.flush();
            self.literal_next = true;
        }
    }

    fn adoc(&mut self, line: &str, t: &str, start: usize) {
        // Delimited blocks: code-like ones skipped, others just open.
        if t.len() >= 4 && is_rule(t, 4) {
            let c = t.as_bytes()[0];
            self.flush();
            if matches!(c, b'-' | b'.' | b'+' | b'/') {
                self.skip = Some(Skip::Delimiter(t.to_string()));
            }
            return;
        }
        if t.starts_with("```") {
            self.flush();
            self.skip = Some(Skip::Prefix("```".into()));
            return;
        }
        if t.starts_with("//") {
            self.flush();
            return;
        }
        if t.starts_with("|===") {
            self.flush();
            return;
        }
        if t.starts_with('|') {
            self.table_row(line, start);
            return;
        }
        // Attribute entries and block attributes.
        if (t.starts_with(':') && t[1..].contains(": ") || t.ends_with(':') && t.starts_with(':'))
            || (t.starts_with('[') && t.ends_with(']'))
        {
            self.flush();
            return;
        }
        // Block macros: image::file[alt], include::…[], toc::[].
        if let Some(k) = t.find("::") {
            if t.ends_with(']') && t[..k].bytes().all(|b| b.is_ascii_lowercase()) && k > 0 {
                self.flush();
                if &t[..k] == "image" {
                    let args = &t[k + 2..];
                    // `t` ends with `]`, so with a `[` the alt text lies between them.
                    let lb = args.find('[').unwrap_or(args.len() - 1);
                    let dest = &args[..lb];
                    let off = start + k + 2;
                    let alt_r = (off + lb + 1).min(start + t.len() - 1)..(start + t.len() - 1);
                    let alt = self.text[alt_r.clone()]
                        .split(',')
                        .next()
                        .unwrap_or("")
                        .to_string();
                    let block = Some(self.markup.blocks.len());
                    if !alt.is_empty() {
                        self.start(BlockKind::Paragraph);
                        let r = alt_r.start..alt_r.start + alt.len();
                        self.inline(r);
                        self.flush();
                    }
                    self.markup.images.push(Image {
                        range: start..start + t.len(),
                        dest: dest.to_string(),
                        dest_range: Some(off..off + dest.len()),
                        alt,
                        title: String::new(),
                        block,
                    });
                }
                return;
            }
        }
        // Literal paragraph: indented first line.
        if self.current.is_none() && indent(line) > 0 && list_marker(t, &['*', '-', '.']).is_none()
        {
            self.skip = Some(Skip::Indented(0));
            return;
        }
        // Headings.
        let eq = t.bytes().take_while(|b| *b == b'=' || *b == b'#').count();
        if eq > 0 && t[eq..].starts_with(' ') {
            let s = start + eq + 1;
            let body = t[eq + 1..].trim_start();
            let s = s + (t.len() - eq - 1 - body.len());
            self.heading(eq as u8, s..start + t.len(), start..start + t.len());
            return;
        }
        // Block title.
        if t.starts_with('.') && t.len() > 1 && !t[1..].starts_with(['.', ' ']) {
            self.start(BlockKind::Paragraph);
            self.inline(start + 1..start + t.len());
            self.flush();
            return;
        }
        let stars = t
            .bytes()
            .take_while(|b| *b == b'*' || *b == b'.' || *b == b'-')
            .count();
        if stars > 0 && t[stars..].starts_with(' ') {
            self.start(BlockKind::ListItem);
            self.inline(start + stars + 1..start + t.len());
            return;
        }
        let t2 = t.strip_suffix(" +").unwrap_or(t);
        self.prose(start..start + t2.len(), BlockKind::Paragraph);
    }

    fn org(&mut self, line: &str, t: &str, start: usize) {
        let lower = t.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("#+begin_") {
            self.flush();
            let kind = rest.split_whitespace().next().unwrap_or("").to_string();
            if !matches!(kind.as_str(), "quote" | "verse" | "center") {
                self.skip = Some(Skip::Prefix(format!("#+end_{kind}")));
            }
            return;
        }
        if lower.starts_with("#+end_") {
            self.flush();
            return;
        }
        if lower.starts_with("#+") {
            self.flush();
            for key in ["#+title:", "#+subtitle:", "#+description:"] {
                if lower.starts_with(key) {
                    let v = t[key.len()..].trim_start();
                    let s = start + t.len() - v.len();
                    self.heading(1, s..start + t.len(), start..start + t.len());
                }
            }
            return;
        }
        if t == "#" || t.starts_with("# ") || t.starts_with(": ") || t == ":" {
            self.flush();
            return;
        }
        if t.eq_ignore_ascii_case(":properties:") || t.eq_ignore_ascii_case(":logbook:") {
            self.flush();
            self.skip = Some(Skip::Prefix(":end:".into()));
            return;
        }
        if t.starts_with('|') {
            if t.starts_with("|-") {
                self.flush();
            } else {
                self.table_row(line, start);
            }
            return;
        }
        if line.starts_with('*') {
            let n = line.bytes().take_while(|b| *b == b'*').count();
            if line[n..].starts_with(' ') {
                let body = line[n..].trim();
                let s = start + (line.len() - line[n..].trim_start().len());
                self.heading(n.min(6) as u8, s..s + body.len(), start..start + t.len());
                return;
            }
        }
        if let Some(m) = list_marker(t, &['-', '+'])
            .or_else(|| (indent(line) > 0).then(|| list_marker(t, &['*'])).flatten())
        {
            self.start(BlockKind::ListItem);
            self.inline(start + m..start + t.len());
            return;
        }
        self.prose(start..start + t.len(), BlockKind::Paragraph);
    }
}

fn is_table_border(t: &str) -> bool {
    t.starts_with('+') && t.chars().all(|c| "+-=:".contains(c))
}
