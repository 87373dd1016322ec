//! Policy packs: each institution's policy as data.
//!
//! A pack (TOML, schema below) holds the institution's names and e-mail
//! domains, every normative clause of its policy quoted word for word, its
//! disclaimer wordings, and which clauses each rule cites. The four built-in
//! packs (`mayo`, `mgh`, `msk`, `umn`) and the `generic` fallback are
//! embedded in the binary; users add their own from `.scrubs/policies/*.toml`
//! or paths listed in `scrubs.toml`.
//!
//! This module parses and validates; it never does I/O (callers read files).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::engine::Severity;

/// The embedded packs, in the order they are listed.
const BUILTIN: &[(&str, &str)] = &[
    ("mayo.toml", include_str!("mayo.toml")),
    ("mgh.toml", include_str!("mgh.toml")),
    ("msk.toml", include_str!("msk.toml")),
    ("umn.toml", include_str!("umn.toml")),
    ("generic.toml", include_str!("generic.toml")),
];

/// The id of the pack that applies when no institution is set or inferred.
pub const GENERIC: &str = "generic";

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub id: String,
    pub name: String,
    pub source: Source,
    #[serde(default)]
    pub names: Names,
    #[serde(default)]
    pub disclaimer: Option<Disclaimer>,
    #[serde(default)]
    pub notice: Option<Notice>,
    #[serde(default, rename = "guideline")]
    pub guidelines: Vec<Guideline>,
    /// Rule id → what this institution says about it.
    #[serde(default)]
    pub rules: BTreeMap<String, RulePolicy>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    /// The seed file the quotes come from (built-in packs).
    #[serde(default)]
    pub seed: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    /// Names that on their own mean the institution.
    #[serde(default)]
    pub strong: Vec<String>,
    /// Names that mean it only next to an affiliation cue.
    #[serde(default)]
    pub weak: Vec<String>,
    /// Words that, right after a weak name, show it means something else.
    #[serde(default)]
    pub weak_not_followed_by: Vec<String>,
    #[serde(default)]
    pub email_domains: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclaimer {
    #[serde(default)]
    pub guideline: Option<String>,
    pub blog: String,
    pub website: String,
    pub short: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    #[serde(default)]
    pub guideline: Option<String>,
    pub text: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guideline {
    pub id: String,
    pub section: String,
    pub title: String,
    #[serde(default)]
    pub categories: Vec<String>,
    pub quote: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePolicy {
    #[serde(default)]
    pub cite: Vec<String>,
    #[serde(default)]
    pub severity: Option<Severity>,
}

/// A pack that failed to load: which file, where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackError {
    pub file: String,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// 1-based (line, column) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = crate::position::floor_char_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map(|i| offset - i - 1).unwrap_or(offset) + 1;
    (line, col)
}

impl Pack {
    /// Parses and validates a pack. `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Pack, PackError> {
        let pack: Pack = toml::from_str(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => {
                    let (l, c) = line_col(text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            PackError {
                file: file.to_string(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        pack.validate(file, text)?;
        Ok(pack)
    }

    fn validate(&self, file: &str, text: &str) -> Result<(), PackError> {
        let err = |needle: &str, message: String| {
            let (line, column) = match text.find(needle) {
                Some(i) => {
                    let (l, c) = line_col(text, i);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            PackError {
                file: file.to_string(),
                line,
                column,
                message,
            }
        };
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(err(
                "id",
                format!(
                    "`id` must be lowercase letters, digits, `-` or `_`, not {:?}",
                    self.id
                ),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for g in &self.guidelines {
            if !seen.insert(g.id.as_str()) {
                return Err(err(
                    &g.id,
                    format!("guideline id `{}` is defined twice", g.id),
                ));
            }
            for c in &g.categories {
                if !crate::engine::CATEGORIES.contains(&c.as_str()) {
                    return Err(err(
                        c,
                        format!(
                            "guideline `{}`: unknown category `{c}` (expected one of {})",
                            g.id,
                            crate::engine::CATEGORIES.join(", ")
                        ),
                    ));
                }
            }
        }
        let check_ref = |id: &str, what: &str| {
            if seen.contains(id) {
                Ok(())
            } else {
                Err(err(
                    id,
                    format!("{what} cites guideline `{id}`, which this pack does not define"),
                ))
            }
        };
        for (rule, policy) in &self.rules {
            for id in &policy.cite {
                check_ref(id, &format!("rules.\"{rule}\""))?;
            }
        }
        if let Some(id) = self
            .disclaimer
            .as_ref()
            .and_then(|d| d.guideline.as_deref())
        {
            check_ref(id, "disclaimer")?;
        }
        if let Some(id) = self.notice.as_ref().and_then(|d| d.guideline.as_deref()) {
            check_ref(id, "notice")?;
        }
        Ok(())
    }

    pub fn guideline(&self, id: &str) -> Option<&Guideline> {
        self.guidelines.iter().find(|g| g.id == id)
    }

    /// The clauses this pack cites for `rule` in `category`: the explicit
    /// `[rules."…"] cite` list, else those of the rule's category's entry
    /// (`[rules."category"]`), else nothing.
    pub fn citations_for(&self, rule: &str, category: &str) -> Vec<&Guideline> {
        let ids = self
            .rules
            .get(rule)
            .or_else(|| self.rules.get(category))
            .map(|p| p.cite.as_slice())
            .unwrap_or(&[]);
        ids.iter().filter_map(|id| self.guideline(id)).collect()
    }

    /// The severity this institution sets for `rule`, if it sets one.
    pub fn severity_for(&self, rule: &str) -> Option<Severity> {
        self.rules.get(rule).and_then(|p| p.severity)
    }
}

/// The built-in packs, parsed once.
pub fn builtin() -> &'static [Pack] {
    static PACKS: OnceLock<Vec<Pack>> = OnceLock::new();
    PACKS.get_or_init(|| {
        BUILTIN
            .iter()
            .map(|(file, text)| {
                // Built-in packs are checked by the tests; a broken one is a
                // build defect, reported loudly rather than hidden.
                Pack::parse(file, text).unwrap_or_else(|e| panic!("built-in pack {e}"))
            })
            .collect()
    })
}

/// The built-in pack with `id`.
pub fn builtin_pack(id: &str) -> Option<&'static Pack> {
    builtin().iter().find(|p| p.id == id)
}

/// Normalises policy text for the verbatim check: drops `**`, markdown link
/// syntax and `<sup>` markers, unescapes `\_`, collapses whitespace.
pub fn normalize_quote(s: &str) -> String {
    let s = s.replace("**", "").replace("\\_", "_");
    // [text](url) → text
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find("](") {
            Some(j) if !after[..j].contains('[') => {
                if let Some(k) = after[j + 2..].find(')') {
                    out.push_str(&after[..j]);
                    rest = &after[j + 2 + k + 1..];
                    continue;
                }
                out.push('[');
                rest = after;
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    // <sup>…</sup> removed.
    let mut s = out;
    while let Some(i) = s.find("<sup>") {
        match s[i..].find("</sup>") {
            Some(j) => s.replace_range(i..i + j + 6, ""),
            None => break,
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_packs_load() {
        let ids: Vec<_> = builtin().iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, vec!["mayo", "mgh", "msk", "umn", "generic"]);
    }

    #[test]
    fn schema_errors_name_line_and_field() {
        let e = Pack::parse(
            "x.toml",
            "id = \"x\"\nname = \"X\"\n[source]\ntitle = \"T\"\nbogus = 1\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(5));
        assert!(e.message.contains("bogus"), "{e}");
        let e = Pack::parse(
            "x.toml",
            "id = \"x\"\nname = \"X\"\n[source]\ntitle = \"T\"\n[rules.\"phi/x\"]\ncite = [\"x-9\"]\n",
        )
        .unwrap_err();
        assert!(e.message.contains("x-9"), "{e}");
        assert_eq!(e.line, Some(6));
    }

    #[test]
    fn normalize_strips_markup() {
        assert_eq!(
            normalize_quote("Follow  all [Mayo policies](#)\n **now**<sup>1</sup>."),
            "Follow all Mayo policies now."
        );
    }
}
