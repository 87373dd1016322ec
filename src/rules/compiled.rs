//! Compiled matchers the server can give back.
//!
//! A rule's regexes and their search caches are most of the memory the
//! rules hold once a long draft has been checked (about 35 MB with a 1 MB
//! draft: the automata, and the lazy DFA states each regex cached while it
//! searched the whole draft). They are built on first use, as with a
//! `OnceLock`, but held in a [`Slot`] (a [`LazyRegex`] or [`Reloadable`]
//! static, or a [`crate::rules::cues::Lexicon`]'s patterns), so that [`release_all`] can
//! give them back when the writer of a long draft pauses:
//!
//! - most are dropped, and built again by the next check that needs them
//!   (an edit re-checks one paragraph: it needs a few);
//! - the few that nearly every check needs (the affiliation cues, the
//!   guards, the identifier patterns: [`Reloadable::kept`]) are kept, and
//!   only their search caches are dropped (a clone of a `regex::Regex`
//!   shares its automata and starts with empty caches), so that the next
//!   keystroke does not pay to compile them again.
//!
//! A check running meanwhile keeps what it holds (an `Arc`) until it ends.

use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

/// A slot that can be emptied.
pub(crate) trait Release: Send + Sync {
    fn release(&self);
    /// Keeps the compiled value but drops its search caches (a clone of a
    /// regex shares its automata and starts with no caches).
    fn refresh(&self);
}

impl<T: Clone + Send + Sync> Release for RwLock<Option<Arc<T>>> {
    fn release(&self) {
        self.write().unwrap_or_else(|p| p.into_inner()).take();
    }
    fn refresh(&self) {
        let mut w = self.write().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = w.as_ref() {
            let fresh = Arc::new(T::clone(v));
            *w = Some(fresh);
        }
    }
}

/// Every slot that has been filled since the last [`release_all`].
static FILLED: Mutex<Vec<(Weak<dyn Release>, bool)>> = Mutex::new(Vec::new());

/// Notes that `slot` was filled, for the next [`release_all`].
pub(crate) fn filled(slot: Weak<dyn Release>, drop: bool) {
    FILLED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((slot, drop));
}

/// Drops every compiled matcher built since the last call.
/// Tests that release the process's compiled values, or count how often one is built, hold this
/// lock, so that one test's release does not land between another's build and its count.
#[cfg(test)]
pub(crate) static RELEASES: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// [`RELEASES`], held for the rest of a test (a test that failed holding it poisons nothing).
#[cfg(test)]
pub(crate) fn serial() -> std::sync::MutexGuard<'static, ()> {
    RELEASES.lock().unwrap_or_else(|p| p.into_inner())
}

pub fn release_all() {
    let slots = std::mem::take(&mut *FILLED.lock().unwrap_or_else(|p| p.into_inner()));
    let mut kept = Vec::new();
    for (weak, drop) in slots {
        if let Some(slot) = weak.upgrade() {
            if drop {
                slot.release();
            } else {
                slot.refresh();
                kept.push((weak, drop));
            }
        }
    }
    FILLED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .extend(kept);
}

/// Drops every compiled matcher, the kept ones too: for a writer who has stopped typing for a
/// while (the server, a minute after the last edit), when the next keystroke pays for loading the
/// sentence model anyway.
pub fn release_everything() {
    let slots = std::mem::take(&mut *FILLED.lock().unwrap_or_else(|p| p.into_inner()));
    for (weak, _) in slots {
        if let Some(slot) = weak.upgrade() {
            slot.release();
        }
    }
}

/// A compiled value that [`release_all`] can drop (or, if `keep`, give
/// fresh search caches), built again by the next [`Slot::get_or_build`].
pub(crate) struct Slot<T> {
    cell: Arc<RwLock<Option<Arc<T>>>>,
    keep: bool,
}

impl<T: Clone + Send + Sync + 'static> Slot<T> {
    pub(crate) fn new(keep: bool) -> Self {
        Slot {
            cell: Arc::new(RwLock::new(None)),
            keep,
        }
    }

    /// The value, built by `build` if it is not there.
    pub(crate) fn get_or_build(&self, build: impl FnOnce() -> T) -> Arc<T> {
        if let Some(v) = self.cell.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
            return v.clone();
        }
        let mut w = self.cell.write().unwrap_or_else(|p| p.into_inner());
        w.get_or_insert_with(|| {
            let weak: Weak<dyn Release> =
                Arc::downgrade(&self.cell) as Weak<RwLock<Option<Arc<T>>>>;
            filled(weak, !self.keep);
            Arc::new(build())
        })
        .clone()
    }
}

/// The value `init` builds, built on first use and again after a
/// [`release_all`]. For statics: `static P: Reloadable<Pats> =
/// Reloadable::new(|| Pats { … });`.
pub struct Reloadable<T> {
    slot: OnceLock<Slot<T>>,
    init: fn() -> T,
    /// Kept by [`release_all`], with fresh search caches.
    keep: bool,
}

impl<T: Clone + Send + Sync + 'static> Reloadable<T> {
    pub const fn new(init: fn() -> T) -> Self {
        Reloadable {
            slot: OnceLock::new(),
            init,
            keep: false,
        }
    }

    /// A value [`release_all`] keeps (its search caches dropped): for the
    /// matchers nearly every check needs, whose compile time the next
    /// keystroke would otherwise pay.
    pub const fn kept(init: fn() -> T) -> Self {
        Reloadable {
            slot: OnceLock::new(),
            init,
            keep: true,
        }
    }

    /// The value, built if it is not there.
    pub fn get(&self) -> Arc<T> {
        self.slot
            .get_or_init(|| Slot::new(self.keep))
            .get_or_build(self.init)
    }
}

/// One built-in pattern ([`crate::rules::regex`]), compiled on first use and
/// again after a [`release_all`] that dropped it: `static R: LazyRegex =
/// LazyRegex::new(r"…");`.
pub struct LazyRegex {
    slot: OnceLock<Slot<regex::Regex>>,
    pattern: &'static str,
}

impl LazyRegex {
    pub const fn new(pattern: &'static str) -> Self {
        LazyRegex {
            slot: OnceLock::new(),
            pattern,
        }
    }

    /// The compiled pattern.
    pub fn get(&self) -> Arc<regex::Regex> {
        self.slot
            .get_or_init(|| Slot::new(false))
            .get_or_build(|| crate::rules::regex(self.pattern))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static BUILT: AtomicUsize = AtomicUsize::new(0);

    fn build() -> String {
        BUILT.fetch_add(1, Ordering::SeqCst);
        "built".to_string()
    }

    #[test]
    fn a_released_value_is_built_again_and_one_in_use_stays_valid() {
        let _serial = serial();
        static V: Reloadable<String> = Reloadable::new(build);
        let held = V.get();
        let before = BUILT.load(Ordering::SeqCst);
        assert_eq!(*V.get(), "built");
        assert_eq!(
            BUILT.load(Ordering::SeqCst),
            before,
            "built once while held"
        );
        release_all();
        // What a running check holds is still there.
        assert_eq!(*held, "built");
        assert_eq!(*V.get(), "built");
        assert!(
            BUILT.load(Ordering::SeqCst) > before,
            "built again after release"
        );
    }

    static KEPT_BUILT: AtomicUsize = AtomicUsize::new(0);

    fn build_kept() -> String {
        KEPT_BUILT.fetch_add(1, Ordering::SeqCst);
        "kept".to_string()
    }

    #[test]
    fn a_kept_value_outlives_a_pause_but_not_release_everything() {
        let _serial = serial();
        static V: Reloadable<String> = Reloadable::kept(build_kept);
        assert_eq!(*V.get(), "kept");
        let built = KEPT_BUILT.load(Ordering::SeqCst);
        release_all();
        assert_eq!(*V.get(), "kept");
        assert_eq!(
            KEPT_BUILT.load(Ordering::SeqCst),
            built,
            "release_all keeps it"
        );
        let held = V.get();
        release_everything();
        assert_eq!(*held, "kept", "what a check holds stays valid");
        assert_eq!(*V.get(), "kept");
        assert!(
            KEPT_BUILT.load(Ordering::SeqCst) > built,
            "release_everything drops it, and it is built again"
        );
    }
}
