//! Open documents: a rope per document with an incrementally maintained tree-sitter tree.
//!
//! Every `didChange` is applied change by change to the rope and to the tree (`Tree::edit` with
//! byte offsets), then the tree is re-parsed once, reusing the edited old tree. Mutations happen
//! synchronously inside the notification handler, before any `.await`, so the order of edits is the
//! order the client sent them.

use std::path::{Path, PathBuf};

use dashmap::DashMap;
use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};
use tree_sitter::{InputEdit, Point, Tree};

use super::encoding::{rope_offset, PositionEncoding};
use crate::syntax::Dialect;

/// One open document.
#[derive(Debug)]
pub struct Document {
    pub version: i32,
    pub rope: Rope,
    /// `None` for files the grammar does not cover, or if tree-sitter gave up.
    tree: Option<Tree>,
    dialect: Option<Dialect>,
    /// The file path when the URI is a `file:` URI.
    pub path: Option<PathBuf>,
}

impl Document {
    pub fn new(path: Option<PathBuf>, text: &str, version: i32) -> Document {
        let dialect = path.as_deref().and_then(Dialect::for_path);
        let rope = Rope::from_str(text);
        let tree = dialect.and_then(|d| parse(d, &rope, None));
        Document {
            version,
            rope,
            tree,
            dialect,
            path,
        }
    }

    /// Applies one notification's changes in order and re-parses once.
    pub fn apply_changes(
        &mut self,
        changes: &[TextDocumentContentChangeEvent],
        version: i32,
        enc: PositionEncoding,
    ) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = rope_offset(&self.rope, range.start, enc);
                    let end = rope_offset(&self.rope, range.end, enc).max(start);
                    self.replace(start, end, &change.text);
                }
                None => {
                    // A full replacement shares nothing with the old tree.
                    self.rope = Rope::from_str(&change.text);
                    self.tree = None;
                }
            }
        }
        self.version = version;
        self.reparse();
    }

    /// Replaces the bytes `start..end` (char boundaries) and records the edit on the tree.
    fn replace(&mut self, start: usize, end: usize, new_text: &str) {
        let start_position = point_at(&self.rope, start);
        let old_end_position = point_at(&self.rope, end);
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        let new_end = start + new_text.len();
        if let Some(tree) = self.tree.as_mut() {
            tree.edit(&InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: new_end,
                start_position,
                old_end_position,
                new_end_position: point_at(&self.rope, new_end),
            });
        }
    }

    fn reparse(&mut self) {
        if let Some(dialect) = self.dialect {
            self.tree = parse(dialect, &self.rope, self.tree.as_ref());
        }
    }

    /// Parses from scratch: an incremental tree after erroneous edits can differ from a fresh
    /// parse, so a saved document with errors gets a clean tree.
    pub fn reparse_fresh_if_erroneous(&mut self) {
        let erroneous = self
            .tree
            .as_ref()
            .is_some_and(|t| t.root_node().has_error());
        if let (true, Some(dialect)) = (erroneous, self.dialect) {
            self.tree = parse(dialect, &self.rope, None);
        }
    }

    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref()
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }
}

/// A tree-sitter point for a byte offset. Rows follow the rope's lines; tree-sitter counts only
/// `\n`, so for lone-`\r` documents the points drift, which is harmless: we never read `Point`s
/// (every conversion goes through bytes) and tree reuse is decided on bytes.
fn point_at(rope: &Rope, byte: usize) -> Point {
    let line = rope.byte_to_line(byte);
    Point {
        row: line,
        column: byte - rope.line_to_byte(line),
    }
}

/// Parses the rope (reading its chunks, no copy), reusing `old` when given. `None` when the parse
/// was abandoned at the step bound (some ambiguous garbage sends tree-sitter's error recovery
/// into minutes of work): the document then has no tree, and the analysis parses its text
/// (bounded too, and reported).
pub fn parse(dialect: Dialect, rope: &Rope, old: Option<&Tree>) -> Option<Tree> {
    let len = rope.len_bytes();
    let mut read = |byte: usize| -> &[u8] {
        if byte >= len {
            return &[];
        }
        let (chunk, chunk_start, _, _) = rope.chunk_at_byte(byte);
        &chunk.as_bytes()[byte - chunk_start..]
    };
    crate::syntax::parse_chunks(dialect, len, &mut read, old)
}

/// The open documents, by URI. Guards are never held across `.await`.
#[derive(Debug, Default)]
pub struct DocumentStore {
    docs: DashMap<Uri, Document>,
}

/// What the analysis needs of an open document.
#[derive(Debug, Clone)]
pub struct DocumentSnapshot {
    pub uri: Uri,
    pub path: PathBuf,
    pub version: i32,
}

impl DocumentStore {
    pub fn open(&self, uri: Uri, text: &str, version: i32) {
        let path = file_path(&uri);
        self.docs.insert(uri, Document::new(path, text, version));
    }

    /// Applies a `didChange`; `false` when the document is not open.
    pub fn change(
        &self,
        uri: &Uri,
        changes: &[TextDocumentContentChangeEvent],
        version: i32,
        enc: PositionEncoding,
    ) -> bool {
        match self.docs.get_mut(uri) {
            Some(mut doc) => {
                doc.apply_changes(changes, version, enc);
                true
            }
            None => false,
        }
    }

    pub fn close(&self, uri: &Uri) -> Option<Document> {
        self.docs.remove(uri).map(|(_, doc)| doc)
    }

    pub fn saved(&self, uri: &Uri) {
        if let Some(mut doc) = self.docs.get_mut(uri) {
            doc.reparse_fresh_if_erroneous();
        }
    }

    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.docs.get(uri).map(|d| d.version)
    }

    /// The open documents backed by files.
    pub fn list(&self) -> Vec<DocumentSnapshot> {
        self.docs
            .iter()
            .filter_map(|e| {
                let path = e.value().path.clone()?;
                Some(DocumentSnapshot {
                    uri: e.key().clone(),
                    path,
                    version: e.value().version,
                })
            })
            .collect()
    }

    /// The text and tree of an open document at a version, if it is still at that version
    /// (trees are reference-counted: the clone is cheap).
    pub fn text_at(&self, uri: &Uri, version: i32) -> Option<(String, Option<Tree>)> {
        self.docs
            .get(uri)
            .filter(|d| d.version == version)
            .map(|d| (d.text(), d.tree.clone()))
    }
}

/// The file path of a `file:` URI.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
    if !is_file {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

/// The URI of a file path.
pub fn file_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

#[cfg(test)]
#[path = "documents_tests.rs"]
mod tests;
