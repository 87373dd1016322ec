use std::sync::OnceLock;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon, INSTITUTION};

/// `endorsement/institutional-endorsement`
pub struct InstitutionalEndorsement;

static META: RuleMeta = RuleMeta {
    id: "endorsement/institutional-endorsement",
    default_severity: Severity::Warning,
    summary: "The institution's name, or your role there, used to endorse a product, service, person, cause, party or candidate.",
    what: "Flags a product or political endorsement made with the institution's name or the writer's role there: “as an MGH nurse, I swear by these melatonin gummies”, “UMN residents for Mayor Jones”, a discount code, “link in bio” or “#sponsored” in a post that ties the writer to an institution, and recommending someone for work done together at the institution.",
    why: "An endorsement made with the institution's name reads as the institution's endorsement. Mayo Clinic forbids using its name to endorse products, causes, parties or candidates; MSK's name and logos belong to the organisation.",
    fix: "Remove the institution and your role there from the endorsement, or the endorsement from the post; sponsored posts should not mention your employer.",
    fires: &[
        "As an MGH nurse, I swear by these melatonin gummies.",
        "UMN residents for Mayor Jones! Vote November 5.",
        "I'm a nurse at Mayo Clinic and this is my skincare routine. Use code NURSEJEN for 15% off!",
        "I highly recommend Dr. Patel; we worked together at Mayo Clinic for six years.",
    ],
    clean: &[
        "These melatonin gummies helped me sleep after nights. Not sponsored, just a fan.",
        "Vote for Mayor Jones! She cares about bike lanes.",
        "Never use your hospital's name to endorse a product: it's in the policy.",
        "I recommend the hospital's cafeteria soup.",
    ],
};

const TRIGGERS: &[&str] = &[
    "swear by",
    "recommend",
    "obsessed",
    "favorite",
    "favourite",
    "love these",
    "love this",
    "vote",
    "mayor",
    "senat",
    "governor",
    "congress",
    "council",
    "president",
    "endorse",
    "vouch",
    "approved",
    "for ",
];

const PROMO: &[&str] = &[
    "#sponsored",
    "#ad",
    "#partner",
    "#affiliate",
    "% off",
    "promo code",
    "discount code",
    "use code",
    "use my code",
    "link in bio",
    "affiliate link",
    "paid partnership",
    "sponsored by",
];

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let i = INSTITUTION;
        let role = r"(?:nurse|doctor|doc|physician|surgeon|resident|pharmacist|NP|RN|MD|PA|tech|therapist|dietitian|student|employee|staffer|professor)";
        let group = r"(?:nurses|doctors|docs|physicians|surgeons|residents|pharmacists|staff|employees|students|faculty|workers|scientists|researchers|clinicians)";
        let office = r"(?:Mayor|Senator|Sen\.|Governor|Gov\.|Congress(?:man|woman|person)?|Rep\.|Representative|President|City\s+Council|Council(?:member|man|woman)?|Sheriff|Judge|Prop(?:osition)?\s+\d+|Measure\s+\w+|Amendment\s+\d+|the\s+(?:Democrats|Republicans|GOP))";
        Lexicon::new(
            TRIGGERS,
            &[
                // "As an MGH nurse, I swear by these gummies."
                format!(r"(?i)\bas\s+(?:an?|the)\s+{i}\s+{role}\b[^.!?\n]{{0,80}}?\b(?:I\s+(?:swear\s+by|recommend|endorse|vouch\s+for|love|use|trust)|(?:my|our)\s+(?:favou?rite|go-to|must-have|top\s+pick)|you\s+need\s+(?:these|this)|approved|obsessed)"),
                format!(r"(?i)\bas\s+(?:an?|the)\s+{role}\s+(?:at|@|with|from)\s+{i}[^.!?\n]{{0,80}}?\b(?:I\s+(?:swear\s+by|recommend|endorse|vouch\s+for|love|use|trust)|(?:my|our)\s+(?:favou?rite|go-to|must-have|top\s+pick)|you\s+need\s+(?:these|this)|approved|obsessed)"),
                // "UMN residents for Mayor Jones", "Mayo nurses endorse Senator X"
                format!(r"(?i)\b{i}\s+{group}\s+(?:for|back|backs|support|supports|endorse|endorses|stand\s+with)\s+(?-i:{office}|[A-Z][a-z]+\s+[A-Z][a-z]+\b|[A-Z][a-z]+\s+for\s+(?:Mayor|Senate|Governor|Congress|President|Council))"),
                // "As a Mayo doctor, vote for Smith"
                format!(r"(?i)\bas\s+(?:an?|the)\s+(?:{i}\s+{role}|{role}\s+(?:at|@|with)\s+{i})[^.!?\n]{{0,80}}?\b(?:vote\s+(?:for|yes|no)|re-?elect|endorse)\b"),
                // Recommending someone for work done together at the institution.
                format!(r"(?i)\b(?:recommend|endorse|vouch\s+for)\b(?:[^.!?\n]|(?:Dr|Mr|Ms|Mrs|St|Prof)\.){{0,100}}?\b(?:worked|work|working|trained|served)\s+(?:together|with\s+(?:him|her|them))\s+(?:at|in)\s+{i}"),
                format!(r"(?i)\b(?:worked|working|trained|served)\s+(?:together|with\s+(?:him|her|them))\s+(?:at|in)\s+{i}(?:[^.!?\n]|(?:Dr|Mr|Ms|Mrs|St|Prof)\.){{0,100}}?\b(?:recommend|endorse|vouch\s+for)\b"),
            ],
        )
    })
}

pub(crate) fn promo() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        Lexicon::new(
            PROMO,
            &[
                r"(?i)(?:^|\s)#(?:sponsored|ad|partner|affiliate|spon)\b",
                r"(?i)\b\d{1,2}\s?%\s+off\b",
                r"(?i)\b(?:use\s+(?:my\s+)?code|promo\s+code|discount\s+code)\b",
                r"(?i)\blink\s+in\s+(?:my\s+)?bio\b",
                r"(?i)\b(?:affiliate\s+link|paid\s+partnership|sponsored\s+by)\b",
            ],
        )
    })
}

impl Rule for InstitutionalEndorsement {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        // Every pattern names the institution.
        if !cues::institution_possible(cx, block) {
            return;
        }
        cues::scan(
            cx,
            block,
            lexicon(),
            Guard::ALL,
            &META,
            "This uses the institution's name or your role there to endorse; the institution does not endorse products, people, causes or candidates.",
            out,
        );
    }

    fn check_document(&self, cx: &Context, out: &mut Vec<Finding>) {
        // A sponsored post by a writer who ties themselves to an institution.
        let Some(aff) = cx.affiliations.first() else {
            return;
        };
        for bi in 0..cx.markup.blocks.len() {
            if !promo().triggered_in(cx, bi) {
                continue;
            }
            if let Some(m) = promo().matches(cx, bi, Guard::ALL).into_iter().next() {
                let mut f = Finding::new(
                    &META,
                    cues::source(cx, bi, m),
                    format!(
                        "A sponsored or affiliate post that names your employer ({}) reads as its endorsement.",
                        cx.pack(aff.pack).name
                    ),
                );
                f.institution = Some(cx.pack(aff.pack).id.clone());
                out.push(f);
                return;
            }
        }
    }
}
