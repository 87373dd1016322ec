//! Times a full check of a ~10 KB clinician post (every rule, phi included).
//! Run: `cargo bench --bench phi` (prints the mean per check; not asserted).

use std::time::Instant;

use scrubs::engine::Checker;
use scrubs::markup::Format;

fn main() {
    let para = "Rough night on the unit. Mrs. Okafor in room 512 kept asking for her tea; she is 97 and sharp as a tack. \
My patient during Saturday's night shift coded twice and made it. Pt admitted 2/11 with sepsis, MRN 00482913. \
Patient safety is everyone's job, and patients with diabetes should check their feet. BP 120/80, Norco 5/325. \
The gentleman in bay 3 asked me to marry him. Grand rounds on March 3 in room 101. Coffee, charting, repeat.\n\n";
    let mut post = String::from("# Night shift notes\n\n");
    while post.len() < 10_000 {
        post.push_str(para);
    }
    let checker = Checker::default_checker();
    let n_findings = checker.check(&post, Format::Markdown).len();
    let iters = 200;
    let t = Instant::now();
    for _ in 0..iters {
        std::hint::black_box(checker.check(std::hint::black_box(&post), Format::Markdown));
    }
    let per = t.elapsed() / iters;
    println!(
        "check of a {} byte post ({} findings): {:?} per check (mean of {iters})",
        post.len(),
        n_findings,
        per
    );
}
