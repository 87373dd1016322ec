//! Recognising a "views are my own" disclaimer in its many real forms.

use std::sync::OnceLock;

use regex::Regex;

use crate::engine::Context;
use crate::packs::Pack;
use crate::rules::cues::Lexicon;

/// The known forms, as one alternation (searched as one regex: a third of
/// the cost of the same patterns as a `RegexSet`, which has to track every
/// pattern at once).
fn patterns() -> std::sync::Arc<Regex> {
    static RE: crate::rules::compiled::Reloadable<Regex> = crate::rules::compiled::Reloadable::new(
        || {
            let forms = [
                // "The views expressed on this blog are my own", "views here are mine"
                r"(?i)\b(?:views?|opinions?|thoughts?|posts?|tweets?|words?|takes?|content|statements?)\s+(?:expressed\s+|shared\s+|posted\s+)?(?:(?:here|on\s+this\s+\w+|in\s+this\s+\w+|on\s+here|on\s+my\s+\w+)\s+)?(?:are|is)\s+(?:all\s+|solely\s+|entirely\s+|strictly\s+|only\s+)?(?:my\s+own|mine|personal|my\s+personal)\b",
                // "all views my own", "Views my own", "Tweets are my own", "opinions mine"
                r"(?i)\b(?:views?|opinions?|thoughts?|tweets?|posts?|takes?)\s+(?:are\s+)?(?:all\s+)?(?:my\s+own|mine)\b",
                // "my opinions, nobody else's", "my own views, not my employer's", "my views only"
                r"(?i)\bmy\s+(?:own\s+)?(?:views?|opinions?|thoughts?|takes?)(?:\s+only\b|\s+alone\b|,?\s+(?:and\s+)?(?:not|nobody\s+else['’]s|no\s+one\s+else['’]s|no-one\s+else['’]s))",
                // "what I write is my own view, not my employer's"
                r"(?i)\b(?:is|are)\s+my\s+own\s+(?:views?|opinions?)\b",
                // "do not reflect the views of my employer", "doesn't represent my employer"
                r"(?i)\b(?:do|does)(?:\s+not|n['’]t)\s+(?:necessarily\s+)?(?:reflect|represent)\s+(?:the\s+(?:views?|opinions?|positions?)\s+of\s+)?(?:my\s+(?:employers?|workplace|institution|hospital|university|school)|the\s+(?:hospital|institution|university)|any\s+(?:employer|institution|organi[sz]ation))",
                r"(?i)\bnot\s+(?:the\s+views?|those|the\s+opinions?|the\s+position)\s+of\s+my\s+(?:employers?|workplace|institution|hospital|university)",
                r"(?i)\bnot\s+my\s+employer['’]s\b",
                // "speaking for myself", "not on behalf of"
                r"(?i)\bspeaking\s+(?:only\s+)?(?:for|as)\s+myself\b",
                r"(?i)\bI\s+(?:do\s+not|don['’]t)\s+speak\s+(?:for|on\s+behalf\s+of)\s+(?:my\s+employer|the\s+(?:hospital|university|institution))",
                // MSK: "this is my personal opinion which may not reflect their views"
                r"(?i)\bmy\s+personal\s+opinions?\s+(?:which|that|and)\s+(?:may|might|do|does)\s+not\b",
                r"(?i)\b(?:this\s+is|it['’]s|it\s+is|these\s+are)\s+(?:just\s+|only\s+)?my\s+personal\s+(?:opinions?|views?)\b",
                // "Mayo Clinic physician, personal account: …", "(personal page, …)": said as an
                // aside, not "a personal account of my surgery".
                r"(?im)(?:^|[(\[,;|•—–]|\s-)\s*personal\s+(?:account|page|acct|profile)\s*(?:[),;:|•—–]|\s-|$)",
                // "My recommendation, my views."
                r"(?im),\s*my\s+(?:own\s+)?(?:views?|opinions?)\s*(?:[.!)]|$)",
                // As a hashtag: "#viewsmyown", "#AllOpinionsMine", "#tweetsaremyown".
                r"(?i)#(?:all)?(?:views?|opinions?|thoughts?|tweets?|posts?|takes?)(?:are)?(?:all)?(?:my)?(?:own|mine)\b",
                // "Opinions expressed are solely my own"
                r"(?i)\bexpressed\s+(?:here\s+)?(?:are|is)\s+(?:solely\s+|entirely\s+)?(?:my\s+own|mine)\b",
            ];
            let alternation: Vec<String> = forms.iter().map(|p| format!("(?:{p})")).collect();
            crate::rules::regex(&alternation.join("|"))
        },
    );
    RE.get()
}

/// Whether the prose of the document holds a disclaimer: one of the known
/// forms, or a pack's own wording or the writer's (`disclaimer.text`), as
/// compiled once per checker by [`wordings`].
pub fn has_disclaimer(cx: &Context) -> bool {
    let set = patterns();
    let needed = words();
    let own = cx.checker.disclaimer_wordings();
    cx.markup.blocks.iter().enumerate().any(|(i, b)| {
        (needed.triggered_in(cx, i) && set.is_match(&b.text))
            || own.is_some_and(|w| w.is_match_in(cx, i))
    })
}

/// Words one of which every pattern of [`patterns`] needs: a block with
/// none of them is not searched (answered by the block's one trigger scan,
/// [`crate::rules::cues::TriggerIndex`]).
pub(crate) fn words() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        Lexicon::new(
            &[
                "own",
                "mine",
                "personal",
                "view",
                "opinion",
                "thought",
                "take",
                "reflect",
                "represent",
                "employer",
                "workplace",
                "institution",
                "hospital",
                "university",
                "myself",
                "speak",
                "expressed",
            ],
            &[] as &[&str],
        )
    })
}

/// The packs' disclaimer wordings (blog and short forms) and the writer's
/// own, as one pattern ([`any_of`]). `None` when there is no wording.
pub fn wordings(packs: &[Pack], own: Option<&str>) -> Option<Wordings> {
    any_of(
        packs
            .iter()
            .filter_map(|p| p.disclaimer.as_ref())
            .flat_map(|d| [d.blog.as_str(), d.short.as_str()])
            .chain(own),
        Some(words()),
    )
}

/// Fixed texts (a pack's disclaimer or notice, the writer's own) as one
/// pattern, compiled once per checker: case-insensitive, any run of
/// whitespace in a text matching any run in the document (a text wrapped
/// over two lines still counts). `None` when there is no text.
/// `needed`: the gate lexicon of the rule's own pattern for the same texts;
/// when each text holds one of its words, the block's trigger scan answers
/// for the wordings too.
pub fn any_of<'a>(
    texts: impl Iterator<Item = &'a str>,
    needed: Option<&'static Lexicon>,
) -> Option<Wordings> {
    let prefer = needed.map_or(&[] as &[String], |l| l.triggers());
    let texts: Vec<&str> = texts.collect();
    let mut alts: Vec<String> = texts
        .iter()
        .map(|w| {
            w.split_whitespace()
                .map(regex::escape)
                .collect::<Vec<_>>()
                .join(r"\s+")
        })
        .filter(|w| !w.is_empty())
        .collect();
    alts.sort();
    alts.dedup();
    if alts.is_empty() {
        return None;
    }
    let re = Regex::new(&format!("(?i)(?:{})", alts.join("|"))).ok()?;
    // One run of ASCII letters and digits of each text: any match holds
    // one of them. A run holding one of `prefer` is chosen first, else the
    // longest. A text without one (all accented, say) leaves the pattern
    // ungated.
    let words: Option<Vec<&str>> = texts
        .iter()
        .filter(|w| !w.trim().is_empty())
        .map(|w| {
            w.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|t| !t.is_empty())
                .max_by_key(|t| {
                    let lower = t.to_ascii_lowercase();
                    (prefer.iter().any(|p| lower.contains(p.as_str())), t.len())
                })
        })
        .collect();
    let gate = words.as_ref().and_then(|w| {
        aho_corasick::AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(w)
            .ok()
    });
    // When every text's gate word holds one of `prefer` (the needed words
    // of a rule's own pattern, in the block's trigger scan), a block where
    // the scan found none of those holds no text either.
    let implied = gate.is_some()
        && words.unwrap_or_default().iter().all(|w| {
            let w = w.to_ascii_lowercase();
            prefer.iter().any(|t| w.contains(t.as_str()))
        });
    Some(Wordings {
        re,
        gate,
        implied_by: needed.filter(|_| implied),
    })
}

/// Fixed texts as one pattern ([`any_of`]), behind a literal gate: the
/// pattern runs only on text that holds one word each match needs (a scan
/// of a few literals, where the case-insensitive pattern is a DFA walk over
/// every byte of every block).
pub struct Wordings {
    re: Regex,
    gate: Option<aho_corasick::AhoCorasick>,
    /// The lexicon a match needs a trigger of (the `needed` given to
    /// [`any_of`], when every text holds one of its words).
    implied_by: Option<&'static Lexicon>,
}

impl Wordings {
    /// Whether a match needs a trigger of the lexicon given to [`any_of`]
    /// (so the block's trigger scan can skip a block without one).
    pub fn implied(&self) -> bool {
        self.implied_by.is_some()
    }

    /// Whether block `block` of `cx` holds one of the texts: its trigger
    /// scan first, then the gate words, then the pattern.
    pub fn is_match_in(&self, cx: &Context, block: usize) -> bool {
        let text = &cx.markup.blocks[block].text;
        self.implied_by.is_none_or(|l| l.triggered_in(cx, block))
            && self.gate.as_ref().is_none_or(|g| g.is_match(text))
            && self.re.is_match(text)
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::Checker;
    use crate::markup::Format;

    fn has(text: &str) -> bool {
        let c = Checker::default_checker();
        let cx = c.context(text, Format::Markdown);
        super::has_disclaimer(&cx)
    }

    #[test]
    fn real_forms_are_recognised() {
        for t in [
            "The views expressed on this blog are my own and do not reflect the views of my employer.",
            "All views my own.",
            "Night shift done. #nursing #viewsmyown",
            "My opinions, nobody else's.",
            "What I write is my own view, not my employer's.",
            "I work for Memorial Sloan Kettering, but this is my personal opinion which may not reflect their views.",
            "Tweets are my own.",
            "Views my own",
            "Opinions expressed here are solely my own.",
            "I'm speaking for myself here.",
            "Thoughts are mine, not my employer's.",
        ] {
            assert!(has(t), "{t}");
        }
    }

    #[test]
    fn every_form_holds_a_needed_word() {
        // The prefilter may only skip blocks no pattern can match.
        for t in [
            "The views expressed on this blog are my own",
            "Opinions mine.",
            "My thoughts only.",
            "What I write is my own view",
            "does not represent my employer",
            "not the position of my hospital",
            "not my employer's",
            "speaking for myself",
            "I don't speak for the university",
            "my personal opinion which may not",
            "this is my personal view",
            "Opinions expressed are solely mine",
        ] {
            assert!(super::words().triggered(t), "{t}");
            assert!(has(t), "{t}");
        }
    }

    /// The packs' wordings hold a needed word, so the trigger scan gates
    /// them too; a writer's own wording that holds none is still read.
    #[test]
    fn own_wordings_are_found_with_or_without_a_needed_word() {
        let c = Checker::default_checker();
        assert!(c.disclaimer_wordings().is_some_and(|w| w.implied()));
        assert!(c.notice_wordings().is_some_and(|w| w.implied()));
        let settings = crate::config::Settings::from_toml(
            "scrubs.toml",
            "[disclaimer]\ntext = \"Private account; not affiliated with anyone.\"\n",
        )
        .unwrap();
        let c = Checker::new(settings, Vec::new()).unwrap();
        assert!(c.disclaimer_wordings().is_some_and(|w| !w.implied()));
        let text = "As a nurse at Mayo Clinic I love nights.\n\nPrivate account; not\naffiliated with anyone.\n";
        let found = c.check(text, Format::Markdown);
        assert!(
            !found.iter().any(|f| f.rule == "disclaimer/missing"),
            "{found:#?}"
        );
        let without = c.check(
            "As a nurse at Mayo Clinic I love nights.\n",
            Format::Markdown,
        );
        assert!(without.iter().any(|f| f.rule == "disclaimer/missing"));
    }

    #[test]
    fn lines_about_reposts_are_not_disclaimers() {
        for t in [
            "RTs ≠ endorsements.",
            "Retweets and likes are not endorsements.",
            "Reposts are not endorsements.",
            "My views on night shift have changed.",
        ] {
            assert!(!has(t), "{t}");
        }
    }
}
