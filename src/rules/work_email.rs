use regex::Regex;

use crate::engine::{Context, Edit, Finding, Fix, Rule, RuleMeta, Severity};

/// `work-email/institutional-address`
pub struct InstitutionalAddress;

static META: RuleMeta = RuleMeta {
    id: "work-email/institutional-address",
    default_severity: Severity::Warning,
    summary: "An institutional e-mail address (mayo.edu, mskcc.org, umn.edu…) used in a personal post.",
    what: "Flags an e-mail address at one of the institutions' domains (and any listed under `email_domains` in scrubs.toml) in a personal post.",
    why: "Using your work address in a personal post is like writing a letter to the editor on hospital stationery: it lends the institution's name to your personal views. Mass General, MSK and the University of Minnesota ask you to use a personal address.",
    fix: "Removes the address (a whole `mailto:` link when the address is one).",
    fires: &[
        "Contact me at jane.doe@mayo.edu.",
        "Questions? Write to smithj@mskcc.org",
        "Reach me: [email me](mailto:lee123@umn.edu)",
        "DM or email r.patel@mgh.harvard.edu",
        "kim.lee@umn.edu - text me anytime",
    ],
    clean: &[
        "Contact me at jane.doe@gmail.com.",
        "The domain mayo.edu hosts the clinic's site.",
        "```\nsupport@mayo.edu\n```",
    ],
};

fn email() -> std::sync::Arc<Regex> {
    static RE: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b[a-z0-9][a-z0-9._%+-]*@((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})\b",
    );
    RE.get()
}

impl Rule for InstitutionalAddress {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let b = &cx.markup.blocks[block];
        // mailto: links whose address is not in the link text.
        for l in cx.links_in(block) {
            let Some(addr) = l
                .dest
                .strip_prefix("mailto:")
                .or_else(|| l.dest.strip_prefix("MAILTO:"))
            else {
                continue;
            };
            let addr = addr.split('?').next().unwrap_or(addr);
            let Some((_, domain)) = addr.rsplit_once('@') else {
                continue;
            };
            // When the link's own text shows the address, the address
            // match below reports it (with the link as its removal).
            let src = cx.text.get(l.range.clone()).unwrap_or("");
            let shown = src.rsplit_once("](").map(|(t, _)| t).unwrap_or(src);
            if shown.contains(addr) {
                continue;
            }
            let Some(pack) = cx.checker.work_domain(domain) else {
                continue;
            };
            out.push(finding(cx, l.range.clone(), l.range.clone(), pack));
        }
        if !b.text.contains('@') {
            return;
        }
        for caps in email().captures_iter(&b.text) {
            let (Some(m), Some(domain)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let Some(pack) = cx.checker.work_domain(domain.as_str()) else {
                continue;
            };
            let range = b.source_range(m.range());
            // A mailto: link around the address goes with it.
            // (A link around text of this block is one of the block's.)
            let removal = cx
                .links_in(block)
                .find(|l| {
                    l.dest.to_ascii_lowercase().starts_with("mailto:")
                        && l.range.start <= range.start
                        && range.end <= l.range.end
                })
                .or_else(|| {
                    cx.links_in(block).find(|l| {
                        l.dest
                            .eq_ignore_ascii_case(&format!("mailto:{}", m.as_str()))
                            && l.range.start <= range.start
                            && range.end <= l.range.end
                    })
                })
                .map(|l| l.range.clone())
                .unwrap_or_else(|| range.clone());
            out.push(finding(cx, range, removal, pack));
        }
    }
}

fn finding(
    cx: &Context,
    range: std::ops::Range<usize>,
    removal: std::ops::Range<usize>,
    pack: Option<usize>,
) -> Finding {
    // The spaces before the address go with it when what follows is not a
    // space (end of line, punctuation, a closing `*`): no "at ." and no
    // emphasis broken by a space before its closing marker. Between two
    // words, one space goes with it, so no double space is left.
    let mut removal = removal;
    let rest = &cx.text[removal.end..];
    let before = &cx.text[..removal.start];
    let spaces_before = before.len() - before.trim_end_matches([' ', '\t']).len();
    let line_start = before.trim_end_matches([' ', '\t']).is_empty()
        || before.trim_end_matches([' ', '\t']).ends_with(['\n', '\r']);
    if line_start {
        // At the start of a line, separators after the address go with it,
        // so that "a@x.edu - call me" does not become a list item "- call me".
        let skip = rest.len()
            - rest
                .trim_start_matches([' ', '\t', '-', '–', '—', ':', ',', ';', '|', '•', '*', '+'])
                .len();
        removal.end += skip;
    } else if spaces_before > 0 {
        if !rest.starts_with([' ', '\t']) {
            removal.start -= spaces_before;
        } else {
            removal.end += 1;
        }
    }
    let owner = pack
        .map(|i| cx.pack(i).name.clone())
        .unwrap_or_else(|| "your employer".into());
    let mut f = Finding::new(
        &META,
        range,
        format!("This is a {owner} e-mail address; use a personal address in personal posts."),
    );
    // What would be left at the start of the line could begin a block of
    // its own (an HTML block, a heading, a quote, a code fence, a numbered
    // item) and change what the rest of the paragraph is: no automatic fix
    // there; the writer mends it by hand.
    if !(line_start && starts_block(&cx.text[removal.end..])) {
        f = f.with_fix(Fix {
            title: "Remove the work e-mail address".into(),
            edits: vec![Edit {
                new_text: keep_apart(cx.text, &removal).into(),
                range: removal,
            }],
            safe: true,
            preferred: true,
            parts: Vec::new(),
        });
    }
    f.institution = pack.map(|i| cx.pack(i).id.clone());
    f
}

/// What replaces a removed address: nothing, or a space when the text on
/// either side ends and starts with the same Markdown delimiter (`` ` ``,
/// `*`, `_`, `~`), which would otherwise join into one longer run and close
/// or open a code span or emphasis elsewhere ("`code\n`a@mayo.edu`" must not
/// become "`code\n``").
fn keep_apart(text: &str, removal: &std::ops::Range<usize>) -> &'static str {
    let before = text[..removal.start].chars().next_back();
    let after = text[removal.end..].chars().next();
    match (before, after) {
        (Some(b), Some(a)) if b == a && matches!(a, '`' | '*' | '_' | '~') => " ",
        _ => "",
    }
}

/// Whether a line starting with `rest` could open a Markdown block other
/// than a paragraph.
fn starts_block(rest: &str) -> bool {
    let line = rest.trim_start_matches([' ', '\t']);
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    line.starts_with(['<', '#', '>', '=', '~', '`'])
        || (digits > 0 && line[digits..].starts_with(['.', ')']))
}
