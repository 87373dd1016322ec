//! `phi/patient-image`: an image that shows a patient, a body part, a scan,
//! a chart, a specimen or a cadaver.

use std::sync::OnceLock;

use crate::engine::{Context, Edit, Finding, Fix, Rule, RuleMeta, Severity};
use crate::rules::context::{self, CueSet};

pub struct PatientImage;

static META: RuleMeta = RuleMeta {
    id: "phi/patient-image",
    default_severity: Severity::Error,
    summary: "An image of a patient, a body part, an X-ray, scan, chart, specimen or cadaver.",
    what: "Flags a Markdown image whose alt text, file name, title or surrounding sentence shows a patient (including a full-face photo), a wound or body part, an X-ray, CT, MRI or ultrasound, a chart, a specimen or a cadaver.",
    why: "Full-face photos and comparable images are HIPAA identifiers, and a scan or wound photo can carry a name, a date or a recognisable feature. UMN forbids photos of patients, research subjects and cadavers, body parts included, without written permission.",
    fix: "Removes the image.",
    fires: &[
        "Wild case today ![x-ray of my patient's hand](img/pt-xray.png)",
        "![selfie](me.jpg) with my favourite patient before discharge!",
        "![](uploads/ct-scan-bed4.jpg)",
        "biggest pneumothorax I've ever seen ![cxr](cxr_today.png)",
    ],
    clean: &[
        "![sunrise over the parking ramp](sunrise.jpg)",
        "Never post a patient's X-ray, even cropped.",
        "![Infographic: never post patient X-rays](hipaa-tips.png)",
        "```\n![x-ray](pt.png)\n```",
    ],
};

fn cues() -> &'static CueSet {
    static S: OnceLock<CueSet> = OnceLock::new();
    S.get_or_init(|| {
        CueSet::new(&[
            "patient",
            "patient's",
            "patient’s",
            "pt",
            "x-ray",
            "xray",
            "cxr",
            "x ray",
            "radiograph",
            "ct",
            "cat scan",
            "mri",
            "scan",
            "ultrasound",
            "sonogram",
            "echo",
            "ekg",
            "ecg",
            "tele strip",
            "chart",
            "wound",
            "rash",
            "lesion",
            "ulcer",
            "specimen",
            "biopsy",
            "histology",
            "pathology",
            "slide",
            "cadaver",
            "tumor",
            "tumour",
            "fracture",
            "incision",
            "stitches",
            "sutures",
            "bedside",
            "baby",
            "newborn",
            "resident",
        ])
    })
}

impl Rule for PatientImage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, cx: &Context, out: &mut Vec<Finding>) {
        for img in &cx.markup.images {
            let sentence = img
                .block
                .and_then(|b| cx.markup.blocks.get(b))
                .map(|b| b.text.as_str())
                .unwrap_or("");
            let own = format!(
                "{} {} {}",
                img.alt,
                img.dest.replace(['-', '_', '/', '.'], " "),
                img.title
            );
            if context::teaches_policy(&own) || context::teaches_policy(sentence) {
                continue;
            }
            let hit = cues()
                .find(&own)
                .map(|r| own[r].to_string())
                .or_else(|| cues().find(sentence).map(|r| sentence[r].to_string()));
            let Some(what) = hit else { continue };
            if context::is_hypothetical(&own) {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    img.range.clone(),
                    format!("This image appears to show a patient (“{what}”); patient images need written permission and usually identify the patient."),
                )
                .with_fix(Fix {
                    title: "Remove the image".into(),
                    edits: vec![Edit {
                        range: removal(cx.text, img.range.clone()),
                        new_text: String::new(),
                    }],
                    safe: false,
                    preferred: true,
                    parts: Vec::new(),
                }),
            );
        }
    }
}

/// The image at `r` with the space that set it off: the one before it, or
/// at the start of a line its indentation and the spaces after it (and the
/// line break, when the image was the whole line), so no blank (or
/// whitespace-only line, which would split the paragraph) is left where it
/// stood.
fn removal(text: &str, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let before = &text[..r.start];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let indent_only = before[line_start..].trim().is_empty();
    if before.ends_with([' ', '\t']) && !indent_only {
        return r.start - 1..r.end;
    }
    if indent_only {
        let after = &text[r.end..];
        let rest = after.trim_start_matches([' ', '\t']);
        let end = r.end + (after.len() - rest.len());
        // The whole line: it goes with its indentation and line break.
        let line_break = if rest.starts_with("\r\n") {
            2
        } else if rest.is_empty() || rest.starts_with(['\n', '\r']) {
            rest.len().min(1)
        } else {
            return r.start..end;
        };
        return line_start..end + line_break;
    }
    r
}

#[cfg(test)]
mod tests {
    use crate::rules::phi::tests::fixed;

    #[test]
    fn removes_the_image() {
        assert_eq!(
            fixed(
                "Wild case ![x-ray of my patient](pt.png) today.",
                "phi/patient-image"
            ),
            "Wild case today."
        );
        // At the start of a line: the space after; the whole line: its break.
        assert_eq!(
            fixed(
                "![selfie](me.jpg) with my patient today",
                "phi/patient-image"
            ),
            "with my patient today"
        );
        assert_eq!(
            fixed(
                "Proud of this one.\n![wound on day 3](pt_wound.jpg)\nhealing nicely",
                "phi/patient-image"
            ),
            "Proud of this one.\nhealing nicely"
        );
    }
}
