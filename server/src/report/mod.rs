//! Renderers of check results.
