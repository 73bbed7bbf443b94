//! Git: the artifact store (gix), remotes (the `git` program) and credentials.
//!
//! gix does the local work (objects, trees, commits, refs) without touching HEAD, the index or
//! the work tree. gix cannot push, so remote operations run the `git` program, with tokens passed
//! only through the child's environment and a credential helper (never argv, URLs or logs).

mod diff;
mod store;

pub use diff::{diff_files, SpecChange, SpecDiff};

pub use store::{fingerprint, ArtifactStore, RollbackReport, Snapshot, SnapshotOutcome, SpecFile, StoreError, ARTIFACTS_REF};
