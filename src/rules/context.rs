//! Shared context helpers for rules that read prose: sentences, context
//! windows, word-bounded cue lists, and the sentences a rule should not
//! take at face value (negated, hypothetical, teaching the policy, news).
//!
//! Everything here works on a block's text ([`crate::markup::Block::text`])
//! with byte ranges into it; rules map ranges to the source with
//! `Block::source_range`. Cue lists are compiled once (aho-corasick,
//! ASCII case-insensitive) and matched on word boundaries.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use unicode_segmentation::UnicodeSegmentation;

/// The sentences of `text` (UAX #29), as byte ranges with surrounding
/// whitespace trimmed. Empty sentences are left out. A line break that ends
/// a line without punctuation (a list of short lines, a signature) also ends
/// a sentence.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (at, s) in text.split_sentence_bound_indices() {
        // Split further at line breaks: posts are often one line per thought.
        let mut start = at;
        for line in s.split_inclusive('\n') {
            push_trimmed(text, start..start + line.len(), &mut out);
            start += line.len();
        }
    }
    out
}

fn push_trimmed(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(r.start + lead..r.end - trail);
    }
}

/// The sentence of `sentences` that holds byte `at` (the last one starting
/// at or before it), or `0..text_len` when there is none.
pub fn sentence_at(sentences: &[Range<usize>], at: usize, text_len: usize) -> Range<usize> {
    let k = sentences.partition_point(|s| s.start <= at);
    if k == 0 {
        return sentences.first().cloned().unwrap_or(0..text_len);
    }
    sentences[k - 1].clone()
}

/// Index of the sentence holding byte `at`.
pub fn sentence_index(sentences: &[Range<usize>], at: usize) -> usize {
    sentences
        .partition_point(|s| s.start <= at)
        .saturating_sub(1)
}

/// `range` widened by up to `before` bytes before and `after` bytes after,
/// on char boundaries, inside `text`.
pub fn window(text: &str, range: Range<usize>, before: usize, after: usize) -> Range<usize> {
    let mut s = range.start.saturating_sub(before);
    while s > 0 && !text.is_char_boundary(s) {
        s -= 1;
    }
    let mut e = (range.end + after).min(text.len());
    while e < text.len() && !text.is_char_boundary(e) {
        e += 1;
    }
    s..e
}

/// Whether `r` in `text` stands on word boundaries.
pub fn word_bounded(text: &str, r: &Range<usize>) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let before = text[..r.start].chars().next_back();
    let after = text[r.end..].chars().next();
    !before.is_some_and(is_word) && !after.is_some_and(is_word)
}

/// A list of cue words or phrases, matched case-insensitively (ASCII) on
/// word boundaries. Build once and keep in a `OnceLock`.
pub struct CueSet {
    ac: AhoCorasick,
}

impl CueSet {
    pub fn new(words: &[&str]) -> CueSet {
        CueSet {
            ac: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(words)
                .expect("built-in cue list"),
        }
    }

    /// Every word-bounded match in `text`: (pattern index, range).
    pub fn find_iter<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, Range<usize>)> + 'a {
        self.ac
            .find_iter(text)
            .map(|m| (m.pattern().as_usize(), m.start()..m.end()))
            .filter(move |(_, r)| word_bounded(text, r))
    }

    /// The first word-bounded match in `text`.
    pub fn find(&self, text: &str) -> Option<Range<usize>> {
        self.find_iter(text).next().map(|(_, r)| r)
    }

    /// Whether `text` holds any of the cues.
    pub fn any(&self, text: &str) -> bool {
        self.find(text).is_some()
    }
}

/// Words that negate what follows them within a few words ("no", "never",
/// "without", "don't").
fn negators() -> &'static CueSet {
    static S: OnceLock<CueSet> = OnceLock::new();
    S.get_or_init(|| {
        CueSet::new(&[
            "no",
            "not",
            "never",
            "without",
            "none",
            "nobody",
            "neither",
            "nor",
            "don't",
            "don’t",
            "doesn't",
            "doesn’t",
            "didn't",
            "didn’t",
            "won't",
            "won’t",
            "can't",
            "can’t",
            "cannot",
            "isn't",
            "isn’t",
            "wasn't",
            "wasn’t",
            "aren't",
            "aren’t",
            "shouldn't",
            "shouldn’t",
            "mustn't",
            "mustn’t",
            "avoid",
            "avoiding",
        ])
    })
}

/// Whether the words just before byte `at` of `text` (at most three words,
/// within its sentence) negate it: "no patient names", "never post".
pub fn negated_before(text: &str, at: usize) -> bool {
    let w = window(text, at..at, 40, 0);
    let before = &text[w.start..at];
    // Stop at the last clause break.
    let cut = before
        .rfind(['.', '!', '?', ';', ':', ',', '\n'])
        .map(|i| i + 1)
        .unwrap_or(0);
    let before = &before[cut..];
    let words: Vec<&str> = before.split_whitespace().collect();
    let tail = &words[words.len().saturating_sub(3)..];
    tail.iter().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’');
        negators().any(w) && negators().find(w).is_some_and(|r| r.len() == w.len())
    })
}

/// Cues of a made-up or teaching case ("a hypothetical 45-year-old",
/// "imagine a patient", "case study", "NCLEX question").
fn hypothetical_cues() -> &'static CueSet {
    static S: OnceLock<CueSet> = OnceLock::new();
    S.get_or_init(|| {
        CueSet::new(&[
            "hypothetical",
            "hypothetically",
            "imagine",
            "suppose",
            "supposing",
            "let's say",
            "let’s say",
            "say you have",
            "what if",
            "what would you do",
            "for example",
            "for instance",
            "e.g.",
            "example:",
            "case study",
            "case studies",
            "scenario",
            "vignette",
            "fictional",
            "fictitious",
            "made-up",
            "made up",
            "practice question",
            "board question",
            "exam question",
            "quiz",
            "NCLEX",
            "USMLE",
            "mnemonic",
            "would you",
            "if a patient",
            "if your patient",
            "if you have a patient",
            "when a patient",
            "when your patient",
            "a typical patient",
            "any patient",
        ])
    })
}

/// Whether `sentence` describes a hypothetical or teaching case rather than
/// a real patient.
pub fn is_hypothetical(sentence: &str) -> bool {
    hypothetical_cues().any(sentence)
}

/// Cues of a post that teaches the privacy policy rather than breaks it
/// ("never post a patient's X-ray", "HIPAA reminder").
fn teaching_cues() -> &'static CueSet {
    static S: OnceLock<CueSet> = OnceLock::new();
    S.get_or_init(|| {
        CueSet::new(&[
            "never post",
            "never on facebook",
            "never on social",
            "never on social media",
            "not on social media",
            "never online",
            "never share",
            "never upload",
            "never tweet",
            "never include",
            "never mention",
            "don't post",
            "don’t post",
            "do not post",
            "don't share",
            "don’t share",
            "do not share",
            "don't upload",
            "don’t upload",
            "do not upload",
            "don't include",
            "don’t include",
            "do not include",
            "don't mention",
            "don’t mention",
            "do not mention",
            "don't use",
            "don’t use",
            "do not use",
            "avoid posting",
            "avoid sharing",
            "avoid mentioning",
            "should never",
            "shouldn't post",
            "shouldn’t post",
            "should not post",
            "not allowed to",
            "is prohibited",
            "are prohibited",
            "hipaa violation",
            "violates hipaa",
            "violate hipaa",
            "a violation of",
            "privacy rule",
            "privacy rules",
            "privacy policy",
            "social media policy",
            "reminder:",
            "pro tip",
            "tip:",
            "de-identify",
            "deidentify",
            "remove identifiers",
            "identifiers such as",
            "identifiers like",
            "counts as phi",
            "count as phi",
            "is phi",
            "are phi",
            "protected health information",
        ])
    })
}

/// Whether `sentence` teaches the privacy policy ("Never post a patient's
/// X-ray, even cropped.") instead of telling about a patient.
pub fn teaches_policy(sentence: &str) -> bool {
    teaching_cues().any(sentence)
}

/// Cues that a sentence reports public news about a public figure.
fn news_cues() -> &'static CueSet {
    static S: OnceLock<CueSet> = OnceLock::new();
    S.get_or_init(|| {
        CueSet::new(&[
            "surgeon general",
            "president",
            "senator",
            "governor",
            "congressman",
            "congresswoman",
            "prime minister",
            "the king",
            "the queen",
            "prince",
            "princess",
            "the pope",
            "according to",
            "reported",
            "reports",
            "announced",
            "press release",
            "press conference",
            "in the news",
            "headline",
            "headlines",
            "publicly",
            "told reporters",
            "quarterback",
            "pitcher",
            "striker",
            "point guard",
            "athlete",
            "celebrity",
            "the nfl",
            "the nba",
            "mlb",
            "nhl",
            "olympian",
            "singer",
            "actor",
            "actress",
        ])
    })
}

/// Whether `sentence` reports news about a public figure ("The surgeon
/// general announced…", "the quarterback's publicised ACL tear").
pub fn is_news(sentence: &str) -> bool {
    news_cues().any(sentence)
}

/// First-person words ("I", "my", "me", "mine", "myself").
fn first_person() -> &'static CueSet {
    static S: OnceLock<CueSet> = OnceLock::new();
    S.get_or_init(|| {
        CueSet::new(&[
            "i", "i'm", "i’m", "i've", "i’ve", "i'd", "i’d", "i was", "my", "me", "mine", "myself",
            "my own",
        ])
    })
}

/// Whether one of the (at most `words`) words just before byte `at` is
/// first person: "my surgery", "I was admitted", "call me at".
pub fn first_person_before(text: &str, at: usize, words: usize) -> bool {
    let w = window(text, at..at, 60, 0);
    let before = &text[w.start..at];
    let cut = before
        .rfind(['.', '!', '?', ';', '\n'])
        .map(|i| i + 1)
        .unwrap_or(0);
    let list: Vec<&str> = before[cut..].split_whitespace().collect();
    let tail = &list[list.len().saturating_sub(words)..];
    let Some(k) = tail.iter().position(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’');
        first_person().find(w).is_some_and(|r| r.len() == w.len())
    }) else {
        return false;
    };
    // "my patient lives at …": the first person owns the patient, not the detail.
    !tail[k + 1..].iter().any(|w| {
        let w = w.to_ascii_lowercase();
        w.starts_with("patient") || w.starts_with("pt") || w.starts_with("client")
    })
}

/// Whether a sentence should not be read as telling about a real patient:
/// hypothetical, teaching the policy, or public news.
pub fn not_a_real_case(sentence: &str) -> bool {
    is_hypothetical(sentence)
        || teaches_policy(sentence)
        || is_news(sentence)
        || is_fiction(sentence)
}

/// Whether `sentence` is about a film, show or book character ("the
/// 93-year-old in the new Pixar short"), a manikin, or a patient the writer
/// says they made up ("I invented a patient named Vernon, a composite of …"),
/// not a real patient.
pub fn is_fiction(sentence: &str) -> bool {
    static S: OnceLock<CueSet> = OnceLock::new();
    S.get_or_init(|| {
        CueSet::new(&[
            "pixar",
            "disney",
            "netflix",
            "movie",
            "film",
            "sitcom",
            "tv show",
            "novel",
            "novella",
            "short story",
            // Not "fiction" alone: "my patient, a retired fiction writer" is a real patient.
            "is fiction",
            "all fiction",
            "short fiction",
            "flash fiction",
            "work of fiction",
            "fan fiction",
            "cartoon",
            "puppet",
            "mannequin",
            "manikin",
            "sim lab",
            "simulation",
            "a composite of",
            "is a composite",
            "composite patient",
            "composite case",
            "invented a patient",
            "invented patient",
            // Actors and manikins who play patients in teaching.
            "standardized patient",
            "standardized patients",
            "standardised patient",
            "standardised patients",
            "simulated patient",
            "simulated patients",
            "sim patient",
            "simman",
            "sim man",
            "sim center",
            "sim centre",
            "osce",
            "anime",
            "grey's anatomy",
            "grey’s anatomy",
        ])
    })
    .any(sentence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(t: &'a str, rs: &[Range<usize>]) -> Vec<&'a str> {
        rs.iter().map(|r| &t[r.clone()]).collect()
    }

    #[test]
    fn splits_sentences_and_lines() {
        let t = "Rough night. Mrs. Okafor in room 512 kept asking for tea!\nSee you\n  Jane";
        let s = sentences(t);
        assert_eq!(
            texts(t, &s),
            vec![
                "Rough night.",
                "Mrs.",
                "Okafor in room 512 kept asking for tea!",
                "See you",
                "Jane"
            ]
        );
        let at = t.find("512").unwrap();
        assert_eq!(
            &t[sentence_at(&s, at, t.len())],
            "Okafor in room 512 kept asking for tea!"
        );
    }

    #[test]
    fn windows_stay_on_char_boundaries() {
        let t = "é😀 room 5 😀é";
        let at = t.find("room").unwrap();
        let w = window(t, at..at + 4, 3, 7);
        assert!(t.is_char_boundary(w.start) && t.is_char_boundary(w.end));
        assert_eq!(window(t, 0..0, 100, 100), 0..t.len());
    }

    #[test]
    fn cue_sets_match_whole_words() {
        let s = CueSet::new(&["pt", "patient"]);
        assert!(s.any("my PT was great"));
        assert!(!s.any("an opt-in"));
        assert!(!s.any("patients"));
    }

    #[test]
    fn negation() {
        let t = "Please share no patient names here.";
        assert!(negated_before(t, t.find("patient").unwrap()));
        let t = "I never post my patient stories.";
        assert!(negated_before(t, t.find("post").unwrap()));
        let t = "No rest tonight, my patient in bay 3 coded.";
        assert!(!negated_before(t, t.find("my patient").unwrap()));
    }

    #[test]
    fn hypotheticals_teaching_and_news() {
        assert!(is_hypothetical(
            "A hypothetical 45-year-old presents with chest pain."
        ));
        assert!(is_hypothetical(
            "Imagine a patient in room 4 who refuses meds."
        ));
        assert!(!is_hypothetical("My patient in room 4 refused meds today."));
        assert!(teaches_policy(
            "Never post a patient's X-ray, even cropped."
        ));
        assert!(teaches_policy("Reminder: room numbers are PHI too."));
        assert!(!teaches_policy("Posted a photo of my lunch."));
        assert!(is_news("The quarterback's torn ACL was reported Monday."));
        assert!(!is_news("My patient tore her ACL skiing."));
    }

    #[test]
    fn first_person_owner() {
        let t = "After my own knee surgery on May 3 I rested.";
        assert!(first_person_before(t, t.find("surgery").unwrap(), 3));
        let t = "My patient lives at 4 Elm St.";
        assert!(!first_person_before(t, t.find("4 Elm").unwrap(), 4));
        let t = "Her surgery on May 3 went well.";
        assert!(!first_person_before(t, t.find("surgery").unwrap(), 3));
    }
}
