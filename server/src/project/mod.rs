//! The project check: the one stateful check every command and the language server run.
//!
//! load (cache) → consumers → base → analyze → suppress, then one fix policy:
//!
//! 1. [`load`] reads every source file of both sides and every consumer candidate once (or takes
//!    it from an [`Overlay`] of unsaved editor buffers), hashes it, and takes its model and
//!    consumer references from the cache or parses it once for both;
//! 2. consumption detection always runs, so a category never depends on whether `.moment/`
//!    exists;
//! 3. the recorded state (log, base) is read when there is one; a missing or damaged base is a
//!    warning, not an error: directions are then decided without it;
//! 4. the pure engine (`analysis`) compares the sides;
//! 5. rejected drift points are moved to `suppressed`;
//! 6. [`policy`] says which fixes apply without asking (`fix`, `reconcile`, "fix all").
//!
//! `check`, `status` and the language server use [`Mode::IfRecorded`] (nothing is created
//! under `.moment/` when nothing was recorded); `reconcile` and `decide` use [`Mode::Always`].

pub mod incremental;
pub mod load;
pub mod policy;
pub mod spec;
pub mod view;

use std::collections::HashSet;
use std::sync::Arc;

use crate::analysis::{self, Analysis, AnalysisInput};
use crate::consumers::ConsumerIndex;
use crate::model::{DriftPoint, FileModel};
use crate::state::{BaseFile, Cache, CacheStats, Fingerprints, StateDir, StateError, SyncState};
use crate::workspace::Workspace;

pub use load::{Buffer, Overlay};
pub use view::StateView;

/// When to use the recorded state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only when something was recorded already: a workspace without state is checked the same
    /// way (consumers included) and no `.moment/` file is created.
    IfRecorded,
    /// Always (reconcile and decide create the state).
    Always,
}

/// The result of a project check.
#[derive(Debug, Clone, Default)]
pub struct ProjectCheck {
    /// Drift points without the suppressed ones.
    pub analysis: Analysis,
    /// Rejected drift points (hidden until a side changes them, which changes their id).
    pub suppressed: Vec<DriftPoint>,
    /// Consumers of the spec types (always detected).
    pub consumers: ConsumerIndex,
    /// The recorded state (default when there is none).
    pub state: SyncState,
    /// The base of the last sync (`None` before the first, or when it cannot be read: see
    /// `warnings`).
    pub base: Option<BaseFile>,
    /// The current per-file fingerprints of both sides.
    pub fingerprints: Fingerprints,
    pub spec: Vec<Arc<FileModel>>,
    pub implementation: Vec<Arc<FileModel>>,
    /// Whether the recorded state was used.
    pub stateful: bool,
    /// Cache use of this run (all misses without state).
    pub cache: CacheStats,
    /// Problems with the state that the check worked around, one line each, saying how to
    /// repair them.
    pub warnings: Vec<String>,
}

/// Runs the project check on the files on disk.
pub fn check(
    ws: &Workspace,
    mode: Mode,
    on_parsed: &(dyn Fn() + Sync),
) -> Result<ProjectCheck, StateError> {
    check_with(ws, mode, &Overlay::default(), on_parsed)
}

/// Runs the project check with unsaved buffers standing in for their files.
pub fn check_with(
    ws: &Workspace,
    mode: Mode,
    overlay: &Overlay,
    on_parsed: &(dyn Fn() + Sync),
) -> Result<ProjectCheck, StateError> {
    run(ws, mode, overlay, true, on_parsed)
}

/// [`check`] parsing every file, neither reading nor writing the cache: the baseline the
/// benchmarks measure the cache against.
pub fn check_without_cache(
    ws: &Workspace,
    mode: Mode,
    on_parsed: &(dyn Fn() + Sync),
) -> Result<ProjectCheck, StateError> {
    run(ws, mode, &Overlay::default(), false, on_parsed)
}

fn run(
    ws: &Workspace,
    mode: Mode,
    overlay: &Overlay,
    use_cache: bool,
    on_parsed: &(dyn Fn() + Sync),
) -> Result<ProjectCheck, StateError> {
    let sd = StateDir::of(&ws.root);
    // Nothing below `.moment/` is followed through a symbolic link (the cache is written there).
    sd.guard()?;
    let stateful = mode == Mode::Always || sd.recorded()?;
    let format = load::cache_format();
    // The recorded state (a 14 MB base at 8,000 files) is read while the sources load: the
    // cache is opened and the folders walked on one thread meanwhile.
    let (loaded, recorded) = rayon::join(
        || {
            let cache = if stateful && use_cache {
                Cache::open(&sd.cache_dir(), format)
            } else {
                Cache::disabled()
            };
            load::load(ws, overlay, &cache, on_parsed).map(|loaded| (loaded, cache))
        },
        || stateful.then(|| recorded_state(&sd)).transpose(),
    );
    let (loaded, cache) = loaded?;
    let (state, base, warnings) = recorded?.unwrap_or_default();
    if stateful {
        cache.save(format);
    }
    let input = AnalysisInput {
        spec: loaded.spec.clone(),
        implementation: loaded.implementation.clone(),
        consumers: loaded.consumers.to_cascade(),
        implementation_dir: ws.implementation_dir.clone(),
    };
    let mut analysis = analysis::analyze_with_base(&input, base.as_ref().map(|b| &b.shapes));
    if let Some(moment) = &loaded.moment {
        spec::locate_in_spec(ws, moment, &mut analysis);
    }
    let suppressed = suppress(&state, &mut analysis);
    Ok(ProjectCheck {
        analysis,
        suppressed,
        consumers: loaded.consumers,
        state,
        base,
        fingerprints: loaded.fingerprints,
        spec: loaded.spec,
        implementation: loaded.implementation,
        stateful,
        cache: cache.stats(),
        warnings,
    })
}

/// The recorded state and its base; a base that cannot be read is a warning (directions are
/// then decided without it).
fn recorded_state(sd: &StateDir) -> Result<(SyncState, Option<BaseFile>, Vec<String>), StateError> {
    let state = sd.load()?;
    let mut warnings = Vec::new();
    let base = match sd.base(&state) {
        Ok(base) => base,
        Err(e) => {
            warnings.push(format!(
                "{e}: directions are decided without the last sync's base until \
                 `moment-sync reconcile` records a new one"
            ));
            None
        }
    };
    Ok((state, base, warnings))
}

/// Moves the rejected points of `analysis` out and returns them.
pub fn suppress(state: &SyncState, analysis: &mut Analysis) -> Vec<DriftPoint> {
    let rejected: HashSet<&str> = state.rejected_ids().collect();
    if rejected.is_empty() {
        return Vec::new();
    }
    let (hidden, kept) = std::mem::take(&mut analysis.points)
        .into_iter()
        .partition(|p| rejected.contains(p.id.as_str()));
    analysis.points = kept;
    hidden
}
