//! What changed in the spec side between two snapshots (or a snapshot and the work tree),
//! phrased as spec changes.
//!
//! The drift engine does the comparison: the newer side plays the spec and the older side the
//! implementation, so a `missing-type` (in the spec, not in the older side) is an added type, an
//! `extra-type` a removed one, and so on.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::store::SpecFile;
use crate::analysis;
use crate::model::{DriftKind, DriftPoint, Location};
use crate::text::LineIndex;

/// Root-relative prefixes that keep the two sides' paths apart inside one analysis.
const OLD: &str = "a";
const NEW: &str = "b";

/// One change of the spec, in the spec's own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecChange {
    /// `added-type`, `removed-type`, `renamed-type`, `added-member`, `removed-member`,
    /// `renamed-member`, or the drift kind itself for `changed-*`.
    pub change: String,
    /// The drift kind the engine reported (newer side as spec, older as implementation).
    pub drift_kind: DriftKind,
    pub symbol: String,
    pub member: Option<String>,
    /// The old text or name (null for additions).
    pub before: Option<String>,
    /// The new text or name (null for removals).
    pub after: Option<String>,
    /// Side-relative file and 1-based line on the newer side (the older one for removals).
    pub path: Option<String>,
    pub line: Option<usize>,
    pub summary: String,
}

/// Files and types that changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecDiff {
    pub added_files: Vec<String>,
    pub removed_files: Vec<String>,
    pub modified_files: Vec<String>,
    pub changes: Vec<SpecChange>,
}

impl SpecDiff {
    pub fn is_empty(&self) -> bool {
        self.added_files.is_empty()
            && self.removed_files.is_empty()
            && self.modified_files.is_empty()
    }
}

/// Compares `old` with `new`; `compared(side_path)` says which files the drift engine should
/// read (the workspace's include/exclude rules).
pub fn diff_files(old: &[SpecFile], new: &[SpecFile], compared: &dyn Fn(&str) -> bool) -> SpecDiff {
    let old_map: BTreeMap<&str, &SpecFile> =
        old.iter().map(|f| (f.side_path.as_str(), f)).collect();
    let new_map: BTreeMap<&str, &SpecFile> =
        new.iter().map(|f| (f.side_path.as_str(), f)).collect();
    let mut diff = SpecDiff::default();
    for (path, file) in &new_map {
        match old_map.get(path) {
            None => diff.added_files.push(path.to_string()),
            Some(o) if o.bytes != file.bytes || o.executable != file.executable => {
                diff.modified_files.push(path.to_string())
            }
            Some(_) => {}
        }
    }
    diff.removed_files = old_map
        .keys()
        .filter(|p| !new_map.contains_key(*p))
        .map(|p| p.to_string())
        .collect();
    diff.changes = type_changes(old, new, compared);
    diff
}

fn texts(
    files: &[SpecFile],
    prefix: &str,
    compared: &dyn Fn(&str) -> bool,
) -> Vec<(String, String, String)> {
    files
        .iter()
        .filter(|f| crate::syntax::is_typescript(Path::new(&f.side_path)) && compared(&f.side_path))
        .filter_map(|f| {
            let text = String::from_utf8(f.bytes.clone()).ok()?;
            Some((
                format!("{prefix}/{}", f.side_path),
                f.side_path.clone(),
                text,
            ))
        })
        .collect()
}

fn type_changes(
    old: &[SpecFile],
    new: &[SpecFile],
    compared: &dyn Fn(&str) -> bool,
) -> Vec<SpecChange> {
    let new_texts = texts(new, NEW, compared);
    let old_texts = texts(old, OLD, compared);
    let result = analysis::analyze_texts(&new_texts, &old_texts);
    let lines: BTreeMap<&str, (LineIndex, &str)> = new_texts
        .iter()
        .chain(old_texts.iter())
        .map(|(path, _, text)| (path.as_str(), (LineIndex::new(text), text.as_str())))
        .collect();
    result.points.iter().map(|p| phrase(p, &lines)).collect()
}

/// Turns a drift point (newer = spec, older = implementation) into a spec change.
fn phrase(p: &DriftPoint, lines: &BTreeMap<&str, (LineIndex, &str)>) -> SpecChange {
    let name = p.qualified_name();
    let (change, before, after, summary) = match p.kind {
        DriftKind::MissingType => ("added-type", None, None, format!("added type {name}")),
        DriftKind::ExtraType => ("removed-type", None, None, format!("removed type {name}")),
        DriftKind::MissingMember => (
            "added-member",
            None,
            p.expected.clone(),
            format!("added member {name}"),
        ),
        DriftKind::ExtraMember => (
            "removed-member",
            p.actual.clone(),
            None,
            format!("removed member {name}"),
        ),
        DriftKind::RenamedType | DriftKind::RenamedMember => {
            let what = if p.kind == DriftKind::RenamedType {
                "type"
            } else {
                "member"
            };
            let old = p.actual.clone().unwrap_or_default();
            let new = p.expected.clone().unwrap_or_default();
            let change = if what == "type" {
                "renamed-type"
            } else {
                "renamed-member"
            };
            (
                change,
                Some(old.clone()),
                Some(new.clone()),
                format!("renamed {what} {old} → {new}"),
            )
        }
        kind => {
            let what = kind
                .as_str()
                .trim_start_matches("changed-")
                .replace('-', " ");
            let from = p.actual.as_deref().unwrap_or("∅");
            let to = p.expected.as_deref().unwrap_or("∅");
            (
                kind.as_str(),
                p.actual.clone(),
                p.expected.clone(),
                format!("{name}: {what} `{from}` → `{to}`"),
            )
        }
    };
    // Additions and changes point into the newer side; removals into the older one.
    let location = match p.kind {
        DriftKind::ExtraType | DriftKind::ExtraMember => {
            p.implementation.as_ref().or(p.spec.as_ref())
        }
        _ => p.spec.as_ref().or(p.implementation.as_ref()),
    };
    let (path, line) = locate(location, lines);
    SpecChange {
        change: change.to_string(),
        drift_kind: p.kind,
        symbol: p.symbol.clone(),
        member: p.member.clone(),
        before,
        after,
        path,
        line,
        summary,
    }
}

fn locate(
    location: Option<&Location>,
    lines: &BTreeMap<&str, (LineIndex, &str)>,
) -> (Option<String>, Option<usize>) {
    let Some(loc) = location else {
        return (None, None);
    };
    let side_path = loc
        .path
        .split_once('/')
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_else(|| loc.path.clone());
    let line = lines
        .get(loc.path.as_str())
        .map(|(index, _)| index.line_of(loc.span.start) + 1);
    (Some(side_path), line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SpecFile {
        SpecFile {
            side_path: path.into(),
            bytes: text.as_bytes().to_vec(),
            executable: false,
        }
    }

    #[test]
    fn file_level_changes() {
        let old = [
            file("a.ts", "export interface A { x: string }\n"),
            file("gone.ts", ""),
        ];
        let new = [
            file("a.ts", "export interface A { x: string; y: number }\n"),
            file("new.md", "hi"),
        ];
        let diff = diff_files(&old, &new, &|_| true);
        assert_eq!(diff.added_files, ["new.md"]);
        assert_eq!(diff.removed_files, ["gone.ts"]);
        assert_eq!(diff.modified_files, ["a.ts"]);
    }

    #[test]
    fn type_changes_are_phrased_as_spec_changes() {
        let old = [file("o.ts", "export interface Order {\n  id: string;\n  note: string;\n}\nexport interface Old { a: string }\n")];
        let new = [file(
            "o.ts",
            "export interface Order {\n  id: string;\n  total: number;\n}\nexport interface Invoice { n: number }\n",
        )];
        let diff = diff_files(&old, &new, &|_| true);
        let changes: Vec<&str> = diff.changes.iter().map(|c| c.change.as_str()).collect();
        // The engine may pair a removal and an addition as a rename; either phrasing is a change.
        assert!(!changes.is_empty(), "{:#?}", diff.changes);
        for c in &diff.changes {
            assert!(!c.summary.is_empty());
            assert_eq!(c.path.as_deref(), Some("o.ts"));
        }
        assert!(
            diff.changes
                .iter()
                .any(|c| c.summary.contains("Invoice") || c.summary.contains("Old")),
            "{:#?}",
            diff.changes
        );
    }
}
