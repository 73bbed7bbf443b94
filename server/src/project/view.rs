//! What the recorded state contributes to an analysis that someone else builds — the language
//! server makes its own `AnalysisInput` from open documents. Load a view (on start, after a
//! save, and whenever `.moment/sync-log.jsonl` changes, e.g. after a CLI `decide`), then:
//!
//! ```ignore
//! let view = StateView::load(&ws, &input.spec)?;            // also without recorded state
//! input.consumers = view.consumers();                       // consumer-aware categories
//! let mut analysis = analyze_with_base(&input, view.base()); // three-way direction
//! let hidden = view.suppress(&mut analysis);                 // rejected points removed
//! ```

use std::sync::Arc;

use crate::analysis::Analysis;
use crate::cascade::Consumers;
use crate::consumers::ConsumerIndex;
use crate::drift::ShapeBase;
use crate::model::{DriftPoint, FileModel};
use crate::state::{BaseFile, Cache, DecisionEntry, Source, StateDir, StateError, SyncState};
use crate::workspace::Workspace;

/// The recorded state of a workspace, ready to apply to an analysis.
#[derive(Debug, Clone, Default)]
pub struct StateView {
    /// Whether anything was recorded (else `state` is empty and nothing was written).
    pub recorded: bool,
    pub state: SyncState,
    pub base: Option<BaseFile>,
    pub consumers: ConsumerIndex,
}

impl StateView {
    /// The view of `ws`. Consumers are always detected (categories must not depend on whether
    /// state exists); the log and the base only when something was recorded. `spec` are the
    /// spec side's models (their types are what consumers are searched for).
    pub fn load(ws: &Workspace, spec: &[Arc<FileModel>]) -> Result<StateView, StateError> {
        // With a `.moment` spec, its projection is the spec side whose types consumers use
        // (the caller's models are the emitter's output at best); a spec that does not load is
        // reported by the analysis, and consumers are then searched for the caller's types.
        let projected = match super::spec::moment_spec_side(ws) {
            Ok(Some((_, models))) => Some(models),
            _ => None,
        };
        let spec = projected.as_deref().unwrap_or(spec);
        let sd = StateDir::of(&ws.root);
        if !sd.recorded()? {
            let consumers = super::load::detect_consumers(ws, spec, &Cache::disabled())?;
            return Ok(StateView {
                consumers,
                ..Default::default()
            });
        }
        let state = sd.load()?;
        let base = match sd.base(&state) {
            Ok(base) => base,
            Err(e) => {
                tracing::warn!("{e}: directions are decided without the last sync's base");
                None
            }
        };
        let format = super::load::cache_format();
        let cache = Cache::open(&sd.cache_dir(), format);
        let consumers = super::load::detect_consumers(ws, spec, &cache)?;
        cache.save(format);
        Ok(StateView {
            recorded: true,
            state,
            base,
            consumers,
        })
    }

    /// For `AnalysisInput::consumers`.
    pub fn consumers(&self) -> Consumers {
        self.consumers.to_cascade()
    }

    /// For `analysis::analyze_with_base`.
    pub fn base(&self) -> Option<&ShapeBase> {
        self.base.as_ref().map(|b| &b.shapes)
    }

    /// Removes rejected drift points from `analysis` and returns them.
    pub fn suppress(&self, analysis: &mut Analysis) -> Vec<DriftPoint> {
        super::suppress(&self.state, analysis)
    }

    /// Hover: the decisions taken on drift point `id`, oldest first.
    pub fn history(&self, id: &str) -> &[DecisionEntry] {
        self.state
            .proposals
            .get(id)
            .map(|p| p.history.as_slice())
            .unwrap_or(&[])
    }

    /// Hover: where a recorded drift point came from.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.state.proposals.get(id).map(|p| &p.record.source)
    }

    /// Hover: "consumed by 3 files in 2 services".
    pub fn consumer_summary(&self, symbol: &str) -> String {
        self.consumers.summary_for(symbol)
    }
}
