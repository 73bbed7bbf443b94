//! Giving freed memory back to the operating system.
//!
//! An allocator keeps freed memory for reuse (mimalloc, the binary's allocator, in the pages of
//! the thread that allocated; glibc in its arenas), and the language server's analysis runs on
//! pool threads that may stay idle, so after a large document is closed the process would keep
//! its peak size although nothing holds the memory any more. `mi_collect(true)` and glibc's
//! `malloc_trim` return the free pages.

/// Returns the allocator's free pages to the system: mimalloc's (the binary's allocator, which
/// keeps freed pages of idle threads until they allocate again) and glibc's on Linux.
pub fn release_freed() {
    // SAFETY: `mi_collect` only walks mimalloc's own heaps; harmless when it is not the global
    // allocator (tree-sitter's trees use it in any case, see `syntax::use_mimalloc_for_trees`).
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only walks the allocator's own free lists; any pad value is valid.
    unsafe {
        libc::malloc_trim(0);
    }
}
