use std::sync::OnceLock;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `professionalism/skipped-safety-step`
pub struct SkippedSafetyStep;

static META: RuleMeta = RuleMeta {
    id: "professionalism/skipped-safety-step",
    default_severity: Severity::Warning,
    summary: "Bragging or joking about skipping a safety step of patient care, or charting what was not done.",
    what: "Flags a post that owns up to skipping a safety step of patient care, jokes about it or tells others to: a double check or double count, a two-nurse or two-identifier check, a time-out, hand hygiene, a narcotic count or waste witness, a fall-risk check or bed alarm, a 1:1 sitter's watch (“nobody on nights actually does the two-nurse insulin check”, “half the time we skip the time-out”, “I just cosign myself”, “charted my 0400 turns like I actually did them”). Asking for a safer process, teaching why the step matters (“never skip the time-out”), or a hypothetical are left alone.",
    why: "A post that says a safety step was skipped tells patients and regulators that care was unsafe, and puts the writer's licence at risk. Mayo Clinic's guidelines warn that errors, omissions or unprofessional behaviour online reflect on Mayo; Mass General, MSK and the University of Minnesota ask for professional conduct online.",
    fix: "Leave it out. If a safety step is being skipped where you work, raise it through your institution's safety reporting, not on social media.",
    fires: &[
        "real talk, nobody on nights actually does the two-nurse insulin check. I just cosign myself",
        "Half the time we skip the time-out for bedside procedures and nobody's died yet lol.",
        "yes we're supposed to double count. no, we are not double counting today.",
        "Charted my 0400 turns like I actually did them 😂",
        "Tip for new transporters: the two-identifier thing? Wristband's basically jewelry.",
        "i'm the 1:1 sitter for room 9 tonight and i'm out in the hallway finishing my tiktok draft",
    ],
    clean: &[
        "Never skip the time-out, even for a bedside line. It caught a wrong side for us last year.",
        "Our unit finally got a second nurse on nights for the insulin double check.",
        "If you skip the two-identifier check, you will eventually give a med to the wrong patient.",
        "Nobody skips the time-out on my unit, not even the chief.",
        "The double check caught a tenfold heparin error tonight. Grateful for my team.",
        "We're piloting barcode scanning at the bedside next month.",
        "The surgeon wanted to skip the time-out today because he was behind. I said we're doing it, and we did.",
    ],
};

const TRIGGERS: &[&str] = &[
    "double",
    "two-nurse",
    "two nurse",
    "two-person",
    "two person",
    "identifier",
    "wristband",
    "id band",
    "time-out",
    "timeout",
    "time out",
    "hand hygiene",
    "foam in",
    "fall risk",
    "fall-risk",
    "bed alarm",
    "count",
    "narc",
    "waste",
    "cosign",
    "co-sign",
    "chart",
    "sitter",
    "1:1",
    "barcode",
    "bar code",
    "scan",
];

/// A safety step of patient care.
const STEP: &str = r"(?:double[\s-]?(?:check|count|sign)(?:s|ed|ing)?|(?:two|2)[\s-](?:nurse|person|RN)\s+(?:\w+\s+)?(?:check|verification|verify|sign[\s-]?off|co-?sign)s?|(?:two|2)[\s-]identifiers?(?:\s+(?:thing|check|rule))?|(?:patient\s+)?ID\s+bands?|wristbands?|armbands?|time[\s-]?outs?|hand\s+hygiene|foam(?:ing)?\s+in(?:\s+and\s+out)?|fall[\s-]risk\s+(?:checks?|assessments?|screens?)|bed\s+alarms?|neuro\s+checks?|narc(?:otic)?s?\s+counts?|count(?:ing)?\s+(?:the\s+)?narcs|waste\s+witness(?:es)?|sharps\s+counts?|sponge\s+counts?|(?:barcode|bar\s+code)\s+scan(?:s|ning)?|scan(?:ning)?\s+(?:the\s+)?(?:wristband|armband|barcode|meds)|restraint\s+checks?)";

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        Lexicon::new(
            TRIGGERS,
            &[
                // Skipped, faked or blown off: "skip the time-out", "pretend to count narcs".
                // A negation before it ("never skip the time-out") is spared by the guard.
                format!(r"(?i)\b(?:skip|skipped|skipping|skips|ditch(?:ed|ing)?|blow(?:ing)?\s+off|blew\s+off|bypass(?:ed|ing)?|fudge[ds]?|fak(?:e|ed|es|ing)|pretend(?:ed|ing)?\s+to(?:\s+do)?)\s+(?:the\s+|our\s+|my\s+|a\s+|all\s+the\s+)?{STEP}"),
                // Nobody does it: "nobody on 5 actually does the two-identifier thing".
                format!(r"(?i)\b(?:nobody|no\s+one|no-one|none\s+of\s+us)(?:['’]s)?\s+(?:[\w']+\s+){{0,6}}?(?:actually|really|even|ever|bothers?\s+(?:with|to))\s+(?:[\w']+\s+){{0,3}}?{STEP}"),
                // Not doing it: "we are not double counting today", "I'm not doing the time-out"
                // (a "no," before it is part of it, not a negation of it).
                format!(r"(?i)\b(?:no[,.!]?\s+)?(?:we|I)(?:['’]re|\s+are|['’]m|\s+am)?\s+(?:not|never)\s+(?:doing\s+|gonna\s+do\s+|going\s+to\s+do\s+|bothering\s+with\s+)?(?:the\s+|a\s+|any\s+)?{STEP}\b[^.!?\n]{{0,20}}?\b(?:today|tonight|anymore|on\s+nights|this\s+shift)"),
                // Signing for the second person oneself.
                r"(?i)\b(?:co-?sign(?:ed|ing|s)?|double[\s-]sign(?:ed|ing|s)?|witness(?:ed|ing)?)\s+(?:for\s+)?(?:myself|my\s+own)\b".to_string(),
                // A step called a formality: "wristband's basically jewelry".
                format!(r"(?i)\b{STEP}(?:['’]s|\s+is|\s+are)\s+(?:basically\s+|just\s+|pretty\s+much\s+)?(?:jewelry|jewellery|optional|a\s+suggestion|for\s+show|theater|theatre)\b"),
                // Charting what was not done.
                r"(?i)\bchart(?:ed|ing)?\s+(?:my\s+|the\s+|an?\s+|all\s+(?:my\s+|the\s+)?)?(?:[\w']+\s+){0,4}?(?:like|as\s+if)\s+I\s+(?:actually\s+|really\s+)?did\b".to_string(),
                r"(?i)\bthe\s+chart\s+says\s+(?:I\s+did|yes|so)\b".to_string(),
                r"(?i)\bchart(?:ed|ing)?\s+(?:stuff|things|what|assessments?|vitals)\s+I\s+(?:never|didn['’]t|did\s+not)\s+(?:do|did|see|take)\b".to_string(),
                // A 1:1 sitter's watch not kept.
                r"(?i)\b(?:sitting\s+(?:my\s+|a\s+)?1:1|(?:the|a|my)\s+1:1\s+sitter|sitter\s+for\s+(?:room|bed)\s+\d+)\b[^.!?\n]{0,80}?\b(?:tiktok|instagram|insta|my\s+phone|scrolling|haven['’]t\s+looked\s+up|not\s+watching|out\s+in\s+the\s+hall(?:way)?)".to_string(),
            ],
        )
    })
}

/// Someone else wanting the step skipped ("the surgeon wanted to skip the time-out; I said
/// we're doing it"): what the post tells is the pressure, not a step skipped.
fn urged() -> std::sync::Arc<regex::Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:wants?|wanted|wanting|tried|tries|trying|asked\s+(?:me|us)|told\s+(?:me|us)|pressured\s+(?:me|us)|pushed\s+(?:me|us))\s+to\s+$",
    );
    R.get()
}

impl Rule for SkippedSafetyStep {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let text = &cx.markup.blocks[block].text;
        for m in lexicon().matches(cx, block, Guard::ALL) {
            let s = cues::sentence(text, &m);
            if urged().is_match(&text[s.start..m.start.max(s.start)]) {
                continue;
            }
            out.push(Finding::new(
                &META,
                cues::source(cx, block, m),
                "This says a safety step of patient care was skipped or faked; leave it out, and raise it through safety reporting.",
            ));
        }
    }
}
