use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `branding/name-in-handle`
pub struct NameInHandle;

static META: RuleMeta = RuleMeta {
    id: "branding/name-in-handle",
    default_severity: Severity::Warning,
    summary: "The institution's name in a personal handle, account name or URL (“@UMNPharmGuy”, “mgh-nurse-diaries.wordpress.com”).",
    what: "Flags a social-media handle, account name or web address that contains an institution's name or acronym and is the writer's own: it reads as personal (“@UMNPharmGuy”, “@mayo_nurse_life”) or the sentence says it is theirs (“find me at…”, “my blog …”). The institutions' official accounts (“@MayoClinic”) are left alone.",
    why: "The name belongs to the institution. Mayo Clinic asks employees not to use its name in personal account names or handles; MSK's name and logos may not be used without approval.",
    fix: "Choose a handle or address without the institution's name.",
    fires: &[
        "Follow me @UMNPharmGuy for pharmacy memes!",
        "New post up on mgh-nurse-diaries.wordpress.com",
        "Find me on Instagram: @mayo_nurse_life",
        "My blog is at https://msknursejen.blogspot.com",
    ],
    clean: &[
        "Great thread from @MayoClinic on heat stroke.",
        "Follow me @nightshiftnurse for more memes.",
        "I love @mayonnaise_fan recipes.",
        "Read the guideline at https://www.mayoclinic.org/healthy-lifestyle",
    ],
};

/// Institution tokens as they appear in handles and hosts, lowercase.
const TOKENS: &[&str] = &[
    "mayoclinic",
    "mayo",
    "massgeneral",
    "massgen",
    "mgh",
    "mskcc",
    "msk",
    "sloankettering",
    "umn",
    "uofm",
    "gophermed",
];

/// Words that make a handle personal.
const PERSONAL: &[&str] = &[
    "nurse", "rn", "np", "md", "doc", "dr", "pharm", "guy", "gal", "girl", "boy", "life",
    "diaries", "diary", "mom", "dad", "resident", "res", "student", "med", "life", "me", "my",
    "tech", "medic", "surg", "peds", "icu", "er", "ed", "nights", "blog", "vlog", "jen", "jane",
    "john",
];

/// [`TOKENS`] as a gate: the block's one trigger scan tells whether it
/// holds any (ASCII case-insensitively, as a lowercased block would).
pub(crate) fn tokens() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| Lexicon::gate(TOKENS))
}

/// The institutions' own accounts and sites, lowercase, without `@`.
const OFFICIAL: &[&str] = &[
    "mayoclinic",
    "mayoclinicnews",
    "mayoclinicsom",
    "mayoclinicgrad",
    "mayoclinichealthsystem",
    "massgeneral",
    "massgeneralnews",
    "mghnews",
    "mghmedicine",
    "massgeneralbrigham",
    "mskcc",
    "mskcancercenter",
    "msknews",
    "umn",
    "umnews",
    "umnmedschool",
    "umnsph",
    "umnnursing",
    "mayoclinic.org",
    "mayo.edu",
    "massgeneral.org",
    "mgh.harvard.edu",
    "mskcc.org",
    "umn.edu",
    "twin-cities.umn.edu",
    "med.umn.edu",
    "newsnetwork.mayoclinic.org",
];

fn handle_re() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)(?:^|[^\w@.])@([A-Za-z0-9_.]{3,30})\b|\b((?:https?://)?(?:[a-z0-9-]+\.)+(?:com|org|net|io|blog|me|co|edu|us|page|site)\b(?:/\S*)?)",
    );
    R.get()
}

fn owned_re() -> std::sync::Arc<Regex> {
    static R: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)\b(?:my|mine|follow\s+me|find\s+me|I['’]?m|I\s+am|me\s+(?:at|on)|new\s+post|new\s+video|check\s+out\s+my|subscribe|join\s+me)\b",
    );
    R.get()
}

/// Whether `name` (a handle or host label, lowercase) carries an
/// institution token at a word boundary inside it, and reads as personal.
fn personal_with_token(name: &str, original: &str, owned: bool) -> bool {
    let name = name.trim_start_matches("www.");
    if OFFICIAL.contains(&name) {
        return false;
    }
    // The first label for hosts: "mgh-nurse-diaries.wordpress.com".
    let label = name.split('.').next().unwrap_or(name);
    let label_orig = original
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.")
        .split(['.', '/'])
        .next()
        .unwrap_or(original);
    if OFFICIAL.contains(&label) {
        return false;
    }
    for tok in TOKENS {
        let mut from = 0;
        while let Some(i) = label[from..].find(tok) {
            let s = from + i;
            let e = s + tok.len();
            from = s + 1;
            let before_ok = s == 0
                || matches!(label.as_bytes()[s - 1], b'_' | b'-' | b'.')
                || label_orig
                    .as_bytes()
                    .get(s)
                    .is_some_and(|c| c.is_ascii_uppercase())
                    && label_orig
                        .as_bytes()
                        .get(s - 1)
                        .is_some_and(|c| c.is_ascii_lowercase());
            let rest = &label[e..];
            let rest_orig = label_orig.get(e..).unwrap_or("");
            let after_ok = rest.is_empty()
                || rest.starts_with(['_', '-', '.'])
                || rest.starts_with(|c: char| c.is_ascii_digit())
                || rest_orig.starts_with(|c: char| c.is_ascii_uppercase())
                    && label_orig[s..e].chars().any(|c| c.is_ascii_uppercase())
                || PERSONAL.iter().any(|p| rest.starts_with(p));
            if !(before_ok && after_ok) {
                continue;
            }
            let others = format!("{}{}", &label[..s], rest);
            let o = others.trim_matches(['_', '-', '.']);
            let personal = PERSONAL.iter().any(|p| {
                if p.len() >= 3 {
                    o.contains(p)
                } else {
                    o == *p
                        || o.starts_with(&format!("{p}_"))
                        || o.ends_with(&format!("_{p}"))
                        || o.starts_with(&format!("{p}-"))
                        || o.ends_with(&format!("-{p}"))
                }
            }) || (!others.trim_matches(['_', '-', '.']).is_empty() && owned);
            if personal {
                return true;
            }
        }
    }
    false
}

impl Rule for NameInHandle {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let b = &cx.markup.blocks[block];
        if !b.text.contains('@') && !b.text.contains('.') {
            return;
        }
        if !tokens().triggered_in(cx, block) {
            return;
        }
        for c in handle_re().captures_iter(&b.text) {
            let Some(g) = c.get(1).or_else(|| c.get(2)) else {
                continue;
            };
            let (r, original): (Range<usize>, &str) = if c.get(1).is_some() {
                (g.start() - 1..g.end(), g.as_str())
            } else {
                (g.range(), g.as_str())
            };
            let host = if c.get(2).is_some() {
                original
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .split('/')
                    .next()
                    .unwrap_or(original)
            } else {
                original
            };
            if c.get(2).is_some() && host.contains('@') {
                continue;
            }
            let s = cues::sentence(&b.text, &r);
            let owned = owned_re().is_match(&b.text[s]);
            if !personal_with_token(&host.to_ascii_lowercase(), host, owned) {
                continue;
            }
            if cues::guarded(b, &r, Guard::ALL) {
                continue;
            }
            out.push(Finding::new(
                &META,
                cues::source(cx, block, r),
                "This handle or address uses the institution's name; personal accounts should not carry it.",
            ));
        }
    }
}
