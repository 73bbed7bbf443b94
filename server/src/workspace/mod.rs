//! The workspace: root discovery, configuration and the source files of both sides
//! (drift-model §1).

mod config;
mod confine;
mod files;
mod leftovers;

use std::path::{Path, PathBuf};

pub use config::{Config, Severity};
pub use confine::{
    check_entry_name, check_relative, confined, inside_root, writable_file, PathEscape,
};
pub use files::{regular_files, SourceFile};
pub use leftovers::{clean_leftovers, temp_file_pid};

use crate::model::Side;

/// Errors a user can cause: each names the file (and line) and the problem.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{}:{line}: {message}", path.display())]
    Config {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{what} folder `{}` does not exist", path.display())]
    MissingDir { what: &'static str, path: PathBuf },
    #[error("root `{}` is not a folder", path.display())]
    BadRoot { path: PathBuf },
    #[error("cannot read `{}`: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "`{}` is {size} bytes, above the {limit}-byte limit: not analysed (raise `maxFileBytes` in .moment/sync.json to read it)",
        path.display()
    )]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("`{}` is not valid UTF-8 (first bad byte at offset {offset})", path.display())]
    NotUtf8 { path: PathBuf, offset: usize },
    #[error(transparent)]
    Spec(#[from] crate::moment::MomentError),
    #[error(transparent)]
    Escape(#[from] PathEscape),
    #[error("invalid glob `{pattern}` in {origin}: {message}")]
    BadGlob {
        pattern: String,
        origin: String,
        message: String,
    },
}

/// A resolved workspace: root, configuration and the two side folders.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub config: Config,
    /// Relative to the root, `/` separators, no trailing slash.
    pub generated_dir: String,
    pub implementation_dir: String,
    /// The `.moment` spec (file or folder, root-relative) when the spec side is read from it;
    /// `generated_dir` then only names where the emitter's output would be (for ids and the
    /// stale-output report).
    pub spec: Option<String>,
    filter: files::Filter,
}

/// The folder holding local state.
pub const STATE_DIR: &str = ".moment";
/// The config file, relative to the root.
pub const CONFIG_FILE: &str = ".moment/sync.json";
/// Where upstream event signals arrive, relative to the root.
pub const EVENTS_DIR: &str = ".complai/events/moment";

const DEFAULT_GENERATED: &str = "generated";
const FALLBACK_GENERATED: &str = ".moment/generated/typescript/src";
const DEFAULT_IMPLEMENTATION: &str = "src/domain";

/// The project root for `start`: the nearest ancestor holding `.moment/`, else the git work-tree
/// root, else `start` itself.
pub fn discover_root(start: &Path) -> PathBuf {
    let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    if let Some(dir) = start.ancestors().find(|d| d.join(STATE_DIR).is_dir()) {
        return dir.to_path_buf();
    }
    if let Some(dir) = start.ancestors().find(|d| d.join(".git").exists()) {
        return dir.to_path_buf();
    }
    start
}

impl Workspace {
    /// Opens the workspace at `root` with `.moment/sync.json` overlaid by `overrides`
    /// (command-line flags or editor settings).
    pub fn open(root: &Path, overrides: &Config) -> Result<Workspace, WorkspaceError> {
        if !root.is_dir() {
            return Err(WorkspaceError::BadRoot {
                path: root.to_path_buf(),
            });
        }
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        // A cloned repository may commit `.moment -> ..`: nothing inside `.moment/` is followed.
        confined(&root, CONFIG_FILE, "the state folder (.moment/)")?;
        let config = Config::load(&root.join(CONFIG_FILE))?.overlay(overrides);
        Workspace::with_config(root, config)
    }

    /// Opens the workspace with an already merged configuration.
    pub fn with_config(root: PathBuf, config: Config) -> Result<Workspace, WorkspaceError> {
        let generated_dir = match &config.generated_dir {
            Some(dir) => normalize_dir(dir),
            None if !root.join(DEFAULT_GENERATED).is_dir()
                && root.join(FALLBACK_GENERATED).is_dir() =>
            {
                FALLBACK_GENERATED.to_string()
            }
            None => DEFAULT_GENERATED.to_string(),
        };
        let implementation_dir = normalize_dir(
            config
                .implementation_dir
                .as_deref()
                .unwrap_or(DEFAULT_IMPLEMENTATION),
        );
        // Sides are read and written: they must resolve inside the root.
        inside_root(&root, &generated_dir, "the spec side (generatedDir)")?;
        inside_root(
            &root,
            &implementation_dir,
            "the implementation side (implementationDir)",
        )?;
        let spec = config.spec.as_deref().map(normalize_dir);
        if let Some(spec) = &spec {
            inside_root(&root, spec, "the spec (spec)")?;
            if !root.join(spec).exists() {
                return Err(crate::moment::MomentError::Missing {
                    path: root.join(spec),
                }
                .into());
            }
        } else {
            require_dir(&root, &generated_dir, "spec side (generatedDir)")?;
        }
        require_dir(
            &root,
            &implementation_dir,
            "implementation side (implementationDir)",
        )?;
        let filter = files::Filter::new(&config)?;
        Ok(Workspace {
            root,
            config,
            generated_dir,
            implementation_dir,
            spec,
            filter,
        })
    }

    /// The folder of a side, relative to the root.
    pub fn side_dir(&self, side: Side) -> &str {
        match side {
            Side::Spec => &self.generated_dir,
            Side::Implementation => &self.implementation_dir,
        }
    }

    /// Every source file of both sides, sorted by path: spec files first.
    /// With a `.moment` spec, only the implementation's files (the spec side is
    /// [`crate::moment::LoadedSpec`]).
    pub fn source_files(&self) -> Result<Vec<SourceFile>, WorkspaceError> {
        let mut all = if self.spec.is_some() {
            Vec::new()
        } else {
            files::walk_side(&self.root, &self.generated_dir, Side::Spec, &self.filter)?
        };
        all.extend(files::walk_side(
            &self.root,
            &self.implementation_dir,
            Side::Implementation,
            &self.filter,
        )?);
        Ok(all)
    }

    /// The files in `generatedDir` (empty when it does not exist): with a `.moment` spec, what
    /// the stale-output report compares against.
    pub fn generated_files(&self) -> Result<Vec<SourceFile>, WorkspaceError> {
        if !self.root.join(&self.generated_dir).is_dir() {
            return Ok(Vec::new());
        }
        files::walk_side(&self.root, &self.generated_dir, Side::Spec, &self.filter)
    }

    /// Classifies an absolute path: which side it is on and its root- and side-relative paths,
    /// or `None` when it is not a source file of either side.
    pub fn classify(&self, path: &Path) -> Option<SourceFile> {
        files::classify(
            &self.root,
            path,
            &self.generated_dir,
            &self.implementation_dir,
            &self.filter,
        )
        // With a `.moment` spec, files in `generatedDir` are nobody's side.
        .filter(|f| self.spec.is_none() || f.side == Side::Implementation)
    }

    /// Reads and projects the `.moment` spec, when one is configured; a spec with syntax errors
    /// is an error listing every one (nothing is compared against half a spec).
    pub fn load_spec(&self) -> Result<Option<crate::moment::LoadedSpec>, WorkspaceError> {
        let Some(spec) = &self.spec else {
            return Ok(None);
        };
        let loaded = crate::moment::LoadedSpec::read(&self.root, spec)?.require_valid()?;
        Ok(Some(loaded))
    }

    /// Absolute path of a root-relative file the tool is about to replace, refusing paths that
    /// leave the root and symbolic links (see [`writable_file`]).
    pub fn writable(&self, rel: &str) -> Result<PathBuf, WorkspaceError> {
        Ok(writable_file(&self.root, rel, "a file to fix")?)
    }

    /// Absolute path of a root-relative path.
    pub fn absolute(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The implementation file that pairs with a spec file at `side_path` by relative path.
    pub fn implementation_path_for(&self, spec_side_path: &str) -> String {
        join_rel(&self.implementation_dir, spec_side_path)
    }
}

fn require_dir(root: &Path, rel: &str, what: &'static str) -> Result<(), WorkspaceError> {
    let path = root.join(rel);
    if path.is_dir() {
        Ok(())
    } else {
        Err(WorkspaceError::MissingDir { what, path })
    }
}

/// `a/b/` → `a/b`, `./a` → `a`, backslashes to slashes.
fn normalize_dir(dir: &str) -> String {
    let dir = dir.replace('\\', "/");
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    if dir.is_empty() {
        ".".to_string()
    } else {
        dir.to_string()
    }
}

pub use crate::support::paths::join_rel;
