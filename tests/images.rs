//! Pictures a draft links to: identifying metadata (a finding on the image reference, and the
//! fix that strips it without touching the pixels), and the text inside screenshots (OCR, when
//! Tesseract is installed). Every picture is generated here, none is downloaded.
//!
//! The OCR tests need `tesseract` and ImageMagick's `convert` (`.ci` installs both); without
//! them they say so and pass, unless `SCRUBS_REQUIRE_OCR=1` (as `.ci/run` sets) makes that a
//! failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::pictures::*;
use common::{bin, Client};
use serde_json::{json, Value as Json};

fn scrubs(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const DRAFT: &str = "# Night shift\n\nThe view tonight ![the view from the unit](ward.jpg) and \
                     ![sunset](sunset.jpg) and ![remote](https://example.org/ward.jpg).\n";

fn folder() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("post.md"), DRAFT).unwrap();
    std::fs::write(d.path().join("ward.jpg"), jpeg_with_exif()).unwrap();
    std::fs::write(d.path().join("sunset.jpg"), jpeg()).unwrap();
    d
}

fn json_findings(stdout: &str) -> Vec<Json> {
    let v: Json = serde_json::from_str(stdout).unwrap();
    v["files"][0]["diagnostics"].as_array().cloned().unwrap()
}

#[test]
fn a_gps_tagged_photo_is_flagged_on_its_reference_and_nothing_else_is() {
    let d = folder();
    let (code, out, err) = scrubs(
        d.path(),
        &["check", "--no-judgement", "--format", "json", "post.md"],
        &[("SCRUBS_TESSERACT", "")],
    );
    assert_eq!(code, 1, "{err}");
    let found = json_findings(&out);
    let meta: Vec<&Json> = found
        .iter()
        .filter(|f| f["rule"] == "media/image-metadata")
        .collect();
    assert_eq!(meta.len(), 1, "{found:#?}");
    let f = meta[0];
    assert_eq!(f["excerpt"], "![the view from the unit](ward.jpg)");
    let col = DRAFT.lines().nth(2).unwrap().find("![the view").unwrap();
    assert_eq!(
        f["range"],
        json!({"start": {"line": 2, "character": col}, "end": {"line": 2, "character": col + 35}})
    );
    let msg = f["message"].as_str().unwrap();
    for part in [
        "the GPS position where it was taken (44.02218, -92.46622)",
        "the date and time it was taken (2026:11:30 03:12:44)",
        "the camera owner's or photographer's name (Jane Nurse)",
        "the camera's serial number (SN-99812)",
    ] {
        assert!(msg.contains(part), "{part:?} not in {msg:?}");
    }
    assert_eq!(f["severity"], "warning");
    // The same finding in the other formats.
    let (_, text, _) = scrubs(d.path(), &["check", "--no-judgement", "post.md"], &[]);
    assert!(text.contains("media/image-metadata"), "{text}");
    assert!(text.contains("44.02218, -92.46622"), "{text}");
    let (_, sarif, _) = scrubs(
        d.path(),
        &["check", "--no-judgement", "--format", "sarif", "post.md"],
        &[],
    );
    let sarif: Json = serde_json::from_str(&sarif).unwrap();
    let ids: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .filter(|r| r.starts_with("media/image"))
        .collect();
    assert_eq!(ids, ["media/image-metadata"]);
    // --no-images leaves pictures alone.
    let (_, out, _) = scrubs(
        d.path(),
        &[
            "check",
            "--no-judgement",
            "--no-images",
            "--format",
            "json",
            "post.md",
        ],
        &[],
    );
    assert!(!out.contains("media/image-metadata"), "{out}");
}

#[test]
fn fix_images_strips_the_metadata_keeps_the_pixels_and_the_original() {
    let d = folder();
    let original = std::fs::read(d.path().join("ward.jpg")).unwrap();
    let sunset = std::fs::read(d.path().join("sunset.jpg")).unwrap();
    let (code, out, err) = scrubs(
        d.path(),
        &[
            "check",
            "--no-judgement",
            "--fix-images",
            "--format",
            "json",
            "post.md",
        ],
        &[("SCRUBS_TESSERACT", "")],
    );
    assert!(err.contains("stripped"), "{err}");
    assert!(err.contains("ward.orig.jpg"), "{err}");
    assert!(!out.contains("media/image-metadata"), "{out}");
    assert_ne!(code, 2, "{err}");
    let stripped = std::fs::read(d.path().join("ward.jpg")).unwrap();
    assert_eq!(
        std::fs::read(d.path().join("ward.orig.jpg")).unwrap(),
        original
    );
    assert!(scrubs::images::read_metadata(&stripped).is_empty());
    assert!(!stripped.windows(11).any(|w| w == b"taken on 4B"));
    assert!(stripped.len() < original.len());
    // Not re-encoded: the scan is byte for byte the same, and so are the decoded pixels.
    assert_eq!(jpeg_scan(&stripped), jpeg_scan(&original));
    assert_eq!(decode_jpeg(&stripped), decode_jpeg(&original));
    // The clean picture was not touched, and no other file was written.
    assert_eq!(std::fs::read(d.path().join("sunset.jpg")).unwrap(), sunset);
    let mut names: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["post.md", "sunset.jpg", "ward.jpg", "ward.orig.jpg"]
    );
    // Again: nothing left to strip, the backup stays as it was.
    let (_, _, err) = scrubs(
        d.path(),
        &["check", "--no-judgement", "--fix-images", "post.md"],
        &[],
    );
    assert!(!err.contains("stripped"), "{err}");
}

#[test]
fn a_png_is_stripped_too_and_no_backup_means_none() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("post.md"), "![chart](chart.png)\n").unwrap();
    let original = png_with_exif();
    std::fs::write(d.path().join("chart.png"), &original).unwrap();
    let (_, out, _) = scrubs(
        d.path(),
        &["check", "--no-judgement", "--format", "json", "post.md"],
        &[("SCRUBS_TESSERACT", "")],
    );
    let found = json_findings(&out);
    assert!(
        found
            .iter()
            .any(|f| f["rule"] == "media/image-metadata" && f["excerpt"] == "![chart](chart.png)"),
        "{found:#?}"
    );
    let (_, _, err) = scrubs(
        d.path(),
        &[
            "check",
            "--no-judgement",
            "--fix-images",
            "--no-backup",
            "post.md",
        ],
        &[("SCRUBS_TESSERACT", "")],
    );
    assert!(err.contains("stripped"), "{err}");
    assert!(!d.path().join("chart.orig.png").exists());
    let stripped = std::fs::read(d.path().join("chart.png")).unwrap();
    assert!(scrubs::images::read_metadata(&stripped).is_empty());
    assert!(!stripped.windows(10).any(|w| w == b"Jane Nurse"));
    assert_eq!(decode_png(&stripped), decode_png(&original));
    assert_eq!(decode_png(&stripped), pixels());
}

/// Tesseract and ImageMagick, or why the OCR tests cannot run.
fn ocr_tools() -> Option<PathBuf> {
    let found = |name: &str| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    };
    // ImageMagick's own convert (a stand-in script of the same name does not draw text).
    let magick = found("magick").or_else(|| {
        let p = PathBuf::from("/usr/bin/convert");
        p.is_file().then_some(p)
    });
    match (found("tesseract"), magick) {
        (Some(_), Some(m)) => Some(m),
        _ if std::env::var_os("SCRUBS_REQUIRE_OCR").is_some_and(|v| v == "1") => {
            panic!("SCRUBS_REQUIRE_OCR=1 but tesseract or ImageMagick is not installed")
        }
        _ => {
            eprintln!("skipped: tesseract and ImageMagick are needed for the OCR tests");
            None
        }
    }
}

#[test]
fn a_screenshot_of_a_patient_list_is_an_error_even_when_the_prose_is_clean() {
    let Some(magick) = ocr_tools() else { return };
    let d = tempfile::tempdir().unwrap();
    patient_list(&magick, &d.path().join("census.png"));
    let draft = "Finally got our board looking good! ![our board](census.png)\n";
    std::fs::write(d.path().join("post.md"), draft).unwrap();
    let (code, out, err) = scrubs(
        d.path(),
        &["check", "--no-judgement", "--format", "json", "post.md"],
        &[],
    );
    assert_eq!(code, 1, "{err}");
    let found = json_findings(&out);
    let f = found
        .iter()
        .find(|f| f["rule"] == "phi/text-in-image")
        .unwrap_or_else(|| panic!("no phi/text-in-image: {found:#?}"));
    assert_eq!(f["severity"], "error");
    assert_eq!(f["excerpt"], "![our board](census.png)");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.starts_with("The text in this picture holds patient information: “"),
        "{msg}"
    );
    assert!(
        msg.contains("“Smith, John”"),
        "the patient's name is quoted: {msg}"
    );
    assert!(msg.contains("00482913"), "{msg}");
    // Without an OCR engine the check is skipped: no finding, no error.
    let (code, out, err) = scrubs(
        d.path(),
        &["check", "--no-judgement", "--format", "json", "post.md"],
        &[("SCRUBS_TESSERACT", "/nonexistent/tesseract")],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("text-in-image"), "{out}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn a_photographed_chart_and_memo_are_flagged_by_their_words() {
    let Some(magick) = ocr_tools() else { return };
    let d = tempfile::tempdir().unwrap();
    patient_record(&magick, &d.path().join("night.png"));
    memo(&magick, &d.path().join("memo.png"));
    std::fs::write(d.path().join("sunset.jpg"), jpeg()).unwrap();
    let draft = "Long night. ![my screen](night.png)\n\nWell then. ![news](memo.png)\n\n![sunset](sunset.jpg)\n";
    std::fs::write(d.path().join("post.md"), draft).unwrap();
    let (_, out, err) = scrubs(
        d.path(),
        &["check", "--no-judgement", "--format", "json", "post.md"],
        &[],
    );
    let found = json_findings(&out);
    let on = |excerpt: &str| -> Vec<String> {
        found
            .iter()
            .filter(|f| f["excerpt"] == excerpt)
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        on("![my screen](night.png)"),
        ["phi/text-in-image"],
        "{err}{found:#?}"
    );
    assert_eq!(
        on("![news](memo.png)"),
        ["confidential/text-in-image"],
        "{found:#?}"
    );
    assert!(on("![sunset](sunset.jpg)").is_empty(), "{found:#?}");
    let chart = found
        .iter()
        .find(|f| f["rule"] == "phi/text-in-image")
        .unwrap();
    let msg = chart["message"].as_str().unwrap();
    assert!(
        msg.contains("4481920") && msg.contains("02/11/1929"),
        "{msg}"
    );
    assert!(
        msg.contains("“Lucille Okafor”"),
        "the patient's name is quoted: {msg}"
    );
}

#[test]
fn the_server_publishes_picture_findings_and_strips_on_request() {
    let ocr = ocr_tools();
    let d = folder();
    if let Some(magick) = &ocr {
        patient_list(magick, &d.path().join("census.png"));
    }
    let draft = format!("{DRAFT}\nOur board: ![board](census.png)\n");
    let post = d.path().join("post.md");
    std::fs::write(&post, &draft).unwrap();
    let uri = url_of(&post);
    let mut c = Client::start();
    c.initialize(
        json!({"workspace": {"configuration": false}}),
        json!({"institution": "umn", "judgement": {"enabled": false}}),
    );
    c.open(&uri, "markdown", &draft);
    // The rules publish first; the pictures' findings follow (the text once it is recognised).
    let want_text = ocr.is_some();
    let m = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str() && {
            let d = m["params"]["diagnostics"].as_array().unwrap();
            let has = |r: &str| d.iter().any(|x| x["code"] == r);
            has("media/image-metadata") && (!want_text || has("phi/text-in-image"))
        }
    });
    let diags = m["params"]["diagnostics"].as_array().unwrap().clone();
    let meta = diags
        .iter()
        .find(|x| x["code"] == "media/image-metadata")
        .unwrap();
    assert_eq!(meta["range"]["start"]["line"], 2);
    // The hover says what is in the file and quotes the policy clause it comes from.
    let hover = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": meta["range"]["start"]}),
        )
        .to_string();
    assert!(hover.contains("44.02218, -92.46622"), "{hover}");
    assert!(hover.contains("time stamp or location data"), "{hover}");
    if want_text {
        let ocr = diags
            .iter()
            .find(|x| x["code"] == "phi/text-in-image")
            .unwrap();
        assert_eq!(ocr["severity"], 1);
        let hover = c
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": ocr["range"]["end"]}),
            )
            .to_string();
        assert!(hover.contains("00482913"), "{hover}");
    }
    // The code action on it runs the strip command.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": meta["range"], "context": {"diagnostics": [meta]}}),
    );
    let strip = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["command"]["command"] == "scrubs.stripImageMetadata")
        .unwrap_or_else(|| panic!("no strip action: {actions:#}"))
        .clone();
    assert_eq!(
        strip["title"],
        "Strip the metadata from ward.jpg (the original is kept as a .orig copy)"
    );
    // Only a picture the draft links to can be stripped.
    let id = c.request_async(
        "workspace/executeCommand",
        json!({"command": "scrubs.stripImageMetadata", "arguments": [{"uri": uri, "path": post.to_string_lossy()}]}),
    );
    let resp = c.wait_for(|m| m["id"] == id && m.get("method").is_none());
    assert!(resp.get("error").is_some(), "{resp}");
    assert_eq!(std::fs::read_to_string(&post).unwrap(), draft);
    let original = std::fs::read(d.path().join("ward.jpg")).unwrap();
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": strip["command"]["command"], "arguments": strip["command"]["arguments"]}),
    );
    assert!(r["removed"].as_u64().unwrap() > 0, "{r}");
    let stripped = std::fs::read(d.path().join("ward.jpg")).unwrap();
    assert!(scrubs::images::read_metadata(&stripped).is_empty());
    assert_eq!(decode_jpeg(&stripped), decode_jpeg(&original));
    assert_eq!(
        std::fs::read(d.path().join("ward.orig.jpg")).unwrap(),
        original
    );
    c.wait_for(|m| m["method"] == "window/showMessage");
    // Published again without the metadata finding.
    c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri.as_str()
            && !m["params"]["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["code"] == "media/image-metadata")
    });
    c.shutdown();
}

fn url_of(p: &Path) -> String {
    let p = p.canonicalize().unwrap();
    format!("file://{}", p.display())
}

#[test]
fn explain_says_once_when_no_ocr_engine_is_installed() {
    let d = tempfile::tempdir().unwrap();
    let (code, out, _) = scrubs(
        d.path(),
        &["explain", "phi/text-in-image"],
        &[("SCRUBS_TESSERACT", "")],
    );
    assert_eq!(code, 0);
    let note = "No OCR engine is installed, so this check is skipped (it is not an error).";
    assert_eq!(out.matches(note).count(), 1, "{out}");
    assert!(
        out.contains("a picture given by URL is never fetched"),
        "{out}"
    );
}
