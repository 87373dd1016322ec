//! The engine: rules over prose, returning findings.
//!
//! Pure: no async, no I/O, no LSP types. Input: the text, its format and a
//! [`Checker`] (settings and policy packs, compiled once); output: findings
//! sorted by position, each with byte ranges into the text. It never panics
//! on any input (see the property tests and fuzz targets).

pub mod affiliation;
pub mod cache;
mod checker;
pub mod finding;
pub mod fixall;
pub mod judgement;
pub mod pictures;
pub mod suppress;

pub use cache::Cache;
pub use checker::{use_helper_thread, Checker, Context, SPLIT_MIN_BYTES};
pub use finding::{Citation, Edit, Finding, Fix, Part, Severity};
pub use judgement::{Head, Judge, Judged, Stoppable};
pub use pictures::{MetaKind, Picture, Pictures};

/// The most bytes of one document that are checked (1 MiB: some two hundred
/// and fifty pages, far more than any post; a whole check of that much takes
/// about 0.1 s in release, see BENCHMARKS.md). Past it, the
/// rest is not checked: [`Checker::check`] looks at the first
/// [`checked_len`] bytes only, and the LSP and the CLI tell the user so.
/// This bounds the time and memory of one check whatever the input.
pub const MAX_CHECKED_BYTES: usize = 1024 * 1024;

/// How many leading bytes of `text` are checked: all of it up to
/// [`MAX_CHECKED_BYTES`], else the text up to the last line break before the
/// limit (or, for a single huge line, the last char boundary before it).
pub fn checked_len(text: &str) -> usize {
    if text.len() <= MAX_CHECKED_BYTES {
        return text.len();
    }
    let cut = crate::position::floor_char_boundary(text, MAX_CHECKED_BYTES);
    match text.as_bytes()[..cut].iter().rposition(|&b| b == b'\n') {
        Some(nl) if nl >= cut / 2 => nl + 1,
        _ => cut,
    }
}

/// The categories of the contract (`../shared/CONTRACT.md`), in its order.
pub const CATEGORIES: &[&str] = &[
    "phi",
    "disclaimer",
    "disclosure",
    "on-behalf",
    "endorsement",
    "medical-advice",
    "confidential",
    "work-email",
    "professionalism",
    "boundaries",
    "branding",
    "media",
    "workplace",
    // An extension of the contract's categories: findings about scrubs's own
    // suppression comments (`suppression/unused`), not about the post.
    "suppression",
];

/// A rule's documentation and defaults. Each rule file declares one, beside
/// its code, so `scrubs explain` and the docs cannot drift from it.
#[derive(Debug)]
pub struct RuleMeta {
    /// `category/slug`.
    pub id: &'static str,
    pub default_severity: Severity,
    /// One line: what it flags.
    pub summary: &'static str,
    /// *What it does*.
    pub what: &'static str,
    /// *Why*: why the policy cares.
    pub why: &'static str,
    /// *Fix*: what the quick-fix does, or what to do by hand.
    pub fix: &'static str,
    /// Texts that must produce this rule's finding (checked by the tests).
    pub fires: &'static [&'static str],
    /// Texts that must not (checked by the tests).
    pub clean: &'static [&'static str],
}

impl RuleMeta {
    pub fn category(&self) -> &'static str {
        self.id.split('/').next().unwrap_or(self.id)
    }
}

/// A rule. Rules either look at one block of prose at a time
/// ([`Rule::check_block`]: results depend only on that block's text and the
/// settings, so they can be cached per block) or at the whole document
/// ([`Rule::check_document`]: disclaimer, disclosure).
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Findings in block `block` of `cx.markup`. Cached per block (see
    /// [`cache`]): what it reports may depend only on that block (its text,
    /// kind, quoting, key), the links, images, comments and mentions inside
    /// it, the settings and `cx.active` / `cx.inferred`; its ranges and fix
    /// edits must lie inside the block's source span. A rule that needs more
    /// of the document belongs in [`Rule::check_document`], or must return
    /// false from [`Rule::block_local`].
    fn check_block(&self, _cx: &Context, _block: usize, _out: &mut Vec<Finding>) {}

    /// Whether [`Rule::check_block`] keeps to its block (see there), so its
    /// findings can be reused while the block is unchanged. A rule that
    /// returns false is run on every block at every check.
    fn block_local(&self) -> bool {
        true
    }

    fn check_document(&self, _cx: &Context, _out: &mut Vec<Finding>) {}
}
