//! Settings: `.moment/sync.json`, overlaid by `initializationOptions`, overlaid by the client's
//! `workspace/configuration` section `momentSync`. All three use the keys of `workspace::Config`.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::ls_types::InitializeParams;

use super::documents::file_path;
use crate::workspace::{Config, WorkspaceError};

/// The settings section the server asks the client for.
pub const SECTION: &str = "momentSync";
const DEFAULT_DEBOUNCE_MS: u64 = 150;

/// Parses editor settings. `null` means "nothing set"; settings may be given bare or wrapped in
/// `{ "momentSync": … }` (what editors send for `initializationOptions` varies).
pub fn from_settings(value: Option<&Value>, origin: &str) -> Result<Config, WorkspaceError> {
    let value = match value {
        None | Some(Value::Null) => return Ok(Config::default()),
        Some(Value::Object(map)) if map.len() == 1 && map.contains_key(SECTION) => &map[SECTION],
        Some(v) => v,
    };
    if value.is_null() {
        return Ok(Config::default());
    }
    Config::from_value(value.clone(), origin)
}

/// The folder the client opened: the first workspace folder, else the deprecated `rootUri`.
/// The project root is then discovered from it (drift-model §1).
pub fn client_folder(params: &InitializeParams) -> Option<PathBuf> {
    if let Some(folder) = params.workspace_folders.as_ref().and_then(|f| f.first()) {
        return file_path(&folder.uri);
    }
    #[allow(deprecated)]
    let root_uri = params.root_uri.as_ref();
    root_uri.and_then(file_path)
}

pub fn debounce(config: &Config) -> Duration {
    Duration::from_millis(config.debounce_ms.unwrap_or(DEFAULT_DEBOUNCE_MS))
}

pub fn code_lens_enabled(config: &Config) -> bool {
    config.code_lens.unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_bare_wrapped_or_absent() {
        let bare = from_settings(Some(&json!({"debounceMs": 5})), "init").expect("valid");
        assert_eq!(bare.debounce_ms, Some(5));
        let wrapped = from_settings(Some(&json!({"momentSync": {"codeLens": false}})), "init")
            .expect("valid");
        assert_eq!(wrapped.code_lens, Some(false));
        assert_eq!(
            from_settings(Some(&Value::Null), "init").expect("valid"),
            Config::default()
        );
        let err = from_settings(Some(&json!({"colour": 1})), "initializationOptions")
            .expect_err("unknown key");
        assert!(err.to_string().contains("unknown key `colour`"), "{err}");
    }
}
