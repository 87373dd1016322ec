//! Every built-in quote is a verbatim substring of its seed policy; every
//! rule's hover and JSON citations quote the writer's own institution.

use std::path::PathBuf;

use scrubs::config::{OneOrMany, Settings};
use scrubs::engine::Checker;
use scrubs::markup::Format;
use scrubs::packs::{builtin, normalize_quote};

fn seeds() -> PathBuf {
    let dir = std::env::var_os("SCRUBS_SEEDS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds"));
    assert!(
        dir.is_dir(),
        "the seed policies are not at {} (set SCRUBS_SEEDS to their folder)",
        dir.display()
    );
    dir
}

#[test]
fn every_quote_is_verbatim_in_its_seed() {
    let dir = seeds();
    let mut checked = 0;
    for pack in builtin() {
        let Some(seed) = &pack.source.seed else {
            continue;
        };
        let text = std::fs::read_to_string(dir.join(seed)).unwrap();
        let seed_norm = normalize_quote(&text);
        for g in &pack.guidelines {
            let q = normalize_quote(&g.quote);
            assert!(!q.is_empty(), "{}: empty quote", g.id);
            assert!(
                seed_norm.contains(&q),
                "{} {}: quote is not verbatim in {seed}: {:?}",
                pack.id,
                g.id,
                q.chars().take(80).collect::<String>()
            );
            checked += 1;
        }
        if let Some(d) = &pack.disclaimer {
            if pack.id == "msk" {
                assert!(
                    seed_norm.contains(&d.blog),
                    "MSK disclaimer wording is verbatim"
                );
                assert!(seed_norm.contains(&d.short), "MSK short form is verbatim");
            }
        }
    }
    assert!(checked >= 60, "only {checked} quotes checked");
}

#[test]
fn the_four_institutions_have_packs_with_their_domains() {
    let ids: Vec<_> = builtin().iter().map(|p| p.id.as_str()).collect();
    for id in ["mayo", "mgh", "msk", "umn"] {
        assert!(ids.contains(&id));
    }
    let domains = |id: &str| {
        builtin()
            .iter()
            .find(|p| p.id == id)
            .unwrap()
            .names
            .email_domains
            .clone()
    };
    assert_eq!(domains("mayo"), vec!["mayo.edu"]);
    assert!(domains("mgh").contains(&"mgh.harvard.edu".to_string()));
    assert!(domains("mgh").contains(&"partners.org".to_string()));
    assert_eq!(domains("msk"), vec!["mskcc.org"]);
    assert_eq!(domains("umn"), vec!["umn.edu"]);
}

/// A draft for each institution: the disclaimer finding cites that
/// institution's clause, verbatim, with its section.
#[test]
fn each_institutions_draft_cites_its_own_policy() {
    let dir = seeds();
    let drafts = [
        (
            "mayo",
            "As a nurse at Mayo Clinic, I love nights.",
            "mayo-2",
        ),
        (
            "mgh",
            "I'm an ICU nurse at Mass General and I love nights.",
            "mgh-rules-7",
        ),
        (
            "msk",
            "I work at Memorial Sloan Kettering and love my team.",
            "msk-distinguish-personal-views",
        ),
        (
            "umn",
            "As a medical student at the University of Minnesota, I study a lot.",
            "umn-guideline-7a",
        ),
    ];
    for (id, text, guideline) in drafts {
        // Inferred from the text, and configured: both cite the same clause.
        for configured in [false, true] {
            let s = Settings {
                institution: configured.then(|| OneOrMany::One(id.into())),
                ..Settings::default()
            };
            let checker = Checker::new(s, vec![]).unwrap();
            let findings = checker.check(text, Format::Markdown);
            let f = findings
                .iter()
                .find(|f| f.rule == "disclaimer/missing")
                .unwrap_or_else(|| panic!("{id}: no disclaimer/missing in {findings:#?}"));
            assert!(!f.citations.is_empty(), "{id}: no citations");
            for c in &f.citations {
                assert_eq!(c.institution, id);
                assert!(!c.section.is_empty());
            }
            let c = f
                .citations
                .iter()
                .find(|c| c.guideline == guideline)
                .unwrap_or_else(|| panic!("{id}: {guideline} not cited: {:?}", f.citations));
            let pack = builtin().iter().find(|p| p.id == id).unwrap();
            let seed =
                std::fs::read_to_string(dir.join(pack.source.seed.as_ref().unwrap())).unwrap();
            assert!(normalize_quote(&seed).contains(&normalize_quote(&c.quote)));
            if !configured {
                assert!(f.message.contains("inferred"), "{}", f.message);
            }
        }
    }
}

#[test]
fn with_several_institutions_active_each_is_cited() {
    let s = Settings {
        institution: Some(OneOrMany::Many(vec!["mgh".into(), "umn".into()])),
        ..Settings::default()
    };
    let checker = Checker::new(s, vec![]).unwrap();
    let findings = checker.check("Write to me at pat@umn.edu please.", Format::Markdown);
    let f = findings
        .iter()
        .find(|f| f.rule == "work-email/institutional-address")
        .unwrap();
    let insts: Vec<_> = f.citations.iter().map(|c| c.institution.as_str()).collect();
    assert_eq!(insts.first(), Some(&"umn"), "{insts:?}");
}

#[test]
fn with_no_institution_the_generic_pack_applies() {
    let checker = Checker::default_checker();
    let cx = checker.context("I love my job and my patients.", Format::Markdown);
    assert_eq!(cx.primary().id, "generic");
    assert!(!cx.inferred);
}
