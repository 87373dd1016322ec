//! `phi/age-over-89`: a patient's age over 89, in any form.

use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::Lexicon;
use crate::rules::phi::{finding, re, Prose};

pub struct AgeOver89;

static META: RuleMeta = RuleMeta {
    id: "phi/age-over-89",
    default_severity: Severity::Error,
    summary: "A patient's age over 89.",
    what: "Flags a patient's age of 90 or more in any form (“a 97-year-old”, “91yo”, “96 y/o”, “aged 93”, “she is 97”, “nonagenarian”, “centenarian”) when a clinical cue is in view.",
    why: "HIPAA's Safe Harbor method lists every age over 89 as an identifier: few people are that old, so an exact age narrows a patient down to a handful. Ages may only be given as “90 or older”.",
    fix: "Replaces the age with “over 90” (“90-plus” before “year-old”).",
    fires: &[
        "Admitted a 97-year-old with a hip fracture tonight.",
        "Pt is a 91yo F, alert and funny.",
        "My patient in bay 2 is 96 y/o and still flirts.",
        "Our nonagenarian patient went home today.",
        "discharged my favorite centenarian today!!",
        "my pt in bed 7 is 102 and sharper than me.",
    ],
    clean: &[
        "My grandfather turned 91 and still fishes.",
        "Admitted an 89-year-old tonight.",
        "Music from the 90s played all shift.",
        "A hypothetical 95-year-old patient presents with delirium.",
        "BP was 190/95 in room 4.",
        "My pt in bed 3 is 95% on room air.",
        "We do too much CPR on frail 95-year-olds from nursing homes.",
        "Some 90-year-olds want everything, some 60-year-olds want nothing.",
    ],
};

#[derive(Clone)]
struct Pats {
    years: Regex,
    aged: Regex,
    is: Regex,
    sex: Regex,
    words: Regex,
}

const N: &str = r"(9\d|1[01]\d)";

fn pats() -> std::sync::Arc<Pats> {
    static P: crate::rules::compiled::Reloadable<Pats> = crate::rules::compiled::Reloadable::kept(
        || Pats {
            years: re(&format!(
                r"(?i)\b{N}(\s*-?\s*(?:years?|yrs?|y)\s*-?\s*(?:old|o\b|/o\b|\.o\.)|\s*(?:years?|yrs?)\s+of\s+age)"
            )),
            aged: re(&format!(r"(?i)\b(?:aged?|age:)\s+{N}\b")),
            is: re(&format!(
                r"(?i)\b(?:she|he|they|who|patient|pt)(?:\s+(?:in|on)\s+(?:room|bed|bay)?\s*\w{{1,4}})?\s*(?:is|was|['’]s|turned|turns|just\s+turned|will\s+be)\s+{N}\b"
            )),
            sex: re(&format!(r"\b{N}\s?(?:M|F|yo[MF])\b")),
            words: re(
                r"(?i)\b(?:super)?(?:nonagenarian|centenarian)s?\b|\bninety-(?:one|two|three|four|five|six|seven|eight|nine)[- ]years?[- ]old\b",
            ),
        },
    );
    P.get()
}

/// What the `words` pattern needs ("nonagenarian", "centenarian",
/// "ninety-three"), as a gate of the block's one trigger scan.
pub(crate) fn word_gate() -> &'static Lexicon {
    static G: OnceLock<Lexicon> = OnceLock::new();
    G.get_or_init(|| Lexicon::gate(&["narian", "ninety"]))
}

/// Whether the words before a plural age count the people ("two", "3", "both"): then each is
/// one patient of that age.
fn counted(before: &str) -> bool {
    let prev = before
        .trim_end()
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    prev.chars().all(|c| c.is_ascii_digit()) && !prev.is_empty()
        || matches!(
            prev.as_str(),
            "two"
                | "three"
                | "four"
                | "five"
                | "six"
                | "seven"
                | "eight"
                | "nine"
                | "ten"
                | "both"
                | "twin"
                | "twins"
        )
}

impl Rule for AgeOver89 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let text = cx.markup.blocks[block].text.as_str();
        // From the block's one trigger scan: a digit, or an age in words.
        let digit = crate::rules::phi::numbers::digit_gate().triggered_in(cx, block);
        let worded = word_gate().triggered_in(cx, block);
        if !digit && !worded {
            return;
        }
        let p = pats();
        let prose = Prose::of(cx, block);
        let mut seen: Vec<std::ops::Range<usize>> = Vec::new();
        let mut push = |age: std::ops::Range<usize>, edit: std::ops::Range<usize>, new: String| {
            if !prose.real_case(age.start) || !prose.patient_near(age.start) {
                return;
            }
            // "over 90" is the aggregate HIPAA allows.
            let before = text[..edit.start].trim_end().to_ascii_lowercase();
            if before.ends_with("over") || before.ends_with("than") || before.ends_with('>') {
                return;
            }
            if seen.iter().any(|s| s.start < age.end && age.start < s.end) {
                return;
            }
            seen.push(age.clone());
            out.push(finding(
                cx,
                block,
                &META,
                age.clone(),
                format!(
                    "“{}” is an age over 89; HIPAA allows only “90 or older”.",
                    &text[age]
                ),
                "Replace the age with “over 90”",
                vec![(edit, new)],
            ));
        };
        if digit {
            for c in p.years.captures_iter(text) {
                let (Some(m), Some(n), Some(unit)) = (c.get(0), c.get(1), c.get(2)) else {
                    continue;
                };
                // "95-year-olds": a group, unless counted ("two 95-year-olds came in tonight").
                if text[m.end()..].starts_with('s') && !counted(&text[..m.start()]) {
                    continue;
                }
                let hyphenated = unit.as_str().trim_start().starts_with('-');
                let new = if hyphenated {
                    "90-plus".to_string()
                } else {
                    "over 90".to_string()
                };
                push(m.range(), n.range(), new);
            }
            for pat in [&p.aged, &p.is] {
                for c in pat.captures_iter(text) {
                    let (Some(m), Some(n)) = (c.get(0), c.get(1)) else {
                        continue;
                    };
                    if unit_follows(&text[n.end()..]) {
                        continue;
                    }
                    push(m.range(), n.range(), "over 90".into());
                }
            }
            for c in p.sex.captures_iter(text) {
                let (Some(m), Some(n)) = (c.get(0), c.get(1)) else {
                    continue;
                };
                push(m.range(), n.range(), "90-plus".into());
            }
        }
        if worded {
            for m in p.words.find_iter(text) {
                push(m.range(), m.range(), "person over 90".into());
            }
        }
    }
}

/// Whether a measurement unit follows a number ("97%", "95 kg", "92/60"):
/// then it is not an age.
fn unit_follows(rest: &str) -> bool {
    let r = rest.trim_start();
    if r.starts_with(['%', '/', '.', '°']) && !r.starts_with(". ") && r != "." {
        return true;
    }
    let w: String = r
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    matches!(
        w.as_str(),
        "percent"
            | "kg"
            | "kgs"
            | "lb"
            | "lbs"
            | "pounds"
            | "minutes"
            | "mins"
            | "min"
            | "degrees"
            | "bpm"
            | "mmhg"
            | "cm"
            | "mm"
            | "ml"
            | "mg"
            | "units"
            | "hours"
            | "days"
            | "seconds"
            | "inches"
            | "feet"
            | "miles"
            | "beats"
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::phi::tests::{fixed, found};

    #[test]
    fn forms_of_age() {
        for (t, e) in [
            ("Admitted a 97-year-old tonight.", "97-year-old"),
            ("Pt is a 91yo F.", "91yo"),
            ("Pt is 96 y/o.", "96 y/o"),
            ("Pt aged 93 went home.", "aged 93"),
            ("Our nonagenarian patient went home.", "nonagenarian"),
        ] {
            assert_eq!(found(t, "phi/age-over-89"), vec![e], "{t}");
        }
        assert!(found("Pt's sats were 95% on room air.", "phi/age-over-89").is_empty());
        assert!(found("She is 92 kg, pt in bed 2.", "phi/age-over-89").is_empty());
    }

    #[test]
    fn fixes() {
        assert_eq!(
            fixed("Admitted a 97-year-old tonight.", "phi/age-over-89"),
            "Admitted a 90-plus-year-old tonight."
        );
        assert_eq!(
            fixed("Pt is 96 y/o.", "phi/age-over-89"),
            "Pt is over 90 y/o."
        );
    }
}
