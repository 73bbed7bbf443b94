//! tree-sitter parsing and extraction of the declaration model.

use std::path::Path;
use std::sync::Arc;

use crate::model::{FileModel, Side};
use crate::text::LineIndex;

/// Which tree-sitter grammar a file needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    TypeScript,
    Tsx,
}

impl Dialect {
    pub fn for_path(path: &Path) -> Option<Dialect> {
        match path.extension()?.to_str()? {
            "ts" | "mts" | "cts" => Some(Dialect::TypeScript),
            "tsx" => Some(Dialect::Tsx),
            _ => None,
        }
    }
}

/// Parses and extracts one file.
pub fn parse_file(path: &str, side_path: &str, side: Side, text: Arc<str>) -> FileModel {
    FileModel {
        path: path.to_string(),
        side_path: side_path.to_string(),
        side,
        lines: LineIndex::new(&text),
        text,
        declarations: Default::default(),
        syntax_errors: Vec::new(),
    } // SKELETON
}
