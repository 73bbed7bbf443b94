//! Incremental re-analysis for a long-lived caller (the language server): after a few files
//! change, only the part of the workspace those files can influence is compared again, and the
//! rest of the previous result is kept.
//!
//! The part is a closure over two relations, computed on the current files:
//! - *same name*: every file (either side) declaring a name that a file of the part declares —
//!   now or before the change — is in the part (matching, moves, renames and "extra" are decided
//!   per name);
//! - *same place*: the file at the same side-relative path on the other side is in the part
//!   (file pairing, renames of left-overs, where a missing type goes).
//!
//! Drift points and moves located in a file of the part are replaced by those of comparing the
//! part alone, which gives what a full comparison gives for them: every input a point of the
//! part depends on is in the part. When the part grows past [`MAX_PART`] files the whole
//! workspace is compared instead. Consumers and the base are fixed for the life of an
//! [`Incremental`] (a new state view makes a new one). A property test checks incremental ==
//! full on random edits.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::analysis::{self, Analysis, AnalysisInput};
use crate::cascade::Consumers;
use crate::drift::{self, ShapeBase};
use crate::model::{FileModel, Side};

/// Past this many files in the part, a full comparison is as cheap and simpler.
pub const MAX_PART: usize = 256;

/// How an update was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// Nothing changed.
    Unchanged,
    /// Only this many files were compared again.
    Partial(usize),
    /// The whole workspace was compared again.
    Full,
}

/// The analysis of a workspace, kept up to date file by file.
#[derive(Debug, Clone)]
pub struct Incremental {
    consumers: Consumers,
    base: Option<ShapeBase>,
    implementation_dir: String,
    /// Current inputs by root-relative path.
    files: HashMap<String, Arc<FileModel>>,
    /// Declared name → paths declaring it (either side).
    by_name: HashMap<String, BTreeSet<String>>,
    /// (side, side-relative path) → root-relative path.
    by_place: HashMap<(Side, String), String>,
    /// Spec files and their declarations in `files`, kept as files come and go (a keystroke
    /// must not count all 8,000 files again).
    spec_count: SpecCount,
    analysis: Analysis,
}

#[derive(Debug, Clone, Copy, Default)]
struct SpecCount {
    files: usize,
    types: usize,
}

impl Incremental {
    /// Compares everything once.
    pub fn new(input: AnalysisInput, base: Option<ShapeBase>) -> Incremental {
        let mut inc = Incremental {
            consumers: input.consumers,
            base,
            implementation_dir: input.implementation_dir,
            files: HashMap::new(),
            by_name: HashMap::new(),
            by_place: HashMap::new(),
            spec_count: SpecCount::default(),
            analysis: Analysis::default(),
        };
        for f in input.spec.into_iter().chain(input.implementation) {
            inc.insert(f);
        }
        inc.full();
        inc
    }

    /// The current result (rejected points included: suppress them on a copy).
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// The current model of `path`.
    pub fn file(&self, path: &str) -> Option<&Arc<FileModel>> {
        self.files.get(path)
    }

    /// Brings the analysis up to date with `current`, the complete set of input files now
    /// (unchanged files are recognised by pointer: the caller keeps each model's `Arc` until its
    /// text changes).
    pub fn update<'a>(&mut self, current: impl IntoIterator<Item = &'a Arc<FileModel>>) -> Update {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut changed: Vec<Arc<FileModel>> = Vec::new();
        for f in current {
            seen.insert(f.path.as_str());
            match self.files.get(&f.path) {
                Some(old) if Arc::ptr_eq(old, f) => {}
                _ => changed.push(f.clone()),
            }
        }
        let removed: Vec<String> = self
            .files
            .keys()
            .filter(|p| !seen.contains(p.as_str()))
            .cloned()
            .collect();
        self.apply(changed, removed)
    }

    /// Replaces the models of `changed` (new or edited files) and drops `removed` paths.
    pub fn apply(&mut self, changed: Vec<Arc<FileModel>>, removed: Vec<String>) -> Update {
        if changed.is_empty() && removed.is_empty() {
            return Update::Unchanged;
        }
        // Names and places of the changed files before and after: both matter.
        let mut names: BTreeSet<String> = BTreeSet::new();
        let mut part: BTreeSet<String> = BTreeSet::new();
        for path in changed
            .iter()
            .map(|f| f.path.clone())
            .chain(removed.iter().cloned())
        {
            if let Some(old) = self.files.get(&path) {
                names.extend(old.declarations.keys().cloned());
            }
            part.insert(path);
        }
        for f in &changed {
            names.extend(f.declarations.keys().cloned());
        }
        for path in &removed {
            self.remove(path);
        }
        for f in changed {
            self.insert(f);
        }
        if part.len() > MAX_PART {
            self.full();
            return Update::Full;
        }
        let Some(part) = self.close(part, names) else {
            self.full();
            return Update::Full;
        };
        self.compare_part(&part);
        Update::Partial(part.len())
    }

    fn insert(&mut self, f: Arc<FileModel>) {
        // An edit usually keeps the file's names: only those that come or go touch `by_name`.
        let old = self.remove_keeping_names(&f.path);
        for name in f.declarations.keys() {
            if old
                .as_ref()
                .is_some_and(|o| o.declarations.contains_key(name))
            {
                continue;
            }
            self.by_name
                .entry(name.clone())
                .or_default()
                .insert(f.path.clone());
        }
        if let Some(old) = old {
            for name in old
                .declarations
                .keys()
                .filter(|n| !f.declarations.contains_key(*n))
            {
                self.forget_name(name, &f.path);
            }
        }
        if f.side == Side::Spec {
            self.spec_count.files += 1;
            self.spec_count.types += f.declarations.len();
        }
        self.by_place
            .insert((f.side, f.side_path.clone()), f.path.clone());
        self.files.insert(f.path.clone(), f);
    }

    fn remove(&mut self, path: &str) {
        if let Some(old) = self.remove_keeping_names(path) {
            for name in old.declarations.keys() {
                self.forget_name(name, path);
            }
        }
    }

    /// Drops `path`'s model but not its entries in `by_name`; returns the dropped model.
    fn remove_keeping_names(&mut self, path: &str) -> Option<Arc<FileModel>> {
        let old = self.files.remove(path)?;
        let place = (old.side, old.side_path.clone());
        if self.by_place.get(&place).is_some_and(|p| p == path) {
            self.by_place.remove(&place);
        }
        if old.side == Side::Spec {
            self.spec_count.files -= 1;
            self.spec_count.types -= old.declarations.len();
        }
        Some(old)
    }

    fn forget_name(&mut self, name: &str, path: &str) {
        if let Some(paths) = self.by_name.get_mut(name) {
            paths.remove(path);
            if paths.is_empty() {
                self.by_name.remove(name);
            }
        }
    }

    /// The closure of `part` (see the module docs), or `None` past [`MAX_PART`] files.
    fn close(
        &self,
        mut part: BTreeSet<String>,
        names: BTreeSet<String>,
    ) -> Option<BTreeSet<String>> {
        let mut names_done: BTreeSet<String> = BTreeSet::new();
        let mut todo_names: Vec<String> = names.into_iter().collect();
        let mut todo_files: Vec<String> = part.iter().cloned().collect();
        while !todo_names.is_empty() || !todo_files.is_empty() {
            while let Some(path) = todo_files.pop() {
                let Some(f) = self.files.get(&path) else {
                    continue;
                };
                let other = match f.side {
                    Side::Spec => Side::Implementation,
                    Side::Implementation => Side::Spec,
                };
                if let Some(p) = self.by_place.get(&(other, f.side_path.clone())) {
                    if part.insert(p.clone()) {
                        todo_files.push(p.clone());
                    }
                }
                todo_names.extend(f.declarations.keys().cloned());
            }
            while let Some(name) = todo_names.pop() {
                if !names_done.insert(name.clone()) {
                    continue;
                }
                for p in self.by_name.get(&name).into_iter().flatten() {
                    if part.insert(p.clone()) {
                        todo_files.push(p.clone());
                    }
                }
            }
            if part.len() > MAX_PART {
                return None;
            }
        }
        Some(part)
    }

    fn input_of<'a>(&self, paths: impl Iterator<Item = &'a String>) -> AnalysisInput {
        let mut input = AnalysisInput {
            consumers: self.consumers.clone(),
            implementation_dir: self.implementation_dir.clone(),
            ..Default::default()
        };
        for p in paths {
            if let Some(f) = self.files.get(p) {
                match f.side {
                    Side::Spec => input.spec.push(f.clone()),
                    Side::Implementation => input.implementation.push(f.clone()),
                }
            }
        }
        // The engine's output must not depend on hash-map order.
        input.spec.sort_by(|a, b| a.path.cmp(&b.path));
        input.implementation.sort_by(|a, b| a.path.cmp(&b.path));
        input
    }

    fn full(&mut self) {
        let mut paths: Vec<&String> = self.files.keys().collect();
        paths.sort();
        let input = self.input_of(paths.into_iter());
        self.analysis = analysis::analyze_with_base(&input, self.base.as_ref());
    }

    fn compare_part(&mut self, part: &BTreeSet<String>) {
        let input = self.input_of(part.iter());
        let sub = analysis::analyze_with_base(&input, self.base.as_ref());
        let inside = |path: Option<&str>| path.is_some_and(|p| part.contains(p));
        let a = &mut self.analysis;
        a.points.retain(|p| {
            !inside(p.spec.as_ref().map(|l| l.path.as_str()))
                && !inside(p.implementation.as_ref().map(|l| l.path.as_str()))
        });
        a.points.extend(sub.points);
        drift::sort_points(&mut a.points);
        a.moves
            .retain(|m| !part.contains(&m.spec_path) && !part.contains(&m.implementation_path));
        a.moves.extend(sub.moves);
        a.moves.sort_by(|x, y| {
            (&x.spec_path, &x.symbol, &x.implementation_path).cmp(&(
                &y.spec_path,
                &y.symbol,
                &y.implementation_path,
            ))
        });
        for p in part {
            match self.files.get(p) {
                Some(f) => {
                    a.files.insert(p.clone(), f.clone());
                }
                None => {
                    a.files.remove(p);
                }
            }
        }
        a.spec_files = self.spec_count.files;
        a.spec_types = self.spec_count.types;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn model(side: Side, side_path: &str, text: &str) -> Arc<FileModel> {
        let dir = match side {
            Side::Spec => "generated",
            Side::Implementation => "src/domain",
        };
        Arc::new(crate::syntax::parse_file(
            &format!("{dir}/{side_path}"),
            side_path,
            side,
            Arc::from(text),
        ))
    }

    /// Texts a file may take: agreeing, drifting, renamed, moved types, nothing.
    const VARIANTS: &[&str] = &[
        "export interface A { readonly x: number; readonly y: string }\n",
        "export interface A { readonly x: string; readonly y: string }\n",
        "export interface A { readonly x: number }\nexport interface B { readonly z: boolean }\n",
        "export interface B { readonly z: boolean }\n",
        "export interface Renamed { readonly x: number; readonly y: string }\n",
        "export type C = 'a' | 'b';\nexport interface B { readonly z: number }\n",
        "",
        "export interface D { readonly d: number }\n",
    ];

    fn sorted_moves(a: &Analysis) -> Vec<(String, String, String)> {
        let mut m: Vec<_> = a
            .moves
            .iter()
            .map(|m| {
                (
                    m.spec_path.clone(),
                    m.symbol.clone(),
                    m.implementation_path.clone(),
                )
            })
            .collect();
        m.sort();
        m
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn incremental_equals_full(
            start in proptest::collection::vec(0..VARIANTS.len(), 8),
            edits in proptest::collection::vec((0..8usize, 0..VARIANTS.len()), 1..12),
        ) {
            // Four files per side; file k of a side is `m{k % 4}.ts` on that side.
            let place = |k: usize| (if k < 4 { Side::Spec } else { Side::Implementation }, format!("m{}.ts", k % 4));
            let mut current: Vec<Arc<FileModel>> = start
                .iter()
                .enumerate()
                .map(|(k, v)| { let (s, p) = place(k); model(s, &p, VARIANTS[*v]) })
                .collect();
            let split = |files: &[Arc<FileModel>]| AnalysisInput {
                spec: files.iter().filter(|f| f.side == Side::Spec).cloned().collect(),
                implementation: files.iter().filter(|f| f.side == Side::Implementation).cloned().collect(),
                consumers: Consumers::Known(Default::default()),
                implementation_dir: "src/domain".into(),
            };
            let mut inc = Incremental::new(split(&current), None);
            for (k, v) in edits {
                let (s, p) = place(k);
                current[k] = model(s, &p, VARIANTS[v]);
                inc.update(current.iter());
                let full = analysis::analyze_with_base(&split(&current), None);
                prop_assert_eq!(&inc.analysis().points, &full.points);
                prop_assert_eq!(sorted_moves(inc.analysis()), sorted_moves(&full));
                prop_assert_eq!(inc.analysis().spec_types, full.spec_types);
            }
        }
    }

    #[test]
    fn an_edit_compares_only_its_part() {
        let mut files = Vec::new();
        for k in 0..50 {
            let a = format!("export interface T{k} {{ readonly x: number }}\n");
            files.push(model(Side::Spec, &format!("m{k}.ts"), &a));
            files.push(model(Side::Implementation, &format!("m{k}.ts"), &a));
        }
        let input = AnalysisInput {
            spec: files
                .iter()
                .filter(|f| f.side == Side::Spec)
                .cloned()
                .collect(),
            implementation: files
                .iter()
                .filter(|f| f.side == Side::Implementation)
                .cloned()
                .collect(),
            consumers: Consumers::Known(Default::default()),
            implementation_dir: "src/domain".into(),
        };
        let mut inc = Incremental::new(input, None);
        assert!(inc.analysis().points.is_empty());
        assert_eq!(inc.update(files.iter()), Update::Unchanged);
        files[1] = model(
            Side::Implementation,
            "m0.ts",
            "export interface T0 { readonly x: string }\n",
        );
        assert_eq!(inc.update(files.iter()), Update::Partial(2));
        assert_eq!(inc.analysis().points.len(), 1);
        files.pop();
        assert_eq!(inc.update(files.iter()), Update::Partial(2));
        assert_eq!(inc.analysis().points.len(), 2, "T49 now missing");
    }
}
