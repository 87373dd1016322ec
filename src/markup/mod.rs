//! Markup: which parts of a document are prose, with byte offsets into the
//! original source.
//!
//! A format module turns source text into a [`Markup`]: a list of prose
//! [`Block`]s (paragraphs, headings, list items, table cells, front-matter
//! values…), each holding the prose text of the block and a map from every
//! byte of that text back to the source, plus the links, images and comments
//! that later rules look at. Code, raw HTML tags and front-matter keys are
//! not prose and never reach a rule.
//!
//! This module never does I/O and never panics on any input.

mod frontmatter;
pub use frontmatter::{post_settings, PostSettings};
mod html;
mod lines;
mod markdown;
mod plain;

use std::ops::Range;

/// The formats scrubs reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Markdown,
    /// MDX: Markdown with `import`/`export` lines and `{…}` expressions (not prose).
    Mdx,
    /// HTML (`.html`, `.htm`), with optional front matter (Jekyll).
    Html,
    /// reStructuredText.
    Rst,
    AsciiDoc,
    /// Emacs Org mode.
    Org,
    PlainText,
}

impl Format {
    /// The format for a file name, by its extension: `.md`, `.markdown` are
    /// Markdown, `.mdx` MDX, `.html`/`.htm` HTML, `.rst` reStructuredText,
    /// `.adoc`/`.asciidoc` AsciiDoc, `.org` Org; everything else plain text.
    pub fn from_path(path: &std::path::Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("md" | "markdown" | "mdown" | "mkd") => Format::Markdown,
            Some("mdx") => Format::Mdx,
            Some("html" | "htm" | "xhtml") => Format::Html,
            Some("rst" | "rest") => Format::Rst,
            Some("adoc" | "asciidoc" | "asc") => Format::AsciiDoc,
            Some("org") => Format::Org,
            _ => Format::PlainText,
        }
    }

    /// The format for an LSP language id (`markdown`, `plaintext`, …).
    pub fn from_language_id(id: &str) -> Format {
        match id {
            "markdown" | "quarto" | "rmd" => Format::Markdown,
            "mdx" => Format::Mdx,
            "html" => Format::Html,
            "restructuredtext" | "rst" => Format::Rst,
            "asciidoc" => Format::AsciiDoc,
            "org" => Format::Org,
            _ => Format::PlainText,
        }
    }

    /// Whether a file at `path` is one `scrubs check` reads when walking a folder.
    pub fn is_checked_extension(path: &std::path::Path) -> bool {
        matches!(
            path.extension()
                .and_then(|e| e.to_str())
                .map(|e| e.to_ascii_lowercase())
                .as_deref(),
            Some(
                "md" | "markdown"
                    | "mdx"
                    | "mdown"
                    | "mkd"
                    | "txt"
                    | "text"
                    | "html"
                    | "htm"
                    | "rst"
                    | "adoc"
                    | "asciidoc"
                    | "org"
            )
        )
    }
}

/// What kind of container a block of prose sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockKind {
    Paragraph,
    Heading(u8),
    ListItem,
    TableCell,
    /// A string value in front matter; the key is not prose.
    FrontMatter,
}

/// One piece of a block's text and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Segment {
    /// Offset of this piece in [`Block::text`].
    at: usize,
    /// Where it is in the source.
    src: Range<usize>,
    /// True when the piece is the source text byte for byte; false for a
    /// stand-in (a space for skipped inline code), which maps to `src` as a whole.
    verbatim: bool,
}

/// A run of prose: one paragraph, heading, list item, table cell or
/// front-matter value.
#[derive(Clone, Debug)]
pub struct Block {
    pub kind: BlockKind,
    /// The block's prose, joined from its pieces (markup such as `**` and
    /// skipped inline code left out).
    pub text: String,
    /// Inside a block quote.
    pub quoted: bool,
    /// For front-matter values: the key.
    pub key: Option<String>,
    segments: Vec<Segment>,
}

impl Block {
    fn new(kind: BlockKind, quoted: bool) -> Self {
        Block {
            kind,
            text: String::new(),
            quoted,
            key: None,
            segments: Vec::new(),
        }
    }

    /// Appends source text that is prose byte for byte.
    fn push_verbatim(&mut self, src: Range<usize>, text: &str) {
        if text.is_empty() {
            return;
        }
        // Merge with the previous piece when contiguous in both spaces.
        if let Some(last) = self.segments.last_mut() {
            if last.verbatim
                && last.src.end == src.start
                && last.at + last.src.len() == self.text.len()
            {
                last.src.end = src.end;
                self.text.push_str(text);
                return;
            }
        }
        self.segments.push(Segment {
            at: self.text.len(),
            src,
            verbatim: true,
        });
        self.text.push_str(text);
    }

    /// Appends `text` standing for `src` as a whole (a decoded character
    /// reference such as `&amp;`): any offset inside maps to its start or end.
    fn push_stand_in(&mut self, src: Range<usize>, text: &str) {
        if text.is_empty() {
            return;
        }
        self.segments.push(Segment {
            at: self.text.len(),
            src,
            verbatim: false,
        });
        self.text.push_str(text);
    }

    /// Appends a stand-in (one space) for something in the source that is
    /// not prose but separates words.
    fn push_gap(&mut self, src: Range<usize>) {
        if self.text.is_empty() || self.text.ends_with(char::is_whitespace) {
            return;
        }
        self.segments.push(Segment {
            at: self.text.len(),
            src,
            verbatim: false,
        });
        self.text.push(' ');
    }

    /// The source offset of byte `i` of [`Block::text`] (`i` may equal the
    /// text's length). For a start, pass `end = false`; for the end of a
    /// range, `end = true` (a stand-in maps to its source's end).
    pub fn source_offset(&self, i: usize, end: bool) -> usize {
        if self.segments.is_empty() {
            return 0;
        }
        let k = self.segments.partition_point(|s| s.at <= i).max(1) - 1;
        let seg = &self.segments[k];
        let text_len = if k + 1 < self.segments.len() {
            self.segments[k + 1].at - seg.at
        } else {
            self.text.len() - seg.at
        };
        if end && i == seg.at && k > 0 {
            // An end exactly at a piece boundary belongs to the previous piece.
            let prev = &self.segments[k - 1];
            return prev.src.end;
        }
        if seg.verbatim {
            (seg.src.start + (i - seg.at).min(text_len)).min(seg.src.end)
        } else if end {
            seg.src.end
        } else {
            seg.src.start
        }
    }

    /// Turns the parts of verbatim pieces that fall inside `ranges` (sorted
    /// or not; each on character boundaries of the source) into stand-ins.
    pub(crate) fn mark_stand_ins(&mut self, ranges: &[Range<usize>]) {
        if ranges.is_empty() {
            return;
        }
        let mut out: Vec<Segment> = Vec::with_capacity(self.segments.len());
        for seg in self.segments.drain(..) {
            if !seg.verbatim {
                out.push(seg);
                continue;
            }
            // Cut points inside this piece.
            let mut cuts: Vec<usize> = ranges
                .iter()
                .flat_map(|r| [r.start, r.end])
                .filter(|&c| c > seg.src.start && c < seg.src.end)
                .collect();
            cuts.sort_unstable();
            cuts.dedup();
            let mut start = seg.src.start;
            for end in cuts.into_iter().chain(std::iter::once(seg.src.end)) {
                let inside = ranges.iter().any(|r| r.start <= start && end <= r.end);
                out.push(Segment {
                    at: seg.at + (start - seg.src.start),
                    src: start..end,
                    verbatim: !inside,
                });
                start = end;
            }
        }
        self.segments = out;
    }

    /// The source range of `range` in [`Block::text`].
    pub fn source_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.source_offset(range.start, false);
        let end = self.source_offset(range.end, true).max(start);
        start..end
    }

    /// Feeds everything a block-level rule can see of this block into
    /// `state`, relative to the block's start in the source: its kind, text,
    /// quoting, key and the map back to the source. Two blocks with the same
    /// layout and the same source text give the same findings, shifted (see
    /// `engine::cache`).
    pub fn hash_layout<H: std::hash::Hasher>(&self, state: &mut H) {
        use std::hash::Hash;
        let base = self.span().start;
        self.kind.hash(state);
        self.text.hash(state);
        self.quoted.hash(state);
        self.key.hash(state);
        for s in &self.segments {
            (
                s.at,
                s.src.start.wrapping_sub(base),
                s.src.end.wrapping_sub(base),
                s.verbatim,
            )
                .hash(state);
        }
    }

    /// The source range of the whole block.
    pub fn span(&self) -> Range<usize> {
        match (self.segments.first(), self.segments.last()) {
            (Some(a), Some(b)) => a.src.start..b.src.end,
            _ => 0..0,
        }
    }
}

/// A link: its text is prose (inside a block); its destination is kept apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The whole link in the source.
    pub range: Range<usize>,
    pub dest: String,
    /// Where the destination is written in the source, when it is.
    pub dest_range: Option<Range<usize>>,
    /// Index into [`Markup::blocks`] of the block holding its text.
    pub block: Option<usize>,
}

/// An image: alt text is prose; the file name is kept apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub range: Range<usize>,
    pub dest: String,
    pub dest_range: Option<Range<usize>>,
    pub alt: String,
    pub title: String,
    pub block: Option<usize>,
}

/// What the markup layer found in a document.
#[derive(Clone, Debug, Default)]
pub struct Markup {
    pub blocks: Vec<Block>,
    pub links: Vec<Link>,
    pub images: Vec<Image>,
    /// HTML comments (`<!-- … -->`) in Markdown, by source range.
    pub comments: Vec<Range<usize>>,
    /// The front matter, when the document has one.
    pub front_matter: Option<Range<usize>>,
    /// Headings by source range and level, for placement of inserted text.
    pub headings: Vec<(Range<usize>, u8, String)>,
    /// Where trailing footnote and link-reference definitions begin, if any:
    /// text appended "at the end of the post" goes before them.
    pub trailing_definitions: Option<usize>,
    /// Markdown: where each top-level block (a paragraph, a list, a fence,
    /// an HTML block, a rule…) starts in the source, in order. Every
    /// construct before such an offset is closed there, so the text from it
    /// on parses to the same blocks by itself (what lets a fix's result be
    /// checked without parsing the whole document again).
    pub top_level: Vec<usize>,
}

/// Extracts the prose of `text` in `format`.
pub fn extract(text: &str, format: Format) -> Markup {
    match format {
        Format::Markdown => markdown::extract(text),
        Format::Mdx => markdown::extract_mdx(text),
        Format::Html => html::extract(text),
        Format::Rst => lines::extract(text, lines::Dialect::Rst),
        Format::AsciiDoc => lines::extract(text, lines::Dialect::AsciiDoc),
        Format::Org => lines::extract(text, lines::Dialect::Org),
        Format::PlainText => plain::extract(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose(text: &str, format: Format) -> Vec<String> {
        extract(text, format)
            .blocks
            .into_iter()
            .map(|b| b.text)
            .collect()
    }

    #[test]
    fn markdown_prose_skips_code_and_html() {
        let md = "# Title\n\nAs a *nurse* at `Mayo` Clinic.\n\n```\nMRN 12345\n```\n\n    indented code\n\n<div>raw</div>\n\n- item one\n- item two\n\n> quoted\n\n| a | b |\n|---|---|\n| c | d |\n";
        assert_eq!(
            prose(md, Format::Markdown),
            vec![
                "Title",
                "As a nurse at  Clinic.",
                "item one",
                "item two",
                "quoted",
                "a",
                "b",
                "c",
                "d"
            ]
        );
    }

    #[test]
    fn block_offsets_point_into_the_source() {
        let md = "Intro 😀 **As a nurse** at [Mayo Clinic](https://mayo.edu) today.\n";
        let m = extract(md, Format::Markdown);
        let b = &m.blocks[0];
        let i = b.text.find("As a nurse at Mayo Clinic").unwrap();
        let r = b.source_range(i..i + "As a nurse at Mayo Clinic".len());
        assert_eq!(&md[r], "As a nurse** at [Mayo Clinic");
        assert_eq!(m.links.len(), 1);
        assert_eq!(m.links[0].dest, "https://mayo.edu");
        assert_eq!(
            &md[m.links[0].dest_range.clone().unwrap()],
            "https://mayo.edu"
        );
    }

    #[test]
    fn front_matter_values_are_prose_keys_are_not() {
        let md = "---\ntitle: \"Night shift at Mayo Clinic\"\ndate: 2024-01-02\ntags: [a, b]\ndescription: As a nurse\n---\n\nBody.\n";
        let m = extract(md, Format::Markdown);
        let texts: Vec<_> = m.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Night shift at Mayo Clinic",
                "a",
                "b",
                "As a nurse",
                "Body."
            ]
        );
        let b = &m.blocks[0];
        assert_eq!(&md[b.span()], "Night shift at Mayo Clinic");
        assert_eq!(b.key.as_deref(), Some("title"));
        let toml = "+++\ntitle = 'At MSK'\n+++\nBody\n";
        assert_eq!(prose(toml, Format::Markdown), vec!["At MSK", "Body"]);
    }

    #[test]
    fn plain_text_paragraphs() {
        let t = "one\ntwo\r\n\r\nthree\n";
        let m = extract(t, Format::PlainText);
        assert_eq!(m.blocks.len(), 2);
        assert_eq!(m.blocks[0].text, "one\ntwo");
        assert_eq!(&t[m.blocks[1].span()], "three");
    }

    #[test]
    fn image_alt_and_file_are_kept() {
        let md = "Look: ![x-ray of my patient](img/pt-xray.png \"t\")\n";
        let m = extract(md, Format::Markdown);
        assert_eq!(m.images.len(), 1);
        assert_eq!(m.images[0].alt, "x-ray of my patient");
        assert_eq!(m.images[0].dest, "img/pt-xray.png");
        assert!(m.blocks[0].text.contains("x-ray of my patient"));
    }

    /// Every word of every block maps back to the same word in the source
    /// (or to a character reference standing for it).
    fn assert_words_map_back(src: &str, format: Format) -> Vec<String> {
        let m = extract(src, format);
        for b in &m.blocks {
            let mut at = 0;
            for w in b.text.split_whitespace() {
                let i = at + b.text[at..].find(w).unwrap();
                at = i + w.len();
                let r = b.source_range(i..i + w.len());
                let got = &src[r.clone()];
                // The word's characters, in order, from its first to its
                // last; markup between them (`</a>`, `]]`) may sit inside.
                let mut rest = got.chars();
                let subsequence = w.chars().all(|c| rest.any(|x| x == c));
                assert!(
                    got.contains('&')
                        || (subsequence
                            && got.starts_with(w.chars().next().unwrap())
                            && got.ends_with(w.chars().last().unwrap())),
                    "{format:?}: block word {w:?} maps to {got:?} at {r:?}"
                );
            }
        }
        m.blocks.into_iter().map(|b| b.text).collect()
    }

    #[test]
    fn html_text_nodes_are_prose_code_and_scripts_are_not() {
        let src = "<!DOCTYPE html>\n<html><head><title>Night shift</title><style>p{color:red}</style></head>\n<body><h1>Notes &amp; more</h1>\n<p>As a <b>nurse</b> at Mayo Clinic 😀,\n  see <a href=\"https://mayo.edu\">my page</a>. Use <code>mrn 123</code> daily.</p>\n<img src=\"pt.png\" alt=\"x-ray of my patient\"><pre>secret code</pre><script>var a = 'nurse at Mayo';</script><!-- note --><ul><li>one</li><li>two</li></ul></body></html>\n";
        let texts = assert_words_map_back(src, Format::Html);
        assert_eq!(
            texts,
            vec![
                "Night shift",
                "Notes & more",
                "As a nurse at Mayo Clinic 😀,\n  see my page. Use  daily.",
                "x-ray of my patient ",
                "one",
                "two"
            ]
        );
        let m = extract(src, Format::Html);
        assert_eq!(m.links[0].dest, "https://mayo.edu");
        assert_eq!(
            &src[m.links[0].dest_range.clone().unwrap()],
            "https://mayo.edu"
        );
        assert_eq!(m.images[0].dest, "pt.png");
        assert_eq!(m.images[0].alt, "x-ray of my patient");
        assert_eq!(m.comments.len(), 1);
        assert_eq!(m.headings[0].1, 1);
    }

    #[test]
    fn mdx_expressions_with_multibyte_text_map_to_character_boundaries() {
        // Found by the property test below.
        let text = "</{é}é";
        let m = extract(text, Format::Mdx);
        for b in &m.blocks {
            for i in (0..=b.text.len()).filter(|&i| b.text.is_char_boundary(i)) {
                let r = b.source_range(i..b.text.len());
                assert!(
                    text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
                    "{i} {r:?}"
                );
            }
        }
    }

    #[test]
    fn mdx_skips_imports_exports_and_expressions() {
        let src = "import Chart from './chart'\nexport const meta = {a: 1}\n\n# Hi\n\nAs a nurse {props.x} at MSK.\n\n<Chart data={[1, 2]} />\n";
        let texts = assert_words_map_back(src, Format::Mdx);
        assert_eq!(texts, vec!["Hi", "As a nurse           at MSK."]);
    }

    #[test]
    fn rst_prose_skips_directives_and_literals() {
        let src = "Night shift\n===========\n\nAs a nurse at ``Mayo`` Clinic, see `my page <https://x.org>`_.\nSecond line.\n\n.. code-block:: python\n\n   secret = 1\n\nExample::\n\n    literal text\n\n- item one\n- item two\n\n.. image:: pt.png\n   :alt: x\n";
        let texts = assert_words_map_back(src, Format::Rst);
        assert_eq!(
            texts,
            vec![
                "Night shift",
                "As a nurse at  Clinic, see my page . Second line.",
                "Example:",
                "item one",
                "item two"
            ]
        );
        let m = extract(src, Format::Rst);
        assert_eq!(m.links[0].dest, "https://x.org");
        assert_eq!(m.images[0].dest, "pt.png");
    }

    #[test]
    fn asciidoc_prose_skips_listings_and_attributes() {
        let src = "= Title here\n:author: Jane\n\nAs a nurse at `Mayo` Clinic.\nMore text.\n\n[source,python]\n----\nsecret = 1\n----\n\n* item one\n** item two\n\n// a comment\nimage::pt.png[x-ray of my patient]\n\n|===\n| a | b\n|===\n";
        let texts = assert_words_map_back(src, Format::AsciiDoc);
        assert_eq!(
            texts,
            vec![
                "Title here",
                "As a nurse at  Clinic. More text.",
                "item one",
                "item two",
                "x-ray of my patient",
                "a",
                "b"
            ]
        );
        assert_eq!(extract(src, Format::AsciiDoc).images[0].dest, "pt.png");
    }

    #[test]
    fn org_prose_skips_source_blocks_and_drawers() {
        let src = "#+TITLE: Night notes\n#+OPTIONS: toc:nil\n* TODO Heading one\n:PROPERTIES:\n:ID: 1\n:END:\nAs a nurse at ~Mayo~ Clinic, see [[https://x.org][my page]].\n\n#+BEGIN_SRC python\nsecret = 1\n#+END_SRC\n# comment\n- item one\n| a | b |\n|---+---|\n";
        let texts = assert_words_map_back(src, Format::Org);
        assert_eq!(
            texts,
            vec![
                "Night notes",
                "TODO Heading one",
                "As a nurse at  Clinic, see my page.",
                "item one",
                "a",
                "b"
            ]
        );
        let m = extract(src, Format::Org);
        assert_eq!(m.links[0].dest, "https://x.org");
    }

    #[test]
    fn malformed_macros_and_links_do_not_panic() {
        for src in [
            "image::foo]",
            "image::]",
            ".. image::",
            "[[",
            "[[a][",
            "`x <y>`_",
            "<a href=",
            "<img alt='x",
            "&#xFFFFFFFF;",
            "#+begin_",
            "``",
        ] {
            for format in [
                Format::Html,
                Format::Mdx,
                Format::Rst,
                Format::AsciiDoc,
                Format::Org,
            ] {
                let _ = extract(src, format);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Any input, in any format: no panic, and every block maps into the
        /// text on character boundaries.
        #[test]
        fn every_format_maps_any_input_into_the_text(
            text in "(image::|\\.\\. |#\\+begin_src|#\\+end_src|----|<a href=|<img alt=|<script>|</|&amp;|&#x|\\[\\[|\\]\\[|\\]\\]|``|::|\\n|=|\\*|-|\\||[a-z ]|é|😀|[<>\"'&;#`~{}\\[\\]:.+_])*"
        ) {
            for format in [Format::Html, Format::Mdx, Format::Rst, Format::AsciiDoc, Format::Org] {
                let m = extract(&text, format);
                for b in &m.blocks {
                    for i in (0..=b.text.len()).filter(|&i| b.text.is_char_boundary(i)) {
                        let r = b.source_range(i..b.text.len());
                        proptest::prop_assert!(r.end <= text.len());
                        proptest::prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                    }
                }
                for l in &m.links {
                    if let Some(r) = &l.dest_range {
                        proptest::prop_assert_eq!(text.get(r.clone()), Some(l.dest.as_str()));
                    }
                }
                for im in &m.images {
                    if let Some(r) = &im.dest_range {
                        proptest::prop_assert!(text.get(r.clone()).is_some());
                    }
                }
            }
        }
    }
}
