//! Settings: `scrubs.toml`, LSP `initializationOptions`,
//! `workspace/didChangeConfiguration` and `workspace/configuration` all hold
//! the same object. Later sources win over earlier ones, field by field.
//!
//! ```toml
//! institution = "mayo"            # or ["mayo", "umn"]
//! role = "nurse"                  # "physician" turns on the not-medical-advice notice
//! policies = [".scrubs/policies/st-olaf.toml"]
//!
//! [rules]
//! "phi/age-over-89" = "error"     # error | warning | information | hint | off
//! professionalism = "off"         # a whole category
//!
//! [disclaimer]
//! text = "My views, not my employer's."
//! placement = "end"               # end | start | front-matter
//! field = "disclaimer"            # the front-matter field, for placement = "front-matter"
//!
//! [judgement]                     # the sentence model (on by default)
//! enabled = true
//! sensitivity = { phi = "high", professionalism = "low" }   # off | low | medium | high
//! ```
//!
//! This module parses and merges; reading files is the caller's job.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::engine::Severity;

/// A rule's level in the settings: a severity or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == "off" || s == "none" {
            return Ok(Level::Off);
        }
        s.parse().map(Level::On).map_err(serde::de::Error::custom)
    }
}

/// One value or a list of them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    #[default]
    End,
    Start,
    FrontMatter,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclaimerSettings {
    pub text: Option<String>,
    pub placement: Option<Placement>,
    pub field: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// How readily the sentence model flags a category: `medium` is the threshold calibrated on the dev
/// split for precision; `low` flags only surer judgements, `high` less sure ones too; `off` none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Sensitivity {
    Off,
    Low,
    #[default]
    Medium,
    High,
}

impl Sensitivity {
    /// The score a judgement needs at this sensitivity, from the calibrated threshold `t`.
    pub fn threshold(self, t: f32) -> f32 {
        match self {
            Sensitivity::Off => f32::INFINITY,
            Sensitivity::Low => t + (1.0 - t) / 2.0,
            Sensitivity::Medium => t,
            Sensitivity::High => t * 0.75,
        }
    }
}

/// `[judgement]`: the sentence model beside the rules.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgementSettings {
    /// On unless set to false.
    pub enabled: Option<bool>,
    /// Per category (or rule id): how readily the model flags it.
    #[serde(default)]
    pub sensitivity: BTreeMap<String, Sensitivity>,
}

impl JudgementSettings {
    pub fn enabled(&self) -> bool {
        self.enabled.unwrap_or(true)
    }

    /// The sensitivity for `rule` (its own entry, else its category's, else medium).
    pub fn sensitivity(&self, rule: &str) -> Sensitivity {
        let category = rule.split('/').next().unwrap_or(rule);
        self.sensitivity
            .get(rule)
            .or_else(|| self.sensitivity.get(category))
            .copied()
            .unwrap_or_default()
    }
}

/// The settings object.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub institution: Option<OneOrMany>,
    pub role: Option<String>,
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
    #[serde(default)]
    pub disclaimer: DisclaimerSettings,
    /// Extra policy packs (paths, relative to the config file).
    #[serde(default)]
    pub policies: Vec<String>,
    /// Extra e-mail domains counted as work addresses.
    #[serde(default)]
    pub email_domains: Vec<String>,
    #[serde(default)]
    pub files: FileSettings,
    #[serde(default)]
    pub judgement: JudgementSettings,
    /// Accepted for editor clients that send it; not used by the engine.
    #[serde(default)]
    pub trace: Option<serde_json::Value>,
    #[serde(default)]
    pub path: Option<serde_json::Value>,
}

/// A settings source that failed to parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or "initializationOptions", "workspace/configuration").
    pub source: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.source, l, c, self.message),
            _ => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

impl Settings {
    /// Parses a `scrubs.toml`. `source` names it in errors.
    pub fn from_toml(source: &str, text: &str) -> Result<Settings, ConfigError> {
        let s: Settings = toml::from_str(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => {
                    let (l, c) = crate::packs::line_col(text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            ConfigError {
                source: source.to_string(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        s.validate(source)?;
        Ok(s)
    }

    /// Parses the JSON form (LSP). `null`, `{}` and `[]` (what Lua clients
    /// send for an empty table) are empty settings.
    pub fn from_json(source: &str, value: &serde_json::Value) -> Result<Settings, ConfigError> {
        if value.is_null() || value.as_array().is_some_and(|a| a.is_empty()) {
            return Ok(Settings::default());
        }
        let s: Settings = serde_json::from_value(value.clone()).map_err(|e| ConfigError {
            source: source.to_string(),
            line: None,
            column: None,
            message: e.to_string(),
        })?;
        s.validate(source)?;
        Ok(s)
    }

    fn validate(&self, source: &str) -> Result<(), ConfigError> {
        let err = |message: String| ConfigError {
            source: source.to_string(),
            line: None,
            column: None,
            message,
        };
        for key in self.rules.keys() {
            let known = crate::rules::find(key).is_some()
                || crate::engine::CATEGORIES.contains(&key.as_str());
            if !known {
                return Err(err(format!(
                    "rules: unknown rule or category `{key}` (see `scrubs rules`)"
                )));
            }
        }
        for key in self.judgement.sensitivity.keys() {
            let known = crate::rules::find(key).is_some()
                || crate::engine::CATEGORIES.contains(&key.as_str());
            if !known {
                return Err(err(format!(
                    "judgement.sensitivity: unknown rule or category `{key}` (see `scrubs rules`)"
                )));
            }
        }
        Ok(())
    }

    /// `self` with `later`'s values on top.
    pub fn merged(&self, later: &Settings) -> Settings {
        let mut out = self.clone();
        if later.institution.is_some() {
            out.institution = later.institution.clone();
        }
        if later.role.is_some() {
            out.role = later.role.clone();
        }
        for (k, v) in &later.rules {
            out.rules.insert(k.clone(), *v);
        }
        if later.disclaimer.text.is_some() {
            out.disclaimer.text = later.disclaimer.text.clone();
        }
        if later.disclaimer.placement.is_some() {
            out.disclaimer.placement = later.disclaimer.placement;
        }
        if later.disclaimer.field.is_some() {
            out.disclaimer.field = later.disclaimer.field.clone();
        }
        if later.judgement.enabled.is_some() {
            out.judgement.enabled = later.judgement.enabled;
        }
        for (k, v) in &later.judgement.sensitivity {
            out.judgement.sensitivity.insert(k.clone(), *v);
        }
        out.policies.extend(later.policies.iter().cloned());
        out.email_domains
            .extend(later.email_domains.iter().cloned());
        out.files
            .exclude
            .extend(later.files.exclude.iter().cloned());
        out
    }

    /// The configured institution ids, in order.
    pub fn institutions(&self) -> Vec<String> {
        self.institution
            .as_ref()
            .map(|i| i.to_vec())
            .unwrap_or_default()
    }
}

/// The edit to a `scrubs.toml`'s text that turns `rule` (an id or a
/// category) off: a line in its `[rules]` table, or a new table at the end.
/// `None` when the file already sets that rule (editing it by hand is
/// clearer than guessing). Returns (byte range, new text).
pub fn turn_off_edit(text: &str, rule: &str) -> Option<(std::ops::Range<usize>, String)> {
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let line = format!("\"{rule}\" = \"off\"{nl}");
    let mut pos = 0;
    let mut rules_at = None;
    let mut in_rules = false;
    for l in text.split_inclusive('\n') {
        let t = l.trim();
        if t.starts_with('[') {
            in_rules = t == "[rules]";
            if in_rules {
                rules_at = Some(pos + l.len());
            }
        } else if in_rules {
            let key = t
                .split('=')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\'']);
            if key == rule {
                return None;
            }
        } else if t.starts_with("rules") && t.contains('{') {
            // An inline table: too rare to edit safely.
            return None;
        }
        pos += l.len();
    }
    match rules_at {
        Some(at) if !text[..at].ends_with('\n') => Some((at..at, format!("{nl}{line}"))),
        Some(at) => Some((at..at, line)),
        None => {
            let sep = if text.is_empty() || text.ends_with("\n\n") || text.ends_with("\r\n\r\n") {
                ""
            } else if text.ends_with('\n') {
                nl
            } else {
                "\n\n"
            };
            let sep = if sep == "\n\n" {
                format!("{nl}{nl}")
            } else {
                sep.to_string()
            };
            Some((text.len()..text.len(), format!("{sep}[rules]{nl}{line}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_off_edit_adds_to_the_rules_table_or_creates_it() {
        let apply = |text: &str, rule: &str| {
            let (r, new) = turn_off_edit(text, rule).expect("an edit");
            let mut out = text.to_string();
            out.replace_range(r, &new);
            let s = Settings::from_toml("scrubs.toml", &out).expect(&out);
            assert_eq!(s.rules.get(rule), Some(&Level::Off), "{out}");
            out
        };
        assert_eq!(
            apply("", "work-email/institutional-address"),
            "[rules]\n\"work-email/institutional-address\" = \"off\"\n"
        );
        assert_eq!(
            apply("institution = \"mayo\"\n\n[rules]\nphi = \"error\"\n\n[disclaimer]\nplacement = \"end\"\n", "disclaimer/missing"),
            "institution = \"mayo\"\n\n[rules]\n\"disclaimer/missing\" = \"off\"\nphi = \"error\"\n\n[disclaimer]\nplacement = \"end\"\n"
        );
        assert_eq!(
            apply("institution = \"msk\"", "disclaimer"),
            "institution = \"msk\"\n\n[rules]\n\"disclaimer\" = \"off\"\n"
        );
        apply("institution = \"msk\"\r\n", "disclaimer");
        assert_eq!(
            turn_off_edit(
                "[rules]\n\"disclaimer/missing\" = \"error\"\n",
                "disclaimer/missing"
            ),
            None
        );
    }

    #[test]
    fn toml_and_json_hold_the_same_object() {
        let t = Settings::from_toml(
            "scrubs.toml",
            "institution = [\"mayo\", \"umn\"]\n[rules]\n\"work-email/institutional-address\" = \"off\"\nphi = \"error\"\n",
        )
        .unwrap();
        let j = Settings::from_json(
            "init",
            &serde_json::json!({"institution": ["mayo", "umn"], "rules": {"work-email/institutional-address": "off", "phi": "error"}}),
        )
        .unwrap();
        assert_eq!(t, j);
        assert_eq!(t.institutions(), vec!["mayo", "umn"]);
    }

    #[test]
    fn bad_config_names_line_and_key() {
        let e = Settings::from_toml(
            "scrubs.toml",
            "institution = \"mayo\"\n[rules]\n\"disclaimer/missing\" = \"loud\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("loud"), "{e}");
        let e = Settings::from_toml("scrubs.toml", "institutoin = \"mayo\"\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("institutoin"), "{e}");
        let e = Settings::from_toml("scrubs.toml", "[rules]\n\"nope/x\" = \"off\"\n").unwrap_err();
        assert!(e.message.contains("nope/x"), "{e}");
    }

    #[test]
    fn an_empty_lua_table_is_empty_settings() {
        assert_eq!(
            Settings::from_json("init", &serde_json::json!([])).unwrap(),
            Settings::default()
        );
        assert!(Settings::from_json("init", &serde_json::json!([1])).is_err());
    }

    #[test]
    fn later_settings_win() {
        let a = Settings::from_json(
            "a",
            &serde_json::json!({"institution": "mayo", "rules": {"phi": "off"}}),
        )
        .unwrap();
        let b = Settings::from_json("b", &serde_json::json!({"institution": "msk"})).unwrap();
        let m = a.merged(&b);
        assert_eq!(m.institutions(), vec!["msk"]);
        assert_eq!(m.rules.get("phi"), Some(&Level::Off));
    }
}
