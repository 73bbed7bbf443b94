//! Every compared file by root-relative path, cheap to copy: a shared, rarely rewritten base
//! plus a small map of the paths changed since. The language server copies the whole map into
//! every snapshot (one per keystroke); with 8,000 files a plain `BTreeMap` copy and its later
//! free were a fifth of a keystroke's work, this copy is one reference count and a few entries.

use std::collections::btree_map;
use std::collections::BTreeMap;
use std::iter::Peekable;
use std::sync::Arc;

use super::FileModel;

/// Past this many changed paths the changes are folded into (a copy of) the base.
const MAX_CHANGES: usize = 64;

/// A map from root-relative path to file model, in path order.
#[derive(Debug, Clone, Default)]
pub struct FileMap {
    base: Arc<BTreeMap<String, Arc<FileModel>>>,
    /// Paths changed since `base` was built: `Some` replaces or adds, `None` removes.
    changes: BTreeMap<String, Option<Arc<FileModel>>>,
}

impl FileMap {
    pub fn new() -> FileMap {
        FileMap::default()
    }

    pub fn get(&self, path: &str) -> Option<&Arc<FileModel>> {
        match self.changes.get(path) {
            Some(change) => change.as_ref(),
            None => self.base.get(path),
        }
    }

    pub fn contains_key(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    pub fn insert(&mut self, path: String, file: Arc<FileModel>) {
        self.changes.insert(path, Some(file));
        self.fold_when_large();
    }

    pub fn remove(&mut self, path: &str) {
        if self.base.contains_key(path) {
            self.changes.insert(path.to_string(), None);
            self.fold_when_large();
        } else {
            self.changes.remove(path);
        }
    }

    /// Entries in path order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            base: self.base.iter().peekable(),
            changes: self.changes.iter().peekable(),
        }
    }

    pub fn values(&self) -> impl Iterator<Item = &Arc<FileModel>> + '_ {
        self.iter().map(|(_, v)| v)
    }

    /// Rewrites the base once the changes are many, so lookups and copies stay cheap. The base
    /// is copied only while another map still shares it.
    fn fold_when_large(&mut self) {
        if self.changes.len() <= MAX_CHANGES {
            return;
        }
        let base = Arc::make_mut(&mut self.base);
        for (path, change) in std::mem::take(&mut self.changes) {
            match change {
                Some(file) => base.insert(path, file),
                None => base.remove(&path),
            };
        }
    }
}

impl FromIterator<(String, Arc<FileModel>)> for FileMap {
    fn from_iter<I: IntoIterator<Item = (String, Arc<FileModel>)>>(iter: I) -> FileMap {
        FileMap {
            base: Arc::new(iter.into_iter().collect()),
            changes: BTreeMap::new(),
        }
    }
}

impl<'a> IntoIterator for &'a FileMap {
    type Item = (&'a String, &'a Arc<FileModel>);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The base and the changes merged in path order.
pub struct Iter<'a> {
    base: Peekable<btree_map::Iter<'a, String, Arc<FileModel>>>,
    changes: Peekable<btree_map::Iter<'a, String, Option<Arc<FileModel>>>>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Arc<FileModel>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let order = match (self.base.peek(), self.changes.peek()) {
                (None, None) => return None,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some((b, _)), Some((c, _))) => b.cmp(c),
            };
            if order == std::cmp::Ordering::Less {
                return self.base.next();
            }
            if order == std::cmp::Ordering::Equal {
                // The change overrides the base entry of the same path.
                self.base.next();
            }
            if let Some((path, Some(file))) = self.changes.next() {
                return Some((path, file));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Side;
    use proptest::prelude::*;

    /// A model of no declarations (the map only stores and orders them).
    fn model(path: &str, text: &str) -> Arc<FileModel> {
        Arc::new(FileModel {
            path: path.to_string(),
            side_path: path.to_string(),
            side: Side::Implementation,
            text: Arc::from(text),
            lines: crate::text::LineIndex::new(text),
            declarations: BTreeMap::new(),
            syntax_errors: Vec::new(),
        })
    }

    proptest! {
        /// Any sequence of inserts and removes gives what a `BTreeMap` gives, in order, also on
        /// a copy taken midway (which must not see later changes).
        #[test]
        fn behaves_like_a_btree_map(ops in proptest::collection::vec((0u8..3, 0usize..90), 0..300)) {
            let mut map = FileMap::new();
            let mut reference: BTreeMap<String, Arc<FileModel>> = BTreeMap::new();
            let mut copy_at_half = None;
            for (i, (op, key)) in ops.iter().enumerate() {
                let path = format!("src/f{key}.ts");
                if *op == 0 {
                    map.remove(&path);
                    reference.remove(&path);
                } else {
                    let f = model(&path, &format!("export type T{i} = {i};"));
                    map.insert(path.clone(), f.clone());
                    reference.insert(path, f);
                }
                if i == ops.len() / 2 {
                    copy_at_half = Some((map.clone(), reference.clone()));
                }
            }
            let same = |m: &FileMap, r: &BTreeMap<String, Arc<FileModel>>| {
                let got: Vec<(&String, *const FileModel)> = m.iter().map(|(k, v)| (k, Arc::as_ptr(v))).collect();
                let want: Vec<(&String, *const FileModel)> = r.iter().map(|(k, v)| (k, Arc::as_ptr(v))).collect();
                got == want && r.keys().all(|k| m.contains_key(k))
            };
            prop_assert!(same(&map, &reference));
            prop_assert!(!map.contains_key("src/f90.ts"));
            if let Some((m, r)) = copy_at_half {
                prop_assert!(same(&m, &r));
            }
        }
    }

    #[test]
    fn a_copy_shares_the_base_until_the_changes_are_folded() {
        let map: FileMap = (0..10)
            .map(|k| format!("f{k}.ts"))
            .map(|p| (p.clone(), model(&p, "export type A = 1;")))
            .collect();
        let copy = map.clone();
        assert!(Arc::ptr_eq(&map.base, &copy.base));
        let mut edited = copy.clone();
        edited.insert("f3.ts".into(), model("f3.ts", "export type A = 2;"));
        assert!(
            Arc::ptr_eq(&map.base, &edited.base),
            "one edit copies no base"
        );
        assert_ne!(
            Arc::as_ptr(map.get("f3.ts").unwrap()),
            Arc::as_ptr(edited.get("f3.ts").unwrap())
        );
    }
}
