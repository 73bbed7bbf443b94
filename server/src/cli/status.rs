//! `moment-sync status`: the recorded sync state at a glance.

use std::io::Write;

use clap::Args;

use super::{print_warnings, progress_for, WorkspaceArgs};
use crate::ops::status::{status_json, with_report, StatusReport};
use crate::state::Status;

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

pub fn run(args: &StatusArgs) -> anyhow::Result<i32> {
    let ws = args.workspace.open()?;
    let bar = progress_for(&ws)?;
    let tick = || bar.inc(1);
    let mut out = anstream::stdout();
    if args.json {
        let (report, warnings) = status_json(&ws, args.rebuild, &tick)?;
        bar.finish_and_clear();
        print_warnings(&warnings);
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(0);
    }
    with_report(&ws, args.rebuild, &tick, |report, warnings| {
        bar.finish_and_clear();
        print_warnings(warnings);
        write!(out, "{}", human(report))?;
        Ok(())
    })?;
    Ok(0)
}

fn human(r: &StatusReport<'_>) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let d = &r.drift;
    let _ = writeln!(
        out,
        "drift: {} ({} point{}: {} category 1, {} category 2, {} category 3{})",
        d.outcome.as_str(),
        d.drift_points,
        if d.drift_points == 1 { "" } else { "s" },
        d.category1,
        d.category2,
        d.category3,
        if d.suppressed > 0 {
            format!("; {} rejected suppressed", d.suppressed)
        } else {
            String::new()
        }
    );
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
