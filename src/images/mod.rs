//! The pictures a draft links to, read from disk: their identifying metadata, the text inside
//! them (OCR), and the fix that strips the metadata.
//!
//! This is the I/O side of [`crate::engine::Pictures`]: the engine asks about an image
//! reference (`![…](ward.jpg)`) and [`FilePictures`] answers from the file next to the draft.
//! Only local files are read; a URL is never fetched. What was read is kept in an
//! [`ImageCache`] keyed by the file's path, size and modification time (and the recognised
//! text by the file's content hash), so a keystroke never reads a picture twice and never
//! waits for OCR: the server recognises text off the keystroke path ([`FilePictures::pending`])
//! and publishes again when it is ready.
//!
//! Nothing here writes a file except [`strip`], which only runs when the writer asks for it
//! (`scrubs check --fix-images`, or the server's `scrubs.stripImageMetadata` command).

mod meta;
mod ocr;
mod strip;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::engine::{Picture, Pictures};

pub use meta::read_metadata;
pub use ocr::{recognise, tesseract};
pub use strip::{strip, strip_bytes, Stripped};

/// Pictures larger than this are not read (a post links photos of a few megabytes).
pub const MAX_IMAGE_BYTES: u64 = 64 * 1024 * 1024;

/// The local file an image reference points to, if it is one: `dest` as written in the draft,
/// relative to `base` (the draft's folder). URLs (`https://…`, `//host/…`, `data:`) are not.
pub fn resolve(base: Option<&Path>, dest: &str) -> Option<PathBuf> {
    let dest = dest.trim().trim_start_matches('<').trim_end_matches('>');
    if dest.is_empty() || dest.starts_with("//") || dest.starts_with('#') {
        return None;
    }
    // A scheme (`https:`, `data:`, `mailto:`) but not a Windows drive (`C:\…`).
    if let Some(colon) = dest.find(':') {
        let scheme = &dest[..colon];
        if colon > 1
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        {
            return None;
        }
    }
    let dest = match dest.find(['?', '#']) {
        Some(i) => &dest[..i],
        None => dest,
    };
    let decoded = percent_decode(dest);
    let path = Path::new(&decoded);
    if path.is_absolute() {
        return Some(path.to_path_buf());
    }
    let file_path = match base {
        Some(b) => b.join(path),
        None => path.to_path_buf(),
    };
    Some(file_path)
}

/// `%20` and friends, as Markdown destinations write spaces; invalid escapes are kept.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// The picture files the `media/image-metadata` findings among `findings` are about (each
/// once, in order), for a draft at `draft` with `text` in `format`.
pub fn metadata_paths(
    text: &str,
    format: crate::markup::Format,
    draft: Option<&Path>,
    findings: &[crate::engine::Finding],
) -> Vec<PathBuf> {
    let base = FilePictures::base_of(draft);
    let markup = crate::markup::extract(&text[..crate::engine::checked_len(text)], format);
    let mut out: Vec<PathBuf> = Vec::new();
    for f in findings.iter().filter(|f| f.rule == METADATA_RULE) {
        for img in markup.images.iter().filter(|i| i.range == f.range) {
            if let Some(p) = resolve(base.as_deref(), &img.dest) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// The rule whose findings [`strip`] mends.
pub const METADATA_RULE: &str = "media/image-metadata";

/// Whether `rule` is one of the picture rules (their findings come with the second publish).
pub fn is_picture_rule(rule: &str) -> bool {
    rule == METADATA_RULE || rule.ends_with("/text-in-image")
}

/// Whether a draft may link a picture (`![`, `<img`, `image::` or a front-matter image key):
/// a cheap test, before any markup is read.
pub fn links_pictures(rope: &ropey::Rope) -> bool {
    let finder = |n: &'static [u8]| memchr::memmem::Finder::new(n);
    let needles = [
        finder(b"!["),
        finder(b"<img"),
        finder(b"<IMG"),
        finder(b"image::"),
    ];
    rope.chunks()
        .any(|c| needles.iter().any(|f| f.find(c.as_bytes()).is_some()))
    // A needle split across two chunks is rare; the next keystroke's check sees it.
}

/// How a [`FilePictures`] gets the text inside a picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ocr {
    /// Not at all.
    Off,
    /// Recognise it now when it is not cached (`scrubs check`).
    Now,
    /// Only from the cache; what is missing is noted in [`FilePictures::pending`] for the
    /// caller to recognise off the keystroke path (the server).
    Cached,
}

/// One picture file as last read.
struct Entry {
    size: u64,
    modified: Option<SystemTime>,
    hash: u64,
    picture: Arc<Picture>,
}

/// What was read from picture files, shared by every check of a session.
#[derive(Default)]
pub struct ImageCache {
    files: Mutex<HashMap<PathBuf, Entry>>,
    /// Recognised text by content hash (`None`: nothing recognisable, or the engine failed).
    texts: Mutex<HashMap<u64, Option<String>>>,
    /// Content hashes being recognised now (the server's background OCR).
    recognising: Mutex<std::collections::HashSet<u64>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// FNV-1a over the file's bytes: a content key for the OCR cache (not a security hash).
fn content_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl ImageCache {
    pub fn new() -> ImageCache {
        ImageCache::default()
    }

    /// The picture at `path` (metadata, and the recognised text if known), read again only
    /// when its size or modification time changed. `None`: missing, unreadable, too large or
    /// not a picture.
    pub fn picture(&self, path: &Path, ocr: Ocr) -> Option<(Arc<Picture>, u64)> {
        let md = std::fs::metadata(path).ok()?;
        if !md.is_file() || md.len() > MAX_IMAGE_BYTES || !is_picture_name(path) {
            return None;
        }
        let modified = md.modified().ok();
        let cached = lock(&self.files)
            .get(path)
            .filter(|e| e.size == md.len() && e.modified == modified)
            .map(|e| (e.picture.clone(), e.hash));
        let (picture, hash) = match cached {
            Some(c) => c,
            None => {
                let bytes = std::fs::read(path).ok()?;
                let hash = content_hash(&bytes);
                let picture = Arc::new(Picture {
                    metadata: read_metadata(&bytes),
                    text: None,
                });
                let entry = Entry {
                    size: md.len(),
                    modified,
                    hash,
                    picture: picture.clone(),
                };
                lock(&self.files).insert(path.to_path_buf(), entry);
                (picture, hash)
            }
        };
        if picture.text.is_some() || ocr == Ocr::Off {
            return Some((picture, hash));
        }
        // The text: known by content hash, or recognised now (`Ocr::Now`). Once known it is kept
        // in the file's entry, so later lookups return that picture as it is.
        let known = lock(&self.texts).get(&hash).cloned();
        let text = match known {
            Some(t) => t,
            None if ocr == Ocr::Now => match self.recognise_into(path, hash) {
                Some(t) => t,
                None => return Some((picture, hash)),
            },
            None => return Some((picture, hash)),
        };
        let with = Arc::new(Picture {
            metadata: picture.metadata.clone(),
            text: Some(text.unwrap_or_default()),
        });
        if let Some(e) = lock(&self.files).get_mut(path).filter(|e| e.hash == hash) {
            e.picture = with.clone();
        }
        Some((with, hash))
    }

    /// Whether the text of the file with content `hash` is known (recognised, or failed).
    pub fn has_text(&self, hash: u64) -> bool {
        lock(&self.texts).contains_key(&hash)
    }

    /// Marks the text of content `hash` as being recognised; false if it already is (or known).
    pub fn begin_recognising(&self, hash: u64) -> bool {
        if self.has_text(hash) {
            return false;
        }
        lock(&self.recognising).insert(hash)
    }

    pub fn end_recognising(&self, hash: u64) {
        lock(&self.recognising).remove(&hash);
    }

    /// Recognises the text of `path` (content `hash`) and keeps it. `None` when no OCR engine
    /// is installed (nothing is kept, so an engine installed later is used).
    pub fn recognise_into(&self, path: &Path, hash: u64) -> Option<Option<String>> {
        let engine = tesseract()?;
        let text = recognise(&engine, path)
            .ok()
            .filter(|t| !t.trim().is_empty());
        lock(&self.texts).insert(hash, text.clone());
        Some(text)
    }

    /// Forgets everything (the server's memory release).
    pub fn clear(&self) {
        lock(&self.files).clear();
        lock(&self.texts).clear();
    }
}

/// File names the picture rules read (by extension).
pub fn is_picture_name(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("jpg" | "jpeg" | "png" | "webp" | "tif" | "tiff" | "heic" | "heif" | "avif" | "gif")
    )
}

/// The pictures of one draft, answered from its folder through a shared [`ImageCache`].
pub struct FilePictures<'a> {
    base: Option<PathBuf>,
    cache: &'a ImageCache,
    ocr: Ocr,
    /// Pictures whose text is not known yet (with [`Ocr::Cached`]): (path, content hash).
    pending: Mutex<Vec<(PathBuf, u64)>>,
}

impl<'a> FilePictures<'a> {
    /// For a draft at `draft` (its folder is the base of relative references; `None`: the
    /// current folder, for standard input).
    pub fn new(draft: Option<&Path>, cache: &'a ImageCache, ocr: Ocr) -> FilePictures<'a> {
        let base = Self::base_of(draft);
        // OCR is asked for only when an engine is installed.
        let ocr = if ocr != Ocr::Off && tesseract().is_none() {
            Ocr::Off
        } else {
            ocr
        };
        FilePictures {
            base,
            cache,
            ocr,
            pending: Mutex::new(Vec::new()),
        }
    }

    /// The folder relative references start from: the draft's.
    fn base_of(draft: Option<&Path>) -> Option<PathBuf> {
        draft.and_then(|d| d.parent()).map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        })
    }

    /// The file `dest` refers to.
    pub fn path(&self, dest: &str) -> Option<PathBuf> {
        resolve(self.base.as_deref(), dest)
    }

    /// The pictures whose text was not known during the checks so far (see [`Ocr::Cached`]).
    pub fn pending(&self) -> Vec<(PathBuf, u64)> {
        std::mem::take(&mut *lock(&self.pending))
    }
}

impl Pictures for FilePictures<'_> {
    fn inspect(&self, dest: &str) -> Option<Arc<Picture>> {
        let path = self.path(dest)?;
        let (p, hash) = self.cache.picture(&path, self.ocr)?;
        if self.ocr == Ocr::Cached && p.text.is_none() && !self.cache.has_text(hash) {
            let mut pending = lock(&self.pending);
            if !pending.iter().any(|(q, _)| q == &path) {
                pending.push((path, hash));
            }
        }
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_not_local_files() {
        let base = Path::new("/drafts");
        for url in [
            "https://example.org/a.jpg",
            "http://x/a.png",
            "//cdn.example.org/a.jpg",
            "data:image/png;base64,AAAA",
            "mailto:a@b.c",
            "#top",
            "",
        ] {
            assert_eq!(resolve(Some(base), url), None, "{url}");
        }
        assert_eq!(
            resolve(Some(base), "img/ward%20night.jpg?v=2#x"),
            Some(PathBuf::from("/drafts/img/ward night.jpg"))
        );
        assert_eq!(
            resolve(Some(base), "<ward.jpg>"),
            Some(PathBuf::from("/drafts/ward.jpg"))
        );
        assert_eq!(
            resolve(None, "/srv/a.jpg"),
            Some(PathBuf::from("/srv/a.jpg"))
        );
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }
}
