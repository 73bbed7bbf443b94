//! Hover, go to definition and code lenses: from an implementation declaration to what the spec
//! says about it.

use std::sync::Arc;

use tower_lsp_server::ls_types::*;

use super::actions::show_spec_command;
use super::capabilities::{ClientFeatures, EXPLAIN_COMMAND};
use super::encoding;
use super::snapshot::{OpenFile, Snapshot};
use crate::model::{Declaration, DriftKind, DriftPoint, FileModel, Member, Side, Span};
use crate::project::StateView;

/// The longest spec excerpt a hover shows, in lines.
const MAX_HOVER_LINES: usize = 40;

/// An implementation declaration (and member) under the cursor, with its spec counterpart.
struct Target<'a> {
    decl: &'a Declaration,
    member: Option<&'a Member>,
    spec_file: &'a Arc<FileModel>,
    spec_decl: &'a Declaration,
    spec_member: Option<&'a Member>,
    /// The drift points of exactly this declaration or member.
    points: Vec<&'a DriftPoint>,
}

fn target<'a>(
    snap: &'a Snapshot,
    file: &'a OpenFile,
    pos: Position,
    features: &ClientFeatures,
) -> Option<Target<'a>> {
    if file.side != Side::Implementation {
        return None;
    }
    let model = snap.model(&file.rel_path)?;
    let offset = encoding::offset(&model.text, &model.lines, pos, features.encoding);
    let decl = model
        .declarations
        .values()
        .find(|d| contains(d.span, offset))?;
    let member = decl.members().iter().find(|m| contains(m.span, offset));
    let in_file: Vec<&DriftPoint> = snap
        .points_in(&file.rel_path, Side::Implementation)
        .collect();
    let spec_name =
        renamed_from(&in_file, DriftKind::RenamedType, &decl.name).unwrap_or(&decl.name);
    let (spec_file, spec_decl) = spec_declaration(snap, spec_name)?;
    let spec_member = member.and_then(|m| {
        let name = renamed_from(&in_file, DriftKind::RenamedMember, &m.name).unwrap_or(&m.name);
        spec_decl.members().iter().find(|sm| sm.name == name)
    });
    let symbols = [decl.name.as_str(), spec_name];
    let members: Vec<&str> = [
        member.map(|m| m.name.as_str()),
        spec_member.map(|m| m.name.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let points = in_file
        .into_iter()
        .filter(|p| symbols.contains(&p.symbol.as_str()))
        .filter(|p| match (&p.member, member) {
            (None, None) => true,
            (Some(name), Some(_)) => members.contains(&name.as_str()),
            _ => false,
        })
        .collect();
    Some(Target {
        decl,
        member,
        spec_file,
        spec_decl,
        spec_member,
        points,
    })
}

fn contains(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// The spec name of an implementation item the engine paired as a rename.
fn renamed_from<'a>(points: &[&'a DriftPoint], kind: DriftKind, actual: &str) -> Option<&'a str> {
    points
        .iter()
        .find(|p| p.kind == kind && p.actual.as_deref() == Some(actual))
        .and_then(|p| p.expected.as_deref())
}

fn spec_declaration<'a>(
    snap: &'a Snapshot,
    name: &str,
) -> Option<(&'a Arc<FileModel>, &'a Declaration)> {
    snap.analysis
        .files
        .values()
        .filter(|f| f.side == Side::Spec)
        .find_map(|f| f.declarations.get(name).map(|d| (f, d)))
}

pub fn hover(
    snap: &Snapshot,
    file: &OpenFile,
    pos: Position,
    features: &ClientFeatures,
) -> Option<Hover> {
    let t = target(snap, file, pos, features)?;
    let model = snap.model(&file.rel_path)?;
    let name_span = t.member.map_or(t.decl.name_span, |m| m.name_span);
    let md = features.markdown_hover;
    let spec_span = t.spec_member.map_or(t.spec_decl.span, |m| m.decl_span);
    let spec_name = match t.spec_member {
        Some(m) => format!("{}.{}", t.spec_decl.name, m.name),
        None => t.spec_decl.name.clone(),
    };
    let mut out = String::new();
    let title = format!("{spec_name} in the spec ({})", t.spec_file.path);
    out.push_str(&if md {
        format!("**{}** in the spec (`{}`)\n\n", spec_name, t.spec_file.path)
    } else {
        format!("{title}\n\n")
    });
    let excerpt = excerpt(&t.spec_file.text, spec_span);
    out.push_str(&if md {
        format!("```typescript\n{excerpt}\n```\n")
    } else {
        format!("{excerpt}\n")
    });
    if t.member.is_some() && t.spec_member.is_none() {
        out.push_str("\nThe spec does not have this member.\n");
    }
    for p in &t.points {
        out.push_str(&describe(p, md));
        if let Some(view) = &snap.state {
            out.push_str(&recorded(view, p, md));
        }
    }
    if let Some(view) = &snap.state {
        let consumers = view.consumer_summary(&t.spec_decl.name);
        out.push_str(&if md {
            format!("\n---\n`{}`: {consumers}\n", t.spec_decl.name)
        } else {
            format!("\n{}: {consumers}\n", t.spec_decl.name)
        });
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: if md {
                MarkupKind::Markdown
            } else {
                MarkupKind::PlainText
            },
            value: out,
        }),
        range: Some(encoding::range(
            &model.text,
            &model.lines,
            name_span,
            features.encoding,
        )),
    })
}

fn excerpt(text: &str, span: Span) -> String {
    let body = text.get(span.start..span.end).unwrap_or_default();
    let mut lines: Vec<&str> = body.lines().take(MAX_HOVER_LINES + 1).collect();
    if lines.len() > MAX_HOVER_LINES {
        lines.truncate(MAX_HOVER_LINES);
        lines.push("// …");
    }
    lines.join("\n")
}

/// Kind, direction, category with its meaning, and what the preferred fix does.
fn describe(p: &DriftPoint, md: bool) -> String {
    let c = p.category;
    let headline = format!(
        "{} ({}) · category {} — {}: {}",
        p.kind,
        p.direction.as_str(),
        c.number(),
        c.title(),
        c.meaning()
    );
    let fix = p
        .fixes
        .first()
        .map(|f| format!("Fix: {}", f.title))
        .unwrap_or_else(|| "No automatic fix.".into());
    if md {
        format!("\n---\n**{headline}**\n\n{}\n\n{fix}\n", p.message)
    } else {
        format!("\n{headline}\n{}\n{fix}\n", p.message)
    }
}

/// What the recorded state knows about a drift point: where it came from and the decisions
/// taken on it, oldest first.
fn recorded(view: &StateView, p: &DriftPoint, md: bool) -> String {
    let mut lines = Vec::new();
    if let Some(source) = view.source(&p.id) {
        lines.push(format!("Source: {}", source.describe()));
    }
    for d in view.history(&p.id) {
        let reason = d
            .reason
            .as_deref()
            .map(|r| format!(" — {r}"))
            .unwrap_or_default();
        lines.push(format!(
            "{} by {} at {}{reason}",
            d.decision.as_str(),
            d.actor,
            d.at
        ));
    }
    if lines.is_empty() {
        return String::new();
    }
    let sep = if md { "\n\n" } else { "\n" };
    format!("{sep}{}\n", lines.join(sep))
}

pub fn definition(
    snap: &Snapshot,
    file: &OpenFile,
    pos: Position,
    features: &ClientFeatures,
) -> Option<Location> {
    let t = target(snap, file, pos, features)?;
    let span = match (t.member, t.spec_member) {
        (Some(_), Some(m)) => m.name_span,
        _ => t.spec_decl.name_span,
    };
    // With a `.moment` spec the spec side is its projection, which is in no file: the user
    // goes to the `.moment` line it came from.
    let (file, span) = match snap.moment.origin(t.spec_file, span.start) {
        Some((path, at)) => (snap.model(path)?, at),
        None => (t.spec_file, span),
    };
    Some(Location {
        uri: snap.uri_of(&file.path)?,
        range: encoding::range(&file.text, &file.lines, span, features.encoding),
    })
}

/// One lens above each drifted declaration of an implementation file: "2 drift points ·
/// category 2", opening the spec when clicked.
pub fn code_lenses(snap: &Snapshot, file: &OpenFile, features: &ClientFeatures) -> Vec<CodeLens> {
    let Some(model) = snap.model(&file.rel_path) else {
        return Vec::new();
    };
    if file.side != Side::Implementation {
        return Vec::new();
    }
    let points: Vec<&DriftPoint> = snap
        .points_in(&file.rel_path, Side::Implementation)
        .collect();
    let mut decls: Vec<&Declaration> = model.declarations.values().collect();
    decls.sort_by_key(|d| d.span.start);
    decls
        .into_iter()
        .filter_map(|decl| {
            let mine: Vec<&DriftPoint> = points
                .iter()
                .copied()
                .filter(|p| {
                    p.implementation
                        .as_ref()
                        .is_some_and(|l| contains(decl.span, l.span.start))
                })
                .collect();
            let worst = mine.iter().map(|p| p.category).max()?;
            let n = mine.len();
            let title = format!(
                "{n} drift point{} · category {}",
                if n == 1 { "" } else { "s" },
                worst.number()
            );
            // Drift with a place in the spec opens it; drift without one (a type only the
            // implementation has) explains itself and offers its fix and decisions.
            let command = mine
                .iter()
                .find_map(|p| show_spec_command(snap, p, features, &title))
                .unwrap_or_else(|| explain_command(&title, mine.iter().map(|p| p.id.as_str())));
            Some(CodeLens {
                range: encoding::range(
                    &model.text,
                    &model.lines,
                    decl.name_span,
                    features.encoding,
                ),
                command: Some(command),
                data: None,
            })
        })
        .collect()
}

/// The command that explains drift points in a message offering their fixes and decisions.
pub fn explain_command<'a>(title: &str, ids: impl Iterator<Item = &'a str>) -> Command {
    let ids: Vec<&str> = ids.collect();
    Command {
        title: title.to_string(),
        command: EXPLAIN_COMMAND.to_string(),
        arguments: Some(vec![serde_json::json!({ "driftIds": ids })]),
    }
}
