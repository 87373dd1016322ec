//! Front matter: YAML between `---` lines or TOML between `+++` lines at the
//! very start of a Markdown file. Keys are not prose; string values (a
//! post's `title`, `description`, `summary`…) are, except for keys that hold
//! dates, paths, URLs and settings.

use super::{Block, BlockKind, Image};

/// Keys whose values are never prose.
const NOT_PROSE_KEYS: &[&str] = &[
    "date",
    "lastmod",
    "publishdate",
    "expirydate",
    "layout",
    "slug",
    "url",
    "permalink",
    "image",
    "images",
    "cover",
    "thumbnail",
    "featured_image",
    "draft",
    "weight",
    "aliases",
    "type",
    "id",
    "uuid",
    "lang",
    "template",
    "redirect_from",
    "comments",
    "toc",
    "math",
    "scrubs",
    "published",
    "canonical_url",
    "canonicalurl",
];

/// A front matter block found at the start of a document.
pub(super) struct FrontMatter {
    /// The whole block including its fences and the line break after the
    /// closing fence.
    pub range: std::ops::Range<usize>,
    pub blocks: Vec<Block>,
    /// The pictures its `image`, `cover`, `thumbnail`… keys name (a post's cover or social card).
    pub images: Vec<Image>,
}

/// Keys whose value is a picture (Hugo, Jekyll, Eleventy, Ghost… themes; `cover: {image: …}` too).
const IMAGE_KEYS: &[&str] = &[
    "image",
    "images",
    "cover",
    "cover_image",
    "coverimage",
    "thumbnail",
    "featured_image",
    "featuredimage",
    "og_image",
    "banner",
    "hero",
];

/// The picture values of the front matter `body`: `key: value`, `key = "value"`, list items
/// under such a key, and flow lists (`images: [a.jpg, b.jpg]`). Each value's range is its text
/// without quotes.
fn image_values(text: &str, body: std::ops::Range<usize>) -> Vec<Image> {
    let mut out = Vec::new();
    let mut push = |start: usize, end: usize| {
        let raw = &text[start..end];
        let lead = raw.len() - raw.trim_start().len();
        let v = raw.trim();
        let q = v.starts_with(['"', '\'']) && v.len() >= 2 && v.ends_with(&v[..1]);
        let (s, e) = if q {
            (start + lead + 1, start + lead + v.len() - 1)
        } else {
            (start + lead, start + lead + v.len())
        };
        let dest = &text[s..e];
        if dest.is_empty() || dest.contains(['{', '[', '|', '>']) {
            return;
        }
        out.push(Image {
            range: s..e,
            dest: dest.to_string(),
            dest_range: Some(s..e),
            alt: String::new(),
            title: String::new(),
            block: None,
        });
    };
    // Inside a picture key's block list (`images:` then `- a.jpg` lines).
    let mut in_list = false;
    for (pos, line) in lines(text, body) {
        let rest = line.trim_start();
        if let Some(item) = rest.strip_prefix("- ") {
            if in_list {
                let start = pos + (line.len() - item.len());
                push(start, pos + line.len());
            }
            continue;
        }
        in_list = false;
        let sep = rest.find([':', '=']);
        let Some(sep) = sep else { continue };
        let key = rest[..sep]
            .trim()
            .trim_matches(['"', '\''])
            .to_ascii_lowercase();
        if !IMAGE_KEYS.contains(&key.as_str()) {
            continue;
        }
        let vstart = pos + (line.len() - rest.len()) + sep + 1;
        let value = text[vstart..pos + line.len()].trim();
        if value.is_empty() {
            in_list = true;
            continue;
        }
        if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            let inner_start = vstart + (text[vstart..].find('[').unwrap_or(0)) + 1;
            let mut at = inner_start;
            for part in inner.split(',') {
                push(at, at + part.len());
                at += part.len() + 1;
            }
            continue;
        }
        push(vstart, pos + line.len());
    }
    out
}

/// The per-post settings a post's front matter gives under its `scrubs`
/// key: `scrubs: {institution: msk, disable: [phi/age-over-89]}` (YAML, flow
/// or block form) or a `[scrubs]` table (TOML). Values are strings as
/// written; the engine decides what they mean.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostSettings {
    /// Institution ids (`institution: msk` or a list).
    pub institution: Vec<String>,
    /// Rule ids or categories turned off for this post.
    pub disable: Vec<String>,
}

/// The fences of the front matter at the start of `text`: (the body between
/// the fences, whether it is TOML).
fn body(text: &str) -> Option<(std::ops::Range<usize>, bool)> {
    let (fence, toml) = if text.starts_with("---") {
        ("---", false)
    } else if text.starts_with("+++") {
        ("+++", true)
    } else {
        return None;
    };
    let first_end = line_end(text, 0);
    if text[fence.len()..first_end.0].trim() != "" {
        return None;
    }
    let mut pos = first_end.1;
    let body_start = pos;
    while pos < text.len() {
        let (content_end, next) = line_end(text, pos);
        let line = text[pos..content_end].trim_end();
        if line == fence || (!toml && line == "...") {
            return Some((body_start..pos, toml));
        }
        pos = next;
    }
    None
}

/// Reads the `scrubs` settings of the front matter of `text`, if it has any.
pub fn post_settings(text: &str) -> Option<PostSettings> {
    let (body, toml) = body(text)?;
    let body = &text[body];
    if toml {
        toml_post_settings(body)
    } else {
        yaml_post_settings(body)
    }
}

fn toml_post_settings(body: &str) -> Option<PostSettings> {
    let table: toml::Table = match toml::from_str(body) {
        Ok(t) => t,
        Err(_) => {
            // The rest of the front matter may not be valid TOML; read the
            // `[scrubs]` table alone.
            let start = body.find("[scrubs]")?;
            let rest = &body[start..];
            let end = rest[1..].find("\n[").map(|i| i + 2).unwrap_or(rest.len());
            toml::from_str(&rest[..end]).ok()?
        }
    };
    let t = table.get("scrubs")?.as_table()?;
    let strings = |v: Option<&toml::Value>| -> Vec<String> {
        match v {
            Some(toml::Value::String(s)) => vec![s.clone()],
            Some(toml::Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    Some(PostSettings {
        institution: strings(t.get("institution")),
        disable: strings(t.get("disable")),
    })
}

/// A YAML scalar or flow list as strings.
fn yaml_strings(v: &str) -> Vec<String> {
    let v = v.trim();
    let unquote = |s: &str| s.trim().trim_matches(['"', '\'']).trim().to_string();
    if let Some(inner) = v.strip_prefix('[') {
        inner
            .trim_end_matches(']')
            .split(',')
            .map(unquote)
            .filter(|s| !s.is_empty())
            .collect()
    } else if v.is_empty() {
        Vec::new()
    } else {
        vec![unquote(v)]
    }
}

fn yaml_set(out: &mut PostSettings, key: &str, values: Vec<String>) {
    match key.trim().trim_matches(['"', '\'']) {
        "institution" | "institutions" => out.institution.extend(values),
        "disable" => out.disable.extend(values),
        _ => {}
    }
}

fn yaml_post_settings(body: &str) -> Option<PostSettings> {
    let mut lines = body.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("scrubs:") else {
            continue;
        };
        let rest = rest.split(" #").next().unwrap_or("").trim();
        let mut out = PostSettings::default();
        if let Some(inner) = rest.strip_prefix('{') {
            // Flow mapping: split at commas outside brackets.
            let inner = inner.trim_end().trim_end_matches('}');
            let mut depth = 0;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in inner.chars() {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(std::mem::take(&mut item));
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            items.push(item);
            for it in items {
                if let Some((k, v)) = it.split_once(':') {
                    yaml_set(&mut out, k, yaml_strings(v));
                }
            }
            return Some(out);
        }
        // Block mapping: indented `key: value` lines, values scalars, flow
        // lists or `- item` lines below.
        let mut key: Option<String> = None;
        while let Some(l) = lines.peek() {
            if l.trim().is_empty() || l.trim_start().starts_with('#') {
                lines.next();
                continue;
            }
            if !l.starts_with([' ', '\t']) {
                break;
            }
            let l = lines.next().unwrap_or_default().trim();
            if let Some(item) = l.strip_prefix("- ") {
                if let Some(k) = &key {
                    yaml_set(&mut out, k, yaml_strings(item));
                }
            } else if let Some((k, v)) = l.split_once(':') {
                let v = v.split(" #").next().unwrap_or("");
                yaml_set(&mut out, k, yaml_strings(v));
                key = Some(k.to_string());
            }
        }
        return Some(out);
    }
    None
}

/// Finds and reads front matter at the start of `text`.
pub(super) fn parse(text: &str) -> Option<FrontMatter> {
    let (fence, toml) = if text.starts_with("---") {
        ("---", false)
    } else if text.starts_with("+++") {
        ("+++", true)
    } else {
        return None;
    };
    let first_end = line_end(text, 0);
    if text[fence.len()..first_end.0].trim() != "" {
        return None;
    }
    // Find the closing fence.
    let mut pos = first_end.1;
    let body_start = pos;
    while pos < text.len() {
        let (content_end, next) = line_end(text, pos);
        let line = text[pos..content_end].trim_end();
        if line == fence || (!toml && line == "...") {
            let body = body_start..pos;
            let blocks = if toml {
                toml_values(text, body)
            } else {
                yaml_values(text, body)
            };
            return Some(FrontMatter {
                range: 0..next,
                blocks,
                images: image_values(text, body_start..pos),
            });
        }
        pos = next;
    }
    None
}

/// (end of the line's content, start of the next line) for the line at `pos`.
fn line_end(text: &str, pos: usize) -> (usize, usize) {
    match text[pos..].find('\n') {
        Some(i) => {
            let end = pos + i;
            let content = if end > pos && text.as_bytes()[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            (content, end + 1)
        }
        None => (text.len(), text.len()),
    }
}

fn lines(text: &str, body: std::ops::Range<usize>) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut pos = body.start;
    while pos < body.end {
        let (content_end, next) = line_end(text, pos);
        out.push((pos, &text[pos..content_end.min(body.end)]));
        if next <= pos {
            break;
        }
        pos = next;
    }
    out
}

fn prose_key(key: &str) -> bool {
    let k = key.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    !NOT_PROSE_KEYS.contains(&k.as_str())
}

/// Pushes the value at `start..end` of `text` as a block, stripping quotes,
/// unless it does not look like prose (numbers, booleans, dates, URLs).
fn push_value(blocks: &mut Vec<Block>, text: &str, start: usize, end: usize, key: &str) {
    let mut s = start;
    let mut e = end;
    let raw = &text[s..e];
    let trimmed_start = raw.len() - raw.trim_start().len();
    s += trimmed_start;
    e = s + text[s..e].trim_end().len();
    if e <= s {
        return;
    }
    let bytes = text.as_bytes();
    if (bytes[s] == b'"' || bytes[s] == b'\'') && e - s >= 2 && bytes[e - 1] == bytes[s] {
        s += 1;
        e -= 1;
    }
    let v = &text[s..e];
    if v.is_empty()
        || v.parse::<f64>().is_ok()
        || matches!(v, "true" | "false" | "yes" | "no" | "null" | "~")
        || v.contains("://")
        || (v.len() >= 8
            && v.as_bytes()[..4].iter().all(u8::is_ascii_digit)
            && v.as_bytes()[4] == b'-')
    {
        return;
    }
    let mut block = Block::new(BlockKind::FrontMatter, false);
    block.key = Some(key.to_string());
    block.push_verbatim(s..e, v);
    blocks.push(block);
}

/// Splits a flow list `[a, "b", c]` at `start..end` into values.
fn push_flow_list(blocks: &mut Vec<Block>, text: &str, start: usize, end: usize, key: &str) {
    let inner_start = start + 1;
    let inner_end = if text[..end].ends_with(']') {
        end - 1
    } else {
        end
    };
    let mut item_start = inner_start;
    let mut quote: Option<u8> = None;
    for (i, &b) in text.as_bytes()[inner_start..inner_end].iter().enumerate() {
        let i = inner_start + i;
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), b2) if q == b2 => quote = None,
            (None, b',') => {
                push_value(blocks, text, item_start, i, key);
                item_start = i + 1;
            }
            _ => {}
        }
    }
    if item_start < inner_end {
        push_value(blocks, text, item_start, inner_end, key);
    }
}

fn yaml_values(text: &str, body: std::ops::Range<usize>) -> Vec<Block> {
    let mut blocks = Vec::new();
    // The key whose block scalar or list we are inside, with its indent.
    let mut current_key = String::new();
    let mut current_prose = false;
    let mut block_scalar_indent: Option<usize> = None;
    for (pos, line) in lines(text, body) {
        let indent = line.len() - line.trim_start().len();
        let rest = line.trim_start();
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if let Some(min) = block_scalar_indent {
            if indent >= min {
                if current_prose {
                    push_value(
                        &mut blocks,
                        text,
                        pos + indent,
                        pos + line.len(),
                        &current_key,
                    );
                }
                continue;
            }
            block_scalar_indent = None;
        }
        if let Some(item) = rest.strip_prefix("- ") {
            let item_pos = pos + indent + 2;
            if current_prose && !item.contains(": ") {
                push_value(&mut blocks, text, item_pos, pos + line.len(), &current_key);
            }
            continue;
        }
        let Some(colon) = find_key_colon(rest) else {
            continue;
        };
        let key = rest[..colon].trim().to_string();
        let value_start = pos + indent + colon + 1;
        let value = text[value_start..pos + line.len()].trim();
        if indent == 0 {
            current_key = key.clone();
            current_prose = prose_key(&key);
        } else if !prose_key(&key) {
            continue;
        }
        if !current_prose {
            continue;
        }
        if value.starts_with('|') || value.starts_with('>') {
            block_scalar_indent = Some(indent + 1);
            current_key = key;
            continue;
        }
        let vs = value_start + (text[value_start..].len() - text[value_start..].trim_start().len());
        let ve = pos + line.len();
        if value.starts_with('[') {
            push_flow_list(&mut blocks, text, vs, ve, &key);
        } else if !value.is_empty()
            && !value.starts_with('{')
            && !value.starts_with('&')
            && !value.starts_with('*')
        {
            // Strip a trailing comment.
            let ve = match text[vs..ve].find(" #") {
                Some(i) if !value.starts_with(['"', '\'']) => vs + i,
                _ => ve,
            };
            push_value(&mut blocks, text, vs, ve, &key);
        }
    }
    blocks
}

/// The byte index of the `:` ending a YAML key on a line, if it has one.
fn find_key_colon(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ' || bytes[i + 1] == b'\t') {
            return Some(i);
        }
        if b == b' ' && i == 0 {
            return None;
        }
    }
    None
}

fn toml_values(text: &str, body: std::ops::Range<usize>) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut table_prose = true;
    for (pos, line) in lines(text, body) {
        let indent = line.len() - line.trim_start().len();
        let rest = line.trim_start();
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if rest.starts_with('[') {
            let name = rest.trim_matches(['[', ']', ' ']);
            table_prose = prose_key(name);
            continue;
        }
        let Some(eq) = rest.find('=') else { continue };
        let key = rest[..eq].trim();
        if !table_prose || !prose_key(key) {
            continue;
        }
        let value_start = pos + indent + eq + 1;
        let ve = pos + line.len();
        let vs =
            value_start + (text[value_start..ve].len() - text[value_start..ve].trim_start().len());
        let value = &text[vs..ve];
        if value.starts_with('[') {
            push_flow_list(&mut blocks, text, vs, ve, key);
        } else if value.starts_with(['"', '\''])
            && !value.starts_with("\"\"\"")
            && !value.starts_with("'''")
        {
            // Only the quoted string, not a trailing comment.
            let q = value.as_bytes()[0];
            let close = value[1..]
                .find(q as char)
                .map(|i| vs + 1 + i + 1)
                .unwrap_or(ve);
            push_value(&mut blocks, text, vs, close, key);
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picture_keys_name_images_with_their_ranges() {
        let text = "---\ntitle: Night\nimage: \"img/ward.jpg\"\ncover:\n  image: cover.png\nimages:\n  - a.jpg\n  - 'b c.jpg'\nthumbnail: [t1.jpg, t2.jpg]\nlayout: post\n---\nBody\n";
        let fm = parse(text).unwrap();
        let got: Vec<(&str, &str)> = fm
            .images
            .iter()
            .map(|i| (i.dest.as_str(), &text[i.range.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("img/ward.jpg", "img/ward.jpg"),
                ("cover.png", "cover.png"),
                ("a.jpg", "a.jpg"),
                ("b c.jpg", "b c.jpg"),
                ("t1.jpg", "t1.jpg"),
                ("t2.jpg", "t2.jpg"),
            ]
        );
        let toml = "+++\ntitle = \"x\"\nimage = \"p.jpg\"\n+++\n";
        let fm = parse(toml).unwrap();
        assert_eq!(fm.images.len(), 1);
        assert_eq!(&toml[fm.images[0].range.clone()], "p.jpg");
    }

    #[test]
    fn post_settings_yaml_flow_block_and_toml() {
        let flow = "---\ntitle: x\nscrubs: {institution: msk, disable: [phi/age-over-89, \"work-email\"]}\n---\nBody\n";
        assert_eq!(
            post_settings(flow),
            Some(PostSettings {
                institution: vec!["msk".into()],
                disable: vec!["phi/age-over-89".into(), "work-email".into()],
            })
        );
        let block = "---\r\nscrubs:\r\n  institution: [mayo, umn]\r\n  disable:\r\n    - disclaimer\r\n    - work-email/institutional-address\r\ntitle: y\r\n---\r\nBody\r\n";
        assert_eq!(
            post_settings(block),
            Some(PostSettings {
                institution: vec!["mayo".into(), "umn".into()],
                disable: vec![
                    "disclaimer".into(),
                    "work-email/institutional-address".into()
                ],
            })
        );
        let toml = "+++\ntitle = \"t\"\n[scrubs]\ninstitution = \"msk\"\ndisable = [\"disclaimer\"]\n+++\nBody\n";
        assert_eq!(
            post_settings(toml),
            Some(PostSettings {
                institution: vec!["msk".into()],
                disable: vec!["disclaimer".into()],
            })
        );
        assert_eq!(post_settings("---\ntitle: x\n---\nBody"), None);
        assert_eq!(
            post_settings("No front matter.\nscrubs: {disable: [phi]}"),
            None
        );
    }
}
