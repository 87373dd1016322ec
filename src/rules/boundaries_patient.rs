use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `boundaries/patient-connection`
pub struct PatientConnection;

static META: RuleMeta = RuleMeta {
    id: "boundaries/patient-connection",
    default_severity: Severity::Warning,
    summary: "Friending, following, connecting or messaging with patients or their families on social media.",
    what: "Flags a writer connecting with patients or their families online: “my patient's daughter added me on Instagram and I accepted”, “I followed my patient on TikTok”, “DMing a patient”. A request the writer declined, and posts that say they never would, are left alone.",
    why: "Online connections with patients blur the professional boundary. Mayo Clinic and the University of Minnesota ask you not to initiate or accept them; MSK discourages connecting with patients unless the relationship existed before.",
    fix: "Decline or remove the connection, and leave it out of the post.",
    fires: &[
        "My patient's daughter added me on Instagram and I accepted.",
        "I followed my favorite patient on TikTok, he is hilarious.",
        "Just accepted a friend request from one of my patients.",
        "Been DMing with a former patient about her recovery.",
    ],
    clean: &[
        "I would never friend a patient.",
        "A patient's mom added me on Facebook and I politely declined.",
        "Is it OK to follow a patient back on Instagram?",
        "I followed the new Mayo Clinic account on Instagram.",
    ],
};

const TRIGGERS: &[&str] = &["patient", "pt's", "pt’s", "my pts", "a pt"];

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let pt = r"(?:(?:my|our|a|one\s+of\s+my|one\s+of\s+our|an?\s+(?:old|former|current))\s+(?:\w+\s+)?(?:former\s+)?(?:patients?|pts?)(?:['’]s?\s+(?:mom|mother|dad|father|daughter|son|wife|husband|partner|family|sister|brother|kid|kids|grandson|granddaughter|parents?|caregiver))?)";
        let connect = r"(?:friended|followed|added|messaged|DMed|DM['’]d|dm['’]d|DMing|dming|messaging|texting|texted|snapchatted|connected\s+with|followed\s+back|added\s+back|friend(?:ed)?\s+back|accepted|slid\s+into\s+(?:the\s+)?DMs\s+of)";
        let platform = r"(?:facebook|FB|instagram|insta|IG|tiktok|snapchat|snap|twitter|X|linkedin|threads|whatsapp)";
        Lexicon::new(
            TRIGGERS,
            &[
                // The writer connects: "I followed my patient", "DMing with a patient".
                format!(r"(?i)\b(?:I|I['’]ve|I\s+have|I\s+just|I\s+finally|been|just|finally)\s+(?:just\s+|finally\s+|totally\s+|also\s+)?{connect}\s+(?:with\s+)?{pt}"),
                // "accepted a friend request from one of my patients"
                format!(r"(?i)\b(?:accepted|approved)\s+(?:a|the|his|her|their)\s+(?:friend|follow|connection)\s+request\s+from\s+{pt}"),
                // The patient connects and the writer accepts.
                format!(r"(?i)\b{pt}\s+(?:\w+\s+){{0,2}}?(?:added|friended|followed|messaged|DMed|requested|found)\s+me\b(?:\s+(?:on|in)\s+{platform})?[^.!?\n]{{0,40}}?\b(?:and|so)\s+I\s+(?:accepted|added\s+(?:him|her|them)\s+back|followed\s+(?:him|her|them)\s+back|said\s+yes|friended\s+(?:him|her|them)\s+back)\b"),
                // "I'm Facebook friends with my patient"
                format!(r"(?i)\bI['’]?m\s+(?:now\s+)?(?:{platform}\s+)?friends\s+(?:on\s+{platform}\s+)?with\s+{pt}"),
            ],
        )
    })
}

/// The writer turned the request down.
fn declined() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:declined|ignored|deleted|rejected|blocked|turned\s+(?:it\s+)?down|said\s+no|didn['’]t\s+accept|did\s+not\s+accept|unfollowed|removed)\b",
    );
    R.get()
}

impl Rule for PatientConnection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        for m in lexicon().matches_unless(cx, block, Guard::ALL, &declined()) {
            out.push(Finding::new(
                &META,
                cues::source(cx, block, m),
                "Connecting with patients or their families online blurs the professional boundary.",
            ));
        }
    }
}
