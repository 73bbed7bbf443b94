//! `moment-sync rollback <snapshot>`: restore the spec side's files from a snapshot.

use std::path::PathBuf;

use std::io::Write;

use clap::Args;

use super::snapshot::open_workspace;
use crate::git::ArtifactStore;
use crate::workspace::join_rel;

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The snapshot to restore (full or abbreviated id).
    pub snapshot: String,
    /// Overwrite files whose edits are in no commit and no snapshot.
    #[arg(long)]
    pub force: bool,
    /// Project root (default: discovered from the current folder).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Spec side folder, relative to the root.
    #[arg(long = "generated", value_name = "DIR")]
    pub generated: Option<String>,
    /// Print what changed as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &RollbackArgs) -> anyhow::Result<i32> {
    let mut out = super::snapshot::stdout();
    let ws = open_workspace(args.root.clone(), args.generated.clone())?;
    let store = ArtifactStore::open(&ws)?;
    let target = store.resolve(&args.snapshot)?;
    let report = store.rollback(&target, args.force)?;
    if args.json {
        let value = serde_json::json!({ "snapshot": target.id, "specDir": store.spec_dir(), "changes": report });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(0);
    }
    if report.is_empty() {
        writeln!(
            out,
            "{} already matches snapshot {}; nothing changed",
            store.spec_dir(),
            target.short_id
        )?;
        return Ok(0);
    }
    writeln!(
        out,
        "restored {} to snapshot {} ({})",
        store.spec_dir(),
        target.short_id,
        target.message
    )?;
    for (mark, files) in [
        ("M", &report.restored),
        ("A", &report.created),
        ("D", &report.deleted),
    ] {
        for f in files {
            writeln!(out, "  {mark} {}", join_rel(store.spec_dir(), f))?;
        }
    }
    for f in &report.overwritten_edits {
        eprintln!(
            "moment-sync: warning: overwrote unsaved edits in {} (--force)",
            join_rel(store.spec_dir(), f)
        );
    }
    Ok(0)
}
