//! The command line: one module per command.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "moment-sync", version, about = "Keeps a TypeScript implementation in step with its .moment spec")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report drift between the spec side and the implementation side.
    Check,
    /// Run the language server (LSP over stdio).
    Lsp(crate::lsp::LspArgs),
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check => 0,
        Command::Lsp(args) => crate::lsp::run(args),
    }
}
