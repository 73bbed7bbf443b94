//! One analysis run: parsed files of both sides in, drift points out.
//!
//! This is the engine's entry point for the CLI, the language server and tests alike.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::cascade::Consumers;
use crate::drift::{self, DriftPoint, ShapeBase};
use crate::model::{FileModel, Side};
use crate::state::check::StatefulCheck;
use crate::state::StateError;
use crate::syntax;
use crate::workspace::{SourceFile, Workspace, WorkspaceError};

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
    pub files: BTreeMap<String, Arc<FileModel>>,
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
    let mut files = BTreeMap::new();
    for f in input.spec.iter().chain(input.implementation.iter()) {
        files.insert(f.path.clone(), f.clone());
    }
    Analysis {
        points: comparison.points,
        moves: comparison.moves,
        spec_files: input.spec.len(),
        spec_types: input.spec.iter().map(|f| f.declarations.len()).sum(),
        files,
    }
}

/// Reads and parses every source file of the workspace in parallel (each file once).
/// `on_parsed` is called once per file (for progress bars).
pub fn load_models(
    files: &[SourceFile],
    on_parsed: &(dyn Fn() + Sync),
) -> Result<Vec<Arc<FileModel>>, WorkspaceError> {
    files
        .par_iter()
        .map(|f| {
            let text = f.read()?;
            let model = parse_file(&f.rel_path, &f.side_path, f.side, text.into());
            on_parsed();
            Ok(Arc::new(model))
        })
        .collect()
}

/// Loads the workspace's files and compares them: what `moment-sync check` does.
pub fn check_workspace(
    ws: &Workspace,
    on_parsed: &(dyn Fn() + Sync),
) -> Result<Analysis, WorkspaceError> {
    let files = ws.source_files()?;
    let mut models = load_models(&files, on_parsed)?;
    let spec = moment_spec_side(ws)?;
    if let Some((_, spec_models)) = &spec {
        models.extend(spec_models.iter().cloned());
    }
    let mut analysis = analyze_models(ws, models);
    if let Some((loaded, _)) = &spec {
        locate_in_spec(ws, loaded, &mut analysis);
    }
    Ok(analysis)
}

/// A loaded `.moment` spec and its emitted files as spec-side models.
pub type MomentSpecSide = (crate::moment::LoadedSpec, Vec<Arc<FileModel>>);

/// The spec side projected from the workspace's `.moment` spec (`None` when it has none).
pub fn moment_spec_side(ws: &Workspace) -> Result<Option<MomentSpecSide>, WorkspaceError> {
    Ok(ws.load_spec()?.map(|loaded| {
        let models = loaded.spec_models(&ws.generated_dir);
        (loaded, models)
    }))
}

/// With a `.moment` spec and an emitter's output in `generatedDir`: the declarations whose
/// shapes differ between the two (the emitter was not re-run), sorted. Formatting and comments
/// do not count, as in drift.
pub fn stale_generated(
    ws: &Workspace,
    spec: &crate::moment::LoadedSpec,
) -> Result<Vec<String>, WorkspaceError> {
    let files = ws.generated_files()?;
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let on_disk = drift::base::side_shapes(&load_models(&files, &|| {})?);
    let projected = drift::base::side_shapes(&spec.spec_models(&ws.generated_dir));
    let mut names: Vec<String> = projected
        .keys()
        .chain(on_disk.keys())
        .filter(|name| projected.get(*name) != on_disk.get(*name))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// After comparing against a `.moment` spec: spec locations name the `.moment` line, and the
/// `.moment` texts join `analysis.files` so that reports can place them.
pub fn locate_in_spec(ws: &Workspace, spec: &crate::moment::LoadedSpec, analysis: &mut Analysis) {
    spec.relocate(&ws.generated_dir, &mut analysis.points);
    for source in spec.source_models() {
        analysis.files.insert(source.path.clone(), source);
    }
}

/// What `moment-sync check` does once state exists under `.moment/`: unchanged files come from
/// the cache, consumers feed the categories, the base decides directions, and rejected drift
/// points are moved to `suppressed`. Without recorded state it is [`check_workspace`] and
/// writes nothing.
pub fn check_with_state(
    ws: &Workspace,
    on_parsed: &(dyn Fn() + Sync),
) -> Result<StatefulCheck, StateError> {
    crate::state::check::run(ws, crate::state::check::Mode::IfRecorded, on_parsed)
}

/// Compares already parsed files of a workspace.
pub fn analyze_models(ws: &Workspace, models: Vec<Arc<FileModel>>) -> Analysis {
    let (spec, implementation): (Vec<_>, Vec<_>) =
        models.into_iter().partition(|m| m.side == Side::Spec);
    analyze(&AnalysisInput {
        spec,
        implementation,
        consumers: Consumers::Unknown,
        implementation_dir: ws.implementation_dir.clone(),
    })
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

/// `true` when `path` has an extension the engine parses.
pub fn is_typescript(path: &Path) -> bool {
    syntax::Dialect::for_path(path).is_some()
}
