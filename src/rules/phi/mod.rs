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

use crate::engine::{Context, Edit, Finding, Fix, Part, Rule, RuleMeta};
use crate::rules::context::{self, CueSet};

pub mod age;
pub mod date;
pub mod geography;
pub mod image;
pub mod name;
pub mod numbers;
pub mod room;
pub mod story;

/// The block rules for single identifiers besides `phi/name` (with it and
/// `phi/patient-story`, what [`mend`] checks a redacted paragraph with).
pub fn identifiers() -> &'static [&'static dyn crate::engine::Rule] {
    static IDS: &[&dyn crate::engine::Rule] = &[
        &age::AgeOver89,
        &date::Date,
        &geography::Geography,
        &room::RoomNumber,
        &numbers::PHONE_RULE,
        &numbers::EMAIL_RULE,
        &numbers::SSN_RULE,
        &numbers::RECORD_RULE,
        &numbers::IP_RULE,
        &numbers::URL_RULE,
        &numbers::PLATE_RULE,
        &numbers::SERIAL_RULE,
        &numbers::LICENSE_RULE,
    ];
    IDS
}

/// One block's text with its sentences. The sentences are segmented only
/// when a rule first asks for them (most blocks hold no candidate match and
/// never need them), once per block and check, shared by every rule
/// ([`Context::sentences`]).
pub struct Prose<'a> {
    pub text: &'a str,
    cx: &'a Context<'a>,
    block: usize,
}

impl<'a> Prose<'a> {
    /// Block `block` of `cx`, with the context's shared sentences.
    pub fn of(cx: &'a Context, block: usize) -> Prose<'a> {
        Prose {
            text: cx.markup.blocks[block].text.as_str(),
            cx,
            block,
        }
    }

    /// The block's sentences ([`crate::rules::context::sentences`]).
    pub fn sentences(&self) -> &'a [Range<usize>] {
        self.cx.sentences(self.block)
    }

    /// The sentence holding byte `at`.
    pub fn sentence(&self, at: usize) -> &'a str {
        let r = context::sentence_at(self.sentences(), at, self.text.len());
        &self.text[r]
    }

    /// The text of the sentence holding `at` and `n` sentences either side.
    pub fn neighbourhood(&self, at: usize, n: usize) -> &'a str {
        let sentences = self.sentences();
        if sentences.is_empty() {
            return self.text;
        }
        let i = context::sentence_index(sentences, at);
        let a = i.saturating_sub(n);
        let b = (i + n).min(sentences.len() - 1);
        &self.text[sentences[a].start..sentences[b].end]
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
        .map(|(r, new_text)| source_edit(cx.text, b, r, new_text))
        .collect();
    Finding::new(meta, range, message).with_fix(Fix {
        title: fix_title.to_string(),
        edits,
        safe: false,
        preferred: true,
        parts: Vec::new(),
    })
}

/// The edit of the source that replaces range `r` of block `b`'s text by
/// `new_text`. When the range starts or ends inside emphasis (“on
/// *Saturday*”: the text range maps to “on *Saturday”), it takes in the
/// delimiter run on the other side, so no lone `*`, `_` or `~` is left.
pub fn source_edit(
    source: &str,
    b: &crate::markup::Block,
    r: Range<usize>,
    new_text: String,
) -> Edit {
    let mut range = b.source_range(r);
    let span = b.span();
    for d in [b'*', b'_', b'~'] {
        let Some(slice) = source.get(range.clone()) else {
            break;
        };
        let bytes = slice.as_bytes();
        let runs = (0..bytes.len())
            .filter(|&i| bytes[i] == d && (i == 0 || bytes[i - 1] != d))
            .count();
        if runs % 2 == 0 {
            continue;
        }
        let src = source.as_bytes();
        if range.end < span.end.min(src.len()) && src[range.end] == d {
            while range.end < span.end.min(src.len()) && src[range.end] == d {
                range.end += 1;
            }
        } else if range.start > span.start && src[range.start - 1] == d {
            while range.start > span.start && src[range.start - 1] == d {
                range.start -= 1;
            }
        }
    }
    Edit { range, new_text }
}

/// Edits that remove `spans` (a story's details: “on Saturday”, “97 years
/// old”, “in the ICU”) from `text` and leave prose that reads well: a detail
/// that starts a sentence takes the comma and spaces after it (and the next
/// word, if lowercase, is capitalised: “Last night the patient asked” → “The
/// patient asked”); one set off by commas takes them (“in room 512, 97 years
/// old, made” → “in room 512 made”); any other takes the space before it.
/// `spans` are sorted and do not overlap.
pub fn removals(text: &str, spans: &[Range<usize>]) -> Vec<(Range<usize>, String)> {
    let mut cut: Vec<Range<usize>> = Vec::new();
    let mut capitalise: Vec<usize> = Vec::new();
    for s in spans {
        let before = text[..s.start].trim_end_matches([' ', '\t']);
        let after = &text[s.end..];
        let sentence_start = before.is_empty() || before.ends_with(['.', '!', '?', '\n', '…']);
        let clause_start = sentence_start || before.ends_with([':', ';']);
        let rest = after.strip_prefix(',').unwrap_or(after);
        let next = rest.trim_start_matches([' ', '\t']);
        let r = if clause_start && next.starts_with(|c: char| c.is_alphanumeric()) {
            let end = s.end + (after.len() - next.len());
            if sentence_start && next.starts_with(|c: char| c.is_ascii_lowercase()) {
                capitalise.push(end);
            }
            s.start..end
        } else if before.ends_with(',') && after.starts_with(',') {
            before.len() - 1..s.end + 1
        } else if before.ends_with(',')
            && (after.is_empty() || after.starts_with(['.', '!', '?', ';', ':', '\n']))
        {
            before.len() - 1..s.end
        } else {
            with_space_before(text, s.clone())
        };
        // Two removals may now overlap: the first stands.
        if cut.last().is_none_or(|k| k.end <= r.start) {
            cut.push(r);
        }
    }
    let mut out: Vec<(Range<usize>, String)> =
        cut.iter().map(|r| (r.clone(), String::new())).collect();
    for at in capitalise {
        if !cut.iter().any(|r| r.start <= at && at < r.end) {
            out.push((at..at + 1, text[at..at + 1].to_ascii_uppercase()));
        }
    }
    out.sort_by_key(|e| e.0.start);
    out
}

/// The privacy findings of `text` (one block's text) read as a document of
/// its own, so ranges and fix edits are offsets of `text`: the findings of
/// `phi/name` (without mending), `phi/patient-story` and the identifier rules
/// that run in `cx`'s check.
fn paragraph_findings(cx: &Context, text: &str) -> Vec<Finding> {
    let alone = cx.checker.context(text, crate::markup::Format::PlainText);
    let mut out = Vec::new();
    for b in 0..alone.markup.blocks.len() {
        if cx.rule_enabled(name::Name.meta().id) {
            name::find(&alone, b, &mut out, false);
        }
        for rule in identifiers() {
            if cx.rule_enabled(rule.meta().id) {
                rule.check_block(&alone, b, &mut out);
            }
        }
        if cx.rule_enabled(story::PatientStory.meta().id) {
            story::PatientStory.check_block(&alone, b, &mut out);
        }
    }
    out
}

/// The fix for a redaction of block `block` (`range` of its text replaced by
/// the string) that would leave a privacy finding of its own in the
/// paragraph: replacing “Mrs. Okafor” by “The patient” in “Mrs. Okafor in
/// room 512 made my whole night on Saturday. She is 97 …” opens a story
/// `phi/patient-story` flags (“The patient in room …” with a time). The fix
/// makes, in one edit, the redaction and every other privacy finding's own
/// redaction in the redacted paragraph (a story loses its details; a room
/// number goes with its preposition, since “in room 512” says nothing once
/// the story is gone), so the paragraph is left with no privacy finding:
/// “The patient made my whole night. She is over 90 …”. Each other
/// finding's redaction is a [`Part`] of the fix, which the engine takes out
/// when the writer has suppressed that finding. `None` when the redaction
/// alone leaves nothing new: then it is the fix.
pub fn mend(
    cx: &Context,
    block: usize,
    redaction: (Range<usize>, &str),
    title: &str,
) -> Option<Fix> {
    let b = &cx.markup.blocks[block];
    let text = b.text.as_str();
    let (r, new) = redaction;
    let after = format!("{}{new}{}", &text[..r.start], &text[r.end..]);
    let inserted_end = r.start + new.len();
    // An offset of `after` in `text`; `None` inside the inserted words.
    let back = |i: usize| -> Option<usize> {
        if i <= r.start {
            Some(i)
        } else if i >= inserted_end {
            Some(i - inserted_end + r.end)
        } else {
            None
        }
    };
    let before = paragraph_findings(cx, text);
    let mut found = paragraph_findings(cx, &after);
    let is_new = |f: &Finding| {
        let start = back(f.range.start).unwrap_or(r.start);
        let end = back(f.range.end).unwrap_or(r.end);
        !before
            .iter()
            .any(|g| g.rule == f.rule && g.range == (start..end))
    };
    if !found.iter().any(is_new) {
        return None;
    }
    // A story's details first: its removal of “97-year-old” reads better
    // than a rewritten age inside it.
    found.sort_by_key(|f| (f.rule != story::PatientStory.meta().id, f.range.start));
    let mut new_text = new.to_string();
    // Each finding's redaction (mapped back to `text`) with the finding's
    // rule and range there.
    let mut parts: Vec<(String, Range<usize>, Vec<Edit>)> = Vec::new();
    for f in &found {
        let Some(fix) = f.fixes.iter().find(|x| x.preferred).or(f.fixes.first()) else {
            continue;
        };
        let mut mapped = Vec::new();
        for e in &fix.edits {
            let e = if f.rule == room::RoomNumber.meta().id {
                without_preposition(&after, e)
            } else {
                e.clone()
            };
            // A story's detail that started the sentence leaves the inserted
            // words to start it: capitalise them.
            let first = new.chars().next().map_or(0, char::len_utf8);
            if e.range == (r.start..r.start + first) && first > 0 && e.new_text.len() == first {
                new_text = format!("{}{}", e.new_text, &new[first..]);
                continue;
            }
            match (back(e.range.start), back(e.range.end)) {
                (Some(start), Some(end)) if start <= r.start || start >= r.end => {
                    mapped.push(Edit {
                        range: start..end,
                        new_text: e.new_text,
                    })
                }
                // Nothing inside the inserted words can go.
                _ => {
                    mapped.clear();
                    break;
                }
            }
        }
        let overlaps = |a: &Edit| {
            a.range.start < r.end && r.start < a.range.end
                || parts
                    .iter()
                    .flat_map(|p| &p.2)
                    .any(|x| a.range.start < x.range.end && x.range.start < a.range.end)
        };
        if !mapped.is_empty() && !mapped.iter().any(overlaps) {
            let start = back(f.range.start).unwrap_or(r.start);
            let end = back(f.range.end).unwrap_or(r.end);
            parts.push((f.rule.clone(), start..end, mapped));
        }
    }
    let to_source = |e: Edit| source_edit(cx.text, b, e.range, e.new_text);
    let parts: Vec<Part> = parts
        .into_iter()
        .map(|(rule, range, edits)| Part {
            rule,
            range: b.source_range(range),
            edits: edits.into_iter().map(to_source).collect(),
        })
        .collect();
    let mut edits: Vec<Edit> = parts.iter().flat_map(|p| p.edits.clone()).collect();
    edits.push(to_source(Edit { range: r, new_text }));
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    Some(Fix {
        title: title.to_string(),
        edits,
        safe: false,
        preferred: true,
        parts,
    })
}

/// Edit `e` of `text` (a room number's redaction) widened to remove the
/// number with the preposition before it (“ in room 512”), unless the
/// preposition follows a verb “to be” (“is in room 512” keeps “in a room”).
fn without_preposition(text: &str, e: &Edit) -> Edit {
    let before = &text[..e.range.start];
    for p in [" in ", " at ", " to ", " into ", " from ", " on "] {
        let Some(rest) = before.strip_suffix(p) else {
            continue;
        };
        let verb = rest
            .rsplit(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
            .next()
            .unwrap_or("")
            .to_lowercase();
        let copula = matches!(
            verb.as_str(),
            "is" | "was"
                | "are"
                | "were"
                | "be"
                | "been"
                | "being"
                | "stays"
                | "stayed"
                | "remains"
                | "remained"
                | "still"
        ) || verb.ends_with("'s")
            || verb.ends_with("’s");
        if !copula {
            return Edit {
                range: e.range.start - p.len()..e.range.end,
                new_text: String::new(),
            };
        }
        break;
    }
    e.clone()
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
    crate::rules::regex(p)
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

    /// Applies the only fix of the first `phi/name` finding and returns the
    /// text; asserts the fix is the preferred redaction and that the result
    /// has no privacy finding left.
    fn mended(text: &str) -> String {
        let names: Vec<Finding> = check(text)
            .into_iter()
            .filter(|f| f.rule == "phi/name")
            .collect();
        assert!(!names.is_empty(), "{text:?}");
        assert_eq!(names[0].fixes.len(), 1);
        let fix = &names[0].fixes[0];
        assert!(!fix.safe && fix.preferred);
        assert!(fix.title.contains("remove the details"), "{}", fix.title);
        let out = fix.apply(text);
        let left: Vec<String> = check(&out)
            .into_iter()
            .filter(|f| f.category() == "phi")
            .map(|f| format!("{} {:?}", f.rule, &out[f.range]))
            .collect();
        assert!(left.is_empty(), "{out:?} still has {left:?}");
        out
    }

    /// `examples/the-crossword.md`: “the patient” in place of the name would
    /// open a story (“The patient in room …” on Saturday), so the name's fix
    /// also removes the story's time and room and rewrites the age.
    #[test]
    fn crossword_name_fix_mends_the_story() {
        let t = "Mrs. Okafor in room 512 made my whole night on Saturday. She is 97 and still does\nthe crossword in pen, and she asked me for a seven-letter word for \"kindness\".\n";
        // The name alone would leave a patient story.
        let story = "The patient in room 512 made my whole night on Saturday. She is 97 and still does\nthe crossword in pen, and she asked me for a seven-letter word for \"kindness\".\n";
        assert_eq!(
            found(story, "phi/patient-story"),
            vec!["The patient in room"]
        );
        assert_eq!(
            mended(t),
            "The patient made my whole night. She is over 90 and still does\nthe crossword in pen, and she asked me for a seven-letter word for \"kindness\".\n"
        );
        // The whole example: the paragraph is left with no privacy finding
        // (the image, a block of its own, keeps its own).
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/the-crossword.md");
        let post = std::fs::read_to_string(path).unwrap();
        let name = check(&post)
            .into_iter()
            .find(|f| f.rule == "phi/name")
            .unwrap();
        let out = name.fixes[0].apply(&post);
        assert!(out.contains("The patient made my whole night. She is over 90 and still does\n"));
        let left: Vec<String> = check(&out)
            .into_iter()
            .filter(|f| f.category() == "phi")
            .map(|f| f.rule)
            .collect();
        assert_eq!(left, vec!["phi/patient-image"]);
    }

    #[test]
    fn name_fix_mends_what_the_name_alone_would_leave() {
        // A story: “admitted the patient” with a place.
        assert_eq!(
            mended("Long shift. I admitted Mr. Diaz to the ICU."),
            "Long shift. I admitted the patient."
        );
        // A detail that started the sentence leaves “the patient” to start it.
        assert_eq!(
            mended("Last night Mrs. Okafor in room 512 asked for tea. Her son Mateo came in at 3am on Saturday."),
            "The patient asked for tea. Her son came in at 3am."
        );
        assert_eq!(
            mended("Mrs. Okafor in room 512, 97 years old, made my night on Saturday."),
            "The patient made my night."
        );
        // Emphasis around a removed detail goes with it.
        assert_eq!(
            mended("**Mrs. Okafor** in room 512 made my night on *Saturday*."),
            "**The patient** made my night."
        );
        // Not a story: “the patient” is a person cue that ties the town to
        // a patient, which the name alone did not.
        let t = "Mr. Diaz from Hollandale in bed 4 was discharged today, DOB 3/4/1931.";
        assert!(found(t, "phi/geography").is_empty());
        assert_eq!(
            found(
                "The patient from Hollandale in bed 4 was discharged today, DOB 3/4/1931.",
                "phi/geography"
            ),
            vec!["Hollandale"]
        );
        assert_eq!(
            mended(t),
            "The patient from [redacted] was discharged today, DOB in 1931."
        );
    }

    /// A finding the writer suppressed keeps its words: the mended fix takes
    /// out its part, and the suppression stays in use.
    #[test]
    fn mended_fix_spares_a_suppressed_finding() {
        let md = "<!-- scrubs-disable-next-line phi/room-number -->\nMr. Diaz in bay 3 coded on Christmas Eve.\n";
        let txt = "scrubs: disable-next-line phi/room-number\nMr. Diaz in bay 3 coded on Christmas Eve.\n";
        for (text, format) in [(md, Format::Markdown), (txt, Format::PlainText)] {
            let checker = Checker::default_checker();
            let all = checker.check(text, format);
            let name = all.iter().find(|f| f.rule == "phi/name").unwrap();
            assert!(!all.iter().any(|f| f.rule == "phi/room-number"));
            let out = name.fixes[0].apply(text);
            assert_eq!(
                out,
                text.replace("Mr. Diaz", "The patient")
                    .replace(" on Christmas Eve", "")
            );
            let left: Vec<String> = checker
                .check(&out, format)
                .into_iter()
                .map(|f| f.rule)
                .collect();
            assert!(left.is_empty(), "{out:?}: {left:?}");
            // Without the suppression the room goes too.
            let bare = text.split_once('\n').unwrap().1;
            let name = check(bare)
                .into_iter()
                .find(|f| f.rule == "phi/name")
                .unwrap();
            assert_eq!(name.fixes[0].apply(bare), "The patient coded.\n");
        }
    }

    #[test]
    fn name_fix_stays_the_name_alone_when_that_leaves_nothing_new() {
        let t = "Mrs. Okafor is in room 512 since Saturday and she is 97.";
        let f = check(t).into_iter().find(|f| f.rule == "phi/name").unwrap();
        assert_eq!(f.fixes.len(), 1);
        assert_eq!(
            f.fixes[0].apply(t),
            "The patient is in room 512 since Saturday and she is 97."
        );
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
