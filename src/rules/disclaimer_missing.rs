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
    ],
    clean: &[
        "As a nurse at Mayo Clinic, I see a lot of sunrises.\n\n*The views expressed on this blog are my own and do not reflect the views of my employer.*",
        "I work at MSK. All views my own.",
        "My grandmother was treated at Mayo Clinic last year.",
        "I put mayo on my sandwich at work.",
        "MSK pain is common in nurses who work at night.",
        "The nurses at Mayo Clinic were wonderful to my dad.",
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
        out.push(f);
    }
}
