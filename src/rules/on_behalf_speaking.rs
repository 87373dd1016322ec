use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Edit, Finding, Fix, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon, INSTITUTION};

/// `on-behalf/speaking-for-institution`
pub struct SpeakingForInstitution;

static META: RuleMeta = RuleMeta {
    id: "on-behalf/speaking-for-institution",
    default_severity: Severity::Warning,
    summary: "The post speaks for the institution (“here at MSK we…”, “the hospital's stance is…”) instead of in the first person.",
    what: "Flags phrases in which the writer speaks as or for the institution: “here at MSK we've decided”, “we at Mayo Clinic believe”, “the hospital's stance is”, “our official position”, “I'm authorized to say”, “as a representative of UMN”, “on behalf of Mass General”. Negated, hypothetical and quoted phrases (“I don't speak on behalf of my employer”) are left alone.",
    why: "Only the people the institution authorises may speak for it. Mayo Clinic asks you to write in the first person; Mass General, MSK and the University of Minnesota ask you to make clear that you speak for yourself, not on behalf of the institution.",
    fix: "Rewrites “here at MSK we think” / “we at Mayo Clinic believe” to “I think” / “I believe” (an unsafe fix: read the sentence again after applying it). Other phrasings need rewording by hand.",
    fires: &[
        "Here at MSK we've decided to go all in on proton therapy.",
        "We at Mayo Clinic believe every patient deserves a second opinion.",
        "The hospital's stance is that the strike is illegal.",
        "I'm authorized to say Mayo will open the new tower in spring.",
        "As a representative of UMN, I want to welcome the new class.",
        "Our official position on the vaccine mandate has not changed.",
    ],
    clean: &[
        "I think night shift builds character.",
        "I don't speak on behalf of my employer; these are my own thoughts.",
        "Policy reminder: never write “we at Mayo Clinic” in a personal post.",
        "If I were speaking on behalf of the hospital I'd need approval from communications.",
        "We at the book club loved this novel.",
        "The position of the catheter was confirmed on X-ray.",
    ],
};

const TRIGGERS: &[&str] = &[
    "here at",
    "we at",
    "stance",
    "position",
    "authori",
    "behalf",
    "representative",
    "spokes",
    "speaking for",
    "speak for",
    ", we",
];

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let i = INSTITUTION;
        Lexicon::new(
            TRIGGERS,
            &[
                format!(r"(?i)\b(?:the|our|{i}['’]s?)\s+(?:(?:hospital|clinic|university|institution|department|organi[sz]ation|employer|leadership|administration)['’]s\s+)?(?:official\s+|formal\s+|institutional\s+)?(?:stance|position)\s+(?:is|on|regarding|here)\b"),
                format!(r"(?i)\b(?:the|our|{i})['’]s?\s+(?:official\s+)?(?:stance|position)\b"),
                r"(?i)\bour\s+(?:official|formal|institutional)\s+(?:stance|position|statement|view)\b".to_string(),
                r"(?i)\bI(?:['’]m|\s+am|\s+was|['’]ve\s+been|\s+have\s+been)\s+(?:officially\s+)?authori[sz]ed\s+to\s+(?:say|announce|share|confirm|speak|tell|state)\b".to_string(),
                format!(r"(?i)\bas\s+(?:a|an|the)\s+(?:official\s+)?(?:representative|spokes(?:person|man|woman)|voice)\s+(?:of|for)\s+{i}"),
                format!(r"(?i)\b(?:on\s+behalf\s+of|speaking\s+for|(?:I|we)\s+speak\s+for)\s+(?:{i}|my\s+(?:employer|hospital|institution))"),
            ],
        )
    })
}

/// "here at MSK we", "we at Mayo Clinic", sentence-initial "At MGH, we",
/// with what follows "we" so the rewrite can agree with "I".
fn rewrite() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::Reloadable<Regex> = crate::rules::compiled::Reloadable::new(
        || {
            let i = INSTITUTION;
            crate::rules::regex(&format!(
                r"(?i)(?:\bhere\s+at\s+{i},?\s+we|\bwe\s+(?:here\s+)?at\s+{i},?|(?:^|[.!?]\s+)at\s+{i},\s+we)(?P<tail>\s+are\b|\s+were\b|['’]re\b|['’]ve\b|['’]ll\b|['’]d\b|\s+(?:think|believe|feel|know|recommend|decided|have|will|want|support|oppose|stand|do|don['’]t|take|agree|hope|encourage|urge|expect|plan|value|care|love|see|say|refuse|reject)\b)"
            ))
        },
    );
    R.get()
}

impl Rule for SpeakingForInstitution {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let b = &cx.markup.blocks[block];
        let lex = lexicon();
        if !lex.triggered_in(cx, block) {
            return;
        }
        let mut taken = Vec::new();
        // The rewrite's every form names the institution.
        let rewrites = if cues::institution_possible(cx, block) {
            rewrite().captures_iter(&b.text).collect()
        } else {
            Vec::new()
        };
        for c in rewrites {
            let (Some(m), Some(tail)) = (c.get(0), c.name("tail")) else {
                continue;
            };
            // Start at the first word ("Here", "We", "At"), not at the
            // punctuation of a previous sentence.
            let start = m.start()
                + b.text[m.start()..]
                    .find(|ch: char| ch.is_alphabetic())
                    .unwrap_or(0);
            let r = start..tail.start();
            if cues::guarded(b, &r, Guard::ALL) {
                continue;
            }
            let t = tail.as_str().trim_start().to_lowercase();
            let (end, new_text) = if t == "are" {
                (tail.end(), "I am".to_string())
            } else if t == "were" {
                (tail.end(), "I was".to_string())
            } else if t.starts_with('\'') || t.starts_with('’') {
                let apos =
                    &tail.as_str()[..tail.as_str().chars().next().map_or(1, |c| c.len_utf8())];
                let rest = &t[apos.len()..];
                if rest == "re" {
                    (tail.end(), format!("I{apos}m"))
                } else {
                    (tail.start(), "I".to_string())
                }
            } else {
                (tail.start(), "I".to_string())
            };
            let src = b.source_range(start..end);
            taken.push(start..end);
            let fix_ok = cx.text.get(src.clone()).is_some_and(|s| {
                s.len() == end - start // contiguous in the source
            });
            let mut f = Finding::new(
                &META,
                src.clone(),
                "This speaks for the institution; write in the first person (“I think”), as yourself.",
            );
            if fix_ok {
                f = f.with_fix(Fix {
                    title: format!("Rewrite as “{new_text}”"),
                    edits: vec![Edit {
                        range: src,
                        new_text,
                    }],
                    safe: false,
                    preferred: true,
                    parts: Vec::new(),
                });
            }
            out.push(f);
        }
        for m in lex.matches(cx, block, Guard::ALL) {
            if taken.iter().any(|t| t.start < m.end && m.start < t.end) {
                continue;
            }
            out.push(Finding::new(
                &META,
                cues::source(cx, block, m),
                "This speaks for the institution; unless you are authorised to, write as yourself and say the views are your own.",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::Checker;
    use crate::markup::Format;

    fn fixed(text: &str) -> String {
        let c = Checker::default_checker();
        let f = c
            .check(text, Format::Markdown)
            .into_iter()
            .find(|f| f.rule == "on-behalf/speaking-for-institution")
            .expect("finding");
        assert!(!f.fixes[0].safe);
        f.fixes[0].apply(text)
    }

    #[test]
    fn first_person_rewrites_read_right_and_recheck_clean() {
        for (before, after) in [
            (
                "Here at MSK we think proton therapy is the future.",
                "I think proton therapy is the future.",
            ),
            (
                "We at Mayo Clinic believe in teamwork.",
                "I believe in teamwork.",
            ),
            (
                "Honestly, here at MSK we've decided to go big.",
                "Honestly, I've decided to go big.",
            ),
            (
                "We at Mass General are proud of this.",
                "I am proud of this.",
            ),
            ("Here at UMN we’re hiring!", "I’m hiring!"),
        ] {
            let got = fixed(before);
            assert_eq!(got, after);
            let c = Checker::default_checker();
            assert!(
                !c.check(&got, Format::Markdown)
                    .iter()
                    .any(|f| f.rule == "on-behalf/speaking-for-institution"),
                "{got}"
            );
        }
    }
}
