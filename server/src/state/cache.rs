//! The incremental cache (`.moment/cache/`): extracted declarations and consumer references,
//! one small file per content hash, so an unchanged file is never parsed again and a run only
//! writes the entries it had to compute. A cache problem is never an error: a missing, stale,
//! damaged or unwritable entry is simply a miss.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
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

/// The cache, shared by parallel loaders.
#[derive(Debug, Default)]
pub struct ModelCache {
    /// `None`: disabled (runs without state write nothing).
    dir: Option<PathBuf>,
    used: Mutex<HashSet<String>>,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

impl ModelCache {
    /// The cache in folder `dir` (created on the first write).
    pub fn open(dir: &Path) -> ModelCache {
        ModelCache {
            dir: Some(dir.to_path_buf()),
            ..Default::default()
        }
    }

    /// A cache that never reads or writes.
    pub fn disabled() -> ModelCache {
        ModelCache::default()
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
        let key = format!("m-{}", key_for(path, hash));
        let cached = self.get_or_compute(&key, || {
            let m = crate::syntax::parse_file(path, side_path, side, text.clone());
            CachedModel {
                declarations: m.declarations,
                syntax_errors: m.syntax_errors,
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

    /// The consumer references of `text` (whose content hash is `hash`), cached or parsed now.
    pub fn refs_hashed(&self, path: &str, text: &str, hash: &str) -> FileRefs {
        let key = format!("r-{}", key_for(path, hash));
        self.get_or_compute(&key, || crate::consumers::file_refs(path, text))
    }

    /// The consumer references of `text`.
    pub fn refs(&self, path: &str, text: &str) -> FileRefs {
        self.refs_hashed(path, text, &super::content_hash(text))
    }

    fn get_or_compute<T: Serialize + DeserializeOwned>(
        &self,
        key: &str,
        compute: impl FnOnce() -> T,
    ) -> T {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key.to_string());
        }
        let Some(dir) = self.dir.as_ref().filter(|d| !is_link(d)) else {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return compute();
        };
        let path = dir.join(format!("{key}.json"));
        if let Some(value) = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return value;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let value = compute();
        if let Ok(text) = serde_json::to_vec(&value) {
            if let Err(e) = write_entry(dir, &path, &text) {
                tracing::debug!("cannot write cache entry {}: {e}", path.display());
            }
        }
        value
    }

    /// (hits, misses) so far.
    pub fn stats(&self) -> (usize, usize) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Removes the entries this run did not use (stale versions of edited files).
    pub fn prune(&self) {
        let (Some(dir), Ok(used)) = (&self.dir, self.used.lock()) else {
            return;
        };
        // Never through a link (`.moment/cache -> ../..` once deleted a user's files), and only
        // files this tool named: a cache entry or one of its temp files.
        if !is_real_dir(dir) {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let key = name.strip_suffix(".json").unwrap_or(&name);
            let ours = is_entry_name(&name) || name.starts_with(".tmp-");
            let plain_file = e.file_type().is_ok_and(|t| t.is_file());
            if ours && plain_file && !used.contains(key) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Temp file + rename, without `fsync`: a cache entry needs atomicity (a reader never sees half
/// of one), not durability (a lost entry is a miss).
fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// `dir` is a folder and not a symbolic link to one.
pub(crate) fn is_real_dir(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_dir())
}

/// `m-<hash>-<flavour>-<version>.json` or `r-…`: the names [`key_for`] makes.
fn is_entry_name(name: &str) -> bool {
    let Some(rest) = name
        .strip_prefix("m-")
        .or_else(|| name.strip_prefix("r-"))
        .and_then(|r| r.strip_suffix(".json"))
    else {
        return false;
    };
    let mut parts = rest.splitn(3, '-');
    let hash = parts.next().unwrap_or("");
    let flavour = parts.next().unwrap_or("");
    hash.len() == 32
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && matches!(flavour, "d" | "x" | "t")
        && parts.next().is_some_and(|v| !v.is_empty())
}

fn write_entry(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Content hash plus what else changes extraction: the dialect and `.d.ts`-ness of the path,
/// and the tool version (extraction may change between versions).
fn key_for(path: &str, hash: &str) -> String {
    let flavour = if path.ends_with(".d.ts") || path.ends_with(".d.mts") || path.ends_with(".d.cts")
    {
        "d"
    } else if path.ends_with(".tsx") {
        "x"
    } else {
        "t"
    };
    format!("{hash}-{flavour}-{}", crate::VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_on_the_second_run_and_prunes_unused_entries() {
        let dir = tempfile::tempdir().unwrap();
        let text: Arc<str> = Arc::from("export interface A { readonly x: number }\n");
        let cache = ModelCache::open(dir.path());
        let first = cache.model("g/a.ts", "a.ts", Side::Spec, text.clone());
        cache.model(
            "g/b.ts",
            "b.ts",
            Side::Spec,
            Arc::from("export type B = string;\n"),
        );
        assert_eq!(cache.stats(), (0, 2));
        let cache = ModelCache::open(dir.path());
        let second = cache.model("g/a.ts", "a.ts", Side::Spec, text);
        assert_eq!(cache.stats(), (1, 0));
        assert_eq!(first.declarations, second.declarations);
        cache.prune();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // A damaged entry is a miss, not an error.
        let entry = std::fs::read_dir(dir.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        std::fs::write(&entry, "{").unwrap();
        let cache = ModelCache::open(dir.path());
        cache.model(
            "g/a.ts",
            "a.ts",
            Side::Spec,
            Arc::from("export interface A { readonly x: number }\n"),
        );
        assert_eq!(cache.stats(), (0, 1));
    }
}
