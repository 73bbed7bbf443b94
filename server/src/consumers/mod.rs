//! Consumption detection: which files outside the spec side use each spec type, and which of
//! its fields they touch (drift-model §6 "consumers").
//!
//! Each file is parsed with tree-sitter once (cached by content hash) into [`FileRefs`]: names it
//! imports, type names it references, names it declares, string literals and property names.
//! Matching is by exact name, so DOM types (`MouseEvent`) or identifiers that merely end in
//! `Event` never count, and a file that declares its own type of the same name (without
//! importing it) is a definition, not a consumer.
//!
//! Confidence: an import by name is high, a type reference without import (a namespace import's
//! `billing.Invoice`, a global) is medium, a string literal equal to a field name is low. Only
//! high and medium consumers make a change breaking (category 3); low ones are shown.

mod resolve;

pub use resolve::{strip_jsonc, ImportResolver};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use tree_sitter::Node;

use crate::cascade::{Consumer, Consumers};
use crate::model::FileModel;
use crate::syntax::{self, Dialect};
use crate::workspace::{Workspace, WorkspaceError, STATE_DIR};

/// How sure detection is that a file uses a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// One file's use of one spec type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Root-relative path.
    pub path: String,
    pub service: String,
    pub confidence: Confidence,
    /// Fields of the type the file touches (approximate: property names and string literals
    /// that equal a field name).
    pub fields: Vec<String>,
}

/// What one file references, as far as consumption detection cares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRefs {
    /// (imported name, local name) of named imports (`import { A as B }`).
    pub imports: Vec<(String, String)>,
    /// Local names of namespace imports (`import * as ns`).
    pub namespaces: Vec<String>,
    /// Type names used (declaration names and type parameters excluded).
    pub type_refs: BTreeSet<String>,
    /// `ns.Name` type references.
    pub qualified_refs: BTreeSet<(String, String)>,
    /// Type names the file declares itself.
    pub declared: BTreeSet<String>,
    /// String literal contents (module specifiers excluded).
    pub strings: BTreeSet<String>,
    /// Property names used (member access, object keys, destructuring).
    pub properties: BTreeSet<String>,
    /// (local name, module specifier) of every named and namespace import.
    #[serde(default)]
    pub import_sources: Vec<(String, String)>,
}

impl FileRefs {
    /// These references without the names imported from packages (`import { Invoice } from
    /// 'stripe'`): such a name is the package's type, which shadows a spec type of that name in
    /// this file like a declaration does.
    pub fn without_packages(&self, importer: &str, resolver: &ImportResolver) -> FileRefs {
        let external: BTreeSet<&str> = self
            .import_sources
            .iter()
            .filter(|(_, specifier)| !resolver.is_internal(importer, specifier))
            .map(|(local, _)| local.as_str())
            .collect();
        if external.is_empty() {
            return self.clone();
        }
        let mut out = self.clone();
        out.imports
            .retain(|(_, local)| !external.contains(local.as_str()));
        out.namespaces.retain(|ns| !external.contains(ns.as_str()));
        for (imported, local) in &self.imports {
            if external.contains(local.as_str()) {
                out.declared.insert(local.clone());
                out.declared.insert(imported.clone());
            }
        }
        out
    }
}

/// Names of TypeScript's lib types that a file may use without importing: an unimported
/// reference to one of these is the global, never a spec type of the same name.
const LIB_GLOBALS: &[&str] = &[
    "Event",
    "MouseEvent",
    "KeyboardEvent",
    "CustomEvent",
    "ErrorEvent",
    "MessageEvent",
    "FocusEvent",
    "InputEvent",
    "PointerEvent",
    "TouchEvent",
    "WheelEvent",
    "DragEvent",
    "UIEvent",
    "ProgressEvent",
    "StorageEvent",
    "SubmitEvent",
    "AnimationEvent",
    "TransitionEvent",
    "ClipboardEvent",
    "PopStateEvent",
    "HashChangeEvent",
    "CloseEvent",
    "CompositionEvent",
    "BeforeUnloadEvent",
    "PageTransitionEvent",
    "Error",
    "Date",
    "Record",
    "Partial",
    "Required",
    "Readonly",
    "Pick",
    "Omit",
    "Promise",
    "Array",
    "ReadonlyArray",
    "Map",
    "Set",
    "Node",
    "Element",
    "Document",
    "Window",
    "Response",
    "Request",
    "Headers",
    "URL",
    "Blob",
    "File",
    "Storage",
    "Location",
    "History",
    "Command",
];

/// Parses `text` and collects its references.
pub fn file_refs(path: &str, text: &str) -> FileRefs {
    let dialect = Dialect::for_path(Path::new(path)).unwrap_or(Dialect::TypeScript);
    let tree = syntax::parse(text, dialect, None);
    refs_of_tree(&tree, text)
}

/// Collects the references of an already parsed `text` (a caller that also extracts the
/// file's declarations parses it once for both).
pub fn refs_of_tree(tree: &tree_sitter::Tree, text: &str) -> FileRefs {
    let mut refs = FileRefs::default();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if visit(node, text, &mut refs) {
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
    }
    refs
}

fn text_of<'t>(node: Node<'_>, text: &'t str) -> &'t str {
    text.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

/// Records what `node` says; returns whether to descend into its children.
fn visit(node: Node<'_>, text: &str, refs: &mut FileRefs) -> bool {
    match node.kind() {
        "import_specifier" => {
            if let Some(name) = node.child_by_field_name("name") {
                let local = node.child_by_field_name("alias").unwrap_or(name);
                refs.imports.push((
                    text_of(name, text).to_string(),
                    text_of(local, text).to_string(),
                ));
            }
            false
        }
        "namespace_import" => {
            let mut c = node.walk();
            if let Some(id) = node
                .named_children(&mut c)
                .find(|n| n.kind() == "identifier")
            {
                refs.namespaces.push(text_of(id, text).to_string());
            }
            false
        }
        // Module specifiers are not string literals of the program.
        "import_statement" | "export_statement" if node.child_by_field_name("source").is_some() => {
            let before = (refs.imports.len(), refs.namespaces.len());
            let mut c = node.walk();
            let children: Vec<Node<'_>> = node
                .named_children(&mut c)
                .filter(|n| n.kind() != "string")
                .collect();
            for child in children {
                visit_tree(child, text, refs);
            }
            if node.kind() == "import_statement" {
                record_sources(node, text, refs, before);
            }
            false
        }
        "interface_declaration"
        | "type_alias_declaration"
        | "class_declaration"
        | "abstract_class_declaration"
        | "enum_declaration"
        // A type parameter's name shadows a type of that name (so counts as declared here); its
        // constraint and default are references.
        | "type_parameter" => {
            declare_name_and_visit_rest(node, text, refs);
            false
        }
        "type_identifier" => {
            refs.type_refs.insert(text_of(node, text).to_string());
            false
        }
        "nested_type_identifier" => {
            if let (Some(m), Some(n)) = (
                node.child_by_field_name("module"),
                node.child_by_field_name("name"),
            ) {
                refs.qualified_refs
                    .insert((text_of(m, text).to_string(), text_of(n, text).to_string()));
            }
            false
        }
        "string_fragment" => {
            refs.strings.insert(text_of(node, text).to_string());
            false
        }
        "property_identifier"
        | "shorthand_property_identifier"
        | "shorthand_property_identifier_pattern" => {
            refs.properties.insert(text_of(node, text).to_string());
            false
        }
        _ => true,
    }
}

/// Remembers the module specifier of the imports an `import` statement added.
fn record_sources(node: Node<'_>, text: &str, refs: &mut FileRefs, before: (usize, usize)) {
    let Some(source) = node.child_by_field_name("source") else {
        return;
    };
    let raw = text_of(source, text);
    let specifier = raw
        .get(1..raw.len().saturating_sub(1))
        .unwrap_or("")
        .to_string();
    let locals: Vec<String> = refs.imports[before.0..]
        .iter()
        .map(|(_, local)| local.clone())
        .chain(refs.namespaces[before.1..].iter().cloned())
        .collect();
    for local in locals {
        refs.import_sources.push((local, specifier.clone()));
    }
}

/// Records the declaration's name as declared in this file and visits everything else in it.
fn declare_name_and_visit_rest(node: Node<'_>, text: &str, refs: &mut FileRefs) {
    let name = node.child_by_field_name("name");
    if let Some(name) = name {
        refs.declared.insert(text_of(name, text).to_string());
    }
    let mut c = node.walk();
    let children: Vec<Node<'_>> = node
        .named_children(&mut c)
        .filter(|n| Some(*n) != name)
        .collect();
    for child in children {
        visit_tree(child, text, refs);
    }
}

fn visit_tree(node: Node<'_>, text: &str, refs: &mut FileRefs) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if visit(n, text, refs) {
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
    }
}

/// How `refs` uses the type `name` with `fields`, if at all.
pub fn usage_of(
    refs: &FileRefs,
    name: &str,
    fields: &[String],
) -> Option<(Confidence, Vec<String>)> {
    let imported = refs.imports.iter().any(|(imported, _)| imported == name);
    if refs.declared.contains(name) && !imported {
        return None;
    }
    let touched = |set: &BTreeSet<String>| -> Vec<String> {
        fields
            .iter()
            .filter(|f| set.contains(*f))
            .cloned()
            .collect()
    };
    if imported {
        return Some((Confidence::High, touched(&refs.properties)));
    }
    let qualified = refs
        .qualified_refs
        .iter()
        .any(|(ns, n)| n == name && refs.namespaces.contains(ns));
    if qualified || (refs.type_refs.contains(name) && !LIB_GLOBALS.contains(&name)) {
        return Some((Confidence::Medium, touched(&refs.properties)));
    }
    let strings = touched(&refs.strings);
    (!strings.is_empty()).then_some((Confidence::Low, strings))
}

/// Every spec type's consumers.
///
/// Confident consumers (an import, a type reference) are kept per type. Low-confidence ones —
/// a string literal equal to a field name — are kept per **field**: `'id'` is a field of many
/// types, and one entry per file and type made 200 files of `['id', …]` cost 14.7 s and 2.1 GB.
/// They are resolved to a type only when asked ([`ConsumerIndex::of`], hovers and summaries);
/// the cascade rules never look at them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConsumerIndex {
    /// High- and medium-confidence consumers of each spec type, most confident first.
    pub by_symbol: BTreeMap<String, Vec<Usage>>,
    /// Each spec field name → the files (indexes into `files`) with a string literal equal to
    /// it, ascending.
    by_field: BTreeMap<String, Vec<u32>>,
    /// (path, service) of every file named in `by_field` or `defined_in`.
    files: Vec<(String, String)>,
    /// Each spec type's field names.
    fields: BTreeMap<String, Vec<String>>,
    /// Spec type name → files that declare their own type of that name without importing it
    /// (a definition, never a consumer).
    defined_in: BTreeMap<String, BTreeSet<u32>>,
}

impl ConsumerIndex {
    /// Consumers of `symbol`: the confident ones first, then the files whose string literals
    /// equal its field names (resolved now: linear in those files).
    pub fn of(&self, symbol: &str) -> Vec<Usage> {
        let confident = self.by_symbol.get(symbol).map(Vec::as_slice).unwrap_or(&[]);
        let mut out = confident.to_vec();
        out.extend(self.low_of(symbol, confident));
        out
    }

    /// Low-confidence consumers of `symbol`: files with a string equal to one of its fields,
    /// that neither consume it confidently nor define their own type of that name.
    fn low_of(&self, symbol: &str, confident: &[Usage]) -> Vec<Usage> {
        let Some(fields) = self.fields.get(symbol) else {
            return Vec::new();
        };
        let mut touched: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for field in fields {
            for file in self.by_field.get(field).into_iter().flatten() {
                touched.entry(*file).or_default().push(field.clone());
            }
        }
        let defined = self.defined_in.get(symbol);
        let sure: BTreeSet<&str> = confident.iter().map(|u| u.path.as_str()).collect();
        touched
            .into_iter()
            .filter(|(file, _)| !defined.is_some_and(|d| d.contains(file)))
            .filter_map(|(file, fields)| {
                let (path, service) = self.files.get(file as usize)?;
                (!sure.contains(path.as_str())).then(|| Usage {
                    path: path.clone(),
                    service: service.clone(),
                    confidence: Confidence::Low,
                    fields,
                })
            })
            .collect()
    }

    /// How many entries the index holds (confident usages plus file-per-field postings):
    /// linear in the files and their strings, whatever the number of types.
    pub fn entries(&self) -> usize {
        self.by_symbol.values().map(Vec::len).sum::<usize>()
            + self.by_field.values().map(Vec::len).sum::<usize>()
    }

    /// What the cascade rules use: high- and medium-confidence consumers.
    pub fn to_cascade(&self) -> Consumers {
        let map = self
            .by_symbol
            .iter()
            .map(|(symbol, usages)| {
                let confident: Vec<Consumer> = usages
                    .iter()
                    .filter(|u| u.confidence >= Confidence::Medium)
                    .map(|u| Consumer {
                        path: u.path.clone(),
                        service: u.service.clone(),
                        fields: u.fields.clone(),
                    })
                    .collect();
                (symbol.clone(), confident)
            })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Consumers::Known(map)
    }

    /// "consumed by 3 files in 2 services" (low-confidence matches counted apart), or
    /// "no consumers found". For hovers and status.
    pub fn summary_for(&self, symbol: &str) -> String {
        summary_of(&self.of(symbol))
    }
}

/// See [`ConsumerIndex::summary_for`].
pub fn summary_for(index: &ConsumerIndex, symbol: &str) -> String {
    index.summary_for(symbol)
}

fn summary_of(usages: &[Usage]) -> String {
    let confident: Vec<&Usage> = usages
        .iter()
        .filter(|u| u.confidence >= Confidence::Medium)
        .collect();
    let low = usages.len() - confident.len();
    let services: BTreeSet<&str> = confident.iter().map(|u| u.service.as_str()).collect();
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("1 {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let mut out = if confident.is_empty() {
        "no consumers found".to_string()
    } else {
        format!(
            "consumed by {} in {}",
            plural(confident.len(), "file"),
            plural(services.len(), "service")
        )
    };
    if low > 0 {
        out.push_str(&format!(
            " ({} more may use its field names)",
            plural(low, "file")
        ));
    }
    out
}

/// The spec's types and their field names.
pub fn spec_types(spec: &[std::sync::Arc<FileModel>]) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for f in spec {
        for (name, decl) in &f.declarations {
            out.entry(name.clone())
                .or_insert_with(|| decl.members().iter().map(|m| m.name.clone()).collect());
        }
    }
    out
}

/// Builds the index from already collected references: (path, service, refs). Each file is
/// matched only against the type names it mentions; its string literals are filed under the
/// field names they equal (never every file against every type with that field).
pub fn index(
    types: &BTreeMap<String, Vec<String>>,
    files: &[(String, String, FileRefs)],
) -> ConsumerIndex {
    let field_names: BTreeSet<&str> = types.values().flatten().map(String::as_str).collect();
    let mut out = ConsumerIndex {
        fields: types.clone(),
        ..Default::default()
    };
    for (path, service, refs) in files {
        for name in mentioned(refs, types) {
            let Some(fields) = types.get(name) else {
                continue;
            };
            match usage_of(refs, name, fields) {
                Some((confidence, fields)) if confidence >= Confidence::Medium => {
                    out.by_symbol
                        .entry(name.to_string())
                        .or_default()
                        .push(Usage {
                            path: path.clone(),
                            service: service.clone(),
                            confidence,
                            fields,
                        });
                }
                _ => {}
            }
        }
        let strings: Vec<&str> = refs
            .strings
            .iter()
            .map(String::as_str)
            .filter(|s| field_names.contains(s))
            .collect();
        let defines: Vec<&str> = refs
            .declared
            .iter()
            .map(String::as_str)
            .filter(|n| types.contains_key(*n))
            .filter(|n| !refs.imports.iter().any(|(imported, _)| imported == n))
            .collect();
        if strings.is_empty() && defines.is_empty() {
            continue;
        }
        let file = out.files.len() as u32;
        out.files.push((path.clone(), service.clone()));
        for s in strings {
            out.by_field.entry(s.to_string()).or_default().push(file);
        }
        for n in defines {
            out.defined_in
                .entry(n.to_string())
                .or_default()
                .insert(file);
        }
    }
    for usages in out.by_symbol.values_mut() {
        usages.sort_by(|a, b| b.confidence.cmp(&a.confidence).then(a.path.cmp(&b.path)));
    }
    out
}

/// The spec types a file mentions by name.
fn mentioned<'a>(refs: &'a FileRefs, types: &BTreeMap<String, Vec<String>>) -> BTreeSet<&'a str> {
    refs.imports
        .iter()
        .map(|(imported, _)| imported.as_str())
        .chain(refs.type_refs.iter().map(String::as_str))
        .chain(refs.qualified_refs.iter().map(|(_, n)| n.as_str()))
        .filter(|n| types.contains_key(*n))
        .collect()
}

/// The service a root-relative path belongs to: the first folder below the service dir holding
/// it (`services/billing` for `services/billing/src/a.ts` with `serviceDirs: ["services"]`), or
/// with the default (the whole root) its top-level folder.
pub fn service_of(rel: &str, service_dirs: &[String]) -> String {
    for dir in service_dirs {
        let dir = dir.trim_end_matches('/');
        let below = if dir == "." || dir.is_empty() {
            Some(rel)
        } else {
            rel.strip_prefix(dir).and_then(|r| r.strip_prefix('/'))
        };
        if let Some(below) = below {
            return match below.split_once('/') {
                Some((first, _)) if dir == "." || dir.is_empty() => first.to_string(),
                Some((first, _)) => format!("{dir}/{first}"),
                None => {
                    if dir == "." || dir.is_empty() {
                        ".".to_string()
                    } else {
                        dir.to_string()
                    }
                }
            };
        }
    }
    rel.split_once('/')
        .map(|(f, _)| f.to_string())
        .unwrap_or_else(|| ".".to_string())
}

/// Folders never searched for consumers, by name.
const SKIPPED_DIRS: &[&str] = &["node_modules", ".git", STATE_DIR, ".complai"];

/// Every TypeScript file that may consume spec types: below the configured `serviceDirs`
/// (default: the whole root), minus skipped folders, the spec side and `exclude` globs.
pub fn candidate_files(
    ws: &Workspace,
) -> Result<Vec<(String, std::path::PathBuf)>, WorkspaceError> {
    let dirs: Vec<String> = ws
        .config
        .service_dirs
        .clone()
        .unwrap_or_else(|| vec![".".to_string()]);
    let exclude = exclude_set(ws)?;
    let mut out = BTreeMap::new();
    for dir in &dirs {
        let base = ws.root.join(dir.trim_end_matches('/'));
        if !base.is_dir() {
            continue;
        }
        let spec_dir = ws.root.join(&ws.generated_dir);
        // `.gitignore` (and `.git/info/exclude`) apply, with or without a git repository: build
        // output such as `dist/` is not a consumer. Hidden files and global git settings do not.
        let walker = ignore::WalkBuilder::new(&base)
            .standard_filters(false)
            .git_ignore(true)
            .git_exclude(true)
            .parents(true)
            .require_git(false)
            .follow_links(false)
            .filter_entry(move |e| {
                !(e.file_type().is_some_and(|t| t.is_dir())
                    && (e
                        .file_name()
                        .to_str()
                        .is_some_and(|n| SKIPPED_DIRS.contains(&n))
                        || e.path() == spec_dir))
            })
            .build();
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file())
                || !crate::syntax::is_typescript(entry.path())
            {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&ws.root) else {
                continue;
            };
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if !exclude.is_match(&rel) {
                out.insert(rel, entry.path().to_path_buf());
            }
        }
    }
    Ok(out.into_iter().collect())
}

fn exclude_set(ws: &Workspace) -> Result<GlobSet, WorkspaceError> {
    let mut b = GlobSetBuilder::new();
    for pattern in ws.config.exclude.iter().flatten() {
        // As in `.gitignore` and tsconfig `include`: `*` stays within one folder, `**` crosses.
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| WorkspaceError::BadGlob {
                pattern: pattern.clone(),
                origin: "`exclude`".into(),
                message: e.kind().to_string(),
            })?;
        b.add(glob);
    }
    b.build().map_err(|e| WorkspaceError::BadGlob {
        pattern: String::new(),
        origin: "`exclude`".into(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(src: &str, name: &str, fields: &[&str]) -> Option<(Confidence, Vec<String>)> {
        let fields: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
        usage_of(&file_refs("svc/a.ts", src), name, &fields)
    }

    #[test]
    fn confidence_levels() {
        let high = "import { Invoice as Inv } from '../generated/billing';\nexport const f = (i: Inv) => i.total;";
        assert_eq!(
            uses(high, "Invoice", &["total", "currency"]),
            Some((Confidence::High, vec!["total".into()]))
        );
        let medium = "import * as billing from '../generated/billing';\nlet x: billing.Invoice;";
        assert_eq!(
            uses(medium, "Invoice", &["total"]).map(|u| u.0),
            Some(Confidence::Medium)
        );
        let global = "declare const x: Invoice;";
        assert_eq!(
            uses(global, "Invoice", &[]).map(|u| u.0),
            Some(Confidence::Medium)
        );
        let low = "export const column = 'customerId';";
        assert_eq!(
            uses(low, "Invoice", &["customerId"]),
            Some((Confidence::Low, vec!["customerId".into()]))
        );
    }

    #[test]
    fn no_false_positives() {
        // DOM events and names that merely end in `Event`.
        let dom = "export function onClick(e: MouseEvent, k: KeyboardEvent): void { const invoiceIssuedEvent = 1; }";
        assert_eq!(uses(dom, "InvoiceIssued", &[]), None);
        assert_eq!(
            uses(dom, "Event", &[]),
            None,
            "an unimported `Event` is the DOM's"
        );
        // A file declaring its own type of that name defines it; it does not consume it.
        let own = "export interface Invoice { total: number }\nexport type X = Invoice[];";
        assert_eq!(uses(own, "Invoice", &["total"]), None);
        // The module specifier is not a string literal of the program; type parameters are not references.
        let spec = "import { x } from 'total';\nexport function id<Invoice>(v: Invoice): Invoice { return v; }";
        assert_eq!(uses(spec, "Invoice", &["total"]), None);
        // Imported `Event` from the spec is a real use.
        let imported = "import type { Event } from './generated';\nlet e: Event;";
        assert_eq!(
            uses(imported, "Event", &[]).map(|u| u.0),
            Some(Confidence::High)
        );
    }

    fn uses_in(path: &str, src: &str, name: &str, r: &ImportResolver) -> Option<Confidence> {
        let refs = file_refs(path, src).without_packages(path, r);
        usage_of(&refs, name, &[]).map(|u| u.0)
    }

    #[test]
    fn a_package_import_is_not_the_spec_type() {
        let r = ImportResolver::default();
        let stripe = "import { Invoice } from 'stripe';
export const f = (i: Invoice) => i;";
        assert_eq!(uses_in("svc/a.ts", stripe, "Invoice", &r), None);
        let aliased = "import type { Invoice as StripeInvoice } from '@stripe/types';
let x: StripeInvoice;";
        assert_eq!(uses_in("svc/a.ts", aliased, "Invoice", &r), None);
        let ns = "import * as stripe from 'stripe';
let x: stripe.Invoice;";
        assert_eq!(uses_in("svc/a.ts", ns, "Invoice", &r), None);
        // The same names from the workspace are consumers.
        let ours = "import { Invoice } from '../src/domain/billing/invoice.types.js';
let x: Invoice;";
        assert_eq!(
            uses_in("svc/a.ts", ours, "Invoice", &r),
            Some(Confidence::High)
        );
        let ns_ours = "import * as billing from './billing';
let x: billing.Invoice;";
        assert_eq!(
            uses_in("svc/a.ts", ns_ours, "Invoice", &r),
            Some(Confidence::Medium)
        );
    }

    fn workspace_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let sides = [
            ("generated/a.types.ts", "export {}"),
            ("src/domain/.keep", ""),
        ];
        for (rel, text) in files.iter().chain(sides.iter()) {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let ws = Workspace::open(dir.path(), &Default::default()).unwrap();
        (dir, ws)
    }

    fn candidates(ws: &Workspace) -> Vec<String> {
        candidate_files(ws)
            .unwrap()
            .into_iter()
            .map(|(rel, _)| rel)
            .collect()
    }

    #[test]
    fn gitignored_build_output_is_not_searched() {
        let (_dir, ws) = workspace_with(&[
            (".moment/sync.json", "{}"),
            (".gitignore", "dist/\n*.gen.ts\n"),
            (
                "apps/web/use.ts",
                "import { Invoice } from '../../generated/a.types';",
            ),
            (
                "apps/web/x.gen.ts",
                "import { Invoice } from '../../generated/a.types';",
            ),
            (
                "dist/use.d.ts",
                "import { Invoice } from '../generated/a.types';",
            ),
        ]);
        assert_eq!(candidates(&ws), vec!["apps/web/use.ts".to_string()]);
    }

    #[test]
    fn tsconfig_paths_resolve_to_workspace_types() {
        let (_dir, ws) = workspace_with(&[
            (".moment/sync.json", "{}"),
            (
                "tsconfig.json",
                "{ \"compilerOptions\": { \"paths\": { \"@domain/*\": [\"src/domain/*\"] } } }",
            ),
            (
                "apps/web/use.ts",
                "import { Invoice } from '@domain/billing';\nlet x: Invoice;",
            ),
        ]);
        let r = ImportResolver::for_root(&ws.root);
        let refs = file_refs(
            "apps/web/use.ts",
            "import { Invoice } from '@domain/billing';",
        );
        assert_eq!(
            usage_of(
                &refs.without_packages("apps/web/use.ts", &r),
                "Invoice",
                &[]
            )
            .map(|u| u.0),
            Some(Confidence::High)
        );
    }

    #[test]
    fn exclude_globs_keep_star_within_one_folder() {
        let (_dir, ws) = workspace_with(&[
            (".moment/sync.json", "{ \"exclude\": [\"apps/*.ts\"] }"),
            ("apps/top.ts", "export {}"),
            ("apps/web/deep.ts", "export {}"),
        ]);
        assert_eq!(candidates(&ws), vec!["apps/web/deep.ts".to_string()]);
    }

    #[test]
    fn services_and_summary() {
        assert_eq!(
            service_of("services/billing/src/a.ts", &["services".into()]),
            "services/billing"
        );
        assert_eq!(service_of("apps/web/a.ts", &[]), "apps");
        let u = |p: &str, s: &str, c| Usage {
            path: p.into(),
            service: s.into(),
            confidence: c,
            fields: vec![],
        };
        let idx = ConsumerIndex {
            by_symbol: BTreeMap::from([(
                "Invoice".to_string(),
                vec![
                    u("a/1.ts", "a", Confidence::High),
                    u("a/2.ts", "a", Confidence::Medium),
                    u("b/1.ts", "b", Confidence::High),
                ],
            )]),
            by_field: BTreeMap::from([("total".to_string(), vec![0])]),
            files: vec![("c/1.ts".into(), "c".into())],
            fields: BTreeMap::from([("Invoice".to_string(), vec!["total".to_string()])]),
            defined_in: BTreeMap::new(),
        };
        assert_eq!(
            summary_for(&idx, "Invoice"),
            "consumed by 3 files in 2 services (1 file more may use its field names)"
        );
        assert_eq!(idx.summary_for("Other"), "no consumers found");
        let Consumers::Known(map) = idx.to_cascade() else {
            panic!()
        };
        assert_eq!(map["Invoice"].len(), 3);
    }

    /// 200 files of `['id', 'field0', …]` against 1,000 spec types that all have `id` and
    /// `field0`: the index keeps one entry per file and string, never one per file and type
    /// (that took 14.7 s and 2.1 GB), and still answers per type when asked.
    #[test]
    fn string_literals_equal_to_field_names_index_linearly() {
        let types: BTreeMap<String, Vec<String>> = (0..1000)
            .map(|t| {
                (
                    format!("T{t}"),
                    vec!["id".to_string(), "field0".to_string()],
                )
            })
            .collect();
        let files: Vec<(String, String, FileRefs)> = (0..200)
            .map(|i| {
                let refs = file_refs("svc/a.ts", "export const cols = ['id', 'field0', 'other'];");
                (format!("svc/{i}.ts"), "svc".to_string(), refs)
            })
            .collect();
        let idx = index(&types, &files);
        assert_eq!(
            idx.entries(),
            200 * 2,
            "one entry per file and matching string"
        );
        assert_eq!(
            idx.summary_for("T7"),
            "no consumers found (200 files more may use its field names)"
        );
        let low = idx.of("T999");
        assert_eq!(low.len(), 200);
        assert!(low.iter().all(|u| u.confidence == Confidence::Low));
        assert_eq!(low[0].fields, vec!["id".to_string(), "field0".to_string()]);
        // A file that imports the type is a confident consumer, not also a low one; a file
        // declaring its own type of the name is neither.
        let mut files = files;
        files.push((
            "svc/uses.ts".into(),
            "svc".into(),
            file_refs(
                "svc/uses.ts",
                "import { T7 } from './gen';\nconst c = ['id'];",
            ),
        ));
        files.push((
            "svc/own.ts".into(),
            "svc".into(),
            file_refs(
                "svc/own.ts",
                "interface T7 { id: string }\nconst c = ['id'];",
            ),
        ));
        let idx = index(&types, &files);
        assert_eq!(
            idx.summary_for("T7"),
            "consumed by 1 file in 1 service (200 files more may use its field names)"
        );
        assert_eq!(idx.of("T8").len(), 202, "svc/own.ts declares T7, not T8");
    }
}
