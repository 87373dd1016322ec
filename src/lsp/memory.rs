//! Giving memory back to the system between checks: the rules' compiled
//! matchers ([`release`], everywhere) and the allocator's free pages (glibc
//! only; on other systems [`few_arenas`] and [`trim`] do nothing).
//!
//! A long draft's check and its publish allocate tens of megabytes for a
//! moment (the markup, the findings, the diagnostics as JSON). glibc keeps
//! what was freed for later allocations, one heap ("arena") per thread that
//! allocated, so without these the server's resident memory stays at its
//! highest point for as long as it runs.

/// At most two malloc arenas for the process: the server's threads (the
/// runtime's workers, the check thread and its helper) otherwise each get
/// their own heap, each holding its own freed memory.
pub fn few_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before the
    // runtime starts its threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

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

/// What the server gives back a minute after the last judged check: the sentence model (its
/// tokenizer, heads and verdict cache), the pages of the embedding rows it read, and the freed
/// memory. True if the model was loaded and idle that long.
pub fn release_model(idle: std::time::Duration) -> bool {
    if !crate::model::release_if_idle(idle) {
        return false;
    }
    crate::model::forget_pages();
    trim();
    true
}
