//! Git: the artifact store (gix), remotes (the `git` program) and credentials.
//!
//! gix does the local work (objects, trees, commits, refs) without touching HEAD, the index or
//! the work tree. gix cannot push, so remote operations run the `git` program, with tokens passed
//! only through the child's environment and a credential helper (never argv, URLs or logs).

pub mod credentials;
mod diff;
pub mod remote;
mod secret;
mod store;

pub use credentials::{
    Attempt, CachedTokenFileStrategy, ChildEnv, Credential, CredentialStrategy,
    EnvCredentialStrategy, GhCliCredentialStrategy, GitCredentialHelperStrategy,
    LayeredCredentialResolver, OAuthDeviceFlowStrategy, ResolveError, Resolved, ResolverOptions,
    StrategyError,
};
pub use diff::{diff_files, SpecChange, SpecDiff};
pub use remote::{
    tracking_ref, ArtifactsSync, CredentialSource, GitRemoteManager, RemoteError, Transcript,
};
pub use secret::{redact_urls, Secret};
pub use store::{
    fingerprint, ArtifactStore, RollbackReport, Snapshot, SnapshotOutcome, SpecFile, StoreError,
    ARTIFACTS_REF,
};
