//! The body of `status` (the command and the MCP server's `moment_status`): the recorded sync
//! state and the drift now, from the one project check.

use serde::Serialize;

use crate::cascade::Outcome;
use crate::project::{self, Mode, ProjectCheck};
use crate::state::{FileChanges, LastRun, Proposal, StateDir};
use crate::workspace::Workspace;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReport<'a> {
    pub last_sync: Option<&'a str>,
    pub counts: std::collections::BTreeMap<&'static str, usize>,
    /// Changes since the last sync (absent before the first sync).
    pub spec_changes: Option<FileChanges>,
    pub implementation_changes: Option<FileChanges>,
    pub last_reconciliation: Option<&'a LastRun>,
    /// An interrupted reconciliation (run id, step) that the next `reconcile` resumes.
    pub interrupted: Option<(String, String)>,
    pub open: Vec<&'a Proposal>,
    /// The drift now: the same points, categories and ids as `check`.
    pub drift: DriftSummary,
}

/// What `check` would report, in numbers.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftSummary {
    pub outcome: Outcome,
    pub drift_points: usize,
    pub category1: usize,
    pub category2: usize,
    pub category3: usize,
    /// Rejected points hidden from `check`.
    pub suppressed: usize,
}

impl DriftSummary {
    pub fn of(checked: &ProjectCheck) -> DriftSummary {
        let points = &checked.analysis.points;
        let n = |c: u8| points.iter().filter(|p| p.category.number() == c).count();
        DriftSummary {
            outcome: Outcome::of(points.iter().map(|p| &p.category)),
            drift_points: points.len(),
            category1: n(1),
            category2: n(2),
            category3: n(3),
            suppressed: checked.suppressed.len(),
        }
    }
}

/// What `status --json` prints, and the warnings of the project check under it.
pub fn status_json(
    ws: &Workspace,
    rebuild: bool,
    tick: &(dyn Fn() + Sync),
) -> anyhow::Result<(serde_json::Value, Vec<String>)> {
    let mut value = serde_json::Value::Null;
    let mut warnings = Vec::new();
    with_report(ws, rebuild, tick, |report, w| {
        value = serde_json::to_value(report)?;
        warnings = w.to_vec();
        Ok(())
    })?;
    Ok((value, warnings))
}

/// Builds the report (it borrows the loaded state) and hands it to `f`, with the warnings of
/// the project check (state problems it worked around).
pub fn with_report(
    ws: &Workspace,
    rebuild: bool,
    tick: &(dyn Fn() + Sync),
    f: impl FnOnce(&StatusReport<'_>, &[String]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let sd = StateDir::of(&ws.root);
    let state = if rebuild { sd.rebuild()? } else { sd.load()? };
    let checked = project::check(ws, Mode::IfRecorded, tick)?;
    let now = &checked.fingerprints;
    let (spec_changes, implementation_changes) = match &checked.base {
        Some(b) => (
            Some(FileChanges::between(&b.files.spec, &now.spec)),
            Some(FileChanges::between(
                &b.files.implementation,
                &now.implementation,
            )),
        ),
        None => (None, None),
    };
    let report = StatusReport {
        last_sync: state.last_sync_timestamp.as_deref(),
        counts: state.counts(),
        spec_changes,
        implementation_changes,
        last_reconciliation: state.reconciliation.last.as_ref(),
        interrupted: state
            .reconciliation
            .active
            .as_ref()
            .map(|a| (a.run_id.clone(), format!("{:?}", a.step))),
        open: state
            .proposals
            .values()
            .filter(|p| p.status.is_open())
            .collect(),
        drift: DriftSummary::of(&checked),
    };
    f(&report, &checked.warnings)
}
