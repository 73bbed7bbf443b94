//! The command line: one module per command. Each command returns its exit code; user errors
//! are printed as one line naming the file and the problem, with exit code 2.

mod check;
mod decide;
mod diff;
mod emit;
mod events;
pub(crate) mod fix;
mod history;
mod meta;
pub(crate) mod reconcile;
mod remote;
mod rollback;
mod snapshot;
pub(crate) mod status;

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::workspace::{discover_root, Config, Workspace, WorkspaceError};

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// On a terminal, unless `NO_COLOR` is set; `FORCE_COLOR` (or `CLICOLOR_FORCE`) forces it.
    Auto,
    Always,
    Never,
}

impl ColorArg {
    /// The stream-level choice. `FORCE_COLOR` (non-empty, not `0`) wins over `NO_COLOR`, as in
    /// Node and most CI tools: it is the more specific request.
    fn choice(self, force_color: Option<&str>) -> anstream::ColorChoice {
        match self {
            ColorArg::Always => anstream::ColorChoice::Always,
            ColorArg::Never => anstream::ColorChoice::Never,
            ColorArg::Auto => match force_color {
                Some(v) if !v.is_empty() && v != "0" && v != "false" => {
                    anstream::ColorChoice::Always
                }
                _ => anstream::ColorChoice::Auto,
            },
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "moment-sync",
    version,
    about = "Keeps a hand-written TypeScript implementation in step with its .moment spec"
)]
pub struct Cli {
    /// When to colour the output.
    #[arg(
        long,
        value_enum,
        global = true,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: ColorArg,
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
    /// Serve the Model Context Protocol over stdio (tools for AI assistants).
    Mcp(crate::mcp::McpArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(meta::CompletionsArgs),
    /// Print the man page (or write one page per command into a folder).
    Man(meta::ManArgs),
    /// Print the JSON Schema of `.moment/sync.json`.
    Schema(meta::SchemaArgs),
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
    /// Read the configuration from this file instead of `<root>/.moment/sync.json`.
    #[arg(long = "config", value_name = "PATH")]
    pub config: Option<PathBuf>,
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
        open_workspace(&root, self.config.as_deref(), &overrides)
    }
}

/// Opens the workspace at `root`, reading the configuration from `config_file` when given
/// (a file the user named must exist), else from `<root>/.moment/sync.json`.
pub fn open_workspace(
    root: &Path,
    config_file: Option<&Path>,
    overrides: &Config,
) -> Result<Workspace, WorkspaceError> {
    let Some(path) = config_file else {
        return Workspace::open(root, overrides);
    };
    if !root.is_dir() {
        return Err(WorkspaceError::BadRoot {
            path: root.to_path_buf(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| WorkspaceError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let config = Config::parse(&text, path)?.overlay(overrides);
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    Workspace::with_config(root, config)
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
    cli.color
        .choice(std::env::var("FORCE_COLOR").ok().as_deref())
        .write_global();
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
        Command::Mcp(args) => crate::mcp::run(&args),
        Command::Completions(args) => meta::completions(&args),
        Command::Man(args) => meta::man(&args),
        Command::Schema(args) => meta::schema(&args),
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
/// A progress bar over the source files of `ws`, shown only on a terminal (the files are only
/// counted then: counting walks the folders once more).
pub fn progress_for(ws: &Workspace) -> Result<indicatif::ProgressBar, WorkspaceError> {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return Ok(indicatif::ProgressBar::hidden());
    }
    Ok(progress(ws.source_files()?.len()))
}

/// Prints the warnings of a project check (state problems it worked around) to stderr.
pub fn print_warnings(warnings: &[String]) {
    for w in warnings {
        eprintln!("moment-sync: warning: {w}");
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn force_color_wins_in_auto_mode_only() {
        use anstream::ColorChoice;
        assert_eq!(ColorArg::Auto.choice(Some("1")), ColorChoice::Always);
        assert_eq!(ColorArg::Auto.choice(Some("0")), ColorChoice::Auto);
        assert_eq!(ColorArg::Auto.choice(Some("")), ColorChoice::Auto);
        assert_eq!(ColorArg::Auto.choice(None), ColorChoice::Auto);
        assert_eq!(ColorArg::Never.choice(Some("1")), ColorChoice::Never);
        assert_eq!(ColorArg::Always.choice(None), ColorChoice::Always);
    }
}
