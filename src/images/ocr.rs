//! The text inside a picture, recognised by Tesseract when it is installed.
//!
//! Found at run time (the `SCRUBS_TESSERACT` variable, else `tesseract` on the `PATH`); never
//! needed to build or to run scrubs. Without it the text-in-image checks are skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The longest one picture may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The Tesseract program, looked up once per process.
pub fn tesseract() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            if let Some(p) = std::env::var_os("SCRUBS_TESSERACT") {
                let p = PathBuf::from(p);
                // An empty value or "off" turns OCR off.
                return (p.is_file()).then_some(p);
            }
            let name = if cfg!(windows) {
                "tesseract.exe"
            } else {
                "tesseract"
            };
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .clone()
}

/// The text Tesseract recognises in the picture at `path` (English; page segmentation as for
/// a screenshot: blocks of text anywhere). Runs with no shell, no network, one thread.
pub fn recognise(engine: &Path, path: &Path) -> Result<String, String> {
    let mut child = Command::new(engine)
        .arg(path)
        .arg("stdout")
        .args(["--psm", "3", "-l", "eng"])
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", engine.display()))?;
    let mut stdout = child.stdout.take().ok_or("no output")?;
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("OCR took too long".into());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("OCR failed ({status})"));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
