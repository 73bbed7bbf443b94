//! The advisory lock that serialises writers of `.moment/` (the CLI and the language server may
//! run at once). `flock`-style through `std::fs::File::lock`: released when the file closes,
//! also when the process dies, so a crash never leaves a stale lock behind.

use std::fs::{File, OpenOptions};
use std::path::Path;

use super::StateError;

/// Held while reading (shared) or writing (exclusive) the state; unlocks on drop.
#[derive(Debug)]
pub struct StateLock {
    _file: File,
}

impl StateLock {
    /// Blocks until no other writer or reader holds the lock.
    pub fn exclusive(path: &Path) -> Result<StateLock, StateError> {
        let file = open(path)?;
        file.lock().map_err(|source| StateError::io(path, source))?;
        Ok(StateLock { _file: file })
    }

    /// Blocks until no writer holds the lock; readers share it.
    pub fn shared(path: &Path) -> Result<StateLock, StateError> {
        let file = open(path)?;
        file.lock_shared()
            .map_err(|source| StateError::io(path, source))?;
        Ok(StateLock { _file: file })
    }
}

fn open(path: &Path) -> Result<File, StateError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| StateError::io(dir, source))?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .read(true)
        .open(path)
        .map_err(|source| StateError::io(path, source))
}
