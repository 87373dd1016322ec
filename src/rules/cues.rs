//! Shared machinery for the phrase rules: a compiled lexicon (a literal
//! prefilter, then regexes), sentence bounds, and the guards that keep a
//! phrase from firing when it is negated ("I would never friend a
//! patient"), hypothetical ("if a patient added you…"), a question, inside
//! quotation marks or a block quote, or part of a post that teaches the
//! policy ("Reminder: the policy says no photos in patient areas").
//!
//! Rules are data here: each rule file lists its trigger literals and its
//! patterns; this module compiles them once (OnceLock in the rule) and runs
//! them. A block whose text holds none of a rule's trigger literals costs
//! one aho-corasick pass and nothing else.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexSet};

use crate::engine::Context;
use crate::markup::Block;

/// Which guards apply to a rule's matches.
#[derive(Clone, Copy, Debug)]
pub struct Guard {
    /// "never", "don't", "avoid"… earlier in the sentence.
    pub negation: bool,
    /// "if", "would", "imagine", questions.
    pub hypothetical: bool,
    /// A sentence that teaches the policy ("policy", "guideline",
    /// "reminder", "PSA"), a block quote, or a match inside quotation marks.
    pub teaching: bool,
}

impl Guard {
    pub const ALL: Guard = Guard {
        negation: true,
        hypothetical: true,
        teaching: true,
    };
    /// Profanity and slurs are unprofessional even when negated ("don't be
    /// a f***ing idiot"); only quotations in a block quote of the policy
    /// itself are spared, and those hold no profanity.
    pub const NONE: Guard = Guard {
        negation: false,
        hypothetical: false,
        teaching: false,
    };
}

/// A rule's trigger literals and patterns. The patterns are compiled once,
/// on the first block that holds a trigger: a lexicon whose words a draft
/// never uses costs its pattern texts, not their automata.
pub struct Lexicon {
    /// This lexicon's number in the [`TriggerIndex`] (unique per process).
    id: usize,
    triggers: Vec<String>,
    prefilter: OnceLock<AhoCorasick>,
    sources: Vec<String>,
    /// Compiled on the first triggered block; given back by
    /// [`crate::rules::compiled::release_all`] (the server, once a long
    /// draft's writer pauses) and compiled again when next needed.
    compiled: crate::rules::compiled::Slot<Compiled>,
}

#[derive(Clone)]
struct Compiled {
    patterns: Vec<Regex>,
    /// All the patterns as one set: one pass over a block tells which of
    /// them match at all, and only those are run for their matches.
    any: Option<RegexSet>,
}

static NEXT_LEXICON: AtomicUsize = AtomicUsize::new(0);

impl Lexicon {
    /// `triggers`: literals (ASCII case-insensitive), one of which every
    /// match of every pattern contains. `patterns`: regexes (write `(?i)`
    /// where case does not matter).
    pub fn new<S: AsRef<str>>(triggers: &[&str], patterns: &[S]) -> Lexicon {
        Lexicon {
            id: NEXT_LEXICON.fetch_add(1, Ordering::Relaxed),
            triggers: triggers.iter().map(|t| t.to_string()).collect(),
            prefilter: OnceLock::new(),
            sources: patterns.iter().map(|p| p.as_ref().to_string()).collect(),
            compiled: crate::rules::compiled::Slot::new(false),
        }
    }

    fn compiled(&self) -> Arc<Compiled> {
        self.compiled.get_or_build(|| Compiled {
            patterns: self
                .sources
                .iter()
                .map(|p| crate::rules::regex(p))
                .collect(),
            any: (self.sources.len() > 1).then(|| crate::rules::regex_set(&self.sources)),
        })
    }

    /// A lexicon of trigger literals only: a gate that tells, from the
    /// block's one trigger scan, whether a rule's own pattern (which needs
    /// one of `triggers`, ASCII case-insensitively) can match at all.
    pub fn gate(triggers: &[&str]) -> Lexicon {
        Lexicon::new(triggers, &[] as &[&str])
    }

    /// `cx`'s block `block` text when it holds a trigger literal, else the
    /// empty text: what a gated pattern should search.
    pub fn gated<'t>(&self, cx: &'t Context, block: usize) -> &'t str {
        if self.triggered_in(cx, block) {
            &cx.markup.blocks[block].text
        } else {
            ""
        }
    }

    /// The trigger literals, one of which every match holds.
    pub fn triggers(&self) -> &[String] {
        &self.triggers
    }

    /// Whether `text` holds any trigger literal.
    pub fn triggered(&self, text: &str) -> bool {
        self.prefilter
            .get_or_init(|| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(&self.triggers)
                    .expect("built-in trigger literals")
            })
            .is_match(text)
    }

    /// Whether block `block` of `cx` holds any trigger literal: answered
    /// from the block's one scan for every lexicon's triggers
    /// ([`TriggerIndex`]), not by a scan of this lexicon's own.
    pub fn triggered_in(&self, cx: &Context, block: usize) -> bool {
        cx.triggered(block, self.id)
            .unwrap_or_else(|| self.triggered(&cx.markup.blocks[block].text))
    }

    /// Every match (range in `text`) of every pattern, leftmost first,
    /// overlapping matches dropped.
    pub fn find(&self, text: &str) -> Vec<Range<usize>> {
        if !self.triggered(text) {
            return Vec::new();
        }
        self.find_triggered(text)
    }

    /// [`Lexicon::find`] in block `block` of `cx`.
    pub fn find_in(&self, cx: &Context, block: usize) -> Vec<Range<usize>> {
        if !self.triggered_in(cx, block) {
            return Vec::new();
        }
        self.find_triggered(&cx.markup.blocks[block].text)
    }

    /// [`Lexicon::find`] once the trigger literals are known to occur.
    fn find_triggered(&self, text: &str) -> Vec<Range<usize>> {
        let c = self.compiled();
        let which = c.any.as_ref().map(|any| any.matches(text));
        if which.as_ref().is_some_and(|w| !w.matched_any()) {
            return Vec::new();
        }
        let mut out: Vec<Range<usize>> = Vec::new();
        for (i, re) in c.patterns.iter().enumerate() {
            if which.as_ref().is_some_and(|w| !w.matched(i)) {
                continue;
            }
            for m in re.find_iter(text) {
                if m.start() < m.end() {
                    out.push(m.range());
                }
            }
        }
        out.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let mut kept: Vec<Range<usize>> = Vec::new();
        for r in out {
            if kept.last().is_some_and(|k| r.start < k.end) {
                continue;
            }
            kept.push(r);
        }
        kept
    }

    /// The matches in block `block` of `cx` that survive `guard`, as ranges
    /// in the block's text.
    pub fn matches(&self, cx: &Context, block: usize, guard: Guard) -> Vec<Range<usize>> {
        let b = &cx.markup.blocks[block];
        self.find_in(cx, block)
            .into_iter()
            .filter(|m| !guarded(b, m, guard))
            .collect()
    }

    /// [`Lexicon::matches`], less those whose sentence matches `unless`
    /// (an exception such as "declined" or "on my break").
    pub fn matches_unless(
        &self,
        cx: &Context,
        block: usize,
        guard: Guard,
        unless: &regex::Regex,
    ) -> Vec<Range<usize>> {
        let text = &cx.markup.blocks[block].text;
        self.matches(cx, block, guard)
            .into_iter()
            .filter(|m| !unless.is_match(&text[sentence(text, m)]))
            .collect()
    }
}

/// Every lexicon's trigger literals in one automaton, so that a block is
/// scanned once for all of them rather than once per rule.
/// [`crate::engine::Context`] keeps, per block, which lexicons it triggers.
#[derive(Clone)]
pub struct TriggerIndex {
    automaton: AhoCorasick,
    /// Per trigger pattern, the lexicon it belongs to.
    owner: Vec<usize>,
    /// Per lexicon id, whether the index holds its triggers.
    known: Vec<bool>,
}

impl TriggerIndex {
    pub fn new(lexicons: &[&Lexicon]) -> TriggerIndex {
        let mut pats: Vec<&str> = Vec::new();
        let mut owner = Vec::new();
        let n = lexicons.iter().map(|l| l.id + 1).max().unwrap_or(0);
        let mut known = vec![false; n];
        for l in lexicons {
            known[l.id] = true;
            for t in &l.triggers {
                pats.push(t);
                owner.push(l.id);
            }
        }
        TriggerIndex {
            // A full DFA: built once, and the scan costs a table lookup per
            // byte whatever the number of literals.
            automaton: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(&pats)
                .expect("built-in trigger literals"),
            owner,
            known,
        }
    }

    /// The built-in lexicons' index: built on first use, kept when the writer pauses (nearly
    /// every check scans with it), given back a minute after the last edit
    /// ([`crate::rules::compiled::release_everything`]: its automaton is ~1 MB).
    pub fn get() -> Arc<TriggerIndex> {
        static I: crate::rules::compiled::Reloadable<TriggerIndex> =
            crate::rules::compiled::Reloadable::kept(|| {
                TriggerIndex::new(&crate::rules::lexicons())
            });
        I.get()
    }

    /// Which lexicons `text` triggers: a bit set by lexicon id.
    pub fn scan(&self, text: &str) -> Vec<u64> {
        let mut bits = vec![0u64; self.known.len().div_ceil(64)];
        for m in self.automaton.find_overlapping_iter(text) {
            let id = self.owner[m.pattern().as_usize()];
            bits[id / 64] |= 1 << (id % 64);
        }
        bits
    }

    /// Whether `bits` (from [`TriggerIndex::scan`]) has lexicon `id`;
    /// `None` when the index does not hold that lexicon.
    pub fn has(&self, bits: &[u64], id: usize) -> Option<bool> {
        if !self.known.get(id).copied().unwrap_or(false) {
            return None;
        }
        Some(bits[id / 64] & (1 << (id % 64)) != 0)
    }
}

/// The sentence of `text` around `at`: from after the previous `.`, `!`,
/// `?` or newline (followed by a space or the end) to the next one.
pub fn sentence(text: &str, r: &Range<usize>) -> Range<usize> {
    let bytes = text.as_bytes();
    let mut start = r.start.min(text.len());
    while start > 0 {
        let c = bytes[start - 1];
        if c == b'\n'
            || (matches!(c, b'.' | b'!' | b'?')
                && bytes.get(start).is_none_or(|n| n.is_ascii_whitespace()))
        {
            break;
        }
        start -= 1;
    }
    let mut end = r.end.min(text.len());
    while end < bytes.len() {
        let c = bytes[end];
        if c == b'\n' {
            break;
        }
        end += 1;
        if matches!(c, b'.' | b'!' | b'?') && bytes.get(end).is_none_or(|n| n.is_ascii_whitespace())
        {
            break;
        }
    }
    while !text.is_char_boundary(start) {
        start += 1;
    }
    while start < r.start && bytes.get(start).is_some_and(|c| c.is_ascii_whitespace()) {
        start += 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

#[derive(Clone)]
struct GuardRes {
    negation: Regex,
    hypothetical: Regex,
    question: Regex,
    teaching: Regex,
    /// Idioms that hold a negation word but negate nothing: "can't
    /// believe", "not gonna lie", "no joke".
    idiom: Regex,
}

fn guard_res() -> std::sync::Arc<GuardRes> {
    static G: crate::rules::compiled::Reloadable<GuardRes> =
        crate::rules::compiled::Reloadable::kept(|| {
            let b = crate::rules::regex;
            GuardRes {
                negation: b(
                    r"(?i)\b(?:never|not|no|nobody|no\s+one|don['’]?t|do\s+not|didn['’]?t|did\s+not|won['’]?t|wouldn['’]?t|shouldn['’]?t|can['’]?t|cannot|mustn['’]?t|isn['’]?t|aren['’]?t|wasn['’]?t|avoid(?:s|ed|ing)?|refuse[ds]?|stop\s+people\s+from|without|instead\s+of|rather\s+than)\b",
                ),
                hypothetical: b(
                    r"(?i)\b(?:if|unless|would|what\s+if|imagine|suppose|supposing|hypothetically|whether|in\s+case|let['’]?s\s+say|pretend)\b",
                ),
                question: b(
                    r"(?i)^\W*(?:should|can|could|is|are|do|does|did|would|what|how|why|when|may|anyone|has|have)\b",
                ),
                idiom: b(
                    r"(?i)\b(?:(?:can['’]?t|cannot|couldn['’]?t)\s+(?:believe|wait|stop|help|even|say\s+(?:much|more|a\s+lot))|not\s+(?:gonna|going\s+to)\s+lie|no\s+(?:joke|lie|kidding|cap)|not\s+only|no\s+sleep|not\s+even\s+kidding)\b",
                ),
                teaching: b(
                    r"(?i)\b(?:polic(?:y|ies)|(?:social[\s-]media|our|hospital|employer|HIPAA)\s+guidelines?|per\s+(?:the\s+)?guidelines?|the\s+guidelines?\s+(?:says?|asks?|forbids?|requires?|tells?)|rule\s+of\s+thumb|reminder|PSA|pro[\s-]tip|tips?:|best\s+practices?|code\s+of\s+conduct|compliance|orientation|training\s+(?:module|slide)|the\s+rules?\s+(?:say|says|is|are)|our\s+rules?|boundar(?:y|ies)|professionalism|etiquette|hipaa|red\s+flags?|examples?\s+of|things\s+not\s+to|what\s+not\s+to)\b",
                ),
            }
        });
    G.get()
}

/// Whether the match `m` (range in the block's text) is negated,
/// hypothetical, asked about, quoted or part of teaching, as `guard` allows.
pub fn guarded(b: &Block, m: &Range<usize>, guard: Guard) -> bool {
    let text = &b.text;
    let s = sentence(text, m);
    let sent = &text[s.clone()];
    let before = &text[s.start..m.start.max(s.start)];
    let g = guard_res();
    if guard.negation && g.negation.is_match(&g.idiom.replace_all(before, " ")) {
        return true;
    }
    if guard.hypothetical
        && (g.hypothetical.is_match(before)
            || (sent.trim_end().ends_with('?') && g.question.is_match(sent)))
    {
        return true;
    }
    if guard.teaching && (b.quoted || g.teaching.is_match(sent) || inside_quotes(before)) {
        return true;
    }
    false
}

/// Whether the end of `before` lies inside quotation marks opened in it: double quotes, or a
/// single quote opened after a space or bracket, before a word or the match ("everyone who has
/// typed 'drug seeker' in a note"), where an apostrophe inside a word ("it's"), after one
/// ("nurses' station") or before a number ("the '90s") is none.
fn inside_quotes(before: &str) -> bool {
    let open = before.matches('“').count();
    let close = before.matches('”').count();
    if open > close || before.matches('"').count() % 2 == 1 {
        return true;
    }
    let mut single = false;
    let mut prev: Option<char> = None;
    let mut chars = before.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '\'' | '‘' | '’') {
            let next = chars.peek().copied();
            let opens = prev.is_none_or(|p| p.is_whitespace() || "([{/-—".contains(p))
                && next.is_none_or(char::is_alphabetic);
            if opens && c != '’' {
                single = true;
            } else if single
                && prev.is_some_and(|p| !p.is_whitespace())
                && !next.is_some_and(char::is_alphanumeric)
            {
                single = false;
            }
        }
        prev = Some(c);
    }
    single
}

/// Pushes a finding of `meta` with `message` for every match of `lex` in
/// `block` that survives `guard`.
pub fn scan(
    cx: &Context,
    block: usize,
    lex: &Lexicon,
    guard: Guard,
    meta: &'static crate::engine::RuleMeta,
    message: &str,
    out: &mut Vec<crate::engine::Finding>,
) {
    for m in lex.matches(cx, block, guard) {
        out.push(crate::engine::Finding::new(
            meta,
            source(cx, block, m),
            message,
        ));
    }
}

/// An institution's name, for patterns that need one: the built-in
/// institutions' names and acronyms (case-exact), or a capitalised name
/// ending in Clinic, Hospital, Health, Medical Center, University…, or "the
/// hospital", "the clinic", "the university".
pub const INSTITUTION: &str = r"(?:(?:the\s+)?(?-i:Mayo\s+Clinic|Mayo|Saint\s+Marys|Mass\s+General(?:\s+Brigham)?|Massachusetts\s+General(?:\s+Hospital)?|MGH|MGB|Memorial\s+Sloan[\s-]Kettering|Sloan[\s-]Kettering|MSKCC|MSK|University\s+of\s+Minnesota|UMN|U\s+of\s+M|M\s+Health\s+Fairview|(?:[A-Z][\w'’.&-]*\s+){1,4}(?:Clinic|Hospital|Health|Medical\s+Center|University|Institute|Cancer\s+Center|General))|the\s+(?:hospital|clinic|university|institution|health\s+system|medical\s+center|cancer\s+center|organi[sz]ation))";

/// Literals one of which every match of [`INSTITUTION`] holds (ASCII
/// case-insensitively), but for "U of M", whose spaces can be any white
/// space: [`institution_possible`] looks for that one apart.
const INSTITUTION_WORDS: &[&str] = &[
    "mayo",
    "saint",
    "general",
    "mgh",
    "mgb",
    "sloan",
    "msk",
    "universit",
    "umn",
    "fairview",
    "clinic",
    "hospital",
    "health",
    "medical",
    "institut",
    "cancer",
    "organi",
];

/// The gate of [`INSTITUTION`], in the block's one trigger scan.
pub(crate) fn institution_gate() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| Lexicon::gate(INSTITUTION_WORDS))
}

/// Whether block `block` of `cx` can hold a match of [`INSTITUTION`]: a
/// pattern that needs one is not worth running on a block that has none
/// (most blocks of a long draft).
pub fn institution_possible(cx: &Context, block: usize) -> bool {
    institution_gate().triggered_in(cx, block) || u_of_m().is_match(&cx.markup.blocks[block].text)
}

fn u_of_m() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex =
        crate::rules::compiled::LazyRegex::new(r"U\s+of\s+M");
    R.get()
}

/// The range of text to underline in the source for a block-text range.
pub fn source(cx: &Context, block: usize, r: Range<usize>) -> Range<usize> {
    cx.markup.blocks[block].source_range(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_on_terminal_punctuation() {
        let t = "First one. Second one here! Third?";
        let i = t.find("one here").unwrap();
        assert_eq!(&t[sentence(t, &(i..i + 3))], "Second one here!");
        let i = t.find("Third").unwrap();
        assert_eq!(&t[sentence(t, &(i..i + 5))], "Third?");
    }

    #[test]
    fn a_single_quote_opened_before_a_word_is_a_quotation_and_an_apostrophe_is_not() {
        for inside in [
            "who has typed '",
            "the ‘",
            "she said \"",
            "it's what they call a '",
        ] {
            assert!(inside_quotes(inside), "{inside}");
        }
        for outside in [
            "It's the same ",
            "the nurses' station has a ",
            "typed 'drug seeker' in a note, and the ",
            "the ‘gomer’ jokes about the ",
            "rock 'n' roll ",
            "back in the '90s we called them ",
        ] {
            assert!(!inside_quotes(outside), "{outside}");
        }
    }

    /// The gate lets through every form of institution name the pattern
    /// knows, or the rules that need one would miss it.
    #[test]
    fn every_institution_form_passes_the_gate() {
        let re = crate::rules::regex(&format!("(?i){INSTITUTION}"));
        for t in [
            "Mayo Clinic",
            "Mayo",
            "Saint Marys",
            "Mass General Brigham",
            "Massachusetts General Hospital",
            "MGH",
            "MGB",
            "Memorial Sloan-Kettering",
            "Sloan Kettering",
            "MSKCC",
            "MSK",
            "University of Minnesota",
            "UMN",
            "U of M",
            "U\tof\nM",
            "M Health Fairview",
            "St. Jude Children's Research Hospital",
            "Hennepin Healthcare",
            "Johns Hopkins Medical\nCenter",
            "Scripps Institute",
            "Dana-Farber Cancer Center",
            "Tufts General",
            "Lakeside Clinic",
            "Northwestern University",
            "the hospital",
            "the clinic",
            "the university",
            "the institution",
            "the health system",
            "the medical center",
            "the cancer center",
            "the organisation",
            "the organization",
        ] {
            assert!(re.is_match(t), "{t:?} is not an institution to the pattern");
            assert!(
                institution_gate().triggered(t) || u_of_m().is_match(t),
                "{t:?} does not pass the gate"
            );
        }
    }

    /// Patterns compile on first use; every built-in one compiles.
    #[test]
    fn every_lexicon_compiles() {
        for l in crate::rules::lexicons() {
            assert_eq!(l.compiled().patterns.len(), l.sources.len());
        }
    }

    #[test]
    fn lexicon_needs_a_trigger() {
        let l = Lexicon::new(&["cath lab"], &[r"(?i)\bpic\s+from\s+the\s+cath\s+lab\b"]);
        assert_eq!(l.find("pic from the cath lab"), vec![0..21]);
        assert!(l.find("pic from the beach").is_empty());
    }
}
