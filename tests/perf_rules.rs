//! Timing of a full check of a 10 KB post (every rule). Not an assertion:
//! run it to measure, in release:
//!
//! ```sh
//! cargo test --release --test perf_rules -- --ignored --nocapture
//! ```

use std::time::Instant;

use scrubs::engine::Checker;
use scrubs::markup::Format;

/// A 10 KB Markdown post assembled from the corpus's kind of prose: night
/// shifts, recipes, training logs, and a few phrases that fire.
fn post() -> String {
    let paras = [
        "Night shift reflection: at 4 am the unit goes quiet and you can hear the monitors breathing. I used to hate that hour.",
        "Post-shift recipe: sheet-pan chicken thighs, sweet potatoes, red onion, olive oil, smoked paprika. 425°F for 35 minutes.",
        "Marathon training week 12: 18 miles on Sunday, legs are cooked. Running on four hours of sleep is its own kind of hill work.",
        "As a nurse at Mayo Clinic, I see a lot of sunrises. Here at MSK we think proton therapy is the future.",
        "Flu season is here. Getting a flu vaccine protects you and the people around you who can't get one.",
        "Pic from the cath lab today! Tweeting between codes, send coffee. Follow me @UMNPharmGuy.",
        "Conference announcement: I'll be presenting our poster on early mobility at the AACN conference in May.",
    ];
    let mut s = String::from("# A long post\n\n");
    let mut i = 0;
    while s.len() < 10 * 1024 {
        s.push_str(paras[i % paras.len()]);
        s.push_str("\n\n");
        i += 1;
    }
    s
}

#[test]
#[ignore]
fn check_10kb_post() {
    let checker = Checker::default_checker();
    let text = post();
    // Warm up: patterns compile on first use.
    let n = checker.check(&text, Format::Markdown).len();
    let runs = 200;
    let t = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(checker.check(std::hint::black_box(&text), Format::Markdown));
    }
    let per = t.elapsed() / runs;
    println!(
        "check of a {} byte post ({n} findings): {:?} per run over {runs} runs",
        text.len(),
        per
    );
}
