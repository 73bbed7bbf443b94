//! `moment-sync reconcile`: the whole push flow (see `reconcile::saga`).

use std::io::Write;

use clap::{Args, ValueEnum};

use super::WorkspaceArgs;
use crate::ops::reconcile::execute;
use crate::reconcile::report;
use crate::state::SagaStep;

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
    Ok(r.outcome.exit_code(&ws.config))
}
