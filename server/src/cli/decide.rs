//! `moment-sync decide`: accept, reject or skip drift points by id.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::reconcile;
use crate::state::Decision;
use crate::workspace::{discover_root, Config};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecisionArg {
    /// Apply the fix (or, when the implementation is ahead, record it as feedback for the spec).
    Accept,
    /// Suppress the drift point until either side changes it again.
    Reject,
    /// Defer: shown again on the next run.
    Skip,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    pub decision: DecisionArg,
    /// Drift ids as `check` prints them (a unique prefix is enough).
    #[arg(required = true, value_name = "DRIFT_ID")]
    pub ids: Vec<String>,
    /// Why (recorded in the state and the feedback journal).
    #[arg(long)]
    pub reason: Option<String>,
    /// Who decides (default: git's user.name, else $USER).
    #[arg(long)]
    pub actor: Option<String>,
    /// Project root (default: found from the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Print the outcomes as JSON.
    #[arg(long)]
    pub json: bool,
    /// Read the configuration from this file instead of `<root>/.moment/sync.json`.
    #[arg(long = "config", value_name = "PATH")]
    pub config: Option<PathBuf>,
}

pub fn run(args: &DecideArgs) -> anyhow::Result<i32> {
    let root = match &args.root {
        Some(r) => r.clone(),
        None => discover_root(&std::env::current_dir()?),
    };
    let ws = super::open_workspace(&root, args.config.as_deref(), &Config::default())?;
    let actor = match &args.actor {
        Some(a) => a.clone(),
        None => reconcile::default_actor(&ws.root)?,
    };
    let decision = match args.decision {
        DecisionArg::Accept => Decision::Accept,
        DecisionArg::Reject => Decision::Reject,
        DecisionArg::Skip => Decision::Skip,
    };
    let outcomes = reconcile::decide(&ws, &args.ids, decision, args.reason.clone(), &actor)?;
    let mut out = anstream::stdout();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&outcomes)?)?;
    } else {
        for o in &outcomes {
            writeln!(out, "{}", o.message)?;
        }
    }
    Ok(0)
}
