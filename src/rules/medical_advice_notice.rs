use std::sync::OnceLock;

use regex::Regex;

use crate::config::Placement;
use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::Lexicon;
use crate::rules::placement;

/// `medical-advice/missing-notice`
pub struct MissingNotice;

static META: RuleMeta = RuleMeta {
    id: "medical-advice/missing-notice",
    default_severity: Severity::Hint,
    summary: "A physician's post with health information and no “not medical advice” notice.",
    what: "When the writer is a physician (the `role` setting is `physician`, or the post says “I'm a physician”, “as a doctor”, “…, MD”) and the post gives health information (symptoms, treatments, screening, medicines), suggests a notice that the post is not medical advice, unless one is there (“not medical advice”, “for educational purposes only”, MSK's wording).",
    why: "MSK asks its physicians to exercise caution when posting comments that may be considered medical advice and to include a notice that their posts are not medical advice.",
    fix: "Adds MSK's notice (“These posts are not medical advice. …”) as the last paragraph of the post, or under an “About” heading.",
    fires: &[
        "As a physician, I get asked about statins a lot. Statins lower LDL cholesterol and the risk of heart attack; side effects like muscle aches are uncommon.",
        "Dr. Patel, cardiologist here. Statins lower LDL and reduce heart attack risk.",
    ],
    clean: &[
        "As a physician, I get asked about statins a lot. Statins lower LDL cholesterol and the risk of heart attack.\n\nThis is not medical advice.",
        "As a nurse, I love a good night shift snack. Here is my granola recipe.",
        "Statins lower LDL cholesterol and the risk of heart attack.",
        "My doctor here in town says my cholesterol and blood pressure are fine.",
    ],
};

fn physician_cue() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::Reloadable<Regex> = crate::rules::compiled::Reloadable::new(
        || {
            let who = r"(?:physician|doctor|doc|MD|internist|surgeon|oncologist|cardiologist|pediatrician|paediatrician|psychiatrist|dermatologist|neurologist|radiologist|anesthesiologist|endocrinologist|gastroenterologist|hospitalist|family\s+medicine\s+doc|OB-?GYN)";
            // "as a physician", "I'm a cardiologist", "…, MD", "cardiologist here".
            crate::rules::regex(&format!(
                r"(?i)\b(?:as\s+an?|I['’]m\s+an?|I\s+am\s+an?|I\s+work\s+as\s+an?)\s+(?:[\w-]+\s+){{0,3}}?{who}\b|(?-i:,\s*(?:MD|M\.D\.|DO)\b)|(?:\A|[,.!?:;—–\n])\s*(?:(?:board-certified|pediatric|peds|ER|ED|emergency|family|retired|practicing|practising|interventional|heart|cancer|breast|trauma)\s+)?{who}\s+here\b"
            ))
        },
    );
    R.get()
}

/// Literals every "as a physician" cue holds, but for `, DO` (checked apart,
/// case-sensitively): blocks without any are not searched for a cue.
pub(crate) fn physician_gate() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        Lexicon::gate(&[
            "physician",
            "doc",
            "md",
            "m.d.",
            "internist",
            "surgeon",
            "oncologist",
            "cardiologist",
            "pediatrician",
            "paediatrician",
            "psychiatrist",
            "dermatologist",
            "neurologist",
            "radiologist",
            "anesthesiologist",
            "endocrinologist",
            "gastroenterologist",
            "hospitalist",
            "gyn",
        ])
    })
}

/// Literals every notice [`notice_present`] recognises holds.
pub(crate) fn notice_gate() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| Lexicon::gate(&["advice", "purpose", "#nma", "relationship"]))
}

/// Health information: two or more distinct terms.
pub(crate) fn health() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let terms = [
            "symptom",
            "treatment",
            "diagnos",
            "medication",
            "medicine",
            "dose",
            "vaccine",
            "screening",
            "cancer",
            "blood pressure",
            "cholesterol",
            "statin",
            "insulin",
            "diabetes",
            "infection",
            "antibiotic",
            "side effect",
            "risk of",
            "chemo",
            "mammogram",
            "colonoscopy",
            "therapy",
            "prescri",
            "ibuprofen",
            "tylenol",
            "heart attack",
            "stroke",
            "asthma",
            "migraine",
            "supplement",
            "vitamin",
        ];
        let patterns: Vec<String> = terms
            .iter()
            .map(|t| format!(r"(?i)\b{}", regex::escape(t)))
            .collect();
        Lexicon::new(&terms, &patterns)
    })
}

fn notice_present() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:not\s+(?:intended\s+(?:as|to\s+be)\s+|meant\s+(?:as|to\s+be)\s+)?(?:medical|clinical)\s+advice|n[o']t\s+medical\s+advice|does\s+not\s+constitute\s+(?:medical\s+)?advice|for\s+(?:general\s+)?(?:informational|information|educational|education)\s+purposes(?:\s+only)?|#notmedicaladvice|#nma|no\s+doctor[-\s]patient\s+relationship)",
    );
    R.get()
}

fn is_physician_role(role: &str) -> bool {
    let r = role.trim().to_lowercase();
    matches!(
        r.as_str(),
        "physician" | "doctor" | "md" | "do" | "surgeon" | "attending" | "resident" | "fellow"
    )
}

impl Rule for MissingNotice {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, cx: &Context, out: &mut Vec<Finding>) {
        let by_role = cx.settings().role.as_deref().is_some_and(is_physician_role);
        let cue = cx.markup.blocks.iter().enumerate().find_map(|(bi, b)| {
            if !physician_gate().triggered_in(cx, bi) && !b.text.contains("DO") {
                return None;
            }
            physician_cue()
                .find(&b.text)
                .map(|m| cx.markup.blocks[bi].source_range(m.range()))
        });
        if !by_role && cue.is_none() {
            return;
        }
        let mut terms: Vec<String> = Vec::new();
        let mut first = None;
        // Two different terms are enough (and the first one's place): the
        // rest of the document need not be searched.
        for (bi, b) in cx.markup.blocks.iter().enumerate() {
            if terms.len() >= 2 {
                break;
            }
            for r in health().find_in(cx, bi) {
                let t = b.text[r.clone()].to_lowercase();
                if !terms.contains(&t) {
                    terms.push(t);
                }
                if first.is_none() {
                    first = Some(cx.markup.blocks[bi].source_range(r));
                }
            }
        }
        if terms.len() < 2 {
            return;
        }
        // The packs' own notice texts: one pattern, compiled per checker.
        let pack_notices = cx.checker.notice_wordings();
        if cx.markup.blocks.iter().enumerate().any(|(bi, b)| {
            (notice_gate().triggered_in(cx, bi) && notice_present().is_match(&b.text))
                || pack_notices.is_some_and(|w| w.is_match_in(cx, bi))
        }) {
            return;
        }
        let Some(range) = cue.or(first) else {
            return;
        };
        // The notice text: an active institution's own, else MSK's.
        let notice = cx
            .active
            .iter()
            .find_map(|&i| cx.pack(i).notice.as_ref())
            .or_else(|| crate::packs::builtin_pack("msk").and_then(|p| p.notice.as_ref()));
        let mut f = Finding::new(
            &META,
            range,
            "A physician's post with health information: add a notice that it is not medical advice.",
        );
        f.institution = Some("msk".into());
        if let Some(n) = notice {
            f.fixes = placement::insertion_fixes(
                cx,
                "a not-medical-advice notice",
                &n.text,
                "Not medical advice.",
                Placement::End,
                "notice",
            );
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Settings;
    use crate::engine::Checker;
    use crate::markup::Format;

    const RULE: &str = "medical-advice/missing-notice";

    #[test]
    fn the_notice_fix_rechecks_clean() {
        let c = Checker::default_checker();
        let text = "# Statins\n\nAs a physician, I get asked about statins. Statins lower cholesterol and the risk of heart attack.\n";
        let f = c
            .check(text, Format::Markdown)
            .into_iter()
            .find(|f| f.rule == RULE)
            .expect("finding");
        assert_eq!(f.severity, crate::engine::Severity::Hint);
        let fixed = f.fixes[0].apply(text);
        assert!(fixed.ends_with("*These posts are not medical advice. Please do not post personal information about your medical issues here.*\n") || fixed.contains("*These posts are not medical advice."), "{fixed}");
        assert!(!c
            .check(&fixed, Format::Markdown)
            .iter()
            .any(|f| f.rule == RULE));
    }

    #[test]
    fn the_role_setting_turns_it_on() {
        let text = "Statins lower cholesterol and the risk of heart attack.";
        let c = Checker::default_checker();
        assert!(!c
            .check(text, Format::Markdown)
            .iter()
            .any(|f| f.rule == RULE));
        let s = Settings {
            role: Some("physician".into()),
            ..Settings::default()
        };
        let c = Checker::new(s, Vec::new()).unwrap();
        assert!(c
            .check(text, Format::Markdown)
            .iter()
            .any(|f| f.rule == RULE));
    }
}
