//! `moment-sync status`: the recorded sync state at a glance.

use std::io::Write;

use clap::Args;
use rayon::prelude::*;
use serde::Serialize;

use super::WorkspaceArgs;
use crate::state::{content_hash, FileChanges, Fingerprints, LastRun, Proposal, StateDir, Status};
use crate::workspace::{Workspace, WorkspaceError};

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
    /// Rewrite .moment/sync-state.json from the event log first.
    #[arg(long)]
    pub rebuild: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusReport<'a> {
    last_sync: Option<&'a str>,
    counts: std::collections::BTreeMap<&'static str, usize>,
    /// Changes since the last sync (absent before the first sync).
    spec_changes: Option<FileChanges>,
    implementation_changes: Option<FileChanges>,
    last_reconciliation: Option<&'a LastRun>,
    /// An interrupted reconciliation (run id, step) that the next `reconcile` resumes.
    interrupted: Option<(String, String)>,
    open: Vec<&'a Proposal>,
}

pub fn run(args: &StatusArgs) -> anyhow::Result<i32> {
    let ws = args.workspace.open()?;
    let mut out = anstream::stdout();
    if args.json {
        let report = status_json(&ws, args.rebuild)?;
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(0);
    }
    with_report(&ws, args.rebuild, |report| {
        write!(out, "{}", human(report))?;
        Ok(())
    })?;
    Ok(0)
}

/// What `status --json` prints (shared with the MCP server's `moment_status`).
pub(crate) fn status_json(ws: &Workspace, rebuild: bool) -> anyhow::Result<serde_json::Value> {
    let mut value = serde_json::Value::Null;
    with_report(ws, rebuild, |report| {
        value = serde_json::to_value(report)?;
        Ok(())
    })?;
    Ok(value)
}

/// Builds the report (it borrows the loaded state) and hands it to `f`.
fn with_report(
    ws: &Workspace,
    rebuild: bool,
    f: impl FnOnce(&StatusReport<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let sd = StateDir::of(&ws.root);
    let state = if rebuild { sd.rebuild()? } else { sd.load()? };
    let base = sd.base(&state)?;
    let now = fingerprints(ws)?;
    let (spec_changes, implementation_changes) = match &base {
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
    };
    f(&report)
}

/// Hashes every source file (no parsing).
fn fingerprints(ws: &Workspace) -> Result<Fingerprints, WorkspaceError> {
    let files = ws.source_files()?;
    let hashed: Vec<(crate::model::Side, String, String)> = files
        .par_iter()
        .map(|f| Ok((f.side, f.rel_path.clone(), content_hash(&f.read()?))))
        .collect::<Result<_, WorkspaceError>>()?;
    let mut fp = Fingerprints::default();
    for (side, path, hash) in hashed {
        match side {
            crate::model::Side::Spec => fp.spec.insert(path, hash),
            crate::model::Side::Implementation => fp.implementation.insert(path, hash),
        };
    }
    // A `.moment` spec counts by its emitted files, as `check` records them.
    if let Some((_, models)) = crate::analysis::moment_spec_side(ws)? {
        for m in models {
            fp.spec.insert(m.path.clone(), content_hash(&m.text));
        }
    }
    Ok(fp)
}

fn human(r: &StatusReport<'_>) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "last sync: {}",
        r.last_sync.unwrap_or("never (run `moment-sync reconcile`)")
    );
    let c = |k: &str| r.counts.get(k).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "proposals: {} pending, {} accepted, {} rejected, {} skipped, {} resolved",
        c("pending"),
        c("accepted"),
        c("rejected"),
        c("skipped"),
        c("resolved")
    );
    for (side, changes) in [
        ("spec side", &r.spec_changes),
        ("implementation side", &r.implementation_changes),
    ] {
        if let Some(ch) = changes {
            if ch.is_empty() {
                let _ = writeln!(out, "{side}: unchanged since the last sync");
            } else {
                let _ = writeln!(
                    out,
                    "{side}: {} file{} changed since the last sync",
                    ch.len(),
                    if ch.len() == 1 { "" } else { "s" }
                );
                for (what, list) in [
                    ("added", &ch.added),
                    ("changed", &ch.changed),
                    ("removed", &ch.removed),
                ] {
                    for p in list {
                        let _ = writeln!(out, "  {what:<8} {p}");
                    }
                }
            }
        }
    }
    match r.last_reconciliation {
        Some(l) => {
            let cat = if l.cascade_category > 0 {
                format!(" (category {})", l.cascade_category)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "last reconciliation: {}{cat} at {}",
                l.result, l.finished_at
            );
            for a in &l.actions {
                let _ = writeln!(out, "  - {a}");
            }
        }
        None => {
            let _ = writeln!(out, "last reconciliation: none");
        }
    }
    if let Some((id, step)) = &r.interrupted {
        let _ = writeln!(
            out,
            "interrupted reconciliation {id} at {step}: the next `reconcile` finishes it"
        );
    }
    for p in &r.open {
        let skipped = if p.status == Status::Skipped {
            " (skipped)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {}  cat {}  {:<10}  {}{skipped}  — {}",
            p.record.id,
            p.record.category,
            p.record.direction,
            p.record.message,
            p.record.source.describe()
        );
    }
    out
}
