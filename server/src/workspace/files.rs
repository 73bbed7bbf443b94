//! Walking the two side folders and classifying paths.

use std::path::{Path, PathBuf};

use globset::{GlobSet, GlobSetBuilder};

use super::{join_rel, Config, WorkspaceError};
use crate::model::Side;

/// A source file of one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub abs_path: PathBuf,
    /// Relative to the root, `/` separators.
    pub rel_path: String,
    /// Relative to its side's folder.
    pub side_path: String,
    pub side: Side,
    /// The `maxFileBytes` limit in force when the file was found.
    pub max_bytes: u64,
}

impl SourceFile {
    /// Reads the file as UTF-8 (a BOM is kept: it is part of the text positions count from).
    /// A file above `max_bytes` is refused before it is read (issue 14 item 9: a 50 MB file took
    /// 2.8 GB to analyse).
    pub fn read(&self) -> Result<String, WorkspaceError> {
        let unreadable = |source| WorkspaceError::Unreadable {
            path: PathBuf::from(&self.rel_path),
            source,
        };
        let size = std::fs::metadata(&self.abs_path).map_err(unreadable)?.len();
        if size > self.max_bytes {
            return Err(WorkspaceError::TooLarge {
                path: PathBuf::from(&self.rel_path),
                size,
                limit: self.max_bytes,
            });
        }
        let bytes = std::fs::read(&self.abs_path).map_err(unreadable)?;
        String::from_utf8(bytes).map_err(|e| WorkspaceError::NotUtf8 {
            path: PathBuf::from(&self.rel_path),
            offset: e.utf8_error().valid_up_to(),
        })
    }
}

const DEFAULT_INCLUDE: &[&str] = &["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts"];
/// Never compared: tests are not spec (drift-model §1), dependencies are nobody's domain.
const BUILT_IN_EXCLUDE: &[&str] = &[
    "**/node_modules/**",
    "**/__tests__/**",
    "**/*.spec.ts",
    "**/*.test.ts",
    "**/*.spec.tsx",
    "**/*.test.tsx",
];

/// The include/exclude globs, matched against root-relative paths.
#[derive(Debug, Clone)]
pub struct Filter {
    include: GlobSet,
    exclude: GlobSet,
    max_bytes: u64,
}

impl Filter {
    pub fn new(config: &Config) -> Result<Filter, WorkspaceError> {
        let include: Vec<String> = match &config.include {
            Some(globs) => globs.clone(),
            None => DEFAULT_INCLUDE.iter().map(|s| s.to_string()).collect(),
        };
        let mut exclude: Vec<String> = BUILT_IN_EXCLUDE.iter().map(|s| s.to_string()).collect();
        exclude.extend(config.exclude.iter().flatten().cloned());
        Ok(Filter {
            include: build_set(&include, "include")?,
            exclude: build_set(&exclude, "exclude")?,
            max_bytes: config
                .max_file_bytes
                .unwrap_or(super::config::DEFAULT_MAX_FILE_BYTES),
        })
    }

    pub fn accepts(&self, rel_path: &str) -> bool {
        crate::syntax::is_typescript(Path::new(rel_path))
            && self.include.is_match(rel_path)
            && !self.exclude.is_match(rel_path)
    }
}

fn build_set(patterns: &[String], origin: &str) -> Result<GlobSet, WorkspaceError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        // As in `.gitignore` and tsconfig `include`: `*` stays within one folder, `**` crosses.
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| WorkspaceError::BadGlob {
                pattern: pattern.clone(),
                origin: format!("`{origin}`"),
                message: e.kind().to_string(),
            })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| WorkspaceError::BadGlob {
        pattern: patterns.join(", "),
        origin: format!("`{origin}`"),
        message: e.to_string(),
    })
}

/// Every accepted file below `root/dir`, sorted by path.
pub fn walk_side(
    root: &Path,
    dir: &str,
    side: Side,
    filter: &Filter,
) -> Result<Vec<SourceFile>, WorkspaceError> {
    let base = root.join(dir);
    let mut out = Vec::new();
    let files = regular_files(&base).map_err(|source| WorkspaceError::Unreadable {
        path: base.clone(),
        source,
    })?;
    for (abs_path, side_rel) in files {
        let side_path = slash_path(&side_rel);
        let rel_path = join_rel(dir, &side_path);
        if filter.accepts(&rel_path) {
            out.push(SourceFile {
                abs_path,
                rel_path,
                side_path,
                side,
                max_bytes: filter.max_bytes,
            });
        }
    }
    out.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Ok(out)
}

/// Every regular file below `base` (symlinks, `.git/` and `node_modules/` skipped), with its path
/// relative to `base`. Shared by the side walk and the artifact store.
pub fn regular_files(base: &Path) -> std::io::Result<Vec<(PathBuf, PathBuf)>> {
    let walker = ignore::WalkBuilder::new(base)
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(|e| !matches!(e.file_name().to_str(), Some("node_modules" | ".git")))
        .build();
    let mut out = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|e| {
            e.into_io_error()
                .unwrap_or_else(|| std::io::Error::other("cannot walk the folder"))
        })?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(base) {
            out.push((entry.path().to_path_buf(), rel.to_path_buf()));
        }
    }
    Ok(out)
}

/// Which side `path` is on, if it is an accepted source file of either.
pub fn classify(
    root: &Path,
    path: &Path,
    spec_dir: &str,
    impl_dir: &str,
    filter: &Filter,
) -> Option<SourceFile> {
    let rel = path.strip_prefix(root).ok()?;
    let rel_path = slash_path(rel);
    if !filter.accepts(&rel_path) {
        return None;
    }
    // The longer folder wins when one side is nested in the other.
    let mut sides = [(spec_dir, Side::Spec), (impl_dir, Side::Implementation)];
    sides.sort_by_key(|(dir, _)| std::cmp::Reverse(dir.len()));
    for (dir, side) in sides {
        let side_path = if dir == "." {
            Some(rel_path.as_str())
        } else {
            rel_path.strip_prefix(dir).and_then(|r| r.strip_prefix('/'))
        };
        if let Some(side_path) = side_path {
            return Some(SourceFile {
                abs_path: path.to_path_buf(),
                rel_path: rel_path.clone(),
                side_path: side_path.to_string(),
                side,
                max_bytes: filter.max_bytes,
            });
        }
    }
    None
}

fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
