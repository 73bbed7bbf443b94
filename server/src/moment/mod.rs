//! `.moment` specs read directly: the spec side without the Node emitter.
//!
//! `lexer` (logos) → `parser` (error-tolerant recursive descent into `ast`, byte ranges
//! everywhere) → `project` (files merged by context) → `emit` (the TypeScript the upstream
//! emitter writes, with a source map) → [`LoadedSpec::spec_models`] (that TypeScript through the
//! same extraction as any spec file, so `check --spec` and `check` against `emit`'s output
//! compare exactly the same declarations) → [`LoadedSpec::relocate`] (drift points then name the
//! `.moment` line). See `docs/MOMENT.md`.

pub mod ast;
pub mod emit;
pub mod lexer;
pub mod parser;
pub mod project;
pub mod query;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use emit::EmittedFile;
pub use parser::parse;
pub use project::{SourceFile, SourceRange, Spec};

use crate::drift::DriftPoint;
use crate::model::{FileModel, Side};
use crate::text::{ColumnUnit, LineIndex};

/// The extension of spec files.
pub const EXTENSION: &str = "moment";

/// Problems with the spec a user can cause; each names the file (and line and column).
#[derive(Debug, thiserror::Error)]
pub enum MomentError {
    #[error("spec `{}` does not exist", path.display())]
    Missing { path: PathBuf },
    #[error("spec folder `{}` holds no .moment file", path.display())]
    Empty { path: PathBuf },
    #[error("cannot read `{}`: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{}` is not valid UTF-8 (first bad byte at offset {offset})", path.display())]
    NotUtf8 { path: PathBuf, offset: usize },
    /// Syntax or projection errors: nothing is compared against a spec that does not parse.
    #[error("the spec has {} error(s):\n{}", problems.len(), problems.join("\n"))]
    Invalid { problems: Vec<String> },
}

/// A problem in a `.moment` file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: SourceRange,
    pub message: String,
}

/// A spec read from disk (or from editor buffers) and projected to TypeScript.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    pub spec: Spec,
    pub emitted: Vec<EmittedFile>,
    /// Syntax errors, then projection errors (two declarations emitting the same file).
    pub problems: Vec<Problem>,
}

impl LoadedSpec {
    /// Reads `spec` (a `.moment` file, or a folder searched recursively for them, in path
    /// order), relative to `root`.
    pub fn read(root: &Path, spec: &str) -> Result<LoadedSpec, MomentError> {
        LoadedSpec::read_with(root, spec, &std::collections::HashMap::new())
    }

    /// [`LoadedSpec::read`] with some files' texts given (an editor's unsaved buffers), by
    /// root-relative path.
    pub fn read_with(
        root: &Path,
        spec: &str,
        overrides: &std::collections::HashMap<String, String>,
    ) -> Result<LoadedSpec, MomentError> {
        let mut texts = Vec::new();
        for (rel, path) in spec_files(root, spec)? {
            let text = match overrides.get(&rel) {
                Some(text) => text.clone(),
                None => read_text(&path)?,
            };
            texts.push((rel, text));
        }
        Ok(LoadedSpec::from_texts(texts))
    }

    /// Parses and projects in-memory files (root-relative path, text), in the given order.
    pub fn from_texts(files: Vec<(String, String)>) -> LoadedSpec {
        let sources: Vec<SourceFile> = files
            .into_iter()
            .map(|(path, text)| SourceFile {
                parsed: parser::parse(&text),
                path,
                text: text.into(),
            })
            .collect();
        let spec = Spec::merge(sources);
        let emitted = emit::emit(&spec);
        let mut problems: Vec<Problem> = spec
            .syntax_errors()
            .map(|(file, e)| Problem {
                at: SourceRange { file, span: e.span },
                message: e.message.clone(),
            })
            .collect();
        problems.extend(duplicate_outputs(&spec, &emitted));
        LoadedSpec {
            spec,
            emitted,
            problems,
        }
    }

    /// `path:line:column: message` for every problem (columns in characters, 1-based).
    pub fn describe_problems(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| {
                let source = &self.spec.sources[p.at.file];
                let lines = LineIndex::new(&source.text);
                let lc = lines.position(&source.text, p.at.span.start, ColumnUnit::Char);
                format!(
                    "{}:{}:{}: {}",
                    source.path,
                    lc.line + 1,
                    lc.col + 1,
                    p.message
                )
            })
            .collect()
    }

    /// Fails when the spec has problems: what the command line compares must be the whole spec.
    pub fn require_valid(self) -> Result<LoadedSpec, MomentError> {
        if self.problems.is_empty() {
            Ok(self)
        } else {
            Err(MomentError::Invalid {
                problems: self.describe_problems(),
            })
        }
    }

    /// The emitted files as spec-side models, at `<generated_dir>/<path below src/>`: the paths
    /// (and so the drift ids) they would have if the emitter had written them there.
    pub fn spec_models(&self, generated_dir: &str) -> Vec<Arc<FileModel>> {
        self.emitted
            .iter()
            .map(|f| {
                let side_path = f.side_path();
                let path = crate::workspace::join_rel(generated_dir, side_path);
                Arc::new(crate::syntax::parse_file(
                    &path,
                    side_path,
                    Side::Spec,
                    Arc::from(f.text.as_str()),
                ))
            })
            .collect()
    }

    /// The `.moment` files as text-only models (no declarations), so that reports and editors can
    /// turn their byte ranges into lines and columns.
    pub fn source_models(&self) -> Vec<Arc<FileModel>> {
        self.spec
            .sources
            .iter()
            .map(|s| {
                Arc::new(FileModel {
                    path: s.path.clone(),
                    side_path: s.path.clone(),
                    side: Side::Spec,
                    lines: LineIndex::new(&s.text),
                    text: s.text.clone(),
                    declarations: Default::default(),
                    syntax_errors: Vec::new(),
                })
            })
            .collect()
    }

    /// Points the spec location of every drift point at the `.moment` declaration or field it
    /// came from (ids, computed before, stay those of the emitted paths).
    pub fn relocate(&self, generated_dir: &str, points: &mut [DriftPoint]) {
        for p in points {
            let Some(loc) = p.spec.as_mut() else { continue };
            let Some(origin) = self.origin_of(generated_dir, &loc.path, loc.span.start) else {
                continue;
            };
            loc.path = self.spec.sources[origin.file].path.clone();
            loc.span = origin.span;
        }
    }

    /// The `.moment` range behind an offset of an emitted file (by its spec-side path).
    pub fn origin_of(&self, generated_dir: &str, path: &str, offset: usize) -> Option<SourceRange> {
        self.emitted
            .iter()
            .find(|f| crate::workspace::join_rel(generated_dir, f.side_path()) == path)?
            .origin(offset)
    }
}

/// The spec's files, sorted: (root-relative path, absolute path).
pub fn spec_files(root: &Path, spec: &str) -> Result<Vec<(String, PathBuf)>, MomentError> {
    let abs = root.join(spec);
    if !abs.exists() {
        return Err(MomentError::Missing { path: abs });
    }
    let mut paths = Vec::new();
    if abs.is_dir() {
        collect(&abs, &mut paths)?;
        if paths.is_empty() {
            return Err(MomentError::Empty { path: abs });
        }
    } else {
        paths.push(abs);
    }
    paths.sort();
    Ok(paths
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            (rel, path)
        })
        .collect())
}

/// Two declarations that emit the same file (e.g. `Order` twice in one context, or contexts
/// whose folder names collide) would overwrite each other: an error naming both.
fn duplicate_outputs(spec: &Spec, emitted: &[EmittedFile]) -> Vec<Problem> {
    let mut seen: std::collections::HashMap<&str, usize> = Default::default();
    let mut problems = Vec::new();
    for (i, f) in emitted.iter().enumerate() {
        if let Some(&first) = seen.get(f.path.as_str()) {
            let here = f.map.last().map(|(_, s)| *s);
            let there = emitted[first].map.last().map(|(_, s)| *s);
            if let (Some(here), Some(there)) = (here, there) {
                let src = &spec.sources[there.file];
                let lc = LineIndex::new(&src.text).position(
                    &src.text,
                    there.span.start,
                    ColumnUnit::Char,
                );
                problems.push(Problem {
                    at: here,
                    message: format!(
                        "this emits `{}`, which {}:{}:{} emits already",
                        f.path,
                        src.path,
                        lc.line + 1,
                        lc.col + 1
                    ),
                });
            }
        } else {
            seen.insert(f.path.as_str(), i);
        }
    }
    problems
}

/// Every `.moment` file below `dir` (hidden folders and `node_modules` skipped, symlinks not
/// followed).
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), MomentError> {
    let entries = std::fs::read_dir(dir).map_err(|source| MomentError::Unreadable {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| MomentError::Unreadable {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !name.starts_with('.') && name != "node_modules" {
                collect(&path, out)?;
            }
        } else if kind.is_file() && path.extension().is_some_and(|e| e == EXTENSION) {
            out.push(path);
        }
    }
    Ok(())
}

fn read_text(path: &Path) -> Result<String, MomentError> {
    let bytes = std::fs::read(path).map_err(|source| MomentError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| MomentError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}
