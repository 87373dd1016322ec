//! `phi/date`: a date more specific than the year, tied to a patient.

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::context::first_person_before;
use crate::rules::phi::{finding, re, with_space_before, Prose};

pub struct Date;

static META: RuleMeta = RuleMeta {
    id: "phi/date",
    default_severity: Severity::Error,
    summary: "A patient's birth, admission, discharge, surgery or death date.",
    what: "Flags a date more specific than the year (“July 4th, 1931”, “2/11”, “March 3”) right after a cue that ties it to a patient: born, DOB, admitted, discharged, surgery, died, coded. Dates of grand rounds, deadlines or publications, a year alone, and the writer's own dates (“my surgery on May 3”) are left alone.",
    why: "HIPAA's Safe Harbor method lists every element of a date (except the year) directly related to an individual: a birth or admission date plus a unit is often enough to find the patient.",
    fix: "Replaces the date with its year (“in 1931”), or removes it when it has none.",
    fires: &[
        "Sweet lady in bed 2, born July 4th, 1931, told me stories all night.",
        "Pt admitted 2/11 with sepsis, finally going home.",
        "DOB 03/14/1950, pt in bed 4.",
        "My patient was discharged on March 3 after six weeks.",
        "Mr. Abernathy walked 200 ft today after his CABG on 3/14.",
    ],
    clean: &[
        "Grand rounds on March 3: surgery for the elderly.",
        "Abstract deadline is 2/11!",
        "After my own knee surgery on May 3, 2022 I have more empathy.",
        "BP 120/80, Norco 5/325 PRN.",
        "3/4 of patients admitted this year were over 65.",
        "I was admitted in 2019 for appendicitis.",
        "Apgar 8 and 9 for my own baby girl, born 6/2 at 3:14am, I'm an L&D nurse.",
    ],
};

const MONTH: &str = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";

#[derive(Clone)]
struct Pats {
    cue: Regex,
    date: Regex,
}

fn pats() -> std::sync::Arc<Pats> {
    static P: crate::rules::compiled::Reloadable<Pats> = crate::rules::compiled::Reloadable::kept(
        || Pats {
            cue: re(
                r"(?i)\b(?:born|DOB|D\.O\.B\.|date of birth|birthday|admitted|admit date|admission date|discharged|discharge date|CABG|procedure|operation|transplant|amputation|operated on|had surgery|surgery|died|passed away|date of death|DOD|expired|delivered|coded|transferred|presented|came in|brought in)\b\s*[:#]?\s*",
            ),
            date: re(&format!(
                r"\A(?:(?i:on|in)\s+)?(?:(?:(?i:mon|tues|wednes|thurs|fri|satur|sun)day),?\s+)?(?:(?P<num>(?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\d|3[01]))(?:[/.-](?P<ny>(?:19|20)\d\d|\d\d))?\b|(?P<iso>(?P<iy>(?:19|20)\d\d)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))\b|(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\.?(?:,?\s+(?P<y1>(?:19|20)\d\d))?)\b|{MONTH}\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+(?P<y2>(?:19|20)\d\d))?\b)"
            )),
        },
    );
    P.get()
}

/// Sentences about events, not patients.
const EVENTS: &[&str] = &[
    "grand rounds",
    "deadline",
    "published",
    "publication",
    "conference",
    "webinar",
    "lecture",
    "meeting",
    "due",
    "submission",
    "abstract",
    "journal",
    "symposium",
    "orientation",
    "seminar",
    "exam",
    "graduation",
];

impl Rule for Date {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let text = cx.markup.blocks[block].text.as_str();
        let p = pats();
        let prose = Prose::of(cx, block);
        for cue in p.cue.find_iter(text) {
            let rest = &text[cue.end()..];
            // Allow a few words between cue and date ("admitted to the ICU on 2/11").
            let mut found = None;
            let mut offset = 0;
            for _ in 0..5 {
                if let Some(c) = p.date.captures(&rest[offset..]) {
                    found = Some((offset, c));
                    break;
                }
                let r = &rest[offset..];
                let Some(sp) = r.find(' ') else { break };
                if r[..sp].contains(['.', ',', ';', '!', '?']) {
                    break;
                }
                offset += sp + 1;
            }
            let Some((offset, c)) = found else { continue };
            let m = c.get(0).expect("whole match");
            let start = cue.end() + offset + m.start();
            let end = cue.end() + offset + m.end();
            let date_text = text[start..end].trim_end();
            let end = start + date_text.len();
            let lower = date_text.to_ascii_lowercase();
            let bare = lower.trim_start_matches("on ").trim_start_matches("in ");
            // A month alone without a preposition or a year is too weak ("born May").
            let has_day_or_year = bare.chars().any(|ch| ch.is_ascii_digit());
            if !has_day_or_year && !lower.starts_with("on ") && !lower.starts_with("in ") {
                continue;
            }
            // A year alone is allowed.
            if bare.len() == 4 && bare.chars().all(|ch| ch.is_ascii_digit()) {
                continue;
            }
            let sentence = prose.sentence(start).to_ascii_lowercase();
            if EVENTS.iter().any(|e| sentence.contains(e))
                || !prose.real_case(start)
                || writers_own(text, cue.start())
            {
                continue;
            }
            let cue_word = text[cue.range()].trim().to_ascii_lowercase();
            let birth = cue_word.starts_with("born") || cue_word.starts_with("birth");
            if birth && !prose.patient_near(start) {
                continue;
            }
            let year = c
                .name("ny")
                .or(c.name("iy"))
                .or(c.name("y1"))
                .or(c.name("y2"))
                .map(|y| y.as_str().to_string());
            let year = year.map(|y| if y.len() == 2 { format!("’{y}") } else { y });
            let (title, edit) = match year {
                Some(y) => ("Keep only the year", (start..end, format!("in {y}"))),
                None => (
                    "Remove the date",
                    (with_space_before(text, start..end), String::new()),
                ),
            };
            out.push(finding(
                cx,
                block,
                &META,
                start..end,
                format!("“{date_text}” is a date tied to a patient; HIPAA allows only the year."),
                title,
                vec![edit],
            ));
        }
    }
}

/// Whether the date is the writer's own or their family's ("my surgery",
/// "I was admitted", "my daughter was born"): first person just before the
/// cue, with no patient word in between.
fn writers_own(text: &str, cue: usize) -> bool {
    let before = &text[crate::rules::context::window(text, cue..cue, 60, 0).start..cue];
    let words: Vec<String> = before
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_ascii_lowercase()
        })
        .collect();
    // "my own baby girl, born 6/2": the writer's family a few words back.
    let n = if first_person_before(text, cue, 3) {
        3
    } else if first_person_before(text, cue, 6)
        && words[words.len().saturating_sub(5)..].iter().any(|w| {
            matches!(
                w.as_str(),
                "own"
                    | "baby"
                    | "son"
                    | "daughter"
                    | "kid"
                    | "child"
                    | "twins"
                    | "grandson"
                    | "granddaughter"
                    | "nephew"
                    | "niece"
            )
        })
    {
        6
    } else {
        return false;
    };
    !words[words.len().saturating_sub(n)..]
        .iter()
        .any(|w| w.starts_with("patient") || w.starts_with("pt") || w.starts_with("client"))
}

#[cfg(test)]
mod tests {
    use crate::rules::phi::tests::{fixed, found};

    #[test]
    fn dates_after_cues() {
        assert_eq!(
            found("Pt admitted 2/11 with sepsis.", "phi/date"),
            vec!["2/11"]
        );
        assert_eq!(
            found("Sweet lady born July 4th, 1931 in bed 2.", "phi/date"),
            vec!["July 4th, 1931"]
        );
        assert_eq!(
            found("Pt admitted to the ICU on 2/11.", "phi/date"),
            vec!["on 2/11"]
        );
    }

    #[test]
    fn fixes() {
        assert_eq!(
            fixed("Sweet lady born on July 4th, 1931 in bed 2.", "phi/date"),
            "Sweet lady born in 1931 in bed 2."
        );
        assert_eq!(
            fixed("Pt admitted on 2/11 with sepsis.", "phi/date"),
            "Pt admitted with sepsis."
        );
    }
}
