//! Command bodies shared by the command line and the MCP server: `fix`, `reconcile` and
//! `status` as operations on a workspace that return data. The protocol edges (`cli`, `mcp`,
//! `lsp`) sit above and only parse arguments, render and choose exit codes.

pub mod fix;
pub mod reconcile;
pub mod status;
