//! The workspace index: every source file of both sides as read from disk, parsed once, and
//! re-read when the file changes on disk. Open documents override these models (see `snapshot`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use crate::model::FileModel;
use crate::moment::LoadedSpec;
use crate::project::load::{cache_for, model_of};
use crate::state::Cache;
use crate::workspace::{SourceFile, Workspace, WorkspaceError, CONFIG_FILE};

/// What a file looked like on disk when we read it (for polling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
    })
}

/// What changed on disk, as found by [`Index::scan`] or reported by the client.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DiskChanges {
    pub files: usize,
    /// `.moment/sync.json` changed: the workspace must be re-opened.
    pub config: bool,
}

#[derive(Debug)]
pub struct Index {
    pub ws: Workspace,
    /// Disk models by root-relative path.
    models: HashMap<String, Arc<FileModel>>,
    stamps: HashMap<String, Stamp>,
    config_stamp: Option<Stamp>,
    /// The `.moment` spec as on disk (when `spec` is set), read once and again only when one of
    /// its files changes: an analysis lays open documents over it instead of re-reading it.
    spec: Option<DiskSpec>,
    /// Changes whenever a disk model may have changed, and differs between two indexes: an
    /// analysis that saw this revision need not look at the disk models again (the keystroke
    /// path compares only the open documents then).
    revision: u64,
}

/// Revisions are unique across indexes (a re-opened workspace gets a new index).
static REVISIONS: AtomicU64 = AtomicU64::new(1);

fn next_revision() -> u64 {
    REVISIONS.fetch_add(1, Ordering::Relaxed)
}

/// The configured `.moment` spec as read from disk.
#[derive(Debug)]
struct DiskSpec {
    /// The parsed and projected spec, or why it cannot be read (missing, not UTF-8, …).
    loaded: Result<Arc<LoadedSpec>, String>,
    /// The spec's files when read, with their stamps (for polling).
    stamps: Vec<(String, Option<Stamp>)>,
}

impl DiskSpec {
    fn read(ws: &Workspace) -> Option<DiskSpec> {
        let spec = ws.spec.as_deref()?;
        let stamps = spec_stamps(&ws.root, spec);
        let loaded = LoadedSpec::read(&ws.root, spec)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        if let Err(e) = &loaded {
            tracing::warn!("cannot read the spec: {e}");
        }
        Some(DiskSpec { loaded, stamps })
    }
}

/// The spec's files and their stamps (empty when the spec cannot be listed).
fn spec_stamps(root: &Path, spec: &str) -> Vec<(String, Option<Stamp>)> {
    crate::moment::spec_files(root, spec)
        .map(|files| {
            files
                .into_iter()
                .map(|(rel, abs)| (rel, stamp(&abs)))
                .collect()
        })
        .unwrap_or_default()
}

impl Index {
    /// Reads and parses both sides in parallel; `on_parsed(done, total)` reports progress.
    /// Unreadable files are skipped with a warning: one bad file must not hide all drift.
    pub fn load(
        ws: Workspace,
        on_parsed: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Index, WorkspaceError> {
        let files = ws.source_files()?;
        let total = files.len();
        let done = AtomicUsize::new(0);
        // Start-up reuses the on-disk cache (once state is recorded): unchanged files are not
        // parsed again. The index never writes it (the CLI's runs keep it current).
        let cache = cache_for(&ws);
        let loaded: Vec<(String, Stamp, Arc<FileModel>)> = files
            .par_iter()
            .filter_map(|f| {
                let result = read_model(f, &cache);
                on_parsed(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                result
            })
            .collect();
        let mut index = Index {
            config_stamp: stamp(&ws.root.join(CONFIG_FILE)),
            spec: DiskSpec::read(&ws),
            ws,
            models: HashMap::with_capacity(total),
            stamps: HashMap::with_capacity(total),
            revision: next_revision(),
        };
        for (rel, st, model) in loaded {
            index.stamps.insert(rel.clone(), st);
            index.models.insert(rel, model);
        }
        Ok(index)
    }

    pub fn models(&self) -> impl Iterator<Item = &Arc<FileModel>> {
        self.models.values()
    }

    /// The disk model of a root-relative path.
    pub fn model(&self, rel_path: &str) -> Option<&Arc<FileModel>> {
        self.models.get(rel_path)
    }

    /// See the field: equal revisions mean the same disk models.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn file_count(&self) -> usize {
        self.models.len()
    }

    /// Classifies an absolute path, also trying its canonical form (clients may send paths
    /// through symlinks while the root is canonical).
    pub fn classify(&self, path: &Path) -> Option<SourceFile> {
        self.ws.classify(path).or_else(|| {
            let canonical = std::fs::canonicalize(path).ok()?;
            self.ws.classify(&canonical)
        })
    }

    /// `true` when `path` is the config file.
    pub fn is_config(&self, path: &Path) -> bool {
        path.ends_with(CONFIG_FILE)
            && path
                .parent()
                .and_then(Path::parent)
                .is_some_and(|p| same_dir(p, &self.ws.root))
    }

    /// The configured `.moment` spec as on disk: `None` without `spec`, else the spec or why it
    /// cannot be read.
    pub fn disk_spec(&self) -> Option<&Result<Arc<LoadedSpec>, String>> {
        self.spec.as_ref().map(|s| &s.loaded)
    }

    /// `true` when `path` is (or would be) a file of the configured `.moment` spec.
    fn is_spec_file(&self, path: &Path) -> bool {
        let Some(spec) = self.ws.spec.as_deref() else {
            return false;
        };
        let is_moment = path
            .extension()
            .is_some_and(|e| e == crate::moment::EXTENSION);
        let target = self.ws.root.join(spec);
        // Clients may send paths through symlinks while the root is canonical.
        let canonical = || {
            let parent = std::fs::canonicalize(path.parent()?).ok()?;
            Some(parent.join(path.file_name()?))
        };
        is_moment
            && (path.starts_with(&target) || canonical().is_some_and(|p| p.starts_with(&target)))
    }

    /// Re-reads the `.moment` spec.
    fn refresh_spec(&mut self) -> DiskChanges {
        self.revision = next_revision();
        self.spec = DiskSpec::read(&self.ws);
        DiskChanges {
            files: 1,
            config: false,
        }
    }

    /// Re-reads one file after a change on disk (created, changed or deleted).
    pub fn refresh(&mut self, path: &Path) -> DiskChanges {
        if self.is_config(path) {
            return DiskChanges {
                files: 0,
                config: true,
            };
        }
        if self.is_spec_file(path) {
            return self.refresh_spec();
        }
        let Some(file) = self.classify(path) else {
            return DiskChanges::default();
        };
        self.revision = next_revision();
        let changed = match read_model(&file, &Cache::disabled()) {
            Some((rel, st, model)) => {
                self.stamps.insert(rel.clone(), st);
                self.models.insert(rel, model);
                true
            }
            None => {
                self.stamps.remove(&file.rel_path);
                self.models.remove(&file.rel_path).is_some()
            }
        };
        DiskChanges {
            files: usize::from(changed),
            config: false,
        }
    }

    /// Polls the disk for changes (for clients that cannot watch files for us).
    pub fn scan(&mut self) -> Result<DiskChanges, WorkspaceError> {
        let mut changes = DiskChanges {
            files: 0,
            config: stamp(&self.ws.root.join(CONFIG_FILE)) != self.config_stamp,
        };
        if changes.config {
            return Ok(changes);
        }
        let spec_moved = match (&self.spec, self.ws.spec.as_deref()) {
            (Some(disk), Some(spec)) => spec_stamps(&self.ws.root, spec) != disk.stamps,
            _ => false,
        };
        if spec_moved {
            changes.files += self.refresh_spec().files;
        }
        let files = self.ws.source_files()?;
        let mut seen = std::collections::HashSet::with_capacity(files.len());
        for file in &files {
            seen.insert(file.rel_path.as_str());
            if stamp(&file.abs_path) != self.stamps.get(&file.rel_path).copied() {
                changes.files += self.refresh(&file.abs_path).files;
            }
        }
        let gone: Vec<String> = self
            .models
            .keys()
            .filter(|k| !seen.contains(k.as_str()))
            .cloned()
            .collect();
        for rel in gone {
            self.revision = next_revision();
            self.models.remove(&rel);
            self.stamps.remove(&rel);
            changes.files += 1;
        }
        Ok(changes)
    }

    pub fn root(&self) -> &Path {
        &self.ws.root
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || std::fs::canonicalize(a).is_ok_and(|a| a == b)
}

fn read_model(file: &SourceFile, cache: &Cache) -> Option<(String, Stamp, Arc<FileModel>)> {
    let st = stamp(&file.abs_path)?;
    match file.read() {
        Ok(text) => {
            let model = model_of(file, text.into(), cache);
            Some((file.rel_path.clone(), st, model))
        }
        Err(e) => {
            tracing::warn!("skipping {}: {e}", file.rel_path);
            None
        }
    }
}
