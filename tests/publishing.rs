//! Whole-site checks and every output format, end to end on the sample Hugo
//! site in `tests/fixtures/hugo-site` (copied to a scratch folder, where a
//! git-ignored `public/` is added that must not be read).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_scrubs")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A copy of the Hugo site with a built `public/` folder (git-ignored).
fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hugo-site"),
        &root,
    );
    std::fs::create_dir_all(root.join("public/posts")).unwrap();
    std::fs::write(
        root.join("public/posts/index.html"),
        "<p>As a nurse at Mayo Clinic: mail jane.doe@mayo.edu</p>",
    )
    .unwrap();
    (dir, root)
}

fn run(root: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .current_dir(root)
        .arg("check")
        .args(args)
        .output()
        .unwrap()
}

const POSTS_WITH_FINDINGS: &[&str] = &[
    "content/posts/coffee.org",
    "content/posts/conference.html",
    "content/posts/first-week.md",
    "content/posts/night-shift.md",
    "content/posts/sleep.rst",
];

/// Byte offset of a zero-based line and UTF-16 column.
fn offset(text: &str, line: u64, col16: u64) -> usize {
    let mut start = 0;
    for _ in 0..line {
        start += text[start..].find('\n').unwrap() + 1;
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= col16 {
            return start + i;
        }
        units += c.len_utf16() as u64;
    }
    text.len()
}

#[test]
fn json_reads_the_site_honours_gitignore_and_excludes_and_includes_drafts() {
    let (_d, root) = site();
    let out = run(&root, &["--format", "json", "."]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .trim_start_matches("./")
                .to_string()
        })
        .collect();
    for p in &paths {
        assert!(!p.starts_with("public/"), "git-ignored file read: {p}");
        assert!(!p.starts_with("layouts/"), "excluded file read: {p}");
        assert!(
            !p.starts_with("content/private/"),
            "excluded file read: {p}"
        );
    }
    for p in [
        "content/posts/running.adoc",
        "content/posts/first-week.md",
        "content/_index.md",
    ] {
        assert!(paths.iter().any(|x| x == p), "{p} not checked: {paths:?}");
    }
    let mut with: Vec<String> = Vec::new();
    for f in v["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap().trim_start_matches("./");
        let text = std::fs::read_to_string(root.join(path)).unwrap();
        let diags = f["diagnostics"].as_array().unwrap();
        if !diags.is_empty() {
            with.push(path.to_string());
        }
        for d in diags {
            let r = &d["range"];
            let s = offset(
                &text,
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["character"].as_u64().unwrap(),
            );
            let e = offset(
                &text,
                r["end"]["line"].as_u64().unwrap(),
                r["end"]["character"].as_u64().unwrap(),
            );
            assert_eq!(d["excerpt"].as_str().unwrap(), &text[s..e], "{path}");
            // Never inside code, scripts or skipped blocks.
            assert!(
                !d["excerpt"].as_str().unwrap().contains("someone@")
                    && !d["excerpt"].as_str().unwrap().contains("coach@")
                    && !d["excerpt"].as_str().unwrap().contains("barista@")
                    && !d["excerpt"].as_str().unwrap().contains("nobody@"),
                "finding in code: {d}"
            );
        }
    }
    with.sort();
    assert_eq!(with, POSTS_WITH_FINDINGS);
}

#[test]
fn text_ends_with_a_summary_by_category() {
    let (_d, root) = site();
    let out = run(&root, &["--color", "never", "."]);
    assert_eq!(out.status.code(), Some(1));
    let s = String::from_utf8(out.stdout).unwrap();
    let tail = &s[s.find("By category:").expect("summary")..];
    assert!(
        tail.contains("disclaimer       3 finding(s) in 3 file(s)"),
        "{tail}"
    );
    assert!(
        tail.contains("work-email       4 finding(s) in 4 file(s)"),
        "{tail}"
    );
}

#[test]
fn fail_on_sets_the_exit_status() {
    let (_d, root) = site();
    // Every finding in the site is a warning.
    assert_eq!(
        run(&root, &["--fail-on", "error", "."]).status.code(),
        Some(0)
    );
    assert_eq!(
        run(&root, &["--fail-on", "warning", "."]).status.code(),
        Some(1)
    );
    assert_eq!(
        run(&root, &["--fail-on", "information", "."]).status.code(),
        Some(1)
    );
    assert_eq!(
        run(&root, &["--fail-on", "bogus", "."]).status.code(),
        Some(2)
    );
}

#[test]
fn sarif_has_rules_regions_snippets_and_fixes() {
    let (_d, root) = site();
    let out = run(&root, &["--format", "sarif", "-o", "scrubs.sarif", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("scrubs.sarif")).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    assert_eq!(run0["columnKind"], "utf16CodeUnits");
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    let mut uris: Vec<&str> = Vec::new();
    for r in results {
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], r["ruleId"]);
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## What it does"));
        assert_eq!(r["level"], "warning");
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        uris.push(uri);
        let text = std::fs::read_to_string(root.join(uri)).unwrap();
        let reg = &loc["region"];
        let s = offset(
            &text,
            reg["startLine"].as_u64().unwrap() - 1,
            reg["startColumn"].as_u64().unwrap() - 1,
        );
        let e = offset(
            &text,
            reg["endLine"].as_u64().unwrap() - 1,
            reg["endColumn"].as_u64().unwrap() - 1,
        );
        assert_eq!(reg["snippet"]["text"].as_str().unwrap(), &text[s..e]);
        let fix = &r["fixes"][0];
        assert!(fix["description"]["text"].as_str().unwrap().len() > 3);
        assert_eq!(fix["artifactChanges"][0]["artifactLocation"]["uri"], uri);
    }
    uris.sort();
    uris.dedup();
    assert_eq!(uris, POSTS_WITH_FINDINGS);
}

#[test]
fn github_annotations_one_line_per_finding() {
    let (_d, root) = site();
    let out = run(&root, &["--format", "github", "."]);
    assert_eq!(out.status.code(), Some(1));
    let s = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = s.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.len(), 7, "{s}");
    // The Mayo address cites Mayo guideline 1 (its "Computer, E-mail & Internet Use" policy).
    assert!(
        lines.iter().any(|l| l.starts_with(
            "::warning file=content/posts/night-shift.md,line=13,col=1,endLine=13,endColumn=18,title=scrubs work-email/institutional-address::This is a Mayo Clinic e-mail address; use a personal address in personal posts.%0APolicy: Mayo Clinic, Guideline 1: “Follow all applicable Mayo Clinic policies."
        ) && l.contains("Computer, E-mail & Internet Use")),
        "{s}"
    );
    assert!(s.contains("By category:"));
}

#[test]
fn html_report_is_self_contained_and_shows_findings_in_context() {
    let (_d, root) = site();
    let out = run(&root, &["--format", "html", "-o", "report.html", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote report.html: 7 finding(s)"));
    let html = std::fs::read_to_string(root.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for bad in ["<script", "<link", "src=\"http", "url(", "@import"] {
        assert!(!html.contains(bad), "external resource or script: {bad}");
    }
    assert_eq!(html.matches("<li class=\"finding\"").count(), 7);
    // The HTML post's own markup is shown as text, escaped.
    assert!(html.contains("&lt;p&gt;I presented our &lt;em&gt;sleep hygiene&lt;/em&gt;"));
    // Highlighted in context, with the policy quoted beside it.
    assert!(html.contains(
        "data-rule=\"work-email/institutional-address\" title=\"work-email/institutional-address: This is a Mayo Clinic e-mail address; use a personal address in personal posts.\"><a href=\"#f-"
    ));
    assert!(html.contains(
        "<blockquote class=\"policy\" data-guideline=\"mayo-2\">“Write in the first person."
    ));
}

#[test]
fn exclude_applies_to_named_files_too() {
    let (_d, root) = site();
    let out = run(&root, &["--format", "json", "content/private/venting.md"]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 0);
}
