//! One analysis: parsed files of both sides in, drift points out. Pure: no file system, no
//! state, no clock — the `project` layer loads files and state and calls this; tests and
//! snapshots call it on in-memory texts.

use std::sync::Arc;

use rayon::prelude::*;

use crate::cascade::Consumers;
use crate::drift::{self, ShapeBase};
use crate::model::{DriftPoint, FileMap, FileModel, Side};
use crate::syntax;

/// What the engine compares.
#[derive(Debug, Clone, Default)]
pub struct AnalysisInput {
    pub spec: Vec<Arc<FileModel>>,
    pub implementation: Vec<Arc<FileModel>>,
    /// Which files consume each spec type; `Consumers::Unknown` when not detected.
    pub consumers: Consumers,
    /// Root-relative implementation folder: where a missing type's new file goes.
    pub implementation_dir: String,
}

/// The result of comparing the two sides.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Sorted by (implementation path or spec path, position, kind).
    pub points: Vec<DriftPoint>,
    pub spec_files: usize,
    pub spec_types: usize,
    /// Every file compared, by root-relative path.
    pub files: FileMap,
    /// Types found at another implementation path than their spec file's (information only).
    pub moves: Vec<drift::Move>,
}

impl Analysis {
    pub fn file(&self, path: &str) -> Option<&Arc<FileModel>> {
        self.files.get(path)
    }
}

/// Parses one file's text into its model (tree-sitter, then extraction).
pub fn parse_file(path: &str, side_path: &str, side: Side, text: Arc<str>) -> FileModel {
    syntax::parse_file(path, side_path, side, text)
}

/// Compares the two sides.
pub fn analyze(input: &AnalysisInput) -> Analysis {
    analyze_with_base(input, None)
}

/// Compares the two sides; with a recorded base, directions are decided three-way
/// (drift-model §5).
pub fn analyze_with_base(input: &AnalysisInput, base: Option<&ShapeBase>) -> Analysis {
    let comparison = drift::compare_with_base(
        &input.spec,
        &input.implementation,
        &input.consumers,
        base,
        &input.implementation_dir,
    );
    let files = input
        .spec
        .iter()
        .chain(input.implementation.iter())
        .map(|f| (f.path.clone(), f.clone()))
        .collect();
    Analysis {
        points: comparison.points,
        moves: comparison.moves,
        spec_files: input.spec.len(),
        spec_types: input.spec.iter().map(|f| f.declarations.len()).sum(),
        files,
    }
}

/// Compares two in-memory sets of files (root-relative path, side-relative path, text): handy for
/// snapshots and tests that never touch the disk.
pub fn analyze_texts(
    spec: &[(String, String, String)],
    implementation: &[(String, String, String)],
) -> Analysis {
    let parse = |side: Side, files: &[(String, String, String)]| -> Vec<Arc<FileModel>> {
        files
            .par_iter()
            .map(|(path, side_path, text)| {
                Arc::new(parse_file(path, side_path, side, Arc::from(text.as_str())))
            })
            .collect()
    };
    analyze(&AnalysisInput {
        spec: parse(Side::Spec, spec),
        implementation: parse(Side::Implementation, implementation),
        consumers: Consumers::Unknown,
        implementation_dir: implementation
            .first()
            .and_then(|(path, side_path, _)| path.strip_suffix(side_path.as_str()))
            .map(|dir| dir.trim_end_matches('/').to_string())
            .unwrap_or_else(|| "src/domain".to_string()),
    })
}
