//! Per-block result cache: after one keystroke only the block it touched is
//! checked again.
//!
//! A block-level rule ([`crate::engine::Rule::check_block`]) sees only its
//! block: the block's text, kind and map to the source, the links, images,
//! comments and institution mentions inside it, the settings and the active
//! institutions. So its findings, with ranges made relative to the block's
//! start in the source, are a function of exactly those, and [`key`] hashes
//! them. A [`Cache`] maps that key to the block's finished findings (severity
//! and citations filled in). On a hit the findings are shifted to where the
//! block now is; on a miss the block is checked and stored.
//!
//! A cache belongs to one [`crate::engine::Checker`] (the settings and packs
//! are not in the key): make a new one when the checker changes. It keeps
//! only the blocks seen by the last check, so it never holds more than one
//! document's worth of blocks. Document-level rules
//! ([`crate::engine::Rule::check_document`]) are never cached; they run on
//! every check, and cheaply, over the already extracted markup.
//!
//! The cache is plain data owned by its caller (the LSP keeps one per open
//! document); the engine stays free of global state.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;

use crate::engine::{Context, Finding};

/// Block-level findings of recent checks, by block (see the module docs).
#[derive(Default)]
pub struct Cache {
    entries: HashMap<u64, Entry>,
    /// Bumped by every check; entries not seen by the last one are dropped.
    epoch: u64,
    hits: usize,
    misses: usize,
}

struct Entry {
    /// The block's source text, compared on a hit so that a hash collision
    /// can never return another block's findings.
    source: Box<str>,
    /// Finished findings with every range relative to the block's start.
    findings: Vec<Finding>,
    epoch: u64,
}

impl Cache {
    pub fn new() -> Cache {
        Cache::default()
    }

    /// How many blocks are cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Blocks reused and blocks checked by the last check.
    pub fn last_stats(&self) -> (usize, usize) {
        (self.hits, self.misses)
    }

    pub(crate) fn begin(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        self.hits = 0;
        self.misses = 0;
    }

    /// Drops the blocks the check that just ended did not see.
    pub(crate) fn end(&mut self) {
        let epoch = self.epoch;
        self.entries.retain(|_, e| e.epoch == epoch);
    }

    /// Appends the cached findings of a block whose source text is `source`
    /// starting at `base`, shifted there. False on a miss.
    pub(crate) fn get(
        &mut self,
        key: u64,
        source: &str,
        base: usize,
        out: &mut Vec<Finding>,
    ) -> bool {
        match self.entries.get_mut(&key) {
            Some(e) if &*e.source == source => {
                e.epoch = self.epoch;
                out.extend(e.findings.iter().map(|f| shifted(f, |x| x + base)));
                self.hits += 1;
                true
            }
            _ => {
                self.misses += 1;
                false
            }
        }
    }

    /// Stores a block's finished findings. A finding or fix reaching outside
    /// the block's source is not block-local: such a block is not cached
    /// (it is simply checked again next time).
    pub(crate) fn put(&mut self, key: u64, source: &str, span: Range<usize>, findings: &[Finding]) {
        let inside = |r: &Range<usize>| span.start <= r.start && r.end <= span.end;
        let local = findings.iter().all(|f| {
            inside(&f.range)
                && f.fixes
                    .iter()
                    .all(|x| x.edits.iter().all(|e| inside(&e.range)))
        });
        if !local {
            return;
        }
        let base = span.start;
        self.entries.insert(
            key,
            Entry {
                source: source.into(),
                findings: findings.iter().map(|f| shifted(f, |x| x - base)).collect(),
                epoch: self.epoch,
            },
        );
    }
}

/// `f` with every range moved by `by`: its own, its fixes' edits, and the
/// other findings' redactions inside its fixes (`Part`s, matched by range
/// when a finding is suppressed).
fn shifted(f: &Finding, by: impl Fn(usize) -> usize) -> Finding {
    let mut f = f.clone();
    let mv = |r: &mut Range<usize>| *r = by(r.start)..by(r.end);
    mv(&mut f.range);
    for fix in &mut f.fixes {
        for e in &mut fix.edits {
            mv(&mut e.range);
        }
        for part in &mut fix.parts {
            mv(&mut part.range);
            for e in &mut part.edits {
                mv(&mut e.range);
            }
        }
    }
    f
}

/// The key of every block in `cx`: everything a block-level rule may look
/// at, relative to the block's start in the source. One pass over the links,
/// images, comments and mentions (not one per block).
pub(crate) fn keys(cx: &Context) -> Vec<u64> {
    let blocks = &cx.markup.blocks;
    let spans: Vec<Range<usize>> = blocks.iter().map(|b| b.span()).collect();
    let rel = |b: usize, r: &Range<usize>| {
        let base = spans[b].start;
        (r.start.wrapping_sub(base), r.end.wrapping_sub(base))
    };
    let mut hs: Vec<DefaultHasher> = blocks
        .iter()
        .map(|block| {
            let mut h = DefaultHasher::new();
            cx.format.hash(&mut h);
            block.hash_layout(&mut h);
            cx.active.hash(&mut h);
            cx.inferred.hash(&mut h);
            // Which rules run (the post's front matter may turn some off).
            cx.post.disable.hash(&mut h);
            h
        })
        .collect();
    for l in &cx.markup.links {
        if let Some(b) = l.block.filter(|&b| b < hs.len()) {
            let dest = l.dest_range.as_ref().map(|r| rel(b, r));
            (1u8, rel(b, &l.range), &l.dest, dest).hash(&mut hs[b]);
        }
    }
    for i in &cx.markup.images {
        if let Some(b) = i.block.filter(|&b| b < hs.len()) {
            let dest = i.dest_range.as_ref().map(|r| rel(b, r));
            (2u8, rel(b, &i.range), &i.dest, dest, &i.alt, &i.title).hash(&mut hs[b]);
        }
    }
    for m in &cx.mentions {
        if m.block < hs.len() {
            let r = rel(m.block, &m.range);
            (4u8, m.pack, &m.text_range, r, m.strong).hash(&mut hs[m.block]);
        }
    }
    // Comments inside a block's span (comments are few; sorted by start).
    let mut comments: Vec<&Range<usize>> = cx.markup.comments.iter().collect();
    comments.sort_by_key(|c| c.start);
    for (b, span) in spans.iter().enumerate() {
        let first = comments.partition_point(|c| c.start < span.start);
        for c in comments[first..].iter().take_while(|c| c.start < span.end) {
            if c.end <= span.end {
                (3u8, rel(b, c)).hash(&mut hs[b]);
            }
        }
    }
    hs.into_iter().map(|h| h.finish()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Checker;
    use crate::markup::Format;

    /// Typing anywhere (inside prose, markup, links, code, front matter)
    /// with a cache gives exactly what a fresh check gives, and reuses the
    /// untouched blocks.
    #[test]
    fn cached_checks_equal_fresh_checks_while_typing() {
        let checker = Checker::default_checker();
        let mut text = crate::bench_support::markdown(6_000);
        let mut cache = Cache::new();
        assert_eq!(
            checker.check_cached(&text, Format::Markdown, &mut cache),
            checker.check(&text, Format::Markdown)
        );
        let mut reused = 0;
        for (n, insert) in ["x", " ", "\n", "*", "@", "[", "\n\n", "Mayo Clinic "]
            .iter()
            .cycle()
            .take(120)
            .enumerate()
        {
            let mut at = (n * 997) % text.len();
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, insert);
            let cached = checker.check_cached(&text, Format::Markdown, &mut cache);
            assert_eq!(
                cached,
                checker.check(&text, Format::Markdown),
                "after inserting {insert:?} at {at}"
            );
            reused += cache.last_stats().0;
        }
        assert!(reused > 0);
    }

    /// The same block text at a new place gives findings at the new place,
    /// and a block that moved is not checked again.
    #[test]
    fn findings_move_with_their_block() {
        let checker = Checker::default_checker();
        let mut cache = Cache::new();
        let a = "Contact me at jane.doe@mayo.edu.\n";
        let first = checker.check_cached(a, Format::Markdown, &mut cache);
        let b = format!("A new first paragraph.\n\n{a}");
        let second = checker.check_cached(&b, Format::Markdown, &mut cache);
        assert_eq!(cache.last_stats(), (1, 1));
        assert_eq!(second, checker.check(&b, Format::Markdown));
        let shift = b.len() - a.len();
        assert_eq!(first[0].range.start + shift, second[0].range.start);
        assert_eq!(&b[second[0].range.clone()], "jane.doe@mayo.edu");
    }

    /// A name whose fix also redacts the paragraph's other identifiers
    /// (each a `Part` of the fix, by range) moves whole: the parts with it.
    #[test]
    fn a_mended_fix_moves_with_its_block() {
        let checker = Checker::default_checker();
        let mut cache = Cache::new();
        let a = &format!(
            "{}\n\n{}",
            include_str!("../../examples/night-shift.md"),
            include_str!("../../examples/the-crossword.md")
        );
        let first = checker.check_cached(a, Format::Markdown, &mut cache);
        assert!(
            first
                .iter()
                .any(|f| f.fixes.iter().any(|x| !x.parts.is_empty())),
            "the draft should hold a mended name"
        );
        let b = a.replacen("\n\n", "\n\nA new paragraph near the top.\n\n", 1);
        let second = checker.check_cached(&b, Format::Markdown, &mut cache);
        assert!(cache.last_stats().0 > 0, "blocks were reused");
        assert_eq!(second, checker.check(&b, Format::Markdown));
    }

    /// A cache keeps only the blocks of the last check.
    #[test]
    fn the_cache_holds_one_document() {
        let checker = Checker::default_checker();
        let mut cache = Cache::new();
        checker.check_cached(
            &crate::bench_support::markdown(20_000),
            Format::Markdown,
            &mut cache,
        );
        let full = cache.len();
        checker.check_cached("One paragraph.", Format::Markdown, &mut cache);
        assert!(full > 10);
        assert_eq!(cache.len(), 1);
    }
}
