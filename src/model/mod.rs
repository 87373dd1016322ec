//! The judgement model: a static sentence embedding and one logistic head per label.
//!
//! The narrow interface the rest of scrubs sees is [`judge`] (a [`crate::engine::Judge`] to pass to
//! [`crate::engine::Checker::check_judged`]), [`release_if_idle`] and [`forget_pages`]. Everything the model
//! needs is inside the binary (`model/` in the repository, see `model/README.md`): nothing is read
//! from disk or the network.
//!
//! - `model/static.i8` and `model/static.f32`: one 256-dimensional int8 row (and its f32 scale) per
//!   WordPiece token of all-MiniLM-L6-v2's vocabulary, distilled from that transformer by the model2vec
//!   method. The rows are read where they lie in the binary (`include_bytes!`), never copied: a check
//!   touches only the pages of the tokens it meets.
//! - `model/tokenizer.json`: MiniLM's uncased WordPiece tokenizer.
//! - `model/heads.json`: the heads (weights, bias, threshold calibrated on the dev split) written by
//!   `python3 model/train.py`, with the SHA-256 of the corpus they were trained on.
//!
//! A text's embedding is the mean of its tokens' rows, L2-normalised; one hidden ReLU layer reads it,
//! and each head's score is the logistic of its weights · hidden + bias. Pure computation: same
//! text, same scores.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::engine::{Head, Judge};

static ROWS: &[u8] = include_bytes!("../../model/static.i8");
static SCALES: &[u8] = include_bytes!("../../model/static.f32");
static TOKENIZER: &[u8] = include_bytes!("../../model/tokenizer.json");
/// The heads as trained (`model/heads.json`).
pub static HEADS_JSON: &str = include_str!("../../model/heads.json");

/// [UNK]: carries no meaning, left out of the mean (as in training).
const UNK: u32 = 100;

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
    pub dims: usize,
    pub corpus_sha256: String,
    pub static_sha256: String,
    pub tokenizer_sha256: String,
    /// Units with fewer words are not judged.
    pub min_words: usize,
    /// The hidden layer every head reads.
    pub hidden: HiddenFile,
    pub heads: Vec<HeadFile>,
    /// Texts and the scores training computed for them (see the tests).
    pub checks: Vec<CheckFile>,
}

#[derive(Deserialize)]
pub struct HiddenFile {
    /// One row of `dims` weights per hidden unit.
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
}

#[derive(Deserialize)]
pub struct HeadFile {
    pub name: String,
    pub rule: Option<String>,
    pub threshold: f32,
    /// False for a head that could not reach the target precision on the dev split: it makes no
    /// findings.
    pub enabled: bool,
    pub dev: DevFile,
    pub bias: f32,
    pub weights: Vec<f32>,
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

/// The loaded model: tokenizer and heads. The embedding rows stay in the binary.
pub struct Model {
    tokenizer: tokenizers::Tokenizer,
    dims: usize,
    min_words: usize,
    /// The hidden layer's weights by input: `dims` rows of `width` (so a layer is `dims` vector
    /// additions, which the compiler vectorises, rather than `width` dot products, which it
    /// cannot reorder).
    hidden_by_input: Vec<f32>,
    hidden_bias: Vec<f32>,
    heads: Vec<Head>,
    weights: Vec<Vec<f32>>,
    biases: Vec<f32>,
}

impl Model {
    /// Loads the embedded model. Fails only if the files committed in `model/` are inconsistent
    /// (the tests load it, so a release cannot ship one that fails).
    pub fn load() -> Result<Model, String> {
        let file = parse_heads()?;
        let mut tokenizer = tokenizers::Tokenizer::from_bytes(TOKENIZER)
            .map_err(|e| format!("model/tokenizer.json: {e}"))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| format!("model/tokenizer.json: {e}"))?;
        let dims = file.dims;
        let vocab = SCALES.len() / 4;
        if dims == 0 || ROWS.len() != vocab * dims {
            return Err(format!(
                "model/static.i8 holds {} bytes, not {vocab} rows of {dims}",
                ROWS.len()
            ));
        }
        if file.format != 2
            || file.hidden.bias.len() != file.hidden.weights.len()
            || file.hidden.weights.iter().any(|r| r.len() != dims)
        {
            return Err("model/heads.json: the hidden layer does not fit the embedding".into());
        }
        let width = file.hidden.bias.len();
        let mut heads = Vec::new();
        let mut weights = Vec::new();
        let mut biases = Vec::new();
        for h in file.heads {
            if h.weights.len() != width {
                return Err(format!(
                    "model/heads.json: head {} has {} weights, not {width}",
                    h.name,
                    h.weights.len()
                ));
            }
            heads.push(Head {
                name: h.name,
                rule: h.rule,
                enabled: h.enabled,
                threshold: h.threshold,
            });
            weights.push(h.weights);
            biases.push(h.bias);
        }
        Ok(Model {
            tokenizer,
            dims,
            min_words: file.min_words,
            hidden_by_input: (0..dims)
                .flat_map(|i| file.hidden.weights.iter().map(move |row| row[i]))
                .collect(),
            hidden_bias: file.hidden.bias,
            heads,
            weights,
            biases,
        })
    }

    pub fn heads(&self) -> &[Head] {
        &self.heads
    }

    /// Units with fewer words than this are not judged.
    pub fn min_words(&self) -> usize {
        self.min_words
    }

    /// The text's embedding: the mean of its tokens' rows, L2-normalised (zero for a text with no
    /// known token).
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let (v, n) = self.sum(text);
        Self::mean(v, n)
    }

    /// The sum of the text's token rows and how many tokens were summed (texts made of several
    /// sentences add up: the tokenizer splits at spaces and punctuation).
    pub fn sum(&self, text: &str) -> (Vec<f32>, u32) {
        let mut v = vec![0f32; self.dims];
        let Ok(enc) = self.tokenizer.encode(text, false) else {
            return (v, 0);
        };
        let mut n = 0u32;
        for &id in enc.get_ids() {
            let i = id as usize;
            if id == UNK || (i + 1) * 4 > SCALES.len() {
                continue;
            }
            let s = f32::from_le_bytes([
                SCALES[4 * i],
                SCALES[4 * i + 1],
                SCALES[4 * i + 2],
                SCALES[4 * i + 3],
            ]);
            let row = &ROWS[i * self.dims..(i + 1) * self.dims];
            for (acc, &q) in v.iter_mut().zip(row) {
                *acc += f32::from(q as i8) * s;
            }
            n += 1;
        }
        (v, n)
    }

    fn mean(mut v: Vec<f32>, n: u32) -> Vec<f32> {
        if n == 0 {
            return v;
        }
        for x in &mut v {
            *x /= n as f32;
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for x in &mut v {
                *x /= norm;
            }
        }
        v
    }

    /// Every head's score (0–1) for `text`, in [`Model::heads`] order.
    pub fn score(&self, text: &str) -> Vec<f32> {
        self.score_embedding(&self.embed(text))
    }

    /// Every head's score for a text whose tokens' rows add up to `sum` over `n` tokens.
    pub fn score_sum(&self, sum: Vec<f32>, n: u32) -> Vec<f32> {
        self.score_embedding(&Self::mean(sum, n))
    }

    fn score_embedding(&self, v: &[f32]) -> Vec<f32> {
        let width = self.hidden_bias.len();
        let mut h = self.hidden_bias.clone();
        for (x, row) in v.iter().zip(self.hidden_by_input.chunks_exact(width)) {
            for (acc, w) in h.iter_mut().zip(row) {
                *acc += x * w;
            }
        }
        for x in &mut h {
            *x = x.max(0.0);
        }
        self.weights
            .iter()
            .zip(&self.biases)
            .map(|(w, b)| {
                let z: f32 = w.iter().zip(&h).map(|(a, x)| a * x).sum::<f32>() + b;
                1.0 / (1.0 + (-z).exp())
            })
            .collect()
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
}

impl Judge for Judgement {
    fn heads(&self) -> &[Head] {
        self.model.heads()
    }

    fn min_words(&self) -> usize {
        self.model.min_words()
    }

    fn scores(&self, sentences: &[&str], units: &[Range<usize>]) -> Vec<Arc<[f32]>> {
        let hashes: Vec<u64> = sentences.iter().map(|s| fnv1a(s.as_bytes())).collect();
        // A unit's key: its sentences' hashes, in order.
        let key = |r: &Range<usize>| {
            let mut h: u64 = 0x9e3779b97f4a7c15 ^ r.len() as u64;
            for x in hashes.get(r.clone()).unwrap_or(&[]) {
                h = (h ^ x).wrapping_mul(0x100000001b3).rotate_left(29);
            }
            h
        };
        let keys: Vec<u64> = units.iter().map(key).collect();
        // Look up under the lock; judge the misses without it (so threads judge in parallel).
        let mut out: Vec<Option<Arc<[f32]>>> = {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            keys.iter().map(|k| cache.get(k).cloned()).collect()
        };
        let mut sums: Vec<Option<(Vec<f32>, u32)>> = vec![None; sentences.len()];
        let mut fresh = Vec::new();
        for (i, r) in units.iter().enumerate() {
            if out[i].is_some() {
                continue;
            }
            let mut acc = vec![0f32; self.model.dims];
            let mut n = 0;
            for s in r.clone().filter(|&s| s < sentences.len()) {
                let (v, c) = sums[s].get_or_insert_with(|| self.model.sum(sentences[s]));
                for (a, x) in acc.iter_mut().zip(v.iter()) {
                    *a += x;
                }
                n += *c;
            }
            let v: Arc<[f32]> = self.model.score_sum(acc, n).into();
            fresh.push((keys[i], v.clone()));
            out[i] = Some(v);
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

/// Drops the embedding rows' pages from the process's resident memory (Linux): they are
/// read-only pages of the binary, read again from the file if a later check needs them. A 1 MB
/// draft touches most of the 7.8 MB. Elsewhere, nothing.
pub fn forget_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const PAGE: usize = 4096;
        let start = ROWS.as_ptr() as usize;
        // Whole pages inside the rows only (the first and last may hold other data).
        let first = start.div_ceil(PAGE) * PAGE;
        let end = (start + ROWS.len()) / PAGE * PAGE;
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
            &["Had a patient today who cried when I remembered her daughter's name from her last admission. Made my whole week."],
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
            &["We at Mayo Clinic are proud to announce that our hospital officially supports the new bill."],
            &["I personally think the new bill is a good idea, speaking only for myself."],
        ),
        "endorsement" => (
            &["As a Mayo Clinic surgeon, I only trust VitaBoost supplements for my own family. Use my code!"],
            &["I really like these running shoes, they got me through my first marathon."],
        ),
        "confidential" => (
            &["Heard in the managers meeting today that they're closing the whole cardiac unit next spring, nobody's been told yet."],
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
        for (i, h) in m.heads().iter().enumerate().filter(|(_, h)| h.enabled) {
            let (fires, clean) = examples(&h.name);
            for t in fires {
                let s = m.score(t)[i];
                assert!(s >= h.threshold, "{}: {s} < {}: {t}", h.name, h.threshold);
            }
            for t in clean {
                let s = m.score(t)[i];
                assert!(s < h.threshold, "{}: {s} >= {}: {t}", h.name, h.threshold);
            }
        }
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

    /// The embedding rows' pages dropped: the next judgement reads them again, unchanged.
    #[test]
    fn scores_after_the_pages_are_forgotten_are_the_same() {
        let m = Model::load().unwrap();
        let t = "My patient tonight kept asking for her husband.";
        let before = m.score(t);
        forget_pages();
        assert_eq!(m.score(t), before);
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
