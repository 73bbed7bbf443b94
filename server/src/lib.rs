//! moment-sync: keeps a hand-written TypeScript implementation in step with its `.moment`
//! specification.
//!
//! The engine (`workspace` → `syntax` → `model` → `drift` → `cascade` → `fix`) takes paths and text
//! and returns drift points with byte ranges; it knows nothing of LSP or the command line. The
//! `report`, `cli` and `lsp` layers present its results. See `docs/ARCHITECTURE.md`.

pub mod analysis;
pub mod cascade;
pub mod cli;
pub mod consumers;
pub mod drift;
pub mod events;
pub mod fix;
pub mod git;
pub mod lsp;
pub mod mcp;
pub mod model;
pub mod moment;
pub mod ops;
pub mod project;
pub mod reconcile;
pub mod report;
pub mod state;
pub mod support;
pub mod syntax;
pub mod text;
pub mod workspace;

/// Where each drift kind is documented (anchors are the kind names).
pub const DOCS_KINDS_URL: &str =
    "https://github.com/moment-sync/moment-sync/blob/main/docs/drift-kinds.md";

/// The tool's version, as recorded in reports and snapshots.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
