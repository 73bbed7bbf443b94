//! Reconciliation: decisions on proposals and the push-flow saga (`moment-sync reconcile`).
//!
//! `decide` records accept/reject/skip for drift points (applying fixes where accepting means
//! editing); `saga::reconcile` runs the whole push flow — detect, classify, apply category-1
//! fixes, record proposals, advance the cursor — persisting each step in the state log so an
//! interrupted run resumes or aborts cleanly.

mod decide;
pub mod feedback;
pub mod report;
mod saga;

use std::path::Path;

pub use decide::{decide, decide_with, record_decision, DecideOutcome};
pub use report::{ReconcileReport, ReconcileResult};
pub use saga::{reconcile, ReconcileOptions};

use crate::fix::{apply_edits, plan_fixes, ApplyError};
use crate::model::{DriftPoint, TextEdit};
use crate::state::{SagaStep, StateError};
use crate::support::atomic::write_atomic;
use crate::workspace::{Workspace, WorkspaceError};

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// The file is not the text the fix was planned on (another writer got there first).
    #[error("`{path}` changed while its fix was being planned; nothing was written to it (run the command again)")]
    Changed { path: String },
    #[error("no actor: pass --actor, or set git's user.name or $USER")]
    NoActor,
    /// A test hook stopped the saga after this step (see `ReconcileOptions::interrupt_after`).
    #[error("reconciliation interrupted after {0:?} (it resumes on the next run)")]
    Interrupted(SagaStep),
}

/// Who decides: git's `user.name` in `root`, else `$USER` / `$USERNAME`.
pub fn default_actor(root: &Path) -> Result<String, ReconcileError> {
    let git = std::process::Command::new("git")
        .args(["config", "user.name"])
        .current_dir(root)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    git.or_else(|| std::env::var("USER").ok().filter(|s| !s.trim().is_empty()))
        .or_else(|| {
            std::env::var("USERNAME")
                .ok()
                .filter(|s| !s.trim().is_empty())
        })
        .ok_or(ReconcileError::NoActor)
}

/// Records a decision on drift point `id` (or a unique prefix) for the workspace at `root`, as
/// `moment-sync decide` does: records the proposal if needed, applies the fix for an accepted
/// spec-ahead or conflicting point, journals the decision. The actor comes from git's
/// `user.name`, else `$USER`. For the language server's code actions and commands.
pub fn decide_id(
    root: &Path,
    id: &str,
    decision: crate::state::Decision,
    reason: Option<String>,
) -> Result<DecideOutcome, ReconcileError> {
    let ws = crate::workspace::Workspace::open(root, &Default::default())?;
    let actor = default_actor(root)?;
    let mut out = decide(&ws, &[id.to_string()], decision, reason, &actor)?;
    out.pop()
        .ok_or_else(|| ReconcileError::State(StateError::UnknownId(id.to_string())))
}

/// Applies the preferred fix of each point; returns the ids whose fix was written. Fixes that
/// overlap an earlier one, or whose file would gain syntax errors, are left out (a later run
/// picks them up).
pub fn apply_fixes(
    ws: &Workspace,
    files: &crate::analysis::Analysis,
    points: &[&DriftPoint],
) -> Result<Vec<String>, ReconcileError> {
    // The fixes with their follow-ups (imports, uses of renamed names), as `fix` applies them.
    let names = crate::fix::renamed_names(points.iter().copied());
    let is_side = |rel: &str| files.files.contains_key(rel);
    let outside = crate::project::load::outside_texts(ws, &is_side, &names, &|_| None)?;
    let side = crate::fix::ImplSide::new(files.files.values(), &files.points)
        .with_outside(outside)
        .with_paths(crate::project::load::path_map(ws));
    let completed = crate::fix::complete_points(points.iter().copied(), &side);
    let plans = plan_fixes(&completed);
    let mut applied = Vec::new();
    for (path, plan) in &plans {
        if plan.fixes.is_empty() {
            continue;
        }
        let abs = ws.writable(path)?;
        let on_disk = match std::fs::read_to_string(&abs) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(ReconcileError::Write {
                    path: path.into(),
                    source,
                })
            }
        };
        // The edits' byte ranges are into the analysed text: applied to anything else they
        // would write a mix of both (10 concurrent accepts once kept 1 fix of 10).
        let planned_on = files
            .file(path)
            .map(|f| &*f.text)
            .or_else(|| side.outside_text(path));
        let old = match (planned_on, on_disk) {
            (Some(t), Some(disk)) if *t == *disk => disk,
            (Some(_), _) => return Err(ReconcileError::Changed { path: path.clone() }),
            (None, disk) => disk.unwrap_or_default(),
        };
        let edits: Vec<&TextEdit> = plan
            .fixes
            .iter()
            .flat_map(|(_, f)| f.edits.iter())
            .filter(|e| &e.path == path)
            .collect();
        let new = apply_edits(path, &old, &edits)?;
        let new = crate::fix::tidy_imports(&side, path, &old, &new)?;
        if crate::fix::gains_syntax_errors(path, &old, &new) {
            tracing::warn!("{path}: fixes left out: they would introduce syntax errors");
            continue;
        }
        write_atomic(&abs, new.as_bytes(), None).map_err(|source| ReconcileError::Write {
            path: abs.clone(),
            source,
        })?;
        applied.extend(plan.fixes.iter().map(|(p, _)| p.id.clone()));
    }
    // A fix that edits several files is in several plans: each id once, in order.
    let mut seen = std::collections::HashSet::new();
    applied.retain(|id| seen.insert(id.clone()));
    Ok(applied)
}
