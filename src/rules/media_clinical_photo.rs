use std::sync::OnceLock;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `media/clinical-photo`
pub struct ClinicalPhoto;

static META: RuleMeta = RuleMeta {
    id: "media/clinical-photo",
    default_severity: Severity::Warning,
    summary: "Photos or video taken in clinical or common areas, or of patients, specimens or cadavers.",
    what: "Flags a post that shares or describes a photo or video taken in a clinical or common area (“pic from the cath lab”, “video of our dance in the ICU break room”, a selfie in the trauma bay) or of patients, specimens, scans or cadavers. Posts that say not to (“no photos in patient areas”), and watching a video rather than taking one (“scrolling tiktok in the med room”), are left alone.",
    why: "Patients can appear in the background of any photo taken where care happens, and images of patients, specimens and cadavers are protected. MSK does not permit photography or video in common or public areas; the University of Minnesota forbids images of patients and of cadavers; Mayo Clinic's photography and video policy applies.",
    fix: "Remove the photo or video, or retake it somewhere no patient, record or specimen can appear.",
    fires: &[
        "Pic from the cath lab today, look at this setup!",
        "Video of our dance in the ICU break room 💃",
        "Selfie in the trauma bay after a wild night.",
        "Snapped a photo of the tumor we resected, biggest I've ever seen.",
        "![me at the nurses station](station.jpg)",
        "look at this pic from the cath lab 😳",
    ],
    clean: &[
        "Reminder: no photos in patient care areas, ever.",
        "Pic from the finish line of my first marathon!",
        "Photo of my dog waiting for me after night shift.",
        "I never take photos in the ICU.",
        "scrolling tiktok in the med room while a pump alarms somewhere behind me",
        "my preceptor caught me watching a reel while we were in a patient's room today",
    ],
};

const TRIGGERS: &[&str] = &[
    "photo",
    "pic",
    "picture",
    "selfie",
    "video",
    "snap",
    "shot",
    "clip",
    "footage",
    "film",
    "record",
    "tiktok",
    "reel",
    "x-ray",
    "xray",
    "scan",
    "boomerang",
];

const AREA: &str = r"(?:cath(?:eterization)?\s+lab|(?-i:ICU|MICU|SICU|CVICU|PICU|NICU|CCU|OR|ED|ER|PACU|L&D)|operating\s+room|trauma\s+bay|resus\s+bay|emergency\s+(?:room|department)|break\s?room|nurses['’]?\s+station|nursing\s+station|patient['’]?s?\s+rooms?|exam\s+rooms?|pre-?op|post-?op|recovery\s+room|labor\s+and\s+delivery|morgue|anatomy\s+lab|path(?:ology)?\s+lab|waiting\s+room|hallway|lobby|unit|ward|floor|bedside|OR\s+suite|(?:the\s+)?(?:med|supply)\s+room|clinic)";

/// An image whose alt text or file name places it in a clinical area or
/// shows a patient, specimen or cadaver.
fn image_re() -> std::sync::Arc<regex::Regex> {
    static R: crate::rules::compiled::Reloadable<regex::Regex> =
        crate::rules::compiled::Reloadable::new(|| {
            crate::rules::regex(&format!(
                r"(?i)(?:\b(?:in|at|from|inside)\s+(?:the\s+|our\s+|my\s+)?(?:\w+\s+)?{AREA}\b|\b(?:patient|cadaver|specimen|tumou?r|x-?ray)s?\b|(?:^|[/_-])(?-i:icu|or|ed|er|nicu|picu|cathlab|trauma-?bay|breakroom|nurses-?station)(?:[_.-]|$))"
            ))
        });
    R.get()
}

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let media = r"(?:photos?|pics?|pictures?|selfies?|videos?|snaps?|snapshots?|clips?|footage|tiktoks?|reels?|boomerangs?|shot)";
        let area = AREA;
        let subject = r"(?:(?:a|the|my|our|this|that)\s+(?:\w+\s+)?(?:patient|pt|cadaver|specimen|tumou?r|wound|x-?ray|CT|MRI|scan|body|baby|newborn|chart)s?|patients|cadavers|specimens)";
        Lexicon::new(
            TRIGGERS,
            &[
                // "pic from the cath lab", "video of our dance in the ICU break room"
                format!(r"(?i)\b{media}\b[^.!?\n]{{0,40}}?\b(?:from|in|at|inside|on)\s+(?:the\s+|our\s+|my\s+)?(?:\w+\s+)?{area}\b"),
                // "took a selfie in the OR"
                format!(r"(?i)\b(?:took|taking|snapped|snapping|filmed|filming|recorded|recording|shot)\s+(?:a\s+|this\s+|some\s+|our\s+)?(?:\w+\s+)?(?:{media}\s+)?(?:in|at|from|inside)\s+(?:the\s+|our\s+|my\s+)?(?:\w+\s+)?{area}\b"),
                // Of patients, specimens, cadavers, scans.
                format!(r"(?i)\b(?:{media}|snapped|took|filmed|recorded)\b[^.!?\n]{{0,20}}?\bof\s+{subject}"),
            ],
        )
    })
}

/// Whether the words just before a video or photo say the writer is watching one, not taking it
/// ("scrolling tiktok in the med room", "watching a reel"). Not "look at this pic": that is how a
/// writer shows their own.
fn watched(before: &str) -> bool {
    let words: Vec<String> = before
        .split_whitespace()
        .rev()
        .take(3)
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_ascii_lowercase()
        })
        .collect();
    // The verb, then at most an article or "at" and a determiner before the media word.
    let fillers = [
        "a", "an", "the", "this", "that", "these", "my", "at", "some", "on", "through",
    ];
    words
        .iter()
        .skip_while(|w| fillers.contains(&w.as_str()))
        .take(1)
        .any(|w| {
            matches!(
                w.as_str(),
                "scrolling"
                    | "scroll"
                    | "scrolled"
                    | "watching"
                    | "watch"
                    | "watched"
                    | "browsing"
                    | "binging"
                    | "bingeing"
            )
        })
}

impl Rule for ClinicalPhoto {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let text = &cx.markup.blocks[block].text;
        for m in lexicon().matches(cx, block, Guard::ALL) {
            if watched(&text[..m.start]) {
                continue;
            }
            out.push(Finding::new(
                &META,
                cues::source(cx, block, m),
                "Photos and video from clinical or common areas, or of patients, specimens or cadavers, are not allowed in personal posts.",
            ));
        }
    }

    fn check_document(&self, cx: &Context, out: &mut Vec<Finding>) {
        for img in &cx.markup.images {
            let file = img.dest.rsplit('/').next().unwrap_or(&img.dest);
            if image_re().is_match(&img.alt) || image_re().is_match(file) {
                out.push(Finding::new(
                    &META,
                    img.range.clone(),
                    "This image looks like it was taken in a clinical or common area, or shows a patient, specimen or cadaver.",
                ));
            }
        }
    }
}
