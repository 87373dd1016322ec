//! `scrubs lsp`: the language server, a thin shell around the engine.
//!
//! Documents live in ropes ([`document`]); every edit is applied before any
//! `.await`, so edits land in the order they arrive even though tower-lsp
//! may run handlers concurrently. Checking runs on the check thread; a
//! result is published only if its document has not changed since, so a
//! stale result never overwrites a newer one. Positions are converted in
//! [`crate::position`] only. Logs never contain document text.

mod convert;
pub mod document;
pub(crate) mod memory;
pub mod reframe;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer, LspService, Server};

use crate::config::Settings;
use crate::engine::{Cache, Checker, Finding};
use crate::markup::Format;
use crate::position::Encoding;
use crate::project;
use document::{ByteEdit, Document};
use ropey::Rope;

/// Marks the text in a document that makes the check panic, in debug builds
/// with `SCRUBS_FAULT_INJECTION=panic` only: the fault tests use it to show
/// that a panic is caught and reported. Release builds have no such trigger.
#[cfg(debug_assertions)]
const FAULT_MARKER: &str = "SCRUBS-FAULT-INJECTION-PANIC";

/// Runs `f` (a check of `text`), catching a panic: `Err` says it happened
/// (never the panic's message, which could quote the document).
fn guarded<T>(text: &str, f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        #[cfg(debug_assertions)]
        if std::env::var_os("SCRUBS_FAULT_INJECTION").is_some_and(|v| v == "panic")
            && text.contains(FAULT_MARKER)
        {
            panic!("fault injection: the checker panicked on purpose");
        }
        #[cfg(not(debug_assertions))]
        let _ = text;
        f()
    }))
    .map_err(|_| "checking a document failed (internal error)".to_string())
}

/// Polls a handler's future, turning a panic into `Err` so that one failing
/// request does not take the server down.
struct CatchUnwind<F>(std::pin::Pin<Box<F>>);

impl<F: std::future::Future> std::future::Future for CatchUnwind<F> {
    type Output = std::result::Result<F::Output, ()>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let fut = self.0.as_mut();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(_) => std::task::Poll::Ready(Err(())),
        }
    }
}

/// A diagnostic at the end of the checked part of a document longer than
/// [`crate::engine::MAX_CHECKED_BYTES`], saying the rest was not checked.
fn limit_diagnostic(conv: &convert::Conv, text: &str) -> Option<Diagnostic> {
    let n = crate::engine::checked_len(text);
    if n >= text.len() {
        return None;
    }
    Some(Diagnostic {
        range: conv.range(&(n..text.len())),
        severity: Some(DiagnosticSeverity::INFORMATION),
        code: Some(NumberOrString::String("scrubs/not-checked".into())),
        source: Some("scrubs".into()),
        message: format!(
            "scrubs checks the first {} bytes of a document; the rest ({} bytes, from here on) was not checked.",
            crate::engine::MAX_CHECKED_BYTES,
            text.len() - n
        ),
        ..Default::default()
    })
}

/// The findings of the newest finished check of a document.
struct Analysis {
    version: i32,
    /// The settings generation it was computed with.
    generation: u64,
    findings: Arc<Vec<Finding>>,
    /// The sentence model's findings are in (the second publish of a version).
    judged: bool,
}

/// What a hover or a code action works on: the document as it is now, and
/// the newest findings carried over to it (see [`View::findings_where`]).
struct View {
    rope: Rope,
    version: i32,
    format: Format,
    enc: Encoding,
    /// Findings of an earlier version (or of this one, with no edits).
    findings: Arc<Vec<Finding>>,
    /// The edits made since the version `findings` were computed on.
    edits: Vec<ByteEdit>,
}

impl View {
    /// The findings, carried over the edits made since they were computed,
    /// whose carried-over range passes `keep`. A finding an edit touched is
    /// left out (it may no longer hold); the running check will publish the
    /// truth for the current version.
    fn findings_where(&self, keep: impl Fn(&std::ops::Range<usize>) -> bool) -> Vec<Finding> {
        self.findings
            .iter()
            .filter_map(|f| {
                let r = document::map_range(&f.range, &self.edits)?;
                if !keep(&r) {
                    return None;
                }
                document::map_finding(f, &self.edits)
            })
            .collect()
    }
}

/// One open document's block cache (see [`crate::engine::cache`]) with the
/// settings generation it was filled with, and the newest version a check
/// was started for.
#[derive(Default)]
struct DocCache {
    latest: AtomicI32,
    cache: Mutex<(u64, Cache)>,
}

#[derive(Default)]
struct State {
    docs: HashMap<Url, Document>,
    analyses: HashMap<Url, Analysis>,
    caches: HashMap<Url, Arc<DocCache>>,
    encoding: Encoding,
    root: Option<PathBuf>,
    /// Settings layers, lowest priority first.
    file_settings: Settings,
    init_settings: Settings,
    client_settings: Settings,
    checker: Option<Arc<Checker>>,
    config_pull: bool,
    /// The client can create files in a workspace edit.
    create_files: bool,
    /// The client can watch files for us (dynamic registration).
    watch_files: bool,
    /// A problem with `initializationOptions`, shown once initialized.
    init_error: Option<String>,
    /// Bumped whenever the checker is rebuilt, so that a result computed
    /// with old settings is not published over one computed with new ones.
    generation: u64,
}

impl State {
    /// Keeps `findings` (of `version`) as the document's newest
    /// analysis, unless a newer one is already kept (a stale result never
    /// replaces a newer one), and forgets the edits it already reflects.
    /// Returns what it replaced, for the caller to drop outside the lock
    /// (hundreds of findings with their citations take a while to free).
    #[must_use]
    fn store_analysis(
        &mut self,
        uri: &Url,
        version: i32,
        generation: u64,
        findings: Arc<Vec<Finding>>,
        judged: bool,
    ) -> Option<Analysis> {
        let doc = self.docs.get_mut(uri)?;
        // The same version again only as the judged result over the rules' one.
        // A later judged result of the same version replaces the earlier one: it holds the text
        // recognised in the pictures since.
        // A check with newer settings replaces one with older settings of the same version (a
        // settings change re-checks every document at its version: hovers and code actions must
        // see the new findings, not only the published diagnostics).
        let newer = |a: &Analysis| match a.version.cmp(&version) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => {
                a.generation > generation || (a.generation == generation && a.judged && !judged)
            }
        };
        if version > doc.version || self.analyses.get(uri).is_some_and(newer) {
            return None;
        }
        doc.checked(version);
        self.analyses.insert(
            uri.clone(),
            Analysis {
                version,
                generation,
                findings,
                judged,
            },
        )
    }

    fn checker(&mut self) -> Arc<Checker> {
        self.checker
            .get_or_insert_with(|| Arc::new(Checker::default_checker()))
            .clone()
    }
}

/// Work sent to the check thread.
type Job = Box<dyn FnOnce() + Send>;

/// Documents from this size on return the memory their checks freed to the
/// system ([`memory::trim`]) once no long draft was published for
/// [`TRIM_AFTER_IDLE`], and the rules' compiled matchers too
/// ([`memory::release`]) once none was for [`RELEASE_AFTER_IDLE`].
const TRIM_MIN_BYTES: usize = 256 * 1024;
const TRIM_AFTER_IDLE: std::time::Duration = std::time::Duration::from_millis(300);
/// Longer than the pauses between words: the keystroke after a release
/// compiles the matchers it needs again (tens of milliseconds at 1 MB), so
/// only the first keystroke after the writer stopped to think pays that.
const RELEASE_AFTER_IDLE: std::time::Duration = std::time::Duration::from_secs(2);
/// The sentence model (its tokenizer, heads and verdict cache) is given back once the writer has
/// not typed for this long (and the last judged check is done), and loaded again on the next
/// check. A long draft's judgement still running then is stopped and publishes what it judged; the
/// rest is judged after the next edit.
const MODEL_IDLE: std::time::Duration = std::time::Duration::from_secs(60);

/// When the writer last opened or edited a draft (any draft): the model's idle minute counts from
/// it.
#[derive(Debug)]
struct LastEdit(Mutex<std::time::Instant>);

impl Default for LastEdit {
    fn default() -> Self {
        LastEdit(Mutex::new(std::time::Instant::now()))
    }
}

impl LastEdit {
    fn touch(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = std::time::Instant::now();
    }

    /// How long since the last edit.
    fn quiet(&self) -> std::time::Duration {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).elapsed()
    }
}
/// A long draft (from [`TRIM_MIN_BYTES`]) is judged once the writer pauses this long: judging
/// 1 MB again takes tens of milliseconds on the check thread, which the next keystroke's rules
/// check would otherwise wait for. Shorter drafts are judged at once (well under a millisecond
/// after a keystroke at 10 KB).
const JUDGE_LONG_AFTER: std::time::Duration = std::time::Duration::from_millis(250);

/// What the second, judged publish needs, owned, so that it runs on a task of its own.
#[derive(Clone)]
struct Shared {
    client: Client,
    state: Arc<Mutex<State>>,
    publish: Arc<tokio::sync::Mutex<()>>,
    checks: std::sync::mpsc::Sender<Job>,
    judged_checks: Arc<std::sync::atomic::AtomicU64>,
    images: Arc<crate::images::ImageCache>,
    prejudging: Arc<tokio::sync::Mutex<()>>,
    last_edit: Arc<LastEdit>,
    judges: [std::sync::mpsc::Sender<Job>; 2],
}

/// Runs `f` on the check thread and waits for its result (see [`Backend::on_check_thread`]).
async fn on_check_thread<T: Send + 'static>(
    checks: &std::sync::mpsc::Sender<Job>,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::result::Result<T, ()> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(f());
    });
    checks.send(job).map_err(|_| ())?;
    rx.await.map_err(|_| ())
}

/// The diagnostics of `findings` (and of the model's findings in `carried`, a judged analysis
/// with the edits made since, where no edit touched them), and the not-checked notice.
fn diagnostics(
    text: &str,
    enc: Encoding,
    version: i32,
    findings: &[Finding],
    carried: Option<&(Arc<Vec<Finding>>, Vec<ByteEdit>)>,
    judging: bool,
) -> Vec<Diagnostic> {
    let conv = convert::Conv::new(text, enc);
    let mut diags: Vec<Diagnostic> = findings
        .iter()
        .map(|f| convert::diagnostic(&conv, f, version))
        .collect();
    if let Some((old, edits)) = carried {
        diags.extend(
            old.iter()
                .filter(|f| {
                    (judging && f.judged.is_some()) || crate::images::is_picture_rule(&f.rule)
                })
                .filter_map(|f| document::map_finding(f, edits))
                .map(|f| convert::diagnostic(&conv, &f, version)),
        );
    }
    diags.extend(limit_diagnostic(&conv, text));
    diags
}

/// Frees `old` on the check thread, not on a runtime worker.
fn drop_later(checks: &std::sync::mpsc::Sender<Job>, old: Option<Analysis>) {
    if let Some(old) = old {
        let _ = checks.send(Box::new(move || drop(old)));
    }
}

/// Reports an internal error (a caught panic) to the editor. The message never contains
/// document text.
async fn report_internal_error(client: &Client, what: &str) {
    let msg = format!("scrubs: {what}; the server keeps running. Please report it.");
    client.log_message(MessageType::ERROR, &msg).await;
    client.show_message(MessageType::ERROR, msg).await;
}

impl Shared {
    /// Keeps a check's findings as the document's analysis and publishes its diagnostics if the
    /// document is still at `version` (and the settings unchanged). True if it published.
    async fn store_and_publish(
        &self,
        uri: &Url,
        version: i32,
        generation: u64,
        findings: Arc<Vec<Finding>>,
        diagnostics: Option<Vec<Diagnostic>>,
        judged: bool,
    ) -> bool {
        let _guard = self.publish.lock().await;
        let (current, old) = {
            let mut s = lock(&self.state);
            if s.generation != generation {
                return false;
            }
            let old = s.store_analysis(uri, version, generation, findings, judged);
            (s.docs.get(uri).is_some_and(|d| d.version == version), old)
        };
        drop_later(&self.checks, old);
        if let (true, Some(diagnostics)) = (current, diagnostics) {
            self.client
                .publish_diagnostics(uri.clone(), diagnostics, Some(version))
                .await;
            return true;
        }
        false
    }

    /// The second publish of a version: the rules' findings (from the block cache the first
    /// check filled) with the sentence model's, once the model has judged the document's
    /// sentences (each verdict cached by the sentence's text). Skipped when a newer version came
    /// in meanwhile: that one publishes. `partial`: the judgement off the check thread was
    /// stopped ([`Shared::prejudge`]), so only what the model knows is used and nothing more is
    /// judged here. The model is given back once the writer has not typed for [`MODEL_IDLE`].
    #[allow(clippy::too_many_arguments)]
    async fn judge_and_publish(
        &self,
        uri: Url,
        rope: Rope,
        version: i32,
        format: Format,
        checker: Arc<Checker>,
        enc: Encoding,
        generation: u64,
        cache: Arc<DocCache>,
        partial: bool,
    ) {
        type Judged = Option<(Vec<Finding>, Vec<Diagnostic>, Vec<(PathBuf, u64)>)>;
        let judging = checker.settings().judgement.enabled();
        let long = rope.len_bytes() >= TRIM_MIN_BYTES;
        // Pictures are read for drafts saved as files (their folder holds the pictures).
        let draft = (uri.scheme() == "file")
            .then(|| uri.to_file_path().ok())
            .flatten();
        let images = self.images.clone();
        let check = move || -> std::result::Result<Judged, String> {
            if cache.latest.load(Ordering::SeqCst) != version {
                return Ok(None);
            }
            let judge = if judging {
                match crate::model::judge() {
                    Ok(j) => Some(j),
                    Err(e) => return Err(format!("the sentence model could not be loaded: {e}")),
                }
            } else {
                None
            };
            // The pictures' metadata is read now (a file read, cached by size and time); their
            // text only from the cache: what is missing is recognised after this publish.
            let pictures = draft.as_deref().map(|d| {
                crate::images::FilePictures::new(Some(d), &images, crate::images::Ocr::Cached)
            });
            let text = rope.to_string();
            let mut guard = cache.cache.lock().unwrap_or_else(|e| e.into_inner());
            let (cache_generation, blocks) = &mut *guard;
            if *cache_generation != generation {
                return Ok(None);
            }
            // After a stopped reading: only the verdicts the model has (nothing is judged here).
            let stopped = || true;
            let known_only = judge.as_deref().map(|j| crate::engine::Stoppable {
                judge: j,
                stop: &stopped,
            });
            let judge: Option<&dyn crate::engine::Judge> = match (&known_only, partial) {
                (Some(k), true) => Some(k),
                _ => judge.as_deref().map(|j| j as &dyn crate::engine::Judge),
            };
            let findings = guarded(&text, || {
                checker.check_full(
                    &text,
                    format,
                    Some(blocks),
                    judge,
                    pictures.as_ref().map(|p| p as &dyn crate::engine::Pictures),
                )
            })?;
            drop(guard);
            let pending = pictures.map(|p| p.pending()).unwrap_or_default();
            if cache.latest.load(Ordering::SeqCst) != version {
                return Ok(None);
            }
            let diagnostics = guarded(&text, || {
                diagnostics(&text, enc, version, &findings, None, judging)
            })?;
            Ok(Some((findings, diagnostics, pending)))
        };
        match on_check_thread(&self.checks, check).await {
            Ok(Ok(Some((findings, diagnostics, pending)))) => {
                self.store_and_publish(
                    &uri,
                    version,
                    generation,
                    Arc::new(findings),
                    Some(diagnostics),
                    true,
                )
                .await;
                if !pending.is_empty() {
                    self.recognise_then_publish(uri.clone(), pending);
                }
            }
            Ok(Ok(None)) => {}
            Ok(Err(e)) => report_internal_error(&self.client, &e).await,
            Err(_) => {
                report_internal_error(&self.client, "judging a document failed (internal error)")
                    .await
            }
        }
        // A minute without typing, and no judged check since this one: the model (when it was
        // used), what was read from pictures and, after a long draft, the rules' kept matchers
        // are given back (a picture is read again, and its text recognised again, when the
        // writer comes back; `memory::release_idle`).
        let n = self.judged_checks.fetch_add(1, Ordering::SeqCst) + 1;
        let count = self.judged_checks.clone();
        let checks = self.checks.clone();
        let images = self.images.clone();
        let last_edit = self.last_edit.clone();
        tokio::spawn(async move {
            loop {
                let quiet = last_edit.quiet();
                if quiet >= MODEL_IDLE {
                    break;
                }
                tokio::time::sleep(MODEL_IDLE - quiet).await;
                if count.load(Ordering::SeqCst) != n {
                    return;
                }
            }
            if count.load(Ordering::SeqCst) == n {
                images.clear();
                if judging || long {
                    let _ = checks.send(Box::new(move || memory::release_idle(long)));
                }
            }
        });
    }
}

impl Shared {
    /// Judges the sentences of `rope` the model has no verdict for yet, on a blocking thread of
    /// their own (the model spreads them over the cores), so that the judged check, on the check
    /// thread, finds every verdict in the cache: the encoder takes tens of milliseconds for an
    /// edited sentence and its windows, and about a second for a 10 KB draft's first judgement,
    /// which the next keystroke's rules check must not wait for. Stopped (a fraction of a second
    /// later) when a newer version comes in, or once the writer has not typed for
    /// [`MODEL_IDLE`] (a long draft's first judgement takes about a minute at 1 MB); the verdicts
    /// judged until then are kept (most of its sentences are the newer version's too). True if it
    /// was stopped before judging everything.
    async fn prejudge(
        &self,
        rope: &Rope,
        version: i32,
        format: Format,
        checker: &Arc<Checker>,
        cache: &Arc<DocCache>,
    ) -> bool {
        let _one = self.prejudging.lock().await;
        if cache.latest.load(Ordering::SeqCst) != version {
            return true;
        }
        let (checker, rope, cache) = (checker.clone(), rope.clone(), cache.clone());
        let last_edit = self.last_edit.clone();
        let judges = &self.judges[usize::from(rope.len_bytes() >= TRIM_MIN_BYTES)];
        on_check_thread(judges, move || {
            let Ok(judge) = crate::model::judge() else {
                // Reported by the judged check that follows.
                return false;
            };
            let stopped = std::sync::atomic::AtomicBool::new(false);
            let stop = || {
                let stop = cache.latest.load(Ordering::SeqCst) != version
                    || last_edit.quiet() >= MODEL_IDLE;
                if stop {
                    stopped.store(true, Ordering::SeqCst);
                }
                stop
            };
            let stoppable = crate::engine::Stoppable {
                judge: &*judge,
                stop: &stop,
            };
            let text = rope.to_string();
            // The rules run too (a fraction of a millisecond at 10 KB): what matters is that every
            // unit the judged check will ask for is asked for now.
            let _ = guarded(&text, || {
                checker.check_judged(&text, format, None, Some(&stoppable))
            });
            drop(text);
            // The encoder's activations (megabytes a thread) were freed in the worker threads'
            // arenas: give them back.
            memory::trim();
            stopped.load(Ordering::SeqCst)
        })
        .await
        .unwrap_or(false)
    }

    /// Recognises the text of `pending` pictures (each once, however many documents or
    /// versions asked) on blocking threads, off the keystroke path, then judges `uri` again at
    /// its newest version so that the text-in-image findings are published.
    fn recognise_then_publish(&self, uri: Url, pending: Vec<(PathBuf, u64)>) {
        let shared = self.clone();
        tokio::spawn(async move {
            let mut any = false;
            for (path, hash) in pending {
                if !shared.images.begin_recognising(hash) {
                    continue;
                }
                let images = shared.images.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    images.recognise_into(&path, hash);
                    images.end_recognising(hash);
                })
                .await;
                any = true;
            }
            if any {
                shared.judge_newest(uri).await;
            }
        });
    }

    /// Judges and publishes `uri` at its newest version (after its pictures' text came in).
    async fn judge_newest(&self, uri: Url) {
        let snapshot = {
            let mut s = lock(&self.state);
            let checker = s.checker();
            let (enc, generation) = (s.encoding, s.generation);
            let cache = s.caches.get(&uri).cloned();
            s.docs.get(&uri).and_then(|d| {
                let cache = cache?;
                (cache.latest.load(Ordering::SeqCst) == d.version).then(|| {
                    (
                        d.rope.clone(),
                        d.version,
                        d.format,
                        checker,
                        enc,
                        generation,
                        cache,
                    )
                })
            })
        };
        if let Some((rope, version, format, checker, enc, generation, cache)) = snapshot {
            Box::pin(self.judge_and_publish(
                uri, rope, version, format, checker, enc, generation, cache, false,
            ))
            .await;
        }
    }
}

/// The server.
pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    /// Serialises publishing so that a stale result is never sent after a
    /// newer one.
    publish: Arc<tokio::sync::Mutex<()>>,
    /// The one thread every check runs on (see [`Backend::on_check_thread`]).
    checks: std::sync::mpsc::Sender<Job>,
    /// Publishes of long drafts so far: a trim waits for them to pause.
    long_publishes: Arc<std::sync::atomic::AtomicU64>,
    /// Judged checks so far: the model's release waits for them to pause.
    judged_checks: Arc<std::sync::atomic::AtomicU64>,
    /// What was read from the pictures the open drafts link to.
    images: Arc<crate::images::ImageCache>,
    /// Held while the model judges a draft's new sentences off the check thread (one draft at a
    /// time: the model spreads one job over the cores).
    prejudging: Arc<tokio::sync::Mutex<()>>,
    /// When the writer last opened or edited a draft.
    last_edit: Arc<LastEdit>,
    /// The threads the model judges on ahead of the judged check ([`Shared::prejudge`]): one for
    /// drafts under [`TRIM_MIN_BYTES`] and one for longer drafts, at a lower priority than the
    /// check thread, as are the threads the model spreads that work over (they inherit it): a
    /// long draft's reading, up to a minute, takes the cores only when no keystroke's check needs
    /// them (a short draft's few sentences are judged at once, in tens of milliseconds).
    judges: [std::sync::mpsc::Sender<Job>; 2],
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    // A panic while holding the lock must not take the server down.
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl Backend {
    pub fn new(client: Client) -> Self {
        let (checks, jobs) = std::sync::mpsc::channel::<Job>();
        // A thread for short drafts' judgement and one, at a lower priority, for long drafts'.
        let judges = [false, true].map(|background| {
            let (tx, jobs) = std::sync::mpsc::channel::<Job>();
            let _ = std::thread::Builder::new()
                .name(
                    if background {
                        "scrubs-judge-bg"
                    } else {
                        "scrubs-judge"
                    }
                    .into(),
                )
                .spawn(move || {
                    if background {
                        memory::background_priority();
                    }
                    for job in jobs {
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                });
            tx
        });
        // Ends when the backend (the sender) is dropped.
        let _ = std::thread::Builder::new()
            .name("scrubs-check".into())
            .spawn(move || {
                for job in jobs {
                    // A panic drops the job's answer channel: the waiting
                    // handler reports it; the thread goes on.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            });
        Backend {
            client,
            state: Arc::new(Mutex::new(State::default())),
            publish: Arc::new(tokio::sync::Mutex::new(())),
            checks,
            long_publishes: Arc::default(),
            judged_checks: Arc::default(),
            images: Arc::default(),
            prejudging: Arc::default(),
            last_edit: Arc::default(),
            judges,
        }
    }

    fn shared(&self) -> Shared {
        Shared {
            client: self.client.clone(),
            state: self.state.clone(),
            publish: self.publish.clone(),
            checks: self.checks.clone(),
            judged_checks: self.judged_checks.clone(),
            images: self.images.clone(),
            prejudging: self.prejudging.clone(),
            last_edit: self.last_edit.clone(),
            judges: self.judges.clone(),
        }
    }

    /// Frees `old` on the check thread, not on a runtime worker.
    fn drop_later(&self, old: Option<Analysis>) {
        drop_later(&self.checks, old)
    }

    /// Runs `f` (a check, and what is proportional to the document) on the
    /// check thread, off the runtime's workers, and waits for its result;
    /// `Err` if it panicked. One thread for every check: the memory a check
    /// uses (the allocator's per-thread arena, the regexes' per-thread
    /// caches) is reused by the next one instead of growing with every
    /// thread of a pool, and checks of one document run one at a time in the
    /// order they were asked for.
    async fn on_check_thread<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> std::result::Result<T, ()> {
        on_check_thread(&self.checks, f).await
    }

    /// Rebuilds the checker from the settings layers; reports problems to the
    /// editor and keeps the defaults working.
    async fn rebuild_checker(&self) {
        let (root, layers) = {
            let s = lock(&self.state);
            (
                s.root.clone(),
                [
                    s.file_settings.clone(),
                    s.init_settings.clone(),
                    s.client_settings.clone(),
                ],
            )
        };
        let mut settings = Settings::default();
        for l in &layers {
            settings = settings.merged(l);
        }
        let mut problems = Vec::new();
        let (packs, errors) = match &root {
            Some(r) => project::load_packs(r, &settings),
            None => (Vec::new(), Vec::new()),
        };
        problems.extend(errors.iter().map(|e| e.to_string()));
        match Checker::new(settings, packs.clone()) {
            Ok(c) => {
                let mut s = lock(&self.state);
                s.checker = Some(Arc::new(c));
                s.generation += 1;
            }
            Err(e) => {
                // Keep the settings that worked; the defaults if none did.
                problems.push(format!("{e} (keeping the previous settings)"));
                let mut s = lock(&self.state);
                if s.checker.is_none() {
                    s.checker = Some(Arc::new(
                        Checker::new(Settings::default(), packs)
                            .unwrap_or_else(|_| Checker::default_checker()),
                    ));
                }
            }
        }
        for p in problems {
            self.client
                .show_message(MessageType::ERROR, format!("scrubs: {p}"))
                .await;
        }
    }

    /// Reads `scrubs.toml` at the workspace root into the file layer.
    async fn load_file_settings(&self) {
        let root = lock(&self.state).root.clone();
        let Some(root) = root else { return };
        let path = root.join(project::CONFIG_FILE);
        let settings = if path.is_file() {
            match project::read_config(&path) {
                Ok(s) => s,
                Err(e) => {
                    self.client
                        .show_message(
                            MessageType::ERROR,
                            format!("scrubs: {e} (using the defaults for this file)"),
                        )
                        .await;
                    Settings::default()
                }
            }
        } else {
            Settings::default()
        };
        lock(&self.state).file_settings = settings;
    }

    /// Parses a settings object from the client into the client layer.
    async fn set_client_settings(&self, value: &Value, source: &str) {
        match Settings::from_json(source, value) {
            Ok(s) => lock(&self.state).client_settings = s,
            Err(e) => {
                self.client
                    .show_message(
                        MessageType::ERROR,
                        format!("scrubs: {e} (keeping the previous settings)"),
                    )
                    .await
            }
        }
    }

    /// Asks the client for the `scrubs` section, where it supports that.
    async fn pull_configuration(&self) {
        if !lock(&self.state).config_pull {
            return;
        }
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some("scrubs".into()),
        }];
        if let Ok(values) = self.client.configuration(items).await {
            if let Some(v) = values.into_iter().next() {
                if !v.is_null() {
                    self.set_client_settings(&v, "workspace/configuration")
                        .await;
                }
            }
        }
    }

    /// Checks a document's current version and publishes the diagnostics,
    /// unless it has changed meanwhile.
    async fn check_and_publish(&self, uri: Url) {
        let snapshot = {
            let mut s = lock(&self.state);
            let checker = s.checker();
            let enc = s.encoding;
            let generation = s.generation;
            let cache = s.caches.entry(uri.clone()).or_default().clone();
            // The model's findings of the last judged check, carried over the edits since, are
            // published with the rules' until the model's own for this version are ready.
            let carried = s.analyses.get(&uri).filter(|a| a.judged).and_then(|a| {
                let edits = s.docs.get(&uri)?.edits_since(a.version)?.to_vec();
                Some((a.findings.clone(), edits))
            });
            s.docs.get(&uri).map(|d| {
                cache.latest.store(d.version, Ordering::SeqCst);
                // O(1): the rope's nodes are shared, not copied.
                (
                    d.rope.clone(),
                    d.version,
                    d.format,
                    checker,
                    enc,
                    generation,
                    cache,
                    carried,
                )
            })
        };
        let Some((rope, version, format, checker, enc, generation, cache, carried)) = snapshot
        else {
            return;
        };
        let judging = checker.settings().judgement.enabled();
        // The second publish: the model's findings, and the pictures' (a file's draft that
        // links a picture).
        let second = judging || (uri.scheme() == "file" && crate::images::links_pictures(&rope));
        let (checker2, cache2) = (checker.clone(), cache.clone());
        let r = rope.clone();
        // Everything proportional to the document (the text, the check, the
        // diagnostics) is done on the check thread, holding neither the state
        // lock nor a runtime worker.
        type Checked = Option<(Vec<Finding>, Option<Vec<Diagnostic>>)>;
        let check = move || -> std::result::Result<Checked, String> {
            // One check per document at a time; the block cache makes the
            // next one cheap. A check whose version is already superseded
            // is skipped: the newer one is queued behind it and publishes.
            let mut guard = cache.cache.lock().unwrap_or_else(|e| e.into_inner());
            if cache.latest.load(Ordering::SeqCst) != version {
                return Ok(None);
            }
            let text = r.to_string();
            let (cache_generation, blocks) = &mut *guard;
            if *cache_generation != generation {
                *blocks = Cache::new();
                *cache_generation = generation;
            }
            let findings = guarded(&text, || checker.check_cached(&text, format, blocks))?;
            drop(guard);
            // Superseded while checking: the findings still serve hovers
            // (carried over), but only the newest version is published.
            if cache.latest.load(Ordering::SeqCst) != version {
                return Ok(Some((findings, None)));
            }
            let diagnostics = guarded(&text, || {
                diagnostics(&text, enc, version, &findings, carried.as_ref(), judging)
            })?;
            Ok(Some((findings, Some(diagnostics))))
        };
        let (findings, diagnostics) = match self.on_check_thread(check).await {
            Ok(Ok(Some((f, d)))) => (Arc::new(f), d),
            Ok(Ok(None)) => return,
            Ok(Err(e)) => {
                self.report_internal_error(&e).await;
                return;
            }
            Err(_) => {
                self.report_internal_error("checking a document failed (internal error)")
                    .await;
                return;
            }
        };
        let shared = self.shared();
        let published = shared
            .store_and_publish(&uri, version, generation, findings, diagnostics, false)
            .await;
        if published && second {
            // The second publish runs on its own task, so this notification's handler ends now
            // (tower-lsp runs a few handlers at once; one waiting for the model would hold up
            // the next keystrokes).
            let long = rope.len_bytes() >= TRIM_MIN_BYTES;
            let (uri, rope) = (uri.clone(), rope.clone());
            tokio::spawn(async move {
                if long {
                    tokio::time::sleep(JUDGE_LONG_AFTER).await;
                }
                // A newer version came in meanwhile: it judges.
                if cache2.latest.load(Ordering::SeqCst) != version {
                    return;
                }
                let partial = judging
                    && shared
                        .prejudge(&rope, version, format, &checker2, &cache2)
                        .await;
                if cache2.latest.load(Ordering::SeqCst) == version {
                    shared
                        .judge_and_publish(
                            uri, rope, version, format, checker2, enc, generation, cache2, partial,
                        )
                        .await;
                }
            });
        }
        // A long draft's check and publish freed megabytes: give them back
        // once the writer pauses (a trim costs ~10 ms at 1 MB: not on every
        // keystroke), and the rules' compiled matchers once the writer has
        // stopped for longer; on the check thread (never during a check),
        // after the old findings it drops.
        if rope.len_bytes() >= TRIM_MIN_BYTES {
            let n = self.long_publishes.fetch_add(1, Ordering::SeqCst) + 1;
            let count = self.long_publishes.clone();
            let checks = self.checks.clone();
            tokio::spawn(async move {
                tokio::time::sleep(TRIM_AFTER_IDLE).await;
                if count.load(Ordering::SeqCst) != n {
                    return;
                }
                let _ = checks.send(Box::new(memory::trim));
                tokio::time::sleep(RELEASE_AFTER_IDLE - TRIM_AFTER_IDLE).await;
                if count.load(Ordering::SeqCst) == n {
                    let _ = checks.send(Box::new(memory::release));
                }
            });
        }
    }

    async fn recheck_all(&self) {
        // The writer changed the settings: as an edit, it starts the model's idle minute again (a
        // judgement stopped for idleness would publish the model's findings of what it had judged
        // only).
        self.last_edit.touch();
        let uris: Vec<Url> = lock(&self.state).docs.keys().cloned().collect();
        for u in uris {
            self.check_and_publish(u).await;
        }
    }

    /// Reports an internal error (a caught panic) to the editor. The message
    /// never contains document text.
    async fn report_internal_error(&self, what: &str) {
        report_internal_error(&self.client, what).await
    }

    /// The document as it is now and the findings for it. While a check
    /// runs, these are the newest finished check's findings carried over the
    /// edits made since (no waiting, no checking: a hover answers at once
    /// however long the document). Only when there are none (the first check
    /// has not finished, or too many edits were made since) is the document
    /// checked here, through its block cache, on the check thread.
    async fn analysis(&self, uri: &Url) -> Option<View> {
        let (rope, version, format, checker, enc, generation, cache) = {
            let mut s = lock(&self.state);
            let enc = s.encoding;
            let checker = s.checker();
            let generation = s.generation;
            let cache = s.caches.entry(uri.clone()).or_default().clone();
            let doc = s.docs.get(uri)?;
            if let Some(a) = s.analyses.get(uri) {
                if let Some(edits) = doc.edits_since(a.version) {
                    return Some(View {
                        rope: doc.rope.clone(),
                        version: doc.version,
                        format: doc.format,
                        enc,
                        findings: a.findings.clone(),
                        edits: if a.version == doc.version {
                            Vec::new()
                        } else {
                            edits.to_vec()
                        },
                    });
                }
            }
            (
                doc.rope.clone(),
                doc.version,
                doc.format,
                checker,
                enc,
                generation,
                cache,
            )
        };
        let r = rope.clone();
        // Through the document's block cache (outside the state lock): after
        // a keystroke only the edited block is re-checked, and the publish
        // check that follows finds the cache filled.
        let check = move || {
            let text = r.to_string();
            guarded(&text, || {
                let mut guard = cache.cache.lock().unwrap_or_else(|e| e.into_inner());
                let (cache_generation, blocks) = &mut *guard;
                if *cache_generation != generation {
                    *blocks = Cache::new();
                    *cache_generation = generation;
                }
                checker.check_cached(&text, format, blocks)
            })
        };
        let findings = match self.on_check_thread(check).await {
            Ok(Ok(f)) => Arc::new(f),
            Ok(Err(e)) => {
                self.report_internal_error(&e).await;
                return None;
            }
            Err(_) => {
                self.report_internal_error("checking a document failed (internal error)")
                    .await;
                return None;
            }
        };
        let old = {
            let mut s = lock(&self.state);
            if s.generation == generation {
                s.store_analysis(uri, version, generation, findings.clone(), false)
            } else {
                None
            }
        };
        self.drop_later(old);
        Some(View {
            rope,
            version,
            format,
            enc,
            findings,
            edits: Vec::new(),
        })
    }
}

/// The local picture file the image reference at `range` of the draft `uri` links to.
fn picture_path(
    uri: &Url,
    markup: &crate::markup::Markup,
    range: &std::ops::Range<usize>,
) -> Option<PathBuf> {
    let draft = uri.to_file_path().ok()?;
    let img = markup.images.iter().find(|i| i.range == *range)?;
    let base = draft.parent()?;
    crate::images::resolve(Some(base), &img.dest)
}

fn root_path(params: &InitializeParams) -> Option<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        if let Some(f) = folders.first() {
            return f.uri.to_file_path().ok();
        }
    }
    #[allow(deprecated)]
    params.root_uri.as_ref().and_then(|u| u.to_file_path().ok())
}

fn is_config_file(uri: &Url) -> bool {
    uri.path().ends_with("/scrubs.toml") || uri.path().contains("/.scrubs/policies/")
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|v| v.contains(&PositionEncodingKind::UTF8));
        let config_pull = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.configuration)
            .unwrap_or(false);
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        let create_files = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .is_some_and(|e| {
                e.document_changes == Some(true)
                    && e.resource_operations
                        .as_ref()
                        .is_some_and(|r| r.contains(&ResourceOperationKind::Create))
            });
        {
            let mut s = lock(&self.state);
            s.watch_files = watch;
            s.encoding = if utf8 {
                Encoding::Utf8
            } else {
                Encoding::Utf16
            };
            s.root = root_path(&params);
            s.config_pull = config_pull;
            s.create_files = create_files;
        }
        if let Some(opts) = &params.initialization_options {
            self.set_client_settings_init(opts).await;
        }
        // Ready before any document opens.
        self.load_file_settings().await;
        self.rebuild_checker().await;
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(if utf8 {
                    PositionEncodingKind::UTF8
                } else {
                    PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        will_save: None,
                        will_save_wait_until: None,
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            convert::fix_all_kind(),
                            CodeActionKind::SOURCE_FIX_ALL,
                        ]),
                        work_done_progress_options: Default::default(),
                        resolve_provider: Some(false),
                    },
                )),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![convert::STRIP_IMAGE_METADATA.into()],
                    work_done_progress_options: Default::default(),
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "scrubs".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let init_error = lock(&self.state).init_error.take();
        if let Some(e) = init_error {
            self.client
                .show_message(
                    MessageType::ERROR,
                    format!("scrubs: {e} (using the defaults)"),
                )
                .await;
        }
        if lock(&self.state).watch_files {
            // Re-read the settings and packs when they change on disk.
            let watchers = ["**/scrubs.toml", "**/.scrubs/policies/*.toml"]
                .into_iter()
                .map(|g| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(g.into()),
                    kind: None,
                })
                .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "scrubs-config-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            let _ = self.client.register_capability(vec![registration]).await;
        }
        if lock(&self.state).config_pull {
            self.pull_configuration().await;
            self.rebuild_checker().await;
            self.recheck_all().await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let d = params.text_document;
        if is_config_file(&d.uri) {
            return;
        }
        let format = match d.uri.to_file_path() {
            Ok(p)
                if p.extension().is_some()
                    && d.language_id != "markdown"
                    && d.language_id != "plaintext" =>
            {
                Format::from_path(&p)
            }
            _ => Format::from_language_id(&d.language_id),
        };
        self.last_edit.touch();
        {
            let mut s = lock(&self.state);
            s.analyses.remove(&d.uri);
            s.docs
                .insert(d.uri.clone(), Document::new(&d.text, d.version, format));
        }
        self.check_and_publish(d.uri).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        self.last_edit.touch();
        {
            let mut s = lock(&self.state);
            let enc = s.encoding;
            match s.docs.get_mut(&uri) {
                Some(doc) => doc.apply(params.content_changes, params.text_document.version, enc),
                None => return,
            }
        }
        self.check_and_publish(uri).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        if is_config_file(&params.text_document.uri) {
            self.load_file_settings().await;
            self.rebuild_checker().await;
            self.recheck_all().await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        {
            let mut s = lock(&self.state);
            s.docs.remove(&uri);
            s.analyses.remove(&uri);
            s.caches.remove(&uri);
        }
        let _guard = self.publish.lock().await;
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let v = &params.settings;
        let section = v.get("scrubs").cloned().unwrap_or_else(|| v.clone());
        let pull = lock(&self.state).config_pull;
        let empty = section.is_null() || section.as_object().is_some_and(|o| o.is_empty());
        if !empty {
            self.set_client_settings(&section, "workspace/didChangeConfiguration")
                .await;
        } else if pull {
            self.pull_configuration().await;
        }
        self.rebuild_checker().await;
        self.recheck_all().await;
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command != convert::STRIP_IMAGE_METADATA {
            return Err(tower_lsp::jsonrpc::Error::invalid_params(format!(
                "unknown command {}",
                params.command
            )));
        }
        let arg = params.arguments.first().cloned().unwrap_or(Value::Null);
        let (Some(uri), Some(path)) = (
            arg.get("uri")
                .and_then(Value::as_str)
                .and_then(|u| Url::parse(u).ok()),
            arg.get("path").and_then(Value::as_str).map(PathBuf::from),
        ) else {
            return Err(tower_lsp::jsonrpc::Error::invalid_params(
                "expected [{\"uri\": the draft's URI, \"path\": the picture's path}]",
            ));
        };
        // Only a picture the open draft links to: the command cannot be pointed at any file.
        let linked = {
            let s = lock(&self.state);
            s.docs.get(&uri).map(|d| (d.rope.to_string(), d.format))
        }
        .map(|(text, format)| {
            let markup = crate::markup::extract(&text[..crate::engine::checked_len(&text)], format);
            markup
                .images
                .iter()
                .any(|i| picture_path(&uri, &markup, &i.range).as_deref() == Some(path.as_path()))
        })
        .unwrap_or(false);
        if !linked {
            return Err(tower_lsp::jsonrpc::Error::invalid_params(
                "that picture is not linked from an open draft",
            ));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let p = path.clone();
        let result = tokio::task::spawn_blocking(move || crate::images::strip(&p, true))
            .await
            .unwrap_or_else(|_| Err("stripping failed (internal error)".into()));
        match result {
            Ok(s) => {
                let msg =
                    match &s.backup {
                        Some(b) if s.removed > 0 => format!(
                        "scrubs: stripped the metadata from {name}; the original is kept as {}.",
                        b.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
                    ),
                        _ => format!("scrubs: {name} has no metadata left to strip."),
                    };
                self.client.show_message(MessageType::INFO, msg).await;
                self.check_and_publish(uri).await;
                Ok(Some(serde_json::json!({
                    "removed": s.removed,
                    "backup": s.backup.map(|b| b.to_string_lossy().into_owned()),
                })))
            }
            Err(e) => {
                let msg = format!("scrubs: {e}");
                self.client.show_message(MessageType::ERROR, &msg).await;
                Err(tower_lsp::jsonrpc::Error::invalid_params(msg))
            }
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        if params.changes.iter().any(|c| is_config_file(&c.uri)) {
            self.load_file_settings().await;
            self.rebuild_checker().await;
            self.recheck_all().await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        match CatchUnwind(Box::pin(self.hover_inner(params))).await {
            Ok(r) => r,
            Err(()) => {
                self.report_internal_error("a hover request failed (internal error)")
                    .await;
                Ok(None)
            }
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        match CatchUnwind(Box::pin(self.code_action_inner(params))).await {
            Ok(r) => r,
            Err(()) => {
                self.report_internal_error("a code action request failed (internal error)")
                    .await;
                Ok(None)
            }
        }
    }
}

impl Backend {
    async fn hover_inner(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = params.text_document_position_params.text_document.uri;
        let pos = params.text_document_position_params.position;
        let Some(view) = self.analysis(&uri).await else {
            return Ok(None);
        };
        let conv = convert::Conv::of_rope(&view.rope, view.enc);
        let offset = conv.offset(pos);
        let here = view.findings_where(|r| r.start <= offset && offset <= r.end);
        if here.is_empty() {
            return Ok(None);
        }
        let start = here.iter().map(|f| f.range.start).min().unwrap_or(0);
        let end = here.iter().map(|f| f.range.end).max().unwrap_or(0);
        let here: Vec<&Finding> = here.iter().collect();
        Ok(Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: convert::hover_markdown(&here),
            }),
            range: Some(conv.range(&(start..end))),
        }))
    }

    async fn code_action_inner(
        &self,
        params: CodeActionParams,
    ) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(view) = self.analysis(&uri).await else {
            return Ok(None);
        };
        let (version, enc, format) = (view.version, view.enc, view.format);
        let conv = convert::Conv::of_rope(&view.rope, enc);
        let (a, b) = (
            conv.offset(params.range.start),
            conv.offset(params.range.end),
        );
        let (start, end) = (a.min(b), a.max(b));
        let only = params.context.only.as_ref();
        let wants = |kind: &CodeActionKind| {
            only.is_none_or(|o| {
                o.iter().any(|k| {
                    kind.as_str() == k.as_str()
                        || kind.as_str().starts_with(&format!("{}.", k.as_str()))
                })
            })
        };
        let mut actions: Vec<CodeActionOrCommand> = Vec::new();
        if wants(&CodeActionKind::QUICKFIX) {
            let (root, create) = {
                let s = lock(&self.state);
                (s.root.clone(), s.create_files)
            };
            let here = view.findings_where(|r| r.start <= end && start <= r.end);
            // The text and its markup, for "Ignore here", only when needed.
            let text = if here.is_empty() {
                None
            } else {
                Some(view.rope.to_string())
            };
            let markup = text.as_deref().map(|t| crate::markup::extract(t, format));
            // The workspace's scrubs.toml, read once.
            let config = root.as_ref().map(|r| r.join(project::CONFIG_FILE));
            let config_text = config
                .as_ref()
                .filter(|p| p.is_file())
                .and_then(|p| std::fs::read_to_string(p).ok());
            let config_uri = config.as_ref().and_then(|p| Url::from_file_path(p).ok());
            let mut turned_off: Vec<&str> = Vec::new();
            for f in &here {
                actions.extend(
                    convert::quick_fixes(&conv, &uri, f, version)
                        .into_iter()
                        .map(CodeActionOrCommand::CodeAction),
                );
                if f.rule == crate::images::METADATA_RULE {
                    if let Some(path) = markup
                        .as_ref()
                        .and_then(|m| picture_path(&uri, m, &f.range))
                    {
                        actions.push(CodeActionOrCommand::CodeAction(convert::strip_action(
                            &conv,
                            &uri,
                            f,
                            version,
                            &path.to_string_lossy(),
                        )));
                    }
                }
            }
            for f in &here {
                if f.rule == crate::engine::suppress::UNUSED {
                    continue;
                }
                if let (Some(text), Some(m)) = (&text, &markup) {
                    let edit = crate::engine::suppress::ignore_edit(
                        text,
                        format,
                        m,
                        &f.rule,
                        f.range.start,
                    );
                    actions.push(CodeActionOrCommand::CodeAction(convert::ignore_action(
                        &conv, &uri, f, version, &edit,
                    )));
                }
            }
            if let Some(config_uri) = &config_uri {
                for f in &here {
                    if turned_off.contains(&f.rule.as_str()) {
                        continue;
                    }
                    turned_off.push(&f.rule);
                    if let Some(a) = convert::turn_off_action(
                        config_uri,
                        config_text.as_deref(),
                        &f.rule,
                        enc,
                        create,
                    ) {
                        actions.push(CodeActionOrCommand::CodeAction(a));
                    }
                }
            }
        }
        if wants(&convert::fix_all_kind()) {
            let all = if view.edits.is_empty() {
                None
            } else {
                Some(view.findings_where(|_| true))
            };
            let all = all.as_deref().unwrap_or(&view.findings);
            if let Some(a) = convert::fix_all(&conv, &uri, all) {
                actions.push(CodeActionOrCommand::CodeAction(a));
            }
        }
        Ok(Some(actions))
    }
}

impl Backend {
    async fn set_client_settings_init(&self, value: &Value) {
        match Settings::from_json("initializationOptions", value) {
            Ok(s) => lock(&self.state).init_settings = s,
            Err(e) => lock(&self.state).init_error = Some(e.to_string()),
        }
    }
}

/// Runs the server on standard input and output until the client exits.
pub fn run_stdio() {
    memory::few_arenas();
    crate::engine::use_helper_thread(false);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("scrubs: cannot start the server: {e}");
            return;
        }
    };
    // A panic's message can quote the text it was working on (a bad slice
    // prints the string): log where it happened, never what it said.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("scrubs: internal error (panic) at {at}");
    }));
    rt.block_on(async {
        let (service, socket) = LspService::new(Backend::new);
        let exited = Arc::new(tokio::sync::Notify::new());
        let service = ExitWatch {
            inner: service,
            exited: exited.clone(),
        };
        // tower-lsp 0.20's `serve` does not return after `exit`; stop when
        // the service says it has exited, or when the input ends.
        // Client bytes pass through `reframe`, so a malformed message cannot
        // stop the server from reading the next one.
        let (input, reframed) = tokio::io::duplex(1 << 16);
        tokio::spawn(reframe::reframe(tokio::io::stdin(), input));
        tokio::select! {
            _ = Server::new(reframed, tokio::io::stdout(), socket).serve(service) => {}
            _ = exited.notified() => {}
        }
    });
    // The blocking stdin reader may still wait for input that never comes;
    // do not wait for it.
    rt.shutdown_background();
}

/// Forwards to the LSP service and signals once it has exited.
struct ExitWatch<S> {
    inner: S,
    exited: Arc<tokio::sync::Notify>,
}

impl<S> tower::Service<tower_lsp::jsonrpc::Request> for ExitWatch<S>
where
    S: tower::Service<tower_lsp::jsonrpc::Request>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::result::Result<(), Self::Error>> {
        let r = self.inner.poll_ready(cx);
        if let std::task::Poll::Ready(Err(_)) = &r {
            self.exited.notify_one();
        }
        r
    }

    fn call(&mut self, req: tower_lsp::jsonrpc::Request) -> Self::Future {
        let exit = req.method() == "exit";
        let fut = self.inner.call(req);
        if exit {
            self.exited.notify_one();
        }
        fut
    }
}
