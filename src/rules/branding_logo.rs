use std::sync::OnceLock;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon, INSTITUTION};

/// `branding/logo-use`
pub struct LogoUse;

static META: RuleMeta = RuleMeta {
    id: "branding/logo-use",
    default_severity: Severity::Warning,
    summary: "The institution's logo or marks used on personal merchandise, pages or posts.",
    what: "Flags the writer using the institution's logo or marks on their own things: “I put the Mayo Clinic logo on my Etsy stickers”, “our unit shirts with the MSK logo”, “using the UMN logo as my profile picture”.",
    why: "The logo belongs to the institution. Mayo Clinic forbids using its marks without approval; MSK says its name and logos may not be used, and that department accounts and materials need approval first.",
    fix: "Remove the logo; ask the institution's communications or marketing department if the use is for work.",
    fires: &[
        "I put the Mayo Clinic logo on the stickers in my Etsy shop.",
        "Made unit shirts with the MSK logo on the back!",
        "Using the UMN logo as my profile picture now.",
    ],
    clean: &[
        "The new Mayo Clinic logo was unveiled at the all-staff meeting, per the official announcement.",
        "Never use the hospital logo on personal merch; check the brand guidelines.",
        "My Etsy shop sells nurse stickers.",
    ],
};

const TRIGGERS: &[&str] = &["logo", "marks", "trademark", "brand"];

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let i = INSTITUTION;
        let logo = format!(r"(?:{i}(?:['’]s)?\s+(?:logo|logos|marks|trademark|branding|brand)|(?:logo|logos)\s+(?:of|from)\s+{i}|(?:hospital|clinic|university)\s+logo)");
        Lexicon::new(
            TRIGGERS,
            &[
                format!(r"(?i)\b(?:I|we)\s+(?:just\s+)?(?:put|printed|added|slapped|used|stuck|stitched|embroidered|designed|made)\s+(?:the\s+|a\s+)?{logo}\s+(?:on|onto|into|for|as)\s+(?:my|our|the|some|a|these|those)\b"),
                format!(r"(?i)\b(?:made|making|selling|sell|ordered|designed|printed)\s+(?:\w+\s+){{0,3}}?(?:shirts?|t-?shirts|hoodies|stickers|mugs|merch|hats|magnets|tote\s+bags?|buttons|badge\s+reels?)\s+with\s+(?:the\s+|a\s+)?{logo}"),
                format!(r"(?i)\busing\s+(?:the\s+)?{logo}\s+(?:as|on|for)\s+(?:my|our)\b"),
            ],
        )
    })
}

impl Rule for LogoUse {
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
            "The institution's logo and marks belong to it; don't use them on personal things without approval.",
            out,
        );
    }
}
