//! Peak memory of a child process, read by `wait4` when it is reaped (Linux): memory bounds
//! through the real binary, without timing asserts.

/// Waits for `child` and returns (its exit code, -1 when a signal ended it; its peak resident
/// set in MB).
#[cfg(target_os = "linux")]
pub fn wait_with_peak_rss_mb(child: std::process::Child) -> (i32, i64) {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is valid; `wait4` fills it for our own, unwaited child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    // Reaped by wait4 already; dropping the handle would not wait again, forgetting it says so.
    std::mem::forget(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, usage.ru_maxrss / 1024)
}
