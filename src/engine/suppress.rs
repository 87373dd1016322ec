//! Suppression: the writer's own "this is fine" marks, applied after the
//! rules run so that the CLI and the language server both honour them.
//!
//! Markdown, in HTML comments (invisible once published):
//!
//! ```markdown
//! <!-- scrubs-disable-next-line phi/age-over-89 -->
//! <!-- scrubs-disable disclaimer work-email -->  …  <!-- scrubs-enable disclaimer -->
//! ```
//!
//! Plain text, on a line of its own: `scrubs: disable-next-line phi`,
//! `scrubs: disable`, `scrubs: enable`. Each names rule ids or categories
//! (several, separated by spaces or commas; none means every rule); words
//! after `--` are a reason and ignored. `disable-next-line` covers the next
//! non-blank line (a finding that starts on it); `disable` covers the rest
//! of the document, or up to an `enable` naming the same rule or category
//! (or naming none).
//!
//! A directive that suppresses nothing is reported as `suppression/unused`
//! (a hint), so suppressions do not outlive the text they were written for.

use std::ops::Range;

use crate::engine::{Edit, Finding, Fix, Severity};
use crate::markup::{Format, Markup};

/// What a directive does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    NextLine,
    Disable,
    Enable,
}

/// One suppression comment (Markdown) or line (plain text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub kind: Kind,
    /// Rule ids or categories; empty means every rule.
    pub selectors: Vec<String>,
    /// The comment (`<!-- … -->`) or the line's content.
    pub range: Range<usize>,
}

/// The rule id of the unused-suppression finding.
pub const UNUSED: &str = "suppression/unused";

/// Whether `selector` (a rule id or a category) selects `rule`.
pub fn selects(selector: &str, rule: &str) -> bool {
    selector == rule || rule.split('/').next() == Some(selector)
}

fn parse_words(kind: Kind, rest: &str, range: Range<usize>) -> Option<Directive> {
    // The rest must start with a separator (or be empty).
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let selectors = rest
        .split(|c: char| c.is_whitespace() || c == ',')
        .take_while(|w| *w != "--")
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    Some(Directive {
        kind,
        selectors,
        range,
    })
}

fn parse_command(s: &str, prefix: &str, range: Range<usize>) -> Option<Directive> {
    let s = s.trim();
    let s = s.strip_prefix(prefix)?;
    for (word, kind) in [
        ("disable-next-line", Kind::NextLine),
        ("disable", Kind::Disable),
        ("enable", Kind::Enable),
    ] {
        if let Some(rest) = s.strip_prefix(word) {
            return parse_words(kind, rest, range);
        }
    }
    None
}

/// The suppression directives of a document, in order.
pub fn directives(text: &str, format: Format, markup: &Markup) -> Vec<Directive> {
    let mut out = Vec::new();
    match format {
        // Formats with HTML comments.
        Format::Markdown | Format::Mdx | Format::Html => {
            for r in &markup.comments {
                let Some(c) = text.get(r.clone()) else {
                    continue;
                };
                if !c.contains("scrubs-") {
                    continue;
                }
                let inner = c.trim_start_matches("<!--");
                let inner = inner.strip_suffix("-->").unwrap_or(inner);
                if let Some(d) = parse_command(inner, "scrubs-", r.clone()) {
                    out.push(d);
                }
            }
        }
        Format::PlainText | Format::Rst | Format::AsciiDoc | Format::Org => {
            if !text.contains("scrubs:") {
                return out;
            }
            let mut pos = 0;
            for line in text.split_inclusive('\n') {
                let content = line.trim_end_matches(['\n', '\r']);
                let lead = content.len() - content.trim_start().len();
                let t = content.trim();
                if let Some(rest) = t.strip_prefix("scrubs:") {
                    let range = pos + lead..pos + lead + t.len();
                    if let Some(d) = parse_command(rest, "", range) {
                        out.push(d);
                    }
                }
                pos += line.len();
            }
        }
    }
    out
}

/// The byte range of the line holding `offset` (content only, without its
/// line break) and the start of the next line.
fn line_at(text: &str, offset: usize) -> (Range<usize>, usize) {
    let start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let (end, next) = match text[offset..].find('\n') {
        Some(i) => (offset + i, offset + i + 1),
        None => (text.len(), text.len()),
    };
    let content_end = if end > start && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    (start..content_end, next)
}

/// The next non-blank line after the line holding `offset`.
fn next_line(text: &str, offset: usize) -> Option<Range<usize>> {
    let (_, mut pos) = line_at(text, offset);
    while pos < text.len() {
        let (line, next) = line_at(text, pos);
        if !text[line.clone()].trim().is_empty() {
            return Some(line);
        }
        if next <= pos {
            break;
        }
        pos = next;
    }
    None
}

/// Removes the findings that the directives suppress and, when `unused` is
/// `Some(severity)`, reports each directive that suppressed nothing.
/// `findings` must all be from the rules (not `suppression/unused`).
/// `enabled` says whether a rule id ran for this document: a selector that
/// names only rules turned off (in the settings or the front matter) is not
/// reported, since it may be needed again when they are turned back on; one
/// that names no rule or category at all is (a typo).
pub fn apply(
    text: &str,
    directives: &[Directive],
    findings: Vec<Finding>,
    unused: Option<(&'static crate::engine::RuleMeta, Severity)>,
    enabled: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    if directives.is_empty() {
        return findings;
    }
    // Every (directive, selector) with the region it covers. `None` as the
    // selector: every rule.
    struct Region<'a> {
        directive: usize,
        selector: Option<&'a str>,
        range: Range<usize>,
        used: bool,
    }
    let mut regions: Vec<Region> = Vec::new();
    for (i, d) in directives.iter().enumerate() {
        let covered = match d.kind {
            Kind::Enable => continue,
            Kind::NextLine => match next_line(text, d.range.end.min(text.len())) {
                Some(l) => l.start..l.end + 1,
                None => d.range.end..d.range.end,
            },
            Kind::Disable => d.range.end..text.len() + 1,
        };
        let selectors: Vec<Option<&str>> = if d.selectors.is_empty() {
            vec![None]
        } else {
            d.selectors.iter().map(|s| Some(s.as_str())).collect()
        };
        for sel in selectors {
            let mut range = covered.clone();
            if d.kind == Kind::Disable {
                // Up to the first enable after it that names this selector
                // (or a category containing it), or names none.
                if let Some(e) = directives[i + 1..].iter().find(|e| {
                    e.kind == Kind::Enable
                        && (e.selectors.is_empty()
                            || e.selectors.iter().any(|s| match sel {
                                Some(sel) => s == sel || selects(s, sel),
                                None => false,
                            }))
                }) {
                    range.end = e.range.start;
                }
            }
            regions.push(Region {
                directive: i,
                selector: sel,
                range,
                used: false,
            });
        }
    }
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        let mut suppressed = false;
        for r in regions.iter_mut() {
            let applies = r.selector.is_none_or(|s| selects(s, &f.rule));
            if applies && r.range.start <= f.range.start && f.range.start < r.range.end {
                r.used = true;
                suppressed = true;
            }
        }
        if !suppressed {
            kept.push(f);
        }
    }
    if let Some((meta, severity)) = unused {
        for (i, d) in directives.iter().enumerate() {
            if d.kind == Kind::Enable {
                continue;
            }
            let mine: Vec<&Region> = regions.iter().filter(|r| r.directive == i).collect();
            let off = |sel: Option<&str>| {
                sel.is_some_and(|sel| {
                    let known: Vec<&str> = crate::rules::all()
                        .iter()
                        .map(|r| r.meta().id)
                        .filter(|id| selects(sel, id))
                        .collect();
                    !known.is_empty() && known.iter().all(|id| !enabled(id))
                })
            };
            let unused: Vec<&str> = mine
                .iter()
                .filter(|r| !r.used && !off(r.selector))
                .map(|r| r.selector.unwrap_or("every rule"))
                .collect();
            if unused.is_empty() {
                continue;
            }
            let all_unused = unused.len() == mine.len();
            let what = unused
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let message = if all_unused {
                format!("This suppression ({what}) matches no finding; remove it.")
            } else {
                format!("Nothing here is reported by {what}; that part of the suppression can go.")
            };
            let mut f = Finding::new(meta, d.range.clone(), message);
            f.severity = severity;
            if all_unused {
                f.fixes.push(Fix {
                    title: "Remove the unused suppression".into(),
                    edits: vec![removal(text, &d.range)],
                    safe: false,
                    preferred: true,
                    parts: Vec::new(),
                });
            }
            kept.push(f);
        }
    }
    kept
}

/// Takes out of every fix the [`crate::engine::Part`]s that redact a finding
/// the directives suppressed: one of `all` (each finding's rule and range
/// before suppression) that is no longer among `findings`. A fix that mends a
/// paragraph then leaves alone what the writer marked as fine (and the
/// suppression stays in use).
pub fn spare_suppressed(findings: &mut [Finding], all: &[(String, Range<usize>)]) {
    let kept: Vec<(String, Range<usize>)> = findings
        .iter()
        .map(|f| (f.rule.clone(), f.range.clone()))
        .collect();
    let suppressed = |rule: &str, range: &Range<usize>| {
        all.iter().any(|(r, g)| r == rule && g == range)
            && !kept.iter().any(|(r, g)| r == rule && g == range)
    };
    for f in findings.iter_mut() {
        for fix in f.fixes.iter_mut() {
            let (gone, stay): (Vec<_>, Vec<_>) = std::mem::take(&mut fix.parts)
                .into_iter()
                .partition(|p| suppressed(&p.rule, &p.range));
            fix.parts = stay;
            for p in gone {
                for e in &p.edits {
                    if let Some(i) = fix.edits.iter().position(|x| x == e) {
                        fix.edits.remove(i);
                    }
                }
            }
        }
    }
}

/// The edit that removes a directive: its whole line when it stands alone,
/// else the comment and one space before it.
fn removal(text: &str, range: &Range<usize>) -> Edit {
    let (line, next) = line_at(text, range.start);
    let before = &text[line.start..range.start];
    let after = &text[range.end.min(line.end)..line.end];
    if before.trim().is_empty() && after.trim().is_empty() {
        return Edit {
            range: line.start..next,
            new_text: String::new(),
        };
    }
    let start = if before.ends_with(' ') {
        range.start - 1
    } else {
        range.start
    };
    Edit {
        range: start..range.end,
        new_text: String::new(),
    }
}

/// The edit for "Ignore RULE here": a `scrubs-disable-next-line` comment
/// (Markdown) or `scrubs: disable-next-line` line (plain text) that covers
/// the line where `at` (a finding's start) is.
///
/// In Markdown, when the line before is part of the same run of prose, the
/// comment goes at the end of that line (inline HTML, so the paragraph or
/// list is not split); otherwise it goes on a line of its own just before,
/// with the same indentation.
pub fn ignore_edit(text: &str, format: Format, markup: &Markup, rule: &str, at: usize) -> Edit {
    let at = crate::position::floor_char_boundary(text, at.min(text.len()));
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let (line, _) = line_at(text, at);
    let indent_len = text[line.clone()].len() - text[line.clone()].trim_start().len();
    let indent = &text[line.start..line.start + indent_len];
    if matches!(format, Format::Markdown | Format::Mdx | Format::Html) {
        let comment = format!("<!-- scrubs-disable-next-line {rule} -->");
        if line.start > 0 {
            let (prev, _) = line_at(text, line.start - 1);
            let prev_text = &text[prev.clone()];
            let prev_end = prev.start + prev_text.trim_end().len();
            let in_front_matter = markup
                .front_matter
                .as_ref()
                .is_some_and(|fm| prev.start < fm.end);
            // The previous line ends in prose (a paragraph, heading or list
            // item): the comment can go at its end as inline HTML.
            let same_block = !in_front_matter
                && !prev_text.trim().is_empty()
                && markup.blocks.iter().any(|b| {
                    let s = b.span();
                    b.kind != crate::markup::BlockKind::FrontMatter
                        && s.start < prev_end
                        && prev_end <= s.end
                });
            if same_block {
                return Edit {
                    range: prev_end..prev_end,
                    new_text: format!(" {comment}"),
                };
            }
        }
        // Indentation over three spaces would make the comment a code block.
        let indent = if indent.len() > 3 && !indent.contains('>') {
            ""
        } else {
            indent
        };
        return Edit {
            range: line.start..line.start,
            new_text: format!("{indent}{comment}{nl}"),
        };
    }
    Edit {
        range: line.start..line.start,
        new_text: format!("{indent}scrubs: disable-next-line {rule}{nl}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Checker;

    fn rules(text: &str, format: Format) -> Vec<(String, String)> {
        Checker::default_checker()
            .check(text, format)
            .into_iter()
            .map(|f| (f.rule, text[f.range].to_string()))
            .collect()
    }

    const EMAIL: &str = "work-email/institutional-address";

    #[test]
    fn next_line_comment_suppresses_only_the_next_line() {
        let md = "Write to a@mayo.edu.\n<!-- scrubs-disable-next-line work-email -->\nOr b@mayo.edu.\n\nOr c@mayo.edu.\n";
        let found = rules(md, Format::Markdown);
        let emails: Vec<_> = found.iter().filter(|f| f.0 == EMAIL).collect();
        assert_eq!(emails.len(), 2, "{found:?}");
        assert_eq!(emails[0].1, "a@mayo.edu");
        assert_eq!(emails[1].1, "c@mayo.edu");
        assert!(!found.iter().any(|f| f.0 == UNUSED), "{found:?}");
    }

    #[test]
    fn next_line_skips_blank_lines_and_inline_comments_work() {
        let md = "<!-- scrubs-disable-next-line -->\n\nWrite to a@mayo.edu.\n";
        assert_eq!(rules(md, Format::Markdown), vec![]);
        let md = "Hello there <!-- scrubs-disable-next-line work-email/institutional-address -->\nwrite to a@mayo.edu.\n";
        assert_eq!(rules(md, Format::Markdown), vec![]);
    }

    #[test]
    fn disable_enable_region_by_category_and_several_ids() {
        let md = "a@mayo.edu\n\n<!-- scrubs-disable disclaimer, work-email -->\n\nb@mayo.edu\n\n<!-- scrubs-enable work-email -->\n\nc@mayo.edu\n";
        let found = rules(md, Format::Markdown);
        let emails: Vec<_> = found
            .iter()
            .filter(|f| f.0 == EMAIL)
            .map(|f| f.1.as_str())
            .collect();
        assert_eq!(emails, vec!["a@mayo.edu", "c@mayo.edu"]);
        // `disclaimer` suppressed nothing: reported, on the comment.
        let unused: Vec<_> = found.iter().filter(|f| f.0 == UNUSED).collect();
        assert_eq!(
            unused,
            vec![&(
                UNUSED.to_string(),
                "<!-- scrubs-disable disclaimer, work-email -->".to_string()
            )]
        );
    }

    #[test]
    fn disable_without_enable_covers_the_rest_and_reasons_are_ignored() {
        let md = "a@mayo.edu\n\n<!-- scrubs-disable work-email -- my clinic's public address -->\n\nb@mayo.edu\n\nc@mayo.edu\n";
        let found = rules(md, Format::Markdown);
        // The work address shows the writer's tie, so a disclaimer is due on it too.
        assert_eq!(
            found,
            vec![
                ("disclaimer/missing".to_string(), "a@mayo.edu".to_string()),
                (EMAIL.to_string(), "a@mayo.edu".to_string())
            ],
            "{found:?}"
        );
    }

    #[test]
    fn plain_text_lines() {
        let t =
            "Write to a@mayo.edu.\r\nscrubs: disable-next-line work-email\r\nOr b@mayo.edu.\r\n";
        let found = rules(t, Format::PlainText);
        assert_eq!(
            found,
            vec![
                ("disclaimer/missing".to_string(), "a@mayo.edu".to_string()),
                (EMAIL.to_string(), "a@mayo.edu".to_string())
            ]
        );
        let emails = |found: Vec<(String, String)>| found.iter().filter(|f| f.0 == EMAIL).count();
        // In plain text, the comment form is ordinary text.
        let t = "<!-- scrubs-disable-next-line -->\nWrite to a@mayo.edu.\n";
        assert_eq!(emails(rules(t, Format::PlainText)), 1);
        // In Markdown, the plain-text form is ordinary text.
        let md = "scrubs: disable-next-line\nWrite to a@mayo.edu.\n";
        assert_eq!(emails(rules(md, Format::Markdown)), 1);
    }

    #[test]
    fn an_unused_suppression_is_reported_with_a_removal() {
        let md = "Hello.\n\n<!-- scrubs-disable-next-line phi -->\nNothing to see.\n";
        let found = Checker::default_checker().check(md, Format::Markdown);
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!(f.rule, UNUSED);
        assert_eq!(f.severity, Severity::Hint);
        assert_eq!(
            &md[f.range.clone()],
            "<!-- scrubs-disable-next-line phi -->"
        );
        assert_eq!(f.fixes[0].apply(md), "Hello.\n\nNothing to see.\n");
        assert!(!f.fixes[0].safe);
        // An inline comment goes with the space before it.
        let md = "Hello <!-- scrubs-disable-next-line phi -->\nthere.\n";
        let found = Checker::default_checker().check(md, Format::Markdown);
        assert_eq!(found[0].fixes[0].apply(md), "Hello\nthere.\n");
    }

    #[test]
    fn ignore_edit_keeps_paragraphs_whole() {
        let check = |text: &str, format: Format| {
            let checker = Checker::default_checker();
            let found = checker.check(text, format);
            let f = found.iter().find(|f| f.rule == EMAIL).expect("email");
            let cx = checker.context(text, format);
            let e = ignore_edit(text, format, &cx.markup, &f.rule, f.range.start);
            let fixed = crate::engine::finding::apply_edits(text, &[e]);
            let after = checker.check(&fixed, format);
            assert!(after.is_empty(), "{fixed:?}: {after:?}");
            fixed
        };
        assert_eq!(
            check("Hello,\nwrite to a@mayo.edu.\n", Format::Markdown),
            "Hello, <!-- scrubs-disable-next-line work-email/institutional-address -->\nwrite to a@mayo.edu.\n"
        );
        assert_eq!(
            check("# Hi\r\n\r\nWrite to a@mayo.edu.\r\n", Format::Markdown),
            "# Hi\r\n\r\n<!-- scrubs-disable-next-line work-email/institutional-address -->\r\nWrite to a@mayo.edu.\r\n"
        );
        assert_eq!(
            check("---\ntitle: x\n---\nWrite to a@mayo.edu.\n", Format::Markdown),
            "---\ntitle: x\n---\n<!-- scrubs-disable-next-line work-email/institutional-address -->\nWrite to a@mayo.edu.\n"
        );
        assert_eq!(
            check("- one\n- write to a@mayo.edu\n", Format::Markdown),
            "- one <!-- scrubs-disable-next-line work-email/institutional-address -->\n- write to a@mayo.edu\n"
        );
        assert_eq!(
            check("Hi.\n\n  Write to a@mayo.edu.\n", Format::PlainText),
            "Hi.\n\n  scrubs: disable-next-line work-email/institutional-address\n  Write to a@mayo.edu.\n"
        );
    }

    #[test]
    fn front_matter_settings_apply_to_that_post() {
        let body = "As a nurse at Mayo Clinic, write to a@mayo.edu.\n";
        let all = rules(body, Format::Markdown);
        assert_eq!(all.len(), 2, "{all:?}");
        let md = format!("---\ntitle: t\nscrubs: {{disable: [work-email]}}\n---\n{body}");
        let found = rules(&md, Format::Markdown);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "disclaimer/missing");
        let md = format!(
            "---\nscrubs:\n  disable:\n    - disclaimer/missing\n    - work-email\n---\n{body}"
        );
        assert_eq!(rules(&md, Format::Markdown), vec![]);
        // `institution` picks the disclaimer wording: MSK's, not Mayo's.
        let md = format!("+++\n[scrubs]\ninstitution = \"msk\"\n+++\n{body}");
        let checker = Checker::default_checker();
        let found = checker.check(&md, Format::Markdown);
        let d = found
            .iter()
            .find(|f| f.rule == "disclaimer/missing")
            .unwrap();
        let cx = checker.context(&md, Format::Markdown);
        assert_eq!(cx.primary().id, "msk");
        assert!(
            d.citations.iter().all(|c| c.institution == "msk"),
            "{:?}",
            d.citations
        );
    }

    #[test]
    fn suppressions_of_rules_turned_off_are_not_reported_but_typos_are() {
        let settings = crate::config::Settings::from_toml(
            "scrubs.toml",
            "[rules]\n\"work-email\" = \"off\"\n",
        )
        .unwrap();
        let c = Checker::new(settings, Vec::new()).unwrap();
        let md = "<!-- scrubs-disable-next-line work-email -->\nWrite to a@mayo.edu.\n";
        assert_eq!(c.check(md, Format::Markdown), vec![]);
        let md = "<!-- scrubs-disable-next-line work-emial -->\nWrite to a@gmail.com.\n";
        let found = Checker::default_checker().check(md, Format::Markdown);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, UNUSED);
        assert!(
            found[0].message.contains("`work-emial`"),
            "{}",
            found[0].message
        );
    }
}
