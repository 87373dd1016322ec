//! `scrubs check` and friends, run as a user would run them.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn scrubs(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scrubs"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run scrubs")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Byte offset of a contract position (UTF-16 character) in `text`.
fn offset(text: &str, pos: &Value) -> usize {
    let idx = scrubs::position::LineIndex::new(text);
    idx.offset(
        text,
        scrubs::position::Pos {
            line: pos["line"].as_u64().unwrap() as u32,
            character: pos["character"].as_u64().unwrap() as u32,
        },
        scrubs::position::Encoding::Utf16,
    )
}

#[test]
fn json_on_the_examples_matches_the_contract() {
    let out = scrubs(&["check", "--format", "json", "examples/"], root());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["version"], 1);
    let files = v["files"].as_array().unwrap();
    assert!(files.len() >= 3);
    let mut rules = Vec::new();
    for f in files {
        let path = f["path"].as_str().unwrap();
        let text = std::fs::read_to_string(root().join(path)).unwrap();
        for d in f["diagnostics"].as_array().unwrap() {
            let rule = d["rule"].as_str().unwrap();
            assert_eq!(
                d["category"].as_str().unwrap(),
                rule.split('/').next().unwrap()
            );
            assert!(["error", "warning", "information", "hint"]
                .contains(&d["severity"].as_str().unwrap()));
            assert!(!d["message"].as_str().unwrap().is_empty());
            // The excerpt is exactly the source text inside the range.
            let s = offset(&text, &d["range"]["start"]);
            let e = offset(&text, &d["range"]["end"]);
            assert_eq!(d["excerpt"].as_str().unwrap(), &text[s..e], "{path} {rule}");
            for c in d["citations"].as_array().unwrap() {
                for k in ["institution", "guideline", "quote"] {
                    assert!(c[k].is_string(), "citation lacks {k}");
                }
            }
            for fix in d["fixes"].as_array().unwrap() {
                assert!(fix["title"].is_string());
                for e in fix["edits"].as_array().unwrap() {
                    assert!(e["range"]["start"]["line"].is_u64());
                    assert!(e["new_text"].is_string());
                }
            }
            rules.push((
                path.to_string(),
                rule.to_string(),
                d["excerpt"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert!(
        rules.contains(&(
            "examples/night-shift.md".into(),
            "disclaimer/missing".into(),
            "As a nurse at Mayo Clinic".into()
        )),
        "{rules:#?}"
    );
    assert!(
        rules.contains(&(
            "examples/night-shift.md".into(),
            "work-email/institutional-address".into(),
            "jane.doe@mayo.edu".into()
        )),
        "{rules:#?}"
    );
    // The clean example has no findings at warning level or above.
    let clean = files
        .iter()
        .find(|f| f["path"] == "examples/marathon-training.md")
        .unwrap();
    assert!(clean["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] == "hint" || d["severity"] == "information"));
}

#[test]
fn text_output_shows_the_source_line_and_a_summary() {
    let out = scrubs(&["check", "examples/night-shift.md"], root());
    assert_eq!(out.status.code(), Some(1));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("warning[disclaimer/missing]"), "{s}");
    assert!(s.contains("examples/night-shift.md:10:1"), "{s}");
    assert!(
        s.contains("As a nurse at Mayo Clinic, I see a lot of sunrises."),
        "{s}"
    );
    assert!(s.contains("Guideline 2"), "{s}");
    assert!(!s.contains("\u{1b}["), "no colour when piped");
    assert!(s.contains("Found "), "{s}");
}

#[test]
fn stdin_and_institution_flag() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scrubs"))
        .args(["check", "--format", "json", "--institution", "msk", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Email me at a.b@mskcc.org\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let diagnostics = v["files"][0]["diagnostics"].as_array().unwrap();
    let rules: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    // The work address shows the tie to MSK, so its disclaimer is due as well.
    assert_eq!(
        rules,
        ["disclaimer/missing", "work-email/institutional-address"]
    );
    for d in diagnostics {
        assert_eq!(d["citations"][0]["institution"], "msk", "{d}");
    }
}

#[test]
fn clean_input_exits_zero_and_bad_arguments_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("post.md"), "I ran ten miles today.\n").unwrap();
    let out = scrubs(&["check", "post.md"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let out = scrubs(&["check", "missing.md"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.md"));
    let out = scrubs(
        &["check", "--institution", "nowhere", "post.md"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere"));
}

#[test]
fn a_bad_config_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("posts")).unwrap();
    std::fs::write(
        dir.path().join("scrubs.toml"),
        "institution = \"mayo\"\n[rules]\n\"disclaimer/missing\" = \"loud\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("posts/a.md"), "Hello.\n").unwrap();
    let out = scrubs(&["check", "posts"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("scrubs.toml:3:"), "{err}");
    assert!(err.contains("loud"), "{err}");
}

#[test]
fn config_is_found_by_walking_up_and_gitignore_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("site/posts")).unwrap();
    std::fs::create_dir_all(d.join("site/drafts-private")).unwrap();
    std::fs::write(
        d.join("site/scrubs.toml"),
        "[rules]\n\"work-email\" = \"off\"\n",
    )
    .unwrap();
    std::fs::write(d.join("site/posts/a.md"), "Mail me at x@mayo.edu\n").unwrap();
    std::fs::write(d.join("site/.gitignore"), "drafts-private/\n").unwrap();
    std::fs::write(
        d.join("site/drafts-private/b.md"),
        "As a nurse at Mayo Clinic, hi.\n",
    )
    .unwrap();
    // `ignore` honours .gitignore inside a git repository.
    Command::new("git")
        .args(["init", "-q"])
        .current_dir(d.join("site"))
        .status()
        .unwrap();
    let out = scrubs(&["check", "--format", "json", "site"], d);
    let v = json(&out);
    let paths: Vec<_> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, vec!["site/posts/a.md"], "{paths:?}");
    assert_eq!(v["files"][0]["diagnostics"], serde_json::json!([]));
    assert_eq!(out.status.code(), Some(0));
}

/// The README's example pack for a fifth hospital loads and fires; a broken
/// pack is reported with its place while the built-in packs keep working.
#[test]
fn the_readme_custom_pack_loads_and_fires() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let marker = "<!-- the test tests/cli.rs reads this block: keep it complete -->";
    let start = readme.find(marker).expect("marker in README") + marker.len();
    let block = &readme[start..];
    let block = &block[block.find("```toml\n").unwrap() + 8..];
    let pack = &block[..block.find("```").unwrap()];

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join(".scrubs/policies")).unwrap();
    std::fs::write(d.join(".scrubs/policies/stolaf.toml"), pack).unwrap();
    std::fs::write(d.join("scrubs.toml"), "# project\n").unwrap();
    std::fs::write(
        d.join("post.md"),
        "As a nurse at St. Olaf Hospital, I love nights.\n\nMail me: kim@stolaf-hospital.example\n",
    )
    .unwrap();
    let out = scrubs(&["check", "--format", "json", "post.md"], d);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    let diags = v["files"][0]["diagnostics"].as_array().unwrap();
    let disc = diags
        .iter()
        .find(|x| x["rule"] == "disclaimer/missing")
        .expect("disclaimer finding");
    assert_eq!(disc["excerpt"], "As a nurse at St. Olaf Hospital");
    assert_eq!(disc["citations"][0]["institution"], "stolaf");
    assert_eq!(disc["citations"][0]["guideline"], "so-3");
    assert!(disc["fixes"][0]["edits"][0]["new_text"]
        .as_str()
        .unwrap()
        .contains("The views on this blog are mine, not St. Olaf Hospital's."));
    let mail = diags
        .iter()
        .find(|x| x["rule"] == "work-email/institutional-address")
        .expect("work e-mail");
    assert_eq!(mail["severity"], "error");

    // A broken pack beside it: reported with file, line and column; the others keep working.
    std::fs::write(d.join(".scrubs/policies/broken.toml"), "id = \"broken\"\nname = \"B\"\n[source]\ntitle = \"T\"\n[names]\nstrong = \"not a list\"\n").unwrap();
    std::fs::write(d.join("mayo.md"), "As a nurse at Mayo Clinic, hello.\n").unwrap();
    let out = scrubs(&["check", "--format", "json", "mayo.md", "post.md"], d);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.toml:6:"), "{err}");
    let v = json(&out);
    assert_eq!(
        v["files"][0]["diagnostics"][0]["rule"],
        "disclaimer/missing"
    );
    assert_eq!(
        v["files"][1]["diagnostics"][0]["citations"][0]["institution"],
        "stolaf"
    );
}

#[test]
fn explain_shows_every_institutions_clause() {
    let out = scrubs(&["explain", "disclaimer/missing"], root());
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    for (name, id) in [
        ("Mayo Clinic", "mayo-2"),
        ("Mass General", "mgh-rules-7"),
        ("Memorial Sloan Kettering", "msk-distinguish-personal-views"),
        ("University of Minnesota", "umn-guideline-7a"),
    ] {
        assert!(
            s.contains(name) && s.contains(id),
            "{name} {id} missing:\n{s}"
        );
    }
    for section in [
        "## What it does",
        "## Why",
        "## Example",
        "## Fix",
        "## Policy",
    ] {
        assert!(s.contains(section), "{section}");
    }
    let out = scrubs(&["explain", "nope/nothing"], root());
    assert_eq!(out.status.code(), Some(2));
    let out = scrubs(&["rules"], root());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("disclaimer/missing") && s.contains("work-email/institutional-address"));
    let out = scrubs(&["policies", "umn"], root());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("umn-policy-3"), "{s}");
}

/// The sentence model is on by default: its finding in the JSON output carries what the sentence
/// was judged to be; `--no-judgement` and `[judgement] enabled = false` leave it out.
#[test]
fn judged_findings_in_json_and_how_to_turn_them_off() {
    let dir = tempfile::tempdir().unwrap();
    let post = "Night shift notes.\n\nHonestly the next drunk who swings at me can bleed out in the waiting room for all I care.\n";
    std::fs::write(dir.path().join("post.md"), post).unwrap();
    let out = scrubs(
        &[
            "check",
            "--format",
            "json",
            "--institution",
            "mayo",
            "post.md",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let d = &v["files"][0]["diagnostics"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d[0]["rule"], "professionalism/unprofessional-language");
    assert_eq!(d[0]["judged"]["label"], "hostility");
    assert!(d[0]["judged"]["confidence"].as_f64().unwrap() >= 0.9);
    assert_eq!(
        d[0]["excerpt"],
        "Honestly the next drunk who swings at me can bleed out in the waiting room for all I care."
    );
    // It cites the institution's clause as the rule's own findings do (Mayo guideline 5).
    assert!(d[0]["citations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["guideline"] == "mayo-5"));

    let off = scrubs(
        &["check", "--no-judgement", "--format", "json", "post.md"],
        dir.path(),
    );
    assert_eq!(off.status.code(), Some(0));
    assert_eq!(json(&off)["files"][0]["diagnostics"], serde_json::json!([]));
    std::fs::write(
        dir.path().join("scrubs.toml"),
        "[judgement]\nenabled = false\n",
    )
    .unwrap();
    let off = scrubs(&["check", "--format", "json", "post.md"], dir.path());
    assert_eq!(off.status.code(), Some(0));
}

/// `scrubs check` keeps the model's verdicts in `.scrubs_cache/` and reads them back on the next run
/// (shown here by editing the cached scores: the rerun believes them); `--no-cache` neither reads
/// nor writes it, and a broken cache file is ignored and written again.
#[test]
fn the_verdict_cache_is_read_back_and_a_broken_one_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let post = "Night shift notes.\n\nHonestly the next drunk who swings at me can bleed out in the waiting room for all I care.\n";
    std::fs::write(dir.path().join("post.md"), post).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["check", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("post.md");
        let out = scrubs(&args, dir.path());
        let v = json(&out);
        v["files"][0]["diagnostics"].clone()
    };
    let first = run(&[]);
    assert_eq!(first[0]["judged"]["label"], "hostility", "{first}");
    let cache = dir.path().join(".scrubs_cache");
    assert_eq!(
        std::fs::read_to_string(cache.join(".gitignore"))
            .unwrap()
            .lines()
            .last(),
        Some("*")
    );
    let bin: Vec<std::path::PathBuf> = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    assert_eq!(bin.len(), 1, "{bin:?}");
    let bytes = std::fs::read(&bin[0]).unwrap();
    assert!(bytes.starts_with(b"SCRUBSV1"));
    assert_eq!(run(&[]), first);

    // Every cached score set to zero: the rerun judges nothing positive, so it read the cache.
    let heads = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let mut zeroed = bytes[..12].to_vec();
    for entry in bytes[12..].chunks_exact(8 + 4 * heads) {
        zeroed.extend_from_slice(&entry[..8]);
        zeroed.extend(std::iter::repeat_n(0u8, 4 * heads));
    }
    std::fs::write(&bin[0], &zeroed).unwrap();
    assert_eq!(run(&[]), serde_json::json!([]));
    // --no-cache judges afresh and leaves the file alone.
    assert_eq!(run(&["--no-cache"]), first);
    assert_eq!(std::fs::read(&bin[0]).unwrap(), zeroed);

    // A broken file: ignored, and replaced by a good one.
    std::fs::write(&bin[0], b"not a cache").unwrap();
    assert_eq!(run(&[]), first);
    assert!(std::fs::read(&bin[0]).unwrap().starts_with(b"SCRUBSV1"));
}

/// `scrubs --version` names the release, the commit it was built from, and what
/// judges a draft: the model's heads and each policy pack, by the SHA-256 of the
/// file (`sha256sum model/heads.json src/packs/mayo.toml` gives the same).
#[test]
fn version_names_the_commit_the_model_and_the_packs() {
    use sha2::{Digest, Sha256};
    let sha = |path: &str| -> String {
        let d = Sha256::digest(std::fs::read(root().join(path)).unwrap());
        d.iter().take(6).map(|b| format!("{b:02x}")).collect()
    };
    let out = scrubs(&["--version"], root());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(lines[0], format!("scrubs {}", env!("CARGO_PKG_VERSION")));

    // The commit: HEAD's when built in this checkout (unless a release
    // workflow named it), never empty.
    let commit = lines[1].strip_prefix("commit: ").expect(lines[1]);
    let head = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match (head, std::env::var("SCRUBS_COMMIT")) {
        (_, Ok(named)) if !named.trim().is_empty() => assert_eq!(commit, named.trim()),
        (Some(head), _) => assert_eq!(commit, head),
        (None, _) => assert!(!commit.is_empty() && !commit.contains(' '), "{commit}"),
    }

    let heads = scrubs::model::parse_heads().unwrap();
    let on = heads.heads.iter().filter(|h| h.enabled).count();
    assert!(on > 0 && on <= heads.heads.len());
    assert_eq!(
        lines[2],
        format!(
            "model: heads {}, {on} of {} heads on (format {}, corpus {})",
            sha("model/heads.json"),
            heads.heads.len(),
            heads.format,
            &heads.corpus_sha256[..12]
        )
    );

    let packs: Vec<String> = ["mayo", "mgh", "msk", "umn", "generic"]
        .iter()
        .map(|id| format!("{id} {}", sha(&format!("src/packs/{id}.toml"))))
        .collect();
    assert_eq!(lines[3], format!("packs: {}", packs.join(", ")));

    // `-V`: one line, the version and the commit.
    let out = scrubs(&["-V"], root());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("scrubs {} ({commit})\n", env!("CARGO_PKG_VERSION"))
    );
}
