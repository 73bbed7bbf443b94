//! Settings: `.moment/sync.json`, overlaid by `initializationOptions`, overlaid by the client's
//! `workspace/configuration` section `momentSync`. All three use the keys of `workspace::Config`;
//! the editor's settings may also name the `actor` recorded with decisions (an editor-only key).

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::ls_types::InitializeParams;

use super::documents::file_path;
use crate::workspace::{Config, Workspace, WorkspaceError};

/// The settings section the server asks the client for.
pub const SECTION: &str = "momentSync";
const DEFAULT_DEBOUNCE_MS: u64 = 150;
/// The editor-only key naming who decides (else git's `user.name`, else `$USER`, else
/// [`fallback_actor`]).
const ACTOR: &str = "actor";

/// The settings object itself: bare or wrapped in `{ "momentSync": … }` (what editors send for
/// `initializationOptions` varies); `None` for "nothing set".
fn section(value: Option<&Value>) -> Option<&Value> {
    let value = match value {
        None | Some(Value::Null) => return None,
        Some(Value::Object(map)) if map.len() == 1 && map.contains_key(SECTION) => &map[SECTION],
        Some(v) => v,
    };
    (!value.is_null()).then_some(value)
}

/// Parses editor settings (the keys of `workspace::Config`, plus `actor`, see [`actor`]).
pub fn from_settings(value: Option<&Value>, origin: &str) -> Result<Config, WorkspaceError> {
    let Some(value) = section(value) else {
        return Ok(Config::default());
    };
    let mut value = value.clone();
    if let Value::Object(map) = &mut value {
        map.remove(ACTOR);
    }
    Config::from_value(value, origin)
}

/// The `actor` editor settings name, if any (a non-empty string).
pub fn actor(value: Option<&Value>) -> Option<String> {
    section(value)?
        .get(ACTOR)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Who decides when neither the settings, git's `user.name` nor `$USER` say (containers): the
/// editor's user, named after the editor (`Neovim user`), so that a decision is never lost for
/// want of a name. The `actor` setting names the person instead.
pub fn fallback_actor(client_name: Option<&str>) -> String {
    let name = client_name.map(str::trim).filter(|n| !n.is_empty());
    format!("{} user", name.unwrap_or("editor"))
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

/// Whether two workspaces select the same files on the same sides: only then can an index of
/// one serve the other (a settings change that keeps them needs no re-index).
pub fn same_files(a: &Workspace, b: &Workspace) -> bool {
    let selection = |w: &Workspace| {
        (
            w.root.clone(),
            w.generated_dir.clone(),
            w.implementation_dir.clone(),
            w.config.include.clone(),
            w.config.exclude.clone(),
            w.config.service_dirs.clone(),
            // The index holds the `.moment` spec as read from disk.
            w.spec.clone(),
        )
    };
    selection(a) == selection(b)
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

    #[test]
    fn actor_is_an_editor_only_key() {
        let v = json!({"momentSync": {"actor": " ann ", "debounceMs": 5}});
        assert_eq!(actor(Some(&v)).as_deref(), Some("ann"));
        assert_eq!(
            from_settings(Some(&v), "init").unwrap().debounce_ms,
            Some(5)
        );
        assert_eq!(actor(Some(&json!({"actor": ""}))), None);
        assert_eq!(actor(None), None);
    }

    #[test]
    fn fallback_actor_names_the_editor() {
        assert_eq!(fallback_actor(Some("Neovim")), "Neovim user");
        assert_eq!(fallback_actor(Some(" ")), "editor user");
        assert_eq!(fallback_actor(None), "editor user");
    }
}
