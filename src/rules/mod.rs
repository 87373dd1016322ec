//! The rule catalogue: one rule per file, each with its docs and examples
//! beside its code.

pub mod context;
mod disclaimer_missing;
pub mod disclaimers;
pub mod placement;
mod work_email;

use crate::engine::Rule;

/// Every rule, in catalogue order.
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &disclaimer_missing::DisclaimerMissing,
        &work_email::InstitutionalAddress,
    ]
}

/// The rule with `id`.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.meta().id == id)
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
            for ex in m.fires {
                let found = checker.check(ex, Format::Markdown);
                assert!(
                    found.iter().any(|f| f.rule == m.id),
                    "{} should fire on {ex:?}; found {found:#?}",
                    m.id
                );
            }
            for ex in m.clean {
                let found = checker.check(ex, Format::Markdown);
                assert!(
                    !found.iter().any(|f| f.rule == m.id),
                    "{} should not fire on {ex:?}; found {found:#?}",
                    m.id
                );
            }
        }
    }
}
