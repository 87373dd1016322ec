//! Checks of a generated draft in a loop, for counting instructions with
//! callgrind (noise-free on a shared machine, unlike wall-clock time).
//! Only the loop is counted (`--toggle-collect`), not compiling the rules'
//! patterns on the first check:
//!
//! ```sh
//! cargo bench --bench instructions --no-run        # prints the binary's path
//! SIZE=10000 N=10 valgrind --tool=callgrind --toggle-collect='*measured*' \
//!     --callgrind-out-file=/tmp/cg target/release/deps/instructions-HASH
//! # instructions per check = the "Collected" total / N
//! ```
//!
//! The checks run on one thread (the helper of long checks is off), so the
//! count is the whole work of a check.
//! `SIZE` is the draft's size in bytes (default 10000), `N` the number of
//! checks (default 10); `RECHECK=1` alternates two texts one keystroke apart
//! through the block cache, as the language server does.

use scrubs::bench_support::{edit_line, markdown};
use scrubs::engine::{Cache, Checker};
use scrubs::markup::Format;

#[inline(never)]
fn measured(c: &Checker, t: &str, n: usize) -> usize {
    (0..n)
        .map(|_| std::hint::black_box(c.check(std::hint::black_box(t), Format::Markdown)).len())
        .sum()
}

#[inline(never)]
fn measured_recheck(c: &Checker, a: &str, b: &str, n: usize, cache: &mut Cache) -> usize {
    (0..n)
        .map(|i| {
            let t = if i % 2 == 0 { b } else { a };
            std::hint::black_box(c.check_cached(t, Format::Markdown, cache)).len()
        })
        .sum()
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; this program takes no arguments.
    let size = env("SIZE", 10_000);
    let n = env("N", 10);
    // One thread: callgrind's `--toggle-collect` counts the thread that
    // runs `measured`, so the helper's half of a long check would be missed.
    scrubs::engine::use_helper_thread(false);
    let c = Checker::default_checker();
    let a = markdown(size);
    // The first check compiles the rules' patterns: not counted.
    c.check(&a, Format::Markdown);
    let found = if std::env::var_os("RECHECK").is_some() {
        let line = edit_line(&a);
        let at: usize = a.lines().take(line + 1).map(|l| l.len() + 1).sum::<usize>() - 1;
        let mut b = a.clone();
        b.insert(at, 'x');
        let mut cache = Cache::new();
        c.check_cached(&a, Format::Markdown, &mut cache);
        measured_recheck(&c, &a, &b, n, &mut cache)
    } else {
        measured(&c, &a, n)
    };
    println!("{n} checks of {} bytes: {found} findings", a.len());
}
