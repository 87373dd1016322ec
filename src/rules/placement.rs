//! Where inserted text (a disclaimer, a not-medical-advice notice) goes.
//!
//! Markdown posts get it as the last paragraph, in italics, before trailing
//! footnote and link-reference definitions; a post with an "About" or "About
//! me" heading gets it under that heading instead (offered first); a short
//! plain-text post (under 300 characters) gets the short form on the same
//! line. The `disclaimer.placement` setting picks `start` or `front-matter`.

use crate::config::Placement;
use crate::engine::{Context, Edit, Fix};
use crate::markup::Format;

/// Short posts: plain text under this many characters.
pub const SHORT_POST: usize = 300;

fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Whether `cx`'s document is a short post (plain text under 300 characters).
pub fn is_short_post(cx: &Context) -> bool {
    cx.format == Format::PlainText && cx.text.chars().count() < SHORT_POST
}

/// Fixes that insert `long` (or `short`, on a short post) as its own
/// paragraph. `what` names it in titles ("the Mayo Clinic disclaimer").
pub fn insertion_fixes(
    cx: &Context,
    what: &str,
    long: &str,
    short: &str,
    placement: Placement,
    field: &str,
) -> Vec<Fix> {
    let text = cx.text;
    let nl = newline(text);
    let md = matches!(cx.format, Format::Markdown | Format::Mdx);
    let html = cx.format == Format::Html;
    let para = |s: &str| {
        if md {
            format!("*{s}*")
        } else if html {
            let e = s
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!("<p>{e}</p>")
        } else {
            s.to_string()
        }
    };
    let mut fixes = Vec::new();
    let fix = |title: String, edit: Edit, preferred: bool| Fix {
        title,
        edits: vec![edit],
        safe: true,
        preferred,
    };
    match placement {
        Placement::Start => {
            let at = cx.markup.front_matter.as_ref().map(|r| r.end).unwrap_or(0);
            fixes.push(fix(
                format!("Add {what} at the start"),
                Edit {
                    range: at..at,
                    new_text: format!("{}{nl}{nl}", para(long)),
                },
                true,
            ));
            return fixes;
        }
        Placement::FrontMatter => {
            if let Some(fm) = &cx.markup.front_matter {
                // Before the closing fence: the last line of the block.
                let block = &text[fm.clone()];
                let trimmed = block.trim_end_matches(['\n', '\r']);
                if let Some(i) = trimmed.rfind('\n') {
                    let at = fm.start + i + 1;
                    let toml = block.starts_with("+++");
                    let value = long.replace('\\', "\\\\").replace('"', "\\\"");
                    let line = if toml {
                        format!("{field} = \"{value}\"{nl}")
                    } else {
                        format!("{field}: \"{value}\"{nl}")
                    };
                    fixes.push(fix(
                        format!("Add {what} to the front matter (`{field}`)"),
                        Edit {
                            range: at..at,
                            new_text: line,
                        },
                        true,
                    ));
                    return fixes;
                }
            }
            // No front matter: fall through to the end of the post.
        }
        Placement::End => {}
    }
    if is_short_post(cx) {
        let end = text.trim_end().len();
        fixes.push(fix(
            format!("Add {what} (short form)"),
            Edit {
                range: end..end,
                new_text: format!(" {short}"),
            },
            true,
        ));
        return fixes;
    }
    // Under an "About" heading, when the post has one.
    if md {
        if let Some((range, _, _)) = cx.markup.headings.iter().find(|(_, _, t)| {
            let t = t.trim().trim_end_matches(':').to_lowercase();
            t == "about" || t == "about me"
        }) {
            let line_end = text[range.end..]
                .find('\n')
                .map(|i| range.end + i + 1)
                .unwrap_or(text.len());
            let prefix = if line_end == text.len() && !text.ends_with('\n') {
                format!("{nl}{nl}")
            } else {
                nl.to_string()
            };
            fixes.push(fix(
                format!("Add {what} under “About”"),
                Edit {
                    range: line_end..line_end,
                    new_text: format!("{prefix}{}{nl}", para(long)),
                },
                true,
            ));
        }
    }
    let preferred = fixes.is_empty();
    // In HTML, the end of the post is before `</body>` when there is one.
    let body_end = if html {
        text.to_ascii_lowercase().rfind("</body")
    } else {
        None
    };
    let at = cx
        .markup
        .trailing_definitions
        .filter(|_| md)
        .or(body_end)
        .unwrap_or(text.len());
    let content_end = text[..at].trim_end().len();
    let edit = if at == text.len() {
        if content_end == 0 {
            Edit {
                range: 0..0,
                new_text: para(long),
            }
        } else {
            Edit {
                range: content_end..content_end,
                new_text: format!("{nl}{nl}{}", para(long)),
            }
        }
    } else {
        let before = &text[..at];
        let sep = if before.ends_with("\n\n") || before.ends_with("\r\n\r\n") {
            ""
        } else {
            nl
        };
        Edit {
            range: at..at,
            new_text: format!("{sep}{}{nl}{nl}", para(long)),
        }
    };
    fixes.push(fix(
        format!("Add {what} at the end of the post"),
        edit,
        preferred,
    ));
    fixes
}

#[cfg(test)]
mod tests {
    use crate::config::{OneOrMany, Settings};
    use crate::engine::Checker;
    use crate::markup::Format;

    #[test]
    fn in_html_the_disclaimer_is_a_paragraph_before_the_body_ends() {
        let s = Settings {
            institution: Some(OneOrMany::One("mayo".into())),
            ..Settings::default()
        };
        let c = Checker::new(s, Vec::new()).unwrap();
        let text =
            "<html><body>\n<p>As a nurse at Mayo Clinic, I love nights.</p>\n</body></html>\n";
        let found = c.check(text, Format::Html);
        let f = found
            .iter()
            .find(|f| f.rule == "disclaimer/missing")
            .expect("finding");
        let fixed = f.fixes.iter().find(|x| x.preferred).unwrap().apply(text);
        let body_end = fixed.find("</body>").unwrap();
        let p = fixed.rfind("<p>").unwrap();
        assert!(p > text.find("</p>").unwrap() && p < body_end, "{fixed}");
        assert!(fixed[p..body_end].trim_end().ends_with("</p>"), "{fixed}");
        assert!(
            c.check(&fixed, Format::Html)
                .iter()
                .all(|f| f.rule != "disclaimer/missing"),
            "{fixed}"
        );
    }
}
