//! The artifact store: snapshots of the spec side as commits on `refs/moment/artifacts`.
//!
//! Snapshots are written with gix straight into the object database and the dedicated ref: HEAD,
//! the index and the work tree are never touched, so taking one is safe in the middle of any
//! user's git workflow. A snapshot's tree holds the spec side's files by *side-relative* path,
//! so snapshots stay comparable when `generatedDir` moves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gix::bstr::{BStr, ByteSlice};
use gix::ObjectId;
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::events::atomic::write_atomic;
use crate::workspace::{
    check_entry_name, inside_root, join_rel, writable_file, PathEscape, Workspace,
};

/// The ref that holds the snapshot history.
pub const ARTIFACTS_REF: &str = "refs/moment/artifacts";

/// Folder levels a snapshot tree may have (trees come from remotes: untrusted).
const MAX_TREE_DEPTH: usize = 256;

const TRAILER_DIR: &str = "Moment-Spec-Dir";
const TRAILER_FINGERPRINT: &str = "Moment-Spec-Fingerprint";
const TRAILER_TIME: &str = "Moment-Snapshot-Time";
const TRAILER_VERSION: &str = "Moment-Tool-Version";

/// Errors of the artifact store; each names the file, ref or id involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("`{}` is not inside a git repository: snapshots are kept in the project's repository (run `git init` first)", path.display())]
    NoRepository { path: PathBuf },
    #[error("the repository at `{}` has no work tree", path.display())]
    Bare { path: PathBuf },
    #[error("{context}: {message}")]
    Git { context: String, message: String },
    #[error("no snapshot yet: run `moment-sync snapshot` first")]
    NoSnapshots,
    #[error("`{0}` names no snapshot on {ARTIFACTS_REF} (see `moment-sync history`)")]
    UnknownSnapshot(String),
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("rollback would overwrite edits that are in no commit and no snapshot: {}; commit or snapshot them first, or pass --force", files.join(", "))]
    Dirty { files: Vec<String> },
    #[error(transparent)]
    Escape(#[from] PathEscape),
    #[error("snapshot tree is nested more than {MAX_TREE_DEPTH} folders deep at `{0}`")]
    TooDeep(String),
    #[error("{ARTIFACTS_REF} moved while the snapshot was written (another snapshot ran at the same time); run it again")]
    Concurrent,
}

fn git_err<E: std::fmt::Display>(context: impl Into<String>) -> impl FnOnce(E) -> StoreError {
    let context = context.into();
    move |e| StoreError::Git {
        context,
        message: e.to_string(),
    }
}

/// One snapshot as listed by `history`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Full commit id (hex).
    pub id: String,
    /// Abbreviated id (7 hex digits or more when needed to be unique).
    pub short_id: String,
    /// When the snapshot was taken.
    #[serde(serialize_with = "ser_timestamp")]
    pub time: Timestamp,
    /// The message's first line.
    pub message: String,
    pub fingerprint: Option<String>,
    pub tool_version: Option<String>,
    /// The spec side's folder (root-relative) when the snapshot was taken.
    pub spec_dir: Option<String>,
    #[serde(skip)]
    tree: ObjectId,
}

fn ser_timestamp<S: serde::Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&ts.to_string())
}

/// A file of the spec side, in a snapshot or in the work tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecFile {
    /// Relative to the spec side folder, `/` separators.
    pub side_path: String,
    pub bytes: Vec<u8>,
    pub executable: bool,
}

/// What `snapshot` did.
#[derive(Debug, Clone, PartialEq)]
pub enum SnapshotOutcome {
    Created(Snapshot),
    /// The spec side is identical to this latest snapshot: nothing was written.
    Unchanged(Snapshot),
}

/// What `rollback` changed (side-relative paths).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RollbackReport {
    pub restored: Vec<String>,
    pub created: Vec<String>,
    pub deleted: Vec<String>,
    /// Files that held edits found in no commit and no snapshot, overwritten because of `--force`.
    pub overwritten_edits: Vec<String>,
}

impl RollbackReport {
    pub fn is_empty(&self) -> bool {
        self.restored.is_empty() && self.created.is_empty() && self.deleted.is_empty()
    }
}

/// The project's snapshot store.
pub struct ArtifactStore {
    repo: gix::Repository,
    workdir: PathBuf,
    root: PathBuf,
    /// The spec side folder relative to the root.
    spec_dir: String,
}

impl std::fmt::Debug for ArtifactStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArtifactStore")
            .field("root", &self.root)
            .field("spec_dir", &self.spec_dir)
            .finish()
    }
}

impl ArtifactStore {
    /// Opens the store of a workspace: the git repository holding its root.
    pub fn open(ws: &Workspace) -> Result<ArtifactStore, StoreError> {
        ArtifactStore::open_at(&ws.root, &ws.generated_dir)
    }

    /// Opens the store of the project at `root` whose spec side is `spec_dir` (root-relative).
    pub fn open_at(root: &Path, spec_dir: &str) -> Result<ArtifactStore, StoreError> {
        let mut repo = gix::discover(root).map_err(|_| StoreError::NoRepository {
            path: root.to_path_buf(),
        })?;
        // A snapshot must never fail because `user.name` is unset (reflogs need an identity).
        repo.committer_or_set_fallback("moment-sync", "moment-sync@localhost")
            .map_err(git_err("cannot set a fallback identity"))?;
        let workdir = repo.workdir().ok_or_else(|| StoreError::Bare {
            path: repo.path().to_path_buf(),
        })?;
        let workdir = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        // Snapshots read the spec side and rollbacks write it: it must stay inside the root
        // (`generatedDir: "../secret"` once committed an `id_rsa` to the artifacts ref).
        inside_root(&root, spec_dir, "the spec side (generatedDir)")?;
        Ok(ArtifactStore {
            repo,
            workdir,
            root,
            spec_dir: spec_dir.to_string(),
        })
    }

    pub fn spec_dir(&self) -> &str {
        &self.spec_dir
    }

    /// The spec side's files as they are on disk now (regular files only; symlinks, `.git` and
    /// `node_modules` are skipped), sorted by path.
    pub fn current_files(&self) -> Result<Vec<SpecFile>, StoreError> {
        let base = self.root.join(&self.spec_dir);
        if !base.is_dir() {
            return Ok(Vec::new());
        }
        let entries =
            crate::workspace::regular_files(&base).map_err(|source| StoreError::Read {
                path: base.clone(),
                source,
            })?;
        let mut files = Vec::new();
        for (abs_path, rel) in entries {
            let Some(side_path) = rel.to_str().map(|s| s.replace('\\', "/")) else {
                continue;
            };
            let bytes = std::fs::read(&abs_path).map_err(|source| StoreError::Read {
                path: abs_path.clone(),
                source,
            })?;
            files.push(SpecFile {
                side_path,
                bytes,
                executable: is_executable(&abs_path),
            });
        }
        files.sort_by(|a, b| a.side_path.cmp(&b.side_path));
        Ok(files)
    }

    /// Records the spec side as a new snapshot, unless it equals the latest one.
    pub fn snapshot(&self, message: Option<&str>) -> Result<SnapshotOutcome, StoreError> {
        let files = self.current_files()?;
        let tree = self.write_tree(&files)?;
        let latest = self.latest()?;
        if let Some(latest) = latest.as_ref().filter(|l| l.tree == tree) {
            return Ok(SnapshotOutcome::Unchanged(latest.clone()));
        }
        let now = Timestamp::now();
        let message = self.commit_message(message, &fingerprint(&files), now);
        let parent = latest.as_ref().map(|l| parse_id(&l.id)).transpose()?;
        let id = self.write_commit(tree, parent, &message, now)?;
        let snapshot = self.snapshot_info(id)?;
        Ok(SnapshotOutcome::Created(snapshot))
    }

    fn commit_message(&self, message: Option<&str>, fingerprint: &str, now: Timestamp) -> String {
        let summary = match message.map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => m.to_string(),
            None => format!("Snapshot of {}", self.spec_dir),
        };
        format!(
            "{summary}\n\n{TRAILER_DIR}: {}\n{TRAILER_FINGERPRINT}: {fingerprint}\n{TRAILER_TIME}: {now}\n{TRAILER_VERSION}: moment-sync {}\n",
            self.spec_dir,
            crate::VERSION
        )
    }

    /// Writes one blob per file and the trees above them; returns the root tree.
    fn write_tree(&self, files: &[SpecFile]) -> Result<ObjectId, StoreError> {
        let empty = ObjectId::empty_tree(self.repo.object_hash());
        let mut editor = self
            .repo
            .edit_tree(empty)
            .map_err(git_err("cannot start a tree"))?;
        for file in files {
            let blob = self
                .repo
                .write_blob(&file.bytes)
                .map_err(git_err(format!("cannot store `{}`", file.side_path)))?;
            let kind = if file.executable {
                gix::object::tree::EntryKind::BlobExecutable
            } else {
                gix::object::tree::EntryKind::Blob
            };
            editor
                .upsert(file.side_path.as_str(), kind, blob.detach())
                .map_err(git_err(format!(
                    "cannot add `{}` to the snapshot",
                    file.side_path
                )))?;
        }
        Ok(editor
            .write()
            .map_err(git_err("cannot write the snapshot tree"))?
            .detach())
    }

    /// Writes the commit and moves the ref, failing if another writer moved it meanwhile.
    fn write_commit(
        &self,
        tree: ObjectId,
        parent: Option<ObjectId>,
        message: &str,
        now: Timestamp,
    ) -> Result<ObjectId, StoreError> {
        use gix::refs::transaction::PreviousValue;
        let signature = self.signature(now);
        let commit = gix::objs::Commit {
            tree,
            parents: parent.into_iter().collect(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: message.into(),
            extra_headers: Vec::new(),
        };
        let id = self
            .repo
            .write_object(&commit)
            .map_err(git_err("cannot write the snapshot commit"))?
            .detach();
        let expected = match parent {
            Some(p) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(p)),
            None => PreviousValue::MustNotExist,
        };
        if let Err(e) = self
            .repo
            .reference(ARTIFACTS_REF, id, expected, "moment-sync snapshot")
        {
            // Tell a lost race (another snapshot moved the ref) from any other failure.
            let now_at = self.latest().ok().flatten().map(|s| s.id);
            let moved = now_at != parent.map(|p| p.to_string());
            return Err(if moved {
                StoreError::Concurrent
            } else {
                StoreError::Git {
                    context: format!("cannot update {ARTIFACTS_REF}"),
                    message: e.to_string(),
                }
            });
        }
        Ok(id)
    }

    /// The configured committer (git config, `GIT_COMMITTER_*`), else the fallback set at open.
    fn signature(&self, now: Timestamp) -> gix::actor::Signature {
        let (name, email) = match self.repo.committer() {
            Some(Ok(sig)) => (sig.name.to_owned(), sig.email.to_owned()),
            _ => ("moment-sync".into(), "moment-sync@localhost".into()),
        };
        gix::actor::Signature {
            name,
            email,
            time: gix::date::Time::new(now.as_second(), 0),
        }
    }

    /// The newest snapshot, if any: the three-way base of the next reconciliation.
    pub fn latest(&self) -> Result<Option<Snapshot>, StoreError> {
        let reference = self
            .repo
            .try_find_reference(ARTIFACTS_REF)
            .map_err(git_err(format!("cannot read {ARTIFACTS_REF}")))?;
        let Some(mut reference) = reference else {
            return Ok(None);
        };
        let id = reference
            .peel_to_id()
            .map_err(git_err(format!("cannot resolve {ARTIFACTS_REF}")))?
            .detach();
        self.snapshot_info(id).map(Some)
    }

    /// Every snapshot, newest first (the first-parent chain of the ref).
    pub fn history(&self) -> Result<Vec<Snapshot>, StoreError> {
        let mut out = Vec::new();
        let mut next = self.latest()?;
        while let Some(snapshot) = next {
            let commit = self
                .repo
                .find_commit(parse_id(&snapshot.id)?)
                .map_err(git_err(format!("cannot read {}", snapshot.id)))?;
            let parent = commit.parent_ids().next().map(|p| p.detach());
            out.push(snapshot);
            next = parent.map(|p| self.snapshot_info(p)).transpose()?;
        }
        Ok(out)
    }

    /// Resolves a full or abbreviated commit id (or any revision git understands, like
    /// `refs/moment/artifacts~1`) to a snapshot of the history.
    pub fn resolve(&self, spec: &str) -> Result<Snapshot, StoreError> {
        let spec = spec.trim();
        let id = self
            .repo
            .rev_parse_single(spec.as_bytes().as_bstr())
            .map_err(|e| match self.latest() {
                Ok(None) => StoreError::NoSnapshots,
                _ => StoreError::Git {
                    context: format!("`{spec}` names no snapshot"),
                    message: e.to_string(),
                },
            })?
            .detach();
        let hex = id.to_string();
        self.history()?
            .into_iter()
            .find(|s| s.id == hex)
            .ok_or_else(|| StoreError::UnknownSnapshot(spec.to_string()))
    }

    fn snapshot_info(&self, id: ObjectId) -> Result<Snapshot, StoreError> {
        let commit = self
            .repo
            .find_commit(id)
            .map_err(git_err(format!("cannot read snapshot {id}")))?;
        let message = commit.message_raw_sloppy().to_str_lossy().into_owned();
        let trailers = trailers(&message);
        let committed = commit.time().map(|t| t.seconds).unwrap_or(0);
        let time = trailers
            .get(TRAILER_TIME)
            .and_then(|t| t.parse::<Timestamp>().ok())
            .or_else(|| Timestamp::from_second(committed).ok())
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let tree = commit
            .tree_id()
            .map_err(git_err(format!("snapshot {id} has no tree")))?
            .detach();
        let short_id = commit
            .id()
            .shorten()
            .map(|p| p.to_string())
            .unwrap_or_else(|_| id.to_hex_with_len(7).to_string());
        Ok(Snapshot {
            id: id.to_string(),
            short_id,
            time,
            message: message.lines().next().unwrap_or_default().to_string(),
            fingerprint: trailers.get(TRAILER_FINGERPRINT).cloned(),
            tool_version: trailers.get(TRAILER_VERSION).cloned(),
            spec_dir: trailers.get(TRAILER_DIR).cloned(),
            tree,
        })
    }

    /// Every file of a snapshot, sorted by path.
    pub fn read_files(&self, snapshot: &Snapshot) -> Result<Vec<SpecFile>, StoreError> {
        let mut out = Vec::new();
        self.collect_tree(snapshot.tree, "", 0, &mut out)?;
        out.sort_by(|a, b| a.side_path.cmp(&b.side_path));
        Ok(out)
    }

    fn collect_tree(
        &self,
        tree: ObjectId,
        prefix: &str,
        depth: usize,
        out: &mut Vec<SpecFile>,
    ) -> Result<(), StoreError> {
        if depth > MAX_TREE_DEPTH {
            return Err(StoreError::TooDeep(prefix.to_string()));
        }
        let tree = self
            .repo
            .find_tree(tree)
            .map_err(git_err(format!("cannot read tree {tree}")))?;
        let decoded = tree
            .decode()
            .map_err(git_err("cannot decode a snapshot tree"))?;
        for entry in &decoded.entries {
            // A tree planted in a remote can name entries `..` or `a/b`: never joined as is.
            let name = entry.filename.to_str_lossy();
            check_entry_name(&name, "a snapshot tree entry")?;
            let path = join_rel(prefix, &name);
            let id = entry.oid.to_owned();
            if entry.mode.is_tree() {
                self.collect_tree(id, &path, depth + 1, out)?;
            } else if entry.mode.is_blob() {
                let blob = self
                    .repo
                    .find_blob(id)
                    .map_err(git_err(format!("cannot read `{path}` of the snapshot")))?;
                let executable = entry.mode.is_executable();
                out.push(SpecFile {
                    side_path: path,
                    bytes: blob.data.clone(),
                    executable,
                });
            }
        }
        Ok(())
    }

    /// A snapshot's UTF-8 files as (side-relative path, text): the base for three-way
    /// comparisons. Files that are not UTF-8 text are left out.
    pub fn read_snapshot(&self, id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let snapshot = self.resolve(id)?;
        Ok(self
            .read_files(&snapshot)?
            .into_iter()
            .filter_map(|f| {
                String::from_utf8(f.bytes)
                    .ok()
                    .map(|text| (f.side_path, text))
            })
            .collect())
    }

    /// Restores the spec side to `snapshot`. Refuses (naming the files) when a file it would
    /// overwrite or delete holds content found neither in HEAD, the index nor the latest snapshot,
    /// unless `force`.
    pub fn rollback(&self, snapshot: &Snapshot, force: bool) -> Result<RollbackReport, StoreError> {
        let target: BTreeMap<String, SpecFile> = self
            .read_files(snapshot)?
            .into_iter()
            .map(|f| (f.side_path.clone(), f))
            .collect();
        let current: BTreeMap<String, SpecFile> = self
            .current_files()?
            .into_iter()
            .map(|f| (f.side_path.clone(), f))
            .collect();
        let mut report = RollbackReport::default();
        let touched: Vec<&SpecFile> = current
            .values()
            .filter(|f| {
                target
                    .get(&f.side_path)
                    .is_none_or(|t| t.bytes != f.bytes || t.executable != f.executable)
            })
            .collect();
        let unsafe_files = self.unrecoverable(&touched)?;
        if !unsafe_files.is_empty() && !force {
            return Err(StoreError::Dirty {
                files: unsafe_files
                    .iter()
                    .map(|p| join_rel(&self.spec_dir, p))
                    .collect(),
            });
        }
        report.overwritten_edits = unsafe_files;
        let base = self.root.join(&self.spec_dir);
        // Every path is checked before anything is written: inside the root, no link on the way
        // out of it, and no symbolic link replaced by a copy.
        let mut targets = BTreeMap::new();
        for path in target.keys().chain(current.keys()) {
            let rel = join_rel(&self.spec_dir, path);
            targets.insert(
                path.clone(),
                writable_file(&self.root, &rel, "a spec file")?,
            );
        }
        for (path, file) in &target {
            let list = match current.get(path) {
                Some(c) if c.bytes == file.bytes && c.executable == file.executable => continue,
                Some(_) => &mut report.restored,
                None => &mut report.created,
            };
            let abs = targets
                .get(path)
                .cloned()
                .unwrap_or_else(|| base.join(path));
            let mode = file_mode(file.executable);
            write_atomic(&abs, &file.bytes, mode).map_err(|source| StoreError::Write {
                path: abs.clone(),
                source,
            })?;
            list.push(path.clone());
        }
        for path in current.keys().filter(|p| !target.contains_key(*p)) {
            let abs = targets
                .get(path)
                .cloned()
                .unwrap_or_else(|| base.join(path));
            std::fs::remove_file(&abs).map_err(|source| StoreError::Write {
                path: abs.clone(),
                source,
            })?;
            remove_empty_parents(&abs, &base);
            report.deleted.push(path.clone());
        }
        Ok(report)
    }

    /// The files among `files` whose current bytes are in no safe place (HEAD, the index, the
    /// latest snapshot): overwriting them would lose work.
    fn unrecoverable(&self, files: &[&SpecFile]) -> Result<Vec<String>, StoreError> {
        if files.is_empty() {
            return Ok(Vec::new());
        }
        let latest: BTreeSet<(String, ObjectId)> = match self.latest()? {
            Some(l) => self
                .read_files(&l)?
                .into_iter()
                .map(|f| (f.side_path.clone(), blob_id(&f.bytes)))
                .collect(),
            None => BTreeSet::new(),
        };
        let head_tree = self.repo.head_tree().ok();
        let index = self
            .repo
            .index_or_empty()
            .map_err(git_err("cannot read the index"))?;
        let mut out = Vec::new();
        for file in files {
            let id = blob_id(&file.bytes);
            if latest.contains(&(file.side_path.clone(), id)) {
                continue;
            }
            let repo_path = self.repo_path(&file.side_path);
            let in_head = head_tree
                .as_ref()
                .and_then(|t| t.lookup_entry_by_path(&repo_path).ok().flatten())
                .is_some_and(|e| e.object_id() == id);
            let in_index = index
                .entry_by_path(BStr::new(repo_path.as_bytes()))
                .is_some_and(|e| e.id == id);
            if !in_head && !in_index {
                out.push(file.side_path.clone());
            }
        }
        Ok(out)
    }

    /// A spec file's path relative to the repository's work tree.
    fn repo_path(&self, side_path: &str) -> String {
        let root_rel = self
            .root
            .strip_prefix(&self.workdir)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        join_rel(&join_rel(&root_rel, &self.spec_dir), side_path)
    }
}

/// The git blob id of `bytes` (SHA-1 repositories).
fn blob_id(bytes: &[u8]) -> ObjectId {
    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, bytes)
        .unwrap_or_else(|_| ObjectId::null(gix::hash::Kind::Sha1))
}

fn parse_id(hex: &str) -> Result<ObjectId, StoreError> {
    ObjectId::from_hex(hex.as_bytes()).map_err(git_err(format!("invalid object id `{hex}`")))
}

/// A content fingerprint of the spec side: SHA-256 over every (path, bytes) in path order.
pub fn fingerprint(files: &[SpecFile]) -> String {
    let mut hasher = Sha256::new();
    for f in files {
        hasher.update(f.side_path.as_bytes());
        hasher.update([0]);
        hasher.update((f.bytes.len() as u64).to_le_bytes());
        hasher.update(&f.bytes);
    }
    format!("sha256:{}", crate::events::hex(&hasher.finalize()))
}

/// `Key: value` lines of the message's last paragraph.
fn trailers(message: &str) -> BTreeMap<String, String> {
    let last = message.trim_end().rsplit("\n\n").next().unwrap_or_default();
    last.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(_path: &Path) -> bool {
    false
}

fn file_mode(executable: bool) -> Option<u32> {
    executable.then_some(0o755)
}

/// Removes folders left empty by a deletion, up to (not including) `base`.
fn remove_empty_parents(file: &Path, base: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == base || !d.starts_with(base) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
