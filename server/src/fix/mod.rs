//! Fixes: text edits computed from byte ranges that make the implementation agree with the spec
//! (drift-model §7), and applying them safely.

mod apply;
mod build;
mod complete;
mod imports;
mod refs;

pub use apply::{
    apply_edits, gains_syntax_errors, plan_fixes, unique_edits, ApplyError, Collision, FilePlan,
    Overlap,
};
pub use build::*;
pub use complete::{complete, complete_points, renamed_names, tidy_imports, ImplSide, PathMap};
