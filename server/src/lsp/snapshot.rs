//! One analysis of the whole workspace, with open documents overriding the disk, and the
//! document versions it saw (so results for older versions are never shown).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use super::documents::{file_uri, DocumentStore};
use super::index::Index;
use crate::analysis::{analyze_with_base, parse_file, Analysis, AnalysisInput};
use crate::cascade::Consumers;
use crate::drift::{DriftKind, DriftPoint};
use crate::model::{FileModel, Side};
use crate::state::StateView;
use crate::syntax::extract_file;
use crate::workspace::Config;

/// An open document as the analysis saw it.
#[derive(Debug, Clone)]
pub struct OpenFile {
    pub rel_path: String,
    pub side: Side,
    pub version: i32,
}

#[derive(Debug, Default)]
pub struct Snapshot {
    /// Increases with every analysis.
    pub generation: u64,
    pub analysis: Analysis,
    pub config: Config,
    pub root: Option<PathBuf>,
    /// The recorded reconciliation state the analysis used (`None` before any is recorded).
    pub state: Option<Arc<StateView>>,
    /// Open documents of either side, by URI.
    pub open: HashMap<Uri, OpenFile>,
    /// Every open document's version at analysis time, also those of no side.
    pub seen: HashMap<Uri, i32>,
    by_path: HashMap<String, Uri>,
    /// The `.moment` spec and open `.moment` documents (see `lsp::moment`).
    pub moment: super::moment::MomentSide,
}

/// Parsed open documents by URI and version: a document is re-parsed only when it changed.
pub type ModelCache = HashMap<Uri, (i32, Arc<FileModel>)>;

impl Snapshot {
    /// Analyses the index with the open documents laid over it.
    pub fn build(
        generation: u64,
        index: Option<&Index>,
        config: Config,
        state: Option<Arc<StateView>>,
        docs: &DocumentStore,
        cache: &mut ModelCache,
    ) -> Snapshot {
        let mut snap = Snapshot {
            generation,
            config,
            state,
            ..Default::default()
        };
        let listed = docs.list();
        snap.seen = listed.iter().map(|d| (d.uri.clone(), d.version)).collect();
        cache.retain(|uri, _| snap.seen.contains_key(uri));
        let Some(index) = index else { return snap };
        snap.root = Some(index.root().to_path_buf());
        let moment = super::moment::MomentSide::load(index, docs, &listed);
        let mut overrides: HashMap<String, Arc<FileModel>> = HashMap::new();
        for doc in listed {
            let Some(file) = index.classify(&doc.path) else {
                continue;
            };
            let model = match cache.get(&doc.uri) {
                Some((version, model)) if *version == doc.version => model.clone(),
                _ => {
                    // The document may have changed since it was listed; then a newer analysis
                    // is already scheduled and this one simply skips it.
                    let Some((text, tree)) = docs.text_at(&doc.uri, doc.version) else {
                        continue;
                    };
                    // The document's incremental tree saves a full parse per keystroke.
                    let (path, side_path) = (&file.rel_path, &file.side_path);
                    let model = Arc::new(match tree {
                        Some(tree) => extract_file(path, side_path, file.side, text.into(), &tree),
                        None => parse_file(path, side_path, file.side, text.into()),
                    });
                    cache.insert(doc.uri.clone(), (doc.version, model.clone()));
                    model
                }
            };
            snap.by_path.insert(file.rel_path.clone(), doc.uri.clone());
            snap.open.insert(
                doc.uri,
                OpenFile {
                    rel_path: file.rel_path.clone(),
                    side: file.side,
                    version: doc.version,
                },
            );
            overrides.insert(file.rel_path, model);
        }
        let mut input = AnalysisInput {
            consumers: Consumers::Unknown,
            implementation_dir: index.ws.implementation_dir.clone(),
            ..Default::default()
        };
        let disk = index.models().filter(|m| !overrides.contains_key(&m.path));
        for model in disk.chain(overrides.values()) {
            match model.side {
                Side::Spec => input.spec.push(model.clone()),
                Side::Implementation => input.implementation.push(model.clone()),
            }
        }
        input
            .spec
            .extend(moment.spec_models(&index.ws.generated_dir));
        // The engine's output must not depend on hash-map order.
        input.spec.sort_by(|a, b| a.path.cmp(&b.path));
        input.implementation.sort_by(|a, b| a.path.cmp(&b.path));
        match snap.state.clone() {
            // Consumer-aware categories, three-way direction, rejected points hidden.
            Some(view) => {
                input.consumers = view.consumers();
                snap.analysis = analyze_with_base(&input, view.base());
                view.suppress(&mut snap.analysis);
            }
            None => snap.analysis = analyze_with_base(&input, None),
        }
        moment.finish(
            &index.ws.generated_dir,
            &mut snap.analysis,
            &mut snap.open,
            &mut snap.by_path,
        );
        snap.moment = moment;
        snap
    }

    /// `true` when this analysis saw the document at `version`.
    pub fn covers(&self, uri: &Uri, version: i32) -> bool {
        self.seen.get(uri) == Some(&version)
    }

    /// The URI of a root-relative path: the open document's own URI when open.
    pub fn uri_of(&self, rel_path: &str) -> Option<Uri> {
        if let Some(uri) = self.by_path.get(rel_path) {
            return Some(uri.clone());
        }
        file_uri(&self.root.as_ref()?.join(rel_path))
    }

    /// The version of an open document, as analysed.
    pub fn version_of(&self, rel_path: &str) -> Option<i32> {
        self.by_path
            .get(rel_path)
            .and_then(|uri| self.open.get(uri))
            .map(|f| f.version)
    }

    pub fn model(&self, rel_path: &str) -> Option<&Arc<FileModel>> {
        self.analysis.file(rel_path)
    }

    /// The drift points shown in a file: located in it on the implementation side, or — for a
    /// spec file — spec items the implementation lacks.
    pub fn points_in<'a>(
        &'a self,
        rel_path: &'a str,
        side: Side,
    ) -> impl Iterator<Item = &'a DriftPoint> + 'a {
        self.analysis
            .points
            .iter()
            .filter(move |p| shown_in(p, rel_path, side))
    }

    /// Root-relative paths of every file that shows at least one drift point, with its side.
    pub fn files_with_points(&self) -> Vec<(String, Side)> {
        let mut files: Vec<(String, Side)> = Vec::new();
        for p in &self.analysis.points {
            if let Some(i) = &p.implementation {
                files.push((i.path.clone(), Side::Implementation));
            }
            if let Some(s) = p.spec.as_ref().filter(|_| lacks_in_implementation(p)) {
                files.push((s.path.clone(), Side::Spec));
            }
        }
        files.sort();
        files.dedup();
        files
    }
}

/// Where a point is shown (see [`Snapshot::points_in`]).
pub fn shown_in(p: &DriftPoint, rel_path: &str, side: Side) -> bool {
    match side {
        Side::Implementation => p
            .implementation
            .as_ref()
            .is_some_and(|l| l.path == rel_path),
        Side::Spec => {
            lacks_in_implementation(p) && p.spec.as_ref().is_some_and(|l| l.path == rel_path)
        }
    }
}

/// A spec item the implementation does not have.
fn lacks_in_implementation(p: &DriftPoint) -> bool {
    p.implementation.is_none()
        || matches!(p.kind, DriftKind::MissingType | DriftKind::MissingMember)
}
