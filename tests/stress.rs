//! The language server under stress, through its real transport: thousands
//! of random incremental edits (multi-byte text, out-of-range and reversed
//! ranges), malformed JSON, unknown methods, requests for documents never
//! opened, changes to closed documents, cancellation, a burst with no pause;
//! afterwards it still answers and its diagnostics equal `scrubs check` on
//! the reference text. Also huge documents: checked up to the documented
//! limit, with a diagnostic saying the rest was not checked, while other
//! requests are still answered.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{bin, Client};
use scrubs::position::{Encoding, LineIndex, Pos};
use serde_json::{json, Value};

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const PIECES: &[&str] = &[
    "",
    "a",
    "word ",
    "é",
    "e\u{301}",
    "😀",
    "👩🏽‍⚕️",
    "カタカナ",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "# ",
    "> ",
    "- ",
    "*",
    "As a nurse at Mayo Clinic, ",
    "I work at MSK. ",
    "jane.doe@mayo.edu ",
    "Views my own.",
    "patient ",
];

/// Applies a change to the reference the way the server promises to:
/// positions clamped (`LineIndex::offset`), reversed ranges ordered.
fn reference_apply(text: &mut String, range: &Value, new: &str) {
    let idx = LineIndex::new(text);
    let p = |v: &Value| {
        idx.offset(
            text,
            Pos {
                line: v["line"].as_u64().unwrap() as u32,
                character: v["character"].as_u64().unwrap() as u32,
            },
            Encoding::Utf16,
        )
    };
    let (a, b) = (p(&range["start"]), p(&range["end"]));
    text.replace_range(a.min(b)..a.max(b), new);
}

/// A random range: mostly inside the text, sometimes past its end, sometimes reversed.
fn random_range(rng: &mut Rng, text: &str) -> Value {
    let lines = text.split('\n').count() as u64;
    let pos = |rng: &mut Rng| {
        let out_of_range = rng.below(20) == 0;
        let line = if out_of_range {
            lines + rng.below(5)
        } else {
            rng.below(lines)
        };
        let character = if rng.below(10) == 0 {
            1000 + rng.below(100)
        } else {
            rng.below(40)
        };
        json!({"line": line, "character": character})
    };
    let a = pos(rng);
    // Mostly short spans (so the text does not collapse), sometimes any
    // range at all, reversed or past the end.
    let b = if rng.below(10) == 0 {
        pos(rng)
    } else {
        json!({"line": a["line"], "character": a["character"].as_u64().unwrap() + rng.below(4)})
    };
    if rng.below(2) == 0 {
        json!({"start": a, "end": b})
    } else {
        json!({"start": b, "end": a})
    }
}

/// `scrubs check --format json` on `text`: (rule, range) of each diagnostic.
fn cli_diagnostics(text: &str) -> BTreeSet<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin())
        .args([
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "draft.md",
            "-",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "scrubs check failed: {out:?}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["range"].to_string(),
            )
        })
        .collect()
}

fn lsp_diagnostics(diags: &[Value]) -> BTreeSet<(String, String)> {
    diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"].to_string(),
            )
        })
        .collect()
}

/// The diagnostics of version 1 of `uri`, waiting as long as a debug build
/// on a loaded machine may need for a document at the limit.
fn published(c: &mut Client, uri: &str) -> Vec<Value> {
    let m = c
        .wait_for_timeout(
            |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && m["params"]["version"] == 1
            },
            Duration::from_secs(300),
        )
        .expect("diagnostics published");
    m["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn hover(c: &mut Client, uri: &str) -> Value {
    c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 3}}),
    )
}

#[test]
fn ten_thousand_random_edits_and_hostile_messages() {
    let mut c = Client::start();
    c.initialize(json!({}), json!({}));
    let uri = "file:///tmp/scrubs-stress/draft.md";
    let closed = "file:///tmp/scrubs-stress/closed.md";
    let never = "file:///tmp/scrubs-stress/never-opened.md";
    let mut reference = String::from(
        "# Night shift 🌙\r\n\r\nAs a nurse at Mayo Clinic, I see sunrises. カタカナ\n",
    );
    c.open(uri, "markdown", &reference);
    c.diagnostics(uri, 1);
    c.open(closed, "markdown", "To be closed.\n");
    c.diagnostics(closed, 1);
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": closed}}),
    );

    let mut rng = Rng(0x5c2u64 << 20 | 0x9e37);
    let total = 10_000;
    let burst_from = total - 1_000;
    let mut cancelled = Vec::new();
    for i in 0..total {
        let version = i as i64 + 2;
        // Keep the text from growing without bound: delete more when long.
        let piece = if reference.len() > 4_000 && rng.below(2) == 0 {
            ""
        } else {
            PIECES[rng.below(PIECES.len() as u64) as usize]
        };
        let mut range = random_range(&mut rng, &reference);
        let piece = if i == total - 1 {
            // The last edit appends (a position past the end) something to find.
            range = json!({"start": {"line": 9999, "character": 0}, "end": {"line": 9999, "character": 5}});
            "\nAs a nurse at Mayo Clinic 🌙, write to jane.doe@mayo.edu.\n"
        } else {
            piece
        };
        reference_apply(&mut reference, &range, piece);
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": range, "text": piece}]}),
        );
        if i >= burst_from || i % 500 != 250 {
            continue;
        }
        // Hostile traffic between the edits (none during the final burst).
        c.send_raw("{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didChange\", \"params\": {");
        c.send_raw("not json at all \u{feff}😀");
        let unknown = c.request_async("scrubs/noSuchMethod", json!({"x": 1}));
        c.notify("scrubs/noSuchNotification", json!({}));
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": closed, "version": 99},
                   "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 2}}, "text": "x"}]}),
        );
        assert!(
            hover(&mut c, never).is_null(),
            "hover on a document never opened"
        );
        let actions = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": never}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
        );
        assert!(actions.is_null(), "{actions}");
        let pending = c.request_async(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}}),
        );
        c.notify("$/cancelRequest", json!({"id": pending}));
        cancelled.push(pending);
        let r = c.wait_for(|m| m["id"] == unknown);
        assert_eq!(r["error"]["code"], -32601, "unknown method: {r}");
    }
    // Every cancelled request was answered (a result or RequestCancelled).
    for id in cancelled {
        let r = c.wait_for(|m| m["id"] == id && m.get("method").is_none());
        assert!(
            r.get("result").is_some() || r["error"]["code"] == -32800,
            "{r}"
        );
    }
    // Still answering, and the closed document stayed closed.
    assert!(hover(&mut c, closed).is_null());
    let last = total as i64 + 1;
    // Two publishes per version: the rules' at once, then the same with the sentence model's
    // findings (what `scrubs check` reports). The second is compared.
    let last_publish = |c: &mut common::Client| {
        c.wait_for_timeout(
            |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && m["params"]["version"] == last
            },
            Duration::from_secs(300),
        )
        .expect("diagnostics for the last version")
    };
    last_publish(&mut c);
    let m = last_publish(&mut c);
    let published = lsp_diagnostics(m["params"]["diagnostics"].as_array().unwrap());
    assert!(
        !published.is_empty(),
        "the final text has findings to compare: {reference:?}"
    );
    assert_eq!(
        published,
        cli_diagnostics(&reference),
        "text: {reference:?}"
    );
    // The server's text is the reference: a full-text round trip changes nothing.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": last + 1}, "contentChanges": [{"text": reference}]}),
    );
    assert_eq!(lsp_diagnostics(&c.diagnostics(uri, last + 1)), published);
    assert!(c.shutdown().success());
}

/// A document far over the limit and a single line over it: checked up to the
/// limit, the rest flagged as not checked, and other requests answered while
/// the huge document is being checked.
#[test]
fn huge_documents_are_checked_up_to_the_limit() {
    let limit = scrubs::engine::MAX_CHECKED_BYTES;
    let mut c = Client::start();
    c.initialize(json!({}), json!({}));
    let small = "file:///tmp/scrubs-huge/small.md";
    c.open(
        small,
        "markdown",
        "As a nurse at Mayo Clinic, I love nights.\n",
    );
    let small_diags = c.diagnostics(small, 1);
    assert!(small_diags
        .iter()
        .any(|d| d["code"] == "disclaimer/missing"));

    // 20 MB of lines; an affiliation near the start is checked, an e-mail
    // past the limit is not.
    let line = "Night shift again, the ward is quiet and the coffee is cold. ✓\n";
    let mut huge = String::from("As a nurse at Mayo Clinic, I write this.\n");
    while huge.len() < 20 * 1024 * 1024 {
        huge.push_str(line);
    }
    huge.push_str("Mail me at jane.doe@mayo.edu\n");
    let big = "file:///tmp/scrubs-huge/big.md";
    c.open(big, "markdown", &huge);
    // Asked right after the huge document: answered while it is checked.
    let h = c.request_async(
        "textDocument/hover",
        json!({"textDocument": {"uri": small}, "position": {"line": 0, "character": 8}}),
    );
    let reply = c
        .wait_for_timeout(|m| m["id"] == h, Duration::from_secs(120))
        .expect("hover answered");
    assert!(
        reply["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("disclaimer")),
        "{reply}"
    );
    assert!(
        !c.backlog.iter().any(|m| m["params"]["uri"] == big),
        "the hover waited for the huge document's check"
    );
    let diags = published(&mut c, big);
    assert!(
        diags.iter().any(|d| d["code"] == "disclaimer/missing"),
        "the checked part is checked"
    );
    assert!(
        !diags
            .iter()
            .any(|d| d["code"] == "work-email/institutional-address"),
        "past the limit"
    );
    let cut = diags
        .iter()
        .find(|d| d["code"] == "scrubs/not-checked")
        .expect("a not-checked diagnostic");
    // It starts at the first line past the limit and runs to the end.
    let checked = scrubs::engine::checked_len(&huge);
    assert!(checked <= limit && checked > limit / 2);
    let idx = LineIndex::new(&huge);
    let start = idx.position(&huge, checked, Encoding::Utf16);
    let end = idx.position(&huge, huge.len(), Encoding::Utf16);
    assert_eq!(
        cut["range"]["start"],
        json!({"line": start.line, "character": start.character})
    );
    assert_eq!(
        cut["range"]["end"],
        json!({"line": end.line, "character": end.character})
    );
    assert!(cut["message"].as_str().unwrap().contains("not checked"));
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": big}}),
    );

    // One line longer than the limit: cut at a character boundary, still
    // answered.
    let mut one_line = String::from("As a nurse at Mayo Clinic ");
    while one_line.len() < limit + limit / 4 {
        one_line.push_str("é😀 word ");
    }
    let long = "file:///tmp/scrubs-huge/line.txt";
    c.open(long, "plaintext", &one_line);
    let diags = published(&mut c, long);
    let cut = diags
        .iter()
        .find(|d| d["code"] == "scrubs/not-checked")
        .expect("a not-checked diagnostic");
    assert_eq!(cut["range"]["start"]["line"], 0);
    assert!(diags.iter().any(|d| d["code"] == "disclaimer/missing"));
    assert!(hover(&mut c, small)["contents"]["value"].is_string());
    assert!(c.shutdown().success());
}

/// The CLI says so too, on standard error, and checks the first part.
#[test]
fn the_cli_says_when_the_rest_was_not_checked() {
    let mut text = String::from("As a nurse at Mayo Clinic, I write this.\n");
    while text.len() < 3 * 1024 * 1024 {
        text.push_str("Another quiet night on the ward.\n");
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin())
        .args([
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "big.md",
            "-",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let t = text.clone();
    let writer = std::thread::spawn(move || stdin.write_all(t.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the rest was not checked"), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["rule"] == "disclaimer/missing"));
}
