use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `media/department-video`
pub struct DepartmentVideo;

static META: RuleMeta = RuleMeta {
    id: "media/department-video",
    default_severity: Severity::Information,
    summary: "A department's or unit's video or account posted without saying it was approved.",
    what: "Flags a unit's or department's video, channel or account going up (“posting our unit's TikTok”, “our department's new YouTube video”, “we launched a page for our clinic”) when the post does not say communications or marketing approved it. A mention of an account that is already there (“follow our clinic's official page”) is left alone.",
    why: "MSK's Department of Marketing & Communications must see department videos before they are posted and approve department accounts before they go live.",
    fix: "Get the approval of your manager and the communications or marketing department first, or say that you have it.",
    fires: &[
        "Posting our unit's TikTok dance tonight, stay tuned!",
        "Our department's new YouTube video is live!",
        "We just launched an Instagram account for our clinic.",
    ],
    clean: &[
        "Our department's new video is live, approved by Marketing & Communications.",
        "My TikTok about sourdough is live.",
        "Before you post a department video, get it approved.",
        "Families can reach us through our clinic's official Facebook page, never my personal one.",
        "Follow the office's page, they post all our updates there.",
        "did anyone see the drama on the unit's insta page??",
        "Our clinic's Facebook page posted the holiday hours!",
        "Started following my whole team on Instagram tonight.",
    ],
};

const TRIGGERS: &[&str] = &[
    "video",
    "tiktok",
    "reel",
    "youtube",
    "channel",
    "account",
    "page",
    "instagram",
];

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let ours = r"(?:(?:our|my|the)\s+(?:whole\s+)?(?:unit|department|dept|team|floor|clinic|lab|service|program|residency|division|office)['’]?s?)";
        let vid = r"(?:(?:new\s+|first\s+|official\s+)?(?:TikTok|video|reel|YouTube\s+video|YouTube\s+channel|channel|Instagram|Instagram\s+account|Facebook\s+page|account|page)s?)";
        Lexicon::new(
            TRIGGERS,
            &[
                format!(r"(?i)\b{ours}\s+(?:\w+\s+){{0,2}}?{vid}\b"),
                format!(r"(?i)\b(?:launched|started|created|made|set\s+up|posting|posted|filmed|uploaded)\s+(?:an?|the|our)\s+(?:new\s+)?(?:TikTok|YouTube|Instagram|Facebook|Twitter|X)?\s*(?:account|page|channel|video)\s+for\s+{ours}"),
                r"(?i)\b(?:launched|started|created|made|set\s+up)\s+(?:an?|the)\s+(?:new\s+)?(?:TikTok|YouTube|Instagram|Facebook|Twitter)\s+(?:account|page|channel)\s+for\s+(?:our|the)\s+(?:unit|department|clinic|team|floor|lab)".to_string(),
            ],
        )
    })
}

fn approved() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:approved|approval|signed\s+off|sign-off|cleared\s+(?:it\s+)?with|with\s+permission|marketing|communications|comms\s+team|public\s+affairs)\b",
    );
    R.get()
}

/// What every form of [`approved`] holds, as a gate of the block's one
/// trigger scan.
pub(crate) fn approval_gate() -> &'static Lexicon {
    static G: OnceLock<Lexicon> = OnceLock::new();
    G.get_or_init(|| {
        Lexicon::gate(&[
            "approv",
            "signed",
            "sign-off",
            "cleared",
            "permission",
            "marketing",
            "comm",
            "public",
        ])
    })
}

/// What shows a video or account being made or put up, in the sentence of a mention of one
/// ("posting our unit's TikTok", "our department's new video is live", "launched a page for our
/// clinic"): a mention alone ("follow our clinic's page") is not one.
fn made_or_posted() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:posting|posted|reposted|reposting|shared|sharing|uploaded|uploading|filmed|filming|shot|shooting|recorded|recording|dropped|dropping|new|first|live|premieres?|premiered|dance|trend|link\s+in\s+bio|(?:launched|launching|started|starting|created|creating|made|making|set\s+up|setting\s+up|opened)\s+(?:an?|the|our|my)\b)",
    );
    R.get()
}

/// Whether the mention `m` of block `block` is of a video or account being made or put up by the
/// writer: its sentence says so ([`made_or_posted`]), it is not the institution's "official"
/// account, and the account is not what does the posting ("our clinic's page posted the hours").
fn put_up(cx: &Context, block: usize, m: &std::ops::Range<usize>) -> bool {
    let text = &cx.markup.blocks[block].text;
    let mention = text[m.clone()].to_ascii_lowercase();
    let after = text[m.end..].trim_start().to_ascii_lowercase();
    let posts_itself = ["posted", "posts", "post ", "just posted"]
        .iter()
        .any(|w| after.starts_with(w));
    !mention.contains("official")
        && !posts_itself
        && made_or_posted().is_match(&text[cues::sentence(text, m)])
}

impl Rule for DepartmentVideo {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, cx: &Context, out: &mut Vec<Finding>) {
        // The first department video, found by the blocks' trigger scan;
        // only then is the whole draft read for an approval.
        let Some((bi, m)) = (0..cx.markup.blocks.len()).find_map(|bi| {
            let m = lexicon()
                .matches(cx, bi, Guard::ALL)
                .into_iter()
                .find(|m| put_up(cx, bi, m))?;
            Some((bi, m))
        }) else {
            return;
        };
        if cx
            .markup
            .blocks
            .iter()
            .enumerate()
            .any(|(i, b)| approval_gate().triggered_in(cx, i) && approved().is_match(&b.text))
        {
            return;
        }
        out.push(Finding::new(
            &META,
            cues::source(cx, bi, m),
            "A department's video or account needs the approval of communications or marketing before it is posted.",
        ));
    }
}
