//! Matching and comparing the two sides (drift-model §3–§5, §7).
//!
//! `compare` matches spec types to implementation types by name across each whole side, pairs
//! files, pairs left-overs as renames, diffs each matched pair member by member and returns the
//! drift points (with direction, category, message, stable id and fixes), sorted.

pub mod base;
mod compare;
mod ids;
mod matching;
mod members;
mod same;

pub use base::ShapeBase;
pub use compare::{compare, compare_with_base, sort_points, Comparison, Move};
pub use ids::drift_id;
