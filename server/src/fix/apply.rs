//! Applying edits to texts and writing files without ever losing a user's file.

use std::collections::{BTreeMap, HashSet};

use crate::model::{DriftKind, DriftPoint, Fix, TextEdit};
use crate::text::LineIndex;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("edits overlap in `{path}` at byte {at}")]
    Overlap { path: String, at: usize },
    #[error("edit out of range in `{path}`: {start}..{end} of {len} bytes")]
    OutOfRange {
        path: String,
        start: usize,
        end: usize,
        len: usize,
    },
}

/// Applies `edits` (all of one file, byte ranges of `text`). Identical edits count once; edits
/// at the same offset apply in the order given.
pub fn apply_edits(path: &str, text: &str, edits: &[&TextEdit]) -> Result<String, ApplyError> {
    let mut unique = unique_edits(edits.iter().copied());
    // Stable sort keeps the given order of insertions at the same offset.
    unique.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for e in unique {
        if e.span.end > text.len()
            || e.span.start > e.span.end
            || !text.is_char_boundary(e.span.start)
            || !text.is_char_boundary(e.span.end)
        {
            return Err(ApplyError::OutOfRange {
                path: path.into(),
                start: e.span.start,
                end: e.span.end,
                len: text.len(),
            });
        }
        if e.span.start < cursor {
            return Err(ApplyError::Overlap {
                path: path.into(),
                at: e.span.start,
            });
        }
        out.push_str(&text[cursor..e.span.start]);
        out.push_str(&e.new_text);
        cursor = e.span.end;
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}

/// `edits` without repeats (the same range and text), first occurrences in their order: fixes
/// applied together may carry the same follow-up edit (an import both need).
pub fn unique_edits<'e>(edits: impl IntoIterator<Item = &'e TextEdit>) -> Vec<&'e TextEdit> {
    let mut seen: HashSet<(&str, usize, usize, &str)> = HashSet::new();
    edits
        .into_iter()
        .filter(|e| seen.insert((&e.path, e.span.start, e.span.end, &e.new_text)))
        .collect()
}

/// The fixes chosen for one file, in drift-point order. A fix editing several files (a rename
/// with its uses, an added member with its import) is in the plan of each file it edits.
#[derive(Debug, Default)]
pub struct FilePlan<'a> {
    pub fixes: Vec<(&'a DriftPoint, &'a Fix)>,
    /// Fixes left out because their edits overlap an earlier fix in the same file (in the plan
    /// of their first file only).
    pub skipped: Vec<Collision<'a>>,
}

/// A fix left out of a plan, and the chosen fix it collides with: what a report names so the
/// user knows which two points touch the same text.
#[derive(Debug, Clone)]
pub struct Collision<'a> {
    pub point: &'a DriftPoint,
    pub fix: &'a Fix,
    /// The point whose fix, chosen earlier, edits the same text.
    pub with: &'a DriftPoint,
    /// Where: the file and the byte offset of the left-out fix's edit.
    pub path: String,
    pub at: usize,
}

/// A left-out fix as the reports name it (`fix`, MCP, the editor's fix-all): both points and
/// where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub id: String,
    /// `Symbol.member` or `Symbol`, and the drift kind.
    pub name: String,
    pub kind: DriftKind,
    pub with_id: String,
    pub with_name: String,
    pub with_kind: DriftKind,
    pub path: String,
    /// 1-based line of the left-out fix's edit.
    pub line: usize,
}

impl Collision<'_> {
    /// The report of this collision; `text` is the file the left-out edit is in, as it was
    /// planned on (empty when unknown: line 1).
    pub fn describe(&self, text: &str) -> Overlap {
        Overlap {
            id: self.point.id.clone(),
            name: self.point.qualified_name(),
            kind: self.point.kind,
            with_id: self.with.id.clone(),
            with_name: self.with.qualified_name(),
            with_kind: self.with.kind,
            path: self.path.clone(),
            line: LineIndex::new(text).line_of(self.at.min(text.len())) + 1,
        }
    }
}

/// Groups the preferred fix of each point by file, leaving out fixes any of whose edits overlap
/// edits already chosen, in any file (a later run picks them up).
pub fn plan_fixes<'a>(
    points: impl IntoIterator<Item = &'a DriftPoint>,
) -> BTreeMap<String, FilePlan<'a>> {
    let mut plans: BTreeMap<String, FilePlan<'a>> = BTreeMap::new();
    // Every chosen edit, with the point whose fix it belongs to.
    let mut taken: BTreeMap<String, Vec<(&'a TextEdit, &'a DriftPoint)>> = BTreeMap::new();
    for point in points {
        let Some(fix) = point.fixes.first() else {
            continue;
        };
        let Some(first) = fix.edits.first() else {
            continue;
        };
        let collision = fix.edits.iter().find_map(|e| {
            let chosen = taken.get(&e.path)?;
            let (_, with) = chosen.iter().find(|(c, _)| overlap(c, e))?;
            Some(Collision {
                point,
                fix,
                with,
                path: e.path.clone(),
                at: e.span.start,
            })
        });
        if let Some(collision) = collision {
            plans
                .entry(first.path.clone())
                .or_default()
                .skipped
                .push(collision);
            continue;
        }
        let mut paths: Vec<&str> = Vec::new();
        for e in &fix.edits {
            taken.entry(e.path.clone()).or_default().push((e, point));
            if !paths.contains(&e.path.as_str()) {
                paths.push(&e.path);
            }
        }
        for path in paths {
            plans
                .entry(path.to_string())
                .or_default()
                .fixes
                .push((point, fix));
        }
    }
    plans
}

/// Two edits conflict when their ranges intersect (touching insertions are fine, identical edits
/// are one edit).
fn overlap(a: &TextEdit, b: &TextEdit) -> bool {
    if a.path != b.path || (a.span == b.span && a.new_text == b.new_text) {
        return false;
    }
    if a.span.is_empty() || b.span.is_empty() {
        return a.span.start > b.span.start && a.span.start < b.span.end
            || b.span.start > a.span.start && b.span.start < a.span.end;
    }
    a.span.start < b.span.end && b.span.start < a.span.end
}

/// `true` when `new` parses with more syntax errors than `old`, or either parse was abandoned at
/// the parser's step bound (a file we cannot read, whose declarations all looked missing): fixed
/// text like that is never written (the one guard every writer of fixes uses).
pub fn gains_syntax_errors(path: &str, old: &str, new: &str) -> bool {
    let parse = |text: &str| {
        crate::syntax::parse_file(path, path, crate::model::Side::Implementation, text.into())
    };
    let (old, new) = (parse(old), parse(new));
    if crate::syntax::parse_was_abandoned(&old) || crate::syntax::parse_was_abandoned(&new) {
        return true;
    }
    new.syntax_errors.len() > old.syntax_errors.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;

    fn e(start: usize, end: usize, t: &str) -> TextEdit {
        TextEdit {
            path: "a.ts".into(),
            span: Span::new(start, end),
            new_text: t.into(),
        }
    }

    #[test]
    fn applies_in_offset_order_and_dedupes() {
        let edits = [e(4, 5, "X"), e(0, 0, "<"), e(0, 0, "<"), e(6, 6, ">")];
        let refs: Vec<&TextEdit> = edits.iter().collect();
        assert_eq!(apply_edits("a.ts", "abcdef", &refs).unwrap(), "<abcdXf>");
    }

    fn point(id: &str, edits: Vec<TextEdit>) -> DriftPoint {
        DriftPoint {
            id: id.into(),
            kind: crate::model::DriftKind::RenamedType,
            direction: crate::model::Direction::SpecAhead,
            category: crate::model::Category::Breaking,
            symbol: "A".into(),
            member: None,
            expected: None,
            actual: None,
            spec: None,
            implementation: None,
            message: String::new(),
            fixes: vec![Fix {
                id: format!("{id}:x"),
                title: id.into(),
                edits,
                creates_file: false,
            }],
        }
    }

    #[test]
    fn a_multi_file_fix_is_planned_in_every_file_and_overlaps_anywhere_count() {
        let mut in_b = e(0, 1, "x");
        in_b.path = "b.ts".into();
        let both = point("both", vec![e(0, 1, "A"), in_b.clone()]);
        let mut other_b = e(0, 2, "y");
        other_b.path = "b.ts".into();
        let clash = point("clash", vec![e(5, 6, "Z"), other_b]);
        let plans = plan_fixes([&both, &clash]);
        assert_eq!(plans["a.ts"].fixes.len(), 1);
        assert_eq!(plans["b.ts"].fixes.len(), 1, "the rename's use in b.ts");
        let [skipped] = plans["a.ts"].skipped.as_slice() else {
            panic!("one fix left out: {:?}", plans["a.ts"].skipped);
        };
        // Which two points collide, and where: in b.ts, not in a.ts.
        assert_eq!(
            (skipped.point.id.as_str(), skipped.with.id.as_str()),
            ("clash", "both")
        );
        assert_eq!((skipped.path.as_str(), skipped.at), ("b.ts", 0));
    }

    #[test]
    fn nothing_is_written_into_a_file_whose_parse_was_abandoned() {
        let text = crate::syntax::AMBIGUOUS_TSX;
        let appended = format!("{text}\nexport interface A {{ x: number }}\n");
        assert!(gains_syntax_errors("a.tsx", text, &appended));
        let fine = "export interface A { x: number }\n";
        assert!(!gains_syntax_errors("a.tsx", fine, fine));
    }

    #[test]
    fn overlap_and_range_errors() {
        let edits = [e(0, 3, "x"), e(2, 4, "y")];
        let refs: Vec<&TextEdit> = edits.iter().collect();
        assert!(matches!(
            apply_edits("a.ts", "abcdef", &refs),
            Err(ApplyError::Overlap { .. })
        ));
        let edits = [e(0, 30, "x")];
        let refs: Vec<&TextEdit> = edits.iter().collect();
        assert!(matches!(
            apply_edits("a.ts", "abc", &refs),
            Err(ApplyError::OutOfRange { .. })
        ));
    }
}
