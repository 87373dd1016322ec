//! The language server end to end, through the real JSON-RPC transport:
//! open → diagnostics → hover → code action → apply the edit → gone.

mod common;

use common::{apply_edits, utf16_len, Client};
use serde_json::json;

const DRAFT: &str = "# Night shift 🌙\n\n😀 As a nurse at Mayo Clinic, I see a lot of sunrises.\n\nWrite to me at jane.doe@mayo.edu.\n";

#[test]
fn open_hover_fix_and_the_finding_is_gone() {
    let mut c = Client::start();
    let init = c.initialize(json!({}), json!({}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2);
    let uri = "file:///tmp/scrubs-test/night.md";
    c.open(uri, "markdown", DRAFT);
    let diags = c.diagnostics(uri, 1);
    let d = diags
        .iter()
        .find(|d| d["code"] == "disclaimer/missing")
        .expect("disclaimer/missing published");
    assert_eq!(d["source"], "scrubs");
    // Line 2: "😀 As a nurse…": the emoji is 2 UTF-16 units, then a space.
    assert_eq!(d["range"]["start"], json!({"line": 2, "character": 3}));
    assert_eq!(
        d["range"]["end"],
        json!({"line": 2, "character": 3 + utf16_len("As a nurse at Mayo Clinic")})
    );
    assert!(diags
        .iter()
        .any(|d| d["code"] == "work-email/institutional-address"));

    // Hover quotes Mayo guideline 2 word for word.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 8}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    let mayo = scrubs::packs::builtin_pack("mayo").unwrap();
    let quote = &mayo.guideline("mayo-2").unwrap().quote;
    assert!(
        value.contains(quote.as_str()),
        "hover lacks the Mayo 2 quote: {value}"
    );
    assert!(value.contains("Guideline 2"), "{value}");

    // Code action, without `data` in the context: computed on the server.
    let mut bare = d.clone();
    bare.as_object_mut().unwrap().remove("data");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [bare]}}),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("disclaimer") && a["kind"] == "quickfix")
        .expect("a disclaimer quick-fix");
    assert_eq!(fix["isPreferred"], true);
    let edits = fix["edit"]["changes"][uri].as_array().unwrap();
    let fixed = apply_edits(DRAFT, edits);
    assert_eq!(
        fixed,
        format!("{}\n\n*The views expressed on this blog are my own and do not reflect the views of my employer.*\n", DRAFT.trim_end())
    );

    // Apply it as the editor would: a full-text change at version 2.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let diags = c.diagnostics(uri, 2);
    assert!(
        !diags.iter().any(|d| d["code"] == "disclaimer/missing"),
        "{diags:?}"
    );
    assert!(diags
        .iter()
        .any(|d| d["code"] == "work-email/institutional-address"));

    // Closing clears the diagnostics.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let m = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["diagnostics"] == json!([])
    });
    assert!(m["params"]["diagnostics"].as_array().unwrap().is_empty());
    assert!(c.shutdown().success());
}

#[test]
fn incremental_edits_with_multibyte_text_match_a_reference() {
    let mut c = Client::start();
    c.initialize(json!({}), json!({}));
    let uri = "file:///tmp/scrubs-test/inc.md";
    let mut reference = String::from("é 😀 カタ\r\nline two\r\n");
    c.open(uri, "markdown", &reference);
    c.diagnostics(uri, 1);
    // (start line, start char, end line, end char, text) in UTF-16.
    let edits = [
        (0, 0, 0, 1, "e"),                         // é → e
        (0, 2, 0, 4, "🙂"),                        // 😀 → 🙂
        (1, 0, 1, 4, "LINE"),                      // line → LINE
        (0, 5, 0, 7, "As a nurse at Mayo Clinic"), // カタ → the phrase
        (2, 0, 2, 0, "tail ✓"),                    // append on the last (empty) line
    ];
    for (i, (l1, c1, l2, c2, t)) in edits.iter().enumerate() {
        let version = i as i64 + 2;
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}, "text": t}]}),
        );
        reference = apply_edits(
            &reference,
            &[
                json!({"range": {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}, "newText": t}),
            ],
        );
    }
    assert_eq!(
        reference,
        "e 🙂 As a nurse at Mayo Clinic\r\nLINE two\r\ntail ✓"
    );
    let diags = c.diagnostics(uri, edits.len() as i64 + 1);
    let d = diags
        .iter()
        .find(|d| d["code"] == "disclaimer/missing")
        .expect("finding after edits");
    // "e 🙂 " is 5 UTF-16 units.
    assert_eq!(d["range"]["start"], json!({"line": 0, "character": 5}));
    assert!(c.shutdown().success());
}

#[test]
fn utf8_position_encoding_is_negotiated() {
    let mut c = Client::start();
    let init = c.initialize(
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
        json!({}),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let uri = "file:///tmp/scrubs-test/u8.md";
    c.open(uri, "markdown", "😀 As a nurse at Mayo Clinic.\n");
    let diags = c.diagnostics(uri, 1);
    let d = diags
        .iter()
        .find(|d| d["code"] == "disclaimer/missing")
        .unwrap();
    assert_eq!(d["range"]["start"], json!({"line": 0, "character": 5}));
    assert!(c.shutdown().success());
}

#[test]
fn settings_from_initialization_options_and_a_bad_config_message() {
    let mut c = Client::start();
    c.initialize(json!({}), json!({"rules": {"work-email": "off"}}));
    let uri = "file:///tmp/scrubs-test/s.md";
    c.open(uri, "markdown", "Write to me at jane.doe@mayo.edu.\n");
    let diags = c.diagnostics(uri, 1);
    assert!(diags.is_empty(), "{diags:?}");
    // A bad setting is reported and the previous settings keep working.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"scrubs": {"institution": "nowhere"}}}),
    );
    let m = c.wait_for(|m| m["method"] == "window/showMessage");
    assert!(
        m["params"]["message"].as_str().unwrap().contains("nowhere"),
        "{m}"
    );
    // The bad setting did not replace the working ones: still off.
    let uri2 = "file:///tmp/scrubs-test/s2.md";
    c.open(uri2, "markdown", "Or to jane.doe@mayo.edu.\n");
    assert_eq!(c.diagnostics(uri2, 1), Vec::<serde_json::Value>::new());
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"scrubs": {"rules": {"work-email": "error"}}}}),
    );
    let d = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
    });
    let email = d["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "work-email/institutional-address")
        .expect("the work address's diagnostic");
    assert_eq!(email["severity"], 1);
    assert!(c.shutdown().success());
}

#[test]
fn out_of_range_edits_and_unknown_documents_do_not_crash() {
    let mut c = Client::start();
    c.initialize(json!({}), json!({}));
    let uri = "file:///tmp/scrubs-test/o.md";
    c.open(uri, "markdown", "short\n");
    c.diagnostics(uri, 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 99, "character": 99}, "end": {"line": 0, "character": 2}}, "text": "X"}]}),
    );
    c.diagnostics(uri, 2);
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///never/opened.md"}, "position": {"line": 0, "character": 0}}),
    );
    assert!(h.is_null());
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 4000, "character": 4000}}),
    );
    assert!(h.is_null());
    assert!(c.shutdown().success());
}

#[test]
fn workspace_config_file_is_read_and_reloaded_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("scrubs.toml"),
        "[rules]\n\"work-email\" = \"off\"\n",
    )
    .unwrap();
    let root_uri = format!("file://{}", root.display());
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": root_uri, "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}}),
    );
    c.notify("initialized", json!({}));
    let reg = c.wait_for(|m| m["method"] == "client/registerCapability");
    assert_eq!(
        reg["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    let uri = format!("{root_uri}/post.md");
    c.open(&uri, "markdown", "Mail x@mayo.edu\n");
    assert_eq!(c.diagnostics(&uri, 1), Vec::<serde_json::Value>::new());
    // Break the file: reported, and the defaults apply.
    std::fs::write(
        root.join("scrubs.toml"),
        "[rules]\n\"work-email\" = \"loud\"\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": format!("{root_uri}/scrubs.toml"), "type": 2}]}),
    );
    let m = c.wait_for(|m| m["method"] == "window/showMessage");
    let msg = m["params"]["message"].as_str().unwrap();
    assert!(
        msg.contains("scrubs.toml:2:") && msg.contains("loud"),
        "{msg}"
    );
    let d = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
    });
    // The defaults: the work address, and the disclaimer it makes due.
    let codes: Vec<&str> = d["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"work-email/institutional-address")
            && codes.contains(&"disclaimer/missing"),
        "{codes:?}"
    );
    assert!(c.shutdown().success());
}

/// Actions for the finding at `d`, by title.
fn actions_for(c: &mut Client, uri: &str, d: &serde_json::Value) -> Vec<serde_json::Value> {
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    r.as_array().cloned().unwrap_or_default()
}

#[test]
fn ignore_here_turn_off_in_config_and_fix_all_through_the_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let root = serde_json::Value::String(url_of(dir.path()));
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": root, "capabilities": {"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]}}}}),
    );
    c.notify("initialized", json!({}));
    let uri = format!("{}/night.md", url_of(dir.path()));
    let uri = uri.as_str();
    c.open(uri, "markdown", DRAFT);
    let diags = c.diagnostics(uri, 1);
    let email = diags
        .iter()
        .find(|d| d["code"] == "work-email/institutional-address")
        .unwrap()
        .clone();

    // Ignore it here: a comment at the end of the line before, the finding gone.
    let actions = actions_for(&mut c, uri, &email);
    let ignore = actions
        .iter()
        .find(|a| a["title"] == "Ignore work-email/institutional-address here")
        .expect("an ignore action");
    let edits = ignore["edit"]["changes"][uri].as_array().unwrap();
    let ignored = apply_edits(DRAFT, edits);
    assert_eq!(
        ignored,
        DRAFT.replace(
            "Write to me",
            "<!-- scrubs-disable-next-line work-email/institutional-address -->\nWrite to me"
        )
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": ignored}]}),
    );
    let diags = c.diagnostics(uri, 2);
    assert!(
        !diags
            .iter()
            .any(|d| d["code"] == "work-email/institutional-address"),
        "{diags:?}"
    );
    assert!(
        !diags.iter().any(|d| d["code"] == "suppression/unused"),
        "{diags:?}"
    );

    // Turn off in scrubs.toml: the file does not exist, the client can create it.
    let d = diags
        .iter()
        .find(|d| d["code"] == "disclaimer/missing")
        .unwrap()
        .clone();
    let actions = actions_for(&mut c, uri, &d);
    let off = actions
        .iter()
        .find(|a| a["title"] == "Turn off disclaimer/missing in scrubs.toml")
        .expect("a turn-off action");
    let ops = off["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(ops[0]["kind"], "create");
    assert!(ops[0]["uri"].as_str().unwrap().ends_with("/scrubs.toml"));
    assert_eq!(
        ops[1]["edits"][0]["newText"],
        "[rules]\n\"disclaimer/missing\" = \"off\"\n"
    );

    // Fix all: the safe fixes (the disclaimer) only, in one edit.
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": [], "only": ["source.fixAll.scrubs"]}}),
    );
    let all = r.as_array().unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["kind"], "source.fixAll.scrubs");
    let fixed = apply_edits(&ignored, all[0]["edit"]["changes"][uri].as_array().unwrap());
    assert_eq!(
        fixed,
        format!("{}\n\n*The views expressed on this blog are my own and do not reflect the views of my employer.*\n", ignored.trim_end())
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": fixed}]}),
    );
    let diags = c.diagnostics(uri, 3);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(c.shutdown().success());
}

/// A hover and a code action sent right after a change, while the long
/// document is being checked again, are answered from the last findings
/// carried over the edit: the e-mail one line further down (a line was
/// inserted above it), its fix an edit of the new text.
#[test]
fn hover_and_code_actions_during_a_check_use_the_last_findings_moved_by_the_edit() {
    let mut c = Client::start();
    c.initialize(json!({}), json!({}));
    let uri = "file:///tmp/scrubs-test/long.md";
    let mut text = String::from(
        "As a nurse at Mayo Clinic, I write this.\n\nWrite to me at jane.doe@mayo.edu.\n\n",
    );
    while text.len() < 200_000 {
        text.push_str("Night shift again, the ward is quiet and the coffee is cold.\n\n");
    }
    c.open(uri, "markdown", &text);
    let diags = c.diagnostics(uri, 1);
    let email = diags
        .iter()
        .find(|d| d["code"] == "work-email/institutional-address")
        .expect("the e-mail is flagged")
        .clone();
    assert_eq!(email["range"]["start"]["line"], 2);
    let (start, end) = (&email["range"]["start"], &email["range"]["end"]);
    let moved = |p: &serde_json::Value| json!({"line": 3, "character": p["character"]});
    let moved_range = json!({"start": moved(start), "end": moved(end)});

    // A line inserted at the top, then at once a hover and a code action on
    // the e-mail where it now is.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "Hello.\n"}]}),
    );
    let new_text = format!("Hello.\n{text}");
    let hover = c.request_async(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": moved(start)}),
    );
    let actions = c.request_async(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": moved_range, "context": {"diagnostics": []}}),
    );
    let hover = c.wait_for(|m| m["id"] == hover)["result"].clone();
    let actions = c.wait_for(|m| m["id"] == actions)["result"].clone();
    assert!(
        !c.backlog.iter().any(|m| m["params"]["version"] == 2),
        "the requests waited for the check of version 2"
    );
    assert_eq!(hover["range"], moved_range, "{hover}");
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("work-email/institutional-address"),
        "{value}"
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["kind"] == "quickfix" && a["title"] != "Ignore work-email/institutional-address here"
        })
        .expect("a quick fix for the e-mail");
    let fixed = apply_edits(&new_text, fix["edit"]["changes"][uri].as_array().unwrap());
    assert!(!fixed.contains("jane.doe@mayo.edu"), "{}", &fixed[..120]);
    assert!(fixed.starts_with("Hello.\nAs a nurse at Mayo Clinic"));
    let ignore = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Ignore work-email/institutional-address here")
        .expect("an ignore action");
    let ignored = apply_edits(
        &new_text,
        ignore["edit"]["changes"][uri].as_array().unwrap(),
    );
    assert!(ignored.starts_with(
        "Hello.\nAs a nurse at Mayo Clinic, I write this.\n\n<!-- scrubs-disable-next-line work-email/institutional-address -->\nWrite to me"
    ), "{}", &ignored[..200]);

    // The publish for version 2 agrees.
    let diags = c.diagnostics(uri, 2);
    let email = diags
        .iter()
        .find(|d| d["code"] == "work-email/institutional-address")
        .unwrap();
    assert_eq!(email["range"], moved_range);
    assert!(c.shutdown().success());
}

fn url_of(p: &std::path::Path) -> String {
    let p = p.canonicalize().unwrap();
    format!("file://{}", p.display())
}

/// When the writer of a long draft pauses, the server gives back the rules'
/// compiled patterns (and their memory); the next edit is checked as well as
/// ever: the new sentence is flagged, and every earlier finding is still
/// there, moved down by the inserted line.
#[test]
fn an_edit_after_the_server_gave_memory_back_is_checked_in_full() {
    let mut c = Client::start();
    c.initialize(json!({}), json!({}));
    let uri = "file:///tmp/scrubs-test/long-pause.md";
    let mut text = String::from(
        "As a nurse at Mayo Clinic, I write this.\n\nWrite to me at jane.doe@mayo.edu.\n\nMrs. Okafor in room 512 is 97 and does the crossword in pen.\n\n",
    );
    while text.len() < 300_000 {
        text.push_str("Night shift again, the ward is quiet and the coffee is cold.\n\n");
    }
    c.open(uri, "markdown", &text);
    let before = c.diagnostics(uri, 1);
    let codes = |ds: &[serde_json::Value]| {
        let mut v: Vec<String> = ds
            .iter()
            .map(|d| d["code"].as_str().unwrap_or("").to_string())
            .collect();
        v.sort();
        v
    };
    assert!(
        codes(&before).iter().any(|c| c == "phi/name"),
        "{:?}",
        codes(&before)
    );
    assert!(!codes(&before)
        .iter()
        .any(|c| c == "on-behalf/speaking-for-institution"));

    // Longer than the server waits before it gives memory back.
    std::thread::sleep(std::time::Duration::from_millis(2600));
    // The draft as it stood before the edit: its last publish (the model's findings, judged
    // while the writer paused, come in a publish after the rules').
    let mut before = before;
    while let Some(m) = c.wait_for_timeout(
        |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == 1
        },
        std::time::Duration::ZERO,
    ) {
        before = m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
    }
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                                   "text": "Here at Mayo Clinic we have the best nurses in the country.\n\n"}]}),
    );
    let after = c.diagnostics(uri, 2);
    let mut expected = codes(&before);
    expected.push("on-behalf/speaking-for-institution".to_string());
    expected.sort();
    assert_eq!(codes(&after), expected);
    for d in &before {
        let moved = after.iter().any(|a| {
            a["code"] == d["code"]
                && a["range"]["start"]["line"].as_i64()
                    == d["range"]["start"]["line"].as_i64().map(|l| l + 2)
                && a["range"]["start"]["character"] == d["range"]["start"]["character"]
        });
        assert!(moved, "{d} is still found, two lines down");
    }
    assert!(c.shutdown().success());
}

/// Two publishes per version: the rules' findings at once, then the same with the sentence
/// model's. The model's finding has a hover that says what the sentence was judged to be; an edit
/// elsewhere keeps it published (carried over) in the rules' publish of the next version; turning
/// the judgement off in the settings takes it away.
#[test]
fn the_models_findings_come_in_a_second_publish_and_stay_through_edits() {
    const HOSTILE: &str =
        "Honestly the next drunk who swings at me can bleed out in the waiting room for all I care.";
    let text = format!("Night shift notes.\n\n{HOSTILE}\n\nWrite to me at jane.doe@mayo.edu.\n");
    let mut c = Client::start();
    c.initialize(json!({}), json!({}));
    let uri = "file:///tmp/scrubs-test/judged.md";
    c.open(uri, "markdown", &text);
    let judged = |d: &serde_json::Value| {
        d["code"] == "professionalism/unprofessional-language"
            && d["message"]
                .as_str()
                .is_some_and(|m| m.contains("Judged to be"))
    };
    let first = c.diagnostics(uri, 1);
    assert!(first
        .iter()
        .any(|d| d["code"] == "work-email/institutional-address"));
    assert!(!first.iter().any(judged), "{first:?}");
    let second = c.diagnostics(uri, 1);
    let d = second
        .iter()
        .find(|d| judged(d))
        .expect("the model's finding");
    assert_eq!(d["range"]["start"], json!({"line": 2, "character": 0}));
    assert_eq!(
        d["range"]["end"],
        json!({"line": 2, "character": common::utf16_len(HOSTILE)})
    );
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 10}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("Judged by scrubs's sentence model")
            && value.contains("hostile or violent toward patients or others (confidence"),
        "{value}"
    );

    // Typing in the first line: the rules' publish of version 2 still shows the model's finding.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "My "}
        ]}),
    );
    let carried = c.diagnostics(uri, 2);
    assert!(carried.iter().any(judged), "{carried:?}");
    let again = c.diagnostics(uri, 2);
    assert!(again.iter().any(judged), "{again:?}");

    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"scrubs": {"judgement": {"enabled": false}}}}),
    );
    let off = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|a| !a.is_empty() && !a.iter().any(judged))
    });
    assert!(off["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "work-email/institutional-address"));
    assert!(c.shutdown().success());
}

/// A settings change re-checks an open draft at the same version: the hover and the code
/// actions see the new findings too, not only the published diagnostics.
#[test]
fn hover_follows_a_settings_change_at_the_same_version() {
    let mut c = Client::start();
    c.initialize(
        json!({"workspace": {"configuration": false}}),
        json!({"judgement": {"enabled": false}}),
    );
    let uri = "file:///tmp/scrubs-settings-hover.md";
    c.open(
        uri,
        "markdown",
        "As a nurse at Mayo Clinic, I love nights.\n",
    );
    let first = c.diagnostics(uri, 1);
    assert!(
        first.iter().any(|d| d["message"]
            .as_str()
            .unwrap()
            .contains("inferred from the text")),
        "{first:#?}"
    );
    let hover = |c: &mut Client| {
        c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 8}}),
        )
        .to_string()
    };
    assert!(hover(&mut c).contains("inferred from the text"));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"scrubs": {"institution": "mayo", "judgement": {"enabled": false}}}}),
    );
    c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["version"] == 1
            && !m["params"]["diagnostics"].to_string().contains("inferred")
            && m["params"]["diagnostics"]
                .to_string()
                .contains("disclaimer/missing")
    });
    let h = hover(&mut c);
    assert!(h.contains("disclaimer/missing"), "{h}");
    assert!(!h.contains("inferred from the text"), "{h}");
}
