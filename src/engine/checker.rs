use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use crate::config::{Level, Settings};
use crate::engine::affiliation::{self, Affiliation, Mention, NameMatcher};
use crate::engine::cache::{self, Cache};
use crate::engine::{Citation, Finding, Rule, Severity};
use crate::markup::{self, Format, Markup};
use crate::packs::{self, Pack};

/// Text to check (bytes of prose not taken from the cache) from which a
/// check uses the helper thread for half of the blocks.
pub const SPLIT_MIN_BYTES: usize = 64 * 1024;

static HELPER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Whether long checks in this process may use the helper thread (yes by
/// default). The language server says no: it lives for hours and checks a
/// keystroke's block or two at a time, so the helper would only speed up
/// opening a long draft (by about 40% at 1 MB) and would hold a second set
/// of the rules' regex caches (about 13 MB) for the rest of the session.
pub fn use_helper_thread(yes: bool) {
    HELPER.store(yes, std::sync::atomic::Ordering::Relaxed);
}

/// The one helper thread of long checks, started on first use; `None`
/// when the system refuses a thread (the check then runs on one).
fn helper() -> Option<&'static rayon_core::ThreadPool> {
    static POOL: OnceLock<Option<rayon_core::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon_core::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "scrubs-check-helper".into())
            .build()
            .ok()
    })
    .as_ref()
}

/// Settings and policy packs, compiled once; checks any number of texts.
pub struct Checker {
    settings: Settings,
    /// Built-in packs, then user packs; `generic` is always present.
    packs: Vec<Pack>,
    /// Indices of the configured institutions, in the configured order.
    configured: Vec<usize>,
    pub(crate) generic: usize,
    names: NameMatcher,
    /// Lowercased e-mail domains that count as work addresses, with the pack
    /// they belong to (None: from the settings).
    email_domains: Vec<(String, Option<usize>)>,
    /// The enabled rules with their settings level override.
    rules: Vec<(&'static dyn Rule, Option<Severity>)>,
    /// The packs' and the writer's disclaimer wordings, compiled once
    /// ([`crate::rules::disclaimers::wordings`]).
    disclaimer_wordings: Option<crate::rules::disclaimers::Wordings>,
    /// The packs' not-medical-advice notices, as one pattern.
    notice_wordings: Option<crate::rules::disclaimers::Wordings>,
    /// Per pack, what it cites for each rule ([`Pack::citations_for`],
    /// looked up once here, not for every finding): each clause made once
    /// and shared by every finding that cites it.
    cited: Vec<HashMap<&'static str, Vec<Arc<Citation>>>>,
}

use crate::rules::disclaimer_missing::TIE_RULES;

/// What one check of one text sees: the markup, the mentions and
/// affiliations, and which institutions' policies apply.
pub struct Context<'a> {
    pub text: &'a str,
    pub format: Format,
    pub markup: Markup,
    pub checker: &'a Checker,
    pub mentions: Vec<Mention>,
    pub affiliations: Vec<Affiliation>,
    /// Indices into the checker's packs of the institutions whose policies
    /// apply: the configured ones, else those inferred from the text, else
    /// the generic pack.
    pub active: Vec<usize>,
    /// The active institutions were inferred from the text.
    pub inferred: bool,
    /// The post's own settings from its front matter (`scrubs:`), if any.
    pub post: markup::PostSettings,
    /// What the pictures the draft links to hold ([`Checker::check_full`]); `None` in a
    /// rules-only check, where the picture rules report nothing.
    pub pictures: Option<&'a dyn crate::engine::Pictures>,
    /// What `pictures` said of each image, asked once per check
    /// ([`crate::engine::pictures::inspected`]).
    pub(crate) pictures_seen: OnceLock<Vec<Option<crate::engine::pictures::Inspected>>>,
    /// Per block, its sentences ([`crate::rules::context::sentences`]),
    /// computed on first use and shared by every rule that reads them.
    sentences: Vec<OnceLock<Vec<Range<usize>>>>,
    /// Per block, which rule lexicons its text triggers
    /// ([`crate::rules::cues::TriggerIndex`]), scanned on first use.
    triggers: Vec<OnceLock<Vec<u64>>>,
    /// The trigger index, taken once per check (it may be given back and
    /// built again between checks: [`crate::rules::compiled::release_everything`]).
    trigger_index: OnceLock<Arc<crate::rules::cues::TriggerIndex>>,
    /// Per block, the indices of the links whose text it holds, in order.
    links_by_block: OnceLock<Vec<Vec<usize>>>,
}

impl<'a> Context<'a> {
    pub fn pack(&self, i: usize) -> &'a Pack {
        &self.checker.packs[i]
    }

    /// The first active institution's pack.
    pub fn primary(&self) -> &'a Pack {
        self.pack(self.active.first().copied().unwrap_or(self.checker.generic))
    }

    pub fn settings(&self) -> &'a Settings {
        &self.checker.settings
    }

    /// Whether rule `id` runs in this check: not turned off in the settings
    /// or in the post's front matter. (Both are part of what a block's cached
    /// findings are keyed by, so a rule may depend on it.)
    pub fn rule_enabled(&self, id: &str) -> bool {
        self.checker.rules.iter().any(|(r, _)| r.meta().id == id)
            && !self
                .post
                .disable
                .iter()
                .any(|s| crate::engine::suppress::selects(s, id))
    }

    /// The links whose text block `block` holds, in document order (an
    /// index built once per check, so rules need not walk every link of
    /// the document for every block).
    pub fn links_in(&self, block: usize) -> impl Iterator<Item = &markup::Link> {
        let by_block = self.links_by_block.get_or_init(|| {
            let mut v = vec![Vec::new(); self.markup.blocks.len()];
            for (i, l) in self.markup.links.iter().enumerate() {
                if let Some(b) = l.block.filter(|&b| b < v.len()) {
                    v[b].push(i);
                }
            }
            v
        });
        by_block
            .get(block)
            .into_iter()
            .flatten()
            .map(|&i| &self.markup.links[i])
    }

    /// Whether block `block` holds a trigger literal of lexicon `lexicon`
    /// (one scan per block for every lexicon); `None` for a lexicon the
    /// index does not hold.
    pub fn triggered(&self, block: usize, lexicon: usize) -> Option<bool> {
        let index = self
            .trigger_index
            .get_or_init(crate::rules::cues::TriggerIndex::get);
        let bits = self.triggers[block].get_or_init(|| index.scan(&self.markup.blocks[block].text));
        index.has(bits, lexicon)
    }

    /// The sentences of block `block`'s text, computed once per check and
    /// shared by every rule (see [`crate::rules::context::sentences`]).
    pub fn sentences(&self, block: usize) -> &[Range<usize>] {
        self.sentences[block]
            .get_or_init(|| crate::rules::context::sentences(&self.markup.blocks[block].text))
    }
}

impl Checker {
    /// Compiles `settings` with the built-in packs and `extra` user packs.
    /// An institution id that no pack defines is an error (the caller reports
    /// it and falls back to the defaults).
    pub fn new(settings: Settings, extra: Vec<Pack>) -> Result<Checker, String> {
        let mut packs: Vec<Pack> = packs::builtin().to_vec();
        for p in extra {
            if let Some(i) = packs.iter().position(|q| q.id == p.id) {
                packs[i] = p;
            } else {
                packs.push(p);
            }
        }
        let generic = packs
            .iter()
            .position(|p| p.id == packs::GENERIC)
            .unwrap_or(0);
        let mut configured = Vec::new();
        for id in settings.institutions() {
            match packs.iter().position(|p| p.id == id) {
                Some(i) => {
                    if !configured.contains(&i) {
                        configured.push(i)
                    }
                }
                None => {
                    let known: Vec<_> = packs.iter().map(|p| p.id.as_str()).collect();
                    return Err(format!(
                        "institution: unknown institution `{id}` (known: {})",
                        known.join(", ")
                    ));
                }
            }
        }
        let mut email_domains = Vec::new();
        for (i, p) in packs.iter().enumerate() {
            for d in &p.names.email_domains {
                email_domains.push((d.to_ascii_lowercase(), Some(i)));
            }
        }
        for d in &settings.email_domains {
            email_domains.push((d.to_ascii_lowercase(), None));
        }
        let rules = crate::rules::all()
            .iter()
            .filter_map(|r| {
                let meta = r.meta();
                let level = settings
                    .rules
                    .get(meta.id)
                    .or_else(|| settings.rules.get(meta.category()));
                match level {
                    Some(Level::Off) => None,
                    Some(Level::On(s)) => Some((*r, Some(*s))),
                    None => Some((*r, None)),
                }
            })
            .collect();
        let names = NameMatcher::new(&packs);
        let disclaimer_wordings =
            crate::rules::disclaimers::wordings(&packs, settings.disclaimer.text.as_deref());
        let notice_wordings = crate::rules::disclaimers::any_of(
            packs
                .iter()
                .filter_map(|p| p.notice.as_ref().map(|n| n.text.as_str())),
            Some(crate::rules::medical_advice_notice::notice_gate()),
        );
        let cited = packs
            .iter()
            .map(|pack| {
                let clause: HashMap<&str, Arc<Citation>> = pack
                    .guidelines
                    .iter()
                    .map(|g| {
                        let c = Citation {
                            institution: pack.id.clone(),
                            guideline: g.id.clone(),
                            quote: g.quote.clone(),
                            institution_name: pack.name.clone(),
                            section: g.section.clone(),
                            title: g.title.clone(),
                            source: pack.source.title.clone(),
                            url: pack.source.url.clone(),
                        };
                        (g.id.as_str(), Arc::new(c))
                    })
                    .collect();
                crate::rules::all()
                    .iter()
                    .map(|r| {
                        let m = r.meta();
                        let cites = pack
                            .citations_for(m.id, m.category())
                            .iter()
                            .filter_map(|g| clause.get(g.id.as_str()).cloned())
                            .collect();
                        (m.id, cites)
                    })
                    .collect()
            })
            .collect();
        Ok(Checker {
            cited,
            disclaimer_wordings,
            notice_wordings,
            settings,
            packs,
            configured,
            generic,
            names,
            email_domains,
            rules,
        })
    }

    /// The default checker: no settings, built-in packs.
    pub fn default_checker() -> Checker {
        Checker::new(Settings::default(), Vec::new()).expect("default settings are valid")
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn packs(&self) -> &[Pack] {
        &self.packs
    }

    /// The disclaimer wordings of the packs and the settings, as one
    /// pattern ([`crate::rules::disclaimers::wordings`]).
    pub fn disclaimer_wordings(&self) -> Option<&crate::rules::disclaimers::Wordings> {
        self.disclaimer_wordings.as_ref()
    }

    /// The packs' not-medical-advice notice texts, as one pattern
    /// ([`crate::rules::disclaimers::any_of`]).
    pub fn notice_wordings(&self) -> Option<&crate::rules::disclaimers::Wordings> {
        self.notice_wordings.as_ref()
    }

    /// The institution-name matcher (strong and weak names of every pack),
    /// for rules that look for names outside affiliation phrases.
    pub fn names(&self) -> &NameMatcher {
        &self.names
    }

    /// The pack an e-mail domain belongs to, if it is a work domain
    /// (subdomains included). `Some(None)` for a domain from the settings.
    pub fn work_domain(&self, domain: &str) -> Option<Option<usize>> {
        let domain = domain.to_ascii_lowercase();
        self.email_domains
            .iter()
            .find(|(d, _)| {
                domain == *d
                    || (domain.ends_with(d.as_str())
                        && domain.as_bytes().get(domain.len() - d.len() - 1) == Some(&b'.'))
            })
            .map(|(_, p)| *p)
    }

    /// Builds the context for `text`: markup, mentions, affiliations and the
    /// active institutions.
    pub fn context<'a>(&'a self, text: &'a str, format: Format) -> Context<'a> {
        let markup = markup::extract(text, format);
        let (mentions, affiliations) = affiliation::find(&self.names, &self.packs, &markup);
        let post = match format {
            Format::PlainText | Format::Rst => markup::PostSettings::default(),
            // Formats that may start with front matter.
            Format::Markdown | Format::Mdx | Format::Html | Format::AsciiDoc | Format::Org => {
                markup::post_settings(text).unwrap_or_default()
            }
        };
        // The post's own `institution` wins over the settings; ids no pack
        // defines are ignored.
        let mut from_post: Vec<usize> = Vec::new();
        for id in &post.institution {
            if let Some(i) = self.packs.iter().position(|p| p.id == *id) {
                if !from_post.contains(&i) {
                    from_post.push(i);
                }
            }
        }
        let (active, inferred) = if !from_post.is_empty() {
            (from_post, false)
        } else if !self.configured.is_empty() {
            (self.configured.clone(), false)
        } else {
            let mut inferred = Vec::new();
            for a in &affiliations {
                if !inferred.contains(&a.pack) {
                    inferred.push(a.pack);
                }
            }
            if inferred.is_empty() {
                (vec![self.generic], false)
            } else {
                (inferred, true)
            }
        };
        let sentences = (0..markup.blocks.len()).map(|_| OnceLock::new()).collect();
        let triggers = (0..markup.blocks.len()).map(|_| OnceLock::new()).collect();
        Context {
            text,
            format,
            sentences,
            triggers,
            trigger_index: OnceLock::new(),
            links_by_block: OnceLock::new(),
            markup,
            checker: self,
            mentions,
            affiliations,
            active,
            inferred,
            post,
            pictures: None,
            pictures_seen: OnceLock::new(),
        }
    }

    /// Checks `text`: findings sorted by position. Only the first
    /// [`crate::engine::checked_len`] bytes are checked (see
    /// [`crate::engine::MAX_CHECKED_BYTES`]).
    pub fn check(&self, text: &str, format: Format) -> Vec<Finding> {
        let text = &text[..crate::engine::checked_len(text)];
        let cx = self.context(text, format);
        self.check_context(&cx)
    }

    /// Checks `text`, reusing `cache`'s findings for every block whose text
    /// and surroundings are unchanged since the last check with it (see
    /// [`crate::engine::cache`]). Same result as [`Checker::check`]. Use a
    /// cache with one checker only.
    pub fn check_cached(&self, text: &str, format: Format, cache: &mut Cache) -> Vec<Finding> {
        let text = &text[..crate::engine::checked_len(text)];
        let cx = self.context(text, format);
        self.check_context_with(&cx, Some(cache), None)
    }

    /// Checks `text` with the rules and, when `judge` is given and the settings leave the
    /// judgement on (`[judgement] enabled`), the sentence model beside them
    /// ([`crate::engine::judgement`]). Suppression comments and the post's front matter apply to
    /// the model's findings as to the rules'.
    pub fn check_judged(
        &self,
        text: &str,
        format: Format,
        cache: Option<&mut Cache>,
        judge: Option<&dyn crate::engine::Judge>,
    ) -> Vec<Finding> {
        self.check_full(text, format, cache, judge, None)
    }

    /// [`Checker::check_judged`], and the picture rules with what `pictures` knows about the
    /// images the draft links to (their metadata, the text recognised in them).
    pub fn check_full(
        &self,
        text: &str,
        format: Format,
        cache: Option<&mut Cache>,
        judge: Option<&dyn crate::engine::Judge>,
        pictures: Option<&dyn crate::engine::Pictures>,
    ) -> Vec<Finding> {
        let text = &text[..crate::engine::checked_len(text)];
        let mut cx = self.context(text, format);
        cx.pictures = pictures;
        let judge = judge.filter(|_| self.settings.judgement.enabled());
        self.check_context_with(&cx, cache, judge)
    }

    /// Runs every enabled rule over a prepared context.
    ///
    /// Then the post's front-matter `disable` list and its suppression
    /// comments ([`crate::engine::suppress`]) remove what the writer has
    /// marked as fine, and unused suppressions are reported.
    pub fn check_context(&self, cx: &Context) -> Vec<Finding> {
        self.check_context_with(cx, None, None)
    }

    fn check_context_with(
        &self,
        cx: &Context,
        mut cache: Option<&mut Cache>,
        judge: Option<&dyn crate::engine::Judge>,
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        let post_disabled = |id: &str| {
            cx.post
                .disable
                .iter()
                .any(|s| crate::engine::suppress::selects(s, id))
        };
        // A rule runs in this check: on in the settings and not off in the front matter.
        let enabled =
            |id: &str| !post_disabled(id) && self.rules.iter().any(|(r, _)| r.meta().id == id);
        let mut unused_level = None;
        let mut rules = Vec::with_capacity(self.rules.len());
        for (rule, level) in &self.rules {
            let meta = rule.meta();
            if post_disabled(meta.id) {
                continue;
            }
            if meta.id == crate::engine::suppress::UNUSED {
                unused_level = Some((meta, level.unwrap_or(meta.default_severity)));
                continue;
            }
            rules.push((*rule, *level));
        }
        let keys = match cache.as_deref_mut() {
            Some(c) => {
                c.begin();
                cache::keys(cx)
            }
            None => Vec::new(),
        };
        // 1. The blocks whose findings the cache holds.
        let n = cx.markup.blocks.len();
        let mut slots: Vec<Vec<Finding>> = vec![Vec::new(); n];
        let mut hits = vec![false; n];
        if let Some(c) = cache.as_deref_mut() {
            for b in 0..n {
                let span = cx.markup.blocks[b].span();
                if let (Some(src), Some(&k)) = (cx.text.get(span.clone()), keys.get(b)) {
                    hits[b] = c.get(k, src, span.start, &mut slots[b]);
                }
            }
        }
        // 2. The rules on every block (only the rules that are not
        // block-local on a cached one).
        self.check_blocks(cx, &rules, &hits, &mut slots);
        // 3. The block-local findings of the blocks checked, into the cache.
        if let Some(c) = cache.as_deref_mut() {
            for b in (0..n).filter(|&b| !hits[b]) {
                let span = cx.markup.blocks[b].span();
                if let (Some(src), Some(&k)) = (cx.text.get(span.clone()), keys.get(b)) {
                    let local: Vec<Finding> = slots[b]
                        .iter()
                        .filter(|f| self.is_block_local(&f.rule))
                        .cloned()
                        .collect();
                    c.put(k, src, span, &local);
                }
            }
        }
        out.extend(slots.into_iter().flatten());
        for (rule, level) in &rules {
            let s = out.len();
            rule.check_document(cx, &mut out);
            for f in &mut out[s..] {
                self.finish(cx, f, *level);
            }
        }
        if let Some(c) = cache {
            c.end();
        }
        if let Some(judge) = judge {
            let finish = |f: &mut Finding| {
                let level = self
                    .rules
                    .iter()
                    .find(|(r, _)| r.meta().id == f.rule)
                    .and_then(|(_, l)| *l);
                self.finish(cx, f, level)
            };
            crate::engine::judgement::apply(cx, judge, &mut out, &enabled, &finish);
        }
        out.sort_by(|a, b| {
            (a.range.start, a.range.end, &a.rule).cmp(&(b.range.start, b.range.end, &b.rule))
        });
        out.dedup_by(|a, b| a.rule == b.rule && a.range == b.range);
        let directives = crate::engine::suppress::directives(cx.text, cx.format, &cx.markup);
        if !directives.is_empty() {
            // Fixes made of other findings' redactions keep their hands off
            // the findings suppressed here.
            let mended = out
                .iter()
                .any(|f| f.fixes.iter().any(|x| !x.parts.is_empty()));
            let all: Vec<(String, Range<usize>)> = if mended {
                out.iter()
                    .map(|f| (f.rule.clone(), f.range.clone()))
                    .collect()
            } else {
                Vec::new()
            };
            // A `disclaimer/missing` whose tie is a work address or a handle
            // (`disclaimer_missing::tie`) sits on that finding's range, and goes
            // with it when the writer suppresses it.
            let tied_to: Vec<Range<usize>> = out
                .iter()
                .filter(|f| TIE_RULES.contains(&f.rule.as_str()))
                .map(|f| f.range.clone())
                .filter(|r| {
                    out.iter()
                        .any(|f| f.rule == "disclaimer/missing" && f.range == *r)
                })
                .collect();
            out = crate::engine::suppress::apply(cx.text, &directives, out, unused_level, &enabled);
            for r in tied_to {
                if !out
                    .iter()
                    .any(|f| TIE_RULES.contains(&f.rule.as_str()) && f.range == r)
                {
                    out.retain(|f| !(f.rule == "disclaimer/missing" && f.range == r));
                }
            }
            if mended {
                crate::engine::suppress::spare_suppressed(&mut out, &all);
            }
            out.sort_by(|a, b| {
                (a.range.start, a.range.end, &a.rule).cmp(&(b.range.start, b.range.end, &b.rule))
            });
        }
        out
    }

    /// Runs `rules` on every block into its slot: all of them on a block
    /// not in `hits`, the ones that are not block-local on the others.
    ///
    /// A check of [`SPLIT_MIN_BYTES`] or more (a long draft opened, not a
    /// keystroke: those re-check a block or two) is split in two halves by
    /// bytes: this thread checks the first, one long-lived helper thread the
    /// second. The helper lives as long as the process, so its regex caches
    /// stay warm from one check to the next; threads made per check started
    /// cold and made the split slower than one thread (1 MB: 94 against
    /// 85 ms, measured in the second session).
    fn check_blocks(
        &self,
        cx: &Context,
        rules: &[(&'static dyn Rule, Option<Severity>)],
        hits: &[bool],
        slots: &mut [Vec<Finding>],
    ) {
        let blocks = &cx.markup.blocks;
        // Measured only when the helper may be used (not in the server,
        // where every keystroke would pay for it).
        let todo: usize = if HELPER.load(std::sync::atomic::Ordering::Relaxed) {
            (0..blocks.len())
                .filter(|&b| !hits[b])
                .map(|b| blocks[b].text.len())
                .sum()
        } else {
            0
        };
        if todo >= SPLIT_MIN_BYTES {
            if let Some(pool) = helper() {
                let mut acc = 0;
                let mid = (0..blocks.len())
                    .position(|b| {
                        acc += if hits[b] { 0 } else { blocks[b].text.len() };
                        acc >= todo / 2
                    })
                    .map_or(blocks.len(), |b| b + 1);
                let (first, second) = slots.split_at_mut(mid);
                pool.in_place_scope(|s| {
                    s.spawn(|_| self.check_range(cx, rules, hits, second, mid));
                    self.check_range(cx, rules, hits, first, 0);
                });
                return;
            }
        }
        self.check_range(cx, rules, hits, slots, 0);
    }

    /// [`Checker::check_blocks`] on the blocks whose slots are `slots`,
    /// the first being block `first`.
    fn check_range(
        &self,
        cx: &Context,
        rules: &[(&'static dyn Rule, Option<Severity>)],
        hits: &[bool],
        slots: &mut [Vec<Finding>],
        first: usize,
    ) {
        for (i, slot) in slots.iter_mut().enumerate() {
            let b = first + i;
            for (rule, level) in rules {
                if hits[b] && rule.block_local() {
                    continue;
                }
                let s = slot.len();
                rule.check_block(cx, b, slot);
                for f in &mut slot[s..] {
                    self.finish(cx, f, *level);
                }
            }
        }
    }

    /// Whether findings of rule `id` from `check_block` may be cached.
    fn is_block_local(&self, id: &str) -> bool {
        self.rules
            .iter()
            .find(|(r, _)| r.meta().id == id)
            .is_none_or(|(r, _)| r.block_local())
    }

    /// Fills in a finding's severity and citations.
    fn finish(&self, cx: &Context, f: &mut Finding, level: Option<Severity>) {
        // Clamp the range to the text, on character boundaries.
        let len = cx.text.len();
        let start = crate::position::floor_char_boundary(cx.text, f.range.start.min(len));
        let end = crate::position::floor_char_boundary(cx.text, f.range.end.min(len)).max(start);
        f.range = start..end;
        let one;
        let packs: &[usize] = match f
            .institution
            .as_deref()
            .and_then(|id| self.packs.iter().position(|p| p.id == id))
        {
            Some(i) if cx.active.contains(&i) || cx.inferred => {
                one = [i];
                &one
            }
            _ => &cx.active,
        };
        f.severity = match level {
            Some(s) => s,
            None => packs
                .iter()
                .filter_map(|&i| self.packs[i].severity_for(&f.rule))
                .max()
                .unwrap_or(f.severity),
        };
        // Every finding here comes from a rule of `crate::rules::all()`.
        for &i in packs {
            if let Some(cites) = self.cited[i].get(f.rule.as_str()) {
                f.citations.extend(cites.iter().cloned());
            }
        }
        if cx.inferred && !f.citations.is_empty() {
            let names: Vec<&str> = packs.iter().map(|&i| self.packs[i].name.as_str()).collect();
            f.message.push_str(&format!(
                " (Policy of {}, inferred from the text.)",
                names.join(" and ")
            ));
        }
    }

    /// Levels from the settings, for `scrubs rules`.
    pub fn rule_levels(&self) -> BTreeMap<&'static str, Option<Severity>> {
        self.rules.iter().map(|(r, l)| (r.meta().id, *l)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long draft's blocks checked in two halves on two threads give the
    /// findings, in the order, that one thread gives.
    #[test]
    fn a_split_check_finds_what_one_thread_finds() {
        let post = concat!(
            include_str!("../../examples/the-crossword.md"),
            "\n\n",
            include_str!("../../examples/night-shift.md"),
            "\n\n",
            include_str!("../../examples/marathon-training.md"),
            "\n\n"
        );
        let text = post.repeat(2 * SPLIT_MIN_BYTES / post.len() + 1);
        let checker = Checker::default_checker();
        let cx = checker.context(&text, Format::Markdown);
        let rules: Vec<_> = checker.rules.clone();
        let n = cx.markup.blocks.len();
        let prose: usize = cx.markup.blocks.iter().map(|b| b.text.len()).sum();
        assert!(prose >= SPLIT_MIN_BYTES, "the draft should be split");
        let hits = vec![false; n];
        let mut split = vec![Vec::new(); n];
        checker.check_blocks(&cx, &rules, &hits, &mut split);
        let mut one = vec![Vec::new(); n];
        checker.check_range(&cx, &rules, &hits, &mut one, 0);
        let count: usize = one.iter().map(Vec::len).sum();
        assert!(count > 100, "the draft should have findings throughout");
        assert_eq!(split, one);
    }

    /// The server drops the rules' compiled patterns when a long draft's
    /// writer pauses; the next check (an edit, re-checked with the cache)
    /// compiles what it needs again and finds what a fresh check finds.
    #[test]
    fn checks_after_the_compiled_rules_are_released_find_the_same() {
        // The example drafts (patient privacy) and generated prose (the
        // phrase rules).
        let text = format!(
            "{}\n\n{}\n\n{}",
            include_str!("../../examples/night-shift.md"),
            include_str!("../../examples/the-crossword.md"),
            crate::bench_support::markdown(40_000)
        );
        let post = text.as_str();
        let _serial = crate::rules::compiled::serial();
        let checker = Checker::default_checker();
        let before = checker.check(post, Format::Markdown);
        let rules: std::collections::BTreeSet<&str> =
            before.iter().map(|f| f.rule.as_str()).collect();
        assert!(rules.len() >= 14, "many rules should fire: {rules:?}");
        let mut cache = crate::engine::Cache::default();
        assert_eq!(
            checker.check_cached(post, Format::Markdown, &mut cache),
            before
        );

        crate::rules::compiled::release_all();
        assert_eq!(checker.check(post, Format::Markdown), before);

        // A minute after the last edit the server drops the kept matchers and the trigger index
        // too: built again, they find the same.
        crate::rules::compiled::release_everything();
        assert_eq!(checker.check(post, Format::Markdown), before);

        crate::rules::compiled::release_all();
        let edited = post.replacen(
            "\n\n",
            "\n\nHere at Mayo Clinic we have the best nurses in the country.\n\n",
            1,
        );
        let after = checker.check_cached(&edited, Format::Markdown, &mut cache);
        assert_eq!(after, checker.check(&edited, Format::Markdown));
        assert!(
            after.len() > before.len(),
            "the new sentence is flagged too: {} vs {}",
            after.len(),
            before.len()
        );
    }
}
