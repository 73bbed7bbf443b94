//! Code actions: a quick fix per fix of each drift point (recording the acceptance when applied),
//! "fix all clean drift" for the file, "Show in spec" (from the spec: "Show in the
//! implementation"), and the decisions "Reject this drift", "Skip for now" and, for impl-ahead
//! drift, "Send to spec owners as feedback". Clients without code action literals get commands
//! that the server carries out itself (`moment-sync.applyFix`, `moment-sync.applyAllFixes`).

use std::collections::{BTreeMap, HashMap};

use serde_json::json;
use tower_lsp_server::ls_types::*;

use super::capabilities::{
    ClientFeatures, APPLY_ALL_COMMAND, APPLY_FIX_COMMAND, DECIDE_COMMAND, FEEDBACK_KIND,
    FIX_ALL_KIND, REJECT_KIND, SHOW_KIND, SHOW_SPEC_COMMAND, SKIP_KIND,
};
use super::diagnostics;
use super::encoding;
use super::snapshot::{OpenFile, Snapshot};
use crate::fix::Overlap;
use crate::model::{Category, Direction, DriftPoint, Fix, Side, Span, TextEdit as DriftEdit};
use crate::project::policy;

/// What a code action request asks about: a range, the diagnostics the client shows there and
/// an optional kind filter.
pub struct Request<'a> {
    pub range: Range,
    pub diagnostics: &'a [Diagnostic],
    pub only: Option<&'a [CodeActionKind]>,
}

/// The code actions for a request about an open document. A point is offered when its place in
/// this file touches the range, or when the client names its diagnostic in the request (the
/// cursor may be anywhere on a diagnostic's line, or the client asks for all of them).
pub fn code_actions(
    snap: &Snapshot,
    file: &OpenFile,
    request: &Request<'_>,
    features: &ClientFeatures,
) -> Vec<CodeActionOrCommand> {
    let Some(model) = snap.model(&file.rel_path) else {
        return Vec::new();
    };
    let range = request.range;
    let requested = Span::new(
        encoding::offset(&model.text, &model.lines, range.start, features.encoding),
        encoding::offset(&model.text, &model.lines, range.end, features.encoding),
    );
    let only = request.only;
    let mut actions = Vec::new();
    let points: Vec<&DriftPoint> = snap.points_in(&file.rel_path, file.side).collect();
    let named: Vec<&str> = request
        .diagnostics
        .iter()
        .filter(|d| d.source.as_deref() == Some(diagnostics::SOURCE))
        .filter_map(diagnostics::drift_id)
        .collect();
    for p in points.iter().filter(|p| {
        named.contains(&p.id.as_str())
            || touches(snap, p, &file.rel_path, file.side, requested)
            || described(p, request.diagnostics)
    }) {
        if wanted(&CodeActionKind::QUICKFIX, only) {
            actions.extend(quick_fixes(snap, file, p, features));
        }
        actions.extend(
            navigation(snap, file, p, features)
                .into_iter()
                .chain(decisions(p))
                .filter(|(kind, _)| wanted(kind, only))
                .map(|(kind, command)| as_action(kind, command, features)),
        );
    }
    let fix_all_kind = CodeActionKind::from(FIX_ALL_KIND);
    if wanted(&fix_all_kind, only) {
        actions.extend(fix_all(snap, file, &points, fix_all_kind, features));
    }
    actions
}

/// A diagnostic the client kept without its `data` (clients that do not support it) still
/// names a point by its code, message and start line.
fn described(p: &DriftPoint, diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| {
        d.source.as_deref() == Some(diagnostics::SOURCE)
            && d.data.is_none()
            && d.code == Some(NumberOrString::String(p.kind.as_str().into()))
            && d.message == p.message
    })
}

/// A command as a code action of `kind` for clients that take code action literals, else bare
/// (the only form older clients accept).
fn as_action(
    kind: CodeActionKind,
    command: Command,
    features: &ClientFeatures,
) -> CodeActionOrCommand {
    if !features.code_action_literals {
        return CodeActionOrCommand::Command(command);
    }
    CodeActionOrCommand::CodeAction(CodeAction {
        title: command.title.clone(),
        kind: Some(kind),
        command: Some(command),
        ..Default::default()
    })
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

/// Whether a point's place in this file (on the file's side) touches the requested span
/// (cursor or selection).
fn touches(snap: &Snapshot, p: &DriftPoint, rel_path: &str, side: Side, requested: Span) -> bool {
    let location = match side {
        Side::Implementation => p.implementation.as_ref(),
        Side::Spec => p.spec.as_ref(),
    };
    let Some(location) = location.filter(|l| l.path == rel_path) else {
        return false;
    };
    let span = match snap.model(rel_path) {
        Some(model) => diagnostics::shown_span(model, location.span),
        None => location.span,
    };
    span.start <= requested.end && requested.start <= span.end
}

fn quick_fixes(
    snap: &Snapshot,
    file: &OpenFile,
    p: &DriftPoint,
    features: &ClientFeatures,
) -> Vec<CodeActionOrCommand> {
    let diagnostic = diagnostics::for_file(snap, &file.rel_path, file.side, features)
        .into_iter()
        .find(|d| is_diagnostic_of(d, p));
    p.fixes
        .iter()
        .enumerate()
        .filter_map(|(i, fix)| {
            if !features.code_action_literals {
                // The server applies the edit itself (workspace/applyEdit).
                let command = apply_fix_command(&fix.title, &p.id, &fix.id);
                return Some(CodeActionOrCommand::Command(command));
            }
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

/// Whether a diagnostic the server made is the one of point `p`.
fn is_diagnostic_of(d: &Diagnostic, p: &DriftPoint) -> bool {
    diagnostics::drift_id(d) == Some(p.id.as_str())
        || (d.data.is_none()
            && d.message == p.message
            && d.code == Some(NumberOrString::String(p.kind.as_str().into())))
}

/// The command that applies one fix through `workspace/applyEdit` (for clients without code
/// action literals).
fn apply_fix_command(title: &str, id: &str, fix_id: &str) -> Command {
    Command {
        title: title.to_string(),
        command: APPLY_FIX_COMMAND.to_string(),
        arguments: Some(vec![json!({ "driftId": id, "fixId": fix_id })]),
    }
}

/// "Show … in spec" from the implementation; "Show … in the implementation" from the spec.
fn navigation(
    snap: &Snapshot,
    file: &OpenFile,
    p: &DriftPoint,
    features: &ClientFeatures,
) -> Option<(CodeActionKind, Command)> {
    let command = match file.side {
        Side::Implementation => {
            p.implementation.as_ref()?;
            let title = format!("Show {} in spec", p.qualified_name());
            show_spec_command(snap, p, features, &title)?
        }
        Side::Spec => {
            let title = format!("Show where the implementation lacks {}", p.qualified_name());
            show_command(snap, p.implementation.as_ref()?, features, &title)?
        }
    };
    Some((CodeActionKind::from(SHOW_KIND), command))
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
/// feedback": they record a decision and edit nothing.
fn decisions(p: &DriftPoint) -> Vec<(CodeActionKind, Command)> {
    let mut out = vec![
        (
            CodeActionKind::from(REJECT_KIND),
            decide_command("Reject this drift", &p.id, "reject", false),
        ),
        (
            CodeActionKind::from(SKIP_KIND),
            decide_command("Skip for now", &p.id, "skip", false),
        ),
    ];
    if p.direction == Direction::ImplAhead {
        out.push((
            CodeActionKind::from(FEEDBACK_KIND),
            decide_command("Send to spec owners as feedback", &p.id, "accept", false),
        ));
    }
    out
}

/// The command that opens the spec at a point's spec location.
pub fn show_spec_command(
    snap: &Snapshot,
    p: &DriftPoint,
    features: &ClientFeatures,
    title: &str,
) -> Option<Command> {
    show_command(snap, p.spec.as_ref()?, features, title)
}

/// The command that opens a file at a drift location.
fn show_command(
    snap: &Snapshot,
    at: &crate::model::Location,
    features: &ClientFeatures,
    title: &str,
) -> Option<Command> {
    let location = Location {
        uri: snap.uri_of(&at.path)?,
        range: diagnostics::location_range(snap, at, features)?,
    };
    Some(Command {
        title: title.to_string(),
        command: SHOW_SPEC_COMMAND.to_string(),
        arguments: Some(vec![serde_json::to_value(location).ok()?]),
    })
}

/// The title of the fix-all action and command.
pub fn fix_all_title(count: usize) -> String {
    format!(
        "Apply {count} clean spec change{}",
        if count == 1 { "" } else { "s" }
    )
}

/// Every category-1 fix shown in this file, as one action. Fixes left out for an overlap are
/// named in the title (the client applies the edit itself: the title is all the user sees).
fn fix_all(
    snap: &Snapshot,
    file: &OpenFile,
    points: &[&DriftPoint],
    kind: CodeActionKind,
    features: &ClientFeatures,
) -> Option<CodeActionOrCommand> {
    let clean = clean_points(snap, points);
    if clean.is_empty() {
        return None;
    }
    if !features.code_action_literals {
        // The command plans (and says what it leaves out) when it runs.
        let uri = snap.uri_of(&file.rel_path)?;
        return Some(CodeActionOrCommand::Command(apply_all_command(
            &fix_all_title(clean.len()),
            &uri,
        )));
    }
    let all = fix_all_edit(snap, &clean, features)?;
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: fix_all_title_with(all.applied, &all.left_out),
        kind: Some(kind),
        edit: Some(all.edit),
        ..Default::default()
    }))
}

/// The points whose clean fix a fix-all applies: the one fix policy (`project::policy`), what
/// `fix` and `reconcile` would apply here — spec-ahead, open, category-1 points.
pub fn clean_points<'a>(snap: &Snapshot, points: &[&'a DriftPoint]) -> Vec<&'a DriftPoint> {
    let empty = crate::state::SyncState::default();
    let state = snap.state.as_ref().map_or(&empty, |v| &v.state);
    policy::automatic(points.iter().copied(), state, Category::CleanApply)
        .into_iter()
        .filter(|p| !p.fixes.is_empty())
        .collect()
}

/// What a fix-all applies: one edit, how many fixes it holds, and the fixes left out.
pub struct FixAll {
    pub edit: WorkspaceEdit,
    pub applied: usize,
    pub left_out: Vec<Overlap>,
}

/// The fix-all of `points` (clean, with a fix): each fix completed with its follow-ups, then
/// planned as `fix` plans them, so a fix overlapping an earlier one is left out whole (never
/// half applied) and named.
pub fn fix_all_edit(
    snap: &Snapshot,
    points: &[&DriftPoint],
    features: &ClientFeatures,
) -> Option<FixAll> {
    let side = side_for(snap, points.iter().copied());
    let completed = crate::fix::complete_points(points.iter().copied(), &side);
    let text_of = |path: &str| {
        snap.analysis
            .file(path)
            .map(|f| &*f.text)
            .or_else(|| side.outside_text(path))
    };
    let (fixes, left_out) = plan_all(&completed, &text_of);
    Some(FixAll {
        edit: edit_of(snap, &side, &fixes, features)?,
        applied: fixes.len(),
        left_out,
    })
}

/// The fixes `fix` would apply together from `completed` (each point's first fix, completed),
/// and those it leaves out for an overlap (`text_of` gives the planned text of a file, for the
/// line).
fn plan_all<'a>(
    completed: &'a [DriftPoint],
    text_of: &dyn Fn(&str) -> Option<&'a str>,
) -> (Vec<&'a Fix>, Vec<Overlap>) {
    let plans = crate::fix::plan_fixes(completed);
    let mut fixes: Vec<&Fix> = Vec::new();
    let mut left_out = Vec::new();
    for plan in plans.values() {
        for (_, fix) in &plan.fixes {
            // A fix editing several files is in the plan of each.
            if !fixes.iter().any(|f| f.id == fix.id) {
                fixes.push(fix);
            }
        }
        left_out.extend(
            plan.skipped
                .iter()
                .map(|c| c.describe(text_of(&c.path).unwrap_or(""))),
        );
    }
    (fixes, left_out)
}

/// The fix-all title, naming the fixes left out (at most three) and what to do about them.
pub fn fix_all_title_with(applied: usize, left_out: &[Overlap]) -> String {
    let title = fix_all_title(applied);
    if left_out.is_empty() {
        return title;
    }
    let mut named: Vec<String> = left_out
        .iter()
        .take(3)
        .map(|l| format!("{} (overlaps {})", l.name, l.with_name))
        .collect();
    if left_out.len() > 3 {
        named.push(format!("{} more", left_out.len() - 3));
    }
    format!(
        "{title}; left out: {} — apply fix-all again afterwards",
        named.join(", ")
    )
}

/// The message after a fix-all that left fixes out: each one with the fix it collides with,
/// where, and what to do.
pub fn left_out_message(left_out: &[Overlap]) -> String {
    let lines: Vec<String> = left_out
        .iter()
        .map(|l| {
            format!(
                "{} {} edits the same text as {} {} in {}",
                l.id, l.name, l.with_id, l.with_name, l.path
            )
        })
        .collect();
    format!(
        "moment-sync left out {} overlapping fix{}: {}. Apply fix-all again to apply what is still open on the fixed text, or apply one of them alone with its quick fix.",
        left_out.len(),
        if left_out.len() == 1 { "" } else { "es" },
        lines.join("; ")
    )
}

/// `moment-sync.applyAllFixes` for one document.
pub fn apply_all_command(title: &str, uri: &Uri) -> Command {
    Command {
        title: title.to_string(),
        command: APPLY_ALL_COMMAND.to_string(),
        arguments: Some(vec![json!({ "uri": uri.as_str() })]),
    }
}

/// The edits of `fixes` as one workspace edit: versioned `documentChanges` (with `CreateFile`
/// for new files) when the client supports them, else `changes`.
pub fn workspace_edit(
    snap: &Snapshot,
    fixes: &[&Fix],
    features: &ClientFeatures,
) -> Option<WorkspaceEdit> {
    // Each fix with its follow-ups (imports, uses of renamed names in other files), as the
    // `fix` command applies it.
    let point_of = |f: &Fix| {
        snap.analysis
            .points
            .iter()
            .find(|p| p.fixes.iter().any(|g| g.id == f.id))
    };
    let side = side_for(snap, fixes.iter().filter_map(|f| point_of(f)));
    let completed: Vec<Fix> = fixes
        .iter()
        .map(|f| match point_of(f) {
            Some(p) => crate::fix::complete(p, f, &side),
            None => (*f).clone(),
        })
        .collect();
    let completed: Vec<&Fix> = completed.iter().collect();
    edit_of(snap, &side, &completed, features)
}

/// The implementation side the fixes of `points` are completed on; a rename also reaches the
/// files outside the side that import the renamed type.
fn side_for<'a>(
    snap: &'a Snapshot,
    points: impl IntoIterator<Item = &'a DriftPoint>,
) -> crate::fix::ImplSide {
    let names = crate::fix::renamed_names(points);
    crate::fix::ImplSide::new(snap.analysis.files.values(), &snap.analysis.points)
        .with_outside(snap.outside_files(&names))
        .with_paths(snap.path_map())
}

/// Completed fixes as one workspace edit.
fn edit_of(
    snap: &Snapshot,
    side: &crate::fix::ImplSide,
    completed: &[&Fix],
    features: &ClientFeatures,
) -> Option<WorkspaceEdit> {
    let mut by_path: BTreeMap<&str, Vec<&DriftEdit>> = BTreeMap::new();
    let mut creates: HashMap<&str, bool> = HashMap::new();
    for fix in completed {
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
        let lsp_edits = lsp_edits(snap, side.outside_text(path), path, edits, features);
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
    outside: Option<&str>,
    path: &str,
    edits: Vec<&DriftEdit>,
    features: &ClientFeatures,
) -> Vec<TextEdit> {
    // Fixes applied together may carry the same follow-up (an import both need): once, where
    // it first comes, so a new file's imports stay before its declarations.
    let mut edits = crate::fix::unique_edits(edits);
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut kept: Vec<&DriftEdit> = Vec::with_capacity(edits.len());
    for edit in edits {
        let overlaps = kept
            .last()
            .is_some_and(|prev| edit.span.start < prev.span.end);
        if !overlaps {
            kept.push(edit);
        }
    }
    // The text the edits were computed on: the side's model, or a file outside it (a consumer
    // that a rename reaches).
    let outside_lines = outside.map(|t| (t, crate::text::LineIndex::new(t)));
    let text_lines = match snap.model(path) {
        Some(m) => Some((&*m.text, &m.lines)),
        None => outside_lines.as_ref().map(|(t, l)| (*t, l)),
    };
    kept.into_iter()
        .map(|e| match text_lines {
            Some((text, lines)) => {
                let (span, new_text) = before_last_line_break(text, e.span, &e.new_text)
                    .unwrap_or_else(|| (e.span, e.new_text.clone()));
                TextEdit {
                    range: encoding::range(text, lines, span, features.encoding),
                    new_text,
                }
            }
            // A file that does not exist yet: its edits sit at the start.
            None => TextEdit {
                range: Range::default(),
                new_text: e.new_text.clone(),
            },
        })
        .collect()
}

/// An insertion of whole lines at the very end of a file that ends with a line break, moved
/// before that line break: the same result, but at a position inside the last line. At the
/// end itself the position is (line count, 0), a line that editors such as Neovim do not have;
/// they add one, and the file ends with an extra blank line.
fn before_last_line_break(text: &str, span: Span, new_text: &str) -> Option<(Span, String)> {
    if !span.is_empty() || span.start != text.len() {
        return None;
    }
    let line_break = ["\r\n", "\n", "\r"]
        .into_iter()
        .find(|lb| text.ends_with(lb))?;
    let body = new_text.strip_suffix(line_break)?;
    let at = text.len() - line_break.len();
    Some((Span::empty_at(at), format!("{line_break}{body}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies one insertion to `text`.
    fn insert(text: &str, at: usize, new: &str) -> String {
        format!("{}{new}{}", &text[..at], &text[at..])
    }

    fn point(id: &str, symbol: &str, edits: &[(&str, usize, usize, &str)]) -> DriftPoint {
        DriftPoint {
            id: id.into(),
            kind: crate::model::DriftKind::MissingMember,
            direction: Direction::SpecAhead,
            category: Category::CleanApply,
            symbol: symbol.into(),
            member: None,
            expected: None,
            actual: None,
            spec: None,
            implementation: None,
            message: String::new(),
            fixes: vec![Fix {
                id: format!("{id}:fix"),
                title: id.into(),
                edits: edits
                    .iter()
                    .map(|&(path, start, end, new_text)| DriftEdit {
                        path: path.into(),
                        span: Span::new(start, end),
                        new_text: new_text.into(),
                    })
                    .collect(),
                creates_file: false,
            }],
        }
    }

    #[test]
    fn fix_all_leaves_an_overlapping_fix_out_whole_and_names_it() {
        // `late` overlaps `early` in a.ts; its edit in b.ts overlaps nothing. The old fix-all
        // dropped edits one by one: it applied `late`'s b.ts edit alone (half a fix) and said
        // nothing.
        let early = point("e1", "A", &[("a.ts", 0, 4, "x")]);
        let late = point("l1", "B", &[("a.ts", 2, 6, "y"), ("b.ts", 0, 0, "z")]);
        let fine = point("f1", "C", &[("a.ts", 9, 9, "w")]);
        let completed = [early, late, fine];
        let (fixes, left_out) = plan_all(&completed, &|_| None);
        let ids: Vec<&str> = fixes.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["e1:fix", "f1:fix"]);
        assert_eq!(
            left_out,
            [Overlap {
                id: "l1".into(),
                name: "B".into(),
                kind: crate::model::DriftKind::MissingMember,
                with_id: "e1".into(),
                with_name: "A".into(),
                with_kind: crate::model::DriftKind::MissingMember,
                path: "a.ts".into(),
                line: 1,
            }]
        );
        let title = fix_all_title_with(fixes.len(), &left_out);
        assert_eq!(
            title,
            "Apply 2 clean spec changes; left out: B (overlaps A) — apply fix-all again afterwards"
        );
        let message = left_out_message(&left_out);
        assert!(
            message.contains("l1 B edits the same text as e1 A in a.ts"),
            "{message}"
        );
        assert!(message.contains("Apply fix-all again"), "{message}");
        assert_eq!(fix_all_title_with(2, &[]), "Apply 2 clean spec changes");
    }

    #[test]
    fn end_of_file_insertions_move_before_the_last_line_break() {
        for (text, new) in [
            ("a\n", "b\n"),
            ("a\r\n", "\r\nb\r\n"),
            ("a\n\n", "b\n"),
            ("a\r", "b\r"),
        ] {
            let end = Span::empty_at(text.len());
            let (span, moved) = before_last_line_break(text, end, new).expect("moved");
            assert!(span.start < text.len(), "{text:?}");
            // The same file results, edited inside its last line.
            assert_eq!(
                insert(text, span.start, &moved),
                insert(text, text.len(), new)
            );
        }
        // Not at the end, not ending in a line break, or not whole lines: left alone.
        assert_eq!(
            before_last_line_break("a\nb", Span::empty_at(3), "c\n"),
            None
        );
        assert_eq!(
            before_last_line_break("a\n", Span::empty_at(0), "c\n"),
            None
        );
        assert_eq!(before_last_line_break("a\n", Span::empty_at(2), "c"), None);
        assert_eq!(before_last_line_break("a\n", Span::new(1, 2), "c\n"), None);
    }
}
