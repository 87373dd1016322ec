use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `workplace/during-duties`
pub struct DuringDuties;

static META: RuleMeta = RuleMeta {
    id: "workplace/during-duties",
    default_severity: Severity::Warning,
    summary: "Posting, scrolling or live-tweeting during clinical duties (“tweeting between codes”, “on my phone during sign-out”).",
    what: "Flags a post that says it was written, or that the writer was on social media, during patient care: “tweeting between codes”, “on my phone during sign-out”, “live-tweeting this surgery”, “posting this from the nurses' station”, a post “live from L&D triage” or “live from bed 7”, a selfie in the med room or the trauma bay, “3 hours into my shift and I've already posted”. Breaks, lunch, after-shift posts and a selfie before the first case are left alone.",
    why: "Social media must not interfere with patient care or work duties. Mayo Clinic, Mass General, MSK and the University of Minnesota all say so.",
    fix: "Post on your break or after your shift, and leave the timing out.",
    fires: &[
        "Tweeting between codes, send coffee.",
        "On my phone during sign-out again, oops.",
        "Live-tweeting this Whipple from the OR!",
        "Posting this from the nurses' station while my patient sleeps.",
        "Scrolling TikTok during rounds because the attending is late.",
        "live-tweeting my first surgery scrub in! retractor's heavy y'all",
        "quick post from the med room while my pt's blood runs",
        "live from L&D triage 👶 these shields are the best",
        "clinical selfie in the med room before my 0900 meds 📸",
        "3 hours into my shift and I've already posted 4 stories.",
    ],
    clean: &[
        "Posting this on my lunch break from the cafeteria.",
        "I never check my phone during sign-out.",
        "Home after a long shift, time for tea.",
        "Live-tweeting the keynote at the nursing conference!",
        "Quick post from the lake, day off and my phone is on silent.",
        "Live from the ICU family lounge after my shift: thank you, night team.",
        "Never take a selfie in the med room: patient labels are everywhere.",
        "My grandmother will live in room 204 at her new care home, and I basically live in the ICU.",
    ],
};

const TRIGGERS: &[&str] = &[
    "tweet",
    "posting",
    "post this",
    "posted this",
    "scroll",
    "phone",
    "tiktok",
    "instagram",
    "insta",
    "facebook",
    "twitter",
    "texting",
    "writing this",
    "typing this",
    "social media",
    "reddit",
    "snapchat",
    "post",
    "filming",
    "live from",
    "selfie",
    "mirror pic",
    "snap from",
    "into my shift",
    "into the shift",
];

/// A clinical place, where a post is written on duty: "the OR", "the med room", "bed 7".
const PLACE: &str = r"(?:OR|O\.R\.|operating\s+room|unit|floor|ICU|NICU|PICU|MICU|SICU|ED|ER|L&D|labor\s+and\s+delivery|(?:L&D\s+)?triage|bed\s+\d+|room\s+\d+|trauma\s+bay|rig|nurses['’]?\s+station|med\s+room|supply\s+room|(?:clean|dirty)\s+utility(?:\s+room)?|cath\s+lab|PACU|pre-?op)";

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let act = r"(?:(?:quick|sneaky|little|short)\s+post|filming\s+(?:a|this|our|my)\s+(?:TikTok|video|reel)|live-?tweeting|tweeting|tweeted|posting(?:\s+this)?|posted\s+this|writing\s+this|typing\s+this|scrolling(?:\s+(?:TikTok|Instagram|Insta|Twitter|Reddit|Facebook|X))?|on\s+(?:my|the)\s+phone|on\s+(?:TikTok|Instagram|Insta|Twitter|Facebook|Reddit|Snapchat|social\s+media)|texting|checking\s+(?:TikTok|Instagram|Insta|Twitter|Facebook|Reddit|social\s+media))";
        let duty = r"(?:between\s+(?:codes|patients|cases|traumas|admits|admissions|surgeries|deliveries)|during\s+(?:a\s+|the\s+|my\s+|our\s+)?(?:sign-?out|rounds|report|handoff|hand-?off|a\s+code|codes|surgery|the\s+case|a\s+case|(?:my\s+)?shift|clinic|huddle|procedures?|a\s+procedure|the\s+procedure|a\s+delivery|a\s+c-?section|med\s+pass|bedside\s+report|the\s+code|the\s+surgery|my\s+shift|this\s+shift|work|a\s+trauma|compressions|intubation)|while\s+(?:charting|scrubbed\s+in|on\s+shift|at\s+the\s+bedside|(?:my|the)\s+(?:patient|pt)(?:['’]s)?|in\s+the\s+OR|on\s+the\s+clock|rounding|precepting|on\s+call\s+in|running\s+the\s+code|waiting\s+for\s+the\s+surgeon\s+to\s+close)|mid-?(?:shift|code|case|surgery|procedure|rounds)|from\s+the\s+(?:OR|med(?:ication)?\s+room|nurses['’]?\s+station|nursing\s+station|bedside|trauma\s+bay|ICU|floor|unit)|(?:this|the)\s+(?:Whipple|surgery|case|procedure|code|c-?section|delivery)\s+from\s+the\s+OR|in\s+the\s+middle\s+of\s+(?:a\s+|my\s+)?(?:shift|code|case|rounds))";
        Lexicon::new(
            TRIGGERS,
            &[
                format!(r"(?i)\b{act}\b[^.!?\n]{{0,30}}?\b{duty}"),
                r"(?i)\blive-?tweeting\s+(?:this|the|a|my)\s+(?:first\s+|next\s+|own\s+)?(?:surgery|case|procedure|code|c-?section|delivery|Whipple|resection|transplant|trauma)\b".to_string(),
                // Posting from a clinical place: "live from L&D triage", "live from bed 7",
                // "snap from the OR", "a selfie in the med room", "trauma bay selfie".
                format!(r"(?i)\b(?:live\s+from|(?:snap|selfie|mirror\s+pic)\s+(?:from|in))\s+(?:the\s+|my\s+|our\s+)?{PLACE}\b"),
                format!(r"(?i)\b{PLACE}\s+(?:selfie|mirror\s+pic)\b"),
                // "3 hours into my shift and I've already posted 4 stories".
                r"(?i)\binto\s+(?:my|the|this)\s+shift\b[^.!?\n]{0,40}?\b(?:posted|posting|tweet\w*|scroll\w*|on\s+(?:my\s+phone|TikTok|Instagram|Insta|Twitter|Reddit|Facebook))".to_string(),
            ],
        )
    })
}

/// Off duty: a break, lunch, after the shift.
fn off_duty() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:on\s+(?:my|a|our)\s+(?:\w+\s+)?break|lunch|after\s+(?:(?:my|the|a|our)\s+)?(?:\w+\s+)?(?:shift|work|rounds|turnover|night|day|case|code)|post-?shift|day\s+off|off\s+duty|at\s+home|heading\s+home|locker\s+room|before\s+(?:(?:the|my)\s+)?(?:\w+\s+)?(?:case|shift)|cleaned\s+up)\b",
    );
    R.get()
}

impl Rule for DuringDuties {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        for m in lexicon().matches_unless(cx, block, Guard::ALL, &off_duty()) {
            out.push(Finding::new(
                &META,
                cues::source(cx, block, m),
                "Social media during clinical duties takes attention from patients; post on a break or after your shift.",
            ));
        }
    }
}
