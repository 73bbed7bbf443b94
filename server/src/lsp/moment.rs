//! The language server in `.moment` files: syntax and drift diagnostics on the spec's fields and
//! types, hover (the TypeScript projection and the implementation's shape), go to
//! implementation / definition, the outline, completion of type names and semantic tokens.
//!
//! The analysis side is in `crate::moment`; this module only presents it. The configured spec
//! is read from disk by the index (once, and again when one of its files changes); open
//! `.moment` documents override it: it is re-projected from them on every analysis (see
//! [`MomentSide::load`]), so drift in TypeScript files follows unsaved spec edits too.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::json;
use tower_lsp_server::ls_types::*;

use super::capabilities::{ClientFeatures, DECIDE_COMMAND};
use super::diagnostics::{severity, SOURCE};
use super::documents::{DocumentSnapshot, DocumentStore};
use super::encoding;
use super::index::Index;
use super::snapshot::{OpenFile, Snapshot};
use crate::analysis::Analysis;
use crate::model::{Direction, DriftKind, DriftPoint};
use crate::model::{FileModel, Side, Span};
use crate::moment::ast::{OtherKind, SpecFile};
use crate::moment::emit::ts_type;
use crate::moment::lexer::{self, TokenKind, BUILTIN_TYPES};
use crate::moment::query::{self, Item};
use crate::moment::LoadedSpec;
use crate::text::LineIndex;

/// `true` for a `.moment` path or URI.
pub fn is_moment(path: &str) -> bool {
    path.ends_with(".moment")
}

/// The `.moment` side of one analysis.
#[derive(Debug, Default)]
pub struct MomentSide {
    /// The configured spec (`spec` key): its projection is the analysis's spec side.
    pub spec: Option<Arc<LoadedSpec>>,
    /// Open `.moment` documents outside the configured spec, each on its own: syntax, outline,
    /// hover of the projection and completion, but no drift.
    pub loose: HashMap<String, Arc<LoadedSpec>>,
    /// Open `.moment` documents: (URI, root-relative path, version).
    open: Vec<(Uri, String, i32)>,
}

impl MomentSide {
    /// Reads the configured spec with the open `.moment` documents laid over the disk, and
    /// parses the other open `.moment` documents on their own.
    pub fn load(index: &Index, docs: &DocumentStore, listed: &[DocumentSnapshot]) -> MomentSide {
        let root = index.root();
        let mut side = MomentSide::default();
        let mut texts: HashMap<String, String> = HashMap::new();
        for doc in listed {
            let Ok(rel) = doc.path.strip_prefix(root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if !is_moment(&rel) {
                continue;
            }
            let Some((text, _)) = docs.text_at(&doc.uri, doc.version) else {
                continue;
            };
            side.open.push((doc.uri.clone(), rel.clone(), doc.version));
            texts.insert(rel, text);
        }
        match index.disk_spec() {
            Some(Ok(disk)) => {
                let loaded = over_disk(disk, &texts);
                for s in &loaded.spec.sources {
                    texts.remove(&s.path);
                }
                side.spec = Some(loaded);
            }
            // Logged once when read; the spec's own error shows in `check`.
            Some(Err(e)) => tracing::debug!("no spec side: {e}"),
            None => {}
        }
        for (rel, text) in texts {
            let loaded = LoadedSpec::from_texts(vec![(rel.clone(), text)]);
            side.loose.insert(rel, Arc::new(loaded));
        }
        side
    }

    /// The configured spec's projection, as spec-side models.
    pub fn spec_models(&self, generated_dir: &str) -> Vec<Arc<FileModel>> {
        self.spec
            .as_ref()
            .map(|s| s.spec_models(generated_dir))
            .unwrap_or_default()
    }

    /// After the analysis: spec locations name the `.moment` lines, the `.moment` texts join
    /// the analysis's files, and open `.moment` documents are listed as open spec files.
    pub fn finish(
        &self,
        generated_dir: &str,
        analysis: &mut Analysis,
        open: &mut HashMap<Uri, OpenFile>,
        by_path: &mut HashMap<String, Uri>,
    ) {
        if let Some(spec) = &self.spec {
            spec.relocate(generated_dir, &mut analysis.points);
        }
        for loaded in self.spec.iter().chain(self.loose.values()) {
            for source in loaded.source_models() {
                analysis.files.insert(source.path.clone(), source);
            }
        }
        for (uri, rel, version) in &self.open {
            by_path.insert(rel.clone(), uri.clone());
            open.insert(
                uri.clone(),
                OpenFile {
                    rel_path: rel.clone(),
                    side: Side::Spec,
                    version: *version,
                },
            );
        }
    }

    /// The `.moment` place (root-relative path, span) behind an offset of a spec-side model of
    /// the configured spec's projection; `None` for any other model (an emitted file on disk).
    pub fn origin(&self, model: &FileModel, offset: usize) -> Option<(&str, Span)> {
        let spec = self.spec.as_ref()?;
        let emitted = spec
            .emitted
            .iter()
            .find(|f| f.side_path() == model.side_path && f.text.as_str() == &*model.text)?;
        let at = emitted.origin(offset)?;
        Some((spec.spec.sources.get(at.file)?.path.as_str(), at.span))
    }

    /// The loaded spec holding `rel_path` and the file's index in it.
    pub fn source(&self, rel_path: &str) -> Option<(&LoadedSpec, usize)> {
        self.spec.iter().chain(self.loose.values()).find_map(|l| {
            let i = l.spec.sources.iter().position(|s| s.path == rel_path)?;
            Some((l.as_ref(), i))
        })
    }

    fn is_configured(&self, loaded: &LoadedSpec) -> bool {
        self.spec
            .as_deref()
            .is_some_and(|s| std::ptr::eq(s, loaded))
    }
}

/// The spec as on disk (read by the index, once per change on disk) with the open documents'
/// texts laid over its files: re-parsed and re-projected only when a document overrides one.
fn over_disk(disk: &Arc<LoadedSpec>, texts: &HashMap<String, String>) -> Arc<LoadedSpec> {
    let sources = &disk.spec.sources;
    if !sources.iter().any(|s| texts.contains_key(&s.path)) {
        return disk.clone();
    }
    let files = sources
        .iter()
        .map(|s| {
            let text = texts.get(&s.path).cloned();
            (s.path.clone(), text.unwrap_or_else(|| s.text.to_string()))
        })
        .collect();
    Arc::new(LoadedSpec::from_texts(files))
}

/// A `.moment` file of a snapshot, ready for position conversions.
struct Doc<'a> {
    loaded: &'a LoadedSpec,
    file: usize,
    text: &'a str,
    lines: LineIndex,
    parsed: &'a SpecFile,
}

fn doc<'a>(snap: &'a Snapshot, rel_path: &str) -> Option<Doc<'a>> {
    let (loaded, file) = snap.moment.source(rel_path)?;
    let source = &loaded.spec.sources[file];
    Some(Doc {
        loaded,
        file,
        text: &source.text,
        lines: LineIndex::new(&source.text),
        parsed: &source.parsed,
    })
}

impl Doc<'_> {
    fn range(&self, span: Span, features: &ClientFeatures) -> Range {
        encoding::range(self.text, &self.lines, span, features.encoding)
    }
    fn offset(&self, pos: Position, features: &ClientFeatures) -> usize {
        encoding::offset(self.text, &self.lines, pos, features.encoding)
    }
}

// ---- diagnostics ----------------------------------------------------------------------------

/// Syntax errors as you type, then every drift point whose spec location is in this file.
pub fn diagnostics(snap: &Snapshot, rel_path: &str, features: &ClientFeatures) -> Vec<Diagnostic> {
    let Some(d) = doc(snap, rel_path) else {
        return Vec::new();
    };
    let mut out: Vec<Diagnostic> = d
        .loaded
        .problems
        .iter()
        .filter(|p| p.at.file == d.file)
        .map(|p| Diagnostic {
            range: d.range(p.at.span, features),
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String("syntax".into())),
            source: Some(SOURCE.to_string()),
            message: p.message.clone(),
            ..Default::default()
        })
        .collect();
    if !snap.moment.is_configured(d.loaded) {
        return out;
    }
    for p in spec_points(snap, rel_path) {
        let Some(loc) = &p.spec else { continue };
        let sev = if p.direction == Direction::ImplAhead {
            DiagnosticSeverity::HINT
        } else {
            severity(snap.config.severity_for(p.category.number()))
        };
        out.push(Diagnostic {
            range: d.range(loc.span, features),
            severity: Some(sev),
            code: Some(NumberOrString::String(p.kind.as_str().to_string())),
            code_description: features
                .code_description
                .then(|| p.kind.docs_url().parse::<Uri>().ok())
                .flatten()
                .map(|href| CodeDescription { href }),
            source: Some(SOURCE.to_string()),
            message: spec_message(p),
            related_information: features
                .related_information
                .then(|| related_implementation(snap, p, features))
                .flatten()
                .map(|r| vec![r]),
            data: features
                .diagnostic_data
                .then(|| json!({ "driftId": p.id, "category": p.category.number() })),
            ..Default::default()
        });
    }
    out
}

fn spec_points<'a>(snap: &'a Snapshot, rel_path: &'a str) -> impl Iterator<Item = &'a DriftPoint> {
    snap.analysis
        .points
        .iter()
        .filter(move |p| p.spec.as_ref().is_some_and(|l| l.path == rel_path))
}

/// The message as seen from the spec: what the implementation does with this item.
fn spec_message(p: &DriftPoint) -> String {
    let q = p.qualified_name();
    let at = p
        .implementation
        .as_ref()
        .map(|l| l.path.as_str())
        .unwrap_or("the implementation");
    let actual = p.actual.as_deref().unwrap_or("?");
    match p.kind {
        DriftKind::ChangedType => format!(
            "{q} is implemented as `{actual}` in {at} (the spec says `{}`)",
            p.expected.as_deref().unwrap_or("?")
        ),
        DriftKind::MissingType | DriftKind::MissingMember => {
            format!("{q} is not implemented yet ({at})")
        }
        DriftKind::ExtraMember => format!(
            "{at} has {q}, which the spec does not declare: record it as feedback or remove it"
        ),
        DriftKind::RenamedType | DriftKind::RenamedMember => {
            format!("{q} is implemented as `{actual}` in {at}")
        }
        _ => format!("{} ({at})", p.message),
    }
}

fn related_implementation(
    snap: &Snapshot,
    p: &DriftPoint,
    features: &ClientFeatures,
) -> Option<DiagnosticRelatedInformation> {
    let loc = p.implementation.as_ref()?;
    let model = snap.model(&loc.path)?;
    Some(DiagnosticRelatedInformation {
        location: Location {
            uri: snap.uri_of(&loc.path)?,
            range: encoding::range(&model.text, &model.lines, loc.span, features.encoding),
        },
        message: format!("{} in the implementation", p.qualified_name()),
    })
}

/// For drift on the spec: "Record as feedback" (impl-ahead), "Reject", "Skip".
pub fn code_actions(
    snap: &Snapshot,
    rel_path: &str,
    range: Range,
    features: &ClientFeatures,
) -> Vec<CodeActionOrCommand> {
    let Some(d) = doc(snap, rel_path) else {
        return Vec::new();
    };
    let (start, end) = (
        d.offset(range.start, features),
        d.offset(range.end, features),
    );
    let command = |title: String, id: &str, decision: &str| {
        CodeActionOrCommand::Command(Command {
            title,
            command: DECIDE_COMMAND.to_string(),
            arguments: Some(vec![
                json!({ "driftId": id, "decision": decision, "applied": false }),
            ]),
        })
    };
    let mut out = Vec::new();
    for p in spec_points(snap, rel_path) {
        let Some(loc) = &p.spec else { continue };
        if loc.span.end < start || loc.span.start > end {
            continue;
        }
        let q = p.qualified_name();
        if p.direction == Direction::ImplAhead {
            out.push(command(
                format!("Record {q} as feedback for the spec"),
                &p.id,
                "accept",
            ));
        }
        out.push(command(format!("Reject this drift ({q})"), &p.id, "reject"));
        out.push(command(format!("Skip for now ({q})"), &p.id, "skip"));
    }
    out
}

// ---- hover and navigation -------------------------------------------------------------------

/// The emitted TypeScript for a `.moment` name: the smallest emitted range mapped to it.
fn projection(d: &Doc<'_>, name: Span) -> Option<String> {
    d.loaded
        .emitted
        .iter()
        .flat_map(|f| f.map.iter().map(move |(ts, src)| (f, ts, src)))
        .filter(|(_, _, src)| src.file == d.file && src.span == name)
        .min_by_key(|(_, ts, _)| ts.len())
        .map(|(f, ts, _)| dedent(&f.text[ts.start..ts.end]))
}

fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where the implementation declares `symbol` (and `member`): path, the item's text, its name.
fn implementation_of<'a>(
    snap: &'a Snapshot,
    symbol: &str,
    member: Option<&str>,
) -> Option<(&'a Arc<FileModel>, Span, Span)> {
    let mut files: Vec<&Arc<FileModel>> = snap
        .analysis
        .files
        .values()
        .filter(|f| f.side == Side::Implementation)
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.into_iter().find_map(|f| {
        let decl = f.declarations.get(symbol)?;
        match member {
            None => Some((f, decl.span, decl.name_span)),
            Some(m) => decl
                .members()
                .iter()
                .find(|x| x.name == m)
                .map(|x| (f, x.decl_span, x.name_span)),
        }
    })
}

/// Hover: the TypeScript the spec item projects to, the implementation's shape and the drift.
pub fn hover(
    snap: &Snapshot,
    rel_path: &str,
    pos: Position,
    features: &ClientFeatures,
) -> Option<Hover> {
    let d = doc(snap, rel_path)?;
    let offset = d.offset(pos, features);
    let item = query::item_at(d.parsed, offset)?;
    let mut parts = Vec::new();
    match item {
        Item::TypeRef(name) => {
            let ts = ts_type(&name.text, false);
            let declared = query::declared_types(&d.loaded.spec)
                .into_iter()
                .find(|t| t.ts_name == ts);
            parts.push(format!("`{}` is `{ts}` in TypeScript", name.text));
            match declared {
                Some(t) => parts.push(format!(
                    "declared as a {} in {}",
                    t.kind, d.loaded.spec.sources[t.at.file].path
                )),
                None if BUILTIN_TYPES.contains(&name.text.as_str()) => {}
                None => parts.push("not declared in this spec (emitted as written)".into()),
            }
        }
        Item::Other(o) => parts.push(format!(
            "{} `{}`: no TypeScript (the emitter writes only aggregates, commands, events and value objects)",
            o.kind.keyword(),
            o.name.text
        )),
        _ => {
            let (symbol, member) = item.ts_symbol()?;
            if let Some(ts) = projection(&d, item.name_span()) {
                parts.push(format!("Spec (TypeScript projection):\n```typescript\n{ts}\n```"));
            }
            match implementation_of(snap, &symbol, member.as_deref()) {
                Some((f, span, _)) => parts.push(format!(
                    "Implementation ({}):\n```typescript\n{}\n```",
                    f.path,
                    dedent(&f.text[span.start..span.end])
                )),
                None if snap.moment.is_configured(d.loaded) => {
                    parts.push("Not in the implementation.".to_string())
                }
                None => {}
            }
            for p in snap.analysis.points.iter().filter(|p| {
                p.symbol == symbol && (member.is_none() || p.member == member)
            }) {
                parts.push(format!(
                    "**{}** ({}, category {}): {}",
                    p.kind,
                    p.direction.as_str(),
                    p.category.number(),
                    p.message
                ));
            }
        }
    }
    let value = parts.join("\n\n");
    let contents = if features.markdown_hover {
        MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }
    } else {
        MarkupContent {
            kind: MarkupKind::PlainText,
            value: value.replace("```typescript\n", "").replace("\n```", ""),
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(contents),
        range: Some(d.range(item.name_span(), features)),
    })
}

/// Go to implementation: the implementation's declaration or member for a spec item.
pub fn implementation(
    snap: &Snapshot,
    rel_path: &str,
    pos: Position,
    features: &ClientFeatures,
) -> Option<Location> {
    let d = doc(snap, rel_path)?;
    let item = query::item_at(d.parsed, d.offset(pos, features))?;
    let (symbol, member) = match item {
        Item::TypeRef(name) => (ts_type(&name.text, false), None),
        _ => item.ts_symbol()?,
    };
    let (f, _, name) = implementation_of(snap, &symbol, member.as_deref())
        .or_else(|| implementation_of(snap, &symbol, None))?;
    Some(Location {
        uri: snap.uri_of(&f.path)?,
        range: encoding::range(&f.text, &f.lines, name, features.encoding),
    })
}

/// Go to definition: a type reference jumps to the type's declaration in the spec; anything
/// else to its implementation.
pub fn definition(
    snap: &Snapshot,
    rel_path: &str,
    pos: Position,
    features: &ClientFeatures,
) -> Option<Location> {
    let d = doc(snap, rel_path)?;
    if let Some(Item::TypeRef(name)) = query::item_at(d.parsed, d.offset(pos, features)) {
        let ts = ts_type(&name.text, false);
        // Prefer a declaration in the same file (a value object can exist once per context).
        let types = query::declared_types(&d.loaded.spec);
        let t = types
            .iter()
            .find(|t| t.ts_name == ts && t.at.file == d.file)
            .or_else(|| types.iter().find(|t| t.ts_name == ts))?;
        let source = &d.loaded.spec.sources[t.at.file];
        let lines = LineIndex::new(&source.text);
        let root = snap.root.as_ref()?;
        return Some(Location {
            uri: super::documents::file_uri(&root.join(&source.path))?,
            range: encoding::range(&source.text, &lines, t.at.span, features.encoding),
        });
    }
    implementation(snap, rel_path, pos, features)
}

// ---- outline and completion -----------------------------------------------------------------

/// Contexts › aggregates › commands, events, value objects › fields; plus the other
/// declarations and flows.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be named to build the struct.
pub fn document_symbols(
    snap: &Snapshot,
    rel_path: &str,
    features: &ClientFeatures,
) -> Vec<DocumentSymbol> {
    let Some(d) = doc(snap, rel_path) else {
        return Vec::new();
    };
    let sym = |name: &str, detail: &str, kind, span: Span, sel: Span, children| DocumentSymbol {
        name: if name.is_empty() {
            "?".into()
        } else {
            name.to_string()
        },
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        kind,
        tags: None,
        deprecated: None,
        range: d.range(span, features),
        selection_range: d.range(sel, features),
        children: Some(children),
    };
    let field = |f: &crate::moment::ast::Field| {
        let ty = format!(
            "{}{}",
            f.ty.name.text,
            if f.ty.is_array { "[]" } else { "" }
        );
        let mut detail = ty;
        if f.deprecation.is_some() {
            detail.push_str(" (deprecated)");
        }
        sym(
            &f.name.text,
            &detail,
            SymbolKind::FIELD,
            f.span,
            f.name.span,
            Vec::new(),
        )
    };
    let mut out = Vec::new();
    for ctx in &d.parsed.contexts {
        let mut children = Vec::new();
        for agg in &ctx.aggregates {
            let mut members: Vec<DocumentSymbol> = agg.identity.iter().map(field).collect();
            for c in &agg.commands {
                let emits = c.emits.as_ref().map(|e| format!("emits {}", e.text));
                members.push(sym(
                    &c.name.text,
                    emits.as_deref().unwrap_or(""),
                    SymbolKind::METHOD,
                    c.span,
                    c.name.span,
                    c.inputs.iter().map(field).collect(),
                ));
            }
            for (records, kind, label) in [
                (&agg.events, SymbolKind::EVENT, "event"),
                (&agg.value_objects, SymbolKind::STRUCT, "value object"),
            ] {
                for r in records {
                    members.push(sym(
                        &r.name.text,
                        label,
                        kind,
                        r.span,
                        r.name.span,
                        r.fields.iter().map(field).collect(),
                    ));
                }
            }
            children.push(sym(
                &agg.name.text,
                "aggregate",
                SymbolKind::CLASS,
                agg.span,
                agg.name.span,
                members,
            ));
        }
        for o in &ctx.others {
            children.push(sym(
                &o.name.text,
                o.kind.keyword(),
                other_kind(o.kind),
                o.span,
                o.name.span,
                Vec::new(),
            ));
        }
        out.push(sym(
            &ctx.name.text,
            "context",
            SymbolKind::NAMESPACE,
            ctx.span,
            ctx.name.span,
            children,
        ));
    }
    for f in &d.parsed.flows {
        out.push(sym(
            &f.name.text,
            "flow",
            SymbolKind::MODULE,
            f.span,
            f.name.span,
            Vec::new(),
        ));
    }
    out
}

fn other_kind(kind: OtherKind) -> SymbolKind {
    match kind {
        OtherKind::Service => SymbolKind::INTERFACE,
        OtherKind::Policy => SymbolKind::FUNCTION,
        OtherKind::Saga => SymbolKind::OBJECT,
        OtherKind::Relationship => SymbolKind::OPERATOR,
        OtherKind::Flow => SymbolKind::MODULE,
    }
}

/// Type names after `:` (built-ins and the spec's own types), event names after `emits`.
pub fn completion(
    snap: &Snapshot,
    rel_path: &str,
    pos: Position,
    features: &ClientFeatures,
) -> Vec<CompletionItem> {
    let Some(d) = doc(snap, rel_path) else {
        return Vec::new();
    };
    let offset = d.offset(pos, features);
    let line_start = d.lines.line_start(d.lines.line_of(offset));
    let before = d.text.get(line_start..offset).unwrap_or("");
    let word_start = before
        .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        .trim_end();
    let types = query::declared_types(&d.loaded.spec);
    let item = |label: &str, detail: &str, kind| CompletionItem {
        label: label.to_string(),
        detail: Some(detail.to_string()),
        kind: Some(kind),
        ..Default::default()
    };
    let mut out: Vec<CompletionItem> = Vec::new();
    if word_start.ends_with(':') {
        for b in BUILTIN_TYPES {
            out.push(item(
                b,
                &format!("built-in: `{}` in TypeScript", ts_type(b, false)),
                CompletionItemKind::KEYWORD,
            ));
        }
        for t in types.iter().filter(|t| t.kind == "value object") {
            out.push(item(&t.written, t.kind, CompletionItemKind::STRUCT));
        }
    } else if word_start.ends_with("emits") {
        for t in types.iter().filter(|t| t.kind == "event") {
            out.push(item(&t.written, t.kind, CompletionItemKind::EVENT));
        }
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out.dedup_by(|a, b| a.label == b.label);
    out
}

// ---- semantic tokens ------------------------------------------------------------------------

/// The token types, in legend order.
pub const TOKEN_TYPES: [SemanticTokenType; 8] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
    SemanticTokenType::TYPE,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::NUMBER,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::CLASS,
];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_TYPES.to_vec(),
        token_modifiers: Vec::new(),
    }
}

/// Semantic tokens from the lexer (keywords, strings, comments, numbers, operators) and the
/// parse (type references, field names, declaration names).
pub fn semantic_tokens(
    snap: &Snapshot,
    rel_path: &str,
    features: &ClientFeatures,
) -> Option<SemanticTokens> {
    let d = doc(snap, rel_path)?;
    let mut roles: HashMap<usize, u32> = HashMap::new();
    collect_roles(d.parsed, &mut roles);
    let mut tokens: Vec<(Span, u32)> = Vec::new();
    for t in lexer::lex(d.text) {
        let word = &d.text[t.span.start..t.span.end];
        let ty = match t.kind {
            TokenKind::LineComment | TokenKind::BlockComment | TokenKind::UnterminatedComment => 2,
            TokenKind::Str | TokenKind::UnterminatedStr => 1,
            TokenKind::Int => 5,
            TokenKind::Arrow | TokenKind::At | TokenKind::Times => 6,
            TokenKind::Ident => match roles.get(&t.span.start) {
                Some(&role) => role,
                None if BUILTIN_TYPES.contains(&word) => 3,
                None if lexer::keyword(word) || word == "frame" => 0,
                None => continue,
            },
            _ => continue,
        };
        tokens.push((t.span, ty));
    }
    let mut data = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for (span, ty) in tokens {
        // Clients without multiline tokens need one token per line.
        let mut start = span.start;
        while start < span.end {
            let line = d.lines.line_of(start);
            let end = d
                .lines
                .line_content_end(d.text, line)
                .min(span.end)
                .max(start);
            if end > start {
                let a = encoding::position(d.text, &d.lines, start, features.encoding);
                let b = encoding::position(d.text, &d.lines, end, features.encoding);
                let delta_line = a.line - prev_line;
                let delta_start = if delta_line == 0 {
                    a.character - prev_col
                } else {
                    a.character
                };
                data.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: b.character.saturating_sub(a.character),
                    token_type: ty,
                    token_modifiers_bitset: 0,
                });
                (prev_line, prev_col) = (a.line, a.character);
            }
            let next = d.lines.line_start(line + 1);
            if next <= start {
                break;
            }
            start = next;
        }
    }
    Some(SemanticTokens {
        result_id: None,
        data,
    })
}

fn collect_roles(file: &SpecFile, roles: &mut HashMap<usize, u32>) {
    let field = |f: &crate::moment::ast::Field, roles: &mut HashMap<usize, u32>| {
        roles.insert(f.name.span.start, 4);
        roles.insert(f.ty.name.span.start, 3);
    };
    for ctx in &file.contexts {
        for agg in &ctx.aggregates {
            if let Some(id) = &agg.identity {
                field(id, roles);
            }
            for c in &agg.commands {
                roles.insert(c.name.span.start, 7);
                c.inputs.iter().for_each(|f| field(f, roles));
                if let Some(e) = &c.emits {
                    roles.insert(e.span.start, 3);
                }
            }
            for r in agg.events.iter().chain(&agg.value_objects) {
                roles.insert(r.name.span.start, 7);
                r.fields.iter().for_each(|f| field(f, roles));
            }
        }
    }
}
