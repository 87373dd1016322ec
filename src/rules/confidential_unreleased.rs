use std::sync::OnceLock;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `confidential/unreleased-information`
pub struct UnreleasedInformation;

static META: RuleMeta = RuleMeta {
    id: "confidential/unreleased-information",
    default_severity: Severity::Warning,
    summary: "Confidential or not-yet-public institutional information: leaked memos, internal numbers, embargoed results, pending mergers, layoffs, incident reports.",
    what: "Flags signs that a post shares what the institution has not made public: “leaked”, “confidential email”, “internal memo”, “off the record”, “before it goes public”, “embargoed”, “not announced yet”, pending mergers and layoffs, incident reports, internal numbers. Negated and hypothetical uses, and posts that teach the policy, are left alone.",
    why: "Every policy forbids sharing confidential or proprietary information about the institution. MSK asks you to share institutional news only after MSK has posted it on its own channels.",
    fix: "Remove it, or wait until the institution has made it public and share its own post.",
    fires: &[
        "Can't believe the leaked memo about our unit closing.",
        "Off the record: we're merging with Fairview next spring.",
        "Our trial results are embargoed until ASCO, but they're huge.",
        "Before it goes public, layoffs are coming to radiology next month.",
        "Filed my third incident report this week about the same broken pump.",
    ],
    clean: &[
        "I would never share a confidential email from work.",
        "The embargo on our paper lifted this morning, and here is the published link.",
        "Reminder: internal memos stay internal, per policy.",
        "My sourdough starter recipe is top secret.",
    ],
};

const TRIGGERS: &[&str] = &[
    "leak",
    "confidential",
    "internal",
    "off the record",
    "go public",
    "goes public",
    "gone public",
    "going public",
    "embargo",
    "not public",
    "not yet public",
    "announce",
    "merg",
    "acqui",
    "layoff",
    "lay off",
    "laid off",
    "incident report",
    "unreleased",
    "unpublished",
    "between us",
    "hear it from me",
    "supposed to say",
    "supposed to share",
    "supposed to tell",
    "hush",
    "under wraps",
    "board meeting",
    "town hall",
];

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        Lexicon::new(
            TRIGGERS,
            &[
                r"(?i)\bleak(?:ed|s)?\s+(?:\w+\s+){0,2}?(?:memo|e-?mail|document|doc|report|plan|slides?|numbers|data|budget|results?|list|audio|recording|screenshot)s?\b",
                r"(?i)\b(?:memo|e-?mail|document|report|plan|slides?|numbers|data|budget|results?|recording|screenshot)s?\s+(?:that\s+)?(?:got\s+|was\s+|were\s+)?leaked\b",
                r"(?i)\bconfidential\s+(?:\w+\s+)?(?:e-?mail|memo|document|report|info(?:rmation)?|data|numbers|meeting|briefing|slides?|plan|details?|list)s?\b",
                r"(?i)\binternal\s+(?:memo|e-?mail|numbers|data|report|survey|audit|review|investigation|budget|slides?|figures|metrics|document|announcement|only)s?\b",
                r"(?i)\boff\s+the\s+record\b",
                r"(?i)\bbefore\s+(?:it|this|they|the\s+news)\s+(?:goes|go|is|are|gets|get)\s+(?:public|announced|out)\b",
                r"(?i)\bbefore\s+(?:it['’]s|they['’]re)\s+(?:public|announced|official)\b",
                r"(?i)\b(?:embargoed|under\s+embargo)\b",
                r"(?i)\b(?:hasn['’]t|haven['’]t|has\s+not|have\s+not)\s+(?:been\s+)?(?:officially\s+)?(?:announced|made\s+public|gone\s+public|released)\s+(?:yet|it)\b",
                r"(?i)\bnot\s+(?:yet\s+)?(?:public|announced)\s+yet\b",
                r"(?i)\b(?:pending|secret|upcoming|planned|rumou?red)\s+(?:merger|acquisition|buyout|layoffs?|closure|restructuring)\b",
                r"(?i)\b(?:merger|acquisition)\s+talks\b",
                r"(?i)\b(?:we['’]re|we\s+are|they['’]re|the\s+hospital\s+is)\s+(?:merging|being\s+acquired|getting\s+acquired|being\s+bought)\b",
                r"(?i)\blayoffs?\s+(?:are\s+|is\s+)?(?:coming|planned|next\s+\w+|announced\s+internally|in\s+the\s+works)\b",
                r"(?i)\bincident\s+reports?\b",
                r"(?i)\b(?:unreleased|unpublished)\s+(?:\w+\s+)?(?:results|data|findings|numbers|trial\s+data)\b",
                r"(?i)\b(?:just\s+)?between\s+us\b",
                r"(?i)\byou\s+didn['’]t\s+hear\s+it\s+from\s+me\b",
                r"(?i)\bI['’]?m\s+not\s+supposed\s+to\s+(?:say|share|tell)\b",
                r"(?i)\b(?:at|from)\s+(?:the|today['’]s|this\s+week['’]s)\s+(?:board\s+meeting|leadership\s+town\s+hall|internal\s+town\s+hall)\b",
            ],
        )
    })
}

impl Rule for UnreleasedInformation {
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
            "This looks like confidential or not-yet-public institutional information; share only what the institution has made public.",
            out,
        );
    }
}
