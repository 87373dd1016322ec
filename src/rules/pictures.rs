//! The picture rules: what a linked local image holds that the draft's prose does not show.
//!
//! `media/image-metadata`: identifying metadata in the file (GPS position, time taken, owner,
//! serial, embedded thumbnail, people tags). `phi/text-in-image`, `professionalism/text-in-image`
//! and `confidential/text-in-image`: the text recognised in the picture (a screenshot of a
//! patient list, a photo of a chart, a monitor) run through the rules of that category.
//!
//! The engine reads no files: what a picture holds comes from [`crate::engine::Pictures`]
//! ([`Context::pictures`], given by the CLI and the server, see [`crate::images`]). Without
//! one these rules report nothing. Each finding sits on the whole image reference.

use crate::engine::pictures::inspected;
use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};

/// `media/image-metadata`
pub struct ImageMetadata;

static METADATA: RuleMeta = RuleMeta {
    id: "media/image-metadata",
    default_severity: Severity::Warning,
    summary: "A linked picture whose file carries its GPS position, the time it was taken, the camera owner or serial, a thumbnail or people tags.",
    what: "Reads the metadata (EXIF, XMP, IPTC) of every local picture the draft links to (Markdown `![…](path)`, HTML `<img src>`, relative to the draft) and flags a picture whose file holds the GPS position where it was taken, the date and time, the camera owner's or photographer's name, the camera's serial number, an embedded thumbnail or the names of people tagged in it. Remote pictures (URLs) are never fetched or read. (The examples assume `ward-night.jpg` is a phone photo with a GPS position and a time in it, and `sunset.jpg` a picture with no metadata.)",
    why: "Phones write where and when a photo was taken into the file, and anyone who saves the picture can read it. The University of Minnesota forbids discussing a specific patient even de-identified, because someone could recognise the patient \"based upon the context, time stamp or location data\"; under HIPAA's Safe Harbor, places smaller than a state and dates more specific than a year are identifiers.",
    fix: "Strip the metadata: the code action \"Strip the picture's metadata\" (or `scrubs check --fix-images`) rewrites the file without it and without re-encoding the pixels, keeping the original as NAME.orig.EXT. It never runs by itself.",
    fires: &["Night shift view ![the view from the unit](ward-night.jpg)"],
    clean: &[
        "![sunset over the lake](sunset.jpg)",
        "![a remote picture](https://example.org/ward-night.jpg)",
    ],
};

impl Rule for ImageMetadata {
    fn meta(&self) -> &'static RuleMeta {
        &METADATA
    }

    fn check_document(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (img, seen) in cx.markup.images.iter().zip(inspected(cx)) {
            let Some(p) = seen.as_ref().map(|s| &s.picture) else {
                continue;
            };
            if p.metadata.is_empty() {
                continue;
            }
            let items: Vec<String> = p
                .metadata
                .iter()
                .map(|(k, v)| {
                    if v.is_empty() {
                        k.describe().to_string()
                    } else {
                        format!("{} ({v})", k.describe())
                    }
                })
                .collect();
            out.push(Finding::new(
                &METADATA,
                img.range.clone(),
                format!(
                    "This picture's file holds {}. Anyone who saves the picture can read it; strip the metadata before posting.",
                    join(&items)
                ),
            ));
        }
    }
}

/// "a", "a and b", "a, b and c".
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A `*/text-in-image` rule: the rules of `category` over the text recognised in a picture.
pub struct TextInImage {
    meta: &'static RuleMeta,
    category: &'static str,
    what: &'static str,
}

pub static PHI_TEXT: TextInImage = TextInImage {
    meta: &PHI_TEXT_META,
    category: "phi",
    what: "patient information",
};
pub static PROFESSIONALISM_TEXT: TextInImage = TextInImage {
    meta: &PROFESSIONALISM_TEXT_META,
    category: "professionalism",
    what: "unprofessional words",
};
pub static CONFIDENTIAL_TEXT: TextInImage = TextInImage {
    meta: &CONFIDENTIAL_TEXT_META,
    category: "confidential",
    what: "confidential information",
};

static PHI_TEXT_META: RuleMeta = RuleMeta {
    id: "phi/text-in-image",
    default_severity: Severity::Error,
    summary: "A linked picture whose text holds patient identifiers: a screenshot of a patient list, a photo of a chart or a monitor.",
    what: "Recognises the text in every local picture the draft links to and runs the privacy rules over it: a name, a record number, a date of birth, a room or bed, an age over 89 inside a screenshot or a photo of a screen, a chart or a wristband is flagged on the image reference, quoting the recognised words. The text is recognised on this machine by Tesseract OCR when it is installed (`tesseract` on the PATH, or the `SCRUBS_TESSERACT` variable); without it the check is skipped. Remote pictures (URLs) are never fetched. (The examples assume `census.png` is a screenshot of a patient list and `sunset.jpg` a picture with no text.)",
    why: "A picture's text is published with the post even when the prose is clean: a patient list in the corner of a screenshot, a name burned into an X-ray, a monitor behind a selfie. Names, record numbers, dates of birth and any place smaller than a state are HIPAA identifiers.",
    fix: "Remove the picture, or crop or blur the text and link the new file. The recognition only reads what it can: check the picture yourself too.",
    fires: &["Finally got the census board working! ![our board](census.png)"],
    clean: &["![sunset over the lake](sunset.jpg)"],
};

static PROFESSIONALISM_TEXT_META: RuleMeta = RuleMeta {
    id: "professionalism/text-in-image",
    default_severity: Severity::Warning,
    summary: "A linked picture whose text holds profanity, slurs or mockery.",
    what: "Recognises the text in every local picture the draft links to (a meme, a screenshot of a chat, a sign) and runs the professionalism rules over it; a finding is flagged on the image reference, quoting the recognised words. (The example assumes `meme.png` is a meme with a swear word in it.)",
    why: "Words inside a picture are read like any other words in the post; policies treat unprofessional posts the same way whatever form they take.",
    fix: "Remove the picture or choose another.",
    fires: &["Every night shift ever ![meme](meme.png)"],
    clean: &["![sunset over the lake](sunset.jpg)"],
};

static CONFIDENTIAL_TEXT_META: RuleMeta = RuleMeta {
    id: "confidential/text-in-image",
    default_severity: Severity::Warning,
    summary: "A linked picture whose text holds internal or not-yet-public information: a photo of a memo, a slide, an e-mail.",
    what: "Recognises the text in every local picture the draft links to and runs the confidentiality rules over it: a photo of an internal memo or a screenshot of a staff e-mail is flagged on the image reference, quoting the recognised words. (The example assumes `memo.jpg` is a photo of an internal memo.)",
    why: "Internal memos, unreleased results and pending announcements are confidential whether they are typed into a post or photographed.",
    fix: "Remove the picture.",
    fires: &["Well this is news ![memo](memo.jpg)"],
    clean: &["![sunset over the lake](sunset.jpg)"],
};

impl Rule for TextInImage {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check_document(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (img, seen) in cx.markup.images.iter().zip(inspected(cx)) {
            let Some(seen) = seen else { continue };
            let Some(text) = seen
                .picture
                .text
                .as_deref()
                .filter(|t| !t.trim().is_empty())
            else {
                continue;
            };
            // The rules over the recognised text (checked once for the three text rules).
            let found = seen.text_findings(cx);
            let mut quotes: Vec<String> = Vec::new();
            for f in found.iter().filter(|f| f.category() == self.category) {
                if f.rule == self.meta.id {
                    continue;
                }
                let Some(words) = text.get(f.range.clone()) else {
                    continue;
                };
                let words: String = words.split_whitespace().collect::<Vec<_>>().join(" ");
                let q = format!("“{words}”");
                if !words.is_empty() && !quotes.contains(&q) {
                    quotes.push(q);
                }
            }
            if self.category == "phi" {
                // Screen-shaped text names patients the way prose does not: "Patient: Lucille
                // Okafor", "Name: SMITH, JOHN", a "Smith, John" row beside a record number or room.
                for name in screen_names(text) {
                    let q = format!("“{name}”");
                    if !quotes.contains(&q) {
                        quotes.insert(0, q);
                    }
                }
            }
            if quotes.is_empty() {
                continue;
            }
            let n = quotes.len();
            quotes.truncate(6);
            let more = if n > 6 {
                format!(" and {} more", n - 6)
            } else {
                String::new()
            };
            out.push(Finding::new(
                self.meta,
                img.range.clone(),
                format!(
                    "The text in this picture holds {}: {}{more}.",
                    self.what,
                    quotes.join(", ")
                ),
            ));
        }
    }
}

/// Names in the text of a screen, a chart or a list: after a `Patient:` / `Name:` label, or in
/// "Last, First" form on a line that also holds a record number, a date of birth, a room or a bed.
fn screen_names(text: &str) -> Vec<String> {
    use std::sync::OnceLock;
    static LABELLED: OnceLock<regex::Regex> = OnceLock::new();
    static ROW: OnceLock<regex::Regex> = OnceLock::new();
    static ROW_CUE: OnceLock<regex::Regex> = OnceLock::new();
    let labelled = LABELLED.get_or_init(|| {
        crate::rules::regex(
            r"(?i:\b(?:patient(?:\s+name)?|pt(?:\s+name)?|name|resident)\s*[:#]\s*)((?:[A-Z][\w'’-]+|[A-Z]{2,})(?:,?[ \t]+(?:[A-Z]\.|[A-Z][\w'’-]+|[A-Z]{2,})){1,3})",
        )
    });
    let row = ROW.get_or_init(|| {
        crate::rules::regex(
            r"\b((?:[A-Z][a-z][\w'’-]*|[A-Z]{2,}),[ \t]+(?:[A-Z][a-z][\w'’-]*|[A-Z]{2,}))\b",
        )
    });
    let row_cue = ROW_CUE.get_or_init(|| {
        crate::rules::regex(
            r"(?i)\b(?:MRN|DOB|D\.O\.B|room|rm|bed|bay|acct|account|admit(?:ted)?)\b",
        )
    });
    let mut out: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        let n = n.trim().to_string();
        if !out.contains(&n) {
            out.push(n);
        }
    };
    // A chart's next label ends a name ("Patient: Lucille Okafor Age: 97").
    const LABELS: &[&str] = &[
        "age", "dob", "mrn", "room", "rm", "bed", "sex", "dx", "unit", "admitted", "acct", "id",
    ];
    for line in text.lines() {
        for c in labelled.captures_iter(line) {
            let m = c.get(1).expect("group 1");
            let words: Vec<&str> = m.as_str().split_whitespace().collect();
            let mut keep = words
                .iter()
                .position(|w| {
                    LABELS.contains(&w.trim_end_matches(':').to_ascii_lowercase().as_str())
                })
                .unwrap_or(words.len());
            if keep == words.len() && line[m.end()..].starts_with(':') {
                keep -= 1;
            }
            if keep >= 1 {
                add(&words[..keep].join(" "));
            }
        }
        if row_cue.is_match(line) {
            for c in row.captures_iter(line) {
                add(&c[1]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_on_screens_are_found_by_their_label_or_their_row() {
        assert_eq!(
            super::screen_names(
                "PATIENT CHART\nPatient: Lucille Okafor   Age: 97\nRoom 412   Smith, John   MRN 00482913\nSmith, Adam Ltd. quarterly report\nName: GARCIA, MARIA\n"
            ),
            ["Lucille Okafor", "Smith, John", "GARCIA, MARIA"]
        );
        assert!(super::screen_names("Dear team, thanks.\nRoom 4 is free, Monday.").is_empty());
    }
}

#[cfg(test)]
pub(crate) mod examples {
    //! What the picture rules' examples assume the example files hold.
    use std::sync::Arc;

    use crate::engine::{MetaKind, Picture, Pictures};

    pub struct ExamplePictures;

    impl Pictures for ExamplePictures {
        fn inspect(&self, dest: &str) -> Option<Arc<Picture>> {
            if dest.contains("://") {
                return None;
            }
            let p = match dest {
                "ward-night.jpg" => Picture {
                    metadata: vec![
                        (MetaKind::Location, "44.02218, -92.46622".into()),
                        (MetaKind::Time, "2026-11-30 03:12:44".into()),
                    ],
                    text: Some(String::new()),
                },
                "census.png" => Picture {
                    metadata: Vec::new(),
                    text: Some(
                        "UNIT 4B CENSUS\nRm 412  SMITH, JOHN  MRN 00482913  DOB 03/14/1952\n".into(),
                    ),
                },
                "meme.png" => Picture {
                    metadata: Vec::new(),
                    text: Some("WHEN THE 3AM ADMIT IS A TOTAL SHITSHOW".into()),
                },
                "memo.jpg" => Picture {
                    metadata: Vec::new(),
                    text: Some("INTERNAL MEMO - DO NOT DISTRIBUTE\nBefore it goes public: layoffs are coming to radiology next month.".into()),
                },
                _ => Picture::default(),
            };
            Some(Arc::new(p))
        }
    }
}
