//! From a tree-sitter tree to exported declarations and their members (drift-model §2).

use std::collections::{BTreeMap, HashMap};

use tree_sitter::Node;

use super::doc::{leading_comment_start, node_deprecation};
use super::normalize::{
    misparsed_function, number_literal, operand_texts, string_content, strip_parens,
    type_of_annotation, type_text,
};
use super::{field, node_text, span};
use crate::model::{
    Body, DeclKind, Declaration, Member, MemberShape, Param, Signature, Span, TypeParam,
};

/// What each top-level statement of an earlier extraction of the same document gave, by the
/// statement's text (from its leading comment to its end), spans relative to that start: an
/// edit re-extracts only the statements whose text changed; the others only shift. Holds the
/// statements of the latest extraction only.
#[derive(Debug, Default, Clone)]
pub struct StatementMemo {
    entries: HashMap<Box<str>, (u16, Statement)>,
}

/// One top-level statement's contribution.
#[derive(Debug, Default, Clone)]
struct Statement {
    exported: Vec<Declaration>,
    local: Option<Declaration>,
    /// (local name, exported name) from `export { A as B }` and `export default A`.
    names: Vec<(String, String)>,
    module_syntax: bool,
}

/// Exported top-level declarations by exported name; interfaces declared twice are merged.
///
/// In a declaration file (`.d.ts`) without any `import` or `export`, every top-level declaration
/// is global and therefore compared too. With a `memo`, statements found in it are not walked
/// again, and the memo is refilled with this extraction's statements.
pub fn declarations_reusing(
    root: Node<'_>,
    src: &str,
    is_declaration_file: bool,
    mut memo: Option<&mut StatementMemo>,
) -> BTreeMap<String, Declaration> {
    let mut exported: Vec<Declaration> = Vec::new();
    let mut local: HashMap<String, Vec<Declaration>> = HashMap::new();
    let mut export_names: Vec<(String, String)> = Vec::new();
    let mut has_module_syntax = false;
    let mut previous = memo
        .as_deref_mut()
        .map(|m| std::mem::take(&mut m.entries))
        .unwrap_or_default();

    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        let st = match memo.as_deref_mut() {
            Some(memo) => memoised(stmt, src, &mut previous, memo),
            None => statement(stmt, src),
        };
        has_module_syntax |= st.module_syntax;
        exported.extend(st.exported);
        if let Some(decl) = st.local {
            local.entry(decl.name.clone()).or_default().push(decl);
        }
        export_names.extend(st.names);
    }

    for (local_name, exported_name) in export_names {
        if let Some(decls) = local.get(&local_name) {
            for decl in decls {
                let mut decl = decl.clone();
                decl.name = exported_name.clone();
                exported.push(decl);
            }
        }
    }
    if is_declaration_file && !has_module_syntax {
        exported.extend(local.into_values().flatten());
    }
    merge(exported)
}

fn statement(stmt: Node<'_>, src: &str) -> Statement {
    let mut out = Statement::default();
    match stmt.kind() {
        "export_statement" => {
            out.module_syntax = true;
            collect_export(stmt, src, &mut out.exported, &mut out.names);
        }
        "import_statement" => out.module_syntax = true,
        _ => out.local = declaration_of(stmt, stmt, src),
    }
    out
}

/// [`statement`], from `previous` when a statement of the same kind and text was extracted
/// before. What a statement gives depends only on its own text and its leading comments (its
/// outer span starts there): both are in the key. Statements with syntax errors, or whose types
/// hit the nesting bound (a diagnostic of its own), are always extracted again.
fn memoised(
    stmt: Node<'_>,
    src: &str,
    previous: &mut HashMap<Box<str>, (u16, Statement)>,
    memo: &mut StatementMemo,
) -> Statement {
    if stmt.kind() == "comment" || stmt.has_error() {
        return statement(stmt, src);
    }
    let start = leading_comment_start(stmt, src)
        .unwrap_or(stmt.start_byte())
        .min(stmt.start_byte());
    let Some(text) = src.get(start..stmt.end_byte()) else {
        return statement(stmt, src);
    };
    let kind = stmt.kind_id();
    let relative = match previous.remove_entry(text) {
        Some((key, (k, st))) if k == kind => (key, st),
        _ => {
            let st = statement(stmt, src);
            if super::depth::is_too_deep() {
                return st;
            }
            (Box::from(text), shifted(st, |x| x.wrapping_sub(start)))
        }
    };
    let st = shifted(relative.1.clone(), |x| x.wrapping_add(start));
    memo.entries.insert(relative.0, (kind, relative.1));
    st
}

/// `st` with every span moved by `by` (wrapping: relative and back is exact).
fn shifted(mut st: Statement, by: impl Fn(usize) -> usize + Copy) -> Statement {
    for d in st.exported.iter_mut().chain(st.local.iter_mut()) {
        shift_declaration(d, by);
    }
    st
}

fn shift_span(s: &mut Span, by: impl Fn(usize) -> usize) {
    s.start = by(s.start);
    s.end = by(s.end);
}

fn shift_declaration(d: &mut Declaration, by: impl Fn(usize) -> usize + Copy) {
    shift_span(&mut d.span, by);
    shift_span(&mut d.name_span, by);
    for s in [
        &mut d.type_params_span,
        &mut d.heritage_span,
        &mut d.body_span,
    ]
    .into_iter()
    .flatten()
    {
        shift_span(s, by);
    }
    let members = match &mut d.body {
        Body::Members(m) | Body::Enum(m) => Some(m),
        Body::Alias {
            rhs_span, union, ..
        } => {
            shift_span(rhs_span, by);
            union.as_mut()
        }
    };
    for m in members.into_iter().flatten() {
        shift_span(&mut m.span, by);
        shift_span(&mut m.decl_span, by);
        shift_span(&mut m.name_span, by);
        for s in [&mut m.type_span, &mut m.question_span, &mut m.readonly_span]
            .into_iter()
            .flatten()
        {
            shift_span(s, by);
        }
    }
}

/// Merges declarations of the same name: interfaces (and an interface into a class) merge their
/// members; otherwise the first declaration wins.
fn merge(decls: Vec<Declaration>) -> BTreeMap<String, Declaration> {
    let mut out: BTreeMap<String, Declaration> = BTreeMap::new();
    let mut sorted = decls;
    sorted.sort_by_key(|d| d.span.start);
    for decl in sorted {
        match out.get_mut(&decl.name) {
            None => {
                out.insert(decl.name.clone(), decl);
            }
            Some(existing) => merge_into(existing, decl),
        }
    }
    out
}

fn merge_into(existing: &mut Declaration, extra: Declaration) {
    let mergeable = matches!(existing.kind, DeclKind::Interface | DeclKind::Class)
        && extra.kind == DeclKind::Interface;
    if !mergeable {
        return;
    }
    if let (Body::Members(into), Body::Members(from)) = (&mut existing.body, extra.body) {
        // Overloads of a method in a later declaration join the earlier ones.
        for member in from {
            push_member(into, member);
        }
    }
    existing.heritage.extend(extra.heritage);
    existing.heritage.sort();
    existing.heritage.dedup();
}

fn collect_export(
    stmt: Node<'_>,
    src: &str,
    exported: &mut Vec<Declaration>,
    names: &mut Vec<(String, String)>,
) {
    if field(stmt, "source").is_some() {
        return; // `export … from`: barrels are not compared.
    }
    if let Some(decl_node) = field(stmt, "declaration") {
        if let Some(decl) = declaration_of(decl_node, stmt, src) {
            exported.push(decl);
        }
        return;
    }
    if let Some(value) = field(stmt, "value") {
        // `export default Foo;`
        if value.kind() == "identifier" {
            let name = node_text(value, src).to_string();
            names.push((name.clone(), name));
        }
        return;
    }
    let mut cursor = stmt.walk();
    for child in stmt.named_children(&mut cursor) {
        if child.kind() != "export_clause" {
            continue;
        }
        let mut c2 = child.walk();
        for spec in child.named_children(&mut c2) {
            if spec.kind() != "export_specifier" {
                continue;
            }
            let Some(name) = field(spec, "name") else {
                continue;
            };
            let local = node_text(name, src).to_string();
            let alias = field(spec, "alias").map(|a| node_text(a, src).to_string());
            names.push((local.clone(), alias.unwrap_or(local)));
        }
    }
}

/// The declaration `node` introduces, if it is one we compare. `outer` is the statement that
/// carries the leading JSDoc (the `export` statement for exported declarations).
fn declaration_of(node: Node<'_>, outer: Node<'_>, src: &str) -> Option<Declaration> {
    match node.kind() {
        "ambient_declaration" => {
            let mut cursor = node.walk();
            let inner = node
                .named_children(&mut cursor)
                .find(|c| c.kind() != "comment")?;
            declaration_of(inner, outer, src)
        }
        "interface_declaration" => interface(node, outer, src),
        "type_alias_declaration" => type_alias(node, outer, src),
        "enum_declaration" => enumeration(node, outer, src),
        "class_declaration" | "abstract_class_declaration" => class(node, outer, src),
        _ => None,
    }
}

fn outer_span(outer: Node<'_>, src: &str) -> Span {
    Span::new(
        leading_comment_start(outer, src).unwrap_or(outer.start_byte()),
        outer.end_byte(),
    )
}

fn base_declaration(
    node: Node<'_>,
    outer: Node<'_>,
    src: &str,
    kind: DeclKind,
    body: Body,
) -> Option<Declaration> {
    let name = field(node, "name")?;
    let type_params_node = field(node, "type_parameters");
    Some(Declaration {
        name: node_text(name, src).to_string(),
        kind,
        type_params: type_params_node
            .map(|tp| type_params(tp, src))
            .unwrap_or_default(),
        heritage: Vec::new(),
        body,
        deprecated: node_deprecation(outer, src),
        span: outer_span(outer, src),
        name_span: span(name),
        type_params_span: type_params_node.map(span),
        heritage_span: None,
        body_span: field(node, "body").map(span),
    })
}

fn interface(node: Node<'_>, outer: Node<'_>, src: &str) -> Option<Declaration> {
    let body = field(node, "body")
        .map(|b| object_members(b, src))
        .unwrap_or_default();
    let mut decl = base_declaration(node, outer, src, DeclKind::Interface, Body::Members(body))?;
    let mut cursor = node.walk();
    if let Some(clause) = node
        .named_children(&mut cursor)
        .find(|c| c.kind() == "extends_type_clause")
    {
        let mut c2 = clause.walk();
        decl.heritage = clause
            .named_children(&mut c2)
            .filter(|c| c.kind() != "comment")
            .map(|t| format!("extends {}", type_text(t, src)))
            .collect();
        decl.heritage.sort();
        decl.heritage_span = Some(span(clause));
    }
    Some(decl)
}

fn type_alias(node: Node<'_>, outer: Node<'_>, src: &str) -> Option<Declaration> {
    let value = field(node, "value")?;
    let inner = strip_parens(value);
    if inner.kind() == "object_type" {
        let members = object_members(inner, src);
        let mut decl = base_declaration(
            node,
            outer,
            src,
            DeclKind::ObjectTypeAlias,
            Body::Members(members),
        )?;
        decl.body_span = Some(span(inner));
        return Some(decl);
    }
    // Unions compare member by member (a new literal is a `missing-member`); any other
    // right-hand side is a union of one, so that `A` vs `A | B` is one missing member.
    let union = Some(
        if inner.kind() == "union_type" && !misparsed_function(inner) {
            union_members(inner, src)
        } else {
            single_member(inner, src)
        },
    );
    let body = Body::Alias {
        ty: type_text(value, src),
        rhs_span: span(value),
        union,
    };
    base_declaration(node, outer, src, DeclKind::TypeAlias, body)
}

fn single_member(node: Node<'_>, src: &str) -> Vec<Member> {
    to_union_members(vec![(type_text(node, src), node)], src)
}

fn union_members(node: Node<'_>, src: &str) -> Vec<Member> {
    to_union_members(operand_texts(node, src, "union_type"), src)
}

fn to_union_members(operands: Vec<(String, Node<'_>)>, _src: &str) -> Vec<Member> {
    let mut seen = std::collections::HashSet::new();
    operands
        .into_iter()
        .filter_map(|(name, op)| {
            seen.insert(name.clone()).then(|| Member {
                name,
                shape: MemberShape::UnionMember,
                optional: false,
                readonly: false,
                deprecated: None,
                span: span(op),
                decl_span: span(op),
                name_span: span(op),
                type_span: None,
                question_span: None,
                readonly_span: None,
                has_body: false,
            })
        })
        .collect()
}

fn enumeration(node: Node<'_>, outer: Node<'_>, src: &str) -> Option<Declaration> {
    let body_node = field(node, "body");
    let members = body_node.map(|b| enum_members(b, src)).unwrap_or_default();
    base_declaration(node, outer, src, DeclKind::Enum, Body::Enum(members))
}

/// Enum members with their values; implicit values are computed as TypeScript does (0, then the
/// previous numeric value + 1), so `A, B` equals `A = 0, B = 1`.
fn enum_members(body: Node<'_>, src: &str) -> Vec<Member> {
    let mut out = Vec::new();
    let mut next: Option<i64> = Some(0);
    let mut cursor = body.walk();
    for child in body.named_children(&mut cursor) {
        let (name_node, value_node) = match child.kind() {
            "enum_assignment" => (field(child, "name"), field(child, "value")),
            "property_identifier" | "string" | "number" | "identifier" => (Some(child), None),
            _ => continue,
        };
        let Some(name_node) = name_node else { continue };
        let value = match value_node {
            Some(v) => {
                let text = enum_value(v, src);
                next = text.parse::<i64>().ok().and_then(|n| n.checked_add(1));
                Some(text)
            }
            None => {
                let v = next.map(|n| n.to_string());
                next = next.and_then(|n| n.checked_add(1));
                v
            }
        };
        let mut member = simple_member(child, src, key_name(name_node, src), span(name_node));
        member.shape = MemberShape::EnumMember { value };
        member.type_span = value_node.map(span);
        out.push(member);
    }
    out
}

fn enum_value(node: Node<'_>, src: &str) -> String {
    match node.kind() {
        "number" => number_literal(node_text(node, src)),
        "string" => super::normalize::string_literal(node, src),
        "unary_expression" => {
            let compact: String = node_text(node, src)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            match compact.strip_prefix('-') {
                Some(rest) => {
                    let n = number_literal(rest);
                    if n.parse::<i64>().is_ok() {
                        format!("-{n}")
                    } else {
                        compact
                    }
                }
                None => compact,
            }
        }
        _ => node_text(node, src)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn class(node: Node<'_>, outer: Node<'_>, src: &str) -> Option<Declaration> {
    let members = field(node, "body")
        .map(|b| class_members(b, src))
        .unwrap_or_default();
    let mut decl = base_declaration(node, outer, src, DeclKind::Class, Body::Members(members))?;
    let mut cursor = node.walk();
    if let Some(heritage) = node
        .named_children(&mut cursor)
        .find(|c| c.kind() == "class_heritage")
    {
        decl.heritage = class_heritage(heritage, src);
        decl.heritage_span = Some(span(heritage));
    }
    Some(decl)
}

fn class_heritage(node: Node<'_>, src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = node.walk();
    for clause in node.named_children(&mut cursor) {
        let keyword = match clause.kind() {
            "extends_clause" => "extends",
            "implements_clause" => "implements",
            _ => continue,
        };
        let mut c2 = clause.walk();
        let parts: Vec<Node<'_>> = clause
            .named_children(&mut c2)
            .filter(|c| c.kind() != "comment")
            .collect();
        let mut i = 0;
        while i < parts.len() {
            let mut text = type_text(parts[i], src);
            // `extends Base<T>`: the value expression is followed by its type arguments.
            if let Some(args) = parts.get(i + 1).filter(|n| n.kind() == "type_arguments") {
                let mut c3 = args.walk();
                let args: Vec<String> = args
                    .named_children(&mut c3)
                    .map(|a| type_text(a, src))
                    .collect();
                text = format!("{text}<{}>", args.join(", "));
                i += 1;
            }
            out.push(format!("{keyword} {text}"));
            i += 1;
        }
    }
    out.sort();
    out
}

/// Members of an `interface_body` or `object_type`.
pub fn object_members(body: Node<'_>, src: &str) -> Vec<Member> {
    // One slot per child: growing a vector of large members by doubling copied them again.
    let mut out: Vec<Member> = Vec::with_capacity(body.named_child_count());
    let mut setters: Vec<String> = Vec::new();
    let mut cursor = body.walk();
    for child in body.named_children(&mut cursor) {
        if child.kind() == "method_signature" && accessor(child, src, &mut out, &mut setters) {
            continue;
        }
        let member = match child.kind() {
            "property_signature" => property(child, src),
            "method_signature" => method(child, src),
            "index_signature" => index(child, src),
            "call_signature" => call(child, src, "()"),
            "construct_signature" => call(child, src, "new()"),
            _ => None,
        };
        if let Some(m) = member {
            push_member(&mut out, m);
        }
    }
    writable_accessors(&mut out, &setters);
    out
}

/// Handles `get x()` / `set x(v)` (in classes and, since TypeScript 4.3, in interfaces and object
/// types): an accessor is a property, readonly unless a setter exists. Returns false for anything
/// that is not an accessor.
fn accessor(node: Node<'_>, src: &str, out: &mut Vec<Member>, setters: &mut Vec<String>) -> bool {
    if has_token(node, "get") {
        if let Some(m) = getter(node, src) {
            match out.iter_mut().find(|o| o.name == m.name) {
                // The getter's type is the property's type; a setter seen first gave only the
                // written type.
                Some(existing) => {
                    existing.shape = m.shape;
                    existing.type_span = m.type_span;
                }
                None => push_member(out, m),
            }
        }
        return true;
    }
    if has_token(node, "set") {
        if let Some(m) = setter(node, src) {
            setters.push(m.name.clone());
            if !out.iter().any(|o| o.name == m.name) {
                out.push(m);
            }
        }
        return true;
    }
    false
}

/// A getter with a setter is a writable property.
fn writable_accessors(out: &mut [Member], setters: &[String]) {
    for m in out.iter_mut() {
        if setters.contains(&m.name) && m.readonly && m.readonly_span.is_none() {
            m.readonly = false;
        }
    }
}

/// Adds a member, folding method overloads into one member with several signatures.
fn push_member(out: &mut Vec<Member>, member: Member) {
    if let MemberShape::Method { signatures } = &member.shape {
        if let Some(existing) = out.iter_mut().find(|m| m.name == member.name) {
            if let MemberShape::Method { signatures: into } = &mut existing.shape {
                // A class method's implementation signature is hidden by its overloads.
                if existing.has_body && !member.has_body {
                    into.clear();
                    existing.has_body = false;
                }
                if !member.has_body || into.is_empty() {
                    into.extend(signatures.iter().cloned());
                }
                return;
            }
        }
    }
    out.push(member);
}

/// Public, non-static members of a class body, including constructor parameter properties.
fn class_members(body: Node<'_>, src: &str) -> Vec<Member> {
    let mut out: Vec<Member> = Vec::new();
    let mut setters: Vec<String> = Vec::new();
    let mut cursor = body.walk();
    for child in body.named_children(&mut cursor) {
        if !is_public_instance(child, src) {
            continue;
        }
        match child.kind() {
            "public_field_definition" => {
                if let Some(m) = property(child, src) {
                    push_member(&mut out, m);
                }
            }
            "method_definition" | "method_signature" | "abstract_method_signature" => {
                let name = field(child, "name")
                    .map(|n| node_text(n, src))
                    .unwrap_or("");
                if name == "constructor" {
                    out.extend(parameter_properties(child, src));
                } else if accessor(child, src, &mut out, &mut setters) {
                } else if let Some(m) = method(child, src) {
                    push_member(&mut out, m);
                }
            }
            "index_signature" => {
                if let Some(m) = index(child, src) {
                    push_member(&mut out, m);
                }
            }
            _ => {}
        }
    }
    writable_accessors(&mut out, &setters);
    out
}

fn is_public_instance(node: Node<'_>, src: &str) -> bool {
    if has_token(node, "static") {
        return false;
    }
    if let Some(name) = field(node, "name") {
        if name.kind() == "private_property_identifier" {
            return false;
        }
    }
    let mut cursor = node.walk();
    let modifier = node
        .named_children(&mut cursor)
        .find(|c| c.kind() == "accessibility_modifier");
    !modifier.is_some_and(|m| matches!(node_text(m, src), "private" | "protected"))
}

fn parameter_properties(ctor: Node<'_>, src: &str) -> Vec<Member> {
    let Some(params) = field(ctor, "parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut cursor = params.walk();
    for p in params.named_children(&mut cursor) {
        let mut c2 = p.walk();
        let modifier = p
            .named_children(&mut c2)
            .find(|c| c.kind() == "accessibility_modifier");
        let readonly = token_span(p, "readonly");
        let public = match modifier {
            Some(m) => node_text(m, src) == "public",
            None => readonly.is_some(),
        };
        if !public {
            continue;
        }
        let Some(pattern) = field(p, "pattern") else {
            continue;
        };
        let mut m = simple_member(p, src, node_text(pattern, src).to_string(), span(pattern));
        let type_node = field(p, "type");
        m.shape = MemberShape::Property {
            ty: type_node.map(|t| type_of_annotation(t, src)),
        };
        m.type_span = type_node.and_then(annotation_type_span);
        m.readonly = readonly.is_some();
        m.readonly_span = readonly;
        m.question_span = token_span(p, "?");
        m.optional = m.question_span.is_some();
        out.push(m);
    }
    out
}

fn getter(node: Node<'_>, src: &str) -> Option<Member> {
    let name = field(node, "name")?;
    let mut m = simple_member(node, src, key_name(name, src), span(name));
    let ret = field(node, "return_type");
    m.shape = MemberShape::Property {
        ty: ret.map(|r| type_of_annotation(r, src)),
    };
    m.type_span = ret.and_then(annotation_type_span);
    m.readonly = true;
    m.has_body = true;
    Some(m)
}

fn setter(node: Node<'_>, src: &str) -> Option<Member> {
    let name = field(node, "name")?;
    let mut m = simple_member(node, src, key_name(name, src), span(name));
    let first_param = field(node, "parameters").and_then(|p| {
        let mut c = p.walk();
        let found = p.named_children(&mut c).find(|c| c.kind() != "comment");
        found
    });
    let type_node = first_param.and_then(|p| field(p, "type"));
    m.shape = MemberShape::Property {
        ty: type_node.map(|t| type_of_annotation(t, src)),
    };
    m.type_span = type_node.and_then(annotation_type_span);
    m.has_body = true;
    Some(m)
}

/// A member with its name, spans and leading JSDoc; the caller fills in the shape.
fn simple_member(node: Node<'_>, src: &str, name: String, name_span: Span) -> Member {
    Member {
        name,
        shape: MemberShape::UnionMember,
        optional: false,
        readonly: false,
        deprecated: node_deprecation(node, src),
        span: Span::new(
            leading_comment_start(node, src).unwrap_or(node.start_byte()),
            node.end_byte(),
        ),
        decl_span: span(node),
        name_span,
        type_span: None,
        question_span: None,
        readonly_span: None,
        has_body: false,
    }
}

fn property(node: Node<'_>, src: &str) -> Option<Member> {
    let name = field(node, "name")?;
    if name.kind() == "private_property_identifier" {
        return None;
    }
    let mut m = simple_member(node, src, key_name(name, src), span(name));
    let type_node = field(node, "type");
    m.shape = MemberShape::Property {
        ty: type_node.map(|t| type_of_annotation(t, src)),
    };
    m.type_span = type_node.and_then(annotation_type_span);
    let (readonly, question) = modifier_tokens(node);
    m.readonly_span = readonly;
    m.readonly = readonly.is_some();
    m.question_span = question;
    m.optional = question.is_some();
    m.has_body = field(node, "value").is_some();
    Some(m)
}

fn method(node: Node<'_>, src: &str) -> Option<Member> {
    let name = field(node, "name")?;
    if name.kind() == "private_property_identifier" {
        return None;
    }
    let mut m = simple_member(node, src, key_name(name, src), span(name));
    let signature = signature(node, src);
    m.shape = MemberShape::Method {
        signatures: vec![signature],
    };
    m.type_span = signature_span(node);
    m.question_span = token_span(node, "?");
    m.optional = m.question_span.is_some();
    m.has_body = field(node, "body").is_some();
    Some(m)
}

fn index(node: Node<'_>, src: &str) -> Option<Member> {
    let mut cursor = node.walk();
    let clause = node
        .named_children(&mut cursor)
        .find(|c| c.kind() == "mapped_type_clause");
    if let Some(clause) = clause {
        return Some(mapped(node, clause, src));
    }
    let key_type = field(node, "index_type")
        .map(|t| type_text(t, src))
        .unwrap_or_else(|| "string".to_string());
    let type_node = field(node, "type");
    let mut m = simple_member(node, src, format!("[{key_type}]"), span(node));
    m.shape = MemberShape::Index {
        ty: type_node
            .map(|t| type_of_annotation(t, src))
            .unwrap_or_default(),
    };
    m.type_span = type_node.and_then(annotation_type_span);
    m.readonly_span = token_span(node, "readonly");
    m.readonly = m.readonly_span.is_some();
    Some(m)
}

/// A mapped type `{ -readonly [K in keyof T as N]-?: V }`: one member keyed by its whole head
/// (modifiers, key name, key set and `as` clause), so that any change to the head is a different
/// member and a change of `V` is a `changed-type`.
fn mapped(node: Node<'_>, clause: Node<'_>, src: &str) -> Member {
    let part = |name: &'static str| field(clause, name).map(|n| type_text(n, src));
    let mut head = String::new();
    // `readonly`, `+readonly` or `-readonly` before the bracket.
    let mut cursor = node.walk();
    let mut sign = "";
    for c in node.children(&mut cursor) {
        if c.is_named() {
            break;
        }
        match c.kind() {
            "-" => sign = "-",
            "+" => sign = "",
            "readonly" => {
                head.push_str(sign);
                head.push_str("readonly ");
            }
            _ => {}
        }
    }
    head.push('[');
    head.push_str(&part("name").unwrap_or_default());
    head.push_str(" in ");
    head.push_str(&part("type").unwrap_or_default());
    if let Some(alias) = part("alias") {
        head.push_str(" as ");
        head.push_str(&alias);
    }
    head.push(']');
    let type_node = field(node, "type");
    match type_node.map(|t| t.kind()) {
        Some("omitting_type_annotation") => head.push_str("-?"),
        Some("opting_type_annotation" | "adding_type_annotation") => head.push('?'),
        _ => {}
    }
    let mut m = simple_member(node, src, head, span(node));
    m.shape = MemberShape::Index {
        ty: type_node
            .map(|t| type_of_annotation(t, src))
            .unwrap_or_default(),
    };
    m.type_span = type_node.and_then(annotation_type_span);
    m
}

fn call(node: Node<'_>, src: &str, key: &str) -> Option<Member> {
    let mut m = simple_member(node, src, key.to_string(), span(node));
    let mut sig = signature(node, src);
    if sig.ret.is_none() {
        // Construct signatures put their type in the `type` field.
        sig.ret = field(node, "type").map(|t| type_of_annotation(t, src));
    }
    m.shape = MemberShape::Call { signature: sig };
    m.type_span = signature_span(node);
    Some(m)
}

fn signature(node: Node<'_>, src: &str) -> Signature {
    Signature {
        type_params: field(node, "type_parameters")
            .map(|tp| type_params(tp, src))
            .unwrap_or_default(),
        params: field(node, "parameters")
            .map(|p| params(p, src))
            .unwrap_or_default(),
        ret: field(node, "return_type").map(|r| type_of_annotation(r, src)),
    }
}

/// From the type parameters (or parameters) to the end of the return type: what a
/// `changed-signature` fix replaces.
fn signature_span(node: Node<'_>) -> Option<Span> {
    let start = field(node, "type_parameters")
        .or_else(|| field(node, "parameters"))?
        .start_byte();
    let end = field(node, "return_type")
        .or_else(|| field(node, "type"))
        .or_else(|| field(node, "parameters"))?
        .end_byte();
    Some(Span::new(start, end))
}

/// Normalised parameters of a `formal_parameters` node; names are dropped.
pub fn params(node: Node<'_>, src: &str) -> Vec<Param> {
    let mut out = Vec::new();
    let mut cursor = node.walk();
    for p in node.named_children(&mut cursor) {
        if !matches!(p.kind(), "required_parameter" | "optional_parameter") {
            continue;
        }
        let pattern = field(p, "pattern");
        // `this: T` is not a parameter callers pass, but it constrains the call: it is compared,
        // printed as `this: T` in first position.
        if pattern.is_some_and(|pat| pat.kind() == "this" || node_text(pat, src) == "this") {
            let ty = field(p, "type")
                .map(|t| type_of_annotation(t, src))
                .unwrap_or_else(|| "any".to_string());
            out.push(Param {
                ty: format!("this: {ty}"),
                optional: false,
                rest: false,
            });
            continue;
        }
        let rest = pattern.is_some_and(|pat| pat.kind() == "rest_pattern");
        let ty = field(p, "type")
            .map(|t| type_of_annotation(t, src))
            .unwrap_or_else(|| "any".to_string());
        let optional = p.kind() == "optional_parameter" || field(p, "value").is_some();
        out.push(Param { ty, optional, rest });
    }
    out
}

/// Normalised type parameters of a `type_parameters` node.
pub fn type_params(node: Node<'_>, src: &str) -> Vec<TypeParam> {
    let mut out = Vec::new();
    let mut cursor = node.walk();
    for tp in node.named_children(&mut cursor) {
        if tp.kind() != "type_parameter" {
            continue;
        }
        let Some(name) = field(tp, "name") else {
            continue;
        };
        let inner_type = |name: &'static str| {
            field(tp, name).and_then(|c| {
                let mut c2 = c.walk();
                let found = c.named_children(&mut c2).find(|n| n.kind() != "comment");
                found.map(|t| type_text(t, src))
            })
        };
        out.push(TypeParam {
            name: format!("{}{}", type_param_modifiers(tp, src), node_text(name, src)),
            constraint: inner_type("constraint"),
            default: inner_type("value"),
        });
    }
    out
}

/// `in `, `out `, `in out ` and `const ` before a type parameter's name. tree-sitter-typescript
/// 0.23 does not know them, so the repaired parse (see `repair`) blanks them: they are read back
/// from the text between the previous `<` or `,` and the parameter.
fn type_param_modifiers(tp: Node<'_>, src: &str) -> String {
    let start = tp.start_byte();
    let before = src.get(..start).unwrap_or("");
    let from = before.rfind(['<', ',']).map(|i| i + 1).unwrap_or(start);
    let words: Vec<&str> = before
        .get(from..)
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let mut mods: Vec<&str> = words
        .into_iter()
        .filter(|w| matches!(*w, "in" | "out" | "const"))
        .collect();
    // A `const` or variance written inside the node (when the grammar knows it).
    let own = node_text(tp, src);
    let name = field(tp, "name").map(|n| node_text(n, src)).unwrap_or("");
    for word in own.split_whitespace().take(3) {
        if word != name && matches!(word, "in" | "out" | "const") && !mods.contains(&word) {
            mods.push(word);
        } else {
            break;
        }
    }
    mods.iter().map(|m| format!("{m} ")).collect()
}

/// The unquoted property key: `'a'`, `"a"` and `a` are the same key.
fn key_name(node: Node<'_>, src: &str) -> String {
    match node.kind() {
        "string" => string_content(node, src),
        "number" => number_literal(node_text(node, src)),
        _ => node_text(node, src)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(""),
    }
}

/// The type inside a `type_annotation` (without the colon).
fn annotation_type_span(annotation: Node<'_>) -> Option<Span> {
    if annotation.kind() != "type_annotation" {
        return Some(span(annotation));
    }
    let mut cursor = annotation.walk();
    let found = annotation
        .named_children(&mut cursor)
        .find(|c| c.kind() != "comment");
    found.map(span)
}

/// The `readonly` and `?` tokens of a member, in one pass over its children.
fn modifier_tokens(node: Node<'_>) -> (Option<Span>, Option<Span>) {
    let (mut readonly, mut question) = (None, None);
    let mut cursor = node.walk();
    for c in node.children(&mut cursor) {
        match c.kind() {
            "readonly" if !c.is_named() => readonly = Some(span(c)),
            "?" if !c.is_named() => question = Some(span(c)),
            _ => {}
        }
    }
    (readonly, question)
}

fn token_span(node: Node<'_>, token: &str) -> Option<Span> {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .find(|c| !c.is_named() && c.kind() == token);
    found.map(span)
}

fn has_token(node: Node<'_>, token: &str) -> bool {
    token_span(node, token).is_some()
}

/// The normalised text of a member as it would be written in an object type:
/// `readonly a?: string`, `m(number) => void`, `[string]: T`.
pub fn render_member(m: &Member) -> String {
    let mut out = String::new();
    if m.readonly {
        out.push_str("readonly ");
    }
    match &m.shape {
        MemberShape::Property { ty } => {
            out.push_str(&m.name);
            if m.optional {
                out.push('?');
            }
            out.push_str(": ");
            out.push_str(ty.as_deref().unwrap_or("inferred"));
        }
        MemberShape::Method { .. } | MemberShape::Call { .. } => {
            out.push_str(&m.name);
            if m.optional {
                out.push('?');
            }
            out.push_str(": ");
            out.push_str(&m.shape.type_text().unwrap_or_default());
        }
        MemberShape::Index { ty } => {
            out.push_str(&m.name);
            out.push_str(": ");
            out.push_str(ty);
        }
        MemberShape::EnumMember { value } => {
            out.push_str(&m.name);
            if let Some(v) = value {
                out.push_str(" = ");
                out.push_str(v);
            }
        }
        MemberShape::UnionMember => out.push_str(&m.name),
    }
    out
}
