//! The workspace index: every source file of both sides as read from disk, parsed once, and
//! re-read when the file changes on disk. Open documents override these models (see `snapshot`).

use std::collections::{BTreeMap, HashMap};
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
    /// Side files that could not be analysed (above `maxFileBytes`, unreadable, not UTF-8), by
    /// root-relative path: the stamp they were refused at (a poll reads them again only when it
    /// changes) and the one-line reason the user is shown.
    refused: BTreeMap<String, (Option<Stamp>, String)>,
}

/// A side file read into its model: (root-relative path, stamp, model).
type Loaded = (String, Stamp, Arc<FileModel>);

/// A side file the index could not analyse, and why.
struct Refusal {
    rel: String,
    stamp: Option<Stamp>,
    message: String,
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
        let loaded: Vec<Result<Option<Loaded>, Refusal>> = files
            .par_iter()
            .map(|f| {
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
            refused: BTreeMap::new(),
        };
        for read in loaded {
            match read {
                Ok(Some((rel, st, model))) => {
                    index.stamps.insert(rel.clone(), st);
                    index.models.insert(rel, model);
                }
                Ok(None) => {}
                Err(refusal) => index.refuse(refusal),
            }
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
            Ok(Some((rel, st, model))) => {
                self.refused.remove(&rel);
                self.stamps.insert(rel.clone(), st);
                self.models.insert(rel, model);
                true
            }
            Ok(None) => {
                self.refused.remove(&file.rel_path);
                self.stamps.remove(&file.rel_path);
                self.models.remove(&file.rel_path).is_some()
            }
            Err(refusal) => {
                self.stamps.remove(&file.rel_path);
                let had_model = self.models.remove(&file.rel_path).is_some();
                self.refuse(refusal);
                had_model
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
            let known = match self.refused.get(&file.rel_path) {
                Some((refused_at, _)) => *refused_at,
                None => self.stamps.get(&file.rel_path).copied(),
            };
            if stamp(&file.abs_path) != known {
                changes.files += self.refresh(&file.abs_path).files;
            }
        }
        let gone: Vec<String> = self
            .models
            .keys()
            .filter(|k| !seen.contains(k.as_str()))
            .cloned()
            .collect();
        self.refused.retain(|rel, _| seen.contains(rel.as_str()));
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

    /// Why each side file that is not analysed was refused, by root-relative path.
    pub fn refused(&self) -> impl Iterator<Item = (&str, &str)> {
        self.refused
            .iter()
            .map(|(rel, (_, message))| (rel.as_str(), message.as_str()))
    }

    fn refuse(&mut self, refusal: Refusal) {
        // Logged once per refusal, not at every poll (`scan` skips an unchanged refused file).
        tracing::warn!("skipping {}: {}", refusal.rel, refusal.message);
        self.refused
            .insert(refusal.rel, (refusal.stamp, refusal.message));
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || std::fs::canonicalize(a).is_ok_and(|a| a == b)
}

/// The model of a side file; `Ok(None)` when it vanished since it was listed.
fn read_model(file: &SourceFile, cache: &Cache) -> Result<Option<Loaded>, Refusal> {
    let Some(st) = stamp(&file.abs_path) else {
        return Ok(None);
    };
    match file.read() {
        Ok(text) => {
            let model = model_of(file, text.into(), cache);
            Ok(Some((file.rel_path.clone(), st, model)))
        }
        Err(e) => Err(Refusal {
            rel: file.rel_path.clone(),
            stamp: Some(st),
            message: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Config;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn refused(index: &Index) -> Vec<(String, String)> {
        index
            .refused()
            .map(|(rel, why)| (rel.to_string(), why.to_string()))
            .collect()
    }

    #[test]
    fn a_file_above_the_limit_is_refused_with_its_reason_until_it_fits() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(
            root,
            "generated/a.types.ts",
            "export interface A { id: string }\n",
        );
        let big = "export interface B { id: string }\n".repeat(10);
        write(root, "src/domain/b.types.ts", &big);
        let config = Config {
            max_file_bytes: Some(100),
            ..Config::default()
        };
        let ws = Workspace::open(root, &config).expect("workspace");
        let mut index = Index::load(ws, &|_, _| ()).expect("index");
        let listed = refused(&index);
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].0, "src/domain/b.types.ts");
        assert!(listed[0].1.contains("maxFileBytes"), "{}", listed[0].1);
        assert!(index.model("src/domain/b.types.ts").is_none());
        // An unchanged refused file is not read again at every poll.
        assert_eq!(index.scan().expect("scan").files, 0);
        assert_eq!(refused(&index), listed);
        // Once it fits, it is analysed and no longer refused.
        std::thread::sleep(std::time::Duration::from_millis(20));
        write(
            root,
            "src/domain/b.types.ts",
            "export interface B { id: string }\n",
        );
        assert_eq!(index.scan().expect("scan").files, 1);
        assert!(refused(&index).is_empty());
        assert!(index.model("src/domain/b.types.ts").is_some());
    }
}
