//! `.moment/sync.json`: every key optional, unknown keys an error that names the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::WorkspaceError;

/// How a diagnostic of a category is shown in an editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    #[serde(alias = "info")]
    Information,
    Hint,
}

/// The contents of `.moment/sync.json` (and of the editor's `momentSync` settings, which use the
/// same keys).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "moment-sync configuration (.moment/sync.json)")]
pub struct Config {
    /// The JSON Schema this file follows (for editors); ignored by moment-sync.
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The spec side, relative to the root.
    pub generated_dir: Option<String>,
    /// A `.moment` spec (file or folder), relative to the root: when set, the spec side is read
    /// from it and replaces `generatedDir`.
    pub spec: Option<String>,
    /// The implementation side, relative to the root.
    pub implementation_dir: Option<String>,
    /// Globs (relative to the root) a source file must match; default: every TypeScript file.
    pub include: Option<Vec<String>>,
    /// Globs (relative to the root) that exclude files, in addition to the built-in exclusions.
    pub exclude: Option<Vec<String>>,
    /// Editor severity per category: keys "1", "2", "3".
    pub severity: Option<BTreeMap<String, Severity>>,
    /// Language server: milliseconds to wait after an edit before re-checking.
    pub debounce_ms: Option<u64>,
    /// Language server: show code lenses above drifted declarations.
    pub code_lens: Option<bool>,
    /// Language server: log level (`error`, `warn`, `info`, `debug`, `trace`).
    pub log_level: Option<String>,
    /// Folders (relative to the root) searched for consumers of spec types; each folder's
    /// sub-folders are its services. Default: the whole root.
    pub service_dirs: Option<Vec<String>>,
    /// `moment-sync reconcile` exit code per result: keys `APPLIED`, `DRIFT`, `BREAKING`,
    /// `NO_CHANGES` (defaults 0, 0, 1, 0).
    pub reconcile_exit_codes: Option<BTreeMap<String, i32>>,
    /// Largest source file (bytes) that is read; a larger one is refused with an error that names
    /// it, since analysing it would take many times its size in memory. Default 10 MiB.
    pub max_file_bytes: Option<u64>,
}

/// The default of `maxFileBytes`: 10 MiB (analysis holds a few dozen times a file's size at peak,
/// so this keeps one file well under a gigabyte; generated clients of several MB still pass).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

impl Config {
    /// Reads `path`; a missing file is the empty config.
    pub fn load(path: &Path) -> Result<Config, WorkspaceError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => {
                return Err(WorkspaceError::Unreadable {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        Config::parse(&text, path)
    }

    /// Parses config text; errors name the file, line and key.
    pub fn parse(text: &str, path: &Path) -> Result<Config, WorkspaceError> {
        let config: Config =
            serde_json::from_str(text).map_err(|e| config_error(path.to_path_buf(), &e))?;
        config.validate(path)?;
        Ok(config)
    }

    /// Parses the same keys from an editor's JSON settings value.
    pub fn from_value(value: serde_json::Value, origin: &str) -> Result<Config, WorkspaceError> {
        let config: Config =
            serde_json::from_value(value).map_err(|e| config_error(PathBuf::from(origin), &e))?;
        config.validate(Path::new(origin))?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), WorkspaceError> {
        if let Some(severity) = &self.severity {
            for key in severity.keys() {
                if !matches!(key.as_str(), "1" | "2" | "3") {
                    return Err(WorkspaceError::Config {
                        path: path.to_path_buf(),
                        line: 0,
                        message: format!(
                            "unknown severity category `{key}` (expected \"1\", \"2\" or \"3\")"
                        ),
                    });
                }
            }
        }
        if let Some(codes) = &self.reconcile_exit_codes {
            for key in codes.keys() {
                if !matches!(
                    key.as_str(),
                    "APPLIED" | "DRIFT" | "BREAKING" | "NO_CHANGES"
                ) {
                    return Err(WorkspaceError::Config {
                        path: path.to_path_buf(),
                        line: 0,
                        message: format!(
                            "unknown reconcile result `{key}` in `reconcileExitCodes` (expected APPLIED, DRIFT, BREAKING or NO_CHANGES)"
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Later keys win: `self` overlaid with every key that `other` sets.
    pub fn overlay(mut self, other: &Config) -> Config {
        macro_rules! take {
            ($($field:ident),*) => { $( if other.$field.is_some() { self.$field = other.$field.clone(); } )* };
        }
        take!(
            generated_dir,
            spec,
            implementation_dir,
            include,
            exclude,
            severity,
            debounce_ms,
            code_lens,
            log_level,
            service_dirs,
            reconcile_exit_codes,
            max_file_bytes
        );
        self
    }

    /// The severity configured for category `n` (1–3), or the default (1 → information,
    /// 2 → warning, 3 → error).
    pub fn severity_for(&self, category: u8) -> Severity {
        let configured = self
            .severity
            .as_ref()
            .and_then(|s| s.get(&category.to_string()).copied());
        configured.unwrap_or(match category {
            1 => Severity::Information,
            2 => Severity::Warning,
            _ => Severity::Error,
        })
    }
}

fn config_error(path: PathBuf, e: &serde_json::Error) -> WorkspaceError {
    let full = e.to_string();
    let location = format!(" at line {} column {}", e.line(), e.column());
    let message = full
        .strip_suffix(&location)
        .unwrap_or(&full)
        .replace("unknown field", "unknown key")
        .replace("missing field", "missing key");
    WorkspaceError::Config {
        path,
        line: e.line(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_reference_is_accepted() {
        let config = Config::parse(
            "{\"$schema\": \"https://example.test/sync.schema.json\", \"debounceMs\": 5}",
            Path::new(".moment/sync.json"),
        )
        .unwrap();
        assert_eq!(config.debounce_ms, Some(5));
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let err = Config::parse(
            "{\n  \"generatedDir\": \"gen\",\n  \"colour\": 1\n}",
            Path::new(".moment/sync.json"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains(".moment/sync.json:3"), "{err}");
        assert!(err.contains("unknown key `colour`"), "{err}");
    }

    #[test]
    fn wrong_type_and_bad_json_are_errors() {
        let err = Config::parse("{\"include\": \"*.ts\"}", Path::new("c.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid type"), "{err}");
        let err = Config::parse("{\"include\": [", Path::new("c.json"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.json:1:"), "{err}");
    }

    #[test]
    fn severity_defaults_and_overrides() {
        let c = Config::parse("{\"severity\": {\"1\": \"hint\"}}", Path::new("c.json")).unwrap();
        assert_eq!(c.severity_for(1), Severity::Hint);
        assert_eq!(c.severity_for(2), Severity::Warning);
        assert_eq!(c.severity_for(3), Severity::Error);
        assert!(Config::parse("{\"severity\": {\"4\": \"hint\"}}", Path::new("c.json")).is_err());
    }

    #[test]
    fn overlay_keeps_unset_keys() {
        let base = Config {
            generated_dir: Some("a".into()),
            debounce_ms: Some(10),
            ..Default::default()
        };
        let over = Config {
            generated_dir: Some("b".into()),
            ..Default::default()
        };
        let merged = base.overlay(&over);
        assert_eq!(merged.generated_dir.as_deref(), Some("b"));
        assert_eq!(merged.debounce_ms, Some(10));
    }
}
