//! SARIF 2.1.0 for GitHub code scanning: one rule per drift kind, level by category.

use serde_json::{json, Value};

use super::range;
use crate::analysis::Analysis;
use crate::model::{Category, DriftKind, DriftPoint, Location};

/// SARIF level of a category: breaking → error, manageable → warning, clean → note.
fn level(c: Category) -> &'static str {
    match c {
        Category::Breaking => "error",
        Category::ManageableDrift => "warning",
        Category::CleanApply => "note",
    }
}

/// The SARIF log. `root_uri` is the root as a `file://` URI ending in `/`.
pub fn sarif_report(analysis: &Analysis, root_uri: &str) -> Value {
    let rules: Vec<Value> = DriftKind::ALL
        .iter()
        .map(|k| {
            json!({
                "id": k.as_str(),
                "name": rule_name(*k),
                "shortDescription": { "text": k.description() },
                "fullDescription": { "text": k.description() },
                "helpUri": k.docs_url(),
                "help": { "text": format!("{} See {}", k.description(), k.docs_url()) },
                "properties": { "tags": ["moment-sync", "drift"] }
            })
        })
        .collect();
    let results: Vec<Value> = analysis
        .points
        .iter()
        .filter_map(|p| result(analysis, p))
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
            "originalUriBaseIds": { "%SRCROOT%": { "uri": root_uri } },
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

fn physical(analysis: &Analysis, l: &Location) -> Value {
    let ((sl, sc), (el, ec)) = range(analysis, &l.path, l.span);
    json!({
        "artifactLocation": { "uri": l.path, "uriBaseId": "%SRCROOT%" },
        "region": { "startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec }
    })
}

fn result(analysis: &Analysis, p: &DriftPoint) -> Option<Value> {
    let primary = p.primary_location()?;
    let rule_index = DriftKind::ALL.iter().position(|k| *k == p.kind)?;
    let mut related = Vec::new();
    if let (Some(spec), Some(_)) = (&p.spec, &p.implementation) {
        related.push(json!({ "id": 1, "physicalLocation": physical(analysis, spec), "message": { "text": "declared here in the spec" } }));
    }
    Some(json!({
        "ruleId": p.kind.as_str(),
        "ruleIndex": rule_index,
        "level": level(p.category),
        "message": { "text": format!("{} (category {}: {}, {})", p.message, p.category.number(), p.category.title(), p.direction.as_str()) },
        "locations": [{ "physicalLocation": physical(analysis, primary) }],
        "relatedLocations": related,
        "partialFingerprints": { "momentSyncDriftId/v1": p.id },
        "properties": { "category": p.category.number(), "direction": p.direction.as_str(), "symbol": p.symbol, "member": p.member }
    }))
}
