//! Fixes as text edits.
