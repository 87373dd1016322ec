use std::ops::Range;

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered from least to most serious.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Information,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Information => "information",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "hint" => Ok(Severity::Hint),
            "information" | "info" => Ok(Severity::Information),
            "warning" | "warn" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(format!(
                "unknown severity `{s}` (expected error, warning, information, hint or off)"
            )),
        }
    }
}

/// A clause of an institution's policy, quoted word for word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// Pack id: `mayo`, `mgh`, `msk`, `umn`, `generic` or a user pack's.
    pub institution: String,
    /// Guideline id, e.g. `mayo-2`.
    pub guideline: String,
    pub quote: String,
    /// Extensions to the contract: where the quote comes from.
    pub institution_name: String,
    pub section: String,
    pub title: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Replace `range` of the text with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// A way to mend the draft.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    /// Non-overlapping edits, in the text's original coordinates.
    pub edits: Vec<Edit>,
    /// Safe fixes are applied by fix-all and `--fix`; unsafe ones (redactions,
    /// rewrites) are only offered.
    pub safe: bool,
    /// The fix an editor should offer first.
    pub preferred: bool,
    /// The parts of [`Fix::edits`] that are other findings' redactions (a
    /// privacy fix that mends a whole paragraph: `rules::phi::mend`). When the
    /// writer has suppressed one of those findings, the engine takes its
    /// part out, so the fix leaves alone what the writer marked as fine.
    #[serde(skip)]
    pub parts: Vec<Part>,
}

/// Another finding's redaction inside a fix: its rule and range, and its
/// edits (also in the fix's [`Fix::edits`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub rule: String,
    pub range: Range<usize>,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// Applies the fix to `text`. Edits are applied from the last to the
    /// first; ranges are clamped to character boundaries.
    pub fn apply(&self, text: &str) -> String {
        apply_edits(text, &self.edits)
    }
}

/// Applies non-overlapping `edits` to `text` (overlapping ones after the
/// first are skipped; ranges are clamped to the text and to char boundaries).
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut pos = 0;
    for e in sorted {
        let start = crate::position::floor_char_boundary(text, e.range.start);
        let end = crate::position::floor_char_boundary(text, e.range.end).max(start);
        if start < pos {
            continue;
        }
        out.push_str(&text[pos..start]);
        out.push_str(&e.new_text);
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Something a rule found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `category/slug`.
    pub rule: String,
    pub severity: Severity,
    /// Byte range in the text.
    pub range: Range<usize>,
    pub message: String,
    /// Shared with every other finding that cites the same clause: a
    /// clause is a few kilobytes, and a long draft has thousands of findings.
    pub citations: Vec<std::sync::Arc<Citation>>,
    pub fixes: Vec<Fix>,
    /// When the finding is about one institution (the one the writer named),
    /// only its clauses are cited. Pack id.
    #[serde(skip)]
    pub institution: Option<String>,
    /// Set on a finding the sentence model made: what it judged the text to be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judged: Option<crate::engine::judgement::Judged>,
}

impl Finding {
    /// A finding of `rule` on `range` with its rule's default severity; the
    /// engine fills in the severity from the settings and the citations.
    pub fn new(
        meta: &crate::engine::RuleMeta,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule: meta.id.to_string(),
            severity: meta.default_severity,
            range,
            message: message.into(),
            citations: Vec::new(),
            fixes: Vec::new(),
            institution: None,
            judged: None,
        }
    }

    pub fn category(&self) -> &str {
        self.rule.split('/').next().unwrap_or(&self.rule)
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }
}
