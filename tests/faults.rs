//! Faults: a panic inside a handler is caught and reported and the server
//! keeps serving; a broken or unreadable config is reported and the defaults
//! apply; a client that vanishes ends the server.

mod common;

use std::time::Duration;

use common::Client;
use serde_json::json;

/// Text that makes the checker panic, in debug builds started with
/// `SCRUBS_FAULT_INJECTION=panic` only (see `src/lsp/mod.rs`).
const TRIGGER: &str = "SCRUBS-FAULT-INJECTION-PANIC";

#[test]
fn a_panicking_check_is_reported_and_the_server_keeps_serving() {
    let mut c = Client::start_with(&[("SCRUBS_FAULT_INJECTION", "panic")]);
    c.initialize(json!({}), json!({}));
    let bad = "file:///tmp/scrubs-faults/bad.md";
    c.open(
        bad,
        "markdown",
        &format!("As a nurse at Mayo Clinic. {TRIGGER}\n"),
    );
    let m = c.wait_for(|m| m["method"] == "window/showMessage");
    let msg = m["params"]["message"].as_str().unwrap();
    assert!(
        msg.contains("internal error") && msg.contains("keeps running"),
        "{msg}"
    );
    assert!(
        !msg.contains(TRIGGER),
        "the report quotes the document: {msg}"
    );
    assert!(c
        .wait_for(|m| m["method"] == "window/logMessage")
        .to_string()
        .contains("internal error"));

    // A request on the same document: the panic is caught there too.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": bad}, "position": {"line": 0, "character": 8}}),
    );
    assert!(h.is_null());
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": bad}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 4}}, "context": {"diagnostics": []}}),
    );
    assert!(actions.is_null(), "{actions}");

    // Other documents are still checked, and the broken one recovers once
    // the trigger is gone.
    let good = "file:///tmp/scrubs-faults/good.md";
    c.open(
        good,
        "markdown",
        "As a nurse at Mayo Clinic, I love nights.\n",
    );
    assert!(c
        .diagnostics(good, 1)
        .iter()
        .any(|d| d["code"] == "disclaimer/missing"));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": bad, "version": 2}, "contentChanges": [{"text": "As a nurse at Mayo Clinic.\n"}]}),
    );
    assert!(c
        .diagnostics(bad, 2)
        .iter()
        .any(|d| d["code"] == "disclaimer/missing"));
    assert!(c.shutdown().success());
}

#[test]
fn without_the_switch_the_trigger_is_plain_text() {
    let mut c = Client::start();
    c.initialize(json!({}), json!({}));
    let uri = "file:///tmp/scrubs-faults/plain.md";
    c.open(
        uri,
        "markdown",
        &format!("As a nurse at Mayo Clinic. {TRIGGER}\n"),
    );
    assert!(c
        .diagnostics(uri, 1)
        .iter()
        .any(|d| d["code"] == "disclaimer/missing"));
    assert!(c.shutdown().success());
}

fn open_in_workspace(config: &[u8]) -> (Client, tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("scrubs.toml"), config).unwrap();
    let root = url_of(dir.path());
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": root, "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    (c, dir, root)
}

fn url_of(p: &std::path::Path) -> String {
    format!("file://{}", p.display())
}

#[test]
fn an_invalid_config_is_reported_and_the_defaults_apply() {
    let (mut c, dir, _) = open_in_workspace(b"institution = [\"mayo\"\nrules = 7\n");
    let m = c.wait_for(|m| m["method"] == "window/showMessage");
    let msg = m["params"]["message"].as_str().unwrap();
    assert!(msg.contains("scrubs.toml"), "names the file: {msg}");
    let uri = url_of(&dir.path().join("draft.md"));
    c.open(
        &uri,
        "markdown",
        "As a nurse at Mayo Clinic, I love nights.\n",
    );
    assert!(c
        .diagnostics(&uri, 1)
        .iter()
        .any(|d| d["code"] == "disclaimer/missing"));
    assert!(c.shutdown().success());
}

#[test]
fn an_unreadable_config_is_reported_and_the_defaults_apply() {
    // Not UTF-8: cannot be read as text (permissions do not stop root).
    let (mut c, dir, _) = open_in_workspace(&[0xff, 0xfe, b'x', 0x80, b'\n']);
    let m = c.wait_for(|m| m["method"] == "window/showMessage");
    let msg = m["params"]["message"].as_str().unwrap();
    assert!(
        msg.contains("scrubs.toml") && msg.contains("defaults"),
        "{msg}"
    );
    let uri = url_of(&dir.path().join("draft.md"));
    c.open(
        &uri,
        "markdown",
        "As a nurse at Mayo Clinic, I love nights.\n",
    );
    assert!(c
        .diagnostics(&uri, 1)
        .iter()
        .any(|d| d["code"] == "disclaimer/missing"));
    assert!(c.shutdown().success());
}

#[test]
fn the_server_ends_when_the_client_vanishes() {
    let mut c = Client::start();
    c.initialize(json!({}), json!({}));
    let uri = "file:///tmp/scrubs-faults/v.md";
    c.open(uri, "markdown", "As a nurse at Mayo Clinic.\n");
    c.diagnostics(uri, 1);
    // No shutdown, no exit: stdin just closes.
    let status = c
        .vanish(Duration::from_secs(10))
        .expect("the server exits when its input closes");
    assert!(status.code().is_some(), "ended by a signal: {status:?}");
}
