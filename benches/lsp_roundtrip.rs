//! LSP round-trip benchmark: starts a language server as an editor would
//! (stdio), opens generated Markdown drafts, types 200 single characters into
//! each, and reports the latency from each `didChange` to the matching
//! `textDocument/publishDiagnostics`, the latency of a request sent while a
//! check runs (a hover, or a code action for a server without hovers), the
//! time from start to the `initialize` result, and the server's memory
//! (VmRSS after the edits, once the server has been idle for `IDLE`, and the
//! peak VmHWM, from /proc), then the latency of five edits each sent after
//! such a pause (a server
//! that gives memory back when idle pays for it on the next keystroke).
//!
//! ```text
//! cargo bench --bench lsp_roundtrip                       # scrubs lsp (this build)
//! cargo bench --bench lsp_roundtrip -- -- harper-ls --stdio
//! cargo bench --bench lsp_roundtrip -- --sizes 10KB,100KB --edits 200 -- CMD ARGS...
//! cargo bench --bench lsp_roundtrip -- --pause-ms 20   # requests 20 ms after the last publish
//! cargo bench --bench lsp_roundtrip -- --full-sync      # whole text per keystroke, to any server
//! cargo bench --bench lsp_roundtrip -- --configuration '{"harper-ls": {"maxFileLength": 2000000}}' -- harper-ls --stdio
//! cargo bench --bench lsp_roundtrip -- --write-posts /tmp/posts 1000   # for `scrubs check`
//! cargo bench --bench lsp_roundtrip -- --write-draft /tmp/100k.md 100000  # one draft, for profiling
//! cargo bench --bench lsp_roundtrip -- --publishes 2 --sizes 10KB  # to scrubs's second, judged publish
//! ```
//!
//! `--long-idle-secs 65` also reads the memory 65 s after the last edit.
//! `--edit-judged` first puts one of the sentence model's documented examples (`scrubs explain`)
//! before the paragraph the edits go to, so that the model keeps that paragraph open: a keystroke
//! there has the model judge the paragraph, then its sentences and windows.
//! `--publishes N` times each change (and the open) to the Nth publish of its version: scrubs
//! publishes the rules' findings at once and the sentence model's with them in a second publish.
//!
//! How the edits are sent: one character at a time at the end of a prose
//! line in the middle of the document, the next one only after the server
//! answered the previous one (closed loop: each latency is one keystroke's,
//! not a queue's). Servers that sync incrementally get a one-character
//! range edit; servers that only accept full syncs (`textDocumentSync: 1`)
//! get the whole text, as an editor would send them. A publish matches a
//! change by its `version` when the server sends one, otherwise it is the
//! next publish for the document after the change. A server that publishes
//! nothing within 10 s of a change is counted as a timeout.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(10);
/// How long the writer pauses before the memory reading and before each of
/// the [`PAUSED_EDITS`]: longer than scrubs waits before it gives memory back
/// (2 s), since the memory "with the document open" is the memory of a
/// server whose writer is not typing.
const IDLE: Duration = Duration::from_secs(3);
/// Edits sent each after a pause of [`IDLE`] (the first right after the
/// memory reading).
const PAUSED_EDITS: usize = 5;
const OPEN_TIMEOUT: Duration = Duration::from_secs(60);

enum Event {
    Publish {
        at: Instant,
        uri: String,
        version: Option<i64>,
        count: usize,
    },
    Response {
        at: Instant,
        id: i64,
        result: Value,
    },
    Closed,
}

struct Server {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    events: Receiver<Event>,
    next_id: i64,
    /// Which publish of a version answers it (`--publishes`, default 1).
    publishes: usize,
}

fn write_msg(w: &Mutex<ChildStdin>, v: &Value) {
    let body = v.to_string();
    let mut w = w.lock().unwrap();
    let _ = write!(w, "Content-Length: {}\r\n\r\n{}", body.len(), body);
    let _ = w.flush();
}

fn read_msg(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; len?];
    r.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

impl Server {
    /// Starts `cmd`; `configuration` answers every item of the server's
    /// `workspace/configuration` requests.
    fn start(cmd: &[String], configuration: Value) -> Server {
        let mut child = Command::new(&cmd[0])
            .args(&cmd[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd[0]));
        let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
        let stdout = child.stdout.take().unwrap();
        let (tx, events) = channel();
        let w = stdin.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_msg(&mut r) {
                let at = Instant::now();
                let method = msg.get("method").and_then(Value::as_str);
                match (method, msg.get("id")) {
                    // A request from the server: answer as a minimal client.
                    (Some(m), Some(id)) => {
                        let result = if m == "workspace/configuration" {
                            let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                            Value::Array(vec![configuration.clone(); n])
                        } else {
                            Value::Null
                        };
                        write_msg(&w, &json!({"jsonrpc": "2.0", "id": id, "result": result}));
                    }
                    (Some("textDocument/publishDiagnostics"), None) => {
                        let p = &msg["params"];
                        let _ = tx.send(Event::Publish {
                            at,
                            uri: p["uri"].as_str().unwrap_or("").to_string(),
                            version: p["version"].as_i64(),
                            count: p["diagnostics"].as_array().map_or(0, Vec::len),
                        });
                    }
                    (None, Some(id)) => {
                        let _ = tx.send(Event::Response {
                            at,
                            id: id.as_i64().unwrap_or(-1),
                            result: msg.get("result").cloned().unwrap_or(Value::Null),
                        });
                    }
                    _ => {}
                }
            }
            let _ = tx.send(Event::Closed);
        });
        Server {
            child,
            stdin,
            events,
            next_id: 1,
            publishes: 1,
        }
    }

    fn write(&self, body: &str) {
        let mut w = self.stdin.lock().unwrap();
        let _ = write!(w, "Content-Length: {}\r\n\r\n{}", body.len(), body);
        let _ = w.flush();
    }

    fn notify(&self, method: &str, params: Value) {
        write_msg(
            &self.stdin,
            &json!({"jsonrpc": "2.0", "method": method, "params": params}),
        );
    }

    fn request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        write_msg(
            &self.stdin,
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        );
        id
    }

    /// Waits for the response to `id`; publishes seen meanwhile are kept.
    fn response(&self, id: i64, pending: &mut Vec<Event>) -> Option<(Instant, Value)> {
        let deadline = Instant::now() + OPEN_TIMEOUT;
        loop {
            match self
                .events
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(Event::Response {
                    at,
                    id: got,
                    result,
                }) if got == id => return Some((at, result)),
                Ok(e @ Event::Publish { .. }) => pending.push(e),
                Ok(Event::Closed) | Err(RecvTimeoutError::Disconnected) => return None,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => return None,
            }
        }
    }

    /// Waits for the publish for `uri` that answers `version` (by version
    /// when the server sends versions, else the first one).
    fn publish(&self, uri: &str, version: i64, timeout: Duration) -> Option<(Instant, usize)> {
        let deadline = Instant::now() + timeout;
        let mut seen = 0;
        loop {
            match self
                .events
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(Event::Publish {
                    at,
                    uri: u,
                    version: v,
                    count,
                }) if u == uri && v.is_none_or(|v| v >= version) => {
                    seen += 1;
                    // A newer version's publish answers this one too.
                    if seen >= self.publishes || v.is_some_and(|v| v > version) {
                        return Some((at, count));
                    }
                }
                Ok(Event::Closed) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Drops events already received (late publishes of earlier versions).
    fn drain(&self) {
        while self.events.try_recv().is_ok() {}
    }

    /// A field of /proc/PID/status in kB: `VmHWM:` (peak RSS), `VmRSS:`.
    fn rss_kb(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with(field))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn parse_size(s: &str) -> usize {
    let s = s.trim().to_ascii_uppercase();
    let (n, mult) = if let Some(n) = s.strip_suffix("MB") {
        (n, 1_000_000)
    } else if let Some(n) = s.strip_suffix("KB") {
        (n, 1_000)
    } else {
        (s.as_str(), 1)
    };
    n.parse::<usize>().expect("size like 10KB") * mult
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` appends `--bench` after everything: it is not part of
    // the server's command.
    if args.last().is_some_and(|a| a == "--bench") {
        args.pop();
    }
    let mut sizes = "1KB,10KB,100KB,1MB".to_string();
    let mut edits = 200usize;
    let mut pause = Duration::ZERO;
    let mut full_sync = false;
    let mut publishes = 1usize;
    let mut long_idle: Option<u64> = None;
    let mut edit_judged = false;
    let mut configuration = Value::Null;
    let mut cmd: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--bench" => {}
            "--sizes" => {
                i += 1;
                sizes = args[i].clone();
            }
            "--edits" => {
                i += 1;
                edits = args[i].parse().expect("--edits N");
            }
            // Before each change that is followed by a request, wait this
            // long after the previous publish (default 0: at once).
            // Send the whole text per keystroke even to a server that syncs
            // incrementally (to compare with full-sync servers on equal input).
            "--full-sync" => full_sync = true,
            "--edit-judged" => edit_judged = true,
            // What to answer the server's `workspace/configuration` with
            // (default null), e.g. '{"harper-ls": {"maxFileLength": 2000000}}'.
            "--configuration" => {
                i += 1;
                configuration = serde_json::from_str(&args[i]).expect("--configuration JSON");
            }
            "--long-idle-secs" => {
                i += 1;
                long_idle = Some(args[i].parse().expect("--long-idle-secs N"));
            }
            "--publishes" => {
                i += 1;
                publishes = args[i].parse().expect("--publishes N");
            }
            "--pause-ms" => {
                i += 1;
                pause = Duration::from_millis(args[i].parse().expect("--pause-ms N"));
            }
            // Writes N generated posts (1-3 KB each) into DIR for timing
            // `scrubs check DIR`, and exits.
            "--write-posts" => {
                let dir = std::path::Path::new(&args[i + 1]);
                let n: usize = args[i + 2].parse().expect("--write-posts DIR N");
                std::fs::create_dir_all(dir).expect("create DIR");
                for k in 0..n {
                    let text = scrubs::bench_support::markdown(1_000 + (k * 37) % 2_000);
                    std::fs::write(dir.join(format!("post-{k:04}.md")), text).expect("write");
                }
                return;
            }
            // Writes one generated draft of about SIZE bytes to PATH (for
            // profiling `scrubs check PATH`), and exits.
            "--write-draft" => {
                let size: usize = args[i + 2].parse().expect("--write-draft PATH SIZE");
                std::fs::write(&args[i + 1], scrubs::bench_support::markdown(size)).expect("write");
                return;
            }
            "--" => {
                cmd = args[i + 1..].to_vec();
                break;
            }
            _ => {
                cmd = args[i..].to_vec();
                break;
            }
        }
        i += 1;
    }
    if cmd.is_empty() {
        cmd = vec![env!("CARGO_BIN_EXE_scrubs").to_string(), "lsp".to_string()];
    }
    let dir = tempfile::tempdir().expect("temp dir");
    println!("server: {}", cmd.join(" "));

    let started = Instant::now();
    let mut server = Server::start(&cmd, configuration);
    server.publishes = publishes;
    let root = url(dir.path());
    let id = server.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": root,
            "workspaceFolders": [{"uri": root, "name": "bench"}],
            "capabilities": {
                "textDocument": {
                    "synchronization": {"didSave": true},
                    "publishDiagnostics": {"versionSupport": true},
                    "codeAction": {},
                    "hover": {}
                },
                "workspace": {"configuration": false}
            }
        }),
    );
    let mut pending = Vec::new();
    let (at, init) = server
        .response(id, &mut pending)
        .expect("the server answers initialize");
    println!("initialize result after {:.1} ms", ms(at - started));
    let sync = &init["capabilities"]["textDocumentSync"];
    let incremental = sync.as_i64().or_else(|| sync["change"].as_i64()) == Some(2) && !full_sync;
    println!(
        "sync: {}",
        if incremental {
            "incremental (one-character range edits)"
        } else {
            "full (whole text per edit)"
        }
    );
    let hover = init["capabilities"]["hoverProvider"]
        .as_bool()
        .unwrap_or(false)
        || init["capabilities"]["hoverProvider"].is_object();
    println!(
        "request during a check: {}",
        if hover {
            "hover"
        } else {
            "code action (the server has no hover)"
        }
    );
    server.notify("initialized", json!({}));
    std::thread::sleep(Duration::from_millis(200));
    println!(
        "RSS after initialize: {:.1} MB",
        server.rss_kb("VmRSS:").unwrap_or(0) as f64 / 1024.0
    );

    println!(
        "\n| size | bytes | open → first publish (ms) | edits answered | p50 (ms) | p99 (ms) | max (ms) | request during check p50 / max (ms) | diagnostics | RSS 3 s after the edits / peak (MB) | edit after a 3 s pause p50 / max (ms) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for size in sizes.split(',') {
        let mut text = scrubs::bench_support::markdown(parse_size(size));
        let mut judged_at = None;
        if edit_judged {
            let (t, line) = scrubs::bench_support::with_judged_paragraph(&text)
                .expect("a documented example that keeps the paragraph open");
            text = t;
            judged_at = Some(line);
        }
        let path = dir.path().join(format!("draft-{}.md", size.trim()));
        std::fs::write(&path, &text).expect("write draft");
        let uri = url(&path);
        server.drain();
        let t = Instant::now();
        server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
        );
        let open = server
            .publish(&uri, 1, OPEN_TIMEOUT)
            .map(|(at, _)| ms(at - t));

        let line = judged_at.unwrap_or_else(|| scrubs::bench_support::edit_line(&text));
        let line_text = text.lines().nth(line).unwrap_or("").to_string();
        println!(
            "{size}: typing at the end of line {} ({} bytes: {:?}…)",
            line + 1,
            line_text.len(),
            line_text.chars().take(40).collect::<String>()
        );
        let mut byte_at: usize =
            text.lines().take(line).map(|l| l.len() + 1).sum::<usize>() + line_text.len();
        let mut col = line_text.encode_utf16().count();
        let typed = b"so many nights on the ward ";
        let mut lat = Vec::new();
        let mut count = 0;
        let mut version = 1;
        // Closed loop: type, wait for the answer, type again. The message is
        // built before the clock starts (for a full-sync server it holds the
        // whole text): the latency is the server's.
        let mut change = |text: &mut String, version: i64, k: usize| -> String {
            let ch = typed[k % typed.len()] as char;
            text.insert(byte_at, ch);
            byte_at += 1;
            let change = if incremental {
                json!({"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": ch.to_string()})
            } else {
                json!({"text": text})
            };
            col += 1;
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}})
                .to_string()
        };
        for k in 0..edits {
            version += 1;
            server.drain();
            let body = change(&mut text, version, k);
            let t = Instant::now();
            server.write(&body);
            if let Some((at, n)) = server.publish(&uri, version, TIMEOUT) {
                lat.push(ms(at - t));
                count = n;
            }
        }
        // Responsiveness: a request sent right after a change, while the
        // server checks (a hover at the edit, or a code action there for a
        // server without hovers; any answer counts, even an error).
        let mut req = Vec::new();
        for k in 0..20 {
            version += 1;
            server.drain();
            let body = change(&mut text, version, edits + k);
            // Optionally let the server finish with the previous publish
            // first (as between real keystrokes), so that only the running
            // check is in the request's way.
            std::thread::sleep(pause);
            server.write(&body);
            let t = Instant::now();
            let at_edit = json!({"line": line, "character": 0});
            let id = if hover {
                server.request(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": uri}, "position": at_edit}),
                )
            } else {
                server.request(
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": uri}, "range": {"start": at_edit, "end": at_edit}, "context": {"diagnostics": []}}),
                )
            };
            let mut seen = Vec::new();
            if let Some((at, _)) = server.response(id, &mut seen) {
                req.push(ms(at - t));
            }
            // The publish may have come before the hover's answer.
            let answered = seen.iter().any(|e| {
                matches!(e, Event::Publish { uri: u, version: v, .. }
                    if *u == uri && v.is_none_or(|v| v >= version))
            });
            if !answered {
                let _ = server.publish(&uri, version, TIMEOUT);
            }
        }
        // The memory with the document open: read once the server has had
        // a pause with nothing to do (it may give memory back when idle).
        std::thread::sleep(IDLE);
        let rss_open = server.rss_kb("VmRSS:").unwrap_or(0);
        // `--long-idle-secs N`: the memory after a longer pause too (scrubs gives its sentence
        // model back after a minute without typing).
        if let Some(secs) = long_idle {
            std::thread::sleep(Duration::from_secs(secs).saturating_sub(IDLE));
            let mb = |f: &str| server.rss_kb(f).unwrap_or(0) as f64 / 1024.0;
            println!(
                "{size}: RSS {secs} s after the last edit: {:.1} MB (anonymous {:.1}, file {:.1})",
                mb("VmRSS:"),
                mb("RssAnon:"),
                mb("RssFile:")
            );
        }
        // The first keystroke after the writer pauses: a server that gives
        // memory back when idle may pay for it here (scrubs compiles again
        // the rules the edited paragraph needs).
        let mut paused = Vec::new();
        for k in 0..PAUSED_EDITS {
            if k > 0 {
                std::thread::sleep(IDLE);
            }
            version += 1;
            server.drain();
            let body = change(&mut text, version, edits + 20 + k);
            let t = Instant::now();
            server.write(&body);
            if let Some((at, _)) = server.publish(&uri, version, TIMEOUT) {
                paused.push(ms(at - t));
            }
        }
        paused.sort_by(f64::total_cmp);
        server.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        lat.sort_by(f64::total_cmp);
        req.sort_by(f64::total_cmp);
        println!(
            "| {} | {} | {} | {}/{} | {:.2} | {:.2} | {:.2} | {:.2} / {:.2} | {} | {:.1} / {:.1} | {:.2} / {:.2} |",
            size.trim(),
            text.len(),
            open.map_or("timeout".to_string(), |v| format!("{v:.1}")),
            lat.len(),
            edits,
            percentile(&lat, 50.0),
            percentile(&lat, 99.0),
            lat.last().copied().unwrap_or(f64::NAN),
            percentile(&req, 50.0),
            req.last().copied().unwrap_or(f64::NAN),
            count,
            rss_open as f64 / 1024.0,
            server.rss_kb("VmHWM:").unwrap_or(0) as f64 / 1024.0,
            percentile(&paused, 50.0),
            paused.last().copied().unwrap_or(f64::NAN),
        );
    }
    let id = server.request("shutdown", Value::Null);
    let _ = server.response(id, &mut pending);
    server.notify("exit", Value::Null);
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = server.child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
}

fn url(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}
