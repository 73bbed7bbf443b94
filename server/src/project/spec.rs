//! The spec side when the workspace has a `.moment` specification (`spec` in
//! `.moment/sync.json`, or `--spec`): its projection stands in for the emitter's output, and
//! drift points on the spec side are located at the `.moment` line.

use std::sync::Arc;

use crate::analysis::Analysis;
use crate::drift;
use crate::model::FileModel;
use crate::workspace::{Workspace, WorkspaceError};

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
    let on_disk = drift::base::side_shapes(&super::load::read_models(&files, &|| {})?);
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
