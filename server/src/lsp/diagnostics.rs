//! Drift points as LSP diagnostics.

use serde_json::json;
use tower_lsp_server::ls_types::*;

use super::capabilities::ClientFeatures;
use super::encoding;
use super::snapshot::Snapshot;
use crate::drift::{DriftPoint, Location as DriftLocation};
use crate::model::{FileModel, Side, Span};
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
            let range = location_range(snap, location, features)?;
            Some(match side {
                Side::Spec if p.implementation.is_some() => spec_hint(snap, p, range, features),
                // Shown only in the spec (its implementation file does not exist yet): the
                // spec is the one place to see, count and fix it.
                Side::Spec => missing_file(snap, p, range, features),
                Side::Implementation => diagnostic(snap, p, range, features),
            })
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
        shown_span(model, location.span),
        features.encoding,
    ))
}

/// The span a location is shown at. An empty span (a type missing from a file is located at
/// its start) widens to the rest of its line, so that the cursor can reach it anywhere on that
/// line and editors that hide zero-width diagnostics still show it.
pub fn shown_span(model: &FileModel, span: Span) -> Span {
    if !span.is_empty() {
        return span;
    }
    let line = model.lines.line_of(span.start);
    let end = model.lines.line_content_end(&model.text, line);
    Span::new(span.start, end.max(span.start))
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
    Diagnostic {
        range,
        severity: Some(severity(snap.config.severity_for(p.category.number()))),
        code: Some(NumberOrString::String(p.kind.as_str().to_string())),
        code_description: code_description(p, features),
        source: Some(SOURCE.to_string()),
        message: p.message.clone(),
        related_information,
        tags: None,
        data: features
            .diagnostic_data
            .then(|| data(p, Side::Implementation, true)),
    }
}

/// A spec item whose implementation file does not exist: a full diagnostic on the spec side.
fn missing_file(
    snap: &Snapshot,
    p: &DriftPoint,
    range: Range,
    features: &ClientFeatures,
) -> Diagnostic {
    let file = p.fixes.iter().flat_map(|f| f.edits.first()).next();
    let message = match file {
        Some(e) => format!(
            "`{}` is not in the implementation yet: {} does not exist",
            p.qualified_name(),
            e.path
        ),
        None => format!("`{}` is not in the implementation yet", p.qualified_name()),
    };
    Diagnostic {
        message,
        data: features.diagnostic_data.then(|| data(p, Side::Spec, true)),
        ..diagnostic(snap, p, range, features)
    }
}

/// What a spec file shows about an item the implementation lacks: a hint (the drift belongs to
/// the implementation, where it is counted and fixed), worded for the spec's reader, linking
/// to the implementation file when there is one.
fn spec_hint(
    snap: &Snapshot,
    p: &DriftPoint,
    range: Range,
    features: &ClientFeatures,
) -> Diagnostic {
    let message = match &p.implementation {
        Some(i) => format!(
            "`{}` is not in the implementation yet ({})",
            p.qualified_name(),
            i.path
        ),
        None => format!("`{}` is not in the implementation yet", p.qualified_name()),
    };
    let related_information = features
        .related_information
        .then(|| related_implementation(snap, p, features))
        .flatten()
        .map(|info| vec![info]);
    Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::HINT),
        code: Some(NumberOrString::String(p.kind.as_str().to_string())),
        code_description: code_description(p, features),
        source: Some(SOURCE.to_string()),
        message,
        related_information,
        tags: None,
        data: features.diagnostic_data.then(|| data(p, Side::Spec, false)),
    }
}

fn code_description(p: &DriftPoint, features: &ClientFeatures) -> Option<CodeDescription> {
    features
        .code_description
        .then(|| p.kind.docs_url().parse::<Uri>().ok())
        .flatten()
        .map(|href| CodeDescription { href })
}

/// Points at where the implementation lacks a spec item (for a spec-side hint).
fn related_implementation(
    snap: &Snapshot,
    p: &DriftPoint,
    features: &ClientFeatures,
) -> Option<DiagnosticRelatedInformation> {
    let implementation = p.implementation.as_ref()?;
    Some(DiagnosticRelatedInformation {
        location: Location {
            uri: snap.uri_of(&implementation.path)?,
            range: location_range(snap, implementation, features)?,
        },
        message: format!("where the implementation lacks {}", p.qualified_name()),
    })
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

/// What a code action needs to find the point again: the id, and the fixes by id and title;
/// and for clients that count drift (the VS Code status bar), its category, the side it is
/// shown on and whether this is the point's primary diagnostic (`counted`: each point is
/// counted once, as `check` counts it, although a missing item also shows in the spec).
fn data(p: &DriftPoint, side: Side, counted: bool) -> serde_json::Value {
    let fixes: Vec<_> = p
        .fixes
        .iter()
        .map(|f| json!({ "id": f.id, "title": f.title }))
        .collect();
    let side = match side {
        Side::Implementation => "implementation",
        Side::Spec => "spec",
    };
    json!({
        "driftId": p.id,
        "category": p.category.number(),
        "side": side,
        "counted": counted,
        "fixes": fixes,
    })
}

/// The drift point id a diagnostic the server sent carries (`data.driftId`).
pub fn drift_id(d: &Diagnostic) -> Option<&str> {
    d.data.as_ref()?.get("driftId")?.as_str()
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}
