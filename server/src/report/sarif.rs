//! SARIF 2.1.0 for GitHub code scanning: one rule per drift kind, level by category.

use std::path::Path;

use serde_json::{json, Value};

use super::range;
use crate::analysis::Analysis;
use crate::drift::{Category, DriftKind, DriftPoint, Location};

/// SARIF level of a category: breaking → error, manageable → warning, clean → note.
fn level(c: Category) -> &'static str {
    match c {
        Category::Breaking => "error",
        Category::ManageableDrift => "warning",
        Category::CleanApply => "note",
    }
}

/// Where results' paths are anchored: `%SRCROOT%` is the repository root (code scanning
/// resolves paths against it), and root-relative paths get the moment-sync root's place in it.
#[derive(Debug, Clone)]
pub struct SarifBase {
    /// The repository root as a `file://` URL ending in `/` (percent-encoded: spaces and
    /// non-ASCII characters are valid).
    uri: url::Url,
    /// The moment-sync root relative to the repository root: `""` or `packages/api/`.
    prefix: String,
}

/// A folder that cannot be written as a `file://` URL (a relative path).
#[derive(Debug, thiserror::Error)]
#[error("`{0}` cannot be written as a file:// URL (it must be absolute)")]
pub struct NotAbsolute(String);

impl SarifBase {
    /// `repo_root` is the repository holding `root` (or `root` itself outside a repository).
    pub fn new(root: &Path, repo_root: &Path) -> Result<SarifBase, NotAbsolute> {
        let uri = url::Url::from_directory_path(repo_root)
            .map_err(|_| NotAbsolute(repo_root.display().to_string()))?;
        let prefix = match root.strip_prefix(repo_root) {
            Ok(rel) if !rel.as_os_str().is_empty() => {
                format!("{}/", rel.to_string_lossy().replace('\\', "/"))
            }
            _ => String::new(),
        };
        Ok(SarifBase { uri, prefix })
    }

    /// A root-relative path (`/` separators) as a URI reference relative to `%SRCROOT%`,
    /// percent-encoded segment by segment (`#`, `?`, `%`, spaces, non-ASCII).
    fn reference(&self, path: &str) -> String {
        let mut full = self.uri.clone();
        if let Ok(mut segments) = full.path_segments_mut() {
            segments.pop_if_empty();
            segments.extend(format!("{}{path}", self.prefix).split('/'));
        }
        self.uri
            .make_relative(&full)
            .unwrap_or_else(|| full.to_string())
    }
}

/// SARIF's `help.markdown` of a rule: what the kind means and where it is documented.
fn help_markdown(k: DriftKind) -> String {
    format!(
        "**{}** (`{}`)\n\n{}\n\nFix it from the editor's quick fix, `moment-sync fix`, or decide with `moment-sync decide accept|reject|skip <id>`. See [the drift kinds]({}).",
        rule_name(k),
        k.as_str(),
        k.description(),
        k.docs_url()
    )
}

/// The SARIF log.
pub fn sarif_report(analysis: &Analysis, base: &SarifBase) -> Value {
    let rules: Vec<Value> = DriftKind::ALL
        .iter()
        .map(|k| {
            json!({
                "id": k.as_str(),
                "name": rule_name(*k),
                "shortDescription": { "text": k.description() },
                "fullDescription": { "text": k.description() },
                "helpUri": k.docs_url(),
                "help": {
                    "text": format!("{} See {}", k.description(), k.docs_url()),
                    "markdown": help_markdown(*k)
                },
                // A point's level comes from its category; `warning` (manageable drift) is the
                // level a kind has when nothing makes it clean or breaking.
                "defaultConfiguration": { "enabled": true, "level": "warning" },
                "properties": { "tags": ["moment-sync", "drift"] }
            })
        })
        .collect();
    let results: Vec<Value> = analysis
        .points
        .iter()
        .filter_map(|p| result(analysis, base, p))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "moment-sync",
                "version": crate::VERSION,
                "semanticVersion": crate::VERSION,
                "informationUri": crate::DOCS_KINDS_URL,
                "rules": rules
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "uri": base.uri.as_str() } },
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    })
}

fn rule_name(k: DriftKind) -> String {
    k.as_str()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn physical(analysis: &Analysis, base: &SarifBase, l: &Location) -> Value {
    let ((sl, sc), (el, ec)) = range(analysis, &l.path, l.span);
    json!({
        "artifactLocation": { "uri": base.reference(&l.path), "uriBaseId": "%SRCROOT%" },
        "region": { "startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec }
    })
}

fn result(analysis: &Analysis, base: &SarifBase, p: &DriftPoint) -> Option<Value> {
    let primary = p.primary_location()?;
    let rule_index = DriftKind::ALL.iter().position(|k| *k == p.kind)?;
    let mut related = Vec::new();
    if let (Some(spec), Some(_)) = (&p.spec, &p.implementation) {
        related.push(json!({ "id": 1, "physicalLocation": physical(analysis, base, spec), "message": { "text": "declared here in the spec" } }));
    }
    Some(json!({
        "ruleId": p.kind.as_str(),
        "ruleIndex": rule_index,
        "level": level(p.category),
        "message": { "text": format!("{} (category {}: {}, {})", p.message, p.category.number(), p.category.title(), p.direction.as_str()) },
        "locations": [{ "physicalLocation": physical(analysis, base, primary) }],
        "relatedLocations": related,
        "partialFingerprints": { "momentSyncDriftId/v1": p.id },
        "properties": { "category": p.category.number(), "direction": p.direction.as_str(), "symbol": p.symbol, "member": p.member }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded_and_anchored_at_the_repository() {
        let base = SarifBase::new(
            Path::new("/work/my repo/pkgs/ünï"),
            Path::new("/work/my repo"),
        )
        .unwrap();
        assert_eq!(base.uri.as_str(), "file:///work/my%20repo/");
        assert_eq!(
            base.reference("src/domain/a b#1.ts"),
            "pkgs/%C3%BCn%C3%AF/src/domain/a%20b%231.ts"
        );
        let flat = SarifBase::new(Path::new("/r"), Path::new("/r")).unwrap();
        assert_eq!(flat.reference("generated/x.ts"), "generated/x.ts");
        assert!(SarifBase::new(Path::new("rel"), Path::new("rel")).is_err());
    }
}
