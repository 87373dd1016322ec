//! `phi/geography`: a patient's street address, town, county or ZIP code.

use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::context::first_person_before;
use crate::rules::cues::Lexicon;
use crate::rules::phi::{finding, has_person_cue, re, Prose};

pub struct Geography;

static META: RuleMeta = RuleMeta {
    id: "phi/geography",
    default_severity: Severity::Error,
    summary: "A patient's street address, town, county or ZIP code.",
    what: "Flags a place smaller than a state tied to a patient or relative: a street address, a 5-digit ZIP code after a ZIP cue, a town after “from” / “lives in”, a county.",
    why: "HIPAA's Safe Harbor method lists every geographic subdivision smaller than a state; in a small town, “a farmer from Hollandale” is one person.",
    fix: "Replaces the place with “[redacted]”.",
    fires: &[
        "My patient lives at 412 Elm Street and has no one to check on her.",
        "Pt from Hollandale came in after the storm.",
        "Our patient from Dakota County finally went home.",
        "Admitted a 96 y/o from the nursing home in Wabasha with urosepsis.",
    ],
    clean: &[
        "I live on Elm Street and love it.",
        "The lady from Wabasha who sells honey at the market is back!",
        "Patients from Minnesota often travel for care.",
        "We drove from Chicago for the conference.",
    ],
};

#[derive(Clone)]
struct Pats {
    street: Regex,
    zip: Regex,
    town: Regex,
    county: Regex,
}

fn pats() -> std::sync::Arc<Pats> {
    static P: crate::rules::compiled::Reloadable<Pats> = crate::rules::compiled::Reloadable::kept(
        || Pats {
            street: re(
                r"\b\d{1,5}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Circle|Cir|Highway|Hwy|Parkway|Pkwy)\b\.?",
            ),
            zip: re(
                r"(?i)\b(?:zip(?:\s*code)?|postal\s+code)\s*[:#]?\s*(?:is\s+|of\s+)?(\d{5}(?:-\d{4})?)\b",
            ),
            town: re(
                r"\b(?:from|lives in|living in|lived in|resident of|home in|out of|transferred from|native of)\s+((?:[A-Z][a-z]+[\s-]){0,2}[A-Z][a-z]+)\b",
            ),
            county: re(r"\b((?:[A-Z][a-z]+\s){1,2}(?:County|Parish|Township))\b"),
        },
    );
    P.get()
}

/// Literals one of which every match of a pattern of [`pats`] holds (the
/// street pattern needs a digit instead): blocks without any are not
/// searched with it.
pub(crate) struct Gates {
    pub zip: Lexicon,
    pub town: Lexicon,
    pub county: Lexicon,
}

pub(crate) fn gates() -> &'static Gates {
    static G: OnceLock<Gates> = OnceLock::new();
    G.get_or_init(|| Gates {
        zip: Lexicon::gate(&["zip", "postal"]),
        town: Lexicon::gate(&[
            "from",
            "lives in",
            "living in",
            "lived in",
            "resident of",
            "home in",
            "out of",
            "native of",
        ]),
        county: Lexicon::gate(&["county", "parish", "township"]),
    })
}

const NOT_TOWNS: &[&str] = &[
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "West Virginia",
    "Wisconsin",
    "Wyoming",
    "Canada",
    "Mexico",
    "America",
    "Europe",
    "Asia",
    "Africa",
    "I",
    "The",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Mayo",
    "Mayo Clinic",
    "MSK",
    "Mass General",
    "ICU",
    "ER",
    "ED",
    "OR",
    "God",
    "Heaven",
    "Hospice",
    "Surgery",
];

/// Whether "from X" / "in X" names a town: not a state, country, month,
/// weekday or unit.
pub fn is_town(phrase: &str) -> bool {
    let name = phrase
        .split_once(char::is_whitespace)
        .map(|(_, n)| n.trim())
        .unwrap_or(phrase);
    !NOT_TOWNS.contains(&name)
        && !name
            .split_whitespace()
            .any(|w| NOT_TOWNS.contains(&w) || w.chars().all(|c| c.is_uppercase()))
}

impl Rule for Geography {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let text = cx.markup.blocks[block].text.as_str();
        if !text
            .bytes()
            .any(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return;
        }
        let p = pats();
        let g = gates();
        let prose = Prose::of(cx, block);
        let mut hits: Vec<std::ops::Range<usize>> = Vec::new();
        if crate::rules::phi::has_digit(text) {
            for m in p.street.find_iter(text) {
                hits.push(m.range());
            }
        }
        for c in p.zip.captures_iter(g.zip.gated(cx, block)) {
            if let Some(g) = c.get(1) {
                hits.push(g.range());
            }
        }
        for c in p.town.captures_iter(g.town.gated(cx, block)) {
            if let Some(g) = c.get(1) {
                if !NOT_TOWNS.contains(&g.as_str())
                    && !cx.mentions.iter().any(|mm| {
                        mm.block == block
                            && mm.text_range.start <= g.start()
                            && g.start() < mm.text_range.end
                    })
                {
                    hits.push(g.range());
                }
            }
        }
        for c in p.county.captures_iter(g.county.gated(cx, block)) {
            if let Some(g) = c.get(1) {
                hits.push(g.range());
            }
        }
        hits.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let mut last_end = 0;
        for r in hits {
            if r.start < last_end {
                continue;
            }
            let sentence = prose.sentence(r.start);
            if !prose.real_case(r.start)
                || first_person_before(text, r.start, 4)
                || !(has_person_cue(sentence) && prose.patient_near(r.start))
            {
                continue;
            }
            last_end = r.end;
            out.push(finding(
                cx,
                block,
                &META,
                r.clone(),
                format!(
                    "“{}” is a place smaller than a state tied to a patient.",
                    &text[r.clone()]
                ),
                "Redact the place",
                vec![(r, "[redacted]".into())],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::phi::tests::fixed;

    #[test]
    fn fix() {
        assert_eq!(
            fixed(
                "Pt from Hollandale came in after the storm.",
                "phi/geography"
            ),
            "Pt from [redacted] came in after the storm."
        );
    }
}
