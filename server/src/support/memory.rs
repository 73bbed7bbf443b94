//! Giving freed memory back to the operating system.
//!
//! An allocator keeps freed memory for reuse. mimalloc, the binary's allocator, keeps it per
//! thread: a block freed by another thread than the one that allocated it goes to the owner's
//! delayed-free list, which only the owner processes (when it allocates again, or collects). The
//! language server's analysis runs on its own long-lived thread and on rayon's pool, and its
//! documents arrive on the async runtime's workers; after a large document is closed those
//! threads may stay idle, and the process would keep its peak size although nothing holds the
//! memory any more. So a release must run on every thread that may own the freed pages, not only
//! on the caller's:
//! - the caller (the server runs it on its analysis thread) and rayon's pool threads collect at
//!   once ([`release_freed`] broadcasts to the pool);
//! - the async workers collect the next time they go idle ([`collect_if_requested`], installed
//!   as the runtime's park hook), because a broadcast cannot reach them.
//!
//! glibc's `malloc_trim` returns what the C side (tree-sitter falls back to it in tests) freed.

use std::sync::atomic::{AtomicU64, Ordering};

/// Bumped by every [`release_freed`]; a thread that has not collected since the last bump
/// collects in [`collect_if_requested`].
static RELEASES: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static COLLECTED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Returns the allocator's free pages to the system: on the calling thread and every rayon pool
/// thread now, and on the async runtime's workers when they next park. Blocks until the pool
/// threads are done (call it from a blocking context).
pub fn release_freed() {
    let release = RELEASES.fetch_add(1, Ordering::SeqCst) + 1;
    rayon::broadcast(|_| collect_this_thread(release));
    collect_this_thread(release);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only walks the allocator's own free lists; any pad value is valid.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Collects on this thread if a release was asked for since it last collected. Cheap otherwise
/// (two atomic loads), so it can run every time a runtime worker parks.
pub fn collect_if_requested() {
    let release = RELEASES.load(Ordering::SeqCst);
    if COLLECTED.with(|c| c.get()) < release {
        collect_this_thread(release);
    }
}

fn collect_this_thread(release: u64) {
    COLLECTED.with(|c| c.set(release));
    // SAFETY: `mi_collect` only walks this thread's mimalloc heap (and the abandoned segments
    // of exited threads); harmless when mimalloc is not the global allocator.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_marks_every_pool_thread_collected() {
        // Other tests may ask for releases meanwhile: this one's number is above `before`.
        let release = RELEASES.load(Ordering::SeqCst) + 1;
        release_freed();
        let seen = rayon::broadcast(|_| COLLECTED.with(|c| c.get()));
        assert!(seen.iter().all(|&c| c >= release), "{seen:?} < {release}");
    }

    #[test]
    fn a_parked_thread_collects_once_per_release() {
        std::thread::spawn(|| {
            let before = COLLECTED.with(|c| c.get());
            RELEASES.fetch_add(1, Ordering::SeqCst);
            collect_if_requested();
            let after = COLLECTED.with(|c| c.get());
            assert!(after > before);
            collect_if_requested();
            assert_eq!(COLLECTED.with(|c| c.get()), after);
        })
        .join()
        .expect("thread");
    }
}
