//! Code actions: a quick fix per fix of each drift point (recording the acceptance when applied),
//! "fix all clean drift" for the file, "Show in spec", and the decisions "Reject this drift",
//! "Skip for now" and, for impl-ahead drift, "Send to spec owners as feedback".

use std::collections::{BTreeMap, HashMap};

use serde_json::json;
use tower_lsp_server::ls_types::*;

use super::capabilities::{ClientFeatures, DECIDE_COMMAND, FIX_ALL_KIND, SHOW_SPEC_COMMAND};
use super::diagnostics;
use super::encoding;
use super::snapshot::{OpenFile, Snapshot};
use crate::model::{Category, Direction, DriftPoint, Fix, Span, TextEdit as DriftEdit};
use crate::project::policy;

/// The code actions for `range` of an open document.
pub fn code_actions(
    snap: &Snapshot,
    file: &OpenFile,
    range: Range,
    only: Option<&[CodeActionKind]>,
    features: &ClientFeatures,
) -> Vec<CodeActionOrCommand> {
    let Some(model) = snap.model(&file.rel_path) else {
        return Vec::new();
    };
    let requested = Span::new(
        encoding::offset(&model.text, &model.lines, range.start, features.encoding),
        encoding::offset(&model.text, &model.lines, range.end, features.encoding),
    );
    let mut actions = Vec::new();
    let points: Vec<&DriftPoint> = snap.points_in(&file.rel_path, file.side).collect();
    for p in points
        .iter()
        .filter(|p| touches(p, &file.rel_path, requested))
    {
        if wanted(&CodeActionKind::QUICKFIX, only) {
            actions.extend(quick_fixes(snap, p, features));
        }
        if only.is_none() {
            actions.extend(show_in_spec(snap, p, features));
            actions.extend(decisions(p));
        }
    }
    let fix_all_kind = CodeActionKind::from(FIX_ALL_KIND);
    if wanted(&fix_all_kind, only) {
        actions.extend(fix_all(snap, &points, fix_all_kind, features));
    }
    actions
}

/// A kind is wanted when no filter is given or it equals or refines a requested kind.
fn wanted(kind: &CodeActionKind, only: Option<&[CodeActionKind]>) -> bool {
    let Some(only) = only else { return true };
    let kind = kind.as_str();
    only.iter().any(|o| {
        let o = o.as_str();
        kind == o || (kind.starts_with(o) && kind.as_bytes().get(o.len()) == Some(&b'.'))
    })
}

/// Whether a point's location in this file touches the requested span (cursor or selection).
fn touches(p: &DriftPoint, rel_path: &str, requested: Span) -> bool {
    [p.implementation.as_ref(), p.spec.as_ref()]
        .into_iter()
        .flatten()
        .filter(|l| l.path == rel_path)
        .any(|l| l.span.start <= requested.end && requested.start <= l.span.end)
}

fn quick_fixes(
    snap: &Snapshot,
    p: &DriftPoint,
    features: &ClientFeatures,
) -> Vec<CodeActionOrCommand> {
    let diagnostic = primary_diagnostic(snap, p, features);
    p.fixes
        .iter()
        .enumerate()
        .filter_map(|(i, fix)| {
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: diagnostic.clone().map(|d| vec![d]),
                edit: Some(workspace_edit(snap, &[fix], features)?),
                is_preferred: Some(i == 0),
                // Applying the fix accepts the drift: the client applies the edit, then runs
                // the command, which records the acceptance without editing again. An
                // impl-ahead point's fix reverts the implementation, which is not accepting
                // the implementation's change, so nothing is recorded for it.
                command: (p.direction != Direction::ImplAhead).then(|| {
                    decide_command(&format!("Record: {}", fix.title), &p.id, "accept", true)
                }),
                data: Some(json!({ "driftId": p.id, "fixId": fix.id })),
                ..Default::default()
            }))
        })
        .collect()
}

fn primary_diagnostic(
    snap: &Snapshot,
    p: &DriftPoint,
    features: &ClientFeatures,
) -> Option<Diagnostic> {
    let (path, side) = match &p.implementation {
        Some(l) => (l.path.as_str(), crate::model::Side::Implementation),
        None => (p.spec.as_ref()?.path.as_str(), crate::model::Side::Spec),
    };
    let id = &p.id;
    diagnostics::for_file(snap, path, side, features)
        .into_iter()
        .find(|d| {
            d.data
                .as_ref()
                .and_then(|v| v.get("driftId"))
                .and_then(|v| v.as_str())
                == Some(id.as_str())
                || (d.message == p.message
                    && d.code == Some(NumberOrString::String(p.kind.as_str().into())))
        })
}

fn show_in_spec(
    snap: &Snapshot,
    p: &DriftPoint,
    features: &ClientFeatures,
) -> Option<CodeActionOrCommand> {
    // Only useful from the implementation side.
    p.implementation.as_ref()?;
    // A bare command, not a code action carrying one: navigation edits nothing, and some
    // clients tell the two apart only by the presence of a `command` field.
    let title = format!("Show {} in spec", p.qualified_name());
    show_spec_command(snap, p, features, &title).map(CodeActionOrCommand::Command)
}

/// The command that records a decision on a drift point.
fn decide_command(title: &str, id: &str, decision: &str, applied: bool) -> Command {
    Command {
        title: title.to_string(),
        command: DECIDE_COMMAND.to_string(),
        arguments: Some(vec![
            json!({ "driftId": id, "decision": decision, "applied": applied }),
        ]),
    }
}

/// "Reject this drift", "Skip for now" and, for impl-ahead drift, "Send to spec owners as
/// feedback" — bare commands, like "Show in spec": they edit nothing.
fn decisions(p: &DriftPoint) -> Vec<CodeActionOrCommand> {
    let mut out = vec![
        decide_command("Reject this drift", &p.id, "reject", false),
        decide_command("Skip for now", &p.id, "skip", false),
    ];
    if p.direction == Direction::ImplAhead {
        out.push(decide_command(
            "Send to spec owners as feedback",
            &p.id,
            "accept",
            false,
        ));
    }
    out.into_iter().map(CodeActionOrCommand::Command).collect()
}

/// The command that opens the spec at a point's spec location.
pub fn show_spec_command(
    snap: &Snapshot,
    p: &DriftPoint,
    features: &ClientFeatures,
    title: &str,
) -> Option<Command> {
    let spec = p.spec.as_ref()?;
    let location = Location {
        uri: snap.uri_of(&spec.path)?,
        range: diagnostics::location_range(snap, spec, features)?,
    };
    Some(Command {
        title: title.to_string(),
        command: SHOW_SPEC_COMMAND.to_string(),
        arguments: Some(vec![serde_json::to_value(location).ok()?]),
    })
}

/// Every category-1 fix shown in this file, as one action.
fn fix_all(
    snap: &Snapshot,
    points: &[&DriftPoint],
    kind: CodeActionKind,
    features: &ClientFeatures,
) -> Option<CodeActionOrCommand> {
    let empty = crate::state::SyncState::default();
    let state = snap.state.as_ref().map_or(&empty, |v| &v.state);
    // The one fix policy (`project::policy`): what `fix` and `reconcile` would apply.
    let fixes: Vec<&Fix> = policy::automatic(points.iter().copied(), state, Category::CleanApply)
        .into_iter()
        .filter_map(|p| p.fixes.first())
        .collect();
    if fixes.is_empty() {
        return None;
    }
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: format!(
            "Apply {} clean spec change{}",
            fixes.len(),
            if fixes.len() == 1 { "" } else { "s" }
        ),
        kind: Some(kind),
        edit: Some(workspace_edit(snap, &fixes, features)?),
        ..Default::default()
    }))
}

/// The edits of `fixes` as one workspace edit: versioned `documentChanges` (with `CreateFile`
/// for new files) when the client supports them, else `changes`.
pub fn workspace_edit(
    snap: &Snapshot,
    fixes: &[&Fix],
    features: &ClientFeatures,
) -> Option<WorkspaceEdit> {
    let mut by_path: BTreeMap<&str, Vec<&DriftEdit>> = BTreeMap::new();
    let mut creates: HashMap<&str, bool> = HashMap::new();
    for fix in fixes {
        for edit in &fix.edits {
            by_path.entry(edit.path.as_str()).or_default().push(edit);
        }
        if let (true, Some(first)) = (fix.creates_file, fix.edits.first()) {
            creates.insert(first.path.as_str(), true);
        }
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let mut operations = Vec::new();
    for (path, edits) in by_path {
        let uri = snap.uri_of(path)?;
        let lsp_edits = lsp_edits(snap, path, edits, features);
        if features.document_changes {
            let creates_file = creates.contains_key(path) && snap.model(path).is_none();
            if creates_file && features.can_create_files() {
                operations.push(DocumentChangeOperation::Op(ResourceOp::Create(
                    CreateFile {
                        uri: uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: None,
                    },
                )));
            }
            operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri,
                    version: snap.version_of(path),
                },
                edits: lsp_edits.into_iter().map(OneOf::Left).collect(),
            }));
        } else {
            changes.insert(uri, lsp_edits);
        }
    }
    Some(if features.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(operations)),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    })
}

/// One file's edits, sorted, duplicates dropped, and any edit overlapping an earlier one dropped
/// (two fixes touching the same text cannot both apply; the next check shows what is left).
fn lsp_edits(
    snap: &Snapshot,
    path: &str,
    mut edits: Vec<&DriftEdit>,
    features: &ClientFeatures,
) -> Vec<TextEdit> {
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    edits.dedup();
    let mut kept: Vec<&DriftEdit> = Vec::with_capacity(edits.len());
    for edit in edits {
        let overlaps = kept
            .last()
            .is_some_and(|prev| edit.span.start < prev.span.end);
        if !overlaps {
            kept.push(edit);
        }
    }
    let model = snap.model(path);
    kept.into_iter()
        .map(|e| TextEdit {
            range: match model {
                Some(m) => encoding::range(&m.text, &m.lines, e.span, features.encoding),
                // A file that does not exist yet: its edits sit at the start.
                None => Range::default(),
            },
            new_text: e.new_text.clone(),
        })
        .collect()
}
