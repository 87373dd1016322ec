//! Every fix, applied: snapshots of before and after for the fixtures in
//! `tests/fixtures/fixes/`, and properties over every example and corpus
//! post (the fix removes its finding and adds none; nothing outside the edit
//! changes; Markdown keeps its block structure outside the edit).

use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Options, Parser};
use scrubs::engine::finding::apply_edits;
use scrubs::engine::{Checker, Edit, Finding};
use scrubs::markup::Format;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The files in `dir` (not its folders: `scrubs check` keeps its verdict cache in one).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn fixture_fixes_before_and_after() {
    let checker = Checker::default_checker();
    for path in files(&root().join("tests/fixtures/fixes")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let format = Format::from_path(&path);
        let findings = checker.check(&text, format);
        let mut out = format!("BEFORE\n{text}\n");
        for f in &findings {
            for fix in &f.fixes {
                out.push_str(&format!(
                    "\n=== {} · {} ({}{})\n{}\n",
                    f.rule,
                    fix.title,
                    if fix.safe { "safe" } else { "unsafe" },
                    if fix.preferred { ", preferred" } else { "" },
                    fix.apply(&text)
                ));
            }
        }
        let name = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        insta::assert_snapshot!(name, out.replace('\r', "␍"));
    }
}

/// Every post to try fixes on: the examples, the fixtures, the corpus.
fn posts() -> Vec<(String, String, Format)> {
    let mut out = Vec::new();
    for dir in ["examples", "tests/fixtures/fixes"] {
        for p in files(&root().join(dir)) {
            if let Ok(t) = std::fs::read_to_string(&p) {
                out.push((p.display().to_string(), t, Format::from_path(&p)));
            }
        }
    }
    // Every corpus file, sub-folders (privacy/, heldout/) included.
    let mut corpus = Vec::new();
    let mut dirs = vec![root().join("tests/corpus")];
    while let Some(d) = dirs.pop() {
        for p in files(&d) {
            if p.is_dir() {
                dirs.push(p);
            } else {
                corpus.push(p);
            }
        }
    }
    corpus.sort();
    for p in corpus {
        let Ok(t) = std::fs::read_to_string(&p) else {
            continue;
        };
        let Ok(v) = t.parse::<toml::Table>() else {
            continue;
        };
        for (i, case) in v
            .get("case")
            .and_then(|c| c.as_array())
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some(text) = case.get("text").and_then(|t| t.as_str()) else {
                continue;
            };
            let format = match case.get("format").and_then(|f| f.as_str()) {
                Some("plaintext") => Format::PlainText,
                _ => Format::Markdown,
            };
            out.push((format!("{}#{i}", p.display()), text.to_string(), format));
        }
    }
    out
}

/// The block-level pulldown-cmark events of `text`: those wholly outside
/// `region` with their ranges (after it shifted by `-delta` so both sides
/// compare), those around it by kind, those inside it left out.
fn events_outside(text: &str, region: (usize, usize), delta: isize) -> Vec<String> {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    Parser::new_ext(text, opts)
        .into_offset_iter()
        // Block structure only: inline events split differently around an edit.
        .filter(|(e, _)| match e {
            Event::Start(t) => is_block(t),
            Event::End(t) => is_block_end(t),
            Event::Rule | Event::Html(_) => true,
            _ => false,
        })
        .filter_map(|(e, r)| {
            // A block's range may or may not take in the line break after
            // it, depending on what follows: compare without it.
            let r = r.start..r.start + text[r.clone()].trim_end().len();
            if r.end < region.0 {
                // Wholly before the edit: kind and range.
                Some(format!("{e:?} {r:?}"))
            } else if r.start > region.1 {
                // Wholly after: kind and range, shifted.
                let s = (r.start as isize - delta) as usize;
                let t = (r.end as isize - delta) as usize;
                Some(format!("{e:?} {s}..{t}"))
            } else if r.start >= region.0 && r.end <= region.1 {
                // Inside the edit: what the edit itself adds or removes.
                None
            } else {
                // Around the edit (a paragraph or list holding it): kind only.
                Some(format!("{e:?} around"))
            }
        })
        .collect()
}

fn is_block(t: &pulldown_cmark::Tag) -> bool {
    use pulldown_cmark::Tag::*;
    matches!(
        t,
        Paragraph
            | Heading { .. }
            | BlockQuote(_)
            | CodeBlock(_)
            | HtmlBlock
            | List(_)
            | Item
            | FootnoteDefinition(_)
            | Table(_)
            | TableHead
            | TableRow
            | TableCell
            | MetadataBlock(_)
    )
}

fn is_block_end(t: &pulldown_cmark::TagEnd) -> bool {
    use pulldown_cmark::TagEnd::*;
    matches!(
        t,
        Paragraph
            | Heading(_)
            | BlockQuote(_)
            | CodeBlock
            | HtmlBlock
            | List(_)
            | Item
            | FootnoteDefinition
            | Table
            | TableHead
            | TableRow
            | TableCell
            | MetadataBlock(_)
    )
}

fn check_fix(
    checker: &Checker,
    name: &str,
    text: &str,
    format: Format,
    f: &Finding,
    title: &str,
    edits: &[Edit],
) -> Result<(), String> {
    let before = checker.check(text, format);
    let after_text = apply_edits(text, edits);
    let after = checker.check(&after_text, format);
    let ctx = format!("{name}: {} · {title}\n{after_text}", f.rule);
    let start = edits.iter().map(|e| e.range.start).min().unwrap_or(0);
    let end = edits.iter().map(|e| e.range.end).max().unwrap_or(0);
    let delta: isize = edits
        .iter()
        .map(|e| e.new_text.len() as isize - e.range.len() as isize)
        .sum();
    let new_end = (end as isize + delta) as usize;
    // A finding is known by its rule and, when it lies clear of the edit,
    // its range (mapped back to the text before); one that touches the edit
    // by its rule alone (its excerpt may be what the edit changed). A rule
    // that reports once per post (`disclaimer/missing`) is known by its rule
    // alone: it sits on the first thing that shows the writer's tie, and when
    // a fix takes one tie away (one of two work addresses) it moves to the next.
    let key = |f: &Finding, (s, e): (usize, usize), shift: isize| {
        let r = &f.range;
        let at = if f.rule == "disclaimer/missing" {
            None
        } else if r.end < s {
            Some((r.start, r.end))
        } else if r.start > e {
            Some((
                (r.start as isize - shift) as usize,
                (r.end as isize - shift) as usize,
            ))
        } else {
            None
        };
        (f.rule.clone(), at)
    };
    let b: Vec<_> = before.iter().map(|g| key(g, (start, end), 0)).collect();
    let a: Vec<_> = after
        .iter()
        .map(|g| key(g, (start, new_end), delta))
        .collect();
    // Its finding is gone, and nothing new appears.
    let mine = key(f, (start, end), 0);
    let count = |v: &[(String, Option<(usize, usize)>)]| v.iter().filter(|x| **x == mine).count();
    if count(&a) >= count(&b) {
        return Err(format!("finding not removed: {ctx}\n{a:?}"));
    }
    let mut rest = b.clone();
    for x in &a {
        match rest.iter().position(|y| y == x) {
            Some(i) => {
                rest.remove(i);
            }
            None => return Err(format!("new finding {x:?}: {ctx}")),
        }
    }
    // Outside the edits, byte for byte the same.
    if after_text[..start] != text[..start] || after_text[new_end..] != text[end..] {
        return Err(format!("text outside the edit changed: {ctx}"));
    }
    // The same Markdown structure outside the edit.
    if format == Format::Markdown
        && events_outside(text, (start, end), 0)
            != events_outside(&after_text, (start, new_end), delta)
    {
        return Err(format!("Markdown structure changed: {ctx}"));
    }
    Ok(())
}

/// Known failures, like the corpus's `known`: (post file name, rule of the
/// fix, why). Each must still fail (so the list cannot rot) and is printed.
const KNOWN: &[(&str, &str, &str)] = &[];

#[test]
fn every_offered_fix_and_ignore_removes_its_finding_and_nothing_else() {
    let checker = Checker::default_checker();
    let mut tried = 0;
    let mut failures = Vec::new();
    for (name, text, format) in posts() {
        let findings = checker.check(&text, format);
        let markup = scrubs::markup::extract(&text, format);
        for f in &findings {
            for fix in &f.fixes {
                failures.extend(
                    check_fix(&checker, &name, &text, format, f, &fix.title, &fix.edits).err(),
                );
                tried += 1;
            }
            if f.rule != scrubs::engine::suppress::UNUSED {
                let e = scrubs::engine::suppress::ignore_edit(
                    &text,
                    format,
                    &markup,
                    &f.rule,
                    f.range.start,
                );
                failures.extend(
                    check_fix(&checker, &name, &text, format, f, "Ignore here", &[e]).err(),
                );
                tried += 1;
            }
        }
    }
    assert!(tried > 20, "only {tried} fixes tried");
    let mut known_seen = Vec::new();
    failures.retain(|msg| {
        let known = KNOWN
            .iter()
            .find(|(post, rule, _)| msg.contains(&format!("{post}: {rule} ·")));
        if let Some(k) = known {
            eprintln!("known failure ({}): {msg}", k.2);
            known_seen.push(k.0);
        }
        known.is_none()
    });
    for (post, rule, _) in KNOWN {
        assert!(
            known_seen.contains(post),
            "{post}: {rule} is listed as a known failure but passes now: remove it from KNOWN"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {tried} fixes fail:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn check_fix_leaves_examples_with_no_safe_fix_and_diff_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for p in files(&root().join("examples")) {
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_scrubs"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let before: Vec<String> = files(dir.path())
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let diff = run(&["check", "--diff", "."]);
    assert_eq!(diff.status.code(), Some(1));
    let out = String::from_utf8_lossy(&diff.stdout);
    assert!(
        out.contains("+*The views expressed on this blog are my own"),
        "{out}"
    );
    assert!(out.contains("-jane.doe@mayo.edu."), "{out}");
    let unchanged: Vec<String> = files(dir.path())
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(before, unchanged, "--diff wrote files");

    let fix = run(&["check", "--fix", "."]);
    assert!(fix.status.code() == Some(0) || fix.status.code() == Some(1));
    let json = run(&["check", "--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let mut fixable = Vec::new();
    for f in v["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.path().join(path)).unwrap();
        let findings = Checker::default_checker().check(&text, Format::from_path(Path::new(path)));
        if !scrubs::engine::fixall::safe_edits(&findings).is_empty() {
            fixable.push(path.to_string());
        }
    }
    assert!(fixable.is_empty(), "still safe-fixable: {fixable:?}");
    let after = files(dir.path())
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>();
    assert_ne!(before, after);

    // Standard input: the fixed text on standard output.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_scrubs"))
        .args(["check", "--fix", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Email me at a@mayo.edu.\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Email me at.\n");
}

/// The structure comparison notices a split paragraph or list (so the
/// property above can fail).
#[test]
fn structure_comparison_sees_a_split_block() {
    let text = "- one\n- two\n\nline a\nline b\n";
    let split = |at: usize| {
        let e = Edit {
            range: at..at,
            new_text: "<!-- x -->\n".into(),
        };
        let after = apply_edits(text, &[e]);
        events_outside(text, (at, at), 0) != events_outside(&after, (at, at + 11), 11)
    };
    assert!(split(text.find("- two").unwrap()));
    assert!(split(text.find("line b").unwrap()));
}
