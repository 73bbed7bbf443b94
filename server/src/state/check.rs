//! `check` with the recorded state: incremental loading through the cache, consumers, three-way
//! direction from the base, and rejected drift points suppressed.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::{BaseFile, Fingerprints, ModelCache, StateDir, StateError, SyncState};
use crate::analysis::{self, Analysis, AnalysisInput};
use crate::cascade::Consumers;
use crate::consumers::{self, ConsumerIndex};
use crate::drift::DriftPoint;
use crate::model::{FileModel, Side};
use crate::workspace::{Workspace, WorkspaceError};

/// When to use the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only when something was recorded already (what `check` does: a workspace without state
    /// behaves exactly as before and no `.moment/` files are created).
    IfRecorded,
    /// Always (reconcile and decide create the state).
    Always,
}

/// The result of a check that honours the state.
#[derive(Debug, Clone, Default)]
pub struct StatefulCheck {
    /// Drift points without the suppressed ones.
    pub analysis: Analysis,
    /// Rejected drift points (hidden until a side changes them, which changes their id).
    pub suppressed: Vec<DriftPoint>,
    /// Consumers of the spec types (absent when the state was not used).
    pub consumers: Option<ConsumerIndex>,
    /// The recorded state (default when there is none).
    pub state: SyncState,
    /// The base of the last sync.
    pub base: Option<BaseFile>,
    /// The current per-file fingerprints of both sides.
    pub fingerprints: Fingerprints,
    pub spec: Vec<Arc<FileModel>>,
    pub implementation: Vec<Arc<FileModel>>,
    /// Whether the state was used.
    pub stateful: bool,
    /// Files taken from the cache / parsed now (spec and implementation sides).
    pub cache_hits: usize,
    pub cache_misses: usize,
}

/// Runs the check (see [`Mode`]). `on_parsed` is called once per source file.
pub fn run(
    ws: &Workspace,
    mode: Mode,
    on_parsed: &(dyn Fn() + Sync),
) -> Result<StatefulCheck, StateError> {
    let sd = StateDir::of(&ws.root);
    let stateful = mode == Mode::Always || sd.exists();
    let cache = if stateful {
        ModelCache::open(&sd.cache_dir())
    } else {
        ModelCache::disabled()
    };
    run_with(ws, mode, &cache, on_parsed)
}

/// [`run`] with the caller's cache ([`ModelCache::disabled`] parses everything and writes
/// nothing; the benchmark compares both).
pub fn run_with(
    ws: &Workspace,
    mode: Mode,
    cache: &ModelCache,
    on_parsed: &(dyn Fn() + Sync),
) -> Result<StatefulCheck, StateError> {
    let sd = StateDir::of(&ws.root);
    let stateful = mode == Mode::Always || sd.exists();
    let (models, fingerprints, moment_spec) = load(ws, cache, on_parsed)?;
    // Consumer detection reuses the texts and hashes just read.
    let known: HashMap<String, (Arc<str>, String)> = models
        .iter()
        .map(|m| {
            let fp = if m.side == Side::Spec {
                &fingerprints.spec
            } else {
                &fingerprints.implementation
            };
            (
                m.path.clone(),
                (m.text.clone(), fp.get(&m.path).cloned().unwrap_or_default()),
            )
        })
        .collect();
    let (spec, implementation): (Vec<_>, Vec<_>) =
        models.into_iter().partition(|m| m.side == Side::Spec);
    let (state, base, consumer_index) = if stateful {
        let state = sd.load()?;
        let base = sd.base(&state)?;
        let index = consumers::detect_with(ws, &spec, cache, &known)?;
        (state, base, Some(index))
    } else {
        (SyncState::default(), None, None)
    };
    let (cache_hits, cache_misses) = cache.stats();
    // Runs that record state also drop the entries of texts that no longer exist.
    if mode == Mode::Always {
        cache.prune();
    }
    let input = AnalysisInput {
        spec: spec.clone(),
        implementation: implementation.clone(),
        consumers: consumer_index
            .as_ref()
            .map(ConsumerIndex::to_cascade)
            .unwrap_or(Consumers::Unknown),
        implementation_dir: ws.implementation_dir.clone(),
    };
    let mut analysis = analysis::analyze_with_base(&input, base.as_ref().map(|b| &b.shapes));
    if let Some(loaded) = &moment_spec {
        analysis::locate_in_spec(ws, loaded, &mut analysis);
    }
    let rejected: std::collections::HashSet<&str> = state.rejected_ids().collect();
    let (suppressed, kept): (Vec<DriftPoint>, Vec<DriftPoint>) =
        std::mem::take(&mut analysis.points)
            .into_iter()
            .partition(|p| rejected.contains(p.id.as_str()));
    analysis.points = kept;
    Ok(StatefulCheck {
        analysis,
        suppressed,
        consumers: consumer_index,
        state,
        base,
        fingerprints,
        spec,
        implementation,
        stateful,
        cache_hits,
        cache_misses,
    })
}

type Loaded = (
    Vec<Arc<FileModel>>,
    Fingerprints,
    Option<crate::moment::LoadedSpec>,
);

/// Reads every source file once, hashes it and takes its model from the cache or parses it;
/// with a `.moment` spec, the spec side is its projection (hashed like files, by emitted path).
fn load(
    ws: &Workspace,
    cache: &ModelCache,
    on_parsed: &(dyn Fn() + Sync),
) -> Result<Loaded, WorkspaceError> {
    let files = ws.source_files()?;
    let loaded: Vec<(Arc<FileModel>, String)> = files
        .par_iter()
        .map(|f| {
            let text: Arc<str> = f.read()?.into();
            let hash = super::content_hash(&text);
            let model = cache.model_hashed(&f.rel_path, &f.side_path, f.side, text, &hash);
            on_parsed();
            Ok((Arc::new(model), hash))
        })
        .collect::<Result<_, WorkspaceError>>()?;
    let mut fingerprints = Fingerprints::default();
    let mut models = Vec::with_capacity(loaded.len());
    for (model, hash) in loaded {
        let side = match model.side {
            Side::Spec => &mut fingerprints.spec,
            Side::Implementation => &mut fingerprints.implementation,
        };
        side.insert(model.path.clone(), hash);
        models.push(model);
    }
    let moment_spec = analysis::moment_spec_side(ws)?.map(|(loaded, spec_models)| {
        for model in spec_models {
            let hash = super::content_hash(&model.text);
            fingerprints.spec.insert(model.path.clone(), hash);
            models.push(model);
        }
        loaded
    });
    Ok((models, fingerprints, moment_spec))
}
