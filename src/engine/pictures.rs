//! What the engine may know about the pictures a draft links to.
//!
//! The engine reads no files: the CLI and the server pass a [`Pictures`] (implemented in
//! [`crate::images`]: a picture's metadata read from the file, its text recognised by OCR when an
//! engine is installed) and the picture rules (`media/image-metadata`, `*/text-in-image`) ask it
//! about each image reference. Without one (the default, and in every rule-only check) those
//! rules report nothing.

use std::sync::{Arc, OnceLock};

use crate::engine::{Context, Finding};
use crate::markup::Format;

/// A kind of metadata that tells where, when or by whom a picture was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MetaKind {
    /// GPS latitude and longitude.
    Location,
    /// When it was taken (or digitised, or last changed by the camera).
    Time,
    /// The camera's owner, the photographer or the copyright holder named in it.
    Owner,
    /// The camera's or lens's serial number.
    Serial,
    /// A smaller copy of the picture inside the file (it keeps what a crop removed).
    Thumbnail,
    /// People named in XMP or IPTC tags (face regions, "person in image").
    People,
}

impl MetaKind {
    /// How a finding's message names it.
    pub fn describe(self) -> &'static str {
        match self {
            MetaKind::Location => "the GPS position where it was taken",
            MetaKind::Time => "the date and time it was taken",
            MetaKind::Owner => "the camera owner's or photographer's name",
            MetaKind::Serial => "the camera's serial number",
            MetaKind::Thumbnail => "an embedded thumbnail (a copy of the uncropped picture)",
            MetaKind::People => "the names of people tagged in it",
        }
    }
}

/// What is known about one picture.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picture {
    /// Identifying metadata, each with its value as read (a position, a time, a name).
    pub metadata: Vec<(MetaKind, String)>,
    /// The text recognised in the picture; `None` when it was not (no OCR engine, not yet, or
    /// not an image an engine reads).
    pub text: Option<String>,
}

/// Answers for the image references of one draft (relative paths are the draft's).
pub trait Pictures: Sync {
    /// What is known about the picture `dest` (as written in the draft). `None`: not a local
    /// file (a URL is never fetched), missing, or not an image.
    fn inspect(&self, dest: &str) -> Option<Arc<Picture>>;
}

/// One image reference's picture as this check sees it: asked of [`Pictures`] once per check,
/// and its text checked once however many rules read the findings.
pub struct Inspected {
    pub picture: Arc<Picture>,
    text_findings: OnceLock<Vec<Finding>>,
}

impl Inspected {
    /// The rules' findings on the picture's text, checked as a plain-text post (no pictures there);
    /// empty when no text was recognised.
    pub fn text_findings(&self, cx: &Context) -> &[Finding] {
        self.text_findings
            .get_or_init(|| match self.picture.text.as_deref() {
                Some(t) if !t.trim().is_empty() => cx.checker.check(t, Format::PlainText),
                _ => Vec::new(),
            })
    }
}

/// What `cx.pictures` says of each of `cx.markup.images` (by index), asked on first use in a
/// check and shared by every picture rule.
pub fn inspected<'c>(cx: &'c Context) -> &'c [Option<Inspected>] {
    cx.pictures_seen.get_or_init(|| match cx.pictures {
        None => Vec::new(),
        Some(p) => cx
            .markup
            .images
            .iter()
            .map(|img| {
                p.inspect(&img.dest).map(|picture| Inspected {
                    picture,
                    text_findings: OnceLock::new(),
                })
            })
            .collect(),
    })
}
