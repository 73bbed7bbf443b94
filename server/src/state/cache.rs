//! The incremental cache (`.moment/cache/cache.bin`): what a run computed from each source
//! file, keyed by (namespace, path) and confirmed by the content hash of the text it was computed
//! from, so an unchanged file is never parsed again.
//!
//! The cache is generic: callers give a namespace (`"model"`, `"refs"`, …), a path, the file's
//! content hash and a function that computes the value; values are any serde type, stored with
//! `postcard` (compact, binary). The whole cache is one file, read once and written once per
//! run (atomically), so a cold run creates one file instead of thousands.
//!
//! A cache problem is never an error, and never changes a result:
//! - the file starts with a magic, a format number and the caller's *format id* (which changes
//!   whenever the cached types change); any mismatch or a damaged file is an empty cache;
//! - every entry carries a checksum over (namespace, path, content hash, payload): a damaged or
//!   edited entry, or one moved to another file, is a miss;
//! - an entry whose content hash differs from the file's current text is a miss;
//! - a payload that does not decode is a miss.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::support::atomic::write_atomic;
use crate::support::digest::sha256;

/// The file name inside the cache folder.
pub const CACHE_FILE: &str = "cache.bin";
const MAGIC: &[u8; 8] = b"MSYNCCHE";
/// The layout of the file itself (header + entries); the caller's format id covers the values.
const LAYOUT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Key {
    namespace: String,
    path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// The content hash (hex) of the source text the payload was computed from.
    content: String,
    payload: Vec<u8>,
    /// First 8 bytes of SHA-256 over namespace, path, content and payload.
    check: [u8; 8],
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    layout: u32,
    format: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Body {
    entries: Vec<(Key, Entry)>,
}

fn checksum(key: &Key, content: &str, payload: &[u8]) -> [u8; 8] {
    let mut bytes = Vec::with_capacity(key.namespace.len() + key.path.len() + content.len() + 3);
    for part in [
        key.namespace.as_bytes(),
        key.path.as_bytes(),
        content.as_bytes(),
    ] {
        bytes.extend_from_slice(part);
        bytes.push(0);
    }
    bytes.extend_from_slice(payload);
    let d = sha256(&bytes);
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

/// Counts of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: usize,
    pub misses: usize,
    /// Entries found damaged (bad checksum or undecodable payload).
    pub damaged: usize,
}

/// The cache of one run, shared by parallel loaders.
#[derive(Debug, Default)]
pub struct Cache {
    /// `None`: disabled (runs without state write nothing).
    file: Option<PathBuf>,
    /// What the file held when opened.
    old: HashMap<Key, Entry>,
    /// What this run used (`None`: the old entry) or computed: what [`Cache::save`] writes.
    used: Mutex<HashMap<Key, Option<Entry>>>,
    /// Something differs from the file (a miss, or an old entry not used).
    dirty: AtomicBool,
    hits: AtomicUsize,
    misses: AtomicUsize,
    damaged: AtomicUsize,
}

impl Cache {
    /// The cache in folder `dir` for values of `format` (an id that changes whenever the cached
    /// types do). A missing, unreadable, foreign or damaged file is an empty cache.
    pub fn open(dir: &Path, format: &str) -> Cache {
        // Never through a symbolic link (a cloned `.moment/cache -> ../..` must not be written
        // into): a linked folder is no cache at all.
        if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
            tracing::warn!("{}: a symbolic link, not used as the cache", dir.display());
            return Cache::disabled();
        }
        let file = dir.join(CACHE_FILE);
        let old = match std::fs::read(&file) {
            Ok(bytes) => decode(&bytes, format).unwrap_or_else(|why| {
                tracing::debug!("{}: ignored ({why})", file.display());
                HashMap::new()
            }),
            Err(_) => HashMap::new(),
        };
        Cache {
            file: Some(file),
            old,
            ..Default::default()
        }
    }

    /// A cache that never reads or writes.
    pub fn disabled() -> Cache {
        Cache::default()
    }

    pub fn is_enabled(&self) -> bool {
        self.file.is_some()
    }

    /// The value of `namespace` for `path` whose text has content hash `content`: from the
    /// cache when a sound entry exists, else `compute()` (remembered for [`Cache::save`]).
    pub fn get_or_compute<T: Serialize + DeserializeOwned>(
        &self,
        namespace: &str,
        path: &str,
        content: &str,
        compute: impl FnOnce() -> T,
    ) -> T {
        let key = Key {
            namespace: namespace.to_string(),
            path: path.to_string(),
        };
        if let Some(value) = self.lookup(&key, content) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return value;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let value = compute();
        if self.file.is_some() {
            if let Ok(payload) = postcard::to_stdvec(&value) {
                let check = checksum(&key, content, &payload);
                let entry = Entry {
                    content: content.to_string(),
                    payload,
                    check,
                };
                self.dirty.store(true, Ordering::Relaxed);
                if let Ok(mut used) = self.used.lock() {
                    used.insert(key, Some(entry));
                }
            }
        }
        value
    }

    fn lookup<T: DeserializeOwned>(&self, key: &Key, content: &str) -> Option<T> {
        let entry = self.old.get(key)?;
        if entry.content != content {
            return None;
        }
        if checksum(key, &entry.content, &entry.payload) != entry.check {
            self.damaged.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let Ok(value) = postcard::from_bytes(&entry.payload) else {
            self.damaged.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        if let Ok(mut used) = self.used.lock() {
            used.insert(key.clone(), None);
        }
        Some(value)
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            damaged: self.damaged.load(Ordering::Relaxed),
        }
    }

    /// Writes what this run used (entries of files that no longer exist, or of older texts,
    /// are dropped) when it differs from the file. A failure is logged, never an error: a lost
    /// cache is a slower next run.
    pub fn save(&self, format: &str) {
        let Some(file) = &self.file else { return };
        let Ok(used) = self.used.lock() else { return };
        let unchanged = !self.dirty.load(Ordering::Relaxed)
            && used.len() == self.old.len()
            && self.stats().damaged == 0;
        if unchanged {
            return;
        }
        let mut entries: Vec<(Key, Entry)> = used
            .iter()
            .filter_map(|(k, e)| Some((k.clone(), e.clone().or_else(|| self.old.get(k).cloned())?)))
            .collect();
        // A stable order: the same content gives the same file.
        entries.sort_by(|a, b| (&a.0.namespace, &a.0.path).cmp(&(&b.0.namespace, &b.0.path)));
        match encode(format, Body { entries }) {
            Ok(bytes) => {
                if let Err(e) = write_atomic(file, &bytes, None) {
                    tracing::warn!("cannot write the cache {}: {e}", file.display());
                }
            }
            Err(e) => tracing::warn!("cannot encode the cache: {e}"),
        }
    }
}

fn encode(format: &str, body: Body) -> Result<Vec<u8>, postcard::Error> {
    let mut out = MAGIC.to_vec();
    out.extend(postcard::to_stdvec(&Header {
        layout: LAYOUT,
        format: format.to_string(),
    })?);
    out.extend(postcard::to_stdvec(&body)?);
    Ok(out)
}

fn decode(bytes: &[u8], format: &str) -> Result<HashMap<Key, Entry>, String> {
    let rest = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or("not a moment-sync cache")?;
    let (header, rest): (Header, &[u8]) =
        postcard::take_from_bytes(rest).map_err(|e| format!("bad header: {e}"))?;
    if header.layout != LAYOUT || header.format != format {
        return Err("written by another version".to_string());
    }
    let body: Body = postcard::from_bytes(rest).map_err(|e| format!("damaged: {e}"))?;
    Ok(body.entries.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(cache: &Cache, path: &str, content: &str, v: u32) -> u32 {
        cache.get_or_compute("n", path, content, || v)
    }

    #[test]
    fn hits_on_the_second_run_and_drops_unused_entries() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path(), "f1");
        assert_eq!(value(&cache, "a.ts", "h1", 1), 1);
        assert_eq!(value(&cache, "b.ts", "h2", 2), 2);
        assert_eq!(cache.stats().misses, 2);
        cache.save("f1");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "one file"
        );

        let cache = Cache::open(dir.path(), "f1");
        assert_eq!(value(&cache, "a.ts", "h1", 99), 1, "from the cache");
        // Another text of the same path is a miss.
        assert_eq!(value(&cache, "b.ts", "h3", 3), 3);
        assert_eq!((cache.stats().hits, cache.stats().misses), (1, 1));
        cache.save("f1");
        let cache = Cache::open(dir.path(), "f1");
        assert_eq!(cache.old.len(), 2);
        assert_eq!(value(&cache, "b.ts", "h3", 99), 3);

        // Another format id: everything is a miss.
        let cache = Cache::open(dir.path(), "f2");
        assert_eq!(value(&cache, "a.ts", "h1", 7), 7);
    }

    #[test]
    fn damaged_or_tampered_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path(), "f");
        value(&cache, "a.ts", "ha", 1);
        value(&cache, "b.ts", "hb", 2);
        cache.save("f");
        let file = dir.path().join(CACHE_FILE);

        // Swap the two (each well-formed) payloads: both entries are now lies.
        let bytes = std::fs::read(&file).unwrap();
        let mut entries = decode(&bytes, "f").unwrap();
        let a = Key {
            namespace: "n".into(),
            path: "a.ts".into(),
        };
        let b = Key {
            namespace: "n".into(),
            path: "b.ts".into(),
        };
        let pa = entries[&a].payload.clone();
        let pb = entries[&b].payload.clone();
        entries.get_mut(&a).unwrap().payload = pb;
        entries.get_mut(&b).unwrap().payload = pa;
        let body = Body {
            entries: entries.into_iter().collect(),
        };
        std::fs::write(&file, encode("f", body).unwrap()).unwrap();
        let cache = Cache::open(dir.path(), "f");
        assert_eq!(value(&cache, "a.ts", "ha", 10), 10);
        assert_eq!(value(&cache, "b.ts", "hb", 20), 20);
        assert_eq!(cache.stats().damaged, 2);

        // Garbage: an empty cache, not an error.
        std::fs::write(&file, b"MSYNCCHE\x01garbage").unwrap();
        let cache = Cache::open(dir.path(), "f");
        assert_eq!(value(&cache, "a.ts", "ha", 5), 5);
        cache.save("f");
        assert_eq!(value(&Cache::open(dir.path(), "f"), "a.ts", "ha", 0), 5);
    }

    #[test]
    fn a_disabled_cache_computes_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::disabled();
        assert_eq!(value(&cache, "a.ts", "h", 1), 1);
        cache.save("f");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
