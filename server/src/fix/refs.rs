//! Renaming uses of a type or of a member within one implementation file: the follow-up edits of
//! a rename fix. Syntactic and scope-aware as far as the emitter's shapes need: type references
//! (not those a type parameter of the same name shadows), value references (`Old.member`,
//! `new Old()`; not those a local binding of the same name shadows), and for members: `this.old`
//! in the class, `v.old` where `v` is declared with the type, object literal keys where the
//! literal is typed (`const v: T = { … }`, `{ … } satisfies T`, `{ … } as T`) and `T['old']`.
//! Strings and comments are never touched.

use tree_sitter::Node;

use super::imports::{bound_by_type_parameter, dialect_of, node_text};
use crate::model::{Span, TextEdit};
use crate::syntax;

fn edit(path: &str, span: Span, new_text: &str) -> TextEdit {
    TextEdit {
        path: path.to_string(),
        span,
        new_text: new_text.to_string(),
    }
}

fn all_nodes<'t>(root: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        out.push(n);
        let mut c = n.walk();
        let children: Vec<Node<'t>> = n.children(&mut c).collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

/// The nodes whose subtrees a binding of `name` in scope hides: functions, blocks and arrow
/// functions declaring a parameter or a local of that name.
fn shadowing_scopes<'t>(nodes: &[Node<'t>], name: &str, text: &str) -> Vec<Span> {
    let mut scopes = Vec::new();
    for n in nodes {
        let binding = match n.kind() {
            "variable_declarator" | "function_declaration" => syntax::field(*n, "name"),
            "required_parameter" | "optional_parameter" => syntax::field(*n, "pattern"),
            "catch_clause" => syntax::field(*n, "parameter"),
            _ => None,
        };
        let Some(_) = binding.filter(|b| b.kind() == "identifier" && node_text(*b, text) == name)
        else {
            continue;
        };
        // The scope: the nearest enclosing function-like node or block.
        let mut at = n.parent();
        while let Some(a) = at {
            if matches!(
                a.kind(),
                "statement_block"
                    | "arrow_function"
                    | "function_declaration"
                    | "function_expression"
                    | "method_definition"
                    | "catch_clause"
                    | "program"
            ) && a.id() != n.id()
            {
                scopes.push(syntax::span(a));
                break;
            }
            at = a.parent();
        }
    }
    scopes
}

fn inside(span: Span, scopes: &[Span]) -> bool {
    scopes
        .iter()
        .any(|s| s.start <= span.start && span.end <= s.end)
}

/// Edits renaming the uses of the type `old` in `text` to `new`: type references, value
/// references and the names in import/export lists (an aliased import keeps its alias). `skip`:
/// spans left alone (the declaration's own name, which the fix itself renames).
pub fn rename_type_uses(
    path: &str,
    text: &str,
    old: &str,
    new: &str,
    skip: &[Span],
) -> Vec<TextEdit> {
    let tree = syntax::parse(text, dialect_of(path), None);
    let nodes = all_nodes(tree.root_node());
    let shadowed = shadowing_scopes(&nodes, old, text);
    let mut out = Vec::new();
    for n in &nodes {
        if node_text(*n, text) != old {
            continue;
        }
        let span = syntax::span(*n);
        if skip.contains(&span) {
            continue;
        }
        let rename = match n.kind() {
            "type_identifier" => !bound_by_type_parameter(*n, old, text),
            "identifier" => {
                let parent = n.parent();
                match parent.map(|p| p.kind()) {
                    // `{ Old as X }`: the exported name; `{ Old }` renames the local too.
                    Some("import_specifier" | "export_specifier") => true,
                    // A binding of its own (a local named like the type) is not the type.
                    Some(
                        "variable_declarator"
                        | "required_parameter"
                        | "optional_parameter"
                        | "function_declaration",
                    ) => false,
                    _ => !inside(span, &shadowed),
                }
            }
            _ => false,
        };
        if rename {
            out.push(edit(path, span, new));
        }
    }
    out
}

/// Edits renaming the member `old` of the type known locally as `type_name` to `new` in `text`
/// (the shapes listed in the module docs). `skip`: spans the fix itself renames.
pub fn rename_member_uses(
    path: &str,
    text: &str,
    type_name: &str,
    old: &str,
    new: &str,
    skip: &[Span],
) -> Vec<TextEdit> {
    let tree = syntax::parse(text, dialect_of(path), None);
    let nodes = all_nodes(tree.root_node());
    // Names of parameters and variables declared with exactly this type, with their scopes.
    let mut typed: Vec<(String, Span)> = Vec::new();
    for n in &nodes {
        let (binding, ty) = match n.kind() {
            "variable_declarator" => (syntax::field(*n, "name"), syntax::field(*n, "type")),
            "required_parameter" | "optional_parameter" => {
                (syntax::field(*n, "pattern"), syntax::field(*n, "type"))
            }
            "public_field_definition" => (syntax::field(*n, "name"), syntax::field(*n, "type")),
            _ => (None, None),
        };
        let (Some(b), Some(ty)) = (binding, ty) else {
            continue;
        };
        if !annotation_is(ty, type_name, text) {
            continue;
        }
        let scope = n
            .parent()
            .and_then(|p| enclosing_scope(p))
            .map(syntax::span)
            .unwrap_or(Span::new(0, text.len()));
        typed.push((node_text(b, text).to_string(), scope));
    }
    let mut out = Vec::new();
    for n in &nodes {
        match n.kind() {
            "member_expression" => {
                let (Some(obj), Some(prop)) =
                    (syntax::field(*n, "object"), syntax::field(*n, "property"))
                else {
                    continue;
                };
                if node_text(prop, text) != old || skip.contains(&syntax::span(prop)) {
                    continue;
                }
                let at = syntax::span(*n);
                let hit = match obj.kind() {
                    "this" => in_class_named(*n, type_name, text),
                    "identifier" => typed.iter().any(|(name, scope)| {
                        name == node_text(obj, text)
                            && scope.start <= at.start
                            && at.end <= scope.end
                    }),
                    _ => false,
                };
                if hit {
                    out.push(edit(path, syntax::span(prop), new));
                }
            }
            "object" if object_is_typed(*n, type_name, text) => {
                let mut c = n.walk();
                for entry in n.named_children(&mut c) {
                    match entry.kind() {
                        "pair" | "method_definition" => {
                            let key = syntax::field(entry, "key")
                                .or_else(|| syntax::field(entry, "name"));
                            if let Some(k) = key.filter(|k| {
                                k.kind() == "property_identifier" && node_text(*k, text) == old
                            }) {
                                out.push(edit(path, syntax::span(k), new));
                            }
                        }
                        "shorthand_property_identifier" if node_text(entry, text) == old => {
                            out.push(edit(
                                path,
                                Span::empty_at(entry.start_byte()),
                                &format!("{new}: "),
                            ));
                        }
                        _ => {}
                    }
                }
            }
            "lookup_type" => {
                let mut c = n.walk();
                let parts: Vec<Node<'_>> = n.named_children(&mut c).collect();
                if let [obj, key] = parts.as_slice() {
                    if node_text(*obj, text) == type_name {
                        if let Some(frag) =
                            string_fragment(*key).filter(|f| node_text(*f, text) == old)
                        {
                            out.push(edit(path, syntax::span(frag), new));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn enclosing_scope(node: Node<'_>) -> Option<Node<'_>> {
    let mut at = Some(node);
    while let Some(a) = at {
        if matches!(
            a.kind(),
            "statement_block"
                | "arrow_function"
                | "function_declaration"
                | "function_expression"
                | "method_definition"
                | "class_body"
                | "program"
        ) {
            return Some(a);
        }
        at = a.parent();
    }
    None
}

/// `: T` (a type annotation) or a bare type that is exactly `type_name`.
fn annotation_is(node: Node<'_>, type_name: &str, text: &str) -> bool {
    let ty = if node.kind() == "type_annotation" {
        node.named_child(0)
    } else {
        Some(node)
    };
    ty.is_some_and(|t| t.kind() == "type_identifier" && node_text(t, text) == type_name)
}

fn in_class_named(node: Node<'_>, type_name: &str, text: &str) -> bool {
    let mut at = node.parent();
    while let Some(a) = at {
        if matches!(
            a.kind(),
            "class_declaration" | "abstract_class_declaration" | "class"
        ) {
            return syntax::field(a, "name").is_some_and(|n| node_text(n, text) == type_name);
        }
        at = a.parent();
    }
    false
}

/// An object literal whose type is `type_name`: a declarator's value, or the operand of
/// `satisfies` / `as`.
fn object_is_typed(object: Node<'_>, type_name: &str, text: &str) -> bool {
    let Some(parent) = object.parent() else {
        return false;
    };
    match parent.kind() {
        "variable_declarator" => {
            syntax::field(parent, "value") == Some(object)
                && syntax::field(parent, "type").is_some_and(|t| annotation_is(t, type_name, text))
        }
        // `return { … }` in a function declared to return the type, or an arrow's body.
        "return_statement" => enclosing_function(parent)
            .and_then(|f| syntax::field(f, "return_type"))
            .is_some_and(|t| annotation_is(t, type_name, text)),
        "arrow_function" => {
            syntax::field(parent, "body") == Some(object)
                && syntax::field(parent, "return_type")
                    .is_some_and(|t| annotation_is(t, type_name, text))
        }
        "parenthesized_expression" => parent.parent().is_some_and(|pp| {
            pp.kind() == "arrow_function"
                && syntax::field(pp, "return_type")
                    .is_some_and(|t| annotation_is(t, type_name, text))
        }),
        "satisfies_expression" | "as_expression" => {
            let mut c = parent.walk();
            let parts: Vec<Node<'_>> = parent.named_children(&mut c).collect();
            matches!(parts.as_slice(), [expr, ty] if *expr == object && annotation_is(*ty, type_name, text))
        }
        _ => false,
    }
}

/// The function, method or arrow function a statement is in.
fn enclosing_function(node: Node<'_>) -> Option<Node<'_>> {
    let mut at = node.parent();
    while let Some(a) = at {
        if matches!(
            a.kind(),
            "function_declaration"
                | "function_expression"
                | "method_definition"
                | "arrow_function"
                | "generator_function_declaration"
        ) {
            return Some(a);
        }
        at = a.parent();
    }
    None
}

fn string_fragment(node: Node<'_>) -> Option<Node<'_>> {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.kind() == "string_fragment" {
            return Some(n);
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[TextEdit]) -> String {
        let refs: Vec<&TextEdit> = edits.iter().collect();
        crate::fix::apply_edits("a.ts", text, &refs).unwrap()
    }

    #[test]
    fn renames_type_uses_but_not_shadows_strings_or_properties() {
        let text = "import { Old } from './o';\nimport { Old as O2 } from './p';\n\
                    export interface A<Old> { x: Old }\n\
                    export interface B { x: Old; y: Old[]; Old: string }\n\
                    const s = 'Old'; // Old\n\
                    function f(Old: number) { return Old; }\n\
                    export const v = Old.member;\n";
        let e = rename_type_uses("a.ts", text, "Old", "New", &[]);
        assert_eq!(
            apply(text, &e),
            "import { New } from './o';\nimport { New as O2 } from './p';\n\
             export interface A<Old> { x: Old }\n\
             export interface B { x: New; y: New[]; Old: string }\n\
             const s = 'Old'; // Old\n\
             function f(Old: number) { return Old; }\n\
             export const v = New.member;\n"
        );
    }

    #[test]
    fn renames_member_uses_where_the_type_is_known() {
        let text = "export class Order { total = 0; sum() { return this.total; } }\n\
                    export function f(o: Order, p: Other) { return o.total + p.total; }\n\
                    const a: Order = { total: 1 };\n\
                    const b = { total } satisfies Order;\n\
                    type T = Order['total'];\n\
                    const c = { total: 2 };\n\
                    function g(): Order { return { total: 3 }; }\n\
                    const h = (): Order => ({ total: 4 });\n";
        let e = rename_member_uses("a.ts", text, "Order", "total", "amount", &[]);
        assert_eq!(
            apply(text, &e),
            "export class Order { total = 0; sum() { return this.amount; } }\n\
             export function f(o: Order, p: Other) { return o.amount + p.total; }\n\
             const a: Order = { amount: 1 };\n\
             const b = { amount: total } satisfies Order;\n\
             type T = Order['amount'];\n\
             const c = { total: 2 };\n\
             function g(): Order { return { amount: 3 }; }\n\
             const h = (): Order => ({ amount: 4 });\n"
        );
    }
}
