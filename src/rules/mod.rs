//! The rule catalogue: one rule per file, each with its docs and examples
//! beside its code.

mod boundaries_patient;
mod boundaries_supervisor;
mod branding_handle;
mod branding_logo;
pub mod compiled;
mod confidential_unreleased;
pub mod context;
pub mod cues;
pub(crate) mod disclaimer_missing;
pub mod disclaimers;
mod disclosure_undisclosed;
mod endorsement_institutional;
mod media_clinical_photo;
mod media_department_video;
mod medical_advice_individual;
pub(crate) mod medical_advice_notice;
mod on_behalf_speaking;
mod phi;
pub(crate) mod pictures;
pub mod placement;
mod professionalism_disparaging;
mod professionalism_language;
mod professionalism_safety;
mod suppression_unused;
mod work_email;
mod workplace_during_duties;

use crate::engine::Rule;

/// Every rule, in catalogue order.
pub fn all() -> &'static [&'static dyn Rule] {
    static ALL: &[&dyn Rule] = &[
        &disclaimer_missing::DisclaimerMissing,
        &disclosure_undisclosed::UndisclosedAffiliation,
        &on_behalf_speaking::SpeakingForInstitution,
        &endorsement_institutional::InstitutionalEndorsement,
        &medical_advice_individual::IndividualAdvice,
        &medical_advice_notice::MissingNotice,
        &confidential_unreleased::UnreleasedInformation,
        &work_email::InstitutionalAddress,
        &professionalism_language::UnprofessionalLanguage,
        &professionalism_disparaging::DisparagingPeople,
        &professionalism_safety::SkippedSafetyStep,
        &boundaries_patient::PatientConnection,
        &boundaries_supervisor::SupervisorConnection,
        &branding_handle::NameInHandle,
        &branding_logo::LogoUse,
        &media_clinical_photo::ClinicalPhoto,
        &media_department_video::DepartmentVideo,
        &workplace_during_duties::DuringDuties,
        &suppression_unused::UnusedSuppression,
        &phi::name::Name,
        &phi::age::AgeOver89,
        &phi::date::Date,
        &phi::geography::Geography,
        &phi::room::RoomNumber,
        &phi::numbers::PHONE_RULE,
        &phi::numbers::EMAIL_RULE,
        &phi::numbers::SSN_RULE,
        &phi::numbers::RECORD_RULE,
        &phi::numbers::IP_RULE,
        &phi::numbers::URL_RULE,
        &phi::numbers::PLATE_RULE,
        &phi::numbers::SERIAL_RULE,
        &phi::numbers::LICENSE_RULE,
        &phi::story::PatientStory,
        &phi::image::PatientImage,
        &pictures::ImageMetadata,
        &pictures::PHI_TEXT,
        &pictures::PROFESSIONALISM_TEXT,
        &pictures::CONFIDENTIAL_TEXT,
    ];
    ALL
}

/// The rule with `id`.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.meta().id == id)
}

/// What `\w` means in a built-in pattern: a Latin-script word character.
/// ASCII letters, digits and `_`; the accented letters of Latin-1, Latin
/// Extended-A and -B and Vietnamese; combining accents (a decomposed "é").
///
/// The regex crate's own `\w` is every script's letters. Compiled into the
/// forward and reverse automata of ~180 patterns, it was half their memory
/// (14 of 28 MB) and a third of the time to compile them, for drafts that are
/// written in English: "José", "Núñez" and "Nguyễn" still match; a word in
/// Cyrillic or Chinese does not count as a word inside an English phrase
/// pattern (`\b` stays Unicode-aware).
pub const WORD: &str =
    r"[0-9A-Za-z_\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{24F}\x{300}-\x{36F}\x{1E00}-\x{1EFF}]";

/// Compiles a built-in pattern, with `\w` read as [`WORD`]. Panics on a bad
/// pattern: built-in patterns are tested.
pub fn regex(p: &str) -> regex::Regex {
    let p = p.replace(r"\w", WORD);
    regex::Regex::new(&p).unwrap_or_else(|e| panic!("built-in pattern {p}: {e}"))
}

/// Compiles built-in patterns as one set (which of them match), with `\w`
/// read as [`WORD`].
pub fn regex_set<S: AsRef<str>>(patterns: &[S]) -> regex::RegexSet {
    regex::RegexSet::new(patterns.iter().map(|p| p.as_ref().replace(r"\w", WORD)))
        .unwrap_or_else(|e| panic!("built-in patterns: {e}"))
}

/// Every built-in rule's lexicon, for the one trigger scan per block
/// ([`cues::TriggerIndex`]). A rule that adds a lexicon lists it here (one
/// left out still works, with a scan of its own).
pub(crate) fn lexicons() -> Vec<&'static cues::Lexicon> {
    let name = phi::name::gates();
    let geography = phi::geography::gates();
    let mut all = vec![
        boundaries_patient::lexicon(),
        boundaries_supervisor::lexicon(),
        branding_logo::lexicon(),
        branding_handle::tokens(),
        confidential_unreleased::lexicon(),
        disclaimers::words(),
        cues::institution_gate(),
        endorsement_institutional::lexicon(),
        endorsement_institutional::promo(),
        media_clinical_photo::lexicon(),
        media_department_video::lexicon(),
        medical_advice_individual::lexicon(),
        medical_advice_notice::health(),
        medical_advice_notice::physician_gate(),
        medical_advice_notice::notice_gate(),
        on_behalf_speaking::lexicon(),
        professionalism_disparaging::lexicon(),
        professionalism_language::lexicon(),
        professionalism_language::harm_lexicon(),
        professionalism_safety::lexicon(),
        workplace_during_duties::lexicon(),
        &name.titled,
        &name.glossed,
        &name.named,
        &name.relative,
        &name.initials,
        &geography.zip,
        &geography.town,
        &geography.county,
        phi::age::word_gate(),
        media_department_video::approval_gate(),
    ];
    all.extend(phi::numbers::gate_lexicons());
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Checker, CATEGORIES};
    use crate::markup::Format;

    #[test]
    fn rule_ids_are_category_slash_slug() {
        for r in all() {
            let m = r.meta();
            let (cat, slug) = m.id.split_once('/').expect("category/slug");
            assert!(CATEGORIES.contains(&cat), "{}", m.id);
            assert!(
                !slug.is_empty()
                    && slug
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                m.id
            );
        }
    }

    /// Every rule's own examples: those that must fire do, those that must
    /// not don't. No rule silently matches nothing.
    #[test]
    fn every_rule_fires_on_its_examples_and_not_on_its_clean_ones() {
        let checker = Checker::default_checker();
        for r in all() {
            let m = r.meta();
            assert!(!m.fires.is_empty(), "{} has no firing examples", m.id);
            assert!(!m.clean.is_empty(), "{} has no clean examples", m.id);
            // The picture rules' examples name files whose contents `ExamplePictures` gives.
            let pictures = pictures::examples::ExamplePictures;
            for ex in m.fires {
                let found = checker.check_full(ex, Format::Markdown, None, None, Some(&pictures));
                assert!(
                    found.iter().any(|f| f.rule == m.id),
                    "{} should fire on {ex:?}; found {found:#?}",
                    m.id
                );
            }
            for ex in m.clean {
                let found = checker.check_full(ex, Format::Markdown, None, None, Some(&pictures));
                assert!(
                    !found.iter().any(|f| f.rule == m.id),
                    "{} should not fire on {ex:?}; found {found:#?}",
                    m.id
                );
            }
        }
    }

    /// `\w` in the built-in patterns is a Latin-script word character:
    /// accented names are still whole names to the rules.
    #[test]
    fn accented_names_are_words_to_the_patterns() {
        let checker = Checker::default_checker();
        for (text, name) in [
            ("Mrs. Núñez in room 12 asked for her glasses.", "Mrs. Núñez"),
            ("Mr. Nguyễn in bed 4 finally slept.", "Mr. Nguyễn"),
            // "José" written with a combining accent (e + U+0301).
            ("Mr. Jose\u{301} in room 9 cried today.", "Mr. Jose\u{301}"),
        ] {
            let found = checker.check(text, Format::Markdown);
            let f = found
                .iter()
                .find(|f| f.rule == "phi/name")
                .unwrap_or_else(|| panic!("no phi/name in {text:?}: {found:#?}"));
            assert_eq!(&text[f.range.clone()], name, "{text:?}");
        }
        let w = regex(r"^\w+$");
        assert!(w.is_match("Ødegaard") && w.is_match("façade") && !w.is_match("Иван"));
    }
}
