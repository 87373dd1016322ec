//! The judgement model: a fine-tuned sentence encoder with one logistic head per label.
//!
//! The narrow interface the rest of scrubs sees is [`judge`] (a [`crate::engine::Judge`] to pass to
//! [`crate::engine::Checker::check_judged`]), [`release_if_idle`], [`forget_pages`] and
//! [`one_thread`]. Everything the model needs is inside the binary (`model/` in the repository, see
//! `model/README.md`): nothing is read from disk or the network.
//!
//! - `model/encoder.safetensors`: all-MiniLM-L6-v2 fine-tuned end to end with the heads on the
//!   team's corpus (`python3 model/train.py`), as int8 rows with a scale per row ([`bert`]).
//! - `model/tokenizer.json`: MiniLM's uncased WordPiece tokenizer.
//! - `model/heads.json`: each head's name, rule and threshold (calibrated on the dev split), the
//!   SHA-256 of the corpus, encoder and tokenizer, and probe texts with the scores training
//!   computed for them.
//!
//! A text is read as [CLS] + its WordPiece tokens (the first `maxlen - 2`) + [SEP]; its embedding is
//! the mean of the encoder's last layer, and each head's score the logistic of a linear function of
//! it. Pure computation: same text, same scores.

use std::cell::Cell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::engine::{Head, Judge};

pub mod bert;
#[cfg(target_arch = "x86_64")]
mod kernel;

static ENCODER: &[u8] = include_bytes!("../../model/encoder.safetensors");
static TOKENIZER: &[u8] = include_bytes!("../../model/tokenizer.json");
/// The heads as trained (`model/heads.json`).
pub static HEADS_JSON: &str = include_str!("../../model/heads.json");

const CLS: u32 = 101;
const SEP: u32 = 102;
/// A unit's text is read only to this many bytes per token of `maxlen` (the tokens after the
/// `maxlen`th are cut anyway; a WordPiece token is rarely longer than a few letters).
const TEXT_BYTES_PER_TOKEN: usize = 32;

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// `model/heads.json`.
#[derive(Deserialize)]
pub struct HeadsFile {
    pub format: u32,
    /// The most tokens a text is read to ([CLS] and [SEP] included).
    pub maxlen: usize,
    pub corpus_sha256: String,
    /// The calibration split the thresholds were set on (with the dev split).
    pub calib_sha256: String,
    pub encoder_sha256: String,
    pub tokenizer_sha256: String,
    /// Units with fewer words are not judged.
    pub min_words: usize,
    /// Windows of up to this many consecutive sentences are judged besides single sentences.
    pub window: usize,
    /// A unit's score is `unit^(1-w) · block^w` ([`crate::engine::Judge::block_weight`]);
    /// files before it was recorded used the geometric mean.
    #[serde(default = "geometric_mean")]
    pub block_weight: f32,
    pub heads: Vec<HeadFile>,
    /// Texts and the scores training computed for them (see the tests).
    pub checks: Vec<CheckFile>,
}

fn geometric_mean() -> f32 {
    0.5
}

#[derive(Deserialize)]
pub struct HeadFile {
    pub name: String,
    pub rule: Option<String>,
    pub threshold: f32,
    /// False for a head that could not reach the target precision on the dev split: it makes no
    /// findings.
    pub enabled: bool,
    /// Whether a whole block may be the finding ([`Head::block`]).
    #[serde(default)]
    pub block: bool,
    pub dev: DevFile,
}

#[derive(Deserialize, Clone, Copy)]
pub struct DevFile {
    pub positives: u32,
    pub precision: f32,
    pub recall: f32,
}

#[derive(Deserialize)]
pub struct CheckFile {
    pub text: String,
    pub scores: Vec<f32>,
}

/// Parses the embedded heads file.
pub fn parse_heads() -> Result<HeadsFile, String> {
    serde_json::from_str(HEADS_JSON).map_err(|e| format!("model/heads.json: {e}"))
}

/// What each head recognises, in the words a hover uses ("judged to be …").
pub fn describe(head: &str) -> &'static str {
    match head {
        "patient-story" => "a story about a specific patient",
        "hostility" => "hostile or violent toward patients or others",
        "mockery" => "mocking patients",
        "unprofessional" => "unprofessional language or conduct",
        "medical-advice" => "medical advice to a reader",
        "disclaimer" => "a personal-views disclaimer",
        "on-behalf" => "speaking for the institution",
        "endorsement" => "an endorsement in the institution's name",
        "confidential" => "confidential institutional information",
        "boundaries" => "a social-media connection with a patient",
        "workplace" => "posting during clinical duties",
        "media" => "a photo or video from a clinical setting",
        _ => "a policy concern",
    }
}

thread_local! {
    static ONE_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with the model judging on this thread only (for callers that already spread their
/// work over every core, as `scrubs check` does by file).
pub fn one_thread<R>(f: impl FnOnce() -> R) -> R {
    let before = ONE_THREAD.with(|c| c.replace(true));
    let r = f();
    ONE_THREAD.with(|c| c.set(before));
    r
}

fn threads() -> usize {
    if ONE_THREAD.with(Cell::get) {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
    }
}

/// The loaded model: tokenizer, encoder and heads.
pub struct Model {
    tokenizer: tokenizers::Tokenizer,
    bert: bert::Bert,
    min_words: usize,
    window: usize,
    block_weight: f32,
    heads: Vec<Head>,
}

impl Model {
    /// Loads the embedded model. Fails only if the files committed in `model/` are inconsistent
    /// (the tests load it, so a release cannot ship one that fails).
    pub fn load() -> Result<Model, String> {
        let file = parse_heads()?;
        if file.format != 3 {
            return Err(format!(
                "model/heads.json: format {}, this build reads 3",
                file.format
            ));
        }
        let mut tokenizer = tokenizers::Tokenizer::from_bytes(TOKENIZER)
            .map_err(|e| format!("model/tokenizer.json: {e}"))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| format!("model/tokenizer.json: {e}"))?;
        if file.maxlen < 3 {
            return Err("model/heads.json: maxlen below 3".into());
        }
        if !(file.block_weight > 0.0 && file.block_weight <= 1.0) {
            return Err(format!(
                "model/heads.json: block_weight {} is not in (0, 1]",
                file.block_weight
            ));
        }
        let bert = bert::Bert::load(ENCODER, file.heads.len(), file.maxlen)?;
        if bert.on_kernel() {
            // The layers' rows were read once, into the kernel's panels, and the tokenizer's JSON
            // once, parsed: their pages of the binary are not read again, so they leave resident
            // memory now (~13 MB; the word rows a text needs are read back as it comes).
            forget_pages();
        }
        let heads = file
            .heads
            .into_iter()
            .map(|h| Head {
                name: h.name,
                rule: h.rule,
                enabled: h.enabled,
                threshold: h.threshold,
                block: h.block,
            })
            .collect();
        Ok(Model {
            tokenizer,
            bert,
            min_words: file.min_words,
            window: file.window.clamp(1, 3),
            block_weight: file.block_weight,
            heads,
        })
    }

    pub fn heads(&self) -> &[Head] {
        &self.heads
    }

    /// Units with fewer words than this are not judged.
    pub fn min_words(&self) -> usize {
        self.min_words
    }

    /// How much a unit's score owes to its block's ([`crate::engine::Judge::block_weight`]).
    pub fn block_weight(&self) -> f32 {
        self.block_weight
    }

    /// The text's token ids as the encoder reads them: [CLS], the first `maxlen - 2` WordPiece
    /// tokens, [SEP].
    pub fn ids(&self, text: &str) -> Vec<u32> {
        let mut ids = vec![CLS];
        // Only the start of a long text is read (its first `maxlen` tokens).
        let mut end = text.len().min(self.bert.maxlen() * TEXT_BYTES_PER_TOKEN);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if let Ok(enc) = self.tokenizer.encode(&text[..end], false) {
            let vocab = self.bert.vocab() as u32;
            ids.extend(
                enc.get_ids()
                    .iter()
                    .copied()
                    .filter(|&id| id < vocab)
                    .take(self.bert.maxlen() - 2),
            );
        }
        ids.push(SEP);
        ids
    }

    /// Every head's score (0–1) for `text`, in [`Model::heads`] order.
    pub fn score(&self, text: &str) -> Vec<f32> {
        self.bert
            .probabilities(&[self.ids(text)], 1)
            .pop()
            .unwrap_or_default()
    }

    /// Every head's score for each text, on up to `threads` threads.
    pub fn score_all(&self, texts: &[&str], threads: usize) -> Vec<Vec<f32>> {
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| self.ids(t)).collect();
        self.bert.probabilities(&ids, threads)
    }
}

/// The model with its verdict cache: scores per unit, keyed by its sentences' text. The cache lives
/// and dies with one loaded model, so a verdict is never read with another model's weights.
pub struct Judgement {
    model: Model,
    cache: Mutex<HashMap<u64, Arc<[f32]>>>,
}

/// Verdicts kept at most (a 1 MB draft has ~30,000 sentences and windows; ~80 bytes each).
const CACHE_MAX: usize = 200_000;

impl Judgement {
    /// How many verdicts are cached (for tests and benchmarks).
    pub fn cached(&self) -> usize {
        self.cache.lock().map(|c| c.len()).unwrap_or(0)
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Every cached verdict: the unit's key (a hash of its sentences, never their text) and its
    /// scores (what `scrubs check` keeps on disk for its next run).
    pub fn verdicts(&self) -> Vec<(u64, Arc<[f32]>)> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.iter().map(|(k, v)| (*k, v.clone())).collect()
    }

    /// Adds verdicts this model made earlier (read back from `scrubs check`'s cache); those of
    /// another number of heads are ignored.
    pub fn remember(&self, verdicts: impl IntoIterator<Item = (u64, Vec<f32>)>) {
        let heads = self.model.heads().len();
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        for (k, v) in verdicts {
            if cache.len() >= CACHE_MAX {
                break;
            }
            if v.len() == heads && v.iter().all(|x| x.is_finite()) {
                cache.entry(k).or_insert_with(|| v.into());
            }
        }
    }
}

/// Each unit's verdict-cache key: its sentences' hashes, in order.
fn unit_keys(sentences: &[&str], units: &[Range<usize>]) -> Vec<u64> {
    // Only the asked units' sentences are hashed, each once: a keystroke asks about one block's
    // units, not the whole draft's.
    let mut hashes: Vec<Option<u64>> = vec![None; sentences.len()];
    units
        .iter()
        .map(|r| {
            let mut h: u64 = 0x9e3779b97f4a7c15 ^ r.len() as u64;
            if r.end <= sentences.len() {
                for i in r.clone() {
                    let x = *hashes[i].get_or_insert_with(|| fnv1a(sentences[i].as_bytes()));
                    h = (h ^ x).wrapping_mul(0x100000001b3).rotate_left(29);
                }
            }
            h
        })
        .collect()
}

impl Judge for Judgement {
    fn heads(&self) -> &[Head] {
        self.model.heads()
    }

    fn min_words(&self) -> usize {
        self.model.min_words()
    }

    fn window(&self) -> usize {
        self.model.window
    }

    fn block_weight(&self) -> f32 {
        self.model.block_weight()
    }

    fn known(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<bool> {
        let keys = unit_keys(sentences, units);
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().map(|k| cache.contains_key(k)).collect()
    }

    fn scores(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<Arc<[f32]>> {
        let keys = unit_keys(sentences, units);
        // Look up under the lock; judge the misses without it (so threads judge in parallel).
        let mut out: Vec<Option<Arc<[f32]>>> = {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            keys.iter().map(|k| cache.get(k).cloned()).collect()
        };
        // The misses, each unit's text its sentences joined by a space (as training joins them),
        // encoded together; a unit asked for twice (a repeated sentence) is encoded once.
        let mut first: HashMap<u64, usize> = HashMap::new();
        let mut texts: Vec<String> = Vec::new();
        let mut slot = vec![usize::MAX; units.len()];
        let cap = self.model.bert.maxlen() * TEXT_BYTES_PER_TOKEN;
        for (i, r) in units.iter().enumerate() {
            if out[i].is_some() {
                continue;
            }
            slot[i] = *first.entry(keys[i]).or_insert_with(|| {
                let members = sentences
                    .get(r.start.min(sentences.len())..r.end.min(sentences.len()))
                    .unwrap_or(&[]);
                // Only the start of a long unit is read: its first `maxlen` tokens.
                let mut text = String::new();
                for s in members {
                    if text.len() >= cap {
                        break;
                    }
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(s);
                }
                texts.push(text);
                texts.len() - 1
            });
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let scored: Vec<Arc<[f32]>> = self
            .model
            .score_all(&refs, threads())
            .into_iter()
            .map(Arc::from)
            .collect();
        let mut fresh = Vec::with_capacity(scored.len());
        for (i, &j) in slot.iter().enumerate() {
            if let Some(v) = scored.get(j) {
                out[i] = Some(v.clone());
            }
        }
        for (k, &j) in &first {
            fresh.push((*k, scored[j].clone()));
        }
        if !fresh.is_empty() {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if cache.len() + fresh.len() > CACHE_MAX {
                cache.clear();
            }
            cache.extend(fresh);
        }
        out.into_iter()
            .map(|v| v.unwrap_or_else(|| Arc::from(Vec::new())))
            .collect()
    }
}

struct Loaded {
    judgement: Option<Arc<Judgement>>,
    used: Instant,
}

fn slot() -> &'static Mutex<Loaded> {
    static SLOT: OnceLock<Mutex<Loaded>> = OnceLock::new();
    SLOT.get_or_init(|| {
        Mutex::new(Loaded {
            judgement: None,
            used: Instant::now(),
        })
    })
}

/// The judgement model, loaded on first need (a few milliseconds: the tokenizer's vocabulary and the
/// heads; the embedding rows are read in place). `Err` only if the embedded files are inconsistent.
pub fn judge() -> Result<Arc<Judgement>, String> {
    let mut s = slot().lock().unwrap_or_else(|e| e.into_inner());
    s.used = Instant::now();
    if let Some(j) = &s.judgement {
        return Ok(j.clone());
    }
    let j = Arc::new(Judgement {
        model: Model::load()?,
        cache: Mutex::new(HashMap::new()),
    });
    s.judgement = Some(j.clone());
    Ok(j)
}

/// Gives the model and its verdicts back if it was not used for `idle`; true if it did.
/// (The server calls it a minute after the last keystroke.)
pub fn release_if_idle(idle: Duration) -> bool {
    let mut s = slot().lock().unwrap_or_else(|e| e.into_inner());
    if s.judgement.is_some() && s.used.elapsed() >= idle {
        s.judgement = None;
        true
    } else {
        false
    }
}

/// Drops the encoder's and the tokenizer's pages from the process's resident memory (Linux): they
/// are read-only pages of the binary, read again from the file when next needed (judging reads
/// every layer's rows and the word rows of the tokens it meets; loading parses the tokenizer's
/// JSON, which nothing reads after). The server calls this once it has given the model back.
/// Elsewhere, nothing.
pub fn forget_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    for bytes in [ENCODER, TOKENIZER] {
        const PAGE: usize = 4096;
        let start = bytes.as_ptr() as usize;
        // Whole pages inside the bytes only (the first and last may hold other data).
        let first = start.div_ceil(PAGE) * PAGE;
        let end = (start + bytes.len()) / PAGE * PAGE;
        if end > first {
            // SAFETY: the range is whole pages of a read-only, file-backed mapping (the
            // binary's constant data), which no one writes; MADV_DONTNEED only drops their
            // resident copies, and the next read faults them in from the file unchanged.
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_DONTNEED);
            }
        }
    }
}

/// Examples for `scrubs explain`, per head: texts the model judges so, and close calls it does not.
/// Written for the docs (not taken from the corpus); `tests` checks every one against the model.
pub fn examples(head: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match head {
        "patient-story" => (
            &["The lady I cared for last night finally got to meet her new grandson before she passed. I will never forget her face."],
            &["Flu season tip: wash your hands and get your shot at any pharmacy."],
        ),
        "hostility" => (
            &["Honestly the next drunk who swings at me can bleed out in the waiting room for all I care."],
            &["Short-staffed again and furious at the administrators who keep cutting our budget."],
        ),
        "medical-advice" => (
            &["If your chest pain comes and goes just take two aspirin and skip the ER, it's probably reflux."],
            &["I can't give medical advice online, please call your own doctor or a nurse line."],
        ),
        "disclaimer" => (
            &["RN at MGH | opinions are mine, not my hospital's"],
            &["My employer gave us pizza for nurses week, which was sweet."],
        ),
        "on-behalf" => (
            &["Our hospital wants you to know we are committed to your safety during flu season, so we ask all visitors to mask."],
            &["I personally think the new bill is a good idea, speaking only for myself."],
        ),
        "endorsement" => (
            &["As a Mayo Clinic surgeon, I only trust VitaBoost supplements for my own family. Use my code!"],
            &["I really like these running shoes, they got me through my first marathon."],
        ),
        "confidential" => (
            &["Leaked from our admin huddle: the hospital is cutting night differential pay in January, they haven't told anyone."],
            &["Our hospital announced its new cancer center in the paper this morning, proud to work there."],
        ),
        "boundaries" => (
            &["My old patient's mom sent me a friend request on Facebook and I accepted, she's so sweet."],
            &["Connected with my old preceptor on LinkedIn today, she taught me everything."],
        ),
        "media" => (
            &["Snapped a pic of the gallstones we pulled out in the OR today, look at the size of these!"],
            &["Sunrise from the parking garage after my shift, no filter needed."],
        ),
        "workplace" => (
            &["Live-tweeting from the OR during this Whipple, the attending has no idea lol"],
            &["Finally home after a long shift, feet up and phone on."],
        ),
        _ => (&[], &[]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Rust side computes what training computed: the scores recorded in heads.json for its
    /// probe texts.
    #[test]
    fn scores_match_the_training_pipeline() {
        let m = Model::load().unwrap();
        let file = parse_heads().unwrap();
        assert!(!file.checks.is_empty());
        for c in &file.checks {
            let got = m.score(&c.text);
            assert_eq!(got.len(), c.scores.len());
            for (g, w) in got.iter().zip(&c.scores) {
                assert!(
                    (g - w).abs() < 2e-3,
                    "{:?}: {got:?} vs {:?}",
                    c.text,
                    c.scores
                );
            }
        }
    }

    /// Every example `scrubs explain` shows is judged as it says.
    #[test]
    fn the_documented_examples_are_judged_as_documented() {
        let m = Model::load().unwrap();
        let mut wrong = Vec::new();
        for (i, h) in m.heads().iter().enumerate().filter(|(_, h)| h.enabled) {
            let (fires, clean) = examples(&h.name);
            for t in fires {
                let s = m.score(t)[i];
                if s < h.threshold {
                    wrong.push(format!("{}: {s} < {}: {t}", h.name, h.threshold));
                }
            }
            for t in clean {
                let s = m.score(t)[i];
                if s >= h.threshold {
                    wrong.push(format!("{}: {s} >= {}: {t}", h.name, h.threshold));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// A window judged from its sentences' sums scores as the window's text does (training embeds
    /// the joined text), and a repeated judgement comes from the cache.
    #[test]
    fn units_judged_from_their_sentences_score_as_their_text() {
        let j = judge().unwrap();
        let s = [
            "My patient tonight told me about her grandson's wedding.",
            "She is 91 and still drives herself to church!",
            "Heading home now.",
        ];
        let got = j.scores(&s, &[0..2, 1..3, 0..3]);
        for (r, g) in [0..2, 1..3, 0..3].into_iter().zip(&got) {
            let want = j.model().score(&s[r].join(" "));
            for (a, b) in g.iter().zip(&want) {
                assert!((a - b).abs() < 1e-4, "{a} vs {b}");
            }
        }
        let before = j.cached();
        let again = std::slice::from_ref(&(0..2));
        assert_eq!(j.scores(&s, again), vec![got[0].clone()]);
        assert_eq!(j.cached(), before);
    }

    /// However the work is shared out (texts split among threads, or each product's columns
    /// shared by threads, for a few tokens), every text scores as it does alone on one thread.
    #[test]
    fn texts_score_the_same_on_any_number_of_threads() {
        let m = Model::load().unwrap();
        let few = [
            "My patient tonight told me about her grandson's wedding.",
            "Heading home now, the coffee machine broke again.",
        ];
        let long = "Night shift starts with coffee and a quiet handover at the desk. ".repeat(12);
        let many: Vec<&str> = std::iter::repeat_n(long.as_str(), 6).chain(few).collect();
        let alone: Vec<Vec<f32>> = many.iter().map(|t| m.score(t)).collect();
        assert!(many.iter().map(|t| m.ids(t).len()).sum::<usize>() > bert::SPLIT_TOKENS);
        assert!(few.iter().map(|t| m.ids(t).len()).sum::<usize>() <= bert::SPLIT_TOKENS);
        for threads in [1, 2, 3] {
            for (texts, want) in [(&few[..], &alone[6..]), (&many[..], &alone[..])] {
                let got = m.score_all(texts, threads);
                assert_eq!(got.len(), want.len());
                for (g, w) in got.iter().zip(want) {
                    for (a, b) in g.iter().zip(w) {
                        assert!((a - b).abs() < 1e-5, "{threads} threads: {a} vs {b}");
                    }
                }
            }
        }
    }

    /// The encoder reads texts alike on the kernel (where the processor has AVX2 and FMA) and on
    /// the portable path: the checks `heads.json` records and each head's first documented
    /// example (the kernel is slow in a debug build).
    #[test]
    fn the_kernel_and_the_portable_encoder_agree() {
        let mut m = Model::load().unwrap();
        let file = parse_heads().unwrap();
        let mut texts: Vec<&str> = file.checks.iter().map(|c| c.text.as_str()).collect();
        for h in &file.heads {
            texts.extend(examples(&h.name).0.first());
        }
        assert!(texts.len() >= file.checks.len() + 10);
        m.bert.use_kernel(true);
        #[cfg(target_arch = "x86_64")]
        assert_eq!(m.bert.on_kernel(), kernel::available());
        let fast = m.score_all(&texts, 2);
        m.bert.use_kernel(false);
        assert!(!m.bert.on_kernel());
        let portable = m.score_all(&texts, 2);
        for ((t, a), b) in texts.iter().zip(&fast).zip(&portable) {
            for (x, y) in a.iter().zip(b) {
                assert!((x - y).abs() < 1e-4, "{t:?}: {a:?} vs {b:?}");
            }
        }
    }

    /// The encoder's and tokenizer's pages dropped: the next judgement reads them again,
    /// unchanged, and so does a model loaded afterwards (its tokenizer parsed from them).
    #[test]
    fn scores_after_the_pages_are_forgotten_are_the_same() {
        let m = Model::load().unwrap();
        let t = "My patient tonight kept asking for her husband.";
        let before = m.score(t);
        forget_pages();
        assert_eq!(m.score(t), before);
        drop(m);
        forget_pages();
        assert_eq!(Model::load().unwrap().score(t), before);
    }

    /// A unit's cache key is its sentences' alone: the same asked alone or among others, and
    /// different for other sentences or another split of them.
    #[test]
    fn a_units_key_does_not_depend_on_what_else_is_asked() {
        let s = ["She smiled.", "He left.", "It rained.", "She smiled."];
        let units = [0..1, 1..3, 0..2, 3..4, 2..9];
        let all = unit_keys(&s, &units);
        assert_eq!(unit_keys(&s, &units[1..2]), [all[1]]);
        assert_eq!(unit_keys(&s, &units[2..3]), [all[2]]);
        assert_eq!(all[0], all[3], "the same sentence, the same key");
        assert_ne!(all[0], all[1]);
        assert_ne!(all[1], all[2]);
        // Out of range: the key of no sentences, not a panic.
        assert_eq!(unit_keys(&s, &units[4..]), [all[4]]);
    }

    #[test]
    fn empty_and_unknown_texts_score_without_panicking() {
        let m = Model::load().unwrap();
        for t in ["", "   ", "\u{0}", "🥹🥹🥹", &"x".repeat(10_000)] {
            let s = m.score(t);
            assert_eq!(s.len(), m.heads().len());
            assert!(s.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)));
        }
    }
}
