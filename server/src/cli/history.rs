//! `moment-sync history`: list the snapshots, newest first.

use std::io::Write;

use clap::Args;

use super::snapshot::open_workspace;
use super::WorkspaceArgs;
use crate::git::ArtifactStore;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// Print the snapshots as a JSON array.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &HistoryArgs) -> anyhow::Result<i32> {
    let mut out = super::snapshot::stdout();
    let ws = open_workspace(
        args.workspace.root.clone(),
        args.workspace.generated.clone(),
    )?;
    let history = ArtifactStore::open(&ws)?.history()?;
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&history)?)?;
        return Ok(0);
    }
    if history.is_empty() {
        eprintln!("no snapshot yet: run `moment-sync snapshot` to record one");
    }
    for s in &history {
        // Like `git log --oneline`, with the time between id and message.
        writeln!(
            out,
            "{} {} {}",
            s.short_id,
            s.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            s.message
        )?;
    }
    Ok(0)
}
