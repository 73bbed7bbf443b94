//! The command line: one module per command. Each command returns its exit code; user errors
//! are printed as one line naming the file and the problem, with exit code 2.

mod check;
mod decide;
mod diff;
mod emit;
mod events;
mod fix;
mod history;
mod reconcile;
mod remote;
mod rollback;
mod snapshot;
mod status;

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::workspace::{discover_root, Config, Workspace, WorkspaceError};

#[derive(Debug, Parser)]
#[command(
    name = "moment-sync",
    version,
    about = "Keeps a hand-written TypeScript implementation in step with its .moment spec"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report drift between the spec side and the implementation side.
    Check(check::CheckArgs),
    /// Apply the preferred fix of every drift point up to a category.
    Fix(fix::FixArgs),
    /// Run the language server (LSP over stdio).
    Lsp(crate::lsp::LspArgs),
    /// Run the push flow: detect, classify, apply category-1 fixes (--apply), record proposals,
    /// advance the sync cursor.
    Reconcile(reconcile::ReconcileArgs),
    /// Show the recorded sync state: last sync, proposals, changes since, last reconciliation.
    Status(status::StatusArgs),
    /// Accept, reject or skip drift points by id.
    Decide(decide::DecideArgs),
    /// List the upstream event signals (.complai/events/moment/*.jsonl).
    Events(events::EventsArgs),
    /// Record the spec side as a snapshot on refs/moment/artifacts.
    Snapshot(snapshot::SnapshotArgs),
    /// List the snapshots, newest first.
    History(history::HistoryArgs),
    /// Show what changed in the spec side between two snapshots, or a snapshot and now.
    Diff(diff::DiffArgs),
    /// Restore the spec side's files from a snapshot.
    Rollback(rollback::RollbackArgs),
    /// Share snapshots and branches with remotes (clone, pull, push, branch, auth).
    Remote(remote::RemoteArgs),
    /// Write the TypeScript the upstream emitter would write for the `.moment` spec.
    Emit(emit::EmitArgs),
}

/// Where the workspace is and how its sides are overridden (shared by every command).
#[derive(Debug, Args, Clone)]
pub struct WorkspaceArgs {
    /// Project root (default: the nearest folder holding .moment/, else the git work tree, else
    /// the current folder).
    pub root: Option<PathBuf>,
    /// Spec side folder, relative to the root (overrides `generatedDir`).
    #[arg(long = "generated", value_name = "DIR")]
    pub generated: Option<String>,
    /// Implementation side folder, relative to the root (overrides `implementationDir`).
    #[arg(long = "implementation", value_name = "DIR")]
    pub implementation: Option<String>,
    /// A `.moment` spec (file or folder), relative to the root: the spec side is read from it
    /// instead of `generatedDir` (overrides `spec`).
    #[arg(long = "spec", value_name = "PATH")]
    pub spec: Option<String>,
}

impl WorkspaceArgs {
    pub fn open(&self) -> Result<Workspace, WorkspaceError> {
        let root = match &self.root {
            Some(r) => r.clone(),
            None => discover_root(&std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))),
        };
        let overrides = Config {
            generated_dir: self.generated.clone(),
            implementation_dir: self.implementation.clone(),
            spec: self.spec.clone(),
            ..Default::default()
        };
        Workspace::open(&root, &overrides)
    }
}

/// A cascade category given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CategoryArg {
    #[value(name = "1")]
    One,
    #[value(name = "2")]
    Two,
    #[value(name = "3")]
    Three,
}

impl CategoryArg {
    pub fn number(self) -> u8 {
        match self {
            CategoryArg::One => 1,
            CategoryArg::Two => 2,
            CategoryArg::Three => 3,
        }
    }
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Fix(args) => fix::run(&args),
        Command::Lsp(args) => Ok(crate::lsp::run(args)),
        Command::Reconcile(args) => reconcile::run(&args),
        Command::Status(args) => status::run(&args),
        Command::Decide(args) => decide::run(&args),
        Command::Events(args) => events::run(&args),
        Command::Snapshot(args) => snapshot::run(&args),
        Command::History(args) => history::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Rollback(args) => rollback::run(&args),
        Command::Remote(args) => remote::run(&args),
        Command::Emit(args) => emit::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("moment-sync: error: {e}");
            2
        }
    }
}

/// A path relative to the root for messages, `/` separators.
pub fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A progress bar on stderr for long runs (hidden when stderr is not a terminal).
pub fn progress(total: usize) -> indicatif::ProgressBar {
    let bar = if total >= 500 && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::new(total as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} parsing {pos}/{len} files {wide_bar} {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}
