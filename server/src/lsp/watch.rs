//! Watching the disk for clients that cannot watch files for us (no dynamic registration of
//! `workspace/didChangeWatchedFiles`, e.g. Neovim on Linux): a `notify` watcher (inotify,
//! FSEvents, ReadDirectoryChangesW) with `notify-debouncer-full`, so an idle server does no work
//! at all instead of stat-ing every file of the workspace once a second.
//!
//! Only the folders that can hold files the server reads are watched: the two sides
//! (recursively), the `.moment` spec, `.moment/` itself (config and decision log) and the root
//! (non-recursively, so that a side folder created later is noticed and watched).

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, NoCache};
use tokio::sync::mpsc::UnboundedSender;

use crate::workspace::{Workspace, STATE_DIR};

/// Quiet time before a burst of events (a `git checkout`, an emitter run) is reported at once.
const DEBOUNCE: Duration = Duration::from_millis(100);

/// A running watcher; dropping it stops watching.
pub struct DiskWatcher {
    _debouncer: Debouncer<RecommendedWatcher, NoCache>,
    /// The folders watched, and how (for the log and for tests).
    pub targets: Vec<(PathBuf, RecursiveMode)>,
}

impl std::fmt::Debug for DiskWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiskWatcher")
            .field("targets", &self.targets)
            .finish()
    }
}

/// What a watcher cannot do: the platform refused (e.g. the inotify watch limit).
#[derive(Debug, thiserror::Error)]
#[error("cannot watch `{}`: {source}", path.display())]
pub struct WatchError {
    path: PathBuf,
    source: notify::Error,
}

/// The folders to watch for `ws`: only those that exist (the root is always watched, so a
/// missing one is noticed when it appears; the caller then starts a new watcher).
pub fn targets(ws: &Workspace) -> Vec<(PathBuf, RecursiveMode)> {
    let root = &ws.root;
    let mut out = vec![(root.clone(), RecursiveMode::NonRecursive)];
    let state = root.join(STATE_DIR);
    if state.is_dir() {
        out.push((state, RecursiveMode::NonRecursive));
    }
    let mut folders = vec![ws.generated_dir.as_str(), ws.implementation_dir.as_str()];
    folders.extend(ws.spec.as_deref());
    for rel in folders {
        let abs = root.join(rel);
        if abs == *root {
            // A side that is the root itself: watch everything under it.
            out[0].1 = RecursiveMode::Recursive;
        } else if abs.is_dir() {
            out.push((abs, RecursiveMode::Recursive));
        } else if abs.is_file() {
            // A one-file spec: its folder (non-recursively) also sees it replaced by a rename.
            if let Some(parent) = abs.parent().filter(|p| *p != root.as_path()) {
                out.push((parent.to_path_buf(), RecursiveMode::NonRecursive));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `true` when a watcher of `ws` should be replaced: a folder it would watch has appeared or
/// gone since `watching` was computed.
pub fn outdated(ws: &Workspace, watching: &[(PathBuf, RecursiveMode)]) -> bool {
    targets(ws) != watching
}

/// Starts watching `ws`; every debounced batch of changed paths is sent to `changes`.
pub fn start(
    ws: &Workspace,
    changes: UnboundedSender<Vec<PathBuf>>,
) -> Result<DiskWatcher, WatchError> {
    let handler = move |result: DebounceEventResult| match result {
        Ok(events) => {
            let mut paths: Vec<PathBuf> = events
                .into_iter()
                .filter(|e| !e.kind.is_access())
                .flat_map(|e| e.event.paths)
                .collect();
            paths.sort();
            paths.dedup();
            if !paths.is_empty() {
                let _ = changes.send(paths);
            }
        }
        Err(errors) => {
            for e in errors {
                tracing::warn!("watching the disk: {e}");
            }
        }
    };
    let mut debouncer = new_debouncer_opt::<_, RecommendedWatcher, NoCache>(
        DEBOUNCE,
        None,
        handler,
        NoCache,
        notify::Config::default(),
    )
    .map_err(|source| WatchError {
        path: ws.root.clone(),
        source,
    })?;
    let targets = targets(ws);
    for (path, mode) in &targets {
        debouncer.watch(path, *mode).map_err(|source| WatchError {
            path: path.clone(),
            source,
        })?;
    }
    Ok(DiskWatcher {
        _debouncer: debouncer,
        targets,
    })
}

/// `true` for a path that is not one file the index can re-read on its own: a folder (created,
/// moved in or out, removed), after which the whole workspace is scanned once.
pub fn needs_scan(path: &Path) -> bool {
    path.is_dir() || (!path.exists() && path.extension().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Config;

    fn workspace(root: &Path) -> Workspace {
        Workspace::open(root, &Config::default()).unwrap()
    }

    #[test]
    fn only_the_folders_the_server_reads_are_watched() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("generated")).unwrap();
        std::fs::create_dir_all(root.join("src/domain")).unwrap();
        std::fs::create_dir_all(root.join("node_modules/x")).unwrap();
        let ws = workspace(&root);
        let watched = targets(&ws);
        assert_eq!(
            watched,
            vec![
                (root.clone(), RecursiveMode::NonRecursive),
                (root.join("generated"), RecursiveMode::Recursive),
                (root.join("src/domain"), RecursiveMode::Recursive),
            ]
        );
        // `.moment/` appears (the first decision): the watcher must be replaced to watch it.
        std::fs::create_dir_all(root.join(".moment")).unwrap();
        assert!(outdated(&ws, &watched));
        assert!(targets(&ws).contains(&(root.join(".moment"), RecursiveMode::NonRecursive)));
    }

    #[test]
    fn a_change_on_disk_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("src/domain/a")).unwrap();
        std::fs::create_dir_all(root.join("generated")).unwrap();
        let ws = workspace(&root);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let _watcher = start(&ws, tx).unwrap();
        let file = root.join("src/domain/a/x.types.ts");
        std::fs::write(&file, "export interface X { a: string }\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        while !seen.contains(&file) && std::time::Instant::now() < deadline {
            match rx.try_recv() {
                Ok(paths) => seen.extend(paths),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        assert!(
            seen.contains(&file),
            "no event for {}: {seen:?}",
            file.display()
        );
    }
}
