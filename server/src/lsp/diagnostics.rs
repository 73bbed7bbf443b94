//! Drift points as LSP diagnostics.

use serde_json::json;
use tower_lsp_server::ls_types::*;

use super::capabilities::ClientFeatures;
use super::encoding;
use super::snapshot::Snapshot;
use crate::model::{DriftPoint, Location as DriftLocation, Side};
use crate::workspace::Severity;

/// The diagnostics `source`.
pub const SOURCE: &str = "moment-sync";

/// The diagnostics of one file of a snapshot.
pub fn for_file(
    snap: &Snapshot,
    rel_path: &str,
    side: Side,
    features: &ClientFeatures,
) -> Vec<Diagnostic> {
    snap.points_in(rel_path, side)
        .filter_map(|p| {
            let location = match side {
                Side::Implementation => p.implementation.as_ref(),
                Side::Spec => p.spec.as_ref(),
            }?;
            Some(diagnostic(
                snap,
                p,
                location_range(snap, location, features)?,
                features,
            ))
        })
        .collect()
}

/// The LSP range of a drift location, computed on the text the analysis saw.
pub fn location_range(
    snap: &Snapshot,
    location: &DriftLocation,
    features: &ClientFeatures,
) -> Option<Range> {
    let model = snap.model(&location.path)?;
    Some(encoding::range(
        &model.text,
        &model.lines,
        location.span,
        features.encoding,
    ))
}

fn diagnostic(
    snap: &Snapshot,
    p: &DriftPoint,
    range: Range,
    features: &ClientFeatures,
) -> Diagnostic {
    let related_information = features
        .related_information
        .then(|| related_spec(snap, p, features))
        .flatten()
        .map(|info| vec![info]);
    let code_description = features
        .code_description
        .then(|| p.kind.docs_url().parse::<Uri>().ok())
        .flatten()
        .map(|href| CodeDescription { href });
    Diagnostic {
        range,
        severity: Some(severity(snap.config.severity_for(p.category.number()))),
        code: Some(NumberOrString::String(p.kind.as_str().to_string())),
        code_description,
        source: Some(SOURCE.to_string()),
        message: p.message.clone(),
        related_information,
        tags: None,
        data: features.diagnostic_data.then(|| data(p)),
    }
}

/// Points at the spec's declaration, when the diagnostic is not on the spec itself.
fn related_spec(
    snap: &Snapshot,
    p: &DriftPoint,
    features: &ClientFeatures,
) -> Option<DiagnosticRelatedInformation> {
    p.implementation.as_ref()?;
    let spec = p.spec.as_ref()?;
    Some(DiagnosticRelatedInformation {
        location: Location {
            uri: snap.uri_of(&spec.path)?,
            range: location_range(snap, spec, features)?,
        },
        message: format!("{} in the spec", p.qualified_name()),
    })
}

/// What a code action needs to find the point again: the id, and the fixes by id and title.
fn data(p: &DriftPoint) -> serde_json::Value {
    let fixes: Vec<_> = p
        .fixes
        .iter()
        .map(|f| json!({ "id": f.id, "title": f.title }))
        .collect();
    json!({ "driftId": p.id, "category": p.category.number(), "fixes": fixes })
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}
