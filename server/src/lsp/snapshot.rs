//! One analysis of the whole workspace, with open documents overriding the disk, and the
//! document versions it saw (so results for older versions are never shown).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use super::documents::{file_uri, DocumentStore};
use super::index::Index;
use crate::analysis::{parse_file, Analysis, AnalysisInput};
use crate::cascade::Consumers;
use crate::model::{DriftKind, DriftPoint, FileModel, Side};
use crate::project::incremental::{Incremental, Update};
use crate::project::StateView;
use crate::syntax::{extract_file_reusing, StatementMemo};
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
    /// The workspace analysed (`None` without one).
    pub ws: Option<crate::workspace::Workspace>,
    /// Open TypeScript documents inside the root of neither side (consumers), by root-relative
    /// path: a rename's quick fix edits them as the editor holds them.
    pub outside_open: HashMap<String, OutsideFile>,
}

/// An open document outside both sides, as the analysis saw it.
#[derive(Debug, Clone)]
pub struct OutsideFile {
    pub uri: Uri,
    pub version: i32,
    pub text: Arc<str>,
}

/// Parsed open documents by URI: a document is re-extracted only when its version changed, and
/// then only the statements whose text changed (the memo of its latest extraction).
pub type ModelCache = HashMap<Uri, CachedModel>;

#[derive(Debug)]
pub struct CachedModel {
    version: i32,
    model: Arc<FileModel>,
    memo: StatementMemo,
}

/// The analysis kept between snapshots: an edit re-compares only what it can influence
/// (`project::incremental`). Valid for one state view and one workspace.
#[derive(Debug)]
pub struct Tracked {
    state: Option<Arc<StateView>>,
    root: PathBuf,
    implementation_dir: String,
    inc: Incremental,
    /// The index revision and the models laid over it (open documents, projected `.moment`
    /// spec) that `inc` saw: while the revision stays, only the overlay is compared, so a
    /// keystroke costs the same in a 500-file and an 8,000-file workspace.
    revision: u64,
    overlay: HashMap<String, Arc<FileModel>>,
}

impl Tracked {
    fn fits(&self, state: &Option<Arc<StateView>>, root: &std::path::Path, dir: &str) -> bool {
        let same_state = match (&self.state, state) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_state && self.root == root && self.implementation_dir == dir
    }
}

impl Snapshot {
    /// Analyses the index with the open documents laid over it.
    pub fn build(
        generation: u64,
        index: Option<&Index>,
        config: Config,
        state: Option<Arc<StateView>>,
        docs: &DocumentStore,
        cache: &mut ModelCache,
        tracked: &mut Option<Tracked>,
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
                if let Some(outside) = outside_file(index, docs, &doc) {
                    snap.outside_open.insert(outside.0, outside.1);
                }
                continue;
            };
            let model = match cache.get_mut(&doc.uri) {
                Some(c) if c.version == doc.version => c.model.clone(),
                cached => {
                    // The document may have changed since it was listed; then a newer analysis
                    // is already scheduled and this one simply skips it.
                    let Some((text, tree)) = docs.text_at(&doc.uri, doc.version) else {
                        continue;
                    };
                    let mut memo = cached
                        .map(|c| std::mem::take(&mut c.memo))
                        .unwrap_or_default();
                    // The document's incremental tree saves a full parse per keystroke, and the
                    // memo the walks of its unchanged statements.
                    let (path, side_path) = (&file.rel_path, &file.side_path);
                    let model = Arc::new(match tree {
                        Some(tree) => extract_file_reusing(
                            path,
                            side_path,
                            file.side,
                            text.into(),
                            &tree,
                            &mut memo,
                        ),
                        None => parse_file(path, side_path, file.side, text.into()),
                    });
                    cache.insert(
                        doc.uri.clone(),
                        CachedModel {
                            version: doc.version,
                            model: model.clone(),
                            memo,
                        },
                    );
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
        // With a `.moment` spec, its projection is (part of) the spec side; it wins over a
        // disk or open file of the same path, as it did when listed last.
        let mut overlay = overrides;
        for model in moment.spec_models(&index.ws.generated_dir) {
            overlay.insert(model.path.clone(), model);
        }
        let dir = &index.ws.implementation_dir;
        let update = match tracked {
            Some(t) if t.fits(&snap.state, index.root(), dir) => {
                let update = if t.revision == index.revision() {
                    let (changed, removed) = overlay_changes(&t.overlay, &overlay, index);
                    t.inc.apply(changed, removed)
                } else {
                    t.inc.update(current_files(index, &overlay))
                };
                t.revision = index.revision();
                t.overlay = overlay;
                update
            }
            _ => {
                let mut input = AnalysisInput {
                    // Consumer-aware categories (detected with or without recorded state).
                    consumers: snap
                        .state
                        .as_ref()
                        .map_or(Consumers::Unknown, |v| v.consumers()),
                    implementation_dir: dir.clone(),
                    ..Default::default()
                };
                for model in current_files(index, &overlay) {
                    match model.side {
                        Side::Spec => input.spec.push(model.clone()),
                        Side::Implementation => input.implementation.push(model.clone()),
                    }
                }
                // The engine's output must not depend on hash-map order.
                input.spec.sort_by(|a, b| a.path.cmp(&b.path));
                input.implementation.sort_by(|a, b| a.path.cmp(&b.path));
                let base = snap.state.as_ref().and_then(|v| v.base()).cloned();
                *tracked = Some(Tracked {
                    state: snap.state.clone(),
                    root: index.root().to_path_buf(),
                    implementation_dir: dir.clone(),
                    inc: Incremental::new(input, base),
                    revision: index.revision(),
                    overlay,
                });
                Update::Full
            }
        };
        tracing::trace!("analysis {generation}: {update:?}");
        if let Some(t) = tracked {
            snap.analysis = t.inc.analysis().clone();
        }
        // Three-way direction came with the base; rejected points are hidden.
        if let Some(view) = &snap.state {
            view.suppress(&mut snap.analysis);
        }
        moment.finish(
            &index.ws.generated_dir,
            &mut snap.analysis,
            &mut snap.open,
            &mut snap.by_path,
        );
        snap.moment = moment;
        snap.ws = Some(index.ws.clone());
        snap
    }

    /// The files outside the implementation side that mention one of `names` (open documents as
    /// the editor holds them, the rest from disk): where a rename's uses may also be.
    /// The workspace tsconfig's `paths` and `baseUrl` (none without a workspace).
    pub fn path_map(&self) -> crate::fix::PathMap {
        self.ws
            .as_ref()
            .map(crate::project::load::path_map)
            .unwrap_or_default()
    }

    pub fn outside_files(
        &self,
        names: &std::collections::BTreeSet<String>,
    ) -> Vec<(String, Arc<str>)> {
        let Some(ws) = &self.ws else {
            return Vec::new();
        };
        let is_side = |rel: &str| self.analysis.files.contains_key(rel);
        let open = |rel: &str| self.outside_open.get(rel).map(|o| o.text.clone());
        crate::project::load::outside_texts(ws, &is_side, names, &open).unwrap_or_default()
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
        if let Some(o) = self.outside_open.get(rel_path) {
            return Some(o.uri.clone());
        }
        file_uri(&self.root.as_ref()?.join(rel_path))
    }

    /// The version of an open document, as analysed.
    pub fn version_of(&self, rel_path: &str) -> Option<i32> {
        self.by_path
            .get(rel_path)
            .and_then(|uri| self.open.get(uri))
            .map(|f| f.version)
            .or_else(|| self.outside_open.get(rel_path).map(|o| o.version))
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

/// Every input file: the disk models, each replaced by the overlay's model of its path, and the
/// overlay's other models.
fn current_files<'a>(
    index: &'a Index,
    overlay: &'a HashMap<String, Arc<FileModel>>,
) -> impl Iterator<Item = &'a Arc<FileModel>> + 'a {
    index
        .models()
        .filter(|m| !overlay.contains_key(&m.path))
        .chain(overlay.values())
}

/// An open TypeScript document inside the root that belongs to neither side, with its text.
fn outside_file(
    index: &Index,
    docs: &DocumentStore,
    doc: &super::documents::DocumentSnapshot,
) -> Option<(String, OutsideFile)> {
    if !crate::syntax::is_typescript(&doc.path) {
        return None;
    }
    let rel = doc.path.strip_prefix(index.root()).ok()?;
    let rel = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let (text, _) = docs.text_at(&doc.uri, doc.version)?;
    Some((
        rel,
        OutsideFile {
            uri: doc.uri.clone(),
            version: doc.version,
            text: text.into(),
        },
    ))
}

/// What changed between two overlays of the same index revision: models that are new or not
/// the same `Arc`, and paths no longer laid over (back to their disk model, or gone).
fn overlay_changes(
    before: &HashMap<String, Arc<FileModel>>,
    now: &HashMap<String, Arc<FileModel>>,
    index: &Index,
) -> (Vec<Arc<FileModel>>, Vec<String>) {
    let mut changed: Vec<Arc<FileModel>> = now
        .iter()
        .filter(|(path, m)| before.get(*path).is_none_or(|old| !Arc::ptr_eq(old, m)))
        .map(|(_, m)| m.clone())
        .collect();
    let mut removed = Vec::new();
    for path in before.keys().filter(|p| !now.contains_key(*p)) {
        match index.model(path) {
            Some(disk) => changed.push(disk.clone()),
            None => removed.push(path.clone()),
        }
    }
    // Deterministic order (the comparison itself does not depend on it).
    changed.sort_by(|a, b| a.path.cmp(&b.path));
    removed.sort();
    (changed, removed)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Workspace;

    fn write(root: &std::path::Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn ids(snap: &Snapshot) -> Vec<String> {
        snap.analysis
            .points
            .iter()
            .map(|p| p.id.to_string())
            .collect()
    }

    /// The keystroke path compares only the overlay while the index stays: each step must
    /// give what a fresh analysis of the same documents gives, also when a document closes
    /// (back to its disk model) or a document with no file on disk closes (gone).
    #[test]
    fn the_overlay_path_equals_a_fresh_analysis() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let agree = "export interface A { readonly x: number }\n";
        write(root, "generated/a.types.ts", agree);
        write(root, "src/domain/a.types.ts", agree);
        let ws = Workspace::open(root, &Config::default()).unwrap();
        let config = ws.config.clone();
        let index = Index::load(ws, &|_, _| ()).unwrap();
        let docs = DocumentStore::default();
        let (mut cache, mut tracked) = (ModelCache::default(), None);
        let mut step = |generation: u64| {
            let kept = Snapshot::build(
                generation,
                Some(&index),
                config.clone(),
                None,
                &docs,
                &mut cache,
                &mut tracked,
            );
            let fresh = Snapshot::build(
                generation,
                Some(&index),
                config.clone(),
                None,
                &docs,
                &mut ModelCache::default(),
                &mut None,
            );
            assert_eq!(ids(&kept), ids(&fresh), "step {generation}");
            ids(&kept).len()
        };
        assert_eq!(step(1), 0);
        let a = file_uri(&root.join("src/domain/a.types.ts")).unwrap();
        docs.open(a.clone(), "export interface A { readonly x: string }\n", 1);
        assert_eq!(step(2), 1, "the open document's drift");
        let b = file_uri(&root.join("src/domain/b.types.ts")).unwrap();
        docs.open(b.clone(), "export interface A { readonly x: number }\n", 1);
        step(3);
        docs.close(&a);
        step(4);
        docs.close(&b);
        assert_eq!(step(5), 0, "both closed: the disk agrees again");
    }
}
