//! A small LSP client that drives the real `scrubs lsp` binary over stdio.
#![allow(dead_code)]

pub mod pictures;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Messages received but not yet consumed.
    pub backlog: Vec<Value>,
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_scrubs")
}

impl Client {
    pub fn start() -> Client {
        Client::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Client {
        let mut cmd = Command::new(bin());
        cmd.arg("lsp").stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        Client::spawn(cmd)
    }

    /// Starts the server from a prepared command (e.g. wrapped in `unshare`,
    /// with stderr captured); its stdin and stdout are taken over here.
    pub fn spawn(mut cmd: Command) -> Client {
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut child = cmd.spawn().expect("start scrubs lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap_or(0);
                    }
                }
                let mut buf = vec![0; len];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice::<Value>(&buf) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            next_id: 1,
            backlog: Vec::new(),
        }
    }

    pub fn send_raw(&mut self, body: &str) {
        let msg = format!("Content-Length: {}\r\n\r\n{}", body.len(), body);
        self.stdin.write_all(msg.as_bytes()).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let mut msg = json!({"jsonrpc": "2.0", "method": method});
        if !params.is_null() {
            msg["params"] = params;
        }
        let body = msg.to_string();
        self.send_raw(&body);
    }

    /// Sends a request and returns its id.
    pub fn request_async(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if !params.is_null() {
            msg["params"] = params;
        }
        let body = msg.to_string();
        self.send_raw(&body);
        id
    }

    /// Sends a request and waits for its response's `result` (or panics on error).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        let resp = self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none());
        if let Some(e) = resp.get("error") {
            panic!("{method} failed: {e}");
        }
        resp.get("result").cloned().unwrap_or(Value::Null)
    }

    /// Answers server-to-client requests (workspace/configuration,
    /// client/registerCapability) with `config` or null.
    fn answer(&mut self, m: &Value, config: &Value) {
        if let (Some(id), Some(method)) = (m.get("id"), m.get("method").and_then(|x| x.as_str())) {
            let result = if method == "workspace/configuration" {
                json!([config])
            } else {
                Value::Null
            };
            let body = json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string();
            self.send_raw(&body);
        }
    }

    /// Waits for the first message matching `pred` (from the backlog or new).
    pub fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_for_timeout(pred, Duration::from_secs(30))
            .expect("timed out waiting for a message from the server")
    }

    pub fn wait_for_timeout(
        &mut self,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Option<Value> {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return Some(self.backlog.remove(i));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(m) => {
                    if m.get("method").is_some() && m.get("id").is_some() {
                        self.answer(&m, &Value::Null);
                    }
                    if pred(&m) {
                        return Some(m);
                    }
                    self.backlog.push(m);
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    return None
                }
            }
        }
    }

    /// initialize + initialized with the given capabilities and options.
    pub fn initialize(&mut self, capabilities: Value, options: Value) -> Value {
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities, "initializationOptions": options}),
        );
        self.notify("initialized", json!({}));
        r
    }

    /// Waits for publishDiagnostics for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let m = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    /// The server process (to take its stderr, or wait for it).
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Closes the server's standard input, as a client that vanishes does,
    /// and waits up to `timeout` for it to exit.
    pub fn vanish(self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let Client {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(s)) = child.try_wait() {
                return Some(s);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn shutdown(mut self) -> std::process::ExitStatus {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                return s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit after shutdown + exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Applies LSP text edits (UTF-16 positions) to `text`.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let idx = scrubs::position::LineIndex::new(text);
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let p = |v: &Value| scrubs::position::Pos {
                line: v["line"].as_u64().unwrap() as u32,
                character: v["character"].as_u64().unwrap() as u32,
            };
            let s = idx.offset(
                text,
                p(&e["range"]["start"]),
                scrubs::position::Encoding::Utf16,
            );
            let t = idx.offset(
                text,
                p(&e["range"]["end"]),
                scrubs::position::Encoding::Utf16,
            );
            (s, t, e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (s, t, n) in spans {
        out.replace_range(s..t, &n);
    }
    out
}

/// The UTF-16 length of `s`.
pub fn utf16_len(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}
