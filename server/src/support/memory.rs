//! Giving freed memory back to the operating system.
//!
//! glibc's allocator keeps freed memory in its arenas (one per thread that allocated, and the
//! language server's analysis runs on pool threads), so after a large document is closed the
//! process keeps its peak size although nothing holds the memory any more. `malloc_trim` returns
//! the free pages of every arena. Other allocators and platforms return memory on their own, so
//! this is a no-op there.

/// Returns the allocator's free pages to the system (glibc on Linux; elsewhere nothing to do).
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only walks the allocator's own free lists; any pad value is valid.
    unsafe {
        libc::malloc_trim(0);
    }
}
