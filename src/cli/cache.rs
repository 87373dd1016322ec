//! `scrubs check`'s on-disk verdict cache, like ruff's: the sentence model's verdicts of one run
//! are read back by the next, so a rerun judges only the sentences that changed.
//!
//! `.scrubs_cache/` in the folder `scrubs check` runs in (or `--cache-dir`), skipped with
//! `--no-cache`. One file per model (`verdicts-<heads hash>.bin`; another model's file is removed
//! when this one is written), holding for each judged unit the 64-bit hash of its sentences and the
//! heads' scores: never a sentence's text. The folder holds a `.gitignore` of `*` and a
//! `CACHEDIR.TAG`, so that neither git nor backup tools pick it up. A cache that cannot be read
//! is ignored, one that cannot be written is reported on standard error; neither fails the check.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::Judgement;

const MAGIC: &[u8; 8] = b"SCRUBSV1";
/// The most verdicts a cache file keeps (~4 MB at twelve heads).
const MAX_ENTRIES: usize = 60_000;

/// The cache folder a check uses: `--cache-dir`, else `.scrubs_cache` here.
pub fn dir(explicit: Option<&Path>) -> PathBuf {
    explicit.map_or_else(|| PathBuf::from(".scrubs_cache"), Path::to_path_buf)
}

fn file(dir: &Path) -> PathBuf {
    let heads = env!("SCRUBS_HEADS_SHA256");
    dir.join(format!("verdicts-{}.bin", heads.get(..16).unwrap_or(heads)))
}

/// Reads the verdicts cached for this model into `judgement`; returns how many.
pub fn load(dir: &Path, judgement: &Judgement) -> usize {
    let Ok(bytes) = std::fs::read(file(dir)) else {
        return 0;
    };
    let heads = judgement.model().heads().len();
    let Some(entries) = parse(&bytes, heads) else {
        return 0;
    };
    let n = entries.len();
    judgement.remember(entries);
    n
}

fn parse(bytes: &[u8], heads: usize) -> Option<Vec<(u64, Vec<f32>)>> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let (count, rest) = rest.split_first_chunk::<4>()?;
    if u32::from_le_bytes(*count) as usize != heads || heads == 0 {
        return None;
    }
    let size = 8 + 4 * heads;
    if rest.len() % size != 0 {
        return None;
    }
    Some(
        rest.chunks_exact(size)
            .map(|e| {
                let key = u64::from_le_bytes(e[..8].try_into().unwrap_or_default());
                let scores = e[8..]
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect();
                (key, scores)
            })
            .collect(),
    )
}

/// Writes `judgement`'s verdicts (this run's and those read at its start) if it judged anything
/// new; `loaded`: how many were read at the start.
pub fn save(dir: &Path, judgement: &Judgement, loaded: usize) -> Result<(), String> {
    let verdicts = judgement.verdicts();
    if verdicts.len() == loaded {
        return Ok(());
    }
    let heads = judgement.model().heads().len();
    let mut out = Vec::with_capacity(12 + verdicts.len().min(MAX_ENTRIES) * (8 + 4 * heads));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(heads as u32).to_le_bytes());
    for (key, scores) in verdicts.iter().take(MAX_ENTRIES) {
        if scores.len() != heads {
            continue;
        }
        out.extend_from_slice(&key.to_le_bytes());
        for s in scores.iter() {
            out.extend_from_slice(&s.to_le_bytes());
        }
    }
    let fail = |e: std::io::Error| format!("{}: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(fail)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# Made by scrubs: its verdict cache.\n*\n").map_err(fail)?;
        std::fs::write(
            dir.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n\
             # This file is a cache directory tag created by scrubs.\n",
        )
        .map_err(fail)?;
    }
    // Another model's verdicts are of no use to this one.
    let keep = file(dir);
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            let name = name.to_string_lossy();
            if p != keep && name.starts_with("verdicts-") && name.ends_with(".bin") {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    // Written beside, then renamed: a reader never sees half a file.
    let tmp = dir.join(format!(".verdicts-{}.tmp", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(fail)?;
    f.write_all(&out).map_err(fail)?;
    drop(f);
    std::fs::rename(&tmp, &keep).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_file_parses_back_and_a_broken_one_is_ignored() {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&2u32.to_le_bytes());
        b.extend_from_slice(&7u64.to_le_bytes());
        b.extend_from_slice(&0.25f32.to_le_bytes());
        b.extend_from_slice(&0.5f32.to_le_bytes());
        assert_eq!(parse(&b, 2), Some(vec![(7, vec![0.25, 0.5])]));
        // Another number of heads, a cut file, another format: nothing.
        assert_eq!(parse(&b, 3), None);
        assert_eq!(parse(&b[..b.len() - 1], 2), None);
        assert_eq!(parse(b"SCRUBSV0\x02\0\0\0", 2), None);
        assert_eq!(parse(b"", 2), None);
    }
}
