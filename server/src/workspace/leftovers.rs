//! Temporary files a killed run of this tool left behind in the side folders.
//!
//! Every replacement of a user's file goes through a temp file in the same folder and a rename
//! (`fix::write_atomically`: `.moment-sync-<pid>-<nanos>-<n>.tmp`; `events::atomic::write_atomic`,
//! used by `rollback`: `.<name>.tmp-<pid>-<n>`). A process killed between the two leaves its temp
//! file. Those names are ours, so the next writing run removes them — but only when the process
//! that made one is gone: a concurrent run's temp file is about to be renamed.

use std::path::Path;

use super::{files::regular_files, Workspace};

/// Removes our leftover temp files from both sides; returns their root-relative paths.
pub fn clean_leftovers(ws: &Workspace) -> Vec<String> {
    let mut removed = Vec::new();
    let mut dirs = vec![ws.generated_dir.as_str(), ws.implementation_dir.as_str()];
    dirs.dedup();
    for dir in dirs {
        let Ok(files) = regular_files(&ws.root.join(dir)) else {
            continue;
        };
        for (abs, rel) in files {
            let Some(name) = abs.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(pid) = temp_file_pid(name) else {
                continue;
            };
            if !process_is_gone(pid, &abs) {
                continue;
            }
            if std::fs::remove_file(&abs).is_ok() {
                let rel = super::join_rel(dir, &rel.to_string_lossy().replace('\\', "/"));
                tracing::info!("removed `{rel}`, left behind by an interrupted run");
                removed.push(rel);
            }
        }
    }
    removed
}

/// The pid in one of our temp-file names, `None` for any other name.
pub fn temp_file_pid(name: &str) -> Option<u32> {
    if let Some(rest) = name
        .strip_prefix(".moment-sync-")
        .and_then(|r| r.strip_suffix(".tmp"))
    {
        // <pid>-<nanos>-<attempt>
        let parts: Vec<&str> = rest.split('-').collect();
        if parts.len() == 3 && parts.iter().all(|p| is_number(p)) {
            return parts[0].parse().ok();
        }
        return None;
    }
    // .<name>.tmp-<pid>-<counter>
    let rest = name.strip_prefix('.')?;
    let (_, tail) = rest.rsplit_once(".tmp-")?;
    let (pid, counter) = tail.split_once('-')?;
    (is_number(pid) && is_number(counter))
        .then(|| pid.parse().ok())
        .flatten()
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether the writer of `path` (process `pid`) cannot still be writing it. Where `/proc` tells
/// (Linux), by the pid; elsewhere by age (an hour without the rename means it is gone).
fn process_is_gone(pid: u32, path: &Path) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return !proc.join(pid.to_string()).exists();
    }
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_temp_names() {
        assert_eq!(temp_file_pid(".moment-sync-123-456789-0.tmp"), Some(123));
        assert_eq!(temp_file_pid(".a.ts.tmp-77-3"), Some(77));
        for other in [
            "a.ts",
            ".moment-sync-x-1-0.tmp",
            ".moment-sync-1-2.tmp",
            ".a.ts.tmp",
            ".a.ts.tmp-1",
            "notes.tmp-1-2",
        ] {
            assert_eq!(temp_file_pid(other), None, "{other}");
        }
    }
}
