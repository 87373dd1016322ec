//! The engine's side of the sentence model: which texts are judged, and how verdicts become
//! findings. The model itself is behind the [`Judge`] trait (implemented by `crate::model`), so
//! the engine stays a pure function of its inputs and can be tested with any judge.
//!
//! Units: every sentence of a prose block, and every window of up to [`Judge::window`] consecutive
//! sentences (a story's patient is often in one sentence and their details in the next; the shipped
//! model reads windows of two). A unit's score for a head is a weighted geometric mean of the
//! model's score for the unit and for its whole block, `unit^(1-w) · block^w` with `w` the judge's
//! [`Judge::block_weight`] (the paragraph's context is what tells a novel's scene or a teaching
//! case from a real patient's story, and a sentence alone is too short to tell much). A head's
//! finding is the smallest unit whose score reaches the head's threshold (calibrated on the dev
//! split, moved by the `[judgement] sensitivity` setting); for a head that reads whole blocks
//! ([`Head::block`]: the patient-story head), a block none of whose units reaches the threshold
//! is the finding when its own score does. Overlapping units of one rule become one finding. A
//! finding a rule or an earlier head of the same rule already made at that place is not made
//! twice. The `disclaimer` head does not make findings: a unit it recognises as a personal-views
//! disclaimer, in any wording, clears `disclaimer/missing`.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use regex::Regex;

use serde::Serialize;

use crate::engine::{Context, Finding};
use crate::rules::disclaimer_missing::INSIDER;

/// One head of the model: the label it recognises and the rule its findings belong to.
#[derive(Clone, Debug)]
pub struct Head {
    pub name: String,
    /// The rule a positive unit becomes a finding of (`None`: the head informs a rule instead).
    pub rule: Option<String>,
    /// Whether the head makes findings at all (a head that did not reach the target precision on
    /// the dev split is shipped off).
    pub enabled: bool,
    /// The score from which a unit is positive (calibrated on the dev split for precision).
    pub threshold: f32,
    /// Whether a whole block may be the finding: where none of its units reaches the threshold
    /// but the block's own score does. A story about one patient is often told across a
    /// paragraph, no sentence or window of which says it alone.
    pub block: bool,
}

/// A sentence model: scores texts for each of its heads.
pub trait Judge: Send + Sync {
    fn heads(&self) -> &[Head];
    /// Units of fewer words are not judged (too little to go on: a title, "Mrs.").
    fn min_words(&self) -> usize {
        4
    }
    /// Windows of up to this many consecutive sentences (1–3) are judged besides each sentence.
    fn window(&self) -> usize {
        3
    }
    /// How much a unit's score owes to its block's: `unit^(1-w) · block^w`, `w` in (0, 1] (0.5:
    /// the geometric mean of the two).
    fn block_weight(&self) -> f32 {
        0.5
    }
    /// Scores (0–1, one per head in [`Judge::heads`] order) of texts made of consecutive
    /// sentences: each unit is a range of indices into `sentences`, and stands for those
    /// sentences read together (a window, a paragraph). A judge may so work per sentence and
    /// combine, rather than read a paragraph's sentences once for every window they are in.
    fn scores(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<Arc<[f32]>>;
    /// Whether each unit's scores are at hand already (a cache), so that asking costs nothing.
    fn known(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<bool> {
        let _ = sentences;
        vec![false; units.len()]
    }
}

/// A judge that stops judging once `stop` says so: the units are scored in chunks of [`CHUNK`]
/// new ones (those the judge does not know yet), and after `stop` turns true only what the judge
/// knows already ([`Judge::known`]: its verdict cache) is answered, the rest "not judged" (no
/// scores: no finding, and a block that is not judged is closed). For the server's judgement of a
/// long draft off the check thread, which a newer version, or a writer who stopped typing, should
/// not wait for (what it judged before stopping stays in the model's verdict cache); and, with a
/// `stop` that is true from the start, for the publish after such a reading, which shows the
/// findings of what was judged and judges nothing.
pub struct Stoppable<'a> {
    pub judge: &'a dyn Judge,
    pub stop: &'a (dyn Fn() -> bool + Sync),
}

/// Units a [`Stoppable`] judge scores between two looks at `stop` (a fraction of a second).
pub const CHUNK: usize = 32;

impl Judge for Stoppable<'_> {
    fn heads(&self) -> &[Head] {
        self.judge.heads()
    }
    fn min_words(&self) -> usize {
        self.judge.min_words()
    }
    fn window(&self) -> usize {
        self.judge.window()
    }
    fn block_weight(&self) -> f32 {
        self.judge.block_weight()
    }
    fn known(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<bool> {
        self.judge.known(sentences, units)
    }
    fn scores(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<Arc<[f32]>> {
        // Chunks of up to CHUNK units the judge does not know yet (with the known ones between
        // them, which cost nothing): a keystroke's few new units stay one batch.
        let known = self.judge.known(sentences, units);
        let known = |i: usize| known.get(i).copied().unwrap_or(false);
        let mut out = Vec::with_capacity(units.len());
        let mut start = 0;
        while start < units.len() && !(self.stop)() {
            let (mut end, mut new) = (start, 0);
            while end < units.len() && (new < CHUNK || known(end)) {
                new += usize::from(!known(end));
                end += 1;
            }
            out.extend(self.judge.scores(sentences, &units[start..end]));
            start = end;
        }
        // Stopped: what the judge knows, and "not judged" for the rest.
        let rest: Vec<Range<usize>> = (start..units.len())
            .filter(|&i| known(i))
            .map(|i| units[i].clone())
            .collect();
        let mut cached = self.judge.scores(sentences, &rest).into_iter();
        out.extend((start..units.len()).map(|i| {
            known(i)
                .then(|| cached.next())
                .flatten()
                .unwrap_or_else(|| Arc::from(Vec::new()))
        }));
        out
    }
}

/// What the model judged a finding's text to be, and how sure it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    /// The head ("patient-story", "hostility", …).
    pub label: String,
    /// The score, in thousandths.
    pub confidence: u16,
}

impl Judged {
    pub fn confidence(&self) -> f32 {
        f32::from(self.confidence) / 1000.0
    }

    /// "a story about a specific patient (confidence 0.87)".
    pub fn describe(&self) -> String {
        format!(
            "{} (confidence {:.2})",
            crate::model::describe(&self.label),
            self.confidence()
        )
    }
}

impl Serialize for Judged {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Judged", 2)?;
        st.serialize_field("label", &self.label)?;
        st.serialize_field("confidence", &(f64::from(self.confidence) / 1000.0))?;
        st.end()
    }
}

/// The block score from which a unit of the block can reach `threshold`: a unit scores
/// `unit^(1-w) · block^w` with each at most 1, so below `threshold^(1/w)` none can.
pub fn opens_at(threshold: f32, block_weight: f32) -> f32 {
    threshold
        .max(0.0)
        .powf(1.0 / block_weight.clamp(f32::MIN_POSITIVE, 1.0))
}

/// The head whose positive units clear `disclaimer/missing`.
pub const DISCLAIMER_HEAD: &str = "disclaimer";

/// The score a unit must reach on its own, not only weighed with its block, for the disclaimer
/// head to read it as a disclaimer (`DISCLAIMER_OWN_FLOOR` in `model/train.py`). A personal-views
/// disclaimer is said in a sentence or two, not implied by a paragraph: the encoder retrained in
/// session 27 scored a paragraph of "As a nurse at Mayo Clinic, I write this." and the same filler
/// line again and again 0.988 as a disclaimer, and so the window of its first two sentences
/// (0.045 on its own) reached the threshold (`tests/stress.rs`).
pub const DISCLAIMER_OWN_FLOOR: f32 = 0.5;

/// The head whose positive units are a patient's story, `phi/patient-story`.
pub const STORY_HEAD: &str = "patient-story";

/// Words of a draft's opening that [`declares_invented`] reads.
const OPENING_WORDS: usize = 40;

/// Whether the draft opens by saying that what it tells is invented: fiction, a composite or
/// hypothetical case, a made-up patient ("Fiction. Every character below is invented.", "A case I
/// use with interns. It's hypothetical."). Corpus LABELS.md counts such a post no patient's story,
/// and the story head is then not asked: the model reads one paragraph at a time, so a
/// declaration in the first paragraph does not reach the story's. Read in the first paragraph or
/// heading, its first [`OPENING_WORDS`] words; not when it says the opposite ("not fiction",
/// "based on a real patient", "I wish this were made up"). A declaration after the story declares
/// nothing. 355 of the 29,475 training posts and 46 of the 2,040 calibration posts open that
/// way, none of them a patient's story (`declares_invented` in `model/train.py`, the same
/// patterns; "By the time I made it up to the floor" was the one story an earlier draft of
/// them took for one).
fn declares_invented(cx: &Context) -> bool {
    use crate::markup::BlockKind;
    static INVENTED: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (invented, not_invented) = INVENTED.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("valid pattern");
        (re(INVENTED_PATTERN), re(NOT_INVENTED_PATTERN))
    });
    let Some(first) = cx
        .markup
        .blocks
        .iter()
        .find(|b| matches!(b.kind, BlockKind::Paragraph | BlockKind::Heading(_)))
    else {
        return false;
    };
    let end = first
        .text
        .split_whitespace()
        .nth(OPENING_WORDS - 1)
        .map_or(first.text.len(), |w| {
            w.as_ptr() as usize - first.text.as_ptr() as usize + w.len()
        });
    let opening = &first.text[..end];
    invented.is_match(opening) && !not_invented.is_match(opening)
}

/// What says a draft's story is invented (`INVENTED` in `model/train.py`).
const INVENTED_PATTERN: &str = r"(?ix)
  \bfiction(?:al)?\b
| \b(?:all|every(?:thing|one|body)?|each)\b(?:\s+(?:of\s+)?(?:it|this|them|these|the|in\s+(?:it|this|here)))*(?:\s+(?:characters?|names?|details?|events?|people|persons?|patients?|calls?|cases?|stories|story|words?|parts?))?[\s,]+(?:(?:below|here|in\s+(?:it|this|here)|is|are|was|were|has|have|been|totally|entirely|completely|wholly|of\s+it)\s+){0,4}(?:invented|made[\x20-]up|fictional|imaginary|fabricated)\b
| \b(?:nobody|no\s+one|none\s+of\s+(?:it|this|them|these))\b(?:\s+(?:in|of)\s+(?:it|this|here|them))?\s+(?:is|are|was|were)\s+real\b
| \b(?:totally|entirely|completely|wholly)\s+(?:made[\x20-]up|invented|fictional|imaginary)\b
| \b(?:a|is|are|as)\s+composite\b | \bcomposite\s+(?:case|patient|character|sketch|of)\b
| \bhypothetical(?:ly)?\b
| \b(?:made[\x20-]up|invented|imaginary)\s+(?:patient|case|scenario|story|character)s?\b
| \bI\s+made\s+(?:him|her|them|this|this\s+one|the\s+whole\s+thing)\s+up\b | \bI\s+made\s+it\s+all\s+up\b
| \b(?:writing|fiction)\s+prompt\b
";

/// What says it is not (`NOT_INVENTED` in `model/train.py`).
const NOT_INVENTED_PATTERN: &str = r"(?ix)
  \bnon-?fiction\b
| \b(?:not|isn't|isn’t|wasn't|wasn’t|aren't|aren’t|weren't|weren’t|never)\s+(?:a\s+|an\s+|some\s+)?(?:fiction|fictional|hypothetical|composite|made[\x20-]up|invented)\b
| \b(?:like|than)\s+(?:\w+\s+)?fiction\b
| \bwish\b[^.!?\n]{0,40}\b(?:fiction|made[\x20-]up|invented)\b
| \b(?:true|real)\s+story\b | \bbased\s+on\b | \binspired\s+by\b
";

/// A unit: a byte range of block `block`'s text, and the sentences it spans.
struct Unit {
    block: usize,
    /// Bytes of the block's text.
    range: Range<usize>,
    sentences: usize,
    /// Indices into the check's list of sentences.
    members: Range<usize>,
}

/// Words: maximal runs of letters and digits (as `\\w+` counts them in training).
fn words(text: &str) -> usize {
    let mut n = 0;
    let mut inside = false;
    for c in text.chars() {
        let w = c.is_alphanumeric() || c == '_';
        if w && !inside {
            n += 1;
        }
        inside = w;
    }
    n
}

/// A judged block: what the model reads as one block (a block, or lead-ins with what they
/// introduce), as ranges of the check's sentences.
struct Read {
    /// All its sentences.
    sentences: Range<usize>,
    /// The markup block where what the lead-ins introduce begins (the first block if none), and
    /// its first sentence: a finding of the whole judged block is reported from there.
    body_block: usize,
    body: usize,
}

/// What [`units`] returns: the units, the sentences, the judged blocks, and the judged block each
/// markup block is part of (if that holds a unit).
type Units = (
    Vec<Unit>,
    Vec<(usize, Range<usize>)>,
    Vec<Read>,
    Vec<Option<usize>>,
);

/// Words a run of lead-ins may have: the model reads a judged block's first `maxlen` tokens, and
/// a longer run would leave what it introduces out.
const LEAD_IN_WORDS: usize = 40;

/// A lead-in: a paragraph or heading that ends with a colon introduces the block after it
/// ("Short fiction, everything invented:", "A composite teaching case, not any one patient:"),
/// which is read with it. Not an emoji shortcode (":tada:").
fn lead_in(block: &crate::markup::Block) -> bool {
    use crate::markup::BlockKind;
    if !matches!(block.kind, BlockKind::Paragraph | BlockKind::Heading(_)) {
        return false;
    }
    let Some(body) = block.text.trim_end().strip_suffix(':') else {
        return false;
    };
    let shortcode = body.rsplit_once(':').is_some_and(|(_, name)| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_+-".contains(c))
    });
    !shortcode
}

/// Whether only whitespace and block markup (list and quote markers, heading and emphasis marks)
/// lies between blocks `a` and `a + 1` in the source: no code block, picture or rule between them.
fn adjacent(cx: &Context, a: usize) -> bool {
    let (x, y) = (&cx.markup.blocks[a], &cx.markup.blocks[a + 1]);
    let end = x.source_range(0..x.text.len()).end;
    let start = y.source_range(0..y.text.len()).start;
    cx.text.get(end..start).is_some_and(|gap| {
        gap.chars()
            .all(|c| c.is_whitespace() || c.is_ascii_digit() || "-*+>#.)_=~".contains(c))
    })
}

/// The units to judge, and every sentence of the blocks that hold one (`sentences`, as byte
/// ranges of their block: the units' members index it). The model reads a block as a whole too,
/// and a run of lead-ins with the block it introduces (a list's items all together): `judged[j]`
/// is judged block `j`, and `judged_in[b]` the judged block that markup block `b` is part of, if
/// that holds a unit. Units never span blocks.
fn units(cx: &Context, min_words: usize, window: usize) -> Units {
    use crate::markup::BlockKind;
    let blocks = &cx.markup.blocks;
    let n = blocks.len();
    let mut out = Vec::new();
    let mut sentences = Vec::new();
    let mut judged = Vec::new();
    let mut judged_in = vec![None; n];
    let mut start = 0;
    while start < n {
        // A run of adjacent lead-ins and the block after it; a list after them, all its items.
        let mut end = start;
        let mut lead_words = 0;
        while end + 1 < n && lead_in(&blocks[end]) && adjacent(cx, end) {
            lead_words += words(&blocks[end].text);
            if lead_words > LEAD_IN_WORDS {
                break;
            }
            end += 1;
        }
        // Where what the lead-ins introduce begins (the block itself when there are none).
        let body_block = end;
        if end > start && blocks[end].kind == BlockKind::ListItem {
            while end + 1 < n && blocks[end + 1].kind == BlockKind::ListItem && adjacent(cx, end) {
                end += 1;
            }
        }
        let first = sentences.len();
        let before = out.len();
        let mut body = first;
        for (b, block) in blocks.iter().enumerate().take(end + 1).skip(start) {
            let text = &block.text;
            let s = cx.sentences(b);
            // Words per sentence, counted once: a window's is their sum (sentences are apart).
            let n_words: Vec<usize> = s
                .iter()
                .map(|r| text.get(r.clone()).map_or(0, words))
                .collect();
            let at = sentences.len();
            if b == body_block {
                body = at;
            }
            for i in 0..s.len() {
                for w in 1..=window.clamp(1, 3).min(i + 1) {
                    if n_words[i + 1 - w..=i].iter().sum::<usize>() >= min_words {
                        out.push(Unit {
                            block: b,
                            range: s[i + 1 - w].start..s[i].end,
                            sentences: w,
                            members: at + i + 1 - w..at + i + 1,
                        });
                    }
                }
            }
            sentences.extend(s.iter().map(|r| (b, r.clone())));
        }
        if out.len() > before {
            for j in &mut judged_in[start..=end] {
                *j = Some(judged.len());
            }
            judged.push(Read {
                sentences: first..sentences.len(),
                body_block,
                body,
            });
        } else {
            sentences.truncate(first);
        }
        start = end + 1;
    }
    (out, sentences, judged, judged_in)
}

/// Adds the model's findings to `out` (the rules' findings of the same check) and takes out a
/// `disclaimer/missing` the model sees answered. `enabled(rule)`: the rule runs in this check.
pub(crate) fn apply(
    cx: &Context,
    judge: &dyn Judge,
    out: &mut Vec<Finding>,
    enabled: &dyn Fn(&str) -> bool,
    finish: &dyn Fn(&mut Finding),
) {
    let settings = &cx.settings().judgement;
    let heads = judge.heads();
    // Which heads can say anything here.
    let live: Vec<(usize, f32)> = heads
        .iter()
        .enumerate()
        .filter(|(_, h)| h.enabled)
        .filter(|(_, h)| h.name != STORY_HEAD || !declares_invented(cx))
        .filter_map(|(i, h)| {
            let rule = match &h.rule {
                Some(r) => r.as_str(),
                None if h.name == DISCLAIMER_HEAD => "disclaimer/missing",
                None => return None,
            };
            if !enabled(rule) {
                return None;
            }
            let t = settings.sensitivity(rule).threshold(h.threshold);
            t.is_finite().then_some((i, t))
        })
        .collect();
    if live.is_empty() {
        return;
    }
    let disclaimer_live = live.iter().any(|&(i, _)| heads[i].name == DISCLAIMER_HEAD);
    let rules_missing = out.iter().any(|f| f.rule == "disclaimer/missing");
    // The model's findings may show an insider's tie to an institution the post names
    // (`disclaimer_missing::insider_tie`), which the disclaimer head must then see answered.
    let may_tie = disclaimer_live
        && !rules_missing
        && crate::rules::disclaimer_missing::named(cx).is_some()
        && !crate::rules::disclaimers::has_disclaimer(cx);
    let wants_disclaimer = disclaimer_live && (rules_missing || may_tie);
    if live.iter().all(|&(i, _)| heads[i].name == DISCLAIMER_HEAD) && !wants_disclaimer {
        return;
    }
    let (units, sentences, judged, judged_in) = units(cx, judge.min_words(), judge.window());
    let texts: Vec<&str> = sentences
        .iter()
        .map(|(b, r)| cx.markup.blocks[*b].text.get(r.clone()).unwrap_or(""))
        .collect();
    // Each unit, then each judged block (a block that holds one, with its lead-ins: its whole
    // text); `ranges[units.len() + j]` is judged block `j`, and `jb[u]` unit `u`'s judged block.
    let mut ranges: Vec<Range<usize>> = units.iter().map(|u| u.members.clone()).collect();
    ranges.extend(judged.iter().map(|r| r.sentences.clone()));
    let jb: Vec<usize> = units
        .iter()
        .map(|u| judged_in[u.block].unwrap_or_default())
        .collect();
    let block_at = |j: usize| units.len() + j;
    // The heads whose scores can change the outcome, with their thresholds.
    let useful: Vec<(usize, f32)> = live
        .iter()
        .copied()
        .filter(|&(i, _)| heads[i].name != DISCLAIMER_HEAD || wants_disclaimer)
        .collect();
    let w = judge.block_weight().clamp(f32::MIN_POSITIVE, 1.0);
    // The block score from which a unit of the block can reach each useful head's threshold.
    let opens: Vec<(usize, f32)> = useful.iter().map(|&(i, t)| (i, opens_at(t, w))).collect();
    // Every block first (a draft opened: all of them; a keystroke: the edited one), then only
    // the units of blocks that could hold a finding: a unit's score is `unit^(1-w) · block^w`
    // (each at most 1), so in a block whose score for every head is below that head's threshold
    // to the power 1/w (its square for the geometric mean; [`opens_at`]) no unit can reach a
    // threshold, and the findings are the same as judging every unit. Most blocks are closed. A
    // new block one of whose units the judge knows already to score that high on its own (a
    // keystroke in a paragraph that holds a finding) is likely open: its new units are judged
    // with it, in the same batch, rather than in a second batch after it.
    // Only the new blocks' units are looked up (a keystroke: one block's, not the draft's).
    let new_block: Vec<bool> = judge
        .known(&texts, &ranges[units.len()..])
        .into_iter()
        .map(|k| !k)
        .collect();
    let mut all: Vec<Option<Arc<[f32]>>> = vec![None; ranges.len()];
    let in_new: Vec<usize> = (0..units.len()).filter(|&u| new_block[jb[u]]).collect();
    let in_new_ranges: Vec<Range<usize>> = in_new.iter().map(|&u| ranges[u].clone()).collect();
    let hints: Vec<usize> = in_new
        .into_iter()
        .zip(judge.known(&texts, &in_new_ranges))
        .filter_map(|(u, k)| k.then_some(u))
        .collect();
    let hint_ranges: Vec<Range<usize>> = hints.iter().map(|&u| ranges[u].clone()).collect();
    let mut likely_open = vec![false; judged.len()];
    for (u, s) in hints.into_iter().zip(judge.scores(&texts, &hint_ranges)) {
        if opens
            .iter()
            .any(|&(i, t)| s.get(i).is_some_and(|&x| x >= t))
        {
            likely_open[jb[u]] = true;
        }
        all[u] = Some(s);
    }
    let mut first: Vec<usize> = (units.len()..ranges.len()).collect(); // the blocks
    first.extend((0..units.len()).filter(|&u| all[u].is_none() && likely_open[jb[u]]));
    let first_ranges: Vec<Range<usize>> = first.iter().map(|&i| ranges[i].clone()).collect();
    for (i, s) in first.into_iter().zip(judge.scores(&texts, &first_ranges)) {
        all[i] = Some(s);
    }
    // A block can hold a finding if some head's score reaches its threshold to the power 1/w; only
    // those blocks' units are asked for (from the cache, mostly, once a draft was judged).
    let open: Vec<bool> = (0..judged.len())
        .map(|j| {
            all[block_at(j)].as_ref().is_some_and(|s| {
                opens
                    .iter()
                    .any(|&(i, t)| s.get(i).is_some_and(|&x| x >= t))
            })
        })
        .collect();
    let then: Vec<usize> = (0..units.len())
        .filter(|&u| all[u].is_none() && open[jb[u]])
        .collect();
    let then_ranges: Vec<Range<usize>> = then.iter().map(|&u| ranges[u].clone()).collect();
    for (u, s) in then.into_iter().zip(judge.scores(&texts, &then_ranges)) {
        all[u] = Some(s);
    }
    // A unit of a closed block scores nothing, even if it was judged (known, or speculatively).
    for u in 0..units.len() {
        if !open[jb[u]] {
            all[u] = None;
        }
    }
    // A unit not judged (its block can hold no finding) scores nothing.
    let scores: Vec<Vec<f32>> = (0..units.len())
        .map(|u| match (&all[u], &all[block_at(jb[u])]) {
            (Some(s), Some(b)) => s
                .iter()
                .zip(b.iter())
                .map(|(x, y)| x.max(0.0).powf(1.0 - w) * y.max(0.0).powf(w))
                .collect(),
            _ => vec![0.0; heads.len()],
        })
        .collect();
    let mut made: Vec<Finding> = Vec::new();
    let mut disclaimed = false;
    for &(h, threshold) in &live {
        let head = &heads[h];
        let Some(rule) = head.rule.as_deref() else {
            // A disclaimer is said in the unit itself: its own score must reach
            // DISCLAIMER_OWN_FLOOR too, whatever its block's context adds.
            let said = |u: usize| {
                all[u]
                    .as_ref()
                    .and_then(|s| s.get(h))
                    .is_some_and(|&x| x >= DISCLAIMER_OWN_FLOOR)
            };
            if head.name == DISCLAIMER_HEAD
                && wants_disclaimer
                && scores
                    .iter()
                    .enumerate()
                    .any(|(u, s)| s.get(h).is_some_and(|&x| x >= threshold) && said(u))
            {
                disclaimed = true;
                out.retain(|f| f.rule != "disclaimer/missing");
            }
            continue;
        };
        let Some(meta) = crate::rules::find(rule).map(|r| r.meta()) else {
            continue;
        };
        // Positive units, smallest first: a window is reported only where none of its sentences is.
        let mut hits: Vec<(usize, Range<usize>, f32)> = Vec::new(); // block, text range, score
        for w in 1..=3 {
            for (u, s) in units.iter().zip(&scores) {
                let Some(&score) = s.get(h) else { continue };
                if u.sentences != w || score < threshold {
                    continue;
                }
                let covered = hits.iter().any(|(b, r, _)| {
                    *b == u.block && r.start >= u.range.start && r.end <= u.range.end
                });
                if !covered {
                    hits.push((u.block, u.range.clone(), score));
                }
            }
        }
        // In the source, for the findings: a unit's bytes of its block, or a judged block's
        // sentences from the first block of it to the last.
        let source = |b: usize, r: &Range<usize>| cx.markup.blocks[b].source_range(r.clone());
        let mut found: Vec<(Range<usize>, f32)> =
            hits.iter().map(|(b, r, s)| (source(*b, r), *s)).collect();
        // Then a judged block none of whose units is a hit, for a head that reads whole blocks,
        // reported over what its lead-ins introduce (where a suppression comment before that
        // paragraph applies); a hit in a lead-in does not stand for it.
        if head.block {
            for (j, read) in judged.iter().enumerate() {
                let body = read.body..read.sentences.end;
                if body.is_empty()
                    || hits
                        .iter()
                        .any(|(hb, _, _)| *hb >= read.body_block && judged_in[*hb] == Some(j))
                {
                    continue;
                }
                let Some(&score) = all[block_at(j)].as_ref().and_then(|s| s.get(h)) else {
                    continue;
                };
                if score >= threshold {
                    let (first, last) = (&sentences[body.start], &sentences[body.end - 1]);
                    let start = source(first.0, &first.1).start;
                    let end = source(last.0, &last.1).end;
                    found.push((start..end.max(start), score));
                }
            }
        }
        // Overlapping hits of one rule become one.
        found.sort_by_key(|(r, _)| (r.start, r.end));
        let mut merged: Vec<(Range<usize>, f32)> = Vec::new();
        for (r, s) in found {
            match merged.last_mut() {
                Some((mr, ms)) if r.start < mr.end => {
                    mr.end = mr.end.max(r.end);
                    *ms = ms.max(s);
                }
                _ => merged.push((r, s)),
            }
        }
        // Not where a rule, or an earlier head of the same rule, already flagged (the hostility
        // and unprofessional heads both feed `professionalism/unprofessional-language`).
        for (range, score) in merged {
            if out
                .iter()
                .chain(&made)
                .any(|f| f.rule == rule && f.range.start < range.end && range.start < f.range.end)
            {
                continue;
            }
            let judged = Judged {
                label: head.name.clone(),
                confidence: (score.clamp(0.0, 1.0) * 1000.0).round() as u16,
            };
            let mut f = Finding::new(
                meta,
                range,
                format!("{} Judged to be {}.", meta.summary, judged.describe()),
            );
            f.judged = Some(judged);
            finish(&mut f);
            made.push(f);
        }
    }
    // Speaking for a named institution, sharing its unreleased news or lending its name, as
    // the model judged it, shows the writer is one of it: a disclaimer is then due.
    if may_tie && !disclaimed {
        if let Some(tie) = crate::rules::disclaimer_missing::insider_tie(cx, &made) {
            let why = made
                .iter()
                .find(|f| INSIDER.contains(&f.category()))
                .and_then(|f| f.judged.clone());
            let mut f = crate::rules::disclaimer_missing::finding(cx, &tie);
            if let Some(j) = why {
                f.message = format!(
                    "{} Part of it was judged to be {}.",
                    f.message,
                    j.describe()
                );
                f.judged = Some(j);
            }
            finish(&mut f);
            made.push(f);
        }
    }
    out.extend(made);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Sensitivity, Settings};
    use crate::engine::Checker;
    use crate::markup::Format;

    /// A judge that recognises marker words: "story" → the patient-story head (unless "invented"
    /// is read with it), "alpha" and
    /// "omega" together → the medical-advice head, "mine-alone" → the disclaimer head,
    /// "hush-hush" → the confidential head, "jeer" → the hostility and unprofessional heads,
    /// "sneer" → the unprofessional head alone.
    struct Fake(Vec<Head>);

    fn fake() -> Fake {
        let head = |name: &str, rule: Option<&str>| Head {
            name: name.into(),
            rule: rule.map(str::to_string),
            enabled: true,
            threshold: 0.5,
            block: false,
        };
        Fake(vec![
            head("patient-story", Some("phi/patient-story")),
            head("medical-advice", Some("medical-advice/individual-advice")),
            head("disclaimer", None),
            head("confidential", Some("confidential/unreleased-information")),
            head("hostility", Some("professionalism/unprofessional-language")),
            head(
                "unprofessional",
                Some("professionalism/unprofessional-language"),
            ),
        ])
    }

    impl Judge for Fake {
        fn heads(&self) -> &[Head] {
            &self.0
        }
        fn scores(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<Arc<[f32]>> {
            units
                .iter()
                .map(|r| {
                    let t = sentences[r.clone()].join(" ");
                    let on = |b: bool| if b { 0.9 } else { 0.1 };
                    Arc::from(vec![
                        on(t.contains("story") && !t.contains("invented")),
                        on(t.contains("alpha") && t.contains("omega")),
                        on(t.contains("mine-alone")),
                        on(t.contains("hush-hush")),
                        on(t.contains("jeer")),
                        on(t.contains("jeer") || t.contains("sneer")),
                    ])
                })
                .collect()
        }
    }

    fn check(settings: Settings, text: &str) -> Vec<Finding> {
        Checker::new(settings, Vec::new()).unwrap().check_judged(
            text,
            Format::Markdown,
            None,
            Some(&fake()),
        )
    }

    #[test]
    fn a_judged_sentence_is_a_finding_of_its_heads_rule_on_that_sentence() {
        let text = "I went for a run today.\n\nThen a quiet story about someone we met at work. Back to sleep now.\n";
        let found = check(Settings::default(), text);
        let f = found
            .iter()
            .find(|f| f.judged.is_some())
            .expect("a judged finding");
        assert_eq!(f.rule, "phi/patient-story");
        assert_eq!(
            &text[f.range.clone()],
            "Then a quiet story about someone we met at work."
        );
        assert_eq!(f.judged.as_ref().unwrap().label, "patient-story");
        assert!(f
            .message
            .contains("Judged to be a story about a specific patient (confidence 0.90)"));
        assert_eq!(found.iter().filter(|f| f.judged.is_some()).count(), 1);
    }

    #[test]
    fn two_heads_of_one_rule_make_one_finding_where_both_judge_a_sentence() {
        let text = "They jeer at the family in the waiting room.\n\nThey sneer at the family in the waiting room.\n";
        let found = check(Settings::default(), text);
        let judged: Vec<_> = found
            .iter()
            .filter(|f| f.judged.is_some())
            .map(|f| {
                (
                    f.rule.as_str(),
                    f.judged.as_ref().unwrap().label.as_str(),
                    &text[f.range.clone()],
                )
            })
            .collect();
        assert_eq!(
            judged,
            [
                (
                    "professionalism/unprofessional-language",
                    "hostility",
                    "They jeer at the family in the waiting room."
                ),
                (
                    "professionalism/unprofessional-language",
                    "unprofessional",
                    "They sneer at the family in the waiting room."
                ),
            ],
            "{found:?}"
        );
        assert!(found.iter().any(|f| f
            .message
            .contains("Judged to be unprofessional language or conduct")));
    }

    #[test]
    fn sentences_judged_only_together_make_one_finding_over_both() {
        let text = "You should try the alpha dose first. Then take the omega one after dinner.\n";
        let found = check(Settings::default(), text);
        let judged: Vec<_> = found.iter().filter(|f| f.judged.is_some()).collect();
        assert_eq!(judged.len(), 1, "{found:?}");
        assert_eq!(&text[judged[0].range.clone()], text.trim_end());
        assert_eq!(judged[0].rule, "medical-advice/individual-advice");
    }

    #[test]
    fn short_units_settings_and_suppressions_keep_the_model_quiet() {
        // Fewer than four words: not judged.
        assert!(check(Settings::default(), "A story.\n")
            .iter()
            .all(|f| f.judged.is_none()));
        let text = "Then a quiet story about someone we met at work.\n";
        let mut off = Settings::default();
        off.judgement.enabled = Some(false);
        assert!(check(off, text).is_empty());
        let mut low = Settings::default();
        low.judgement
            .sensitivity
            .insert("phi".into(), Sensitivity::Off);
        assert!(check(low, text).is_empty());
        let suppressed = format!("<!-- scrubs-disable-next-line phi/patient-story -->\n{text}");
        let found = check(Settings::default(), &suppressed);
        assert!(
            found.iter().all(|f| f.rule != "phi/patient-story"),
            "{found:?}"
        );
    }

    /// The fake judge, recording every text it is asked to score; with `remembers`, it knows
    /// what it has scored, as the model's verdict cache does.
    struct Recording {
        fake: Fake,
        remembers: bool,
        asked: std::sync::Mutex<Vec<String>>,
    }

    fn recording(remembers: bool) -> Recording {
        Recording {
            fake: fake(),
            remembers,
            asked: Default::default(),
        }
    }

    impl Judge for Recording {
        fn heads(&self) -> &[Head] {
            self.fake.heads()
        }
        fn scores(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<Arc<[f32]>> {
            let mut asked = self.asked.lock().unwrap();
            asked.extend(units.iter().map(|r| sentences[r.clone()].join(" ")));
            self.fake.scores(sentences, units)
        }
        fn known(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<bool> {
            let asked = self.asked.lock().unwrap();
            units
                .iter()
                .map(|r| self.remembers && asked.contains(&sentences[r.clone()].join(" ")))
                .collect()
        }
    }

    #[test]
    fn a_new_drafts_units_are_judged_only_in_blocks_that_could_hold_a_finding() {
        let text = "I went for a run today along the river.\n\n\
                    Then a quiet story about someone we met at work. She smiled at the end of it.\n\n\
                    The coffee machine broke again this morning. Nobody fixed it.\n\n\
                    Our team bowling night is on Friday this week. Bring shoes.\n";
        let judge = recording(false);
        let found = Checker::new(Settings::default(), Vec::new())
            .unwrap()
            .check_judged(text, Format::Markdown, None, Some(&judge));
        // The finding is the one a judge asked about every unit makes.
        let judged: Vec<_> = found.iter().filter(|f| f.judged.is_some()).collect();
        assert_eq!(judged.len(), 1, "{found:?}");
        assert_eq!(
            &text[judged[0].range.clone()],
            "Then a quiet story about someone we met at work."
        );
        // A judge that says it knows every unit already (a warm cache) finds the same.
        struct Knowing(Fake);
        impl Judge for Knowing {
            fn heads(&self) -> &[Head] {
                self.0.heads()
            }
            fn scores(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<Arc<[f32]>> {
                self.0.scores(sentences, units)
            }
            fn known(&self, _: &[&str], units: &[Range<usize>]) -> Vec<bool> {
                vec![true; units.len()]
            }
        }
        let at_once = Checker::new(Settings::default(), Vec::new())
            .unwrap()
            .check_judged(text, Format::Markdown, None, Some(&Knowing(fake())));
        assert_eq!(found, at_once);
        // The four blocks, then only the story block's sentences and window.
        let asked = judge.asked.into_inner().unwrap();
        assert_eq!(asked.len(), 4 + 3, "{asked:#?}");
        assert!(asked[4..]
            .iter()
            .all(|t| t.contains("story") || t.contains("smiled")));
    }

    #[test]
    fn a_recheck_judges_only_what_changed_and_never_a_closed_blocks_units() {
        let text = "I went for a run today along the river.\n\n\
                    Then a quiet story about someone we met at work. She smiled at the end of it.\n\n\
                    The coffee machine broke again this morning. Nobody fixed it.\n\n\
                    Our team bowling night is on Friday this week. Bring shoes.\n";
        let judge = recording(true);
        let checker = Checker::new(Settings::default(), Vec::new()).unwrap();
        // The findings, and the texts judged for the first time.
        let run = |t: &str| {
            let before = judge.asked.lock().unwrap().len();
            let found = checker.check_judged(t, Format::Markdown, None, Some(&judge));
            let asked = judge.asked.lock().unwrap();
            let mut new: Vec<String> = Vec::new();
            for (i, a) in asked.iter().enumerate().skip(before) {
                if !asked[..i].contains(a) {
                    new.push(a.clone());
                }
            }
            (found, new)
        };
        let (first, new) = run(text);
        // The four blocks, then the open block's sentences (its window is its text).
        assert_eq!(new.len(), 4 + 2, "{new:#?}");
        // The same draft again: nothing new is judged.
        let (again, new) = run(text);
        assert_eq!(again, first);
        assert!(new.is_empty(), "{new:#?}");
        // A keystroke in a block that holds nothing: that block alone (a block of two sentences
        // is the same text as its window), none of its units.
        let edited = text.replace("Nobody fixed it.", "Nobody fixed it yet.");
        let (found, new) = run(&edited);
        assert_eq!(found, first);
        assert_eq!(
            new,
            ["The coffee machine broke again this morning. Nobody fixed it yet."]
        );
        // A keystroke in the block that holds the finding: the block and the one new sentence of
        // its units (the other is cached, and scores high: the block is likely open, so the new
        // sentence is judged in the same batch; the window is the block's text).
        let edited = edited.replace("She smiled at the end", "She smiled at the very end");
        let (found, new) = run(&edited);
        assert_eq!(found.iter().filter(|f| f.judged.is_some()).count(), 1);
        assert_eq!(
            new,
            [
                "Then a quiet story about someone we met at work. She smiled at the very end of it.",
                "She smiled at the very end of it.",
            ]
        );
    }

    /// A judge whose sentences alone say little (0.2 for "story", 0.05 otherwise) while a whole
    /// block of two sentences says much (0.95 with "story" in it, 0.3 with "faint", 0.05
    /// otherwise), as the fine-tuned model does; it reads no windows and weighs the block by `w`.
    struct Leaning {
        fake: Fake,
        w: f32,
        asked: std::sync::Mutex<Vec<String>>,
    }

    impl Judge for Leaning {
        fn heads(&self) -> &[Head] {
            self.fake.heads()
        }
        fn window(&self) -> usize {
            1
        }
        fn block_weight(&self) -> f32 {
            self.w
        }
        fn scores(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<Arc<[f32]>> {
            let mut asked = self.asked.lock().unwrap();
            units
                .iter()
                .map(|r| {
                    let t = sentences[r.clone()].join(" ");
                    asked.push(t.clone());
                    let story = match (r.len(), t.contains("story"), t.contains("faint")) {
                        (1, true, _) => 0.2,
                        (_, true, _) => 0.95,
                        (2, _, true) => 0.3,
                        _ => 0.05,
                    };
                    Arc::from(vec![story, 0.0, 0.0, 0.0])
                })
                .collect()
        }
    }

    #[test]
    fn a_units_score_leans_on_its_block_by_the_judges_block_weight() {
        let text = "A quiet story about someone we met. It was a long day at work.\n\n\
                    A faint memory of the river walk. The ducks were out again.\n";
        let run = |w: f32| {
            let judge = Leaning {
                fake: fake(),
                w,
                asked: Default::default(),
            };
            let found = Checker::new(Settings::default(), Vec::new())
                .unwrap()
                .check_judged(text, Format::Markdown, None, Some(&judge));
            let judged: Vec<(String, u16)> = found
                .iter()
                .filter_map(|f| {
                    Some((
                        text[f.range.clone()].to_string(),
                        f.judged.as_ref()?.confidence,
                    ))
                })
                .collect();
            (judged, judge.asked.into_inner().unwrap())
        };
        // The geometric mean: the story sentence scores (0.2 · 0.95)^0.5 = 0.44, below 0.5.
        // Both blocks reach the threshold squared (0.25), so both blocks' sentences are asked.
        let (judged, asked) = run(0.5);
        assert!(judged.is_empty(), "{judged:?}");
        assert_eq!(asked.len(), 2 + 4, "{asked:#?}");
        // Weighing the block by 0.75: 0.2^0.25 · 0.95^0.75 = 0.644 for the story sentence alone;
        // its neighbour scores 0.05^0.25 · 0.95^0.75 = 0.45. A block must now reach
        // 0.5^(1/0.75) = 0.40 to be opened: the faint one (0.3) is not, and its sentences are
        // never asked.
        let (judged, asked) = run(0.75);
        assert_eq!(
            judged,
            [("A quiet story about someone we met.".to_string(), 644)]
        );
        assert_eq!(asked.len(), 2 + 2, "{asked:#?}");
        assert!(asked[2..]
            .iter()
            .all(|t| !t.contains("faint") && !t.contains("ducks")));
    }

    /// The model's findings (rule, text, confidence) in `text` by a [`Leaning`] judge (w = 0.75)
    /// whose patient-story head reads whole blocks or not, at `threshold`.
    fn leaning_findings(text: &str, block: bool, threshold: f32) -> Vec<(String, String, u16)> {
        let mut fake = fake();
        fake.0[0].block = block;
        fake.0[0].threshold = threshold;
        let judge = Leaning {
            fake,
            w: 0.75,
            asked: Default::default(),
        };
        Checker::new(Settings::default(), Vec::new())
            .unwrap()
            .check_judged(text, Format::Markdown, None, Some(&judge))
            .iter()
            .filter_map(|f| {
                let j = f.judged.as_ref()?;
                Some((
                    f.rule.clone(),
                    text[f.range.clone()].to_string(),
                    j.confidence,
                ))
            })
            .collect()
    }

    #[test]
    fn a_head_that_reads_blocks_finds_a_story_no_sentence_of_which_says_it_alone() {
        let text = "A quiet story about someone we met. It was a long day at work.\n\n\
                    A faint memory of the river walk. The ducks were out again.\n";
        let run = |block: bool, threshold: f32| leaning_findings(text, block, threshold);
        // At 0.9 no sentence reaches the threshold (the story sentence scores 0.644): the block
        // (0.95) is the finding, the whole paragraph and nothing after it.
        assert_eq!(
            run(true, 0.9),
            [(
                "phi/patient-story".to_string(),
                "A quiet story about someone we met. It was a long day at work.".to_string(),
                950
            )]
        );
        // A head that reads only units finds nothing there.
        assert!(run(false, 0.9).is_empty());
        // Where a sentence reaches the threshold, it is the finding, not its block as well.
        assert_eq!(
            run(true, 0.5),
            [(
                "phi/patient-story".to_string(),
                "A quiet story about someone we met.".to_string(),
                644
            )]
        );
    }

    #[test]
    fn a_lead_in_is_read_with_the_block_it_introduces() {
        let story = "A quiet story about a night nurse and her patient.";
        let judged = |text: &str| -> Vec<(String, String)> {
            check(Settings::default(), text)
                .iter()
                .filter(|f| f.judged.is_some())
                .map(|f| (f.rule.clone(), text[f.range.clone()].to_string()))
                .collect()
        };
        // The lead-in frames the story: read together, it is judged no story.
        assert!(judged(&format!("Short fiction, all of it invented:\n\n{story}\n")).is_empty());
        // Also across a run of lead-ins, and after a lead-in too short to be judged itself.
        assert!(judged(&format!(
            "All invented:\n\nEvery word of the next part:\n\n{story}\n"
        ))
        .is_empty());
        // A paragraph that only comes before the story, not ending with a colon, frames nothing
        // (unless it declares the draft invented: the next test).
        assert_eq!(
            judged(&format!("Some words I invented this week.\n\n{story}\n")),
            [("phi/patient-story".to_string(), story.to_string())]
        );
        // Nor does a lead-in after it, nor one at the end of the draft.
        assert_eq!(
            judged(&format!("{story}\n\nShort fiction, all of it invented:\n")),
            [("phi/patient-story".to_string(), story.to_string())]
        );
        // A list after a lead-in is read with it, every item.
        assert!(judged(&format!(
            "Short fiction, all of it invented:\n\n- {story}\n- Another story about her.\n"
        ))
        .is_empty());
        // What is not next to the lead-in (a code block between them), an emoji shortcode, and a
        // run of lead-ins too long to leave the model room for what follows, introduce nothing.
        let found = |lead: &str| judged(&format!("{lead}\n\n{story}\n"));
        let alone = [("phi/patient-story".to_string(), story.to_string())];
        assert_eq!(found("Invented, all of it:\n\n```\nlet x = 1;\n```"), alone);
        assert_eq!(found("Nothing invented today :tada:"), alone);
        let long = format!("{} all of it invented:", "word ".repeat(40));
        assert_eq!(found(&long), alone);
        assert!(found(&long[100..]).is_empty());
    }

    #[test]
    fn a_draft_that_opens_by_declaring_its_story_invented_is_not_judged_a_story() {
        let story = "A quiet story about a night nurse and her patient.";
        let stories = |text: &str| -> usize {
            check(Settings::default(), text)
                .iter()
                .filter(|f| f.judged.is_some() && f.rule == "phi/patient-story")
                .count()
        };
        // Said in the first paragraph or heading, in any of the ways writers say it, it frames
        // every paragraph after it, colon or not.
        for opening in [
            "Fiction. Every character and event below is invented.",
            "# Flash fiction",
            "(This one's made up, folks. Nobody in it is real.)",
            "A case I use with interns every July. It's hypothetical, I made her up.",
            "Teaching case for the residents. The patient below is a composite of a dozen people.",
            "A writing prompt I did for fun.",
            "Here's a made-up patient for practice.",
        ] {
            let text = format!("{opening}\n\n{story}\n\nAnd later, {story}\n");
            assert_eq!(stories(&text), 0, "{opening}");
        }
        // Not when the opening says the opposite, or the story came from a real patient; not
        // when the declaration comes after the opening; and an idiom is no declaration.
        for opening in [
            "This is not fiction.",
            "Fiction, but based on a real patient I had last spring.",
            "I wish this were made up.",
            "By the time I made it up to the floor, it was over.",
        ] {
            let text = format!("{opening}\n\n{story}\n");
            assert_eq!(stories(&text), 1, "{opening}");
        }
        assert_eq!(
            stories(&format!("{story}\n\nFiction, every word of it.\n")),
            1
        );
        // It frames the story head alone: other heads still judge the draft.
        let text = format!("Fiction, all of it.\n\n{story} Then a jeer at her.\n");
        let found = check(Settings::default(), &text);
        assert!(found
            .iter()
            .any(|f| f.rule == "professionalism/unprofessional-language"));
        assert!(!found.iter().any(|f| f.rule == "phi/patient-story"));
    }

    /// Training calibrates the story head on what scrubs judges: the same patterns.
    #[test]
    fn training_reads_a_declared_invention_with_the_same_patterns() {
        let train = include_str!("../../model/train.py");
        for pattern in [INVENTED_PATTERN, NOT_INVENTED_PATTERN] {
            assert!(train.contains(&format!("re.compile(r\"\"\"{pattern}\"\"\")")));
        }
        assert!(train.contains(&format!("DISCLAIMER_OWN_FLOOR = {DISCLAIMER_OWN_FLOOR}\n")));
    }

    #[test]
    fn a_block_read_with_its_lead_in_is_reported_over_what_the_lead_in_introduces() {
        let lead = "A quiet story about someone we met:";
        let body = "It was a long day at work. The ducks were out again.";
        let text = format!("{lead}\n\n{body}\n");
        // The three sentences read as one block score 0.95; the story sentence alone 0.644. The
        // finding is the paragraph the lead-in introduces (a suppression before it applies).
        assert_eq!(
            leaning_findings(&text, true, 0.9),
            [("phi/patient-story".to_string(), body.to_string(), 950)]
        );
    }

    /// A draft of `n` blocks, the first and the last of them a story.
    fn long_draft(n: usize) -> String {
        (0..n)
            .map(|i| {
                if i == 0 || i + 1 == n {
                    format!("Then a quiet story number {i} about someone we met at work.\n\n")
                } else {
                    format!("The coffee machine number {i} broke again this morning.\n\n")
                }
            })
            .collect()
    }

    /// The texts of the model's findings.
    fn judged_texts<'t>(found: &[Finding], text: &'t str) -> Vec<&'t str> {
        found
            .iter()
            .filter(|f| f.judged.is_some())
            .map(|f| &text[f.range.clone()])
            .collect()
    }

    #[test]
    fn a_stopped_judgement_asks_nothing_more_and_finds_only_what_it_judged() {
        let text = long_draft(CHUNK + 8);
        let checker = Checker::new(Settings::default(), Vec::new()).unwrap();
        let judge = recording(false);
        // Stops once the first chunk of blocks was judged.
        let stop = || judge.asked.lock().unwrap().len() >= CHUNK;
        let stoppable = Stoppable {
            judge: &judge,
            stop: &stop,
        };
        let found = checker.check_judged(&text, Format::Markdown, None, Some(&stoppable));
        assert_eq!(judge.asked.lock().unwrap().len(), CHUNK);
        // The first story's block was judged but not its sentence; the last one's not at all.
        assert!(found.iter().all(|f| f.judged.is_none()), "{found:?}");
        // Never stopped, it finds both stories.
        let never = || false;
        let whole = Stoppable {
            judge: &fake(),
            stop: &never,
        };
        let found = checker.check_judged(&text, Format::Markdown, None, Some(&whole));
        assert_eq!(
            judged_texts(&found, &text),
            [
                "Then a quiet story number 0 about someone we met at work.",
                "Then a quiet story number 39 about someone we met at work."
            ]
        );
    }

    #[test]
    fn a_judge_stopped_from_the_start_answers_from_its_cache_and_judges_nothing_new() {
        let text = long_draft(6);
        let checker = Checker::new(Settings::default(), Vec::new()).unwrap();
        let judge = recording(true);
        let first = checker.check_judged(&text, Format::Markdown, None, Some(&judge));
        assert_eq!(first.iter().filter(|f| f.judged.is_some()).count(), 2);
        let asked: std::collections::BTreeSet<String> =
            judge.asked.lock().unwrap().iter().cloned().collect();
        // The last story rewritten: not judged yet, so it makes no finding; the first still does.
        let edited = text.replace("story number 5", "story number five");
        let stopped = || true;
        let known_only = Stoppable {
            judge: &judge,
            stop: &stopped,
        };
        let found = checker.check_judged(&edited, Format::Markdown, None, Some(&known_only));
        assert_eq!(
            judged_texts(&found, &edited),
            ["Then a quiet story number 0 about someone we met at work."]
        );
        let new: Vec<String> = judge
            .asked
            .lock()
            .unwrap()
            .iter()
            .filter(|a| !asked.contains(*a))
            .cloned()
            .collect();
        assert!(new.is_empty(), "{new:#?}");
    }

    #[test]
    fn an_insiders_news_judged_in_a_post_that_names_the_institution_wants_a_disclaimer() {
        let text = "Heard in huddle today that Mayo is closing the hush-hush unit next month.\n";
        let rules = Checker::default_checker().check(text, Format::Markdown);
        assert!(
            rules.iter().all(|f| f.rule != "disclaimer/missing"),
            "{rules:?}"
        );
        let found = check(Settings::default(), text);
        let f = found
            .iter()
            .find(|f| f.rule == "disclaimer/missing")
            .expect("disclaimer/missing");
        assert_eq!(&text[f.range.clone()], "Mayo");
        assert_eq!(f.institution.as_deref(), Some("mayo"));
        assert_eq!(
            f.judged.as_ref().map(|j| j.label.as_str()),
            Some("confidential")
        );
        assert!(f.message.contains("confidential"), "{}", f.message);
        assert!(f.fixes.iter().all(|x| !x.safe));
        // Answered by a disclaimer in the writer's own words, or with no institution named.
        for quiet in [
            format!("{text}\nEverything here is mine-alone, not my employer's words.\n"),
            "Heard in huddle today that they are closing the hush-hush unit next month.\n".into(),
        ] {
            let found = check(Settings::default(), &quiet);
            assert!(
                found.iter().any(|f| f.rule.starts_with("confidential/")),
                "{found:?}"
            );
            assert!(
                found.iter().all(|f| f.rule != "disclaimer/missing"),
                "{quiet}: {found:?}"
            );
        }
    }

    #[test]
    fn a_disclaimer_in_the_writers_own_words_answers_disclaimer_missing() {
        let text = "As a nurse at Mayo Clinic I love night shifts and the people I work with.\n";
        let rules = Checker::default_checker().check(text, Format::Markdown);
        assert!(rules.iter().any(|f| f.rule == "disclaimer/missing"));
        let own = format!("{text}\nEverything here is mine-alone, not my employer's words.\n");
        let found = check(Settings::default(), &own);
        assert!(
            found.iter().all(|f| f.rule != "disclaimer/missing"),
            "{found:?}"
        );
    }
}
