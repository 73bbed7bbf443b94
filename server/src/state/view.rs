//! What the recorded state contributes to an analysis that someone else builds — the language
//! server makes its own `AnalysisInput` from open documents. Load a view (on start, after a
//! save, and whenever `.moment/sync-log.jsonl` changes, e.g. after a CLI `decide`), then:
//!
//! ```ignore
//! let view = StateView::load(&ws, &input.spec)?;            // None: no state recorded yet
//! input.consumers = view.consumers();                       // consumer-aware categories
//! let mut analysis = analyze_with_base(&input, view.base()); // three-way direction
//! let hidden = view.suppress(&mut analysis);                 // rejected points removed
//! ```

use std::sync::Arc;

use super::{BaseFile, DecisionEntry, ModelCache, Source, StateDir, StateError, SyncState};
use crate::analysis::Analysis;
use crate::cascade::Consumers;
use crate::consumers::{self, ConsumerIndex};
use crate::drift::{DriftPoint, ShapeBase};
use crate::model::FileModel;
use crate::workspace::Workspace;

/// The recorded state of a workspace, ready to apply to an analysis.
#[derive(Debug, Clone, Default)]
pub struct StateView {
    pub state: SyncState,
    pub base: Option<BaseFile>,
    pub consumers: ConsumerIndex,
}

impl StateView {
    /// The view of `ws`, or `None` when nothing was recorded yet (then analyse without it).
    /// `spec` are the spec side's models (their types are what consumers are searched for).
    pub fn load(ws: &Workspace, spec: &[Arc<FileModel>]) -> Result<Option<StateView>, StateError> {
        let sd = StateDir::of(&ws.root);
        if !sd.exists() {
            return Ok(None);
        }
        let state = sd.load()?;
        let base = sd.base(&state)?;
        let consumers = consumers::detect(ws, spec, &ModelCache::open(&sd.cache_dir()))?;
        Ok(Some(StateView {
            state,
            base,
            consumers,
        }))
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
        let rejected: std::collections::HashSet<&str> = self.state.rejected_ids().collect();
        let (hidden, kept) = std::mem::take(&mut analysis.points)
            .into_iter()
            .partition(|p| rejected.contains(p.id.as_str()));
        analysis.points = kept;
        hidden
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
