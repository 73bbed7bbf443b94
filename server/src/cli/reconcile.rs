//! `moment-sync reconcile`: the whole push flow (see `reconcile::saga`).

use std::io::Write;

use clap::{Args, ValueEnum};

use super::WorkspaceArgs;
use crate::events::EventStream;
use crate::reconcile::{self, report, ReconcileOptions};
use crate::state::SagaStep;

/// This command's cursor in the upstream event stream.
const EVENTS_CONSUMER: &str = "reconcile";

/// The upstream event stream, or `None` (with a warning) when its cursor cannot be read.
fn open_stream(root: &std::path::Path) -> Option<EventStream> {
    EventStream::open(root, EVENTS_CONSUMER)
        .inspect_err(|e| eprintln!("moment-sync: warning: upstream events not read: {e}"))
        .ok()
}

/// The id of the newest event that arrived since the last completed reconcile, ignoring this
/// tool's own `MomentReconcileCompleted` signals. Malformed lines are reported and skipped.
fn newest_upstream_event(stream: &mut EventStream) -> Option<String> {
    let batch = stream
        .read_new()
        .inspect_err(|e| eprintln!("moment-sync: warning: upstream events not read: {e}"))
        .ok()?;
    for issue in &batch.issues {
        eprintln!("moment-sync: warning: {issue}");
    }
    batch
        .events
        .iter()
        .rev()
        .find(|e| e.envelope.event_type != "MomentReconcileCompleted")
        .map(|e| e.envelope.event_id.clone())
}

/// A saga step named on the command line (test hook).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StepArg {
    Diffing,
    Proposing,
    Recording,
    Committing,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// Apply category-1 fixes (additive, breaking nothing) to the implementation.
    #[arg(long)]
    pub apply: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// The upstream event id that triggered this run (recorded as the proposals' source and the
    /// signal's causation). Default: the newest upstream event that arrived since the last
    /// reconcile (.complai/events/moment/, read with the `reconcile` cursor).
    #[arg(long = "trigger-event", value_name = "EVENT_ID")]
    pub trigger_event: Option<String>,
    /// Who accepts the applied fixes (default: git's user.name, else $USER).
    #[arg(long)]
    pub actor: Option<String>,
    /// Testing only: stop after this step as if the process had died.
    #[arg(long = "interrupt-after", value_enum, hide = true)]
    pub interrupt_after: Option<StepArg>,
}

pub fn run(args: &ReconcileArgs) -> anyhow::Result<i32> {
    let ws = args.workspace.open()?;
    let interrupt_after = args.interrupt_after.map(|s| match s {
        StepArg::Diffing => SagaStep::Diffing,
        StepArg::Proposing => SagaStep::Proposing,
        StepArg::Recording => SagaStep::Recording,
        StepArg::Committing => SagaStep::Committing,
    });
    let r = execute(
        &ws,
        args.apply,
        args.trigger_event.clone(),
        args.actor.clone(),
        interrupt_after,
    )?;
    let mut out = anstream::stdout();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
    } else {
        write!(out, "{}", report::render_human(&r))?;
    }
    Ok(r.result.exit_code(&ws.config))
}

/// One reconcile run as the command does it: the trigger from the upstream stream (unless
/// given), the saga, then the stream's cursor. Shared with the MCP server's `moment_reconcile`.
pub(crate) fn execute(
    ws: &crate::workspace::Workspace,
    apply: bool,
    trigger_event: Option<String>,
    actor: Option<String>,
    interrupt_after: Option<SagaStep>,
) -> anyhow::Result<report::ReconcileReport> {
    let actor = match actor {
        Some(a) => a,
        None => reconcile::default_actor(&ws.root)?,
    };
    let mut stream = match &trigger_event {
        Some(_) => None,
        None => open_stream(&ws.root),
    };
    let trigger = trigger_event.or_else(|| stream.as_mut().and_then(newest_upstream_event));
    let opts = ReconcileOptions {
        apply,
        trigger,
        actor,
        interrupt_after,
    };
    let r = reconcile::reconcile(ws, &opts)?;
    // Only a completed run consumes the events (a crash re-delivers them: at least once).
    if let Some(Err(e)) = stream.as_mut().map(EventStream::save) {
        eprintln!("moment-sync: warning: {e}");
    }
    Ok(r)
}
