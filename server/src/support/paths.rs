//! Root-relative paths as the tool spells them (`/` separators, `.` for the root).

/// Joins two `/` paths, treating `.` as empty.
pub fn join_rel(dir: &str, rel: &str) -> String {
    if dir == "." || dir.is_empty() {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    }
}
