//! What a file imports and which names it uses, and the edits that add or drop import
//! specifiers: the part of a fix that keeps the implementation type-checking (issue 10, "fixes
//! that compile"). Syntactic (tree-sitter): no type checker, so only what the text says.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use tree_sitter::{Node, Tree};

use crate::model::{Span, TextEdit};
use crate::syntax::{self, Dialect};

/// One `{ … }` entry of an import (or re-export) statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Specifier {
    /// The exported name (`A` in `A as B`).
    pub name: String,
    /// The local name (`B` in `A as B`, else the name).
    pub local: String,
    pub span: Span,
    pub name_span: Span,
    /// Written `type A` inside a value import.
    pub inline_type: bool,
    /// Has ` as B`.
    pub aliased: bool,
}

/// An `import … from '…'` statement, or an `export { … } from '…'` / `export * from '…'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportStmt {
    /// The whole statement, its `;` included.
    pub span: Span,
    /// The module specifier without quotes.
    pub source: String,
    pub quote: char,
    /// `import type { … }` / `export type { … }`.
    pub type_only: bool,
    pub specifiers: Vec<Specifier>,
    /// The `{ … }` list, when there is one.
    pub named_span: Option<Span>,
    /// A default or namespace binding besides the list (`import D, { A }`, `import * as ns`).
    pub other_bindings: bool,
    pub semicolon: bool,
    /// An `export … from` statement (a re-export), not an import.
    pub reexport: bool,
    /// `export * from`.
    pub star: bool,
}

/// The facts about one file that import edits need.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub imports: Vec<ImportStmt>,
    /// Occurrences of each identifier or type name outside import and re-export statements.
    uses: HashMap<String, usize>,
    /// Type names referenced and not bound by a type parameter.
    type_refs: BTreeSet<String>,
    /// Names of the file's own interfaces, aliases, classes and enums (exported or not).
    declared: BTreeSet<String>,
    /// Where a first import goes when the file has none: the start of the line of its first
    /// statement (after a header comment), else the end of the text.
    pub body_start: usize,
}

impl Facts {
    /// How often `name` is used outside imports.
    pub fn uses(&self, name: &str) -> usize {
        self.uses.get(name).copied().unwrap_or(0)
    }

    /// The import of `specifier` that new names from it go into (one with a `{ … }` list), if
    /// the file has one; else they need a new statement.
    pub fn statement_to_merge_into(&self, specifier: &str) -> Option<usize> {
        self.imports
            .iter()
            .position(|i| !i.reexport && i.source == specifier && i.named_span.is_some() && !i.star)
    }

    /// Local names bound by imports (`import`s only, not re-exports).
    pub fn imported_locals(&self) -> impl Iterator<Item = &str> {
        self.imports
            .iter()
            .filter(|i| !i.reexport)
            .flat_map(|i| i.specifiers.iter().map(|s| s.local.as_str()))
    }

    /// Whether the file imports its types with `import type` / `type X` (the default), or
    /// with plain imports: plain only when no import of the file says `type` and one imports
    /// plainly a name that `is_only_a_type(source, name)` (an interface or type alias, which
    /// `verbatimModuleSyntax` would reject, so the project does not use it). A plain import of
    /// a class or enum says nothing: those are values too.
    pub fn imports_types_with_type_keyword(
        &self,
        is_only_a_type: &dyn Fn(&str, &str) -> bool,
    ) -> bool {
        let imports = || self.imports.iter().filter(|i| !i.reexport);
        let says_type =
            imports().any(|i| i.type_only || i.specifiers.iter().any(|s| s.inline_type));
        says_type
            || !imports().any(|i| {
                i.specifiers
                    .iter()
                    .any(|s| is_only_a_type(&i.source, &s.name))
            })
    }

    /// Type names the file uses that nothing in it declares or imports (globals, or names an
    /// import is missing for).
    pub fn unresolved_types(&self) -> BTreeSet<&str> {
        let imported: BTreeSet<&str> = self.imported_locals().collect();
        self.type_refs
            .iter()
            .map(String::as_str)
            .filter(|n| !self.declared.contains(*n) && !imported.contains(n))
            .collect()
    }
}

/// The grammar for `path` (unknown extensions parse as TypeScript).
pub fn dialect_of(path: &str) -> Dialect {
    Dialect::for_path(Path::new(path)).unwrap_or(Dialect::TypeScript)
}

/// Parses `text` and reads its [`Facts`].
pub fn facts(path: &str, text: &str) -> Facts {
    let tree = syntax::parse(text, dialect_of(path), None);
    facts_of_tree(&tree, text)
}

pub(super) fn facts_of_tree(tree: &Tree, text: &str) -> Facts {
    let root = tree.root_node();
    let mut out = Facts {
        body_start: text.len(),
        ..Facts::default()
    };
    let mut cursor = root.walk();
    let top: Vec<Node<'_>> = root.named_children(&mut cursor).collect();
    if let Some(first) = top.iter().find(|n| n.kind() != "comment") {
        out.body_start = line_start(text, first.start_byte());
    }
    let mut stack: Vec<Node<'_>> = Vec::new();
    for node in top.iter().rev() {
        if let Some(stmt) = import_stmt(*node, text) {
            out.imports.push(stmt);
        } else {
            stack.push(*node);
        }
    }
    out.imports.sort_by_key(|i| i.span.start);
    while let Some(node) = stack.pop() {
        match node.kind() {
            "type_identifier" => {
                let name = node_text(node, text);
                *out.uses.entry(name.to_string()).or_default() += 1;
                if !is_declaration_name(node) && !bound_by_type_parameter(node, name, text) {
                    out.type_refs.insert(name.to_string());
                }
                continue;
            }
            "identifier" | "shorthand_property_identifier" => {
                *out.uses
                    .entry(node_text(node, text).to_string())
                    .or_default() += 1;
                continue;
            }
            "interface_declaration"
            | "type_alias_declaration"
            | "class_declaration"
            | "abstract_class_declaration"
            | "enum_declaration" => {
                if let Some(name) = syntax::field(node, "name") {
                    out.declared.insert(node_text(name, text).to_string());
                }
            }
            // Strings and comments hold no references.
            "string" | "template_string" | "comment" => continue,
            _ => {}
        }
        let mut c = node.walk();
        let children: Vec<Node<'_>> = node.children(&mut c).collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

/// The name of the declaration `node` is in (`interface X`), not a reference.
fn is_declaration_name(node: Node<'_>) -> bool {
    node.parent().is_some_and(|p| {
        matches!(
            p.kind(),
            "interface_declaration"
                | "type_alias_declaration"
                | "class_declaration"
                | "abstract_class_declaration"
                | "enum_declaration"
                | "type_parameter"
        ) && syntax::field(p, "name") == Some(node)
    })
}

/// `true` when a type parameter (or a mapped type's key) of an enclosing node binds `name`.
pub(super) fn bound_by_type_parameter(node: Node<'_>, name: &str, text: &str) -> bool {
    let mut at = node.parent();
    while let Some(a) = at {
        if let Some(params) = syntax::field(a, "type_parameters") {
            let mut c = params.walk();
            let binds = params.named_children(&mut c).any(|p| {
                p.kind() == "type_parameter"
                    && syntax::field(p, "name").is_some_and(|n| node_text(n, text) == name)
            });
            if binds {
                return true;
            }
        }
        let mut c = a.walk();
        let mapped = a.named_children(&mut c).any(|ch| {
            ch.kind() == "mapped_type_clause"
                && syntax::field(ch, "name").is_some_and(|n| node_text(n, text) == name)
        });
        if mapped {
            return true;
        }
        at = a.parent();
    }
    false
}

/// Reads an import statement or a re-export with a module specifier.
fn import_stmt(node: Node<'_>, text: &str) -> Option<ImportStmt> {
    let reexport = match node.kind() {
        "import_statement" => false,
        "export_statement" => true,
        _ => return None,
    };
    let source = syntax::field(node, "source")?;
    let raw = node_text(source, text);
    let quote = raw.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let mut stmt = ImportStmt {
        span: syntax::span(node),
        source: raw[1..raw.len().saturating_sub(1).max(1)].to_string(),
        quote,
        type_only: false,
        specifiers: Vec::new(),
        named_span: None,
        other_bindings: false,
        semicolon: node_text(node, text).trim_end().ends_with(';'),
        reexport,
        star: false,
    };
    let mut c = node.walk();
    for child in node.children(&mut c) {
        match child.kind() {
            "type" => stmt.type_only = true,
            "*" => stmt.star = true,
            "import_clause" => {
                let mut cc = child.walk();
                for part in child.named_children(&mut cc) {
                    match part.kind() {
                        "named_imports" => read_list(part, text, &mut stmt),
                        _ => stmt.other_bindings = true,
                    }
                }
            }
            "export_clause" => read_list(child, text, &mut stmt),
            "namespace_export" => stmt.other_bindings = true,
            _ => {}
        }
    }
    Some(stmt)
}

fn read_list(list: Node<'_>, text: &str, stmt: &mut ImportStmt) {
    stmt.named_span = Some(syntax::span(list));
    let mut c = list.walk();
    for spec in list.named_children(&mut c) {
        if !matches!(spec.kind(), "import_specifier" | "export_specifier") {
            continue;
        }
        let Some(name) = syntax::field(spec, "name") else {
            continue;
        };
        let alias = syntax::field(spec, "alias");
        let mut sc = spec.walk();
        let inline_type = spec.children(&mut sc).any(|k| k.kind() == "type");
        stmt.specifiers.push(Specifier {
            name: node_text(name, text).to_string(),
            local: node_text(alias.unwrap_or(name), text).to_string(),
            span: syntax::span(spec),
            name_span: syntax::span(name),
            inline_type,
            aliased: alias.is_some(),
        });
    }
}

pub(super) fn node_text<'t>(node: Node<'_>, text: &'t str) -> &'t str {
    text.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0)
}

/// How a file writes its imports: quotes, semicolons, `.js` on relative specifiers, line ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    pub quote: char,
    pub semicolon: bool,
    /// Relative specifiers end in `.js` (the ESM / `NodeNext` convention).
    pub js_extension: bool,
    pub eol: &'static str,
    /// New type imports say `type` (`import type { X }`, `import { a, type X }`); `false`
    /// follows a file that imports its types with plain imports.
    pub type_keyword: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            quote: '\'',
            semicolon: true,
            js_extension: false,
            eol: "\n",
            type_keyword: true,
        }
    }
}

impl Style {
    /// The file's own style where its imports show it, else `fallback` (the side's);
    /// `is_only_a_type(source, name)` says what an import names (see
    /// [`Facts::imports_types_with_type_keyword`]).
    pub fn of(
        text: &str,
        facts: &Facts,
        fallback: &Style,
        is_only_a_type: &dyn Fn(&str, &str) -> bool,
    ) -> Style {
        let imports: Vec<&ImportStmt> = facts.imports.iter().filter(|i| !i.reexport).collect();
        let relative: Vec<&&ImportStmt> = imports
            .iter()
            .filter(|i| i.source.starts_with('.'))
            .collect();
        Style {
            quote: imports.first().map_or(fallback.quote, |i| i.quote),
            semicolon: imports.first().map_or(fallback.semicolon, |i| i.semicolon),
            js_extension: if relative.is_empty() {
                fallback.js_extension
            } else {
                relative.iter().any(|i| is_js_specifier(&i.source))
            },
            eol: if text.contains("\r\n") { "\r\n" } else { "\n" },
            type_keyword: facts.imports_types_with_type_keyword(is_only_a_type),
        }
    }

    /// The style most import lines of a side's texts use (for a file without imports of its
    /// own): read from lines starting with `import`, without parsing.
    pub fn majority_of_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Style {
        let (mut single, mut double, mut semi, mut bare, mut js, mut plain) = (0, 0, 0, 0, 0, 0);
        for text in texts {
            for line in text.lines().map(str::trim) {
                let Some((_, source)) = line
                    .strip_prefix("import ")
                    .and_then(|rest| rest.rsplit_once(" from "))
                else {
                    continue;
                };
                let quote = source.chars().next();
                match quote {
                    Some('"') => double += 1,
                    Some('\'') => single += 1,
                    _ => continue,
                }
                if source.ends_with(';') {
                    semi += 1
                } else {
                    bare += 1
                }
                let spec = source.trim_end_matches(';').trim_matches(['\'', '"']);
                if spec.starts_with('.') {
                    if is_js_specifier(spec) {
                        js += 1
                    } else {
                        plain += 1
                    }
                }
            }
        }
        Style {
            quote: if double > single { '"' } else { '\'' },
            semicolon: semi >= bare,
            js_extension: js > plain,
            eol: "\n",
            // Plain lines cannot tell a type from a value without a parse: `type` is safe.
            type_keyword: true,
        }
    }
}

fn is_js_specifier(source: &str) -> bool {
    [".js", ".mjs", ".cjs", ".jsx"]
        .iter()
        .any(|e| source.ends_with(e))
}

/// Edits on `text` (whose facts are `facts`) that import each `(name, specifier)` of `add` as a
/// type and drop the import specifiers of `remove` (local names; with `reexports`, the names of
/// `export { … } from` lists too), statements left empty included.
/// Additions go into an existing import of the same specifier when there is one, else into one
/// new statement per specifier after the last import.
pub fn import_edits(
    path: &str,
    text: &str,
    facts: &Facts,
    add: &BTreeMap<String, String>,
    remove: &BTreeSet<String>,
    reexports: bool,
    style: &Style,
) -> Vec<TextEdit> {
    let edit = |span: Span, new_text: String| TextEdit {
        path: path.to_string(),
        span,
        new_text,
    };
    let mut edits = Vec::new();
    let mut new_statements: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut merged: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (name, specifier) in add {
        match facts.statement_to_merge_into(specifier) {
            Some(idx) => merged.entry(idx).or_default().push(name),
            None => new_statements.entry(specifier).or_default().push(name),
        }
    }
    for (idx, stmt) in facts.imports.iter().enumerate() {
        let dropped: Vec<&Specifier> = stmt
            .specifiers
            .iter()
            .filter(|s| (reexports || !stmt.reexport) && remove.contains(&s.local))
            .collect();
        let added = merged.get(&idx).cloned().unwrap_or_default();
        if dropped.is_empty() && added.is_empty() {
            continue;
        }
        if added.is_empty() && dropped.len() == stmt.specifiers.len() && !stmt.other_bindings {
            edits.push(edit(statement_removal(text, stmt.span), String::new()));
            continue;
        }
        edits.extend(
            list_edits(text, stmt, &dropped, &added, style.type_keyword)
                .into_iter()
                .map(|(span, t)| edit(span, t)),
        );
    }
    if !new_statements.is_empty() {
        let q = style.quote;
        let semi = if style.semicolon { ";" } else { "" };
        let eol = style.eol;
        let keyword = if style.type_keyword {
            "import type"
        } else {
            "import"
        };
        let mut block = String::new();
        for (specifier, names) in &new_statements {
            block.push_str(&format!(
                "{keyword} {{ {} }} from {q}{specifier}{q}{semi}{eol}",
                names.join(", ")
            ));
        }
        let last_import = facts.imports.iter().rfind(|i| !i.reexport);
        let (at, text_to_insert) = match last_import {
            Some(last) => (after_line(text, last.span.end), block),
            // Before the first statement: a blank line separates the imports from it.
            None if facts.body_start < text.len() => (facts.body_start, format!("{block}{eol}")),
            None if text.trim().is_empty() => (0, format!("{block}{eol}")),
            None => (text.len(), format!("{eol}{block}")),
        };
        edits.insert(0, edit(Span::empty_at(at), text_to_insert));
    }
    edits
}

/// Edits of one statement's `{ … }` list: drops `dropped`, appends `added` (as `type X` in a
/// value import, with `type_keyword`). Each drop takes its own comma, so drops of different
/// specifiers do not overlap unless they are the last two.
fn list_edits(
    text: &str,
    stmt: &ImportStmt,
    dropped: &[&Specifier],
    added: &[&str],
    type_keyword: bool,
) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    let specs = &stmt.specifiers;
    let Some(list) = stmt.named_span else {
        return out;
    };
    let kept: Vec<&Specifier> = specs
        .iter()
        .filter(|s| !dropped.iter().any(|d| d.span == s.span))
        .collect();
    if kept.is_empty() && added.is_empty() {
        // `import D, { A }` → `import D`: the list and the comma before it go.
        let before = text[..list.start].trim_end();
        let start = before.strip_suffix(',').map_or(list.start, str::len);
        out.push((Span::new(start, list.end), String::new()));
        return out;
    }
    for d in dropped {
        let idx = specs.iter().position(|s| s.span == d.span).unwrap_or(0);
        let span = match specs.get(idx + 1) {
            Some(next) => Span::new(d.span.start, next.span.start),
            None => match idx.checked_sub(1).and_then(|p| specs.get(p)) {
                // The last one takes the comma before it (and keeps a trailing comma's place).
                Some(prev) => {
                    let end = comma_after(text, d.span.end).unwrap_or(d.span.end);
                    let prev_end = comma_after(text, prev.span.end).unwrap_or(prev.span.end);
                    if end > d.span.end {
                        Span::new(prev_end, end)
                    } else {
                        Span::new(prev.span.end, d.span.end)
                    }
                }
                None => {
                    let end = comma_after(text, d.span.end).unwrap_or(d.span.end);
                    Span::new(d.span.start, end)
                }
            },
        };
        out.push((span, String::new()));
    }
    if !added.is_empty() {
        let prefix = if stmt.type_only || !type_keyword {
            ""
        } else {
            "type "
        };
        let names: Vec<String> = added.iter().map(|n| format!("{prefix}{n}")).collect();
        let inner = &text[list.start + 1..list.end - 1];
        match specs.last() {
            None => out.push((
                Span::new(list.start, list.end),
                format!("{{ {} }}", names.join(", ")),
            )),
            Some(last) => {
                let multiline = inner.contains('\n');
                let trailing = comma_after(text, last.span.end);
                if multiline {
                    let indent = indent_of(text, last.span.start);
                    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
                    let mut s = String::new();
                    for n in &names {
                        s.push_str(&format!("{eol}{indent}{n},"));
                    }
                    match trailing {
                        Some(end) => out.push((Span::empty_at(end), s)),
                        None => {
                            let s = format!(",{}", s.trim_end_matches(','));
                            out.push((Span::empty_at(last.span.end), s))
                        }
                    }
                } else {
                    let s: String = names.iter().map(|n| format!(", {n}")).collect();
                    out.push((Span::empty_at(last.span.end), s));
                }
            }
        }
    }
    out
}

/// The end of the `,` that follows `offset` (after spaces), if one does.
fn comma_after(text: &str, offset: usize) -> Option<usize> {
    let rest = &text[offset..];
    let trimmed = rest.trim_start_matches([' ', '\t']);
    trimmed
        .starts_with(',')
        .then(|| offset + (rest.len() - trimmed.len()) + 1)
}

fn indent_of(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let line = &text[start..offset];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// The offset after the line end that follows `offset` (or the end of the text).
fn after_line(text: &str, offset: usize) -> usize {
    match text[offset..].find('\n') {
        Some(i) => offset + i + 1,
        None => text.len(),
    }
}

/// A whole statement's lines when it stands on lines of its own, else the statement itself.
pub(super) fn statement_removal(text: &str, span: Span) -> Span {
    let start = line_start(text, span.start);
    let own_line = text[start..span.start].trim().is_empty();
    let end_of_line = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    if own_line && text[span.end..end_of_line].trim().is_empty() {
        Span::new(start, (end_of_line + 1).min(text.len()))
    } else {
        Span::new(span.start, span.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[TextEdit]) -> String {
        let refs: Vec<&TextEdit> = edits.iter().collect();
        crate::fix::apply_edits("a.ts", text, &refs).unwrap()
    }

    fn add(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn names(n: &[&str]) -> BTreeSet<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reads_imports_uses_and_unresolved_types() {
        let text = "import type { A, B as C } from './a.js';\nimport * as ns from \"./n\";\nexport * from './x';\n\
                    export interface I<T> { a: A; c: C; t: T; m: Money; k: { [K in keyof T]: K } }\n";
        let f = facts("a.ts", text);
        assert_eq!(f.imports.len(), 3);
        assert_eq!(f.imports[0].specifiers[1].local, "C");
        assert!(f.imports[1].other_bindings);
        assert!(f.imports[2].reexport && f.imports[2].star);
        assert_eq!(f.uses("A"), 1);
        assert_eq!(f.uses("B"), 0);
        let unresolved: Vec<&str> = f.unresolved_types().into_iter().collect();
        assert_eq!(unresolved, ["Money"]);
        let style = Style::of(text, &f, &Style::default(), &|_, _| false);
        assert!(style.js_extension && style.semicolon && style.quote == '\'');
    }

    /// The edits that import `B` from './b' and `M` from './money' into `text`, with the
    /// file's own style; `A` and `B0` are interfaces, everything else may be a value.
    fn import_b_and_m(text: &str) -> String {
        let f = facts("a.ts", text);
        let only_types = |_: &str, name: &str| matches!(name, "A" | "B0");
        let style = Style::of(text, &f, &Style::default(), &only_types);
        let e = import_edits(
            "a.ts",
            text,
            &f,
            &add(&[("B", "./b"), ("M", "./money")]),
            &names(&[]),
            false,
            &style,
        );
        apply(text, &e)
    }

    #[test]
    fn new_type_imports_follow_a_file_that_imports_its_types_plainly() {
        // Interfaces imported plainly: the file's convention.
        let plain = "import { A } from './a';\nimport { a, B0 } from './b';\n\nexport interface I { a: A; b: B0 }\nexport const x = a;\n";
        assert_eq!(
            import_b_and_m(plain),
            "import { A } from './a';\nimport { a, B0, B } from './b';\nimport { M } from './money';\n\n\
             export interface I { a: A; b: B0 }\nexport const x = a;\n"
        );
        // A class imported plainly says nothing (it is a value too): `type` stays.
        let class = "import { Money, b } from './b';\n\nexport interface I { m: Money }\nexport const x = new Money(b);\n";
        assert_eq!(
            import_b_and_m(class),
            "import { Money, b, type B } from './b';\nimport type { M } from './money';\n\n\
             export interface I { m: Money }\nexport const x = new Money(b);\n"
        );
        // One `type` anywhere wins over plain imports of types.
        let mixed = "import { A } from './a';\nimport { type C } from './c';\n\nexport interface I { a: A; c: C }\n";
        let out = import_b_and_m(mixed);
        assert!(out.contains("import type { B } from './b';"), "{out}");
        assert!(out.contains("import type { M } from './money';"), "{out}");
    }

    #[test]
    fn merges_into_an_existing_import_or_adds_a_statement() {
        let text = "import type { A } from './a';\n\nexport interface I { a: A }\n";
        let f = facts("a.ts", text);
        let e = import_edits(
            "a.ts",
            text,
            &f,
            &add(&[("B", "./a"), ("M", "./money")]),
            &names(&[]),
            false,
            &Style::default(),
        );
        assert_eq!(
            apply(text, &e),
            "import type { A, B } from './a';\nimport type { M } from './money';\n\nexport interface I { a: A }\n"
        );
        let text = "// header\n\nexport interface I { a: A }\n";
        let f = facts("a.ts", text);
        let style = Style {
            quote: '"',
            semicolon: false,
            ..Style::default()
        };
        let e = import_edits(
            "a.ts",
            text,
            &f,
            &add(&[("A", "./a")]),
            &names(&[]),
            false,
            &style,
        );
        assert_eq!(
            apply(text, &e),
            "// header\n\nimport type { A } from \"./a\"\n\nexport interface I { a: A }\n"
        );
        let text = "import { f } from './a';\nimport {\n  G,\n} from './g';\n";
        let f = facts("a.ts", text);
        let e = import_edits(
            "a.ts",
            text,
            &f,
            &add(&[("A", "./a"), ("H", "./g")]),
            &names(&[]),
            false,
            &Style::default(),
        );
        assert_eq!(
            apply(text, &e),
            "import { f, type A } from './a';\nimport {\n  G,\n  type H,\n} from './g';\n"
        );
    }

    #[test]
    fn drops_specifiers_and_empty_statements() {
        let text = "import type { A, B, C } from './a';\nimport { D } from './d';\nimport E, { F } from './e';\nx;\n";
        let f = facts("a.ts", text);
        let one = |drop: &[&str]| {
            let e = import_edits(
                "a.ts",
                text,
                &f,
                &add(&[]),
                &names(drop),
                false,
                &Style::default(),
            );
            apply(text, &e)
        };
        assert!(one(&["A"]).starts_with("import type { B, C } from './a';"));
        assert!(one(&["B"]).starts_with("import type { A, C } from './a';"));
        assert!(one(&["C"]).starts_with("import type { A, B } from './a';"));
        assert!(one(&["A", "C"]).starts_with("import type { B } from './a';"));
        assert_eq!(
            one(&["A", "B", "C", "D", "F"]),
            "import E from './e';\nx;\n"
        );
        let text = "import {\n  A,\n  B,\n} from './a';\n";
        let f = facts("a.ts", text);
        let e = import_edits(
            "a.ts",
            text,
            &f,
            &add(&[]),
            &names(&["B"]),
            false,
            &Style::default(),
        );
        assert_eq!(apply(text, &e), "import {\n  A,\n} from './a';\n");
        let e = import_edits(
            "a.ts",
            text,
            &f,
            &add(&[]),
            &names(&["A"]),
            false,
            &Style::default(),
        );
        assert_eq!(apply(text, &e), "import {\n  B,\n} from './a';\n");
    }
}
