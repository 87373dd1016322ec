//! Where inserted text (a disclaimer, a not-medical-advice notice) goes.
//!
//! Markdown posts get it as the last paragraph, in italics, before trailing
//! footnote and link-reference definitions; a post with an "About" or "About
//! me" heading gets it under that heading instead; a short plain-text post
//! (under 300 characters) gets the short form on the same line. The
//! `disclaimer.placement` setting picks `start` or `front-matter` (with
//! `disclaimer.field`).
//!
//! Every placement that makes sense for the document is offered as its own
//! fix: the default (or configured) one first and preferred, then the
//! others (under "About", at the end, in the front matter when there is
//! one, the long form at the end of a short post).

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
/// The first fix is the preferred one.
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
    let fix = |title: String, range: std::ops::Range<usize>, new_text: String| Fix {
        title,
        edits: vec![Edit { range, new_text }],
        safe: true,
        preferred: false,
        parts: Vec::new(),
    };

    let start = || {
        let at = cx.markup.front_matter.as_ref().map(|r| r.end).unwrap_or(0);
        fix(
            format!("Add {what} at the start"),
            at..at,
            format!("{}{nl}{nl}", para(long)),
        )
    };
    let front_matter = || -> Option<Fix> {
        let fm = cx.markup.front_matter.as_ref()?;
        // Before the closing fence: the last line of the block.
        let block = &text[fm.clone()];
        let trimmed = block.trim_end_matches(['\n', '\r']);
        let i = trimmed.rfind('\n')?;
        let at = fm.start + i + 1;
        let value = long.replace('\\', "\\\\").replace('"', "\\\"");
        let line = if block.starts_with("+++") {
            format!("{field} = \"{value}\"{nl}")
        } else {
            format!("{field}: \"{value}\"{nl}")
        };
        Some(fix(
            format!("Add {what} to the front matter (`{field}`)"),
            at..at,
            line,
        ))
    };
    let short_form = || -> Option<Fix> {
        if !is_short_post(cx) {
            return None;
        }
        let end = text.trim_end().len();
        Some(fix(
            format!("Add {what} (short form)"),
            end..end,
            format!(" {short}"),
        ))
    };
    let about = || -> Option<Fix> {
        if !md {
            return None;
        }
        let (range, _, _) = cx.markup.headings.iter().find(|(_, _, t)| {
            let t = t.trim().trim_end_matches(':').to_lowercase();
            t == "about" || t == "about me"
        })?;
        // The end of the heading's line (its range may already include
        // the line break).
        let line_end = if text[..range.end].ends_with('\n') {
            range.end
        } else {
            text[range.end..]
                .find('\n')
                .map(|i| range.end + i + 1)
                .unwrap_or(text.len())
        };
        let prefix = if line_end == text.len() && !text.ends_with('\n') {
            format!("{nl}{nl}")
        } else {
            nl.to_string()
        };
        Some(fix(
            format!("Add {what} under “About”"),
            line_end..line_end,
            format!("{prefix}{}{nl}", para(long)),
        ))
        .map(|mut f| {
            // Keep a blank line between it and what follows.
            if !text[line_end..].starts_with(['\n', '\r']) && line_end < text.len() {
                f.edits[0].new_text.push_str(nl);
            }
            f
        })
    };
    let end = || {
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
        let (range, new_text) = if at == text.len() {
            if content_end == 0 {
                (0..0, para(long))
            } else {
                // Keep the file's final line break, if it had one.
                let tail = if text[content_end..].contains('\n') {
                    nl
                } else {
                    ""
                };
                (
                    content_end..text.len(),
                    format!("{nl}{nl}{}{tail}", para(long)),
                )
            }
        } else {
            let before = &text[..at];
            let sep = if before.ends_with("\n\n") || before.ends_with("\r\n\r\n") {
                ""
            } else {
                nl
            };
            (at..at, format!("{sep}{}{nl}{nl}", para(long)))
        };
        fix(
            format!("Add {what} at the end of the post"),
            range,
            new_text,
        )
    };

    let mut fixes: Vec<Fix> = Vec::new();
    match placement {
        Placement::Start => fixes.push(start()),
        Placement::FrontMatter => fixes.extend(front_matter()),
        Placement::End => {}
    }
    // The default order: short form on a short post, else under "About",
    // else at the end; then the other placements that make sense.
    fixes.extend(short_form());
    fixes.extend(about());
    fixes.push(end());
    if placement != Placement::FrontMatter {
        fixes.extend(front_matter());
    }
    if md {
        // An unclosed construct (an HTML comment, a code fence) swallows text
        // inserted after it: such a fix is replaced by one at the start.
        for f in &mut fixes {
            if !is_prose_after(cx, &f.edits[0], long) {
                *f = start();
            }
        }
        let mut seen: Vec<Vec<Edit>> = Vec::new();
        fixes.retain(|f| {
            let new = !seen.contains(&f.edits);
            seen.push(f.edits.clone());
            new
        });
    }
    if let Some(first) = fixes.first_mut() {
        first.preferred = true;
    }
    fixes
}

/// Whether `long` is prose (inside a block) once `edit` is applied.
///
/// Only the front matter is parsed again for an edit inside it, and only
/// the text from the last top-level block starting at or before the edit
/// for an edit in the body: everything before it is closed and cannot swallow
/// the inserted text (a construct left open, an HTML comment or a code
/// fence, starts in that last block or later). A block that could read as
/// front matter at the start of a text (`---`, `+++`) is passed over for an
/// earlier one.
fn is_prose_after(cx: &Context, edit: &Edit, long: &str) -> bool {
    // An edit inside the front matter: the front matter alone tells.
    if let Some(fm) = cx.markup.front_matter.as_ref() {
        if edit.range.end < fm.end {
            let fixed =
                crate::engine::finding::apply_edits(&cx.text[..fm.end], std::slice::from_ref(edit));
            return crate::markup::extract(&fixed, cx.format)
                .blocks
                .iter()
                .any(|b| b.text.contains(long));
        }
    }
    let starts = &cx.markup.top_level;
    let k = starts.partition_point(|&s| s <= edit.range.start);
    let from = starts[..k]
        .iter()
        .rev()
        .copied()
        .find(|&s| !cx.text[s..].starts_with(['-', '+']))
        .unwrap_or(0);
    let local = Edit {
        range: edit.range.start - from..edit.range.end - from,
        new_text: edit.new_text.clone(),
    };
    let fixed = crate::engine::finding::apply_edits(&cx.text[from..], std::slice::from_ref(&local));
    crate::markup::extract(&fixed, cx.format)
        .blocks
        .iter()
        .any(|b| b.text.contains(long))
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

    /// (title, the text after the fix) for each disclaimer fix of `text`.
    fn fixes(checker: &Checker, text: &str, format: Format) -> Vec<(String, String)> {
        let found = checker.check(text, format);
        let f = found
            .iter()
            .find(|f| f.rule == "disclaimer/missing")
            .expect("disclaimer/missing");
        assert!(f.fixes[0].preferred);
        assert!(f.fixes[1..].iter().all(|x| !x.preferred));
        f.fixes
            .iter()
            .map(|x| {
                let after = x.apply(text);
                // The fix removes the finding.
                assert!(
                    !checker
                        .check(&after, format)
                        .iter()
                        .any(|g| g.rule == "disclaimer/missing"),
                    "{after:?}"
                );
                (x.title.clone(), after)
            })
            .collect()
    }

    const MAYO: &str = "*The views expressed on this blog are my own and do not reflect the views of my employer.*";

    #[test]
    fn end_of_post_keeps_crlf_and_the_final_line_break() {
        let c = Checker::default_checker();
        let t = "# Nights\r\n\r\nAs a nurse at Mayo Clinic, I see sunrises.\r\n";
        let f = fixes(&c, t, Format::Markdown);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].1,
            format!("# Nights\r\n\r\nAs a nurse at Mayo Clinic, I see sunrises.\r\n\r\n{MAYO}\r\n")
        );
        let t = "As a nurse at Mayo Clinic, I see sunrises.";
        assert_eq!(
            fixes(&c, t, Format::Markdown)[0].1,
            format!("{t}\n\n{MAYO}")
        );
    }

    #[test]
    fn front_matter_is_offered_second_and_first_when_configured() {
        let t = "---\ntitle: Nights\n---\n\nAs a nurse at Mayo Clinic, I see sunrises.\n";
        let f = fixes(&Checker::default_checker(), t, Format::Markdown);
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0].1,
            format!(
                "---\ntitle: Nights\n---\n\nAs a nurse at Mayo Clinic, I see sunrises.\n\n{MAYO}\n"
            )
        );
        assert_eq!(
            f[1].0,
            "Add the Mayo Clinic disclaimer to the front matter (`disclaimer`)"
        );
        assert_eq!(
            f[1].1,
            "---\ntitle: Nights\ndisclaimer: \"The views expressed on this blog are my own and do not reflect the views of my employer.\"\n---\n\nAs a nurse at Mayo Clinic, I see sunrises.\n"
        );
        let settings = crate::config::Settings::from_toml(
            "scrubs.toml",
            "[disclaimer]\nplacement = \"front-matter\"\nfield = \"note\"\ntext = \"Mine, not theirs.\"\n",
        )
        .unwrap();
        let c = Checker::new(settings, Vec::new()).unwrap();
        let toml = "+++\ntitle = 'Nights'\n+++\nAs a nurse at Mayo Clinic, I see sunrises.\n";
        let f = fixes(&c, toml, Format::Markdown);
        assert_eq!(
            f[0].1,
            "+++\ntitle = 'Nights'\nnote = \"Mine, not theirs.\"\n+++\nAs a nurse at Mayo Clinic, I see sunrises.\n"
        );
        assert_eq!(f[1].0, "Add your disclaimer at the end of the post");
    }

    #[test]
    fn start_placement_goes_after_front_matter() {
        let settings = crate::config::Settings::from_toml(
            "scrubs.toml",
            "[disclaimer]\nplacement = \"start\"\n",
        )
        .unwrap();
        let c = Checker::new(settings, Vec::new()).unwrap();
        let t = "---\ntitle: Nights\n---\nAs a nurse at Mayo Clinic, I see sunrises.\n";
        let f = fixes(&c, t, Format::Markdown);
        assert_eq!(
            f[0].1,
            format!(
                "---\ntitle: Nights\n---\n{MAYO}\n\nAs a nurse at Mayo Clinic, I see sunrises.\n"
            )
        );
        assert_eq!(f.len(), 3, "{f:?}");
    }

    #[test]
    fn before_trailing_footnotes_and_link_definitions() {
        let t = "I am an ICU nurse at Mass General.[^1] See [my unit][u].\n\n[^1]: Since 2019.\n\n[u]: https://example.org/u\n";
        let f = fixes(&Checker::default_checker(), t, Format::Markdown);
        let mgh = "*The views expressed on this blog are my own and do not reflect the views of my employer.*";
        assert_eq!(
            f[0].1,
            format!("I am an ICU nurse at Mass General.[^1] See [my unit][u].\n\n{mgh}\n\n[^1]: Since 2019.\n\n[u]: https://example.org/u\n")
        );
    }

    #[test]
    fn about_me_heading_first_then_the_end() {
        let t = "# Notes\n\nI run.\n\n## About me\n\nI am a pharmacist at the University of Minnesota.\n\n## Gear\n\nShoes.\n";
        let f = fixes(&Checker::default_checker(), t, Format::Markdown);
        assert_eq!(f.len(), 2);
        assert!(f[0].0.contains("under “About”"), "{}", f[0].0);
        let (about_at, _) = f[0].1.split_once("## About me\n").unwrap();
        assert_eq!(about_at, "# Notes\n\nI run.\n\n");
        assert!(
            f[0].1.contains("## About me\n\n*I am writing for myself; my views are my own and not those of the University of Minnesota.*\n\nI am a pharmacist"),
            "{}",
            f[0].1
        );
        // A heading followed directly by text still gets blank lines around.
        let t = "## About\nI am a pharmacist at the University of Minnesota.\n";
        let f = fixes(&Checker::default_checker(), t, Format::Markdown);
        assert!(
            f[0].1.starts_with("## About\n\n*I am writing"),
            "{}",
            f[0].1
        );
        assert!(f[0].1.contains("Minnesota.*\n\nI am"), "{}", f[0].1);
        assert!(f[1].1.starts_with(t.trim_end()));
        assert!(f[1].0.contains("at the end"));
    }

    #[test]
    fn short_plain_text_post_gets_the_short_form_on_the_same_line() {
        let c = Checker::default_checker();
        let t = "Big week! I work at Memorial Sloan Kettering and passed my boards.\n";
        let f = fixes(&c, t, Format::PlainText);
        assert_eq!(
            f[0].1,
            "Big week! I work at Memorial Sloan Kettering and passed my boards. Tweets are my own.\n"
        );
        assert_eq!(f.len(), 2);
        assert!(f[1].0.contains("at the end"));
        let t = "RN @ UMN Medical Center. Coffee first.";
        assert_eq!(
            fixes(&c, t, Format::PlainText)[0].1,
            "RN @ UMN Medical Center. Coffee first. Views my own."
        );
    }
}
