//! Patient privacy (`phi/*`): HIPAA Safe Harbor identifiers tied to a
//! patient, recognisable patient stories, patient images.
//!
//! Every identifier rule follows the same shape (learned from Presidio's
//! recognisers and scrubadub): a pattern, context words that tie the match to
//! a patient (in the match's sentence and its neighbours), and validation
//! (SSN areas, IP octets, month and day ranges). Sentences that are
//! hypothetical, teach the policy or report public news are skipped (see
//! [`crate::rules::context`]). Each finding offers an unsafe redaction that
//! edits only the identifier.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Edit, Finding, Fix, RuleMeta};
use crate::rules::context::{self, CueSet};

pub mod age;
pub mod date;
pub mod geography;
pub mod image;
pub mod name;
pub mod numbers;
pub mod room;
pub mod story;

/// One block's text with its sentences (computed once per block and check,
/// shared by every rule: [`Context::sentences`]).
pub struct Prose<'a> {
    pub text: &'a str,
    pub sentences: &'a [Range<usize>],
}

impl<'a> Prose<'a> {
    /// Block `block` of `cx`, with the context's shared sentences.
    pub fn of(cx: &'a Context, block: usize) -> Prose<'a> {
        Prose {
            text: cx.markup.blocks[block].text.as_str(),
            sentences: cx.sentences(block),
        }
    }

    /// The sentence holding byte `at`.
    pub fn sentence(&self, at: usize) -> &'a str {
        let r = context::sentence_at(self.sentences, at, self.text.len());
        &self.text[r]
    }

    /// The text of the sentence holding `at` and `n` sentences either side.
    pub fn neighbourhood(&self, at: usize, n: usize) -> &'a str {
        if self.sentences.is_empty() {
            return self.text;
        }
        let i = context::sentence_index(self.sentences, at);
        let a = i.saturating_sub(n);
        let b = (i + n).min(self.sentences.len() - 1);
        &self.text[self.sentences[a].start..self.sentences[b].end]
    }

    /// Whether the match at `at` is in a sentence that tells about a real
    /// case (not hypothetical, not teaching the policy, not news).
    pub fn real_case(&self, at: usize) -> bool {
        !context::not_a_real_case(self.sentence(at))
    }

    /// Whether a patient (or a relative at the bedside) is in view around
    /// `at`: a clinical cue in its sentence or the ones next to it.
    pub fn patient_near(&self, at: usize) -> bool {
        has_patient_cue(self.neighbourhood(at, 1))
    }
}

/// Words that place a text at a patient's bedside.
fn clinical_cues() -> &'static CueSet {
    static S: OnceLock<CueSet> = OnceLock::new();
    S.get_or_init(|| {
        CueSet::new(&[
            "patient",
            "patient's",
            "patient’s",
            "pt",
            "pt's",
            "pts",
            "my patients",
            "our patients",
            "admitted",
            "admit",
            "admission",
            "discharged",
            "discharge",
            "DOB",
            "D.O.B.",
            "MRN",
            "bay",
            "bed",
            "room",
            "gentleman",
            "resident",
            "coded",
            "code blue",
            "rapid response",
            "intubated",
            "extubated",
            "triage",
            "triaged",
            "ICU",
            "MICU",
            "SICU",
            "NICU",
            "PICU",
            "ER",
            "ED",
            "PACU",
            "L&D",
            "hospice",
            "ward",
            "unit",
            "floor",
            "chart",
            "charting",
            "vitals",
            "post-op",
            "pre-op",
            "surgery",
            "diagnosed",
            "diagnosis",
            "prognosis",
            "family meeting",
            "next of kin",
            "bedside",
            "nursing home",
            "shift",
            "nightshift",
            "CABG",
            "rounds",
            "clinic",
            "consult",
            "sedated",
            "ventilator",
            "vent",
            "dialysis",
            "chemo",
            "CPR",
            "DNR",
            "comfort care",
            "passed away",
            "died",
            "pacemaker",
            "implant",
            "ambulance",
            "EMS",
            "transferred",
            "cadaver",
            "donor",
            "research subject",
            "study participant",
            "client",
            "meds",
            "pain meds",
            "nurses' station",
            "nurses station",
            "call light",
            "call bell",
            "IV",
        ])
    })
}

/// Words after "patient" that make it an adjective or a general term.
fn patient_adjective_next() -> &'static CueSet {
    static S: OnceLock<CueSet> = OnceLock::new();
    S.get_or_init(|| {
        CueSet::new(&[
            "safety",
            "centred",
            "centered",
            "care",
            "experience",
            "satisfaction",
            "portal",
            "education",
            "advocate",
            "advocates",
            "advocacy",
            "outcomes",
            "engagement",
            "privacy",
            "confidentiality",
            "rights",
            "flow",
            "population",
            "data",
            "information",
            "teacher",
            "person",
            "parent",
            "mentor",
            "friend",
            "listener",
            "with",
            "and",
            "enough",
            "zero",
            "first",
        ])
    })
}

/// Whether `text` holds a clinical cue, not counting "patient" used as an
/// adjective or a general term ("patient safety", "a patient teacher",
/// "be patient with").
pub fn has_patient_cue(text: &str) -> bool {
    for (_, r) in clinical_cues().find_iter(text) {
        let w = &text[r.clone()];
        if w.eq_ignore_ascii_case("patient") {
            let rest = text[r.end..].trim_start_matches([' ', '-']);
            let next: &str = rest
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("");
            if !next.is_empty()
                && patient_adjective_next()
                    .find(next)
                    .is_some_and(|m| m.len() == next.len())
            {
                continue;
            }
            let before = text[..r.start].trim_end();
            let prev = before
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if matches!(
                prev.as_str(),
                "be" | "so" | "very" | "more" | "stay" | "remain" | "too" | "less" | "most"
            ) {
                continue;
            }
        }
        if w.eq_ignore_ascii_case("ER") || w.eq_ignore_ascii_case("ED") {
            // Only as capitals: "ER", not "er" / "Ed".
            if w != "ER" && w != "ED" {
                continue;
            }
        }
        return true;
    }
    false
}

/// Words for a patient's relatives and the patient themselves, for contact
/// details (phone, e-mail) that must belong to someone in the story.
fn person_cues() -> &'static CueSet {
    static S: OnceLock<CueSet> = OnceLock::new();
    S.get_or_init(|| {
        CueSet::new(&[
            "patient",
            "patient's",
            "patient’s",
            "pt",
            "pt's",
            "family",
            "family's",
            "daughter",
            "son",
            "wife",
            "husband",
            "mother",
            "father",
            "mom",
            "dad",
            "sister",
            "brother",
            "his",
            "her",
            "their",
            "next of kin",
            "emergency contact",
            "caregiver",
            "guardian",
            "partner",
            "grandson",
            "granddaughter",
            "resident",
            "client",
            "lady",
            "gentleman",
            "y/o",
            "yo",
            "year-old",
        ])
    })
}

/// Whether `sentence` names a patient or a relative as the owner of a
/// contact detail.
pub fn has_person_cue(sentence: &str) -> bool {
    person_cues().any(sentence)
}

/// Builds a finding for `text_range` of block `block`, with one unsafe
/// redaction replacing `edit_range` (block text) by `new_text`.
pub fn finding(
    cx: &Context,
    block: usize,
    meta: &'static RuleMeta,
    text_range: Range<usize>,
    message: String,
    fix_title: &str,
    edits: Vec<(Range<usize>, String)>,
) -> Finding {
    let b = &cx.markup.blocks[block];
    let range = b.source_range(text_range);
    let edits = edits
        .into_iter()
        .map(|(r, new_text)| Edit {
            range: b.source_range(r),
            new_text,
        })
        .collect();
    Finding::new(meta, range, message).with_fix(Fix {
        title: fix_title.to_string(),
        edits,
        safe: false,
        preferred: true,
    })
}

/// `r` widened to take one space before it (so removing it leaves no double
/// space), when there is one.
pub fn with_space_before(text: &str, r: Range<usize>) -> Range<usize> {
    if r.start > 0 && text.as_bytes()[r.start - 1] == b' ' {
        r.start - 1..r.end
    } else {
        r
    }
}

/// Compiles a built-in pattern.
pub fn re(p: &str) -> Regex {
    Regex::new(p).expect("built-in pattern")
}

/// Whether the block text has an ASCII digit (a cheap prefilter for number
/// rules).
pub fn has_digit(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
pub mod tests {
    use crate::engine::{Checker, Finding};
    use crate::markup::Format;

    pub fn check(text: &str) -> Vec<Finding> {
        Checker::default_checker().check(text, Format::Markdown)
    }

    /// The findings of `rule` in `text`, with their excerpts.
    pub fn found(text: &str, rule: &str) -> Vec<String> {
        check(text)
            .into_iter()
            .filter(|f| f.rule == rule)
            .map(|f| text[f.range].to_string())
            .collect()
    }

    /// Applies the first fix of the (only) finding of `rule` and returns the
    /// text; asserts the finding is gone on re-checking.
    pub fn fixed(text: &str, rule: &str) -> String {
        let all = check(text);
        let f: Vec<_> = all.iter().filter(|f| f.rule == rule).collect();
        assert_eq!(f.len(), 1, "{rule} on {text:?}: {all:#?}");
        let fix = &f[0].fixes[0];
        assert!(!fix.safe);
        let out = fix.apply(text);
        let again = check(&out);
        assert!(
            !again.iter().any(|g| g.rule == rule),
            "{rule} still fires after the fix: {out:?}"
        );
        out
    }

    #[test]
    fn patient_cues_skip_the_adjective() {
        use super::has_patient_cue;
        assert!(has_patient_cue("My patient in bay 3 coded."));
        assert!(!has_patient_cue("Patient safety week starts Monday."));
        assert!(!has_patient_cue("She is a patient teacher."));
        assert!(!has_patient_cue("Be patient with yourself."));
        assert!(has_patient_cue("Pt admitted overnight."));
    }

    #[test]
    fn okafor_gets_three_findings_each_with_a_fix() {
        let t = "Rough night. Mrs. Okafor in room 512 kept asking for her tea… she is 97 and sharp as a tack.";
        let rules: Vec<String> = check(t)
            .into_iter()
            .filter(|f| f.category() == "phi")
            .map(|f| f.rule)
            .collect();
        assert_eq!(
            rules,
            vec!["phi/name", "phi/room-number", "phi/age-over-89"]
        );
        assert_eq!(
            fixed(t, "phi/name"),
            "Rough night. The patient in room 512 kept asking for her tea… she is 97 and sharp as a tack."
        );
        assert_eq!(
            fixed(t, "phi/room-number"),
            "Rough night. Mrs. Okafor in a room kept asking for her tea… she is 97 and sharp as a tack."
        );
        assert_eq!(
            fixed(t, "phi/age-over-89"),
            "Rough night. Mrs. Okafor in room 512 kept asking for her tea… she is over 90 and sharp as a tack."
        );
    }
}
