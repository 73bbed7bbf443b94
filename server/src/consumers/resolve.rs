//! Where an import points: inside the workspace (a possible consumer of spec types) or to a
//! package (`import { Invoice } from 'stripe'` is Stripe's `Invoice`, never the spec's).
//!
//! TypeScript's rules, as far as consumption needs them: relative specifiers (`./x`, `../x`) stay
//! inside the workspace unless they reach into `node_modules/` or above the root; a bare specifier
//! is a package unless the root `tsconfig.json` maps it (`compilerOptions.paths`, one `*`
//! wildcard) or it names a file below `compilerOptions.baseUrl`. A specifier that maps but whose
//! file does not exist (yet) still counts as the workspace's: detection errs towards consumers.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

/// Extensions TypeScript tries for an extension-less specifier, and the `index` files.
const CANDIDATES: &[&str] = &[
    ".ts",
    ".tsx",
    ".d.ts",
    ".mts",
    ".cts",
    "/index.ts",
    "/index.tsx",
    "/index.d.ts",
];

/// The root `tsconfig.json` settings that map bare specifiers.
#[derive(Debug, Clone, Default)]
pub struct ImportResolver {
    root: PathBuf,
    /// Absolute `baseUrl`, when set.
    base_url: Option<PathBuf>,
    /// `paths` patterns (`@domain/*`), in file order.
    patterns: Vec<String>,
    /// What the fixes need: patterns with their targets, root-relative.
    path_map: crate::fix::PathMap,
}

#[derive(Deserialize, Default)]
struct TsConfig {
    #[serde(rename = "compilerOptions", default)]
    compiler_options: CompilerOptions,
}

#[derive(Deserialize, Default)]
struct CompilerOptions {
    #[serde(rename = "baseUrl")]
    base_url: Option<String>,
    #[serde(default)]
    paths: serde_json::Map<String, serde_json::Value>,
}

impl ImportResolver {
    /// Reads `root/tsconfig.json` when it exists. An unreadable or malformed tsconfig maps nothing
    /// (a warning says so): consumption is advisory and must not stop `check`.
    pub fn for_root(root: &Path) -> ImportResolver {
        let path = root.join("tsconfig.json");
        let mut out = ImportResolver {
            root: root.to_path_buf(),
            ..ImportResolver::default()
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            return out;
        };
        match serde_json::from_str::<TsConfig>(&strip_jsonc(&text)) {
            Ok(config) => {
                let options = config.compiler_options;
                out.path_map = path_map(options.base_url.as_deref(), &options.paths);
                out.base_url = options.base_url.map(|b| root.join(b));
                out.patterns = options.paths.keys().cloned().collect();
            }
            Err(e) => tracing::warn!(
                "{}: not used to resolve imports: line {}: {e}",
                path.display(),
                e.line()
            ),
        }
        out
    }

    /// The tsconfig's `paths` and `baseUrl` as the fixes resolve them (root-relative).
    pub fn path_map(&self) -> crate::fix::PathMap {
        self.path_map.clone()
    }

    /// Whether `specifier`, imported by the root-relative file `importer`, points into the
    /// workspace's own sources.
    pub fn is_internal(&self, importer: &str, specifier: &str) -> bool {
        if specifier.starts_with("./")
            || specifier.starts_with("../")
            || specifier == "."
            || specifier == ".."
        {
            let dir = Path::new(importer).parent().unwrap_or(Path::new(""));
            return match lexical_join(dir, specifier) {
                Some(path) => !path.components().any(|c| c.as_os_str() == "node_modules"),
                // Above the root: not one of ours.
                None => false,
            };
        }
        if self.patterns.iter().any(|p| pattern_matches(p, specifier)) {
            return true;
        }
        match &self.base_url {
            Some(base) => {
                let target = base.join(specifier);
                target.starts_with(&self.root) && exists_as_module(&target)
            }
            None => false,
        }
    }
}

/// `paths` targets are relative to `baseUrl` when it is set, else to the tsconfig's folder (the
/// root); targets that are not strings are ignored.
fn path_map(
    base_url: Option<&str>,
    paths: &serde_json::Map<String, serde_json::Value>,
) -> crate::fix::PathMap {
    let base = base_url.map(|b| b.trim_start_matches("./").trim_end_matches('/'));
    let base = base.map(|b| if b == "." { "" } else { b });
    let under = |t: &str| {
        let t = t.trim_start_matches("./");
        match base {
            Some(b) if !b.is_empty() => format!("{b}/{t}"),
            _ => t.to_string(),
        }
    };
    crate::fix::PathMap {
        base_url: base.map(str::to_string),
        paths: paths
            .iter()
            .map(|(pattern, targets)| {
                let targets = targets
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str())
                    .map(under)
                    .collect();
                (pattern.clone(), targets)
            })
            .collect(),
    }
}

/// `dir/specifier` without `..` escaping above `dir`'s root (`None` then).
fn lexical_join(dir: &Path, specifier: &str) -> Option<PathBuf> {
    let mut parts: Vec<std::ffi::OsString> = Vec::new();
    for c in dir.join(specifier).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_os_string()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            // A root-relative importer has no root or prefix; an absolute specifier is not ours.
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

/// A `paths` key: exact, or with one `*` matching any text.
fn pattern_matches(pattern: &str, specifier: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == specifier,
        Some((prefix, suffix)) => {
            specifier.len() >= prefix.len() + suffix.len()
                && specifier.starts_with(prefix)
                && specifier.ends_with(suffix)
        }
    }
}

/// Whether a module file exists for `target` (as written, with a TypeScript extension, or as a
/// folder's `index`); `.js` specifiers name their `.ts` source.
fn exists_as_module(target: &Path) -> bool {
    let text = target.to_string_lossy();
    let stem = text
        .strip_suffix(".js")
        .or_else(|| text.strip_suffix(".mjs"))
        .or_else(|| text.strip_suffix(".cjs"))
        .unwrap_or(&text);
    target.is_file()
        || CANDIDATES
            .iter()
            .any(|ext| Path::new(&format!("{stem}{ext}")).is_file())
}

/// JSON with comments and trailing commas (what `tsconfig.json` allows) as plain JSON. Strings
/// are kept as they are; comments become spaces so that error lines stay right.
pub fn strip_jsonc(text: &str) -> String {
    let b = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
                out.extend_from_slice(&b[start..i]);
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
                for &c in &b[i..end] {
                    out.push(if c == b'\n' { b'\n' } else { b' ' });
                }
                i = end;
            }
            b',' => {
                // A trailing comma: the next significant byte closes the object or array.
                let mut j = i + 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                out.push(if matches!(b.get(j), Some(b'}' | b']')) {
                    b' '
                } else {
                    b','
                });
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_bare_specifiers() {
        let r = ImportResolver::default();
        assert!(r.is_internal("svc/a.ts", "../generated/billing"));
        assert!(r.is_internal("svc/a.ts", "./types.js"));
        assert!(!r.is_internal("svc/a.ts", "stripe"));
        assert!(!r.is_internal("svc/a.ts", "@stripe/types"));
        assert!(!r.is_internal("svc/a.ts", "../../outside"));
        assert!(!r.is_internal("svc/a.ts", "../node_modules/stripe"));
    }

    #[test]
    fn tsconfig_paths_and_base_url() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("tsconfig.json"),
            "{\n  // comments and trailing commas are allowed\n  \"compilerOptions\": {\n    \"baseUrl\": \".\", /* here too */\n    \"paths\": { \"@domain/*\": [\"src/domain/*\"], \"#billing\": [\"src/billing.ts\"], },\n  },\n}\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("lib")).unwrap();
        std::fs::write(dir.path().join("lib/money.ts"), "export type M = 1;").unwrap();
        let r = ImportResolver::for_root(dir.path());
        assert!(r.is_internal("apps/a.ts", "@domain/billing/invoice.types"));
        assert!(r.is_internal("apps/a.ts", "#billing"));
        assert!(r.is_internal("apps/a.ts", "lib/money"), "baseUrl file");
        assert!(
            r.is_internal("apps/a.ts", "lib/money.js"),
            "baseUrl file, .js convention"
        );
        assert!(!r.is_internal("apps/a.ts", "lib/none"));
        assert!(!r.is_internal("apps/a.ts", "stripe"));
    }

    #[test]
    fn jsonc_keeps_strings() {
        let text = "{ \"a\": \"http://x // not a comment\", \"b\": [1, 2,], }";
        let v: serde_json::Value = serde_json::from_str(&strip_jsonc(text)).unwrap();
        assert_eq!(v["a"], "http://x // not a comment");
        assert_eq!(v["b"][1], 2);
    }
}
