//! Replays every input in `fuzz/corpus/<target>/` (the committed seeds and
//! any crash found by a long run, kept as a regression case) through the
//! fuzz targets' bodies. The long runs themselves are `fuzz/README.md`'s.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_file() {
            run(&std::fs::read(&p).unwrap());
            n += 1;
        }
    }
    assert!(n > 0, "no inputs in {}", dir.display());
}

#[test]
fn markup_seeds() {
    replay("markup", scrubs::fuzz_support::markup::run);
}

#[test]
fn engine_seeds() {
    replay("engine", scrubs::fuzz_support::engine::run);
}

#[test]
fn edits_seeds() {
    replay("edits", scrubs::fuzz_support::edits::run);
}

#[test]
fn config_seeds() {
    replay("config", scrubs::fuzz_support::config::run);
}

#[test]
fn pictures_seeds() {
    replay("pictures", scrubs::fuzz_support::pictures::run);
}
