//! Matching and comparing the two sides (drift-model §3–§5, §7).

mod point;

pub use point::*;

use std::sync::Arc;

use crate::cascade::Consumers;
use crate::model::FileModel;

/// Compares the spec side with the implementation side.
pub fn compare(_spec: &[Arc<FileModel>], _implementation: &[Arc<FileModel>], _consumers: &Consumers) -> Vec<DriftPoint> {
    Vec::new() // SKELETON: replaced by the engine
}
