//! Recorded bases (`.moment/bases/<id>.json`): per-file fingerprints of both sides and the shape
//! digests of the last agreement. Content-addressed, written before the `CursorAdvanced` event
//! that names them, so a crash between the two leaves only an unreferenced file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::StateError;
use crate::drift::base::digest;
use crate::drift::ShapeBase;
use crate::fix::write_atomically;

/// Content hashes of every source file of both sides, by root-relative path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprints {
    pub spec: BTreeMap<String, String>,
    pub implementation: BTreeMap<String, String>,
}

impl Fingerprints {
    /// One hash per side: what the cursor records.
    pub fn side_hashes(&self) -> (String, String) {
        let fold = |m: &BTreeMap<String, String>| {
            let parts: Vec<String> = m.iter().map(|(p, h)| format!("{p}={h}")).collect();
            digest(&parts.iter().map(String::as_str).collect::<Vec<_>>())
        };
        (fold(&self.spec), fold(&self.implementation))
    }
}

/// Paths added, changed and removed between two fingerprint maps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileChanges {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl FileChanges {
    pub fn between(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> FileChanges {
        let mut c = FileChanges::default();
        for (p, h) in new {
            match old.get(p) {
                None => c.added.push(p.clone()),
                Some(o) if o != h => c.changed.push(p.clone()),
                _ => {}
            }
        }
        c.removed = old
            .keys()
            .filter(|p| !new.contains_key(*p))
            .cloned()
            .collect();
        c
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    pub fn len(&self) -> usize {
        self.added.len() + self.changed.len() + self.removed.len()
    }
}

/// One recorded base.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseFile {
    pub files: Fingerprints,
    pub shapes: ShapeBase,
}

fn path_of(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// A base id is a hex digest ([`digest`]); anything else (`../../x` in a tampered log) is not
/// joined to a path.
fn is_base_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Writes `base` under `dir` and returns its id (the digest of its content).
pub fn write(dir: &Path, base: &BaseFile) -> Result<String, StateError> {
    let text =
        serde_json::to_string(base).map_err(|e| StateError::io(dir, std::io::Error::other(e)))?;
    let id = digest(&[&text]);
    let path = path_of(dir, &id);
    if !path.exists() {
        write_atomically(&path, &text).map_err(|source| StateError::io(&path, source))?;
    }
    Ok(id)
}

/// Reads the base `id`.
pub fn load(dir: &Path, id: &str) -> Result<BaseFile, StateError> {
    if !is_base_id(id) {
        return Err(StateError::Invalid(format!(
            "the log names base `{id}`, which is not a base id"
        )));
    }
    let path = path_of(dir, id);
    let text = std::fs::read_to_string(&path).map_err(|source| StateError::io(&path, source))?;
    serde_json::from_str(&text).map_err(|e| StateError::Corrupt {
        path,
        line: e.line(),
        message: format!("not a base: {e}"),
    })
}

/// Removes every base but `keep` (the caller holds the exclusive lock).
pub fn prune(dir: &Path, keep: &str) {
    // Never through a link (`.moment/bases -> ..` once deleted `package.json`), and only files
    // named like a base.
    if !super::cache::is_real_dir(dir) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let keep = format!("{keep}.json");
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let ours = name.strip_suffix(".json").is_some_and(is_base_id);
        let plain_file = e.file_type().is_ok_and(|t| t.is_file());
        if ours && plain_file && name != keep {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
