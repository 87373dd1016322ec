use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `medical-advice/individual-advice`
pub struct IndividualAdvice;

static META: RuleMeta = RuleMeta {
    id: "medical-advice/individual-advice",
    default_severity: Severity::Warning,
    summary: "Medical advice to an individual reader: a dose, stopping or starting a drug, a diagnosis, “no need for the ER”.",
    what: "Flags advice aimed at one reader: doses (“take 600 mg of ibuprofen every 4 hours for that”), starting or stopping a drug (“you can skip your insulin on sick days”), diagnosing from a distance (“send me a photo of the rash and I'll tell you if it's shingles”), and steering away from care (“no need for the ER”). General health education and “talk to your doctor” are left alone.",
    why: "Advice to an individual online creates a clinician–patient relationship without an examination and can be wrong for that person. The University of Minnesota forbids it; MSK warns physicians that such comments can be subject to liability.",
    fix: "Replace the advice with general information and a pointer to the reader's own clinician (“talk to your doctor or pharmacist about what dose is right for you”).",
    fires: &[
        "Take 600 mg of ibuprofen every 4 hours for that.",
        "You can skip your insulin on sick days.",
        "Send me a photo of the rash and I'll tell you if it's shingles.",
        "Honestly, no need for the ER, just ice it.",
        "Sounds like you have a UTI, just grab some cranberry pills.",
        "@jess_k for that sprain take 600 mg of ibuprofen every 4 hours.",
        "DM'd you back — double your metformin to 1000 twice a day.",
        "Replying to @marco: stop taking the lisinopril if the cough bugs you.",
    ],
    clean: &[
        "Never skip your insulin on sick days without talking to your care team.",
        "Ibuprofen can upset your stomach; talk to your doctor about what is right for you.",
        "Shingles vaccines are recommended for adults over 50.",
        "If you have chest pain, call 911.",
        "I took 400 mg of ibuprofen after the marathon and felt fine.",
        "For that marathon I had to take 400 mg of ibuprofen, never again.",
    ],
};

const TRIGGERS: &[&str] = &[
    "take ",
    "skip",
    "stop",
    "quit",
    "double",
    "halve",
    "no need",
    "don't need",
    "dont need",
    "don’t need",
    "photo",
    "pic",
    "sounds like you",
    "you have",
    "you've got",
    "you’ve got",
    "you probably",
    "you definitely",
    "up your",
    "increase your",
    "cut your",
    "ditch your",
    "come off",
    "go off",
    "skip the",
];

const DRUGS: &str = r"(?:insulin|meds|medications?|medicines?|pills?|statins?|metformin|lisinopril|blood\s+thinners?|warfarin|eliquis|antidepressants?|SSRIs?|zoloft|lexapro|prozac|antibiotics?|steroids?|prednisone|inhalers?|birth\s+control|thyroid\s+meds|synthroid|levothyroxine|chemo|blood\s+pressure\s+(?:meds|medications?|pills)|BP\s+meds|dose|doses|dosage|ozempic|wegovy|adderall|xanax|lasix|aspirin|ibuprofen|tylenol|advil|motrin)";

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let units = r"(?:mg|mcg|µg|g|grams?|ml|mL|cc|units?|IU|tabs?|tablets?|pills?|capsules?|caps|puffs?|drops?|teaspoons?|tsp|tablespoons?|tbsp)";
        Lexicon::new(
            TRIGGERS,
            &[
                // Imperative dose at the start of a sentence or after "just", "so".
                format!(r"(?i)(?:^|[.!?:;—–]\s+|@\w+,?\s+|\bfor\s+(?:that|this|your|the)\s+(?:\w+\s+)?\w+,?\s+|\b(?:just|so|then|and|you\s+should|you\s+can|you\s+could|you\s+need\s+to|you['’]ll\s+want\s+to|you\s+want\s+to|I['’]d|try\s+to|make\s+sure\s+(?:you|to))\s+)take\s+(?:like\s+|about\s+|up\s+to\s+)?\d[\d,.]*\s*(?:-\s*\d[\d,.]*\s*)?{units}\b[^.!?\n]*"),
                // "take 2 Advil every 6 hours for that"
                r"(?i)\btake\s+(?:a\s+couple|two|three|\d+)\s+(?:advil|tylenol|motrin|aleve|benadryl|ibuprofen|aspirin)s?\b[^.!?\n]*".to_string(),
                // "you can skip your insulin", "stop taking your statin"
                format!(r"(?i)\byou\s+(?:can|could|should|may|might\s+want\s+to|need\s+to|ought\s+to)\s+(?:just\s+|probably\s+|safely\s+|totally\s+)?(?:skip|stop|quit|double|halve|cut|ditch|go\s+off|come\s+off|taper\s+off|increase|up|lower|drop|stop\s+taking|skip\s+taking)\s+(?:your|the|that|those)\s+(?:\w+\s+)?{DRUGS}"),
                format!(r"(?i)(?:^|[.!?:;—–]\s+|\bjust\s+)(?:skip|stop|quit|double|halve|ditch|up|increase|cut)\s+(?:taking\s+)?(?:your|the|that|those)\s+(?:\w+\s+)?{DRUGS}"),
                // Diagnosis from a distance.
                r"(?i)\b(?:send|DM|dm|message|show)\s+me\s+(?:a\s+|your\s+)?(?:photo|pic|picture|pics|photos|snap|video)\b[^.!?\n]{0,60}?\b(?:I['’]ll|I\s+will|I\s+can|and\s+I)\s+(?:tell|let\s+you\s+know|diagnose|say|confirm)".to_string(),
                r"(?i)\b(?:sounds\s+like|looks\s+like|I\s+bet|I['’]m\s+(?:pretty\s+)?sure)\s+you(?:['’]ve\s+got|\s+have|\s+got)\s+(?:a\s+|an\s+)?\w+".to_string(),
                r"(?i)\byou\s+(?:definitely|probably|almost\s+certainly|clearly)\s+(?:have|got)\s+(?:a\s+|an\s+)?\w+".to_string(),
                // Steering away from care.
                r"(?i)\bno\s+need\s+(?:for\s+the|to\s+go\s+to\s+the|to\s+see\s+a|for\s+a|to\s+call)\s+(?:ER|ED|emergency\s+room|urgent\s+care|doctor|doc|911|ambulance|hospital)\b".to_string(),
                r"(?i)\byou\s+(?:don['’]?t|do\s+not)\s+need\s+(?:to\s+(?:go\s+to|see)\s+)?(?:the\s+|a\s+)?(?:ER|ED|emergency\s+room|urgent\s+care|doctor|antibiotics|stitches|an?\s+x-?ray)\b".to_string(),
                r"(?i)\bskip\s+the\s+(?:ER|ED|emergency\s+room|urgent\s+care|doctor)\b".to_string(),
            ],
        )
    })
}

/// A sentence that sends the reader to their own clinician is education,
/// not advice.
fn refers() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:talk(?:ing)?\s+(?:to|with)|ask(?:ing)?|check(?:ing)?\s+with|consult(?:ing)?|call(?:ing)?|see(?:ing)?)\s+(?:your|a)\s+(?:own\s+)?(?:doctor|doc|physician|pharmacist|clinician|provider|care\s+team|nurse|GP|PCP|endocrinologist)\b|\bwithout\s+(?:talking|checking|asking)\b|\bseek\s+(?:medical\s+)?care\b|\bcall\s+911\b",
    );
    R.get()
}

impl Rule for IndividualAdvice {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let b = &cx.markup.blocks[block];
        for m in lexicon().matches_unless(cx, block, Guard::ALL, &refers()) {
            // Trim trailing spaces from the underline.
            let end = m.start + b.text[m.clone()].trim_end().len();
            let start = m.start
                + b.text[m.clone()]
                    .find(|c: char| c.is_alphanumeric())
                    .unwrap_or(0);
            out.push(Finding::new(
                &META,
                cues::source(cx, block, start..end.max(start)),
                "This reads as medical advice to one reader; give general information and send them to their own clinician instead.",
            ));
        }
    }
}
