use std::sync::OnceLock;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `professionalism/disparaging-people`
pub struct DisparagingPeople;

static META: RuleMeta = RuleMeta {
    id: "professionalism/disparaging-people",
    default_severity: Severity::Warning,
    summary: "Mocking or demeaning patients (“gomer”, “drug seeker”, “train wreck of a patient”), colleagues or competitors (“those hacks across town”).",
    what: "Flags slang that mocks or demeans patients (“gomer”, “drug seeker”, “frequent flyer” for a patient, “train wreck of a patient”, “dirtball”), and disparaging colleagues or competitors (“my idiot attending”, “those hacks across town”). Posts that teach why the words hurt (“never call a patient a drug seeker”) are left alone.",
    why: "Patients, colleagues and supervisors can all read what you post. Mayo Clinic asks you to respect patients, colleagues and competitors; MGH and MSK forbid harassing and defamatory material; the University of Minnesota asks for professional conduct online.",
    fix: "Describe the situation without labelling the person, or leave it out.",
    fires: &[
        "Admitted another gomer at 3 am.",
        "Bed 4 is a total drug seeker, screaming for dilaudid.",
        "What a train wreck of a patient tonight.",
        "Those hacks across town sent us another botched transfer.",
        "My idiot attending forgot to sign the orders again.",
        "our new attending is a useless idiot and everyone knows it",
        "Pt R.J. came back for the 3rd time this month. frequent flyer status unlocked",
        "It's the same drug seeker from last week, back in bed 9.",
    ],
    clean: &[
        "We should never call a patient a drug seeker; pain is real.",
        "My flight was a train wreck, three delays.",
        "Frequent flyer miles paid for the conference trip!",
        "Our attending stayed late to teach us, what a gem.",
        "Finally hit frequent flyer status after all those conference trips!",
        "To everyone who has typed 'drug seeker' in a note: pain is real, ask first.",
        "The ‘gomer’ jokes you hear on rounds were never funny.",
    ],
};

const TRIGGERS: &[&str] = &[
    "gomer",
    "drug seek",
    "frequent flyer",
    "frequent flier",
    "train wreck",
    "trainwreck",
    "dirtball",
    "shpos",
    "lol in nad",
    "lolinad",
    "whale",
    "crock",
    "hack",
    "quack",
    "idiot",
    "moron",
    "stupid",
    "incompetent",
    "useless",
    "dumb",
    "crazy",
    "psycho",
    "lunatic",
    "turd",
    "scumbag",
    "losers",
    "clowns",
];

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let people = r"(?:patients?|pts?|family|families|mom|dad|daughter|son|wife|husband|attendings?|residents?|interns?|nurses?|charge\s+nurses?|doctors?|docs?|surgeons?|colleagues?|co-?workers?|manager|boss|pharmacists?|techs?|PAs?|NPs?|hospitalists?|consultants?|anesthesia|admin(?:istrators?)?|staff|ED|ER|team|unit)";
        Lexicon::new(
            TRIGGERS,
            &[
                r"(?i)\b(?:gomers?|dirtballs?|shpos|LOL\s+in\s+NAD|LOLINAD|crocks?)\b".to_string(),
                r"(?i)\bdrug[\s-]seek(?:er|ers|ing)\b".to_string(),
                r"(?i)\b(?:frequent\s+fl(?:y|i)ers?)\b[^.!?\n]{0,40}?\b(?:back|again|in\s+bed|in\s+room|in\s+the\s+ED|in\s+the\s+ER|came\s+in|rolled\s+in|checked\s+in|returns?)\b".to_string(),
                r"(?i)\b(?:our|my|the|a|this|that|another|bed\s+\d+\s+(?:is\s+)?(?:a|an))\s+(?:\w+\s+)?(?:frequent\s+fl(?:y|i)er|frequent\s+fl(?:y|i)ers)\s+(?:is|was|patient|pt|in|back)\b".to_string(),
                // "Pt R.J. came back … frequent flyer status unlocked".
                r"(?i)\b(?:pt|patient|bed\s+\d+|room\s+\d+)\b[^\n]{0,100}?\bfrequent\s+fl(?:y|i)ers?\b".to_string(),
                format!(r"(?i)\btrain\s*wreck\s+of\s+an?\s+{people}\b"),
                format!(r"(?i)\b{people}\s+(?:is|was|are|were)\s+(?:a\s+|an\s+|such\s+a\s+|total\s+|complete\s+|absolute\s+|useless\s+|incompetent\s+|lazy\s+|stupid\s+)+(?:train\s*wreck|whale|lunatic|psycho|nut\s*job|moron|idiot|scumbag|turd)s?\b"),
                format!(r"(?i)\b(?:my|our|the|that|this|some|an?)\s+(?:idiot|moron|stupid|incompetent|useless|dumb|lazy|clueless|psycho|crazy)\s+(?:\w+\s+)?{people}\b"),
                r"(?i)\b(?:hacks?|quacks?|clowns|losers|morons|idiots)\s+(?:across\s+town|down\s+the\s+street|at\s+(?:the\s+other|that)\s+hospital|over\s+at\s+\w+|in\s+(?:the\s+)?(?:ED|ER|radiology|surgery|anesthesia|admin))\b".to_string(),
                r"(?i)\b(?:those|the|these)\s+(?:hacks|quacks|clowns|losers|morons|idiots)\s+(?:at|in|over\s+at|from|across)\b".to_string(),
            ],
        )
    })
}

impl Rule for DisparagingPeople {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        cues::scan(
            cx,
            block,
            lexicon(),
            Guard::ALL,
            &META,
            "This mocks or demeans a patient, colleague or competitor; describe the situation without labelling the person.",
            out,
        );
    }
}
