use crate::engine::{Rule, RuleMeta, Severity};

/// `suppression/unused`
///
/// The findings come from the engine's suppression pass
/// ([`crate::engine::suppress`]), which runs after every other rule, since
/// only then is it known what a suppression suppressed. This rule carries
/// the docs and the settings level (`[rules] "suppression/unused" = "off"`).
pub struct UnusedSuppression;

static META: RuleMeta = RuleMeta {
    id: "suppression/unused",
    default_severity: Severity::Hint,
    summary: "A suppression comment that no longer suppresses anything.",
    what: "Flags a `<!-- scrubs-disable-next-line … -->` or `<!-- scrubs-disable … -->` comment (or a `scrubs: disable…` line in plain text) that matches no finding, or names a rule or category that reports nothing where it applies.",
    why: "Suppressions are written for one version of the text. Once the text they excused is gone they only hide the next real problem in the same place, so they should go too. Its category, `suppression`, extends the contract's list: it is about scrubs's own comments, not about the post.",
    fix: "Removes the comment (its whole line when it stands alone). Offered, not applied by `--fix`.",
    fires: &[
        "Hello.\n\n<!-- scrubs-disable-next-line phi -->\nNothing to see here.",
        "<!-- scrubs-disable work-email -->\n\nMy address is jane@gmail.com.",
    ],
    clean: &[
        "<!-- scrubs-disable-next-line work-email -->\nWrite to jane.doe@mayo.edu.",
        "<!-- a plain comment -->\nNothing to see here.",
    ],
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
