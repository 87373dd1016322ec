//! Reading a project's settings and packs from disk: `scrubs.toml` (found by
//! walking up from a file, or at a workspace root) and user policy packs
//! (`.scrubs/policies/*.toml` beside it, and paths listed under `policies`).
//!
//! Shared by the CLI and the LSP server; the engine itself never reads files.

use std::path::{Path, PathBuf};

use crate::config::{ConfigError, Settings};
use crate::packs::{Pack, PackError};

/// The config file name.
pub const CONFIG_FILE: &str = "scrubs.toml";

/// The nearest `scrubs.toml` in `dir` or its ancestors.
pub fn find_config(dir: &Path) -> Option<PathBuf> {
    let mut d = Some(dir);
    while let Some(p) = d {
        let c = p.join(CONFIG_FILE);
        if c.is_file() {
            return Some(c);
        }
        d = p.parent();
    }
    None
}

/// Something that went wrong reading a project: a config or a pack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectError {
    Config(ConfigError),
    Pack(PackError),
}

impl std::fmt::Display for ProjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProjectError::Config(e) => e.fmt(f),
            ProjectError::Pack(e) => e.fmt(f),
        }
    }
}

/// Reads and parses a config file.
pub fn read_config(path: &Path) -> Result<Settings, ConfigError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        source: name.clone(),
        line: None,
        column: None,
        message: format!("cannot read: {e}"),
    })?;
    Settings::from_toml(&name, &text)
}

/// Loads the user packs of a project rooted at `root`: every
/// `.scrubs/policies/*.toml`, then each path in `settings.policies`
/// (relative to `root`). Packs that fail are returned as errors; the others
/// load.
pub fn load_packs(root: &Path, settings: &Settings) -> (Vec<Pack>, Vec<PackError>) {
    let mut files: Vec<PathBuf> = Vec::new();
    if let Ok(rd) = std::fs::read_dir(root.join(".scrubs").join("policies")) {
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        v.sort();
        files.extend(v);
    }
    for p in &settings.policies {
        let p = root.join(p);
        if !files.contains(&p) {
            files.push(p);
        }
    }
    let mut packs = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        let name = f.display().to_string();
        match std::fs::read_to_string(&f) {
            Ok(text) => match Pack::parse(&name, &text) {
                Ok(p) => packs.push(p),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(PackError {
                file: name,
                line: None,
                column: None,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    (packs, errors)
}
