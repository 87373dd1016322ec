use crate::config::Placement;
use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::{disclaimers, placement};

/// `disclaimer/missing`
pub struct DisclaimerMissing;

static META: RuleMeta = RuleMeta {
    id: "disclaimer/missing",
    default_severity: Severity::Warning,
    summary: "Your connection to an institution is apparent, and the post has no “views are my own” disclaimer.",
    what: "Flags a post in which the writer ties themselves to a health-care institution (“As a nurse at Mayo Clinic”, “I work at MSK”, “Mayo Clinic pharmacist here”, “RN @ UMN”) when no disclaimer appears anywhere in the post. The finding sits on the first such phrase.",
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
    ],
    clean: &[
        "As a nurse at Mayo Clinic, I see a lot of sunrises.\n\n*The views expressed on this blog are my own and do not reflect the views of my employer.*",
        "I work at MSK. All views my own.",
        "My grandmother was treated at Mayo Clinic last year.",
        "I put mayo on my sandwich at work.",
        "MSK pain is common in nurses who work at night.",
        "The nurses at Mayo Clinic were wonderful to my dad.",
        "At Mayo Clinic, we finally got answers about my son's seizures.",
    ],
};

impl Rule for DisclaimerMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, cx: &Context, out: &mut Vec<Finding>) {
        let Some(first) = cx.affiliations.first() else {
            return;
        };
        if disclaimers::has_disclaimer(cx) {
            return;
        }
        // The writer's own institution: the one they named, unless the
        // settings choose others.
        let pack = if cx.inferred || cx.active.contains(&first.pack) {
            cx.pack(first.pack)
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
            first.range.clone(),
            format!(
                "Your connection to {} is apparent, but the post has no disclaimer saying the views are your own.",
                pack.name
            ),
        );
        f.institution = Some(pack.id.clone());
        f.fixes = placement::insertion_fixes(cx, &what, &long, &short, placement, field);
        // Where the writer only speaks as the institution ("we at MSK"), rewriting that in the
        // first person (`on-behalf`) also ends the need for a disclaimer: adding one is then a
        // choice, not a fix to apply unasked.
        if cx.affiliations.iter().all(|a| a.implicit) {
            for fix in &mut f.fixes {
                fix.safe = false;
            }
        }
        out.push(f);
    }
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
