//! Persistent sync state under `.moment/`: the event log, the materialised
//! `sync-state.json`, the feedback journal, recorded bases, the incremental cache and the lock
//! that serialises writers.
//!
//! | file | what |
//! |---|---|
//! | `.moment/sync-log.jsonl` | append-only event log: the source of truth |
//! | `.moment/sync-state.json` | the log folded (plus the last base's fingerprints), rewritten atomically after each append; rebuildable |
//! | `.moment/feedback-journal.jsonl` | `ImplementationFeedbackRecorded` per decision |
//! | `.moment/bases/<id>.json` | the base of the last sync (fingerprints + shape digests) |
//! | `.moment/cache/` | parsed declarations and consumer references, one entry per content hash |
//! | `.moment/sync.lock` | advisory lock file |

pub mod bases;
pub mod cache;
pub mod check;
pub mod events;
pub mod journal;
pub mod lock;
pub mod log;
pub mod time;
pub mod view;

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use bases::{BaseFile, FileChanges, Fingerprints};
pub use cache::ModelCache;
pub use events::{
    ActiveRun, Cursor, Decision, DecisionEntry, Event, FeedbackType, LastRun, Proposal,
    ProposalRecord, RecordingPlan, RuleError, SagaStep, Source, Status, SyncState,
};
pub use journal::JournalEntry;
pub use lock::StateLock;
pub use view::StateView;

use crate::workspace::{WorkspaceError, STATE_DIR};

/// What can go wrong with the state; every variant names the file (and line where there is one).
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{}:{line}: {message}", path.display())]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}:{line}: {source}", path.display())]
    Replay {
        path: PathBuf,
        line: usize,
        source: RuleError,
    },
    #[error("{}: {source}", path.display())]
    Rule { path: PathBuf, source: RuleError },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error("no drift point or proposal has an id starting with `{0}` (run `moment-sync check` for the ids)")]
    UnknownId(String),
    #[error("`{prefix}` matches several ids: {}", candidates.join(", "))]
    AmbiguousId {
        prefix: String,
        candidates: Vec<String>,
    },
    #[error("{0}")]
    Invalid(String),
}

impl StateError {
    pub fn io(path: &Path, source: std::io::Error) -> StateError {
        StateError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// 32 hex digits of SHA-256 of a file's text: the per-file fingerprint.
pub fn content_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The entries of `.moment/` the tool reads or writes (`""` is the folder itself).
const STATE_ENTRIES: &[&str] = &[
    "",
    "sync.json",
    "sync-log.jsonl",
    "sync-state.json",
    "feedback-journal.jsonl",
    "sync.lock",
    "run.lock",
    "bases",
    "cache",
    "events",
    "generated",
];

/// What one transaction writes: events for the log and entries for the journal.
#[derive(Debug, Default)]
pub struct Tx {
    pub events: Vec<Event>,
    pub journal: Vec<JournalEntry>,
}

/// The `.moment/` folder of a workspace.
#[derive(Debug, Clone)]
pub struct StateDir {
    pub dir: PathBuf,
}

/// `sync-state.json`: the folded log and the fingerprints of the last sync.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Snapshot<'a> {
    schema_version: u32,
    #[serde(flatten)]
    state: &'a SyncState,
    fingerprints: Option<&'a Fingerprints>,
}

impl StateDir {
    pub fn of(root: &Path) -> StateDir {
        StateDir {
            dir: root.join(STATE_DIR),
        }
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.join("sync-log.jsonl")
    }
    pub fn snapshot_path(&self) -> PathBuf {
        self.dir.join("sync-state.json")
    }
    pub fn journal_path(&self) -> PathBuf {
        self.dir.join("feedback-journal.jsonl")
    }
    pub fn lock_path(&self) -> PathBuf {
        self.dir.join("sync.lock")
    }
    pub fn bases_dir(&self) -> PathBuf {
        self.dir.join("bases")
    }
    pub fn cache_dir(&self) -> PathBuf {
        self.dir.join("cache")
    }
    /// Held for a whole `decide` or `reconcile`: check, apply and record happen as one step, so
    /// a concurrent decision never plans on text another one is rewriting.
    pub fn run_lock_path(&self) -> PathBuf {
        self.dir.join("run.lock")
    }

    /// Takes the run lock (see [`StateDir::run_lock_path`]) after [`StateDir::guard`].
    pub fn run_lock(&self) -> Result<StateLock, StateError> {
        self.guard()?;
        StateLock::exclusive(&self.run_lock_path())
    }

    /// Refuses a `.moment/` (or an entry of it the tool uses) that is a symbolic link: a cloned
    /// repository can commit `.moment/cache -> ../..`, and the cache and bases prunes delete
    /// files. Nothing below `.moment/` is ever followed.
    pub fn guard(&self) -> Result<(), StateError> {
        let (Some(root), Some(name)) = (self.dir.parent(), self.dir.file_name()) else {
            return Ok(());
        };
        let name = name.to_string_lossy();
        for entry in STATE_ENTRIES {
            let rel = if entry.is_empty() {
                name.to_string()
            } else {
                format!("{name}/{entry}")
            };
            crate::workspace::confined(root, &rel, "the state folder (.moment/)")
                .map_err(WorkspaceError::from)?;
        }
        Ok(())
    }

    /// `true` once anything was recorded (a log exists): from then on `check` uses the base,
    /// consumers, decisions and the cache.
    pub fn exists(&self) -> bool {
        self.log_path().is_file()
    }

    /// The current state (replayed under a shared lock).
    pub fn load(&self) -> Result<SyncState, StateError> {
        self.guard()?;
        if !self.exists() {
            return Ok(SyncState::default());
        }
        let _lock = StateLock::shared(&self.lock_path())?;
        Ok(log::replay(&self.log_path())?.state)
    }

    /// The base of the last sync, when there is one.
    pub fn base(&self, state: &SyncState) -> Result<Option<BaseFile>, StateError> {
        match &state.cursor {
            Some(c) => bases::load(&self.bases_dir(), &c.base_id).map(Some),
            None => Ok(None),
        }
    }

    /// Runs `build` on the current state under the exclusive lock and writes what it returns:
    /// events are checked against the rules all together (nothing is written when one fails),
    /// appended in one write, the journal follows, then `sync-state.json` is rewritten. A
    /// corrupt log is an error and nothing is written. `build` must not touch the state itself.
    pub fn transact(
        &self,
        build: impl FnOnce(&SyncState) -> Result<Tx, StateError>,
    ) -> Result<SyncState, StateError> {
        self.guard()?;
        std::fs::create_dir_all(&self.dir).map_err(|e| StateError::io(&self.dir, e))?;
        let _lock = StateLock::exclusive(&self.lock_path())?;
        let log_path = self.log_path();
        let replay = log::replay(&log_path)?;
        let tx = build(&replay.state)?;
        if tx.events.is_empty() && tx.journal.is_empty() {
            return Ok(replay.state);
        }
        let at = time::now_iso();
        let mut state = replay.state.clone();
        for e in &tx.events {
            state.apply(e, &at).map_err(|source| StateError::Rule {
                path: log_path.clone(),
                source,
            })?;
        }
        for entry in &tx.journal {
            entry.validate(&state).map_err(|source| StateError::Rule {
                path: self.journal_path(),
                source,
            })?;
        }
        // The journal entries go into the log's one append first; the journal file follows,
        // after catching up on entries an earlier crash kept out of it.
        let in_log = if tx.events.is_empty() {
            Vec::new()
        } else {
            tx.journal.clone()
        };
        let written = log::append_records(&log_path, &replay, tx.events, in_log, &at)?;
        state.last_seq = written.last().map(|r| r.seq).unwrap_or(state.last_seq);
        let journal_path = self.journal_path();
        let have = journal::read(&journal_path)?;
        let mut entries: Vec<JournalEntry> = journal::missing_from(&have, &replay.records)
            .into_iter()
            .cloned()
            .collect();
        entries.extend(tx.journal);
        journal::append(&journal_path, &entries)?;
        self.write_snapshot(&state)?;
        Ok(state)
    }

    /// Appends events (see [`StateDir::transact`]).
    pub fn append(&self, events: Vec<Event>) -> Result<SyncState, StateError> {
        self.transact(|_| {
            Ok(Tx {
                events,
                journal: vec![],
            })
        })
    }

    /// Rewrites `sync-state.json` from the log (e.g. after deleting it).
    pub fn rebuild(&self) -> Result<SyncState, StateError> {
        self.guard()?;
        let _lock = StateLock::exclusive(&self.lock_path())?;
        let state = log::replay(&self.log_path())?.state;
        self.write_snapshot(&state)?;
        Ok(state)
    }

    fn write_snapshot(&self, state: &SyncState) -> Result<(), StateError> {
        let base = match self.base(state) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!("{e}; sync-state.json is written without fingerprints");
                None
            }
        };
        let snapshot = Snapshot {
            schema_version: 1,
            state,
            fingerprints: base.as_ref().map(|b| &b.files),
        };
        let path = self.snapshot_path();
        let text = serde_json::to_string_pretty(&snapshot)
            .map_err(|e| StateError::io(&path, std::io::Error::other(e)))?;
        crate::fix::write_atomically(&path, &(text + "\n")).map_err(|e| StateError::io(&path, e))
    }

    /// Every journal entry: the journal file's, plus those only the log holds yet (a crash
    /// between the two writes; the next transaction writes them to the file).
    pub fn journal(&self) -> Result<Vec<JournalEntry>, StateError> {
        self.guard()?;
        if !self.exists() {
            return journal::read(&self.journal_path());
        }
        let _lock = StateLock::shared(&self.lock_path())?;
        let mut entries = journal::read(&self.journal_path())?;
        {
            let replay = log::replay(&self.log_path())?;
            let missing: Vec<JournalEntry> = journal::missing_from(&entries, &replay.records)
                .into_iter()
                .cloned()
                .collect();
            entries.extend(missing);
        }
        Ok(entries)
    }
}

/// Resolves an id or a unique prefix of one among `candidates`.
pub fn resolve_id<'a>(
    prefix: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Result<String, StateError> {
    let mut found: Vec<&str> = candidates
        .into_iter()
        .filter(|c| c.starts_with(prefix))
        .collect();
    found.sort_unstable();
    found.dedup();
    if let Some(exact) = found.iter().find(|c| **c == prefix) {
        return Ok(exact.to_string());
    }
    match found.as_slice() {
        [] => Err(StateError::UnknownId(prefix.to_string())),
        [one] => Ok(one.to_string()),
        many => Err(StateError::AmbiguousId {
            prefix: prefix.to_string(),
            candidates: many.iter().map(|s| s.to_string()).collect(),
        }),
    }
}

/// The decision history of proposal `id` (empty when none was recorded): for hovers.
pub fn decision_history(root: &Path, id: &str) -> Result<Vec<DecisionEntry>, StateError> {
    Ok(StateDir::of(root)
        .load()?
        .proposals
        .get(id)
        .map(|p| p.history.clone())
        .unwrap_or_default())
}

/// Records a decision on drift point `id` (or a unique prefix) for the workspace at `root`, as
/// `moment-sync decide` does: records the proposal if needed, applies the fix for an accepted
/// spec-ahead or conflicting point, journals the decision. The actor comes from git's
/// `user.name`, else `$USER`. For the language server's code actions and commands.
pub fn record_decision(
    root: &Path,
    id: &str,
    decision: Decision,
    reason: Option<String>,
) -> Result<crate::reconcile::DecideOutcome, crate::reconcile::ReconcileError> {
    let ws = crate::workspace::Workspace::open(root, &Default::default())?;
    let actor = crate::reconcile::default_actor(root)?;
    let mut out = crate::reconcile::decide(&ws, &[id.to_string()], decision, reason, &actor)?;
    out.pop().ok_or_else(|| {
        crate::reconcile::ReconcileError::State(StateError::UnknownId(id.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::events::tests::record;
    use super::*;

    #[test]
    fn concurrent_writers_with_separate_handles_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let root = root.clone();
                std::thread::spawn(move || {
                    // Each thread opens its own lock and log handles, like a separate process.
                    let sd = StateDir::of(&root);
                    for n in 0..25 {
                        sd.append(vec![Event::ProposalRecorded {
                            proposal: record(&format!("{t}-{n}")),
                        }])
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let replay = log::replay(&StateDir::of(&root).log_path()).unwrap();
        assert_eq!(replay.state.proposals.len(), 50);
        assert_eq!(replay.state.last_seq, 50);
    }

    #[test]
    fn prefix_resolution() {
        let ids = ["abcd1234", "abce9999", "ffff0000"];
        assert_eq!(resolve_id("abcd", ids).unwrap(), "abcd1234");
        assert!(matches!(
            resolve_id("abc", ids),
            Err(StateError::AmbiguousId { .. })
        ));
        assert!(matches!(
            resolve_id("0", ids),
            Err(StateError::UnknownId(_))
        ));
    }

    #[test]
    fn transact_writes_log_and_snapshot_and_rebuilds() {
        let dir = tempfile::tempdir().unwrap();
        let sd = StateDir::of(dir.path());
        sd.append(vec![Event::ProposalRecorded {
            proposal: record("a"),
        }])
        .unwrap();
        let err = sd.append(vec![
            Event::ProposalRecorded {
                proposal: record("b"),
            },
            Event::ProposalRecorded {
                proposal: record("a"),
            },
        ]);
        assert!(
            matches!(err, Err(StateError::Rule { .. })),
            "all or nothing"
        );
        assert_eq!(sd.load().unwrap().proposals.len(), 1);
        let snap: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(sd.snapshot_path()).unwrap()).unwrap();
        assert_eq!(snap["proposals"]["a"]["status"], "pending");
        std::fs::remove_file(sd.snapshot_path()).unwrap();
        sd.rebuild().unwrap();
        let again: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(sd.snapshot_path()).unwrap()).unwrap();
        assert_eq!(snap, again);
    }
}
