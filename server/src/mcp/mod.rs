//! `moment-sync mcp`: a Model Context Protocol server over stdio (the official Rust SDK,
//! `rmcp`), exposing the engine to AI assistants.
//!
//! Every tool answers with one text item holding JSON; failures are `{errorCode, message}` with
//! `isError` set. The tools call the same functions as the CLI commands (`check --format json`,
//! `status --json`, `reconcile --json`, `decide --json`, `events --json`, `fix --dry-run`), so
//! they return what the CLI returns. Input schemas are generated from the parameter types.

mod tools;

use std::path::PathBuf;

use clap::Args;

pub use tools::MomentMcp;

#[derive(Debug, Args)]
pub struct McpArgs {
    /// The default project root of the tools (default: found from the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// Serves MCP on stdin/stdout until the client closes the connection; returns the exit code.
pub fn run(args: &McpArgs) -> anyhow::Result<i32> {
    let root = match &args.root {
        Some(r) => r.clone(),
        None => crate::workspace::discover_root(&std::env::current_dir()?),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        use rmcp::ServiceExt;
        let service = MomentMcp::new(root)
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| anyhow::anyhow!("cannot start the MCP server: {e}"))?;
        service
            .waiting()
            .await
            .map_err(|e| anyhow::anyhow!("the MCP server stopped: {e}"))?;
        Ok(0)
    })
}
