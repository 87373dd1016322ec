//! `phi/patient-story`: a story about one patient with details that make
//! them recognisable.

use std::ops::Range;

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::context::negated_before;
use crate::rules::phi::{finding, re, removals, Prose};

pub struct PatientStory;

static META: RuleMeta = RuleMeta {
    id: "phi/patient-story",
    default_severity: Severity::Warning,
    summary: "A story about a specific patient with details that make them recognisable.",
    what: "Flags a reference to one patient (“my patient”, “a patient I saw”, “the gentleman in bay 3”, “the lady we coded”, a resident, client, research subject, donor or cadaver; animals for UMN) together with a time, a unit, an age, a rare condition or an event. The finding sits on the opening phrase and names what makes the patient recognisable.",
    why: "Most identifiable posts carry no classic identifier: a time, a place and an unusual detail are enough for a colleague, a neighbour or the patient to recognise the story. The University of Minnesota prohibits patient stories even when de-identified; the others require that no one could recognise the patient.",
    fix: "Offers “Remove identifying details”, which removes the time, place, age and event phrases; rewrite the story so it is about a lesson, not a person.",
    fires: &[
        "My patient during Saturday's night shift coded twice and made it.",
        "Had a 34-year-old patient in the ICU today who taught me so much.",
        "The lady we coded last night had the rarest tumour I've ever seen.",
        "One of my patients from the tornado in Hollandale went home today.",
        "On my peds rotation last week a 6 year old with new onset DKA asked me if she was going to die.",
        "Research subject #014 in our trial dropped out after the 2nd infusion.",
    ],
    clean: &[
        "Patients with diabetes should check their feet daily.",
        "Patient safety is everyone's job.",
        "Never post a story about your patient from last night's shift.",
        "Imagine a patient in the ICU today who refuses care.",
        "My patient taught me to slow down.",
        "The 93-year-old in the new Pixar short made me cry on the plane.",
        "Teaching point: a 90-year-old with a UTI may present only with confusion.",
        "Our bus driver was in the ER lobby today to pick up his wife, so sweet.",
        "quick post before my next patient today: DEADLIFT PR THIS MORNING",
    ],
};

#[derive(Clone)]
struct Pats {
    opening: Regex,
    quasi: Vec<(&'static str, Regex)>,
}

const PERSON: &str = r"(?:patient|pt|client|resident|cadaver|donor|research\s+(?:subject|participant)|study\s+(?:subject|participant)|lady|gentleman|man|woman|guy|kid|baby|girl|boy|teen|toddler|infant|grandma|grandpa|veteran|mom|dad)";

fn pats() -> std::sync::Arc<Pats> {
    static P: crate::rules::compiled::Reloadable<Pats> = crate::rules::compiled::Reloadable::kept(
        || Pats {
            opening: re(&format!(
                r"(?i)\b(?:(?:my|our|this|that)\s+(?:[a-z-]+\s+){{0,2}}?(?:patient|pt|client|cadaver|donor|research\s+(?:subject|participant)|study\s+(?:subject|participant))\b|one\s+of\s+(?:my|our)\s+(?:[a-z-]+\s+)?(?:patients|pts|clients|residents)\b|(?:a|one)\s+(?:[a-z-]+\s+){{0,2}}?(?:patient|pt)\s+(?:I|we)\s+(?:saw|had|treated|cared\s+for|admitted|discharged|met|took\s+care\s+of|looked\s+after|coded|triaged|intubated|lost|delivered)\b|(?:(?:I|we)\s+)?(?:had|have|got|admitted|discharged|treated|saw|coded|lost|intubated|delivered)\s+(?:a|an|this|the)\s+(?:[a-z0-9-]+\s+){{0,3}}?{PERSON}\b|the\s+(?:[a-z-]+\s+){{0,2}}?{PERSON}\s+(?:in|from|on)\s+(?:bay|bed|room|rm|pod|the\s+ICU|the\s+ER|the\s+ED|trauma)\b|the\s+(?:[a-z0-9-]+\s+){{0,2}}?{PERSON}\s+(?:in|on|from)\s+(?:our|my|the)\s+(?:[a-z-]+\s+)?(?:floor|unit|ward|wing)\b|(?:the|that|this)\s+\d{{1,3}}[- ]?(?:year|yr|month|week|day)s?[- ]old\b|a\s+\d{{1,3}}[- ]?(?:year|yr|month|week|day)s?[- ]old\s+(?:with|w/)\s+(?:new[- ]onset\s+|a\s+|an\s+)?[a-z]|(?:research|study)\s+(?:subject|participant)\s+(?:#|no\.?\s*|number\s+)\d+|the\s+(?:[a-z-]+\s+)?(?:driver|passenger|victim|pedestrian|cyclist|biker|hiker|shooter|swimmer)\s+(?:was|is)\s+(?:in|on)\s+(?:our|my|the)\s+(?:trauma\s+bay|ICU|ER|ED|OR|unit|floor|resus)\b|the\s+(?:[a-z-]+\s+){{0,2}}?{PERSON}\s+(?:we|I)\s+(?:coded|lost|intubated|admitted|treated|saw|delivered|resuscitated|discharged)\b)"
            )),
            quasi: vec![
                (
                    "a time",
                    re(
                        r"(?i)\b(?:(?:during|on|over|at)\s+)?(?:(?:this|last|yesterday['’]s|tonight['’]s|last\s+night['’]s)\s+)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day(?:['’]s)?|today|tonight|yesterday|this\s+(?:morning|afternoon|evening|week|weekend)|last\s+(?:night|week|weekend|month|shift)|night\s+shift|day\s+shift|christmas(?:\s+(?:eve|day))?|thanksgiving|new\s+year['’]s(?:\s+eve)?|easter|halloween)(?:\s+(?:night|morning|evening|afternoon))?(?:\s+shift)?\b",
                    ),
                ),
                (
                    "a rotation",
                    re(
                        r"(?i)\bon\s+(?:my|our)\s+(?:[a-z-]+\s+){0,2}?rotation(?:\s+last\s+(?:week|month))?\b",
                    ),
                ),
                (
                    "a place",
                    re(
                        r"(?i)\b(?:in|on|at|to|from)\s+(?:the\s+|our\s+|my\s+)?(?:(?-i:ICU|MICU|SICU|CVICU|NICU|PICU|ER|ED|OR|PACU|L&D)|labor\s+and\s+delivery|trauma\s+bay|step-?down|med-?surg|burn\s+unit|psych\s+ward|nursing\s+home|\d+(?:st|nd|rd|th)\s+floor|[a-z]+\s+unit)\b",
                    ),
                ),
                (
                    "a town",
                    re(r"\b(?:from|in|near)\s+(?:[A-Z][a-z]+\s)?[A-Z][a-z]+\b"),
                ),
                (
                    "a study number",
                    re(r"(?i)\b(?:subject|participant)\s+(?:#|no\.?\s*|number\s+)\d+"),
                ),
                (
                    "an age",
                    re(
                        r"(?i)\b(?:\d{1,3}[- ](?:year|yr|month|week|day)s?[- ]old|\d{1,3}\s?(?:yo|y/o|y\.o\.))\b",
                    ),
                ),
                (
                    "a rare condition",
                    re(
                        r"(?i)\b(?:(?:the\s+)?rarest|(?:a\s+)?rare(?:\s+[a-z]+)?|one[- ]in[- ]a[- ]million|first\s+case|never\s+seen\s+before|textbook\s+case|conjoined\s+twins|quintuplets|sextuplets|octuplets|progeria|harlequin\s+ichthyosis|leprosy|ebola|rabies)\b",
                    ),
                ),
                (
                    "an event",
                    re(
                        r"(?i)\b(?:after|from|in|during)\s+(?:the|that|this|last\s+night['’]s|yesterday['’]s)\s+(?:[a-z-]+\s+){0,2}?(?:tornado|hurricane|flood|fire|crash|wreck|pile-?up|shooting|explosion|storm|accident|earthquake|derailment|collapse|stabbing|attack)(?:\s+(?:in|on|at)\s+(?-i:[A-Z])[\w-]+(?:\s+(?-i:[A-Z])[\w-]+)?)?",
                    ),
                ),
            ],
        },
    );
    P.get()
}

impl Rule for PatientStory {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let text = cx.markup.blocks[block].text.as_str();
        let p = pats();
        let prose = Prose::of(cx, block);
        let mut covered_until = 0;
        for m in p.opening.find_iter(text) {
            if m.start() < covered_until {
                continue;
            }
            let opening = m.as_str().to_ascii_lowercase();
            // "my patient teacher", "our patient safety team".
            let next: String = text[m.end()..]
                .trim_start_matches([' ', '-'])
                .chars()
                .take_while(|c| c.is_alphabetic())
                .collect::<String>()
                .to_ascii_lowercase();
            if opening.ends_with("patient")
                && matches!(
                    next.as_str(),
                    "safety"
                        | "care"
                        | "centred"
                        | "centered"
                        | "experience"
                        | "portal"
                        | "education"
                        | "advocate"
                        | "satisfaction"
                        | "teacher"
                        | "person"
                        | "population"
                        | "outcomes"
                )
            {
                continue;
            }
            // An image's alt text is the image rule's business.
            let src = cx.markup.blocks[block].source_range(m.range());
            if cx
                .markup
                .images
                .iter()
                .any(|i| i.range.start <= src.start && src.end <= i.range.end)
            {
                continue;
            }
            if !prose.real_case(m.start()) || negated_before(text, m.start()) {
                continue;
            }
            // "before my next patient", "after my last patient": a patient in passing, marking
            // the writer's time, not the subject of a story.
            if (opening.starts_with("my next ") || opening.starts_with("my last "))
                && text[..m.start()]
                    .split_whitespace()
                    .next_back()
                    .is_some_and(|w| {
                        ["before", "after", "until", "till", "between"]
                            .iter()
                            .any(|x| w.eq_ignore_ascii_case(x))
                    })
            {
                continue;
            }
            // "every one of our patients" is all of them, not one.
            if opening.starts_with("one")
                && text[..m.start()]
                    .split_whitespace()
                    .next_back()
                    .is_some_and(|w| {
                        ["every", "each", "any"]
                            .iter()
                            .any(|x| w.eq_ignore_ascii_case(x))
                    })
            {
                continue;
            }
            // Quasi-identifiers in the opening's sentence and the next one.
            let i = crate::rules::context::sentence_index(prose.sentences(), m.start());
            let scope = match (prose.sentences().get(i), prose.sentences().get(i + 1)) {
                (Some(a), Some(b)) if !prose.real_case(b.start) => a.start..a.end,
                (Some(a), Some(b)) => a.start..b.end,
                (Some(a), None) => a.start..a.end,
                _ => 0..text.len(),
            };
            let mut kinds: Vec<&str> = Vec::new();
            let mut spans: Vec<Range<usize>> = Vec::new();
            for (kind, q) in &p.quasi {
                for qm in q.find_iter(&text[scope.clone()]) {
                    let r = scope.start + qm.start()..scope.start + qm.end();
                    if *kind == "a town" && !crate::rules::phi::geography::is_town(&text[r.clone()])
                    {
                        continue;
                    }
                    if r.is_empty() {
                        continue;
                    }
                    // Details that overlap (“in Hollandale” inside “from the
                    // tornado in Hollandale”) become one, so the fix removes
                    // all of it.
                    let mut r = r;
                    while let Some(i) = spans
                        .iter()
                        .position(|s| s.start < r.end && r.start < s.end)
                    {
                        let s = spans.swap_remove(i);
                        r = r.start.min(s.start)..r.end.max(s.end);
                    }
                    if !kinds.contains(kind) {
                        kinds.push(kind);
                    }
                    spans.push(r);
                }
            }
            if kinds.is_empty() {
                continue;
            }
            // "a 6 year old with new onset DKA" is a teaching point or an
            // admission note on its own; it is a story on a rotation.
            if opening.starts_with("a ")
                && opening.as_bytes().get(2).is_some_and(u8::is_ascii_digit)
                && !p
                    .quasi
                    .iter()
                    .any(|(k, q)| *k == "a rotation" && q.is_match(&text[scope.clone()]))
            {
                continue;
            }
            covered_until = scope.end;
            spans.sort_by_key(|r| r.start);
            let details: Vec<String> = spans
                .iter()
                .map(|r| format!("“{}”", &text[r.clone()]))
                .collect();
            let edits = removals(text, &spans);
            out.push(finding(
                cx,
                block,
                &META,
                m.range(),
                format!(
                    "A story about a specific patient with {} ({}): someone could recognise them.",
                    kinds.join(", "),
                    details.join(", ")
                ),
                "Remove identifying details",
                edits,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::phi::tests::{fixed, found};

    #[test]
    fn story_opening_and_fix() {
        let t = "My patient during Saturday's night shift coded twice and made it.";
        assert_eq!(found(t, "phi/patient-story"), vec!["My patient"]);
        assert_eq!(
            fixed(t, "phi/patient-story"),
            "My patient coded twice and made it."
        );
        // A detail that starts the sentence takes the comma after it.
        assert_eq!(
            fixed(
                "Last night, my patient in the ICU coded.",
                "phi/patient-story"
            ),
            "My patient coded."
        );
        // Overlapping details go as one (“in Hollandale” is inside the event).
        assert_eq!(
            fixed(
                "One of my patients from the tornado in Hollandale went home today.",
                "phi/patient-story"
            ),
            "One of my patients went home."
        );
        // "Every one of our patients" is all of them.
        assert!(found(
            "We will keep fighting for every one of our patients today and tomorrow.",
            "phi/patient-story"
        )
        .is_empty());
        assert_eq!(
            found(
                "One of our patients from the ICU went home today.",
                "phi/patient-story"
            ),
            vec!["One of our patients"]
        );
        // Set off by commas: the commas go too.
        assert_eq!(
            fixed("My patient, 34-year-old, coded.", "phi/patient-story"),
            "My patient coded."
        );
    }
}
