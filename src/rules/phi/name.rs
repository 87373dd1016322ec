//! `phi/name`: a patient's or a relative's name.

use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::Lexicon;
use crate::rules::phi::{finding, re, with_space_before, Prose};

pub struct Name;

static META: RuleMeta = RuleMeta {
    id: "phi/name",
    default_severity: Severity::Error,
    summary: "A patient's or a patient's relative's name.",
    what: "Flags a name tied to a patient: a title and surname near a clinical cue (“Mrs. Okafor in room 512”), “a patient named Lucille”, a relative's name at the bedside (“her son Mateo”), a patient's initials (“pt R.T.”).",
    why: "Names are the first of HIPAA's eighteen Safe Harbor identifiers; a name in a clinician's post identifies the patient outright, and every one of the four policies forbids sharing it.",
    fix: "Replaces a titled name with “the patient”; removes a first name or initials after “named”, “her son” or “pt”. When “the patient” would leave a story that still identifies them (“The patient in room 512 … on Saturday”), or tie another detail to a patient, the fix also removes the story's details and redacts the paragraph's other identifiers, in one edit.",
    fires: &[
        "Mrs. Okafor in room 512 kept asking for tea.",
        "Had a patient named Lucille today who sang to every nurse.",
        "Pt admitted overnight; her son Mateo stayed at the bedside.",
        "Pt R.T. refused his meds again.",
        "night shift recap: mrs. delacroix in 14B let me wash her hair.",
        "Little Mateo (the 4yo with leukemia I posted about) rang the bell today!",
        "Happy 100th birthday to my longtime patient Ethel! Still gardening.",
    ],
    clean: &[
        "Mrs. Okafor, my neighbour, brought cookies.",
        "I will hope for grace in May.",
        "Dr. Chen gave grand rounds on patient safety.",
        "A hypothetical patient named Jane presents with chest pain.",
        "Her son will visit the patient tomorrow.",
        "my shift crush is mr. right, lol",
        "Happy birthday to Leo (my 4yo nephew with a cape) who loves trucks!",
        "Our chief resident Dr. Lee gave a great talk.",
        "Log in to the patient Portal to see your results.",
    ],
};

/// A capitalised name in the Latin script, accents included ("Okafor",
/// "Núñez", "Nguyễn", "José" with a combining accent, "Smith-Jones").
const NAME: &str = r"[\p{Lu}&&\p{Latin}][[\p{Ll}&&\p{Latin}]\p{Mn}'’]+(?:-[\p{Lu}&&\p{Latin}][[\p{Ll}&&\p{Latin}]\p{Mn}'’]+)?";

#[derive(Clone)]
struct Pats {
    titled: Regex,
    glossed: Regex,
    named: Regex,
    relative: Regex,
    initials: Regex,
    /// A name right after the word for a patient: "my longtime patient Ethel", "our pt, Rosa".
    appositive: Regex,
}

fn pats() -> std::sync::Arc<Pats> {
    static P: crate::rules::compiled::Reloadable<Pats> = crate::rules::compiled::Reloadable::kept(
        || Pats {
            titled: re(&format!(
                r"\b(?:(?:Mrs|Mr|Ms|Mx|Miss|Mister)\.?\s+({NAME})|(?:mrs|mr|ms)\.\s+([a-z][a-z'’]{{2,}}(?:-[a-z'’]+)?\b))"
            )),
            glossed: re(&format!(
                r"\b((?:(?:Little|Baby|Sweet)\s+)?{NAME})\s*(?:\(\s*|,\s+)(?:the|a|our)\s+\d{{1,3}}\s*-?\s*(?:yo|y/o|y\.o\.|years?[- ]old|mo|months?[- ]old)\s+(?:with|w/)\s"
            )),
            named: re(&format!(
                r"\b(?i:patient|pt|resident|client|lady|gentleman|man|woman|guy|girl|boy|kid|baby|infant|toddler|teen|teenager|veteran)\b(?:\s+[a-z]+){{0,3}}?\s+((?i:named|called)\s+{NAME}(?:\s+{NAME})?)"
            )),
            relative: re(&format!(
                r"\b(?i:her|his|their|the patient['’]s|pt['’]s|patient['’]s)\s+(?i:son|daughter|wife|husband|mother|father|mom|dad|sister|brother|granddaughter|grandson|niece|nephew|partner|fianc[ée]e?|boyfriend|girlfriend|grandmother|grandfather|aunt|uncle|cousin)(\s*,?\s+)({NAME})"
            )),
            initials: re(r"\b(?i:pt|patient|resident)\s+([A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?)"),
            appositive: re(&format!(
                r"\b(?i:my|our|a|the|this|that)\s+(?:[a-z-]+\s+){{0,2}}?(?:patient|pt|resident)\s*,?\s+({NAME}(?:\s+{NAME})?)\b"
            )),
        },
    );
    P.get()
}

/// For each pattern of [`pats`], literals one of which its every match
/// holds: blocks without any are not searched with it.
pub(crate) struct Gates {
    pub titled: Lexicon,
    pub glossed: Lexicon,
    pub named: Lexicon,
    pub relative: Lexicon,
    pub initials: Lexicon,
}

pub(crate) fn gates() -> &'static Gates {
    static G: OnceLock<Gates> = OnceLock::new();
    G.get_or_init(|| Gates {
        titled: Lexicon::gate(&["mr", "ms", "mx", "miss", "mister"]),
        glossed: Lexicon::gate(&["yo", "y/o", "y.o.", "year", "mo"]),
        named: Lexicon::gate(&["named", "called"]),
        relative: Lexicon::gate(&[
            "son",
            "daughter",
            "wife",
            "husband",
            "mother",
            "father",
            "mom",
            "dad",
            "sister",
            "brother",
            "niece",
            "nephew",
            "partner",
            "fianc",
            "boyfriend",
            "girlfriend",
            "aunt",
            "uncle",
            "cousin",
        ]),
        initials: Lexicon::gate(&["pt", "patient", "resident"]),
    })
}

/// Capitalised words that follow "patient" or "resident" but are not names ("the resident Dr.
/// Lee", "a patient Portal login").
const NOT_AFTER_PATIENT: &[&str] = &[
    "Dr",
    "Doctor",
    "Nurse",
    "Portal",
    "Safety",
    "Experience",
    "Care",
    "Services",
    "Advocate",
    "Advocacy",
    "Relations",
    "Family",
    "Rights",
    "Education",
    "Zero",
    "One",
    "Two",
    "X",
];

/// Words a writer addresses a reader by, not names: "Mama, a 3 month old with a fever is fine".
const ADDRESSES: &[&str] = &[
    "Mama", "Momma", "Mommy", "Mom", "Mum", "Dad", "Daddy", "Papa", "Parents", "Honey", "Hon",
    "Sweetie", "Babe", "Friend", "Friends", "Folks", "Guys", "Everyone", "Ladies", "Y'all",
    "Y’all",
];

/// Capitalised words that follow a title or relation but are not names.
const NOT_NAMES: &[&str] = &[
    // "a kind of patient I've stopped fighting for": "I" with a contraction is no name.
    "I've",
    "I’ve",
    "I'm",
    "I’m",
    "I'll",
    "I’ll",
    "I'd",
    "I’d",
    "Right",
    "Wrong",
    "Clean",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "The",
    "And",
    "But",
    "President",
    "Speaker",
    "Chairman",
    "Chair",
    "Justice",
    "Secretary",
    "Mayor",
    "Governor",
    "Senator",
    "Universe",
    "America",
    "World",
];

impl Rule for Name {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        find(cx, block, out, true);
    }
}

/// The fix title when replacing a name would leave a recognisable story.
const MENDED: &str =
    "Replace the name with “the patient” and remove the details that identify them";

/// The finding for the name at `name` (a range in the block's text) with
/// its fix: “the patient” in its place, or with `mend` and a story left
/// behind, the mended fix ([`super::mend`]).
fn replaced(
    cx: &Context,
    block: usize,
    prose: &Prose,
    name: std::ops::Range<usize>,
    mend: bool,
) -> Finding {
    let text = prose.text;
    let new = if sentence_starts_at(prose, name.start) {
        "The patient"
    } else {
        "the patient"
    };
    let mut f = finding(
        cx,
        block,
        &META,
        name.clone(),
        format!("“{}” names a patient.", &text[name.clone()]),
        "Replace the name with “the patient”",
        vec![(name.clone(), new.to_string())],
    );
    if let Some(fix) = mend
        .then(|| super::mend(cx, block, (name, new), MENDED))
        .flatten()
    {
        f.fixes = vec![fix];
    }
    f
}

/// Names in block `block`. With `mend`, a name whose replacement by “the
/// patient” would leave a story `phi/patient-story` flags gets the fix that
/// also removes the story's details ([`super::mend`]) instead of the
/// replacement alone (which would trade this finding for that one).
pub(super) fn find(cx: &Context, block: usize, out: &mut Vec<Finding>, mend: bool) {
    let text = cx.markup.blocks[block].text.as_str();
    if !text.bytes().any(|b| b.is_ascii_uppercase())
        && !text.contains("mr")
        && !text.contains("ms.")
    {
        return;
    }
    let p = pats();
    let g = gates();
    let prose = Prose::of(cx, block);
    // This block's findings start here (`out` holds earlier blocks' too).
    let first = out.len();
    let first_finding = first;
    for c in p.titled.captures_iter(g.titled.gated(cx, block)) {
        let (Some(m), Some(n)) = (c.get(0), c.get(1).or(c.get(2))) else {
            continue;
        };
        if NOT_NAMES.iter().any(|w| w.eq_ignore_ascii_case(n.as_str()))
            || !prose.real_case(m.start())
            || !prose.patient_near(m.start())
        {
            continue;
        }
        out.push(replaced(cx, block, &prose, m.range(), mend));
    }
    // A name glossed with an age: "Little Mateo (the 4yo with leukemia …)".
    for c in p.glossed.captures_iter(g.glossed.gated(cx, block)) {
        let (Some(m), Some(n)) = (c.get(0), c.get(1)) else {
            continue;
        };
        if NOT_NAMES.contains(&n.as_str())
            || ADDRESSES.contains(&n.as_str())
            || !prose.real_case(m.start())
            || out[first..].iter().any(|f| f.message.contains(n.as_str()))
        {
            continue;
        }
        out.push(replaced(cx, block, &prose, n.range(), mend));
    }
    for c in p.named.captures_iter(g.named.gated(cx, block)) {
        let (Some(m), Some(n)) = (c.get(0), c.get(1)) else {
            continue;
        };
        if !prose.real_case(m.start()) {
            continue;
        }
        out.push(finding(
            cx,
            block,
            &META,
            n.range(),
            format!("“{}” gives a patient's name.", n.as_str()),
            "Remove the name",
            vec![(with_space_before(text, n.range()), String::new())],
        ));
    }
    for c in p.relative.captures_iter(g.relative.gated(cx, block)) {
        let (Some(m), Some(sep), Some(n)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        if NOT_NAMES.contains(&n.as_str())
            || !prose.real_case(m.start())
            || !prose.patient_near(m.start())
        {
            continue;
        }
        let mut edit = sep.start()..n.end();
        if sep.as_str().contains(',') && text[n.end()..].starts_with(',') {
            edit.end += 1;
        }
        out.push(finding(
            cx,
            block,
            &META,
            n.range(),
            format!("“{}” names a patient's relative.", n.as_str()),
            "Remove the name",
            vec![(edit, String::new())],
        ));
    }
    // "my longtime patient Ethel": the gate of the initials holds the same words.
    for c in p.appositive.captures_iter(g.initials.gated(cx, block)) {
        let (Some(m), Some(n)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let first = n.as_str().split_whitespace().next().unwrap_or("");
        if NOT_NAMES.iter().any(|w| w.eq_ignore_ascii_case(first))
            || NOT_AFTER_PATIENT.contains(&first)
            // A pet's name is not a person's ("our canine patient Biscuit").
            || ["canine", "feline", "equine", "animal", "furry", "four-legged"]
                .iter()
                .any(|w| m.as_str().contains(w))
            || text[n.end()..].starts_with('.') && !text[n.end()..].starts_with(". ")
            || !prose.real_case(m.start())
            || out[first_finding..]
                .iter()
                .any(|f| f.range.start < n.end() && n.start() < f.range.end)
        {
            continue;
        }
        out.push(replaced(cx, block, &prose, n.range(), mend));
    }
    for c in p.initials.captures_iter(g.initials.gated(cx, block)) {
        let (Some(m), Some(n)) = (c.get(0), c.get(1)) else {
            continue;
        };
        if !prose.real_case(m.start()) {
            continue;
        }
        out.push(finding(
            cx,
            block,
            &META,
            n.range(),
            format!("“{}” are a patient's initials.", n.as_str()),
            "Remove the initials",
            vec![(with_space_before(text, n.range()), String::new())],
        ));
    }
}

/// Whether a sentence (or the block, or a clause after a line break) starts
/// at `at`, ignoring whitespace.
fn sentence_starts_at(prose: &Prose, at: usize) -> bool {
    let before = prose.text[..at].trim_end();
    before.is_empty()
        || before.ends_with(['.', '!', '?', '\n', '…', ':'])
        || prose.sentences().iter().any(|s| s.start == at)
}

#[cfg(test)]
mod tests {
    use crate::rules::phi::tests::{fixed, found};

    #[test]
    fn finds_names_with_cues() {
        assert_eq!(
            found("Mrs. Okafor in room 512 kept asking for tea.", "phi/name"),
            vec!["Mrs. Okafor"]
        );
        assert_eq!(found("Pt R.T. refused meds.", "phi/name"), vec!["R.T."]);
        assert_eq!(
            found("Pt admitted; her son, Mateo, stayed.", "phi/name"),
            vec!["Mateo"]
        );
    }

    #[test]
    fn a_reader_addressed_is_not_a_name() {
        assert!(found(
            "Mama, a 3 month old with a low fever is fine. Watch her tonight.",
            "phi/name"
        )
        .is_empty());
        assert_eq!(
            found(
                "Mateo, a 4 yo with leukemia, rang the bell today.",
                "phi/name"
            ),
            vec!["Mateo"]
        );
    }

    #[test]
    fn i_with_a_contraction_and_made_up_patients_are_not_names() {
        assert!(found(
            "There's a kind of patient I've quietly stopped fighting for.",
            "phi/name"
        )
        .is_empty());
        assert!(found(
            "For grand rounds I invented a patient named Vernon, a composite of every discharge.",
            "phi/name"
        )
        .is_empty());
        assert!(found(
            "In the sim lab the patient is a mannequin named Greg.",
            "phi/name"
        )
        .is_empty());
        assert_eq!(
            found("My patient Ethel turned 80 on the unit today.", "phi/name"),
            vec!["Ethel"]
        );
        assert_eq!(
            found(
                "My patient Ethel, a retired fiction writer, turned 80 on the unit today.",
                "phi/name"
            ),
            vec!["Ethel"]
        );
    }

    #[test]
    fn fixes_remove_only_the_name() {
        assert_eq!(
            fixed("Long shift. Mr. Diaz pulled out his IV again.", "phi/name"),
            "Long shift. The patient pulled out his IV again."
        );
        assert_eq!(
            fixed("Had a patient named Lucille Baker today.", "phi/name"),
            "Had a patient today."
        );
        assert_eq!(
            fixed("Pt admitted; her son, Mateo, stayed.", "phi/name"),
            "Pt admitted; her son stayed."
        );
        assert_eq!(
            fixed("Pt R.T. refused meds.", "phi/name"),
            "Pt refused meds."
        );
    }
}
