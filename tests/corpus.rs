//! The labelled corpus: `tests/corpus/**/*.toml`, each a list of posts with
//! the rules (or categories) they must trigger. Prints precision and recall
//! per category and fails when a labelled case regresses.
//!
//! ```toml
//! [[case]]
//! text = "A 97-year-old in room 512 ..."
//! expect = ["phi/age-over-89", "phi/room-number"]   # rule ids or categories; [] = clean
//! institution = "umn"          # optional: the configured institution
//! format = "plaintext"         # optional: markdown (default) or plaintext
//! known = "why it is still wrong"   # optional: a known miss or false alarm, allowed to fail
//! ```
//!
//! A case passes when every expected rule or category fires and no other
//! rule fires, except rules listed in `ignore` (rules the case is not about,
//! e.g. `disclaimer` in a privacy case that names an employer).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use scrubs::config::{OneOrMany, Settings};
use scrubs::engine::Checker;
use scrubs::markup::Format;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    text: String,
    #[serde(default)]
    expect: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    institution: Option<String>,
    format: Option<String>,
    known: Option<String>,
    #[allow(dead_code)]
    note: Option<String>,
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

fn matches(label: &str, rule: &str) -> bool {
    label == rule || rule.split('/').next() == Some(label)
}

#[derive(Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

#[test]
fn corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let mut checkers: BTreeMap<Option<String>, Checker> = BTreeMap::new();
    // Two groups, scored apart: [0] the rule authors' corpora, [1] the
    // independent held-out corpus in `heldout/` (written without reading
    // the rules; see README "Held-out corpus").
    let mut per_cat: [BTreeMap<String, Counts>; 2] = Default::default();
    // Per rule, for labels that name a rule (category/slug).
    let mut per_rule: [BTreeMap<String, Counts>; 2] = Default::default();
    let mut failures = Vec::new();
    let mut known_cases = Vec::new();
    let mut clean_total = [0; 2];
    let mut clean_quiet = [0; 2];
    let mut total = [0; 2];
    let mut known = [0; 2];
    for path in &paths {
        let g = usize::from(
            path.strip_prefix(&root)
                .is_ok_and(|p| p.starts_with("heldout")),
        );
        let per_cat = &mut per_cat[g];
        let per_rule = &mut per_rule[g];
        let text = std::fs::read_to_string(path).unwrap();
        let file: File =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (i, case) in file.cases.iter().enumerate() {
            total[g] += 1;
            let checker = checkers.entry(case.institution.clone()).or_insert_with(|| {
                let s = Settings {
                    institution: case.institution.clone().map(OneOrMany::One),
                    ..Settings::default()
                };
                Checker::new(s, Vec::new()).unwrap()
            });
            let format = match case.format.as_deref() {
                Some("plaintext") => Format::PlainText,
                _ => Format::Markdown,
            };
            let found = checker.check(&case.text, format);
            let rules: Vec<&str> = found
                .iter()
                .map(|f| f.rule.as_str())
                .filter(|r| !case.ignore.iter().any(|l| matches(l, r)))
                .collect();
            let mut ok = true;
            for label in &case.expect {
                let cat = label.split('/').next().unwrap().to_string();
                let c = per_cat.entry(cat).or_default();
                let hit = rules.iter().any(|r| matches(label, r));
                if hit {
                    c.tp += 1;
                } else {
                    c.fn_ += 1;
                    ok = false;
                }
                if label.contains('/') {
                    let rc = per_rule.entry(label.clone()).or_default();
                    if hit {
                        rc.tp += 1;
                    } else {
                        rc.fn_ += 1;
                    }
                }
            }
            for r in &rules {
                if !case.expect.iter().any(|l| matches(l, r)) {
                    let cat = r.split('/').next().unwrap().to_string();
                    per_cat.entry(cat).or_default().fp += 1;
                    per_rule.entry(r.to_string()).or_default().fp += 1;
                    ok = false;
                }
            }
            if case.expect.is_empty() {
                clean_total[g] += 1;
                if rules.is_empty() {
                    clean_quiet[g] += 1;
                }
            }
            if !ok {
                let line = format!(
                    "{}#{}: expected {:?}, found {:?}\n    {:?}",
                    path.strip_prefix(&root).unwrap_or(path).display(),
                    i + 1,
                    case.expect,
                    rules,
                    case.text.chars().take(120).collect::<String>()
                );
                if let Some(why) = &case.known {
                    known[g] += 1;
                    known_cases.push(format!("{line}\n    known: {why}"));
                } else {
                    failures.push(line);
                }
            }
        }
    }
    for (g, title) in [
        "rule authors' corpora",
        "held-out corpus (tests/corpus/heldout/)",
    ]
    .iter()
    .enumerate()
    {
        println!("\n{title}");
        println!(
            "{:<16} {:>5} {:>5} {:>5} {:>9} {:>7}",
            "category", "tp", "fp", "fn", "precision", "recall"
        );
        for (cat, c) in &per_cat[g] {
            let p = c.tp as f64 / (c.tp + c.fp).max(1) as f64;
            let r = c.tp as f64 / (c.tp + c.fn_).max(1) as f64;
            println!(
                "{cat:<16} {:>5} {:>5} {:>5} {p:>9.2} {r:>7.2}",
                c.tp, c.fp, c.fn_
            );
        }
        println!(
            "\n{:<40} {:>5} {:>5} {:>5} {:>9} {:>7}",
            "rule", "tp", "fp", "fn", "precision", "recall"
        );
        for (rule, c) in &per_rule[g] {
            let p = c.tp as f64 / (c.tp + c.fp).max(1) as f64;
            let r = c.tp as f64 / (c.tp + c.fn_).max(1) as f64;
            println!(
                "{rule:<40} {:>5} {:>5} {:>5} {p:>9.2} {r:>7.2}",
                c.tp, c.fp, c.fn_
            );
        }
        println!(
            "{} cases; clean posts with no finding: {}/{}; known misses: {}",
            total[g], clean_quiet[g], clean_total[g], known[g]
        );
    }
    if !known_cases.is_empty() {
        println!("\nknown failures (counted above):");
        for k in &known_cases {
            println!("{k}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus case(s) regressed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
