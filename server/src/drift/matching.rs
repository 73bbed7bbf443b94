//! Matching (drift-model §3): types by name across each whole side, file pairing, renames.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::model::{Body, Declaration, FileModel, Member};

/// A declaration and the file it lives in.
#[derive(Clone, Copy)]
pub struct Located<'a> {
    pub file: &'a FileModel,
    pub decl: &'a Declaration,
}

/// Every declaration of one side by name. When a name is declared in several files, all are kept;
/// `pick` prefers the one at the partner's relative path.
pub struct SideIndex<'a> {
    pub by_name: BTreeMap<&'a str, Vec<Located<'a>>>,
}

impl<'a> SideIndex<'a> {
    pub fn build(files: &'a [Arc<FileModel>]) -> SideIndex<'a> {
        let mut by_name: BTreeMap<&'a str, Vec<Located<'a>>> = BTreeMap::new();
        for file in files {
            for (name, decl) in &file.declarations {
                by_name
                    .entry(name.as_str())
                    .or_default()
                    .push(Located { file, decl });
            }
        }
        SideIndex { by_name }
    }

    /// The declaration named `name`, preferring the file whose side path is `side_path`.
    pub fn pick(&self, name: &str, side_path: &str) -> Option<Located<'a>> {
        let all = self.by_name.get(name)?;
        all.iter()
            .find(|l| l.file.side_path == side_path)
            .or_else(|| all.first())
            .copied()
    }
}

/// Implementation files paired with each spec file, by root-relative paths.
pub struct Pairing {
    /// spec path → implementation paths.
    pub pairs: BTreeMap<String, BTreeSet<String>>,
    /// Implementation paths that pair with some spec file ("domain files").
    pub domain: BTreeSet<String>,
}

/// Pairs each spec file with the implementation file at the same relative path and with the
/// implementation files that hold its matched types.
pub fn pair_files<'a>(
    spec: &'a [Arc<FileModel>],
    implementation: &'a [Arc<FileModel>],
    impl_index: &SideIndex<'a>,
) -> Pairing {
    let by_side_path: BTreeMap<&str, &str> = implementation
        .iter()
        .map(|f| (f.side_path.as_str(), f.path.as_str()))
        .collect();
    let mut pairs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut domain = BTreeSet::new();
    for s in spec {
        let entry = pairs.entry(s.path.clone()).or_default();
        if let Some(p) = by_side_path.get(s.side_path.as_str()) {
            entry.insert(p.to_string());
        }
        for name in s.declarations.keys() {
            if let Some(found) = impl_index.pick(name, &s.side_path) {
                entry.insert(found.file.path.clone());
            }
        }
        domain.extend(entry.iter().cloned());
    }
    Pairing { pairs, domain }
}

/// How alike two declarations are, 0.0–1.0; `None` when they cannot be a rename (different
/// shape class, fewer than half of the members in common by name).
///
/// Members are counted by *name*: a type that had already drifted (a member's type changed, one
/// missing) and is then renamed in the spec is still that type renamed, and its member drift is
/// reported on the pair; counting only identical members would report a missing plus an extra
/// type instead, losing the member diagnostics, and the clean fix-all would add a second copy.
/// Identical members weigh in the score, so the closest candidate wins among several.
pub fn type_similarity(a: &Declaration, b: &Declaration) -> Option<f64> {
    if a.kind.shape_class() != b.kind.shape_class() {
        return None;
    }
    match (&a.body, &b.body) {
        (Body::Alias { ty: x, .. }, Body::Alias { ty: y, .. }) => (x == y).then_some(1.0),
        _ => {
            let (ma, mb) = (a.members(), b.members());
            if ma.is_empty() || mb.is_empty() {
                return None;
            }
            let named = ma
                .iter()
                .filter(|m| mb.iter().any(|n| n.name == m.name))
                .count();
            let same = ma
                .iter()
                .filter(|m| mb.iter().any(|n| same_member(m, n)))
                .count();
            let most = ma.len().max(mb.len()) as f64;
            (named > 0 && named as f64 / most >= 0.5).then(|| (named + same) as f64 / (2.0 * most))
        }
    }
}

fn same_member(a: &Member, b: &Member) -> bool {
    a.name == b.name && a.shape.type_text() == b.shape.type_text() && a.optional == b.optional
}

/// How alike two member names of the same type are, or `None` when a rename is implausible.
/// Members must be of the same kind with the same type; names must look alike (edit distance
/// or a shared camelCase word).
pub fn member_similarity(spec: &Member, imp: &Member) -> Option<f64> {
    if spec.shape.label() != imp.shape.label() || spec.shape.type_text() != imp.shape.type_text() {
        return None;
    }
    if spec.shape.label() == "union member" || spec.name.starts_with('[') {
        return None;
    }
    let a = spec.name.to_lowercase();
    let b = imp.name.to_lowercase();
    let score = strsim::jaro_winkler(&a, &b);
    let shared_word = camel_words(&spec.name)
        .iter()
        .any(|w| w.len() >= 3 && camel_words(&imp.name).contains(w));
    if score >= 0.75 || shared_word {
        Some(score.max(if shared_word { 0.75 } else { 0.0 }))
    } else {
        None
    }
}

/// `invoiceTotal` → ["invoice", "total"]; `snake_case` → ["snake", "case"].
fn camel_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in name.chars() {
        if c == '_' || c == '-' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        } else if c.is_uppercase() && !current.is_empty() {
            words.push(std::mem::take(&mut current));
            current.extend(c.to_lowercase());
        } else {
            current.extend(c.to_lowercase());
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Pairs candidates greedily, best score first: returns (left index, right index) pairs.
pub fn greedy_pairs(scores: Vec<(f64, usize, usize)>) -> Vec<(usize, usize)> {
    let mut scores = scores;
    scores.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    let mut used_left = BTreeSet::new();
    let mut used_right = BTreeSet::new();
    let mut out = Vec::new();
    for (_, l, r) in scores {
        if used_left.contains(&l) || used_right.contains(&r) {
            continue;
        }
        used_left.insert(l);
        used_right.insert(r);
        out.push((l, r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_words_split() {
        assert_eq!(camel_words("invoiceTotal"), vec!["invoice", "total"]);
        assert_eq!(camel_words("total_amount"), vec!["total", "amount"]);
    }

    #[test]
    fn greedy_takes_best_first() {
        let pairs = greedy_pairs(vec![(0.6, 0, 0), (0.9, 0, 1), (0.8, 1, 0)]);
        assert_eq!(pairs, vec![(0, 1), (1, 0)]);
    }
}
