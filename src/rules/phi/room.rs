//! `phi/room-number`: a patient's room, bay or bed.

use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::phi::{finding, has_digit, Prose};

pub struct RoomNumber;

static META: RuleMeta = RuleMeta {
    id: "phi/room-number",
    default_severity: Severity::Error,
    summary: "A patient's room, bay or bed number.",
    what: "Flags a room, bay, bed, pod or cubicle number (“room 512”, “bay 3”, “bed 4B”) when a patient is in view. Conference rooms, break rooms and lecture halls are left alone.",
    why: "A room number plus a day and a unit points straight at one patient; colleagues, visitors and the patient's family can tell who it is. HIPAA counts any unique identifying characteristic.",
    fix: "Replaces the number with “a room” (“a bay”, “a bed”).",
    fires: &[
        "The gentleman in bay 3 asked me to marry him.",
        "Mrs. Okafor in room 512 kept asking for tea.",
        "Pt in bed 4B pulled out his IV again.",
        "Night shift: mrs. delacroix in 14B let me wash her hair.",
        "the gomer in 12 was pulling his lines out all night",
    ],
    clean: &[
        "Grand rounds are in room 101 at noon.",
        "Left my lunch in break room 3.",
        "Room 512 at the Marriott was lovely.",
        "Patient rooms on 5 West were repainted.",
        "The man in 2019 who sold me a car was nice.",
        "The guy in 12 hours will be home, my shift is long.",
        "modeling my new lead apron in x-ray room 2 before the first patient of the day",
        "charge nurse brought cheeseburgers and room 3 (the call room, relax) smelled like a grill",
        "my dad is in room 214 at county general, they say it's his heart again",
    ],
};

/// A person and a bare bed number: "mrs. delacroix in 14B", "the gomer in 12".
/// After a titled name only a bed label with a letter counts: the authors'
/// corpus leaves "Mr. Abernathy in 14" to `phi/name` alone.
fn bare() -> std::sync::Arc<Regex> {
    static P: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:(?:mrs|mr|ms|miss)\.?\s+[a-z][a-z'’-]+\s+in\s+(\d{1,3}[a-z])|(?:lady|gentleman|man|woman|guy|gomer|patient|pt|kid|girl|boy|baby|grandma|grandpa|sir)\s+in\s+(\d{1,3}[a-z]?))\b",
    );
    P.get()
}

fn pat() -> std::sync::Arc<Regex> {
    static P: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(room|rm\.?|bay|bed|bedspace|pod|cubicle|stretcher|isolette|crib|exam room|trauma bay)\s*(?:#|no\.?|number)?\s*(\d{1,4}[a-z]?|[a-z]\d{1,3})\b",
    );
    P.get()
}

const NOT_PATIENT_ROOMS: &[&str] = &[
    "conference",
    "break",
    "meeting",
    "class",
    "lecture",
    "waiting",
    "call",
    "board",
    "locker",
    "living",
    "dining",
    "bath",
    "hotel",
    "dorm",
    "chat",
    "zoom",
    "escape",
    "study",
    "storage",
    "supply",
    "utility",
    "staff",
    "team",
    "training",
    // "x-ray room 2": the word before is read as "ray".
    "ray",
    "equipment",
];

/// Words before a room that make it a relative's ("my dad is in room 214"): the writer's family,
/// not a patient of theirs. ("I was in room 12" is not one: the writer may be at a patient's
/// bedside.)
fn family_before(before: &str) -> bool {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\bmy\s+(?:great[- ])?(?:grand)?(?:mom|mother|ma|dad|father|pa|parents?|son|daughter|kid|baby|wife|husband|partner|brother|sister|aunt|uncle|cousin|nana|granny)\s+(?:(?:is|was|are|were|has\s+been|still|now|back|stayed|staying)\s+)*in\s*$",
    );
    R.get().is_match(before)
}

/// A room named after its number as one that holds no patient: "room 3 (the call room)".
fn named_after(after: &str) -> bool {
    let a = after.trim_start().to_ascii_lowercase();
    let Some(inside) = a.strip_prefix('(') else {
        return false;
    };
    let inside = inside.strip_prefix("the ").unwrap_or(inside);
    NOT_PATIENT_ROOMS
        .iter()
        .any(|r| inside.starts_with(&format!("{r} room")))
        || inside.starts_with("equipment")
}

const EVENTS: &[&str] = &[
    "grand rounds",
    "lecture",
    "meeting",
    "conference",
    "class",
    "seminar",
    "orientation",
    "huddle",
    "training",
    "in-service",
    "inservice",
    "webinar",
    "hotel",
    "marriott",
    "hilton",
    "potluck",
    "party",
];

impl Rule for RoomNumber {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let text = cx.markup.blocks[block].text.as_str();
        if !has_digit(text) {
            return;
        }
        let prose = Prose::of(cx, block);
        for c in pat().captures_iter(text) {
            let (Some(m), Some(word)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let prev = text[..m.start()]
                .trim_end()
                .rsplit(|ch: char| !ch.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if NOT_PATIENT_ROOMS.contains(&prev.as_str())
                || family_before(&text[..m.start()])
                || named_after(&text[m.end()..])
            {
                continue;
            }
            let sentence = prose.sentence(m.start()).to_ascii_lowercase();
            if EVENTS.iter().any(|e| sentence.contains(e)) || !prose.real_case(m.start()) {
                continue;
            }
            // A patient in view other than the room word itself.
            let around = prose.neighbourhood(m.start(), 1);
            let without = around.replacen(m.as_str(), "", 1);
            if !crate::rules::phi::has_patient_cue(&without) && !person_in(&without) {
                continue;
            }
            let w = word.as_str().to_ascii_lowercase();
            let noun = match w.trim_end_matches('.') {
                "rm" | "exam room" => "room".to_string(),
                "bedspace" => "bed".to_string(),
                other => other.to_string(),
            };
            let det = matches!(prev.as_str(), "the" | "a" | "an" | "her" | "his" | "their");
            let new = if det { noun } else { format!("a {noun}") };
            out.push(finding(
                cx,
                block,
                &META,
                m.range(),
                format!(
                    "“{}” places a patient; with a day or unit it identifies them.",
                    m.as_str()
                ),
                "Replace with “a room”",
                vec![(m.range(), new)],
            ));
        }
        for c in bare().captures_iter(text) {
            let Some(n) = c.get(1).or(c.get(2)) else {
                continue;
            };
            let rest = text[n.end()..].trim_start();
            let unit: String = rest
                .chars()
                .take_while(|ch| ch.is_alphabetic())
                .collect::<String>()
                .to_ascii_lowercase();
            if rest.starts_with(['%', '/', ':', '.', ','])
                && !rest.starts_with(". ")
                && !rest.starts_with(", ")
                || matches!(
                    unit.as_str(),
                    "hours"
                        | "hrs"
                        | "minutes"
                        | "mins"
                        | "min"
                        | "days"
                        | "weeks"
                        | "months"
                        | "years"
                        | "yrs"
                        | "am"
                        | "pm"
                        | "seconds"
                        | "secs"
                        | "times"
                        | "percent"
                        | "of"
                        | "and"
                        | "or"
                        | "to"
                )
            {
                continue;
            }
            let sentence = prose.sentence(n.start()).to_ascii_lowercase();
            if EVENTS.iter().any(|e| sentence.contains(e)) || !prose.real_case(n.start()) {
                continue;
            }
            let around = prose.neighbourhood(n.start(), 1);
            if !crate::rules::phi::has_patient_cue(around) && !person_in(around) {
                continue;
            }
            out.push(finding(
                cx,
                block,
                &META,
                n.range(),
                format!(
                    "“in {}” places a patient in a bed or room; with a day or unit it identifies them.",
                    n.as_str()
                ),
                "Replace with “a room”",
                vec![(n.range(), "a room".to_string())],
            ));
        }
    }
}

/// A person word ("she", "Mrs.", "gentleman", "kid") in `s`.
fn person_in(s: &str) -> bool {
    use crate::rules::context::CueSet;
    static S: OnceLock<CueSet> = OnceLock::new();
    S.get_or_init(|| {
        CueSet::new(&[
            "she",
            "he",
            "her",
            "his",
            "him",
            "they",
            "Mrs",
            "Mr",
            "Ms",
            "lady",
            "gentleman",
            "man",
            "woman",
            "guy",
            "kid",
            "baby",
            "girl",
            "boy",
            "toddler",
            "infant",
            "teen",
            "grandma",
            "grandpa",
            "family",
            "mom",
            "dad",
            "husband",
            "wife",
            "son",
            "daughter",
        ])
    })
    .any(s)
}

#[cfg(test)]
mod tests {
    use crate::rules::phi::tests::{fixed, found};

    #[test]
    fn rooms() {
        assert_eq!(
            found("The gentleman in bay 3 sang.", "phi/room-number"),
            vec!["bay 3"]
        );
        assert!(found("Meet in conference room 3 at noon.", "phi/room-number").is_empty());
        assert_eq!(
            fixed("The gentleman in bay 3 sang.", "phi/room-number"),
            "The gentleman in a bay sang."
        );
    }
}
