//! The incremental cache (`.moment/cache/models.json`): extracted declarations and consumer
//! references keyed by content hash, so an unchanged file is never parsed again. A cache problem
//! is never an error: a missing, stale or unreadable cache is simply empty.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::consumers::FileRefs;
use crate::model::{Declaration, FileModel, Side, SyntaxError};
use crate::text::LineIndex;

/// What extraction produced for one text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedModel {
    pub declarations: BTreeMap<String, Declaration>,
    pub syntax_errors: Vec<SyntaxError>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    /// The tool version that wrote it: extraction may change between versions.
    version: String,
    models: HashMap<String, CachedModel>,
    refs: HashMap<String, FileRefs>,
}

/// The cache, shared by parallel loaders.
#[derive(Debug)]
pub struct ModelCache {
    path: PathBuf,
    file: CacheFile,
    fresh: Mutex<FreshEntries>,
}

#[derive(Debug, Default)]
struct FreshEntries {
    models: HashMap<String, CachedModel>,
    refs: HashMap<String, FileRefs>,
    used: HashSet<String>,
    hits: usize,
    misses: usize,
}

impl ModelCache {
    /// Loads the cache at `path` (empty when absent, unreadable or of another version).
    pub fn load(path: &Path) -> ModelCache {
        let file = std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<CacheFile>(&b).ok())
            .filter(|f| f.version == crate::VERSION)
            .unwrap_or_default();
        ModelCache {
            path: path.to_path_buf(),
            file,
            fresh: Mutex::default(),
        }
    }

    /// An empty cache that is never saved (for runs without state).
    pub fn disabled() -> ModelCache {
        ModelCache {
            path: PathBuf::new(),
            file: CacheFile::default(),
            fresh: Mutex::default(),
        }
    }

    /// The file model of `text`, from the cache or parsed now.
    pub fn model(&self, path: &str, side_path: &str, side: Side, text: Arc<str>) -> FileModel {
        let hash = super::content_hash(&text);
        self.model_hashed(path, side_path, side, text, &hash)
    }

    /// [`ModelCache::model`] when the caller already has the text's [`super::content_hash`].
    pub fn model_hashed(
        &self,
        path: &str,
        side_path: &str,
        side: Side,
        text: Arc<str>,
        hash: &str,
    ) -> FileModel {
        let key = key_for(path, hash);
        let cached = self.file.models.get(&key).cloned();
        let hit = cached.is_some();
        let cached = cached.unwrap_or_else(|| {
            let m = crate::syntax::parse_file(path, side_path, side, text.clone());
            CachedModel {
                declarations: m.declarations,
                syntax_errors: m.syntax_errors,
            }
        });
        self.note(&key, hit, |f| {
            if !hit {
                f.models.insert(key.clone(), cached.clone());
            }
        });
        FileModel {
            path: path.to_string(),
            side_path: side_path.to_string(),
            side,
            lines: LineIndex::new(&text),
            text,
            declarations: cached.declarations,
            syntax_errors: cached.syntax_errors,
        }
    }

    /// The consumer references of `text`, from the cache or parsed now.
    pub fn refs(&self, path: &str, text: &str) -> FileRefs {
        let key = format!("refs:{}", key_for(path, &super::content_hash(text)));
        if let Some(r) = self.file.refs.get(&key) {
            self.note(&key, true, |_| {});
            return r.clone();
        }
        let refs = crate::consumers::file_refs(path, text);
        self.note(&key, false, |f| {
            f.refs.insert(key.clone(), refs.clone());
        });
        refs
    }

    fn note(&self, key: &str, hit: bool, f: impl FnOnce(&mut FreshEntries)) {
        if let Ok(mut fresh) = self.fresh.lock() {
            fresh.used.insert(key.to_string());
            if hit {
                fresh.hits += 1;
            } else {
                fresh.misses += 1;
            }
            f(&mut fresh);
        }
    }

    /// (hits, misses) so far.
    pub fn stats(&self) -> (usize, usize) {
        self.fresh
            .lock()
            .map(|f| (f.hits, f.misses))
            .unwrap_or((0, 0))
    }

    /// Writes the entries used by this run (dropping the rest, so the cache does not grow
    /// forever) when anything changed. Failures are logged, never fatal.
    pub fn save(self) {
        if self.path.as_os_str().is_empty() {
            return;
        }
        let Ok(fresh) = self.fresh.into_inner() else {
            return;
        };
        let stale = self.file.models.len() + self.file.refs.len() > fresh.used.len();
        if fresh.misses == 0 && !stale {
            return;
        }
        let mut file = CacheFile {
            version: crate::VERSION.to_string(),
            ..Default::default()
        };
        file.models = self
            .file
            .models
            .into_iter()
            .filter(|(k, _)| fresh.used.contains(k))
            .collect();
        file.models.extend(fresh.models);
        file.refs = self
            .file
            .refs
            .into_iter()
            .filter(|(k, _)| fresh.used.contains(k))
            .collect();
        file.refs.extend(fresh.refs);
        let result = serde_json::to_string(&file)
            .map_err(std::io::Error::other)
            .and_then(|text| crate::fix::write_atomically(&self.path, &text));
        if let Err(e) = result {
            tracing::warn!("cannot write the cache {}: {e}", self.path.display());
        }
    }
}

/// Content hash plus what else changes extraction: the dialect and `.d.ts`-ness of the path.
fn key_for(path: &str, hash: &str) -> String {
    let flavour = if path.ends_with(".d.ts") || path.ends_with(".d.mts") || path.ends_with(".d.cts")
    {
        "d"
    } else if path.ends_with(".tsx") {
        "x"
    } else {
        "t"
    };
    format!("{hash}:{flavour}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_after_save_and_reload() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/models.json");
        let text: Arc<str> = Arc::from("export interface A { readonly x: number }\n");
        let cache = ModelCache::load(&path);
        let first = cache.model("g/a.ts", "a.ts", Side::Spec, text.clone());
        assert_eq!(cache.stats(), (0, 1));
        cache.save();
        let cache = ModelCache::load(&path);
        let second = cache.model("g/a.ts", "a.ts", Side::Spec, text);
        assert_eq!(cache.stats(), (1, 0));
        assert_eq!(first.declarations, second.declarations);
    }
}
