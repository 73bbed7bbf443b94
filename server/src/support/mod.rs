//! The lowest layer: small helpers every other module may use, with no knowledge of the
//! product (no model, no workspace, no protocol).
//!
//! - [`atomic`]: the one way the tool replaces a file (temp file in the same folder + rename).
//! - [`digest`]: the one hex encoder and the SHA-256 digests built on it.
//! - [`paths`]: joining root-relative paths.
//! - [`memory`]: giving freed memory back to the system (after a large document closes).
//! - [`serial`]: one long-lived thread running jobs in order (the language server's analysis).

pub mod atomic;
pub mod digest;
pub mod memory;
pub mod paths;
pub mod serial;
