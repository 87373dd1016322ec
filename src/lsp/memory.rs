//! Giving memory back to the system between checks: the rules' compiled
//! matchers ([`release`], everywhere) and the allocator's free pages (glibc
//! only; on other systems [`few_arenas`] and [`trim`] do nothing); and the lower
//! priority of the thread that judges ahead of the checks ([`background_priority`]).
//!
//! A long draft's check and its publish allocate tens of megabytes for a
//! moment (the markup, the findings, the diagnostics as JSON). glibc keeps
//! what was freed for later allocations, one heap ("arena") per thread that
//! allocated, so without these the server's resident memory stays at its
//! highest point for as long as it runs.

/// At most two malloc arenas for the process: the server's threads (the
/// runtime's workers, the check thread and its helper) otherwise each get
/// their own heap, each holding its own freed memory. And blocks from
/// [`MMAP_FROM`] bytes always mapped on their own: glibc would otherwise
/// raise that limit after the first such block is freed, and the sentence
/// model's layers and activations would then come from the heap, leaving it
/// full of holes between the document's long-lived data once the model is
/// given back.
pub fn few_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before the
    // runtime starts its threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_FROM as libc::c_int);
        libc::mallopt(libc::M_TRIM_THRESHOLD, KEEP_ON_TOP as libc::c_int);
    }
}

/// See [`few_arenas`].
#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
const MMAP_FROM: usize = 256 * 1024;

/// How much freed memory at the top of a heap glibc keeps rather than returning it at once (its
/// default once `M_MMAP_THRESHOLD` is set is 128 KB): on the sentence model's portable path (a
/// processor without AVX2 and FMA; `model::bert`), its matrix products allocate and free a
/// ~250 KB buffer 24 times a keystroke, and each free returned it and each allocation faulted it
/// in again. (The kernel taken on other processors allocates nothing.) What is kept is returned
/// by [`trim`], which the server calls after each judgement and when the writer pauses.
#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
const KEEP_ON_TOP: usize = 4 * 1024 * 1024;

/// Returns the freed memory of every arena to the system.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// What the server gives back when the writer of a long draft pauses: the
/// rules' compiled patterns and their search caches (compiled again, for
/// the lexicons a later edit needs, on the next check), then every arena's
/// free pages.
pub fn release() {
    crate::rules::compiled::release_all();
    trim();
}

/// What the server gives back a minute after the last edit: the sentence model (its tokenizer,
/// heads and verdict cache) and the pages of the encoder it read, if it was loaded; after a long
/// draft's check (`long`), every compiled matcher of the rules, the ones [`release`] keeps for the
/// next keystroke too (that keystroke compiles them again: ~45 ms more, once, after a minute; the
/// `recheck-after-release` group of `cargo bench --bench engine`), else
/// those [`release`] drops; then the freed memory.
pub fn release_idle(long: bool) {
    if crate::model::release_if_idle(std::time::Duration::ZERO) {
        crate::model::forget_pages();
    }
    if long {
        crate::rules::compiled::release_everything();
    } else {
        crate::rules::compiled::release_all();
    }
    trim();
}

/// Lowers the calling thread's scheduling priority (Linux: the nice value is the thread's, and the
/// threads it starts inherit it), for work that should take the cores only when nothing more
/// urgent wants them. Elsewhere, nothing.
pub fn background_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only changes the calling thread's nice value (Linux's threads each have
    // their own); raising it needs no privilege, and a failure leaves the priority as it was.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}
