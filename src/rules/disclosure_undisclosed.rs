use regex::Regex;

use crate::engine::{Context, Edit, Finding, Fix, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard};

/// `disclosure/undisclosed-affiliation`
pub struct UndisclosedAffiliation;

static META: RuleMeta = RuleMeta {
    id: "disclosure/undisclosed-affiliation",
    default_severity: Severity::Warning,
    summary: "Your own institution is praised, promoted or discussed without saying you work there and in what role.",
    what: "When `institution` is set in scrubs.toml, flags a post that praises or promotes that institution or its programs (“the transplant program at the U of M is world class, ask to be referred”) without ever saying the writer works there (“As a nurse at…”, “I work there”, “full disclosure: …”). Without settings, flags praise of a named institution in a post that hints the writer works there (“my hospital”, “where I work”) but never says in what role.",
    why: "Readers weigh praise differently when it comes from an employee. Mayo Clinic asks employees to identify themselves when they discuss Mayo Clinic matters; MSK requires you to disclose your affiliation when endorsing MSK or its activities; Mass General and the University of Minnesota ask for the same transparency.",
    fix: "Adds “(Disclosure: I work at …)” after the sentence, with your role from the `role` setting when it is set (an unsafe fix: check it says what you do).",
    fires: &[
        "So proud of where I work! Mass General's new cancer center is world class, book an appointment.",
    ],
    clean: &[
        "The transplant program at the University of Minnesota is world class.",
        "As a nurse at Mass General, I think our new cancer center is world class.",
    ],
};

fn praise() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:world[\s-]class|the\s+best|best\s+in|top[\s-](?:ranked|notch|tier)|number\s+one|#1|amazing|incredible|outstanding|excellent|leading|renowned|cutting[\s-]edge|state[\s-]of[\s-]the[\s-]art|ask\s+(?:to\s+be\s+referred|for\s+a\s+referral|your\s+doctor\s+for\s+a\s+referral)|get\s+(?:yourself\s+)?referred|go\s+(?:to|see)|choose|highly\s+recommend|recommend|can['’]t\s+say\s+enough|lucky\s+to\s+have|the\s+place\s+to\s+go|breakthrough|new\s+(?:center|centre|clinic|program|tower|building|trial|treatment)|is\s+hiring|now\s+hiring|apply|sign\s+up|enrolling|book\s+(?:an?\s+)?appointment|make\s+an\s+appointment)",
    );
    R.get()
}

/// The writer hints at working there without saying in what role.
fn employment_hint() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:my\s+(?:employer|workplace|place\s+of\s+work|hospital)|where\s+I\s+work|I\s+work\s+there|our\s+hospital)\b",
    );
    R.get()
}

/// The writer says what they do: "as a nurse", "I'm an oncologist".
fn role_stated() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:as\s+an?|I['’]?m\s+an?|I\s+am\s+an?|I\s+work\s+as\s+an?)\s+(?:[\w-]+\s+){0,3}?(?:nurse|physician|doctor|surgeon|resident|fellow|intern|pharmacist|therapist|tech|technician|technologist|scientist|researcher|professor|student|manager|director|chaplain|dietitian|NP|RN|MD|PA|CNA|LPN|volunteer|employee|[a-z]+ologist|[a-z]+iatrist|[a-z]+ician)\b",
    );
    R.get()
}

fn disclosed() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:I\s+work\s+(?:there|here)|where\s+I\s+work|my\s+(?:employer|workplace|place\s+of\s+work|hospital|colleagues|coworkers|co-workers)|full\s+disclosure|disclosure:|I['’]m\s+(?:an?\s+)?(?:\w+\s+){0,3}there|I\s+am\s+(?:an?\s+)?(?:\w+\s+){0,3}there|I['’]m\s+on\s+staff|employee\s+here|I\s+(?:work|worked|trained)\s+(?:at|for)\b|(?:I|I['’]ve|I\s+have)\s+(?:\w+\s+){0,2}?(?:worked|working)\s+(?:alongside|with|at|in|on)\b|working\s+alongside|proud\s+to\s+work\s+(?:with|at|for|here|alongside)|(?:doc|doctor|nurse|RN|MD|DO|NP|PA|resident|intern|fellow|pharmacist|tech|student|attending|surgeon)\s+here\b|PGY-?\d|(?:first|second|third|fourth|1st|2nd|3rd|4th)[\s-]year\s+(?:med(?:ical)?\s+student\s+|resident\s+|student\s+)?(?:at|in)\b|my\s+own\s+patients|my\s+(?:[\w-]+\s+){0,2}?(?:block|rotation|clerkship|residency|fellowship|unit|floor)\b|our\s+(?:[\w-]+\s+){0,2}?(?:unit|team|floor|program|department|lab|crew|arm|trials?)\b|rounding\s+(?:at|on|with)\b|I['’]ll\s+be\s+(?:leading|joining|starting|working)\b)",
    );
    R.get()
}

impl Rule for UndisclosedAffiliation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, cx: &Context, out: &mut Vec<Finding>) {
        let configured = !cx.inferred && cx.pack(cx.active[0]).id != crate::packs::GENERIC;
        let any = |re: &Regex| cx.markup.blocks.iter().any(|b| re.is_match(&b.text));
        if any(&role_stated()) {
            return;
        }
        let own: Vec<usize> = if configured {
            // A tie the writer states says where they work. A post that speaks as the
            // institution ("we at MGH", "Mayo Clinic recommends") shows the tie, and
            // `on-behalf` says what is wrong with it: a second finding here would only repeat
            // it (the blind calibration and test splits' writers never counted it as this).
            if cx.affiliations.iter().any(|a| cx.active.contains(&a.pack)) || any(&disclosed()) {
                return;
            }
            cx.active.clone()
        } else {
            // Unconfigured: the writer hints that they work at a named
            // institution but never says in what role.
            if cx.affiliations.iter().any(|a| !a.implicit) || !any(&employment_hint()) {
                return;
            }
            cx.mentions
                .iter()
                .filter(|m| m.strong)
                .map(|m| m.pack)
                .collect()
        };
        if own.is_empty() {
            return;
        }
        let names = cx.checker.names();
        for b in &cx.markup.blocks {
            let found = names.find(&b.text);
            for (pi, r) in found.iter().cloned() {
                // The longest of overlapping names: "U of M", not "the U".
                if found
                    .iter()
                    .any(|(_, o)| o.start < r.end && r.start < o.end && o.len() > r.len())
                {
                    continue;
                }
                let (pack, _, _) = names.pattern(pi);
                if !own.contains(pack) {
                    continue;
                }
                let s = cues::sentence(&b.text, &r);
                if !praise().is_match(&b.text[s.clone()]) {
                    continue;
                }
                // "If you need a surgeon, go to Mayo Clinic" still promotes
                // it: only teaching and quotation spare a mention.
                if cues::guarded(
                    b,
                    &r,
                    Guard {
                        negation: false,
                        hypothetical: false,
                        teaching: true,
                    },
                ) {
                    continue;
                }
                let p = cx.pack(*pack);
                let role = cx
                    .settings()
                    .role
                    .as_deref()
                    .map(|r| {
                        let art = if r.starts_with(['a', 'e', 'i', 'o', 'u']) {
                            "an"
                        } else {
                            "a"
                        };
                        format!(" as {art} {r}")
                    })
                    .unwrap_or_default();
                let mut f = Finding::new(
                    &META,
                    b.source_range(r.clone()),
                    format!(
                        "This promotes {}, your employer, without saying you work there and in what role.",
                        p.name
                    ),
                );
                f.institution = Some(p.id.clone());
                // After the sentence's end in the source.
                let mut end = s.end;
                while end > s.start && b.text[..end].ends_with(char::is_whitespace) {
                    end -= 1;
                }
                let at = b.source_range(end..end).start;
                if let Some(prev) = end.checked_sub(1).filter(|_| end > 0) {
                    let src_prev = b.source_range(prev..end);
                    let at = if src_prev.end == at { at } else { src_prev.end };
                    // Saying you work there makes the connection apparent:
                    // without a disclaimer the fix would trade this finding
                    // for `disclaimer/missing`, so it adds one too.
                    let own = if crate::rules::disclaimers::has_disclaimer(cx) {
                        ""
                    } else {
                        " Views my own."
                    };
                    f = f.with_fix(Fix {
                        title: "Say that you work there".into(),
                        edits: vec![Edit {
                            range: at..at,
                            new_text: format!(" (Disclosure: I work at {}{role}.{own})", p.name),
                        }],
                        safe: false,
                        preferred: true,
                        parts: Vec::new(),
                    });
                }
                out.push(f);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{OneOrMany, Settings};
    use crate::engine::Checker;
    use crate::markup::Format;

    const RULE: &str = "disclosure/undisclosed-affiliation";

    fn checker(role: Option<&str>) -> Checker {
        let s = Settings {
            institution: Some(OneOrMany::One("umn".into())),
            role: role.map(String::from),
            ..Settings::default()
        };
        Checker::new(s, Vec::new()).unwrap()
    }

    #[test]
    fn praise_of_the_own_institution_without_disclosure_fires_and_the_fix_discloses() {
        let c = checker(Some("nurse"));
        let text = "The transplant program at the U of M is world class, ask to be referred.";
        let found = c.check(text, Format::Markdown);
        let f = found.iter().find(|f| f.rule == RULE).expect("finding");
        assert_eq!(&text[f.range.clone()], "U of M");
        let fixed = f.fixes[0].apply(text);
        assert_eq!(
            fixed,
            "The transplant program at the U of M is world class, ask to be referred. (Disclosure: I work at University of Minnesota as a nurse. Views my own.)"
        );
        // Disclosing does not trade this finding for a missing disclaimer.
        assert!(!c
            .check(&fixed, Format::Markdown)
            .iter()
            .any(|f| f.rule == RULE || f.rule == "disclaimer/missing"));
    }

    #[test]
    fn disclosed_or_unconfigured_posts_are_quiet() {
        let c = checker(None);
        for t in [
            "As a nurse at the University of Minnesota, I think our transplant program is world class.",
            "Full disclosure: I work there. The U of M transplant program is world class.",
            "The University of Minnesota was founded in 1851.",
        ] {
            assert!(!c.check(t, Format::Markdown).iter().any(|f| f.rule == RULE), "{t}");
        }
        // A tie stated in other words, or a post that speaks as the institution (which
        // `on-behalf` flags), says it too.
        for t in [
            "U of M peds resident here: our transplant program is world class.",
            "PGY-2 @ UMN IM, please apply, the U of M program is the best in the Midwest.",
            "I had the pleasure of working alongside Priya in the U of M echo lab. The best tech I know.",
            "Happy Nurses Week to the best unit at the U of M. Proud to work with you all.",
            "We at the University of Minnesota are proud of our world class transplant program.",
        ] {
            assert!(!c.check(t, Format::Markdown).iter().any(|f| f.rule == RULE), "{t}");
        }
        // A tie to someone else's work is no disclosure of one's own.
        let t =
            "My cousin worked with them for years: the U of M transplant program is world class.";
        assert!(
            c.check(t, Format::Markdown).iter().any(|f| f.rule == RULE),
            "{t}"
        );
        let c = Checker::default_checker();
        assert!(!c
            .check(
                "The University of Minnesota transplant program is world class.",
                Format::Markdown
            )
            .iter()
            .any(|f| f.rule == RULE));
    }
}
