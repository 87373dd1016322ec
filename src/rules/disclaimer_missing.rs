use std::ops::Range;

use crate::config::Placement;
use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::{disclaimers, placement};

/// `disclaimer/missing`
pub struct DisclaimerMissing;

static META: RuleMeta = RuleMeta {
    id: "disclaimer/missing",
    default_severity: Severity::Warning,
    summary: "Your connection to an institution is apparent, and the post has no “views are my own” disclaimer.",
    what: "Flags a post in which the writer's connection to a health-care institution is apparent when no disclaimer appears anywhere in the post. The connection is apparent when the writer says it (“As a nurse at Mayo Clinic”, “I work at MSK”, “RN @ UMN”, “charge nurse at Lakeview Regional Medical Center”, “ten years at Mayo Clinic today”, “first day of intern year at the U of M”, a sign-off such as “— Dana, RN, Mass General” or “Sincerely, an MSK oncologist”), writes from a work e-mail address or a handle with the institution's name, or, in a post that names the institution, speaks for it, shares its unreleased news or lends its name to an endorsement (as the rules or the sentence model find them). The finding sits on the first such phrase, address or name.",
    why: "Where your connection to your employer is apparent, readers may take your words as the institution's. Every one of the four policies asks you to make clear that you speak for yourself, and Mayo Clinic, Mass General and MSK give the wording to use.",
    fix: "Adds your institution's own disclaimer wording as the last paragraph of the post (or under an “About” heading, or in the short form on a short post).",
    fires: &[
        "As a nurse at Mayo Clinic, I see a lot of sunrises.",
        "I work at Memorial Sloan Kettering and love my team.",
        "Mayo Clinic pharmacist here: let's talk about night shifts.",
        "I'm an ICU nurse at Mass General.",
        "Just joined the pharmacy team at the University of Minnesota!",
        "RN @ UMN Medical Center. Coffee first.",
        "Mayo peds nurse here and the night shift snacks are elite.",
        "We at Mass General are thrilled to welcome the new interns.",
        "Questions about the 5K? Email me at r.patel@mgh.harvard.edu",
        "Follow me @MayoNurseKatie for night-shift hacks!",
        "As a dietitian at Riverside General, I see a lot of sunrises.",
        "Ten years at Mayo Clinic today. Grateful for every mentor who took a chance on me.",
        "First day of intern year at the U of M! Pager clipped on upside down.",
        "Week 6 of clinicals at the University of Minnesota and it's hitting different.",
        "MSK onc here. Lots of you are asking about the new trial.",
        "Twelve hours, zero falls, one cake in the break room. #MGHnurse #nightshift",
        "Proud of this team tonight.\n\n— Dana, RN, Mass General",
        "Best shift I've had at MSK in months: the whole pod just clicked.",
        "Fluids, rest, and call your team if it gets worse. - an MSK oncologist",
        "Please be kind to the front desk. Sincerely, a U of M peds resident.",
        "As a Mayo Clinic electrophysiologist, I get this question a lot.",
    ],
    clean: &[
        "As a nurse at Mayo Clinic, I see a lot of sunrises.\n\n*The views expressed on this blog are my own and do not reflect the views of my employer.*",
        "My mom's first day of chemo at Mayo Clinic went fine, and two weeks at Mayo Clinic flew by.",
        "I work at MSK. All views my own.",
        "My grandmother was treated at Mayo Clinic last year.",
        "I put mayo on my sandwich at work.",
        "MSK pain is common in nurses who work at night.",
        "The nurses at Mayo Clinic were wonderful to my dad.",
        "At Mayo Clinic, we finally got answers about my son's seizures.",
        "Day 40 of chemo and still smiling. #MSKstrong #MayoClinic",
        "Jenny, a nurse at MGH, was so kind to my mom.",
        "The best care we ever had. - a grateful patient at Mayo Clinic",
    ],
};

impl Rule for DisclaimerMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, cx: &Context, out: &mut Vec<Finding>) {
        if disclaimers::has_disclaimer(cx) {
            return;
        }
        if let Some(tie) = tie(cx, out) {
            out.push(finding(cx, &tie));
        }
    }
}

/// What makes the writer's connection to an institution apparent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tie {
    /// Index into the checker's packs.
    pub pack: usize,
    /// Range in the source the finding sits on.
    pub range: Range<usize>,
    /// The institution's name in the source, when the post writes it.
    pub name: Option<Range<usize>>,
    /// Shown rather than said: mending what shows it (writing in the first person, removing the
    /// work address) also ends the need for a disclaimer, so adding one is a choice, not a fix
    /// to apply unasked.
    pub shown: bool,
}

/// Rules whose findings show the writer's tie: a work e-mail address, a personal handle with
/// the institution's name.
pub(crate) const TIE_RULES: &[&str] = &[
    "work-email/institutional-address",
    "branding/name-in-handle",
];

/// Categories whose findings, in a post that names an institution, show the writer is one of
/// it: only someone inside speaks for it, knows its unreleased news or lends its name.
pub(crate) const INSIDER: &[&str] = &["on-behalf", "confidential", "endorsement"];

/// The writer's tie to an institution, from the context and the findings so far (`found`):
/// an affiliation phrase; else a work e-mail address or a personal handle with the
/// institution's name (their findings in `found`); else an insider's finding ([`INSIDER`]) in a
/// post that names an institution.
pub(crate) fn tie(cx: &Context, found: &[Finding]) -> Option<Tie> {
    if let Some(first) = cx.affiliations.first() {
        return Some(Tie {
            pack: first.pack,
            range: first.range.clone(),
            name: Some(first.mention.clone()),
            shown: cx.affiliations.iter().all(|a| a.implicit),
        });
    }
    let pack_of = |f: &Finding| {
        f.institution
            .as_deref()
            .and_then(|id| cx.checker.packs().iter().position(|p| p.id == id))
    };
    for rule in TIE_RULES {
        if let Some(f) = found.iter().find(|f| f.rule == *rule) {
            return Some(Tie {
                pack: pack_of(f)
                    .or_else(|| named(cx).map(|n| n.0))
                    .unwrap_or(cx.checker.generic),
                range: f.range.clone(),
                name: None,
                shown: true,
            });
        }
    }
    insider_tie(cx, found)
}

/// The tie an insider's finding ([`INSIDER`]) among `found` shows, in a post that names an
/// institution: on the first name.
pub(crate) fn insider_tie(cx: &Context, found: &[Finding]) -> Option<Tie> {
    if !found.iter().any(|f| INSIDER.contains(&f.category())) {
        return None;
    }
    named(cx).map(|(pack, range)| Tie {
        pack,
        range: range.clone(),
        name: Some(range),
        shown: true,
    })
}

/// The first institution the post names: a mention, else a weak name ("Mayo", "the U") that
/// nothing after it gives another meaning.
pub(crate) fn named(cx: &Context) -> Option<(usize, Range<usize>)> {
    if let Some(m) = cx.mentions.first() {
        return Some((m.pack, m.range.clone()));
    }
    let names = cx.checker.names();
    cx.markup.blocks.iter().find_map(|b| {
        names.find(&b.text).into_iter().find_map(|(pi, r)| {
            let (pack, _, _) = names.pattern(pi);
            (!crate::engine::affiliation::other_meaning(cx.pack(*pack), &b.text, &r))
                .then(|| (*pack, b.source_range(r)))
        })
    })
}

/// The `disclaimer/missing` finding on `tie`, with its fixes.
pub(crate) fn finding(cx: &Context, tie: &Tie) -> Finding {
    // The writer's own institution: the one they named, unless the
    // settings choose others.
    let configured = !cx.inferred && cx.active != [cx.checker.generic];
    let pack = if !configured || cx.active.contains(&tie.pack) {
        cx.pack(tie.pack)
    } else {
        cx.primary()
    };
    let generic = crate::packs::builtin_pack(crate::packs::GENERIC);
    let wording = pack
        .disclaimer
        .as_ref()
        .or_else(|| generic.and_then(|g| g.disclaimer.as_ref()));
    let settings = cx.settings();
    let long = settings
        .disclaimer
        .text
        .clone()
        .or_else(|| wording.map(|w| w.blog.clone()))
        .unwrap_or_else(|| {
            "The views expressed here are my own and do not reflect the views of my employer."
                .into()
        });
    let short = settings
        .disclaimer
        .text
        .clone()
        .or_else(|| wording.map(|w| w.short.clone()))
        .unwrap_or_else(|| "Views my own.".into());
    let what = if settings.disclaimer.text.is_some() {
        "your disclaimer".to_string()
    } else if pack.id == "generic" {
        // The generic pack's name is "your employer's social-media policy".
        "a disclaimer".to_string()
    } else {
        format!("the {} disclaimer", pack.name)
    };
    let field = settings.disclaimer.field.as_deref().unwrap_or("disclaimer");
    let placement = settings.disclaimer.placement.unwrap_or(Placement::End);
    let mut f = Finding::new(
        &META,
        tie.range.clone(),
        format!(
            "Your connection to {} is apparent, but the post has no disclaimer saying the views are your own.",
            pack.name
        ),
    );
    f.institution = Some(pack.id.clone());
    if pack.id == crate::packs::GENERIC {
        // An institution no pack knows: say its name as the post writes it.
        if let Some(name) = tie.name.clone().and_then(|r| cx.text.get(r)) {
            f.message = format!(
                "Your connection to {name} is apparent, but the post has no disclaimer saying the views are your own."
            );
        }
    }
    f.fixes = placement::insertion_fixes(cx, &what, &long, &short, placement, field);
    if tie.shown {
        for fix in &mut f.fixes {
            fix.safe = false;
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use crate::engine::Checker;
    use crate::markup::Format;

    /// The phrase the finding sits on, if the rule fires.
    fn on(text: &str) -> Option<String> {
        Checker::default_checker()
            .check(text, Format::Markdown)
            .into_iter()
            .find(|f| f.rule == "disclaimer/missing")
            .map(|f| text[f.range].to_string())
    }

    #[test]
    fn a_tie_shown_rather_than_stated_makes_the_connection_apparent() {
        for (text, phrase) in [
            (
                "So proud of my MSK colleagues who ran the marathon today!",
                "my MSK colleagues",
            ),
            (
                "At MSK, we believe every patient deserves the newest therapies.",
                "At MSK, we believe",
            ),
            (
                "MSK's official stance on the draft guidance: it slows trials.",
                "MSK's official stance",
            ),
            (
                "On behalf of the entire dental service at Memorial Sloan Kettering, thank you!",
                "On behalf of the entire dental service at Memorial Sloan Kettering",
            ),
            (
                "Six years as a staff nurse in cardiac surgery at Mayo Clinic, and now a new role.",
                "as a staff nurse in cardiac surgery at Mayo Clinic",
            ),
        ] {
            assert_eq!(on(text).as_deref(), Some(phrase), "{text}");
        }
    }

    #[test]
    fn a_hashtag_or_a_sign_off_with_a_role_ties_the_writer() {
        for (text, phrase) in [
            ("Quiet night, full moon. #MGHnurse", "#MGHnurse"),
            ("Match day!! #UMNmed #MatchDay2027", "#UMNmed"),
            ("Twelve years today. #MayoClinicNurse", "#MayoClinicNurse"),
            ("Study group at 7. #UofMnursing", "#UofMnursing"),
            (
                "So proud of this team.\n\n— Dana, RN, Mass General",
                "Dana, RN, Mass General",
            ),
            (
                "Thanks for reading.\n\n~ Sam, PGY-2 @ UMN",
                "Sam, PGY-2 @ UMN",
            ),
        ] {
            assert_eq!(on(text).as_deref(), Some(phrase), "{text}");
        }
        // A patient's or a family's tags, a hashtag with no role, a name that is only part of a
        // word, and someone else's name before a role stay quiet.
        for text in [
            "Scan day. #MSKstrong #MayoClinic #cancerfree",
            "Thank you #MGH for taking care of my dad.",
            "Cheering for #MSKids and #MSKnights this weekend.",
            "Jenny, a nurse at MGH, was so kind to my mom.",
            "Mayo on everything. #mayonnaise",
        ] {
            assert_eq!(on(text), None, "{text}");
        }
    }

    #[test]
    fn a_work_address_a_handle_or_an_insiders_news_shows_the_tie() {
        for (text, on_what) in [
            (
                "Starting a book club! Email me at pwalsh@partners.org to join.",
                "pwalsh@partners.org",
            ),
            (
                "Follow me @MayoNurseKatie for night shift hacks!",
                "@MayoNurseKatie",
            ),
            (
                "I'm authorized to say Mayo will open the new tower in spring.",
                "Mayo",
            ),
            (
                "Thrilled to say I start as a charge nurse at Lakeview Regional Medical Center!",
                "as a charge nurse at Lakeview Regional Medical Center",
            ),
            (
                "As a hospital dietitian at Riverside General, I recommend NutriShake.",
                "As a hospital dietitian at Riverside General",
            ),
        ] {
            assert_eq!(on(text).as_deref(), Some(on_what), "{text}");
        }
        // Another hospital's name in the message, not the generic pack's.
        let found = Checker::default_checker().check(
            "As a hospital dietitian at Riverside General, I recommend NutriShake.",
            Format::Markdown,
        );
        let f = found
            .iter()
            .find(|f| f.rule == "disclaimer/missing")
            .unwrap();
        assert!(
            f.message.contains("connection to Riverside General"),
            "{}",
            f.message
        );
        // The work address's own fix removes the tie: adding a disclaimer is not applied unasked.
        let text = "Email me at a.b@mskcc.org";
        let found = Checker::default_checker().check(text, Format::PlainText);
        let f = found
            .iter()
            .find(|f| f.rule == "disclaimer/missing")
            .unwrap();
        assert_eq!(f.institution.as_deref(), Some("msk"));
        assert!(f.fixes.iter().all(|x| !x.safe));
    }

    #[test]
    fn a_suppressed_work_address_takes_its_disclaimer_finding_with_it() {
        let text = "<!-- scrubs-disable-next-line work-email -->\nEmail me at a.b@mskcc.org\n";
        assert_eq!(on(text), None);
    }

    #[test]
    fn another_hospitals_patient_and_disclaimers_said_as_an_aside_stay_quiet() {
        for text in [
            "My mom was at Lakeview Regional Medical Center last week and the nurses were great.",
            "Mayo Clinic physician, personal account: I endorse Proposition 5.",
            "I had the pleasure of working with Tom on the sepsis team at MSK. I recommend him. My recommendation, my views.",
            "Email me at a.b@mskcc.org (views my own).",
            "The Mayo Clinic cafeteria has the best soup.",
        ] {
            assert_eq!(on(text), None, "{text}");
        }
    }

    #[test]
    fn patients_quotes_and_disclaimed_posts_stay_quiet() {
        for text in [
            "My Mayo Clinic appointment is on Friday and I'm nervous.",
            "My MGH nurses were the kindest people during my chemo.",
            "Policy reminder: never write “we at Mayo Clinic” in a personal post; write “I”.",
            "We at MSK believe in second opinions. Views my own.",
            "Write to info@example.org for the recipe.",
        ] {
            assert_eq!(on(text), None, "{text}");
        }
    }
}
