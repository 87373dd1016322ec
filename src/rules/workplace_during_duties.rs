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
    what: "Flags a post that says it was written, or that the writer was on social media, during patient care: “tweeting between codes”, “on my phone during sign-out”, “live-tweeting this surgery”, “posting this from the nurses' station”. Breaks, lunch and after-shift posts are left alone.",
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
    ],
    clean: &[
        "Posting this on my lunch break from the cafeteria.",
        "I never check my phone during sign-out.",
        "Home after a long shift, time for tea.",
        "Live-tweeting the keynote at the nursing conference!",
        "Quick post from the lake, day off and my phone is on silent.",
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
];

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
            ],
        )
    })
}

/// Off duty: a break, lunch, after the shift.
fn off_duty() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:on\s+(?:my|a|our)\s+(?:\w+\s+)?break|lunch|after\s+(?:my\s+|the\s+)?(?:shift|work|rounds)|post-?shift|day\s+off|off\s+duty|at\s+home)\b",
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
