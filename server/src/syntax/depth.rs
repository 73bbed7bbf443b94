//! A bound on recursion through nested type syntax.
//!
//! The type walks (`normalize::norm` and the token walk, reached again from object members,
//! function parameters and type arguments) recurse once per nesting level, several stack frames
//! each. A hostile or generated file can nest types thousands of levels deep; unbounded, that
//! overflows the 2 MiB stacks of the threads we parse on (rayon workers, tokio's blocking pool)
//! and aborts the process. Past [`MAX_TYPE_DEPTH`] the walks stop descending and use the node's
//! own text with whitespace folded, and extraction reports one "too deeply nested" diagnostic.

use std::cell::Cell;

use tree_sitter::Node;

use crate::model::Span;

/// Type nesting levels the walks descend. Real code nests a handful; generated code a few dozen.
pub const MAX_TYPE_DEPTH: usize = 200;

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    // The first node the walks refused to descend into since the last `take_too_deep`.
    static TOO_DEEP: Cell<Option<Span>> = const { Cell::new(None) };
}

/// One level of a type walk; dropping it leaves the level.
pub(crate) struct Level(());

impl Drop for Level {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Enters one nesting level below `node`, or `None` (remembering `node`) when the walk is already
/// [`MAX_TYPE_DEPTH`] deep.
pub(crate) fn enter(node: Node<'_>) -> Option<Level> {
    DEPTH.with(|d| {
        if d.get() >= MAX_TYPE_DEPTH {
            TOO_DEEP.with(|t| {
                if t.get().is_none() {
                    t.set(Some(super::span(node)));
                }
            });
            return None;
        }
        d.set(d.get() + 1);
        Some(Level(()))
    })
}

/// The first node that was too deep since the last call (and forgets it).
pub(crate) fn take_too_deep() -> Option<Span> {
    TOO_DEEP.with(|t| t.take())
}

/// `true` when a node was too deep since the last [`take_too_deep`] (kept).
pub(crate) fn is_too_deep() -> bool {
    TOO_DEEP.with(|t| t.get().is_some())
}

/// The message of the diagnostic for a type nested past the bound.
pub(crate) fn too_deep_message() -> String {
    format!(
        "too deeply nested: types more than {MAX_TYPE_DEPTH} levels deep are compared as written, not normalised"
    )
}
