//! Renderers of an analysis: human text, JSON (schema version 1, drift-model §8), SARIF 2.1.0
//! and GitHub Actions annotations.

mod github;
mod human;
mod json;
mod sarif;

pub use github::github_annotations;
pub use human::{render_human, render_human_quiet};
pub use json::{json_report, JsonReport};
pub use sarif::{sarif_report, SarifBase};

use crate::analysis::Analysis;
use crate::model::Span;
use crate::text::ColumnUnit;

/// A 1-based line and character column of `span.start` (and `span.end`) in `path`; a path the
/// analysis does not hold (a file a fix creates) is at 1:1.
pub fn position(analysis: &Analysis, path: &str, offset: usize) -> (u32, u32) {
    match analysis.file(path) {
        Some(f) => {
            let lc = f.lines.position(&f.text, offset, ColumnUnit::Char);
            (lc.line + 1, lc.col + 1)
        }
        None => (1, 1),
    }
}

/// Start and end positions of a span.
pub fn range(analysis: &Analysis, path: &str, span: Span) -> ((u32, u32), (u32, u32)) {
    (
        position(analysis, path, span.start),
        position(analysis, path, span.end),
    )
}
