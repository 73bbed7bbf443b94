//! Atomic file replacement, the one way the tool writes a file it may overwrite: write a
//! temporary file in the target's folder (so on the same file system), flush it to disk, then
//! rename it over the target. A reader, a crash or a full disk never leaves a half-written
//! file: the target holds either its old or its new content.
//!
//! Temporary files are named `.moment-sync-<pid>-<nanos>-<n>.tmp`, so that leftovers of a
//! killed run are recognisably ours (`workspace::leftovers` removes them).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The prefix and suffix of every temporary file this module creates.
pub const TEMP_PREFIX: &str = ".moment-sync-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// Replaces `path` with `bytes` atomically, creating missing parent folders. On Unix, `mode`
/// (when given) is applied to the new file before it becomes visible; without one, the new file
/// keeps the permissions of the file it replaces.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let (temp, file) = create_temp(&parent)?;
    let result = write_then_rename(file, &temp, path, bytes, mode);
    if result.is_err() {
        // Best effort: a stray temp file is harmless but untidy.
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn create_temp(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    for _ in 0..100 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let temp = dir.join(format!(
            "{TEMP_PREFIX}{}-{nanos}-{n}{TEMP_SUFFIX}",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(f) => return Ok((temp, f)),
            // A leftover of a killed process that had our pid: try the next number.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "cannot create a temporary file in {}",
        dir.display()
    )))
}

fn write_then_rename(
    mut file: std::fs::File,
    temp: &Path,
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
) -> std::io::Result<()> {
    match mode {
        Some(mode) => set_mode(&file, mode)?,
        None => {
            if let Ok(meta) = std::fs::metadata(path) {
                // Keep the replaced file's permissions (an executable stays executable).
                let _ = file.set_permissions(meta.permissions());
            }
        }
    }
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(temp, path)
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &std::fs::File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/c.json");
        write_atomic(&path, b"one", None).unwrap();
        write_atomic(&path, b"two", None).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a folder: the rename fails, nothing is lost, no temp file stays.
        let target = dir.path().join("d");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), "x").unwrap();
        assert!(write_atomic(&target, b"y", None).is_err());
        assert_eq!(std::fs::read(target.join("keep")).unwrap(), b"x");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn applies_mode_or_keeps_the_old_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        write_atomic(&path, b"x", Some(0o600)).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        let script = dir.path().join("run.sh");
        std::fs::write(&script, "a").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        write_atomic(&script, b"b", None).unwrap();
        assert_eq!(mode(&script), 0o755);
    }
}
