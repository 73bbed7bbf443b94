//! Loading a workspace for the project check: every source file of both sides and every
//! consumer candidate is read once (or taken from the caller's overlay of unsaved buffers),
//! hashed, and turned into a model and/or consumer references — from the cache when the text
//! is unchanged, else with one tree-sitter parse serving both.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::consumers::{self, ConsumerIndex, FileRefs};
use crate::model::{Declaration, FileModel, Side, SyntaxError};
use crate::state::{Cache, Fingerprints};
use crate::support::digest::content_hash;
use crate::syntax::{self, Dialect};
use crate::text::LineIndex;
use crate::workspace::{SourceFile, Workspace, WorkspaceError};

/// Cache namespaces.
const MODELS: &str = "model";
const REFS: &str = "refs";

/// The sources of everything the cache stores: their paths (below `server/src/`) and texts.
macro_rules! format_sources {
    ($($path:literal),* $(,)?) => {
        (&[$($path),*], &[$(include_str!(concat!("../", $path))),*])
    };
}

/// Paths and texts of the code that defines or computes cached values (a test checks that no
/// file of `model/`, `syntax/` or `consumers/` is missing).
const FORMAT_SOURCES: (&[&str], &[&str]) = format_sources!(
    "model/mod.rs",
    "model/files.rs",
    "model/point.rs",
    "syntax/mod.rs",
    "syntax/extract.rs",
    "syntax/normalize.rs",
    "syntax/doc.rs",
    "syntax/depth.rs",
    "syntax/repair.rs",
    "consumers/mod.rs",
    "consumers/resolve.rs",
);

/// The id of what the cache stores: it changes whenever the cached types or the code that
/// computes them change (their sources are part of it), so a cache never outlives its meaning.
pub fn cache_format() -> &'static str {
    static FORMAT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FORMAT.get_or_init(|| {
        let mut parts = vec![crate::VERSION];
        parts.extend_from_slice(FORMAT_SOURCES.1);
        crate::support::digest::digest_parts(&parts)
    })
}

/// Unsaved editor buffers that stand in for files on disk (the language server's open
/// documents). A buffer may come with the model the caller already extracted from it.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    buffers: HashMap<String, Buffer>,
}

/// One unsaved buffer.
#[derive(Debug, Clone)]
pub struct Buffer {
    /// Which side the buffer belongs to (from `Workspace::classify`).
    pub file: SourceFile,
    pub text: Arc<str>,
    /// The model of `text`, when the caller has it (e.g. from an incrementally edited tree).
    pub model: Option<Arc<FileModel>>,
}

impl Overlay {
    pub fn insert(&mut self, buffer: Buffer) {
        self.buffers.insert(buffer.file.rel_path.clone(), buffer);
    }

    pub fn get(&self, rel_path: &str) -> Option<&Buffer> {
        self.buffers.get(rel_path)
    }

    pub fn is_empty(&self) -> bool {
        self.buffers.is_empty()
    }

    pub fn len(&self) -> usize {
        self.buffers.len()
    }
}

/// What extraction produced for one text (the cached part of a [`FileModel`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedModel {
    declarations: BTreeMap<String, Declaration>,
    syntax_errors: Vec<SyntaxError>,
}

/// Everything loaded.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub spec: Vec<Arc<FileModel>>,
    pub implementation: Vec<Arc<FileModel>>,
    pub fingerprints: Fingerprints,
    pub consumers: ConsumerIndex,
    /// The workspace's `.moment` spec, when the spec side is its projection.
    pub moment: Option<crate::moment::LoadedSpec>,
}

/// What one file is read for.
enum Job<'a> {
    Source {
        file: &'a SourceFile,
        /// Also a consumer candidate.
        refs: bool,
    },
    Consumer {
        rel: &'a str,
        abs: &'a Path,
    },
}

/// The result of one job.
enum Done {
    Source {
        model: Arc<FileModel>,
        hash: String,
        refs: Option<FileRefs>,
    },
    Consumer {
        rel: String,
        refs: FileRefs,
    },
    Skipped,
}

/// Loads both sides and the consumer candidates. `on_parsed` is called once per source file
/// of either side. Source files that cannot be read are errors (they would hide drift);
/// consumer candidates that cannot be read are skipped with a warning (consumption is
/// advisory).
pub fn load(
    ws: &Workspace,
    overlay: &Overlay,
    cache: &Cache,
    on_parsed: &(dyn Fn() + Sync),
) -> Result<Loaded, WorkspaceError> {
    let mut sources = ws.source_files()?;
    // Buffers of files not (yet) on disk still take part.
    let listed: BTreeSet<String> = sources.iter().map(|f| f.rel_path.clone()).collect();
    for b in overlay.buffers.values() {
        if !listed.contains(&b.file.rel_path) {
            sources.push(b.file.clone());
        }
    }
    sources.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    let candidates: Vec<(String, PathBuf)> = consumers::candidate_files(ws)?;
    let candidate_set: BTreeSet<&str> = candidates.iter().map(|(r, _)| r.as_str()).collect();
    let source_set: BTreeSet<&str> = sources.iter().map(|f| f.rel_path.as_str()).collect();
    let mut jobs: Vec<Job<'_>> = sources
        .iter()
        .map(|file| Job::Source {
            file,
            refs: file.side == Side::Implementation
                && candidate_set.contains(file.rel_path.as_str()),
        })
        .collect();
    jobs.extend(
        candidates
            .iter()
            .filter(|(rel, _)| !source_set.contains(rel.as_str()))
            .map(|(rel, abs)| Job::Consumer { rel, abs }),
    );
    let done: Vec<Done> = jobs
        .par_iter()
        .map(|job| run_job(job, overlay, cache, on_parsed))
        .collect::<Result<_, WorkspaceError>>()?;

    let mut loaded = Loaded::default();
    let mut refs: Vec<(String, FileRefs)> = Vec::new();
    for d in done {
        match d {
            Done::Source {
                model,
                hash,
                refs: r,
            } => {
                let side = match model.side {
                    Side::Spec => &mut loaded.fingerprints.spec,
                    Side::Implementation => &mut loaded.fingerprints.implementation,
                };
                side.insert(model.path.clone(), hash);
                if let Some(r) = r {
                    refs.push((model.path.clone(), r));
                }
                match model.side {
                    Side::Spec => loaded.spec.push(model),
                    Side::Implementation => loaded.implementation.push(model),
                }
            }
            Done::Consumer { rel, refs: r } => refs.push((rel, r)),
            Done::Skipped => {}
        }
    }
    // With a `.moment` spec, the spec side is its projection (hashed like files, by emitted
    // path).
    if let Some((spec, models)) = super::spec::moment_spec_side(ws)? {
        for model in models {
            let hash = content_hash(&model.text);
            loaded.fingerprints.spec.insert(model.path.clone(), hash);
            loaded.spec.push(model);
        }
        loaded.moment = Some(spec);
    }
    refs.sort_by(|a, b| a.0.cmp(&b.0));
    let service_dirs = ws.config.service_dirs.clone().unwrap_or_default();
    // Imports that resolve to packages (not to the workspace) are not uses of spec types; the
    // resolution depends on tsconfig, so it happens after the cache.
    let resolver = consumers::ImportResolver::for_root(&ws.root);
    let with_service: Vec<(String, String, FileRefs)> = refs
        .into_iter()
        .map(|(rel, r)| {
            let service = consumers::service_of(&rel, &service_dirs);
            let r = r.without_packages(&rel, &resolver);
            (rel, service, r)
        })
        .collect();
    loaded.consumers = consumers::index(&consumers::spec_types(&loaded.spec), &with_service);
    Ok(loaded)
}

fn run_job(
    job: &Job<'_>,
    overlay: &Overlay,
    cache: &Cache,
    on_parsed: &(dyn Fn() + Sync),
) -> Result<Done, WorkspaceError> {
    match job {
        Job::Source { file, refs } => {
            let done = match overlay.get(&file.rel_path) {
                Some(buffer) => from_buffer(buffer, *refs),
                None => {
                    let text: Arc<str> = file.read()?.into();
                    let (model, hash, refs) = from_disk(file, text, *refs, cache);
                    Done::Source { model, hash, refs }
                }
            };
            on_parsed();
            Ok(done)
        }
        Job::Consumer { rel, abs } => match std::fs::read_to_string(abs) {
            Ok(text) => {
                let hash = content_hash(&text);
                let refs =
                    cache.get_or_compute(REFS, rel, &hash, || consumers::file_refs(rel, &text));
                Ok(Done::Consumer {
                    rel: rel.to_string(),
                    refs,
                })
            }
            Err(e) => {
                tracing::warn!("{rel}: not searched for consumers: {e}");
                Ok(Done::Skipped)
            }
        },
    }
}

fn dialect_of(path: &str) -> Dialect {
    Dialect::for_path(Path::new(path)).unwrap_or(Dialect::TypeScript)
}

/// A file on disk: model, content hash and (when wanted) references, from the cache or from
/// one parse.
fn from_disk(
    file: &SourceFile,
    text: Arc<str>,
    want_refs: bool,
    cache: &Cache,
) -> (Arc<FileModel>, String, Option<FileRefs>) {
    let hash = content_hash(&text);
    let path = file.rel_path.as_str();
    let mut tree = None;
    let cached: CachedModel = cache.get_or_compute(MODELS, path, &hash, || {
        let t = syntax::parse(&text, dialect_of(path), None);
        let m = syntax::extract_file(path, &file.side_path, file.side, text.clone(), &t);
        tree = Some(t);
        CachedModel {
            declarations: m.declarations,
            syntax_errors: m.syntax_errors,
        }
    });
    let refs = want_refs.then(|| {
        cache.get_or_compute(REFS, path, &hash, || {
            let t = tree
                .take()
                .unwrap_or_else(|| syntax::parse(&text, dialect_of(path), None));
            consumers::refs_of_tree(&t, &text)
        })
    });
    let model = FileModel {
        path: path.to_string(),
        side_path: file.side_path.clone(),
        side: file.side,
        lines: LineIndex::new(&text),
        text,
        declarations: cached.declarations,
        syntax_errors: cached.syntax_errors,
    };
    (Arc::new(model), hash, refs)
}

/// The model of a file on disk whose text was just read, from the cache or parsed now (the
/// language server's index uses this, so its start-up reuses the on-disk cache).
pub fn model_of(file: &SourceFile, text: Arc<str>, cache: &Cache) -> Arc<FileModel> {
    from_disk(file, text, false, cache).0
}

/// The cache a long-lived reader of `ws` should use: the on-disk one once state is recorded,
/// else none (nothing is written without state).
pub fn cache_for(ws: &Workspace) -> Cache {
    let sd = crate::state::StateDir::of(&ws.root);
    match sd.recorded() {
        Ok(true) => Cache::open(&sd.cache_dir(), cache_format()),
        _ => Cache::disabled(),
    }
}

/// An unsaved buffer: never cached (the cache describes the disk).
fn from_buffer(buffer: &Buffer, want_refs: bool) -> Done {
    let file = &buffer.file;
    let path = file.rel_path.as_str();
    let hash = content_hash(&buffer.text);
    let mut tree = None;
    let model = match &buffer.model {
        Some(m) => m.clone(),
        None => {
            let t = syntax::parse(&buffer.text, dialect_of(path), None);
            let m = syntax::extract_file(path, &file.side_path, file.side, buffer.text.clone(), &t);
            tree = Some(t);
            Arc::new(m)
        }
    };
    let refs = want_refs.then(|| match tree {
        Some(t) => consumers::refs_of_tree(&t, &buffer.text),
        None => consumers::file_refs(path, &buffer.text),
    });
    Done::Source { model, hash, refs }
}

/// Reads and parses the given source files in parallel, without cache or consumers (the
/// stateless baseline the benchmark compares against).
pub fn read_models(
    files: &[SourceFile],
    on_parsed: &(dyn Fn() + Sync),
) -> Result<Vec<Arc<FileModel>>, WorkspaceError> {
    files
        .par_iter()
        .map(|f| {
            let text = f.read()?;
            let model = syntax::parse_file(&f.rel_path, &f.side_path, f.side, text.into());
            on_parsed();
            Ok(Arc::new(model))
        })
        .collect()
}

/// Consumers of the types of `spec` across the workspace (reads every consumer candidate,
/// through the cache): for callers that hold their own models, like the language server.
pub fn detect_consumers(
    ws: &Workspace,
    spec: &[Arc<FileModel>],
    cache: &Cache,
) -> Result<ConsumerIndex, WorkspaceError> {
    let candidates = consumers::candidate_files(ws)?;
    let resolver = consumers::ImportResolver::for_root(&ws.root);
    let refs: Vec<(String, String, FileRefs)> = candidates
        .par_iter()
        .filter_map(|(rel, abs)| {
            let job = Job::Consumer { rel, abs };
            match run_job(&job, &Overlay::default(), cache, &|| {}) {
                Ok(Done::Consumer { rel, refs }) => Some((rel, refs)),
                _ => None,
            }
        })
        .map(|(rel, refs)| {
            let service =
                consumers::service_of(&rel, ws.config.service_dirs.as_deref().unwrap_or_default());
            let refs = refs.without_packages(&rel, &resolver);
            (rel, service, refs)
        })
        .collect();
    Ok(consumers::index(&consumers::spec_types(spec), &refs))
}

/// The workspace tsconfig's `paths` and `baseUrl`, for fixes that rename the uses of a type in
/// files importing it through an alias.
pub fn path_map(ws: &Workspace) -> crate::fix::PathMap {
    consumers::ImportResolver::for_root(&ws.root).path_map()
}

/// The consumer candidates outside the implementation side (`is_side` says which paths belong
/// to it) whose text mentions one of `names`: the files a rename fix must also rename the uses
/// in. The same files consumption detection searches (`.gitignore`d build output such as
/// `dist/` and `exclude` globs left out); the text `open` gives (an unsaved editor buffer) stands
/// in for its file, files that cannot be read are skipped (nothing is renamed in them).
pub fn outside_texts(
    ws: &Workspace,
    is_side: &(dyn Fn(&str) -> bool + Sync),
    names: &std::collections::BTreeSet<String>,
    open: &(dyn Fn(&str) -> Option<Arc<str>> + Sync),
) -> Result<Vec<(String, Arc<str>)>, WorkspaceError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let candidates = consumers::candidate_files(ws)?;
    Ok(candidates
        .par_iter()
        .filter(|(rel, _)| !is_side(rel))
        .filter_map(|(rel, abs)| {
            let text: Arc<str> = match open(rel) {
                Some(t) => t,
                None => std::fs::read_to_string(abs).ok()?.into(),
            };
            names
                .iter()
                .any(|n| text.contains(n.as_str()))
                .then(|| (rel.clone(), text))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_format_covers_every_source_of_cached_values() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("server/src");
        for dir in ["model", "syntax", "consumers"] {
            for e in std::fs::read_dir(src.join(dir)).unwrap() {
                let name = e.unwrap().file_name().to_string_lossy().to_string();
                if name.ends_with(".rs") && !name.ends_with("_tests.rs") {
                    let rel = format!("{dir}/{name}");
                    assert!(
                        FORMAT_SOURCES.0.contains(&rel.as_str()),
                        "{rel} changes cached values: add it to cache_format() and FORMAT_SOURCES"
                    );
                }
            }
        }
    }
}
