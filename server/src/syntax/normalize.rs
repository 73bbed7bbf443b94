//! Normalised type text: equal shapes print equal (drift-model §2).
//!
//! Parentheses, formatting and comments vanish; union and intersection members are deduplicated
//! and sorted; quotes become double quotes; `Array<T>` prints as `T[]` and `ReadonlyArray<T>` as
//! `readonly T[]`; object types print their members sorted; function types lose parameter names.
//! Parentheses are put back only where precedence needs them.

use tree_sitter::Node;

use super::{field, node_text, Dialect};

/// Binding strength of a printed type, to decide where parentheses are needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    /// Function, constructor and conditional types.
    Function,
    Union,
    Intersection,
    /// `keyof T`, `readonly T[]`, `typeof x`, `unique symbol`.
    Prefix,
    /// Everything that can take `[]` without parentheses.
    Primary,
}

struct Norm {
    text: String,
    prec: Prec,
}

impl Norm {
    fn primary(text: String) -> Norm {
        Norm {
            text,
            prec: Prec::Primary,
        }
    }

    /// The text, parenthesised when it binds looser than `min`.
    fn at_least(self, min: Prec) -> String {
        if self.prec < min {
            format!("({})", self.text)
        } else {
            self.text
        }
    }
}

/// The normalised text of a type node.
pub fn type_text(node: Node<'_>, src: &str) -> String {
    norm(node, src).text
}

/// Normalises a type written as text (parsed as `type T = <text>`). Used for values that do not
/// come from a tree, e.g. comparing snapshots; unparsable text is returned with whitespace folded.
pub fn normalize_type_text(text: &str) -> String {
    let source = format!("type __T = {text};");
    let tree = super::parse(&source, Dialect::TypeScript, None);
    let root = tree.root_node();
    let value = root
        .named_child(0)
        .filter(|n| n.kind() == "type_alias_declaration")
        .and_then(|n| field(n, "value"));
    match value {
        Some(v) if !root.has_error() => type_text(v, &source),
        _ => text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

fn norm(node: Node<'_>, src: &str) -> Norm {
    // Hostile nesting must not overflow the stack (see `syntax::depth`): past the bound the
    // type is kept as written, with the loosest precedence so it is parenthesised where needed.
    let Some(_level) = super::depth::enter(node) else {
        return Norm {
            text: folded(node, src),
            prec: Prec::Function,
        };
    };
    match node.kind() {
        "parenthesized_type" => match first_named(node) {
            Some(inner) => norm(inner, src),
            None => Norm::primary(String::new()),
        },
        "union_type" | "intersection_type" if misparsed_function(node) => {
            reassociated_function(node, src)
        }
        "union_type" => join_flat(node, src, "union_type", " | ", Prec::Union),
        "intersection_type" => join_flat(node, src, "intersection_type", " & ", Prec::Intersection),
        "array_type" => match first_named(node) {
            Some(elem) => Norm::primary(format!("{}[]", norm(elem, src).at_least(Prec::Primary))),
            None => fallback(node, src),
        },
        "readonly_type" => match first_named(node) {
            Some(inner) => readonly_over(inner, src),
            None => fallback(node, src),
        },
        "generic_type" => generic(node, src),
        "literal_type" => match first_named(node) {
            Some(lit) => Norm::primary(literal(lit, src)),
            None => fallback(node, src),
        },
        "string" => Norm::primary(string_literal(node, src)),
        "object_type" => Norm::primary(object_type(node, src)),
        "function_type" | "constructor_type" => function_type_with(node, src, None),
        "tuple_type" => Norm::primary(tuple(node, src)),
        "template_literal_type" => Norm::primary(template_literal(node, src)),
        "type_query" | "index_type_query" => prefix_op(node, src),
        "predefined_type" | "type_identifier" | "this_type" | "identifier" => {
            Norm::primary(node_text(node, src).to_string())
        }
        "nested_type_identifier" => Norm::primary(compact(node_text(node, src))),
        _ => fallback(node, src),
    }
}

fn first_named(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    let found = node
        .named_children(&mut cursor)
        .find(|c| c.kind() != "comment");
    found
}

fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect()
}

fn has_token(node: Node<'_>, token: &str) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .any(|c| !c.is_named() && c.kind() == token);
    found
}

/// Operands of a union (or intersection), looking through nesting and parentheses.
///
/// Iterative: tree-sitter nests a flat union of n members n levels deep.
pub(super) fn flat_operands<'a>(node: Node<'a>, kind: &str, out: &mut Vec<Node<'a>>) {
    // A stack of operands still to visit, the next one last.
    let mut pending: Vec<Node<'a>> = named_children(node);
    pending.reverse();
    while let Some(child) = pending.pop() {
        let inner = strip_parens(child);
        if inner.kind() == kind {
            let mut children = named_children(inner);
            children.reverse();
            pending.extend(children);
        } else {
            out.push(inner);
        }
    }
}

/// The type inside any number of parentheses.
pub(super) fn strip_parens(mut node: Node<'_>) -> Node<'_> {
    while node.kind() == "parenthesized_type" {
        match first_named(node) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// The normalised operands of a union or intersection (flattened through nesting and
/// parentheses) with the node each came from. An operand that tree-sitter read as
/// `readonly (A[] | B)` contributes `readonly A[]` and `B` (see [`readonly_over`]).
pub(super) fn operand_texts<'a>(node: Node<'a>, src: &str, kind: &str) -> Vec<(String, Node<'a>)> {
    let mut operands = Vec::new();
    flat_operands(node, kind, &mut operands);
    let prec = if kind == "union_type" {
        Prec::Union
    } else {
        Prec::Intersection
    };
    let mut out = Vec::new();
    // Iterative: a chain of `readonly A[] | readonly B[] | …` nests one level per operand.
    let mut pending: Vec<Node<'a>> = operands;
    pending.reverse();
    while let Some(op) = pending.pop() {
        let inner = (op.kind() == "readonly_type")
            .then(|| first_named(op))
            .flatten()
            .filter(|i| i.kind() == kind);
        match inner {
            Some(inner) => {
                let mut parts = Vec::new();
                flat_unparenthesised(inner, kind, &mut parts);
                let mut parts = parts.into_iter();
                if let Some(first) = parts.next() {
                    out.push((readonly_over(first, src).at_least(next_prec(prec)), first));
                }
                let mut rest: Vec<Node<'a>> = Vec::new();
                for part in parts {
                    let stripped = strip_parens(part);
                    if stripped.kind() == kind {
                        flat_operands(stripped, kind, &mut rest);
                    } else {
                        rest.push(stripped);
                    }
                }
                rest.reverse();
                pending.extend(rest);
            }
            None => out.push((norm(op, src).at_least(next_prec(prec)), op)),
        }
    }
    out
}

fn join_flat(node: Node<'_>, src: &str, kind: &str, sep: &str, prec: Prec) -> Norm {
    join_texts(
        operand_texts(node, src, kind)
            .into_iter()
            .map(|(text, _)| text)
            .collect(),
        sep,
        prec,
    )
}

/// `readonly` applied to `node`. tree-sitter-typescript reads `readonly string[] | null` as
/// `readonly (string[] | null)`, but TypeScript binds the operator to the array type only:
/// `(readonly string[]) | null`. So the modifier goes to the leftmost operand.
fn readonly_over(node: Node<'_>, src: &str) -> Norm {
    match node.kind() {
        kind @ ("union_type" | "intersection_type") => {
            let (sep, prec) = if kind == "union_type" {
                (" | ", Prec::Union)
            } else {
                (" & ", Prec::Intersection)
            };
            let mut operands = Vec::new();
            // Only the operands written directly (not inside parentheses) are siblings of the
            // leftmost one.
            flat_unparenthesised(node, kind, &mut operands);
            let norms = operands
                .into_iter()
                .enumerate()
                .map(|(i, o)| {
                    if i == 0 {
                        readonly_over(o, src)
                    } else {
                        norm(o, src)
                    }
                })
                .collect();
            join_norms(norms, sep, prec)
        }
        "conditional_type" => match conditional_with(node, src, true) {
            Some(n) => n,
            None => fallback(node, src),
        },
        _ => Norm {
            text: format!("readonly {}", norm(node, src).at_least(Prec::Prefix)),
            prec: Prec::Prefix,
        },
    }
}

/// Operands of a union or intersection without looking into parentheses.
fn flat_unparenthesised<'a>(node: Node<'a>, kind: &str, out: &mut Vec<Node<'a>>) {
    for child in named_children(node) {
        if child.kind() == kind {
            flat_unparenthesised(child, kind, out);
        } else {
            out.push(child);
        }
    }
}

/// Joins normalised operands: sorted, deduplicated, parenthesised where looser than `prec`.
fn join_norms(norms: Vec<Norm>, sep: &str, prec: Prec) -> Norm {
    // Operands of the same precedence never need parentheses after flattening; looser ones do.
    let texts: Vec<String> = norms
        .into_iter()
        .map(|n| n.at_least(next_prec(prec)))
        .collect();
    join_texts(texts, sep, prec)
}

/// Joins operand texts already parenthesised for `prec`: sorted and deduplicated.
fn join_texts(mut texts: Vec<String>, sep: &str, prec: Prec) -> Norm {
    texts.sort();
    texts.dedup();
    if texts.len() == 1 {
        return norm_single(texts.pop().unwrap_or_default());
    }
    Norm {
        text: texts.join(sep),
        prec,
    }
}

/// After deduplication a union of one is that one type; its precedence is unknown from text, so
/// treat it as already parenthesised where needed (it was printed with `at_least`).
fn norm_single(text: String) -> Norm {
    Norm {
        text,
        prec: Prec::Prefix,
    }
}

fn next_prec(prec: Prec) -> Prec {
    match prec {
        Prec::Function => Prec::Union,
        Prec::Union => Prec::Intersection,
        Prec::Intersection => Prec::Prefix,
        Prec::Prefix | Prec::Primary => Prec::Primary,
    }
}

fn generic(node: Node<'_>, src: &str) -> Norm {
    let mut name = field(node, "name")
        .map(|n| compact(node_text(n, src)))
        .unwrap_or_default();
    // An import type read through the repair (`import('m').X<T>`): its module in double quotes,
    // as a string literal prints.
    if name.starts_with("import(") {
        name = name.replace('\'', "\"");
    }
    let args: Vec<Node<'_>> = field(node, "type_arguments")
        .map(named_children)
        .unwrap_or_default();
    match (name.as_str(), args.as_slice()) {
        ("Array", [elem]) => {
            Norm::primary(format!("{}[]", norm(*elem, src).at_least(Prec::Primary)))
        }
        ("ReadonlyArray", [elem]) => Norm {
            text: format!("readonly {}[]", norm(*elem, src).at_least(Prec::Primary)),
            prec: Prec::Prefix,
        },
        _ => {
            let args: Vec<String> = args.iter().map(|a| norm(*a, src).text).collect();
            Norm::primary(format!("{}<{}>", name, args.join(", ")))
        }
    }
}

fn literal(node: Node<'_>, src: &str) -> String {
    match node.kind() {
        "string" => string_literal(node, src),
        "number" => number_literal(node_text(node, src)),
        "unary_expression" => {
            let compacted = compact(node_text(node, src));
            match compacted.strip_prefix('-') {
                Some(rest) if !rest.is_empty() && !rest.starts_with('-') => {
                    format!("-{}", number_literal(rest))
                }
                _ => compacted,
            }
        }
        _ => node_text(node, src).to_string(),
    }
}

/// `'a'`, `"a"` and `"\u0061"` print as `"a"`: the denoted characters, re-escaped canonically.
pub(super) fn string_literal(node: Node<'_>, src: &str) -> String {
    quote(&string_content(node, src))
}

/// A string value as a double-quoted literal with canonical escapes.
pub(super) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The characters a string literal denotes, every escape resolved as JavaScript does.
pub(super) fn string_content(node: Node<'_>, src: &str) -> String {
    let raw = node_text(node, src);
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    unescape(inner)
}

/// Resolves JavaScript string escapes (`\n`, `\x41`, `\u0041`, `\u{1F600}`, line continuations,
/// and the identity escapes `\q` → `q`). A malformed escape keeps its text.
pub(super) fn unescape(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '0' if !chars.peek().is_some_and(|d| d.is_ascii_digit()) => out.push('\0'),
            // A backslash before a line break continues the line: it denotes nothing.
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            '\n' | '\u{2028}' | '\u{2029}' => {}
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 2 => out.push(ch),
                    _ => {
                        out.push_str("\\x");
                        out.push_str(&hex);
                    }
                }
            }
            'u' => {
                let hex: String = if chars.peek() == Some(&'{') {
                    chars.next();
                    let h: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    h
                } else {
                    chars.by_ref().take(4).collect()
                };
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Numeric literals print as JavaScript's `Number#toString` would: `0x10`, `1_000`, `1e3`,
/// `.5` and `0.50` become `16`, `1000`, `1000`, `0.5`, `0.5`. BigInts (`10n`) keep their digits.
pub(super) fn number_literal(text: &str) -> String {
    let cleaned = text.replace('_', "");
    if let Some(digits) = cleaned.strip_suffix('n') {
        return format!(
            "{}n",
            radix_integer(digits).map_or(digits.to_string(), |n| n.to_string())
        );
    }
    let value = match radix_integer(&cleaned) {
        Some(n) => Some(n as f64),
        None => cleaned.parse::<f64>().ok(),
    };
    match value {
        Some(v) if v.is_finite() => js_number(v),
        _ => cleaned,
    }
}

/// `0x…`, `0o…`, `0b…` integers (and legacy octal `017`).
fn radix_integer(text: &str) -> Option<u128> {
    let lower = text.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix("0x") {
        u128::from_str_radix(hex, 16).ok()
    } else if let Some(bin) = lower.strip_prefix("0b") {
        u128::from_str_radix(bin, 2).ok()
    } else if let Some(oct) = lower.strip_prefix("0o") {
        u128::from_str_radix(oct, 8).ok()
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|b| b.is_ascii_digit())
    {
        u128::from_str_radix(&lower[1..], 8).ok()
    } else {
        lower.parse::<u128>().ok()
    }
}

/// A finite number in the shortest form that reads back as the same value; integers below
/// 2^53 print without exponent or fraction.
fn js_number(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e21 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn object_type(node: Node<'_>, src: &str) -> String {
    let members = super::extract::object_members(node, src);
    if members.is_empty() {
        return "{}".to_string();
    }
    let mut parts: Vec<String> = members.iter().map(super::extract::render_member).collect();
    parts.sort();
    format!("{{ {} }}", parts.join("; "))
}

fn is_function_like(node: Node<'_>) -> bool {
    matches!(node.kind(), "function_type" | "constructor_type")
}

/// The operand written first in a union or intersection, not looking into parentheses.
fn leftmost_operand(node: Node<'_>) -> Option<Node<'_>> {
    let mut cur = first_named(node)?;
    while cur.kind() == node.kind() {
        cur = first_named(cur)?;
    }
    Some(cur)
}

/// tree-sitter-typescript reads `() => A | B` as `(() => A) | B` when `A` starts with a
/// parenthesis (and likewise for `&` and constructor types). In TypeScript a function type
/// extends as far right as it can, so an unparenthesised function type written first in a union
/// or intersection always means `() => (A | B)`.
pub(super) fn misparsed_function(node: Node<'_>) -> bool {
    matches!(node.kind(), "union_type" | "intersection_type")
        && leftmost_operand(node).is_some_and(is_function_like)
}

/// The function (or constructor) type a misparsed union or intersection means: its result is the
/// first function's result joined with the other operands.
fn reassociated_function(node: Node<'_>, src: &str) -> Norm {
    let kind = node.kind();
    let (sep, prec) = if kind == "union_type" {
        (" | ", Prec::Union)
    } else {
        (" & ", Prec::Intersection)
    };
    let mut operands = Vec::new();
    flat_unparenthesised(node, kind, &mut operands);
    let Some((&func, rest)) = operands.split_first() else {
        return fallback(node, src);
    };
    // Curried functions: `() => () => (A) | B` is `() => () => (A | B)`.
    let mut chain = vec![func];
    let mut result = function_result(func);
    while let Some(r) = result.filter(|r| is_function_like(*r)) {
        chain.push(r);
        result = function_result(r);
    }
    let mut parts: Vec<Norm> = result.map(|r| norm(r, src)).into_iter().collect();
    parts.extend(rest.iter().map(|o| norm(*o, src)));
    let mut text = join_norms(parts, sep, prec).text;
    for f in chain.into_iter().rev() {
        text = function_type_with(f, src, Some(text)).text;
    }
    Norm {
        text,
        prec: Prec::Function,
    }
}

/// The result type node of a function or constructor type.
fn function_result(node: Node<'_>) -> Option<Node<'_>> {
    let r = field(node, "return_type").or_else(|| field(node, "type"))?;
    if r.kind() == "type_annotation" {
        first_named(r)
    } else {
        Some(r)
    }
}

/// A function or constructor type, with its result's normal form replaced by `ret` when given.
fn function_type_with(node: Node<'_>, src: &str, ret_text: Option<String>) -> Norm {
    let prefix = match node.kind() {
        "constructor_type" if has_token(node, "abstract") => "abstract new ",
        "constructor_type" => "new ",
        _ => "",
    };
    let type_params = field(node, "type_parameters")
        .map(|tp| crate::model::render_type_params(&super::extract::type_params(tp, src)))
        .unwrap_or_default();
    let params = field(node, "parameters")
        .map(|p| super::extract::params(p, src))
        .unwrap_or_default();
    // Constructor types keep their result in the `type` field.
    let ret = ret_text.unwrap_or_else(|| {
        field(node, "return_type")
            .or_else(|| field(node, "type"))
            .map(|r| type_of_annotation(r, src))
            .unwrap_or_else(|| "void".to_string())
    });
    let sig = crate::model::Signature {
        type_params: Vec::new(),
        params,
        ret: Some(ret),
    };
    Norm {
        text: format!("{prefix}{type_params}{}", sig.render()),
        prec: Prec::Function,
    }
}

/// The normalised type of a `type_annotation` (or of a bare type node).
pub(super) fn type_of_annotation(node: Node<'_>, src: &str) -> String {
    if matches!(
        node.kind(),
        "type_annotation"
            | "opting_type_annotation"
            | "omitting_type_annotation"
            | "adding_type_annotation"
    ) {
        match first_named(node) {
            Some(t) => type_text(t, src),
            None => String::new(),
        }
    } else if node.kind() == "asserts_annotation" || node.kind() == "type_predicate_annotation" {
        first_named(node)
            .map(|t| compact_tokens(t, src))
            .unwrap_or_default()
    } else {
        type_text(node, src)
    }
}

fn tuple(node: Node<'_>, src: &str) -> String {
    let parts: Vec<String> = named_children(node)
        .into_iter()
        .map(|el| match el.kind() {
            "optional_type" => format!(
                "{}?",
                first_named(el)
                    .map(|t| norm(t, src).at_least(Prec::Primary))
                    .unwrap_or_default()
            ),
            "rest_type" => format!(
                "...{}",
                first_named(el)
                    .map(|t| norm(t, src).text)
                    .unwrap_or_default()
            ),
            // Labels do not change the type: `[id: string]` ≡ `[string]`.
            "required_parameter" | "optional_parameter" | "named_tuple_member" => {
                let optional = el.kind() == "optional_parameter" || has_token(el, "?");
                let rest = field(el, "name")
                    .or_else(|| field(el, "pattern"))
                    .is_some_and(|n| n.kind() == "rest_pattern");
                // `e?: A | B` is `(A | B)?`: the type is parenthesised where `?` would bind to it.
                let ty = field(el, "type")
                    .map(|t| match (optional && !rest, first_named(t)) {
                        (true, Some(inner)) if t.kind() == "type_annotation" => {
                            norm(inner, src).at_least(Prec::Primary)
                        }
                        _ => type_of_annotation(t, src),
                    })
                    .unwrap_or_else(|| compact_tokens(el, src));
                if rest {
                    format!("...{ty}")
                } else if optional {
                    format!("{ty}?")
                } else {
                    ty
                }
            }
            _ => norm(el, src).text,
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// `` `a${T} ` ``: the literal text exactly (whitespace included, escapes resolved), the
/// placeholders normalised.
fn template_literal(node: Node<'_>, src: &str) -> String {
    let mut out = String::from("`");
    let mut literal = String::new();
    let inner_start = node.start_byte() + 1;
    let inner_end = node.end_byte().saturating_sub(1).max(inner_start);
    let mut at = inner_start;
    let flush = |literal: &mut String, out: &mut String| {
        let value = unescape(literal);
        for c in value.chars() {
            match c {
                '`' => out.push_str("\\`"),
                '\\' => out.push_str("\\\\"),
                '$' => out.push_str("\\$"),
                c => out.push(c),
            }
        }
        literal.clear();
    };
    for child in named_children(node) {
        if child.kind() != "template_type" {
            continue;
        }
        literal.push_str(src.get(at..child.start_byte()).unwrap_or(""));
        flush(&mut literal, &mut out);
        let inner = first_named(child)
            .map(|t| norm(t, src).text)
            .unwrap_or_default();
        out.push_str("${");
        out.push_str(&inner);
        out.push('}');
        at = child.end_byte();
    }
    literal.push_str(src.get(at..inner_end).unwrap_or(""));
    flush(&mut literal, &mut out);
    out.push('`');
    out
}

fn prefix_op(node: Node<'_>, src: &str) -> Norm {
    Norm {
        text: compact_tokens(node, src),
        prec: Prec::Prefix,
    }
}

fn conditional(node: Node<'_>, src: &str) -> Option<Norm> {
    conditional_with(node, src, false)
}

/// A conditional type; `readonly_left` applies a `readonly` that tree-sitter put around the
/// whole conditional to its checked type (see [`readonly_over`]).
fn conditional_with(node: Node<'_>, src: &str, readonly_left: bool) -> Option<Norm> {
    let part = |name: &'static str| field(node, name).map(|n| norm(n, src));
    let left = field(node, "left")?;
    let left = if readonly_left {
        readonly_over(left, src)
    } else {
        norm(left, src)
    };
    let text = format!(
        "{} extends {} ? {} : {}",
        left.at_least(Prec::Union),
        part("right")?.at_least(Prec::Union),
        part("consequence")?.text,
        part("alternative")?.text
    );
    Some(Norm {
        text,
        prec: Prec::Function,
    })
}

fn fallback(node: Node<'_>, src: &str) -> Norm {
    if node.kind() == "conditional_type" {
        if let Some(n) = conditional(node, src) {
            return n;
        }
    }
    let prec = match node.kind() {
        "conditional_type" => Prec::Function,
        "lookup_type" | "template_literal_type" => Prec::Primary,
        _ => Prec::Prefix,
    };
    Norm {
        text: compact_tokens(node, src),
        prec,
    }
}

/// The node's text with runs of whitespace folded to one space (no walk below it).
fn folded(node: Node<'_>, src: &str) -> String {
    node_text(node, src)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Removes all whitespace (for dotted names like `ns . X`).
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The leaf tokens of `node` joined with canonical spacing, comments dropped; nested types that
/// have their own normal form (object types, strings, unions) are normalised.
fn compact_tokens(node: Node<'_>, src: &str) -> String {
    let mut tokens: Vec<String> = Vec::new();
    collect_tokens(node, src, &mut tokens, true);
    join_tokens(&tokens)
}

fn collect_tokens(node: Node<'_>, src: &str, out: &mut Vec<String>, top: bool) {
    if node.kind() == "comment" {
        return;
    }
    let Some(_level) = super::depth::enter(node) else {
        out.push(folded(node, src));
        return;
    };
    if !top && node.is_named() {
        match node.kind() {
            "object_type" | "union_type" | "intersection_type" | "generic_type" | "array_type"
            | "function_type" | "tuple_type" | "parenthesized_type" => {
                out.push(norm(node, src).at_least(Prec::Primary));
                return;
            }
            "string" => {
                out.push(string_literal(node, src));
                return;
            }
            "template_literal_type" => {
                out.push(template_literal(node, src));
                return;
            }
            "template_string" => {
                out.push(node_text(node, src).to_string());
                return;
            }
            _ => {}
        }
    }
    if node.child_count() == 0 {
        let t = node_text(node, src).trim();
        if !t.is_empty() {
            out.push(t.to_string());
        }
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_tokens(child, src, out, false);
    }
}

fn join_tokens(tokens: &[String]) -> String {
    let mut out = String::new();
    let mut prev: Option<&str> = None;
    for tok in tokens {
        if prev.is_some_and(|p| needs_space(p, tok)) {
            out.push(' ');
        }
        out.push_str(tok);
        prev = Some(tok);
    }
    out
}

/// Operators written with spaces around them (`:` only after).
const SPACED: &[&str] = &[
    "=>", "|", "&", "=", "extends", "?", ":", "in", "as", "is", "keyof", "typeof", "infer",
];

fn needs_space(prev: &str, tok: &str) -> bool {
    if matches!(prev, "(" | "[" | "<" | "." | "...") {
        return false;
    }
    if ends_word(prev) && starts_word(tok) {
        return true;
    }
    if matches!(prev, "," | ";") || SPACED.contains(&prev) {
        return true;
    }
    tok != ":" && SPACED.contains(&tok)
}

fn ends_word(s: &str) -> bool {
    s.chars().last().is_some_and(|c| {
        c.is_alphanumeric() || c == '_' || c == '$' || c == '"' || c == ']' || c == ')'
    })
}

fn starts_word(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '"' || c == '{')
}

#[cfg(test)]
mod tests {
    use super::normalize_type_text as n;

    #[test]
    fn shape_equivalences_of_section_2() {
        assert_eq!(n("'a' | \"b\""), n("\"b\" | 'a'"));
        assert_eq!(n("A | B | A"), n("B | A"));
        assert_eq!(n("(A)"), "A");
        assert_eq!(n("((A | B))"), n("B | A"));
        assert_eq!(n("A & B"), n("B & A"));
        assert_eq!(n("Array<string>"), "string[]");
        assert_eq!(n("ReadonlyArray<string>"), "readonly string[]");
        assert_eq!(n("readonly string[]"), "readonly string[]");
        assert_eq!(n("Array<A | B>"), "(A | B)[]");
        assert_eq!(
            n("{ b: number; 'a': string }"),
            n("{ a: string, b: number }")
        );
        assert_eq!(n("(x: number) => void"), n("(y: number) => void"));
        assert_eq!(n("Map<string,   Array<number>>"), "Map<string, number[]>");
        assert_eq!(n("A | (B | C)"), "A | B | C");
    }

    #[test]
    fn differences_stay_different() {
        assert_ne!(n("string"), n("number"));
        assert_ne!(n("string[]"), n("readonly string[]"));
        assert_ne!(n("(A | B)[]"), n("A | B[]"));
        assert_ne!(n("'a'"), n("'b'"));
        assert_ne!(n("{ a?: string }"), n("{ a: string }"));
        assert_ne!(n("(x: number) => void"), n("(x?: number) => void"));
    }

    #[test]
    fn precedence_is_kept_where_needed() {
        assert_eq!(n("(() => void) | null"), "(() => void) | null");
        assert_eq!(n("(A & B) | C"), "A & B | C");
        assert_eq!(n("(A | B) & C"), "(A | B) & C");
        assert_eq!(n("keyof T"), "keyof T");
        assert_eq!(n("(keyof T)[]"), "(keyof T)[]");
    }

    #[test]
    fn other_types_print_with_canonical_spacing() {
        assert_eq!(n("T extends string ? A : B"), "T extends string ? A : B");
        assert_eq!(n("T [ 'k' ]"), "T[\"k\"]");
        assert_eq!(n("[id: string, n?: number]"), "[string, number?]");
        assert_eq!(n("0x10"), "16");
    }
}
