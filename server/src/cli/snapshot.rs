//! `moment-sync snapshot`: record the spec side on `refs/moment/artifacts`.

use std::path::PathBuf;

use std::io::Write;

use clap::Args;

use super::WorkspaceArgs;
use crate::git::{ArtifactStore, SnapshotOutcome};
use crate::model::Side;
use crate::workspace::{discover_root, Config, Workspace, WorkspaceError};

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// The snapshot's message (default: "Snapshot of <spec folder>").
    #[arg(short = 'm', long = "message", value_name = "MSG")]
    pub message: Option<String>,
    /// Print the snapshot as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &SnapshotArgs) -> anyhow::Result<i32> {
    let mut out = super::snapshot::stdout();
    let ws = open_workspace(
        args.workspace.root.clone(),
        args.workspace.generated.clone(),
    )?;
    let store = ArtifactStore::open(&ws)?;
    let outcome = store.snapshot(args.message.as_deref())?;
    let (snapshot, created) = match &outcome {
        SnapshotOutcome::Created(s) => (s, true),
        SnapshotOutcome::Unchanged(s) => (s, false),
    };
    if args.json {
        let value = serde_json::json!({ "created": created, "snapshot": snapshot });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    } else if created {
        writeln!(
            out,
            "recorded snapshot {} of {}: {}",
            snapshot.short_id,
            store.spec_dir(),
            snapshot.message
        )?;
    } else {
        writeln!(
            out,
            "{} is unchanged since snapshot {}; nothing recorded",
            store.spec_dir(),
            snapshot.short_id
        )?;
    }
    Ok(0)
}

/// Opens the workspace for the snapshot commands. Only the spec side matters to them, so a
/// missing implementation folder is not an error here (a project may snapshot its first
/// generated code before writing any).
pub(super) fn open_workspace(
    root: Option<PathBuf>,
    generated: Option<String>,
) -> anyhow::Result<Workspace> {
    let root = match root {
        Some(r) => r,
        None => discover_root(&std::env::current_dir()?),
    };
    let overrides = Config {
        generated_dir: generated.clone(),
        ..Config::default()
    };
    match Workspace::open(&root, &overrides) {
        Err(WorkspaceError::MissingDir { what, .. }) if what.starts_with("implementation") => {
            let overrides = Config {
                generated_dir: generated,
                implementation_dir: Some(".".into()),
                ..Config::default()
            };
            Ok(Workspace::open(&root, &overrides)?)
        }
        other => Ok(other?),
    }
}

/// Whether the drift engine should compare a spec file (the workspace's include/exclude rules).
pub(super) fn compared(ws: &Workspace, side_path: &str) -> bool {
    let abs = ws.root.join(&ws.generated_dir).join(side_path);
    ws.classify(&abs).is_some_and(|f| f.side == Side::Spec)
}

/// Standard output that treats a closed pipe (`moment-sync history | head -1`) as the reader
/// having seen enough, rather than an error.
pub(super) fn stdout() -> QuietStdout {
    QuietStdout(std::io::stdout())
}

pub(super) struct QuietStdout(std::io::Stdout);

impl Write for QuietStdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.write(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(buf.len()),
            other => other,
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}
