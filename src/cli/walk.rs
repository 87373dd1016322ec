//! Which files a whole-site check reads: folders walked with `ignore`
//! (`.gitignore`, `.ignore` and hidden files honoured, in a git repository or
//! not), files of a checked format only, then `[files] exclude` from each
//! file's scrubs.toml (gitignore-style patterns relative to that file's
//! folder; they apply to named files too, so a pre-commit hook honours them).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::markup::Format;
use crate::project;

/// The checked files under `dir`, sorted.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .build()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| Format::is_checked_extension(p))
        .collect();
    v.sort();
    v
}

/// `[files] exclude` matchers, one per config file.
#[derive(Default)]
pub struct Excludes {
    by_config: HashMap<PathBuf, Option<(PathBuf, Gitignore)>>,
}

impl Excludes {
    /// Whether `path` is excluded by the `[files] exclude` of `config`.
    pub fn excluded(&mut self, config: Option<&Path>, path: &Path) -> bool {
        let Some(config) = config else {
            return false;
        };
        let entry = self
            .by_config
            .entry(config.to_path_buf())
            .or_insert_with(|| matcher(config));
        let Some((root, gi)) = entry else {
            return false;
        };
        let abs = match std::fs::canonicalize(path) {
            Ok(p) => p,
            Err(_) => return false,
        };
        // Only paths under the config's folder can match (and `ignore` requires it).
        if !abs.starts_with(&*root) {
            return false;
        }
        gi.matched_path_or_any_parents(&abs, abs.is_dir())
            .is_ignore()
    }
}

fn matcher(config: &Path) -> Option<(PathBuf, Gitignore)> {
    let settings = project::read_config(config).ok()?;
    if settings.files.exclude.is_empty() {
        return None;
    }
    let root = config.parent()?;
    let root = std::fs::canonicalize(root).ok()?;
    let mut b = GitignoreBuilder::new(&root);
    for pat in &settings.files.exclude {
        // A bad pattern is skipped; the others still apply.
        let _ = b.add_line(None, pat);
    }
    let gi = b.build().ok()?;
    Some((root, gi))
}
