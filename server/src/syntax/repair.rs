//! Re-parsing what tree-sitter-typescript 0.23 gets wrong but TypeScript accepts.
//!
//! The grammar lacks a few rules of the language: automatic semicolon insertion between type
//! members that would read on (`a: string` then `(x: number): void` or `in: number` on the next
//! line, the Prettier `--no-semi` style), a parenthesised tuple type (`([string?]) | number`), and
//! variance or `const` modifiers of type parameters (`<in out T>`), and a parenthesised generic type
//! whose first type argument is a generic function type (`(ReadonlyArray<<T>(x: T) => T>)`, where
//! the lexer reads `<<` as a shift), and a global augmentation inside an ambient module
//! (`declare module "m" { global { … } }`, all over `@types/node`). When a file has syntax errors,
//! the erroneous statements are rewritten *with the same length* (a line break that ends a member
//! becomes `;`, redundant parentheses around a tuple and the modifiers become spaces) and parsed
//! again; where the parentheses around such a generic type are needed (`(A<<T>() => 1> | B)[]`) a
//! space goes between the two `<` and is taken out of the tree again with `Tree::edit`. The new
//! tree is kept only when it has fewer errors. Byte offsets are unchanged, so the
//! tree is read against the original text: names, spans and fixes all refer to what the user wrote
//! (the modifiers are read back from that text).

use tree_sitter::{Node, Tree};

use super::Dialect;

/// Most per-statement attempts after the whole-file attempt did not help.
const MAX_STATEMENT_ATTEMPTS: usize = 20;

/// A repaired tree and the top-level statements left out of it.
pub(super) struct Repaired {
    pub(super) tree: Tree,
    /// Byte ranges of statements that parse neither alone nor rewritten: they were blanked so
    /// that the rest of the file parses (each needs its own syntax warning).
    pub(super) quarantined: Vec<(usize, usize)>,
}

/// A better tree for `text` when `tree` has errors that the rewrites remove; `None` otherwise.
pub(super) fn repaired(text: &str, dialect: Dialect, tree: &Tree) -> Option<Repaired> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let before = error_count(root);
    let best = rewritten_tree(text, dialect, tree, before);
    let best_root = best.as_ref().map_or(root, |t| t.root_node());
    if poisoned(best_root, text) {
        if let Some(q) = quarantine(text, dialect) {
            return Some(q);
        }
    }
    best.map(|tree| Repaired {
        tree,
        quarantined: Vec::new(),
    })
}

/// The whole-file rewrite, else the best per-statement rewrite, when it has fewer errors.
fn rewritten_tree(text: &str, dialect: Dialect, tree: &Tree, before: usize) -> Option<Tree> {
    let ranges = erroneous_statements(tree.root_node());
    let (first, last) = (ranges.first()?, ranges.last()?);
    let attempt = |start: usize, end: usize| -> Option<(Tree, usize)> {
        let rewritten = rewrite(text, start, end);
        let base = rewritten.as_deref().unwrap_or(text);
        let splits = shift_splits(base, start, end);
        // The split is tried next to the plain rewrite, never instead of it: in an expression
        // `(a<<b)` is a real shift, and splitting it must not cost the other rewrites.
        let plain = rewritten.as_deref().map(|r| super::parse(r, dialect, None));
        let split = (!splits.is_empty()).then(|| split_parse(base, dialect, &splits));
        plain
            .into_iter()
            .chain(split)
            .map(|t| {
                let after = error_count(t.root_node());
                (t, after)
            })
            .filter(|(_, after)| *after < before)
            .min_by_key(|(_, after)| *after)
    };
    if let Some((tree, _)) = attempt(first.0, last.1) {
        return Some(tree);
    }
    // The whole range did not help (a rule misfired somewhere): try the statements one by one.
    ranges
        .iter()
        .take(MAX_STATEMENT_ATTEMPTS)
        .filter_map(|&(s, e)| attempt(s, e))
        .min_by_key(|(_, after)| *after)
        .map(|(tree, _)| tree)
}

/// Whether one erroneous top-level node swallowed several statements: tree-sitter's recovery
/// sometimes turns a whole file into one ERROR because of a single declaration it cannot read.
fn poisoned(root: Node<'_>, text: &str) -> bool {
    let starts = statement_starts(text);
    let mut cursor = root.walk();
    let swallowing = root.children(&mut cursor).any(|c| {
        (c.is_error() || c.has_error())
            && starts
                .iter()
                .filter(|&&s| s >= c.start_byte() && s < c.end_byte())
                .nth(1)
                .is_some()
    });
    swallowing
}

/// Parses every top-level statement on its own (rewritten when that helps) and blanks those that
/// still fail, so that one unreadable declaration does not hide the others in its file.
fn quarantine(text: &str, dialect: Dialect) -> Option<Repaired> {
    let starts = statement_starts(text);
    if starts.len() < 2 {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    let mut quarantined = Vec::new();
    let bounds = std::iter::once(0).chain(starts.iter().copied().filter(|&s| s > 0));
    let ends = starts
        .iter()
        .copied()
        .filter(|&s| s > 0)
        .chain([text.len()]);
    for (start, end) in bounds.zip(ends) {
        let chunk = &text[start..end];
        if !super::parse(chunk, dialect, None).root_node().has_error() {
            continue;
        }
        let fixed = rewrite(chunk, 0, chunk.len())
            .filter(|r| !super::parse(r, dialect, None).root_node().has_error());
        match fixed {
            Some(r) => bytes[start..end].copy_from_slice(r.as_bytes()),
            None => {
                // Same length, ASCII only (line breaks kept): offsets and UTF-8 stay valid.
                for b in &mut bytes[start..end] {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
                quarantined.push((start, end));
            }
        }
    }
    let blanked = String::from_utf8(bytes).ok()?;
    Some(Repaired {
        tree: super::parse(&blanked, dialect, None),
        quarantined,
    })
}

/// Byte offsets where a top-level statement starts: a declaration keyword first on its line,
/// outside any bracket.
fn statement_starts(text: &str) -> Vec<usize> {
    const KEYWORDS: &[&str] = &[
        "export",
        "declare",
        "interface",
        "type",
        "enum",
        "class",
        "abstract",
        "import",
        "namespace",
        "module",
        "const",
        "let",
        "var",
        "function",
    ];
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut line_start = true;
    for t in lex(text, 0, text.len()) {
        match t.kind {
            Tok::Newline => {
                line_start = true;
                continue;
            }
            Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
            Tok::Punct(b')' | b']' | b'}') => depth = depth.saturating_sub(1),
            Tok::Word
                if line_start
                    && depth == 0
                    && text
                        .as_bytes()
                        .get(t.start.wrapping_sub(1))
                        .is_none_or(|&b| b == b'\n')
                    && KEYWORDS.contains(&&text[t.start..t.end]) =>
            {
                out.push(t.start)
            }
            _ => {}
        }
        line_start = false;
    }
    out
}

/// Byte ranges of the top-level statements that hold an error.
fn erroneous_statements(root: Node<'_>) -> Vec<(usize, usize)> {
    let mut cursor = root.walk();
    root.children(&mut cursor)
        .filter(|c| c.has_error() || c.is_error() || c.is_missing())
        .map(|c| (c.start_byte(), c.end_byte()))
        .collect()
}

fn error_count(root: Node<'_>) -> usize {
    let mut count = 0;
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            count += 1;
        }
        if node.has_error() {
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
    }
    count
}

/// `text` with the rewrites applied in `start..end`, or `None` when nothing applies.
fn rewrite(text: &str, start: usize, end: usize) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    let tokens = lex(text, start, end.min(text.len()));
    let mut changed = false;
    changed |= semicolons(&tokens, text, &mut bytes);
    changed |= tuple_parens(&tokens, text, &mut bytes);
    changed |= generic_shift_parens(&tokens, text, &mut bytes);
    changed |= type_param_modifiers(&tokens, text, &mut bytes);
    changed |= template_escapes(&tokens, text, &mut bytes);
    changed |= import_type_arguments(&tokens, text, &mut bytes);
    changed |= global_augmentations(&tokens, text, &mut bytes);
    if !changed {
        return None;
    }
    // Only ASCII bytes were replaced by ASCII bytes at ASCII positions: still UTF-8.
    String::from_utf8(bytes).ok()
}

/// A token of the light lexer: punctuation, a word, a string or a line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Word,
    Punct(u8),
    Str,
    Newline,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Tok,
    start: usize,
    end: usize,
}

/// Tokens of `text[start..end]`: words, single punctuation bytes, strings and template literals as
/// one token each, line breaks; comments and other whitespace are skipped.
fn lex(text: &str, start: usize, end: usize) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = start;
    let push = |out: &mut Vec<Token>, kind, s, e| {
        out.push(Token {
            kind,
            start: s,
            end: e,
        })
    };
    while i < end {
        let c = b[i];
        match c {
            b'\n' => {
                push(&mut out, Tok::Newline, i, i + 1);
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                // The line break after a line comment must stay (it ends the comment): a member
                // ends at the blank before the comment instead, when there is one.
                if i > start && matches!(b[i - 1], b' ' | b'\t') {
                    push(&mut out, Tok::Newline, i - 1, i);
                }
                while i < end && b[i] != b'\n' {
                    i += 1;
                }
                push(&mut out, Tok::Newline, i, i);
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                // The range may end between the `/` and the `*` (an error node's end): then the
                // comment runs to the end of the range.
                let close = text
                    .get(i + 2..end)
                    .and_then(|rest| rest.find("*/"))
                    .map(|p| i + 2 + p + 2);
                let stop = close.unwrap_or(end);
                // A comment spanning lines separates like a line break.
                if text[i..stop].contains('\n') {
                    push(&mut out, Tok::Newline, i, i);
                }
                i = stop;
            }
            b'\'' | b'"' | b'`' => {
                let s = i;
                i += 1;
                while i < end && b[i] != c {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(end);
                push(&mut out, Tok::Str, s, i);
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 => {
                let s = i;
                while i < end
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'$'
                        || b[i] >= 0x80)
                {
                    i += 1;
                }
                push(&mut out, Tok::Word, s, i);
            }
            c => {
                push(&mut out, Tok::Punct(c), i, i + 1);
                i += 1;
            }
        }
    }
    out
}

/// Words after which a type goes on (`keyof\nT`).
const CONTINUING_WORDS: &[&str] = &[
    "keyof",
    "typeof",
    "readonly",
    "infer",
    "new",
    "extends",
    "in",
    "is",
    "asserts",
    "unique",
    "as",
    "abstract",
    "export",
    "declare",
    "type",
    "interface",
    "const",
    "enum",
    "class",
    "of",
];

/// Replaces a line break by `;` where TypeScript's automatic semicolon insertion ends a member of
/// an object type, interface or class body: the line before ends a type and the next line starts
/// a member.
fn semicolons(tokens: &[Token], text: &str, bytes: &mut [u8]) -> bool {
    let mut changed = false;
    let mut stack: Vec<u8> = Vec::new();
    let mut prev: Option<Token> = None;
    let mut pending_newline: Option<Token> = None;
    for tok in tokens {
        if tok.kind == Tok::Newline {
            if pending_newline.is_none() && tok.end > tok.start {
                pending_newline = Some(*tok);
            }
            continue;
        }
        if let (Some(nl), Some(p)) = (pending_newline.take(), prev) {
            if stack.last() == Some(&b'{') && ends_type(p, text) && starts_member(*tok, text) {
                bytes[nl.start] = b';';
                changed = true;
            }
        }
        match tok.kind {
            Tok::Punct(c @ (b'{' | b'(' | b'[')) => stack.push(c),
            Tok::Punct(b'}' | b')' | b']') => {
                stack.pop();
            }
            _ => {}
        }
        prev = Some(*tok);
    }
    changed
}

fn ends_type(prev: Token, text: &str) -> bool {
    match prev.kind {
        Tok::Word => !CONTINUING_WORDS.contains(&&text[prev.start..prev.end]),
        Tok::Str => true,
        // `=>` ends nothing; `>` of a generic does.
        Tok::Punct(b'>') => prev.start == 0 || text.as_bytes()[prev.start - 1] != b'=',
        Tok::Punct(c) => matches!(c, b')' | b']' | b'}'),
        Tok::Newline => false,
    }
}

fn starts_member(tok: Token, text: &str) -> bool {
    match tok.kind {
        Tok::Word => !matches!(&text[tok.start..tok.end], "extends" | "is" | "as" | "keyof"),
        Tok::Str => true,
        Tok::Punct(c) => matches!(c, b'(' | b'[' | b'<' | b'-' | b'+'),
        Tok::Newline => false,
    }
}

/// `( [ … ] )` around a tuple type (never needed: a tuple is a primary type) becomes spaces,
/// unless it is an arrow function's destructured parameter (`=>` or `:` follows).
fn tuple_parens(tokens: &[Token], text: &str, bytes: &mut [u8]) -> bool {
    let mut changed = false;
    let significant: Vec<&Token> = tokens.iter().filter(|t| t.kind != Tok::Newline).collect();
    for (i, open) in significant.iter().enumerate() {
        if open.kind != Tok::Punct(b'(') {
            continue;
        }
        let Some(next) = significant.get(i + 1) else {
            continue;
        };
        // A tuple, or a template literal type (`(\`id-${string}\`)` is another gap).
        let close_bracket = match next.kind {
            Tok::Punct(b'[') => matching(&significant, i + 1),
            Tok::Str if text.as_bytes().get(next.start) == Some(&b'`') => Some(i + 1),
            _ => None,
        };
        let Some(close_bracket) = close_bracket else {
            continue;
        };
        let Some(close) = significant.get(close_bracket + 1) else {
            continue;
        };
        if close.kind != Tok::Punct(b')') {
            continue;
        }
        let after = significant.get(close_bracket + 2).map(|t| t.kind);
        let is_arrow_params = matches!(after, Some(Tok::Punct(b'=' | b':')));
        if is_arrow_params {
            continue;
        }
        bytes[open.start] = b' ';
        bytes[close.start] = b' ';
        changed = true;
    }
    changed
}

/// `( Name<<T>(…) => …> )`: right after a `(` in a type, tree-sitter's lexer reads the `<<` of a
/// type argument list that starts with a generic function type as a shift operator (the `(` could
/// still open an expression), so the type does not parse. When the parentheses hold only that
/// generic type (and `[]` or `[K]` after it) they are redundant: they become spaces.
fn generic_shift_parens(tokens: &[Token], text: &str, bytes: &mut [u8]) -> bool {
    let mut changed = false;
    let significant: Vec<&Token> = tokens.iter().filter(|t| t.kind != Tok::Newline).collect();
    for (i, open) in significant.iter().enumerate() {
        // The outermost `(` of a run only: the run is handled at once (and not again per `(`).
        let after_paren = i > 0 && significant[i - 1].kind == Tok::Punct(b'(');
        if open.kind != Tok::Punct(b'(') || after_paren {
            continue;
        }
        let Some(parens) = redundant_generic_parens(&significant, text, i) else {
            continue;
        };
        for p in parens {
            bytes[significant[p].start] = b' ';
        }
        changed = true;
    }
    changed
}

/// The indices of the parentheses of the run opened at `open` when what they hold is
/// `Name<<…>` followed only by `[…]` suffixes (at every level).
fn redundant_generic_parens(tokens: &[&Token], text: &str, open: usize) -> Option<Vec<usize>> {
    let is = |i: usize, kind: Tok| tokens.get(i).is_some_and(|t| t.kind == kind);
    let mut parens: Vec<usize> = vec![open];
    let mut j = open + 1;
    while is(j, Tok::Punct(b'(')) {
        parens.push(j);
        j += 1;
    }
    if !is(j, Tok::Word) {
        return None;
    }
    while is(j + 1, Tok::Punct(b'.')) && is(j + 2, Tok::Word) {
        j += 2;
    }
    let (lt, second) = (tokens.get(j + 1)?, tokens.get(j + 2)?);
    // Only the `<<` the lexer misreads: two adjacent `<`.
    let shift =
        lt.kind == Tok::Punct(b'<') && second.kind == Tok::Punct(b'<') && second.start == lt.end;
    if !shift {
        return None;
    }
    let mut k = matching_angle(tokens, text, j + 1)? + 1;
    for _ in 0..parens.len() {
        while is(k, Tok::Punct(b'[')) {
            k = matching(tokens, k)? + 1;
        }
        if !is(k, Tok::Punct(b')')) {
            return None;
        }
        parens.push(k);
        k += 1;
    }
    Some(parens)
}

/// Offsets of the second `<` of each `( Name<<` in `text[start..end]`: right after a `(` the
/// lexer reads the `<<` that opens a type argument list starting with a generic function type
/// as a shift. Where the parentheses are needed (`(A<<T>() => 1> | B)[]`) no same-length
/// rewrite helps: only a space between the two `<` does (see [`split_parse`]).
fn shift_splits(text: &str, start: usize, end: usize) -> Vec<usize> {
    let tokens = lex(text, start, end.min(text.len()));
    let significant: Vec<&Token> = tokens.iter().filter(|t| t.kind != Tok::Newline).collect();
    let is = |i: usize, kind: Tok| significant.get(i).is_some_and(|t| t.kind == kind);
    let mut out = Vec::new();
    for (i, open) in significant.iter().enumerate() {
        if open.kind != Tok::Punct(b'(') || !is(i + 1, Tok::Word) {
            continue;
        }
        let mut j = i + 1;
        while is(j + 1, Tok::Punct(b'.')) && is(j + 2, Tok::Word) {
            j += 2;
        }
        let (Some(lt), Some(second)) = (significant.get(j + 1), significant.get(j + 2)) else {
            continue;
        };
        let adjacent = lt.kind == Tok::Punct(b'<')
            && second.kind == Tok::Punct(b'<')
            && second.start == lt.end
            && lt.start == significant[j].end;
        if adjacent {
            out.push(second.start);
        }
    }
    out
}

/// Parses `text` with a space inserted before each offset of `splits` (ascending), then edits the
/// tree to take the spaces out again: every node then has its range in `text` itself, so the tree
/// is read against the original like a same-length rewrite's.
fn split_parse(text: &str, dialect: Dialect, splits: &[usize]) -> Tree {
    let mut spaced = String::with_capacity(text.len() + splits.len());
    let mut last = 0;
    for &at in splits {
        spaced.push_str(&text[last..at]);
        spaced.push(' ');
        last = at;
    }
    spaced.push_str(&text[last..]);
    let mut tree = super::parse(&spaced, dialect, None);
    // From the last space back: the offsets of the earlier ones stay valid in `spaced`.
    for (n, &at) in splits.iter().enumerate().rev() {
        let space = at + n;
        let start_position = point_at(&spaced, space);
        let old_end_position = tree_sitter::Point {
            row: start_position.row,
            column: start_position.column + 1,
        };
        tree.edit(&tree_sitter::InputEdit {
            start_byte: space,
            old_end_byte: space + 1,
            new_end_byte: space,
            start_position,
            old_end_position,
            new_end_position: start_position,
        });
    }
    tree
}

/// tree-sitter's row and byte column of `offset` (needed by `Tree::edit`, never read back).
fn point_at(text: &str, offset: usize) -> tree_sitter::Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    tree_sitter::Point {
        row,
        column: offset - line_start,
    }
}

/// The index of the `>` closing the `<` at `open`; the `>` of `=>` is not a bracket.
fn matching_angle(tokens: &[&Token], text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            Tok::Punct(b'<') => depth += 1,
            Tok::Punct(b'>') if t.start > 0 && text.as_bytes()[t.start - 1] == b'=' => {}
            Tok::Punct(b'>') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The index of the bracket closing the one at `open`.
fn matching(tokens: &[&Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
            Tok::Punct(b')' | b']' | b'}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Escape sequences in template literal types (`` `id-${number}\n` ``) are not in the grammar:
/// each backslash and the character after it become `__` (the text is read from the original).
fn template_escapes(tokens: &[Token], text: &str, bytes: &mut [u8]) -> bool {
    let mut changed = false;
    for t in tokens.iter().filter(|t| t.kind == Tok::Str) {
        let b = text.as_bytes();
        if b.get(t.start) != Some(&b'`') {
            continue;
        }
        let mut i = t.start + 1;
        while i + 1 < t.end {
            // Only an ASCII character after the backslash: replacing keeps UTF-8 valid.
            if b[i] == b'\\' && b[i + 1].is_ascii() && b[i + 1] != b'`' {
                bytes[i] = b'_';
                bytes[i + 1] = b'_';
                changed = true;
                i += 2;
            } else {
                i += 1;
            }
        }
    }
    changed
}

/// An import type with type arguments (`import("m").X<T>`, as in `@types/node`'s
/// `stream/web.d.ts`) is not in the grammar: `import("m").X` becomes one identifier of the same
/// length (every byte that cannot be in a name becomes `_`), so the whole parses as a generic type
/// whose name reads back as the original text (the normal form then unifies its quotes).
fn import_type_arguments(tokens: &[Token], text: &str, bytes: &mut [u8]) -> bool {
    let mut changed = false;
    let significant: Vec<&Token> = tokens.iter().filter(|t| t.kind != Tok::Newline).collect();
    let word = |t: &Token| (t.kind == Tok::Word).then(|| &text[t.start..t.end]);
    for i in 0..significant.len() {
        if word(significant[i]) != Some("import") {
            continue;
        }
        let head = significant
            .get(i + 1..i + 5)
            .map(|w| w.iter().map(|t| t.kind).collect::<Vec<_>>());
        if head
            != Some(vec![
                Tok::Punct(b'('),
                Tok::Str,
                Tok::Punct(b')'),
                Tok::Punct(b'.'),
            ])
        {
            continue;
        }
        // `.Name` parts, then `<`.
        let mut j = i + 5;
        while significant.get(j).is_some_and(|t| word(t).is_some())
            && significant.get(j + 1).map(|t| t.kind) == Some(Tok::Punct(b'.'))
        {
            j += 2;
        }
        let ends_name = significant.get(j).is_some_and(|t| word(t).is_some())
            && significant.get(j + 1).map(|t| t.kind) == Some(Tok::Punct(b'<'));
        if !ends_name {
            continue;
        }
        for b in &mut bytes[significant[i].start..significant[j].end] {
            if !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$') {
                *b = b'_';
            }
        }
        changed = true;
    }
    changed
}

/// `global { … }` inside an ambient module is a global augmentation; the grammar has it only as
/// `declare global { … }`, so `global` reads as an expression missing its `;` and the recovery
/// can spill the module's declarations to the top level. `global` becomes spaces: the block stays
/// a block inside the module (whose declarations are not compared either way).
fn global_augmentations(tokens: &[Token], text: &str, bytes: &mut [u8]) -> bool {
    let mut changed = false;
    let significant: Vec<&Token> = tokens.iter().filter(|t| t.kind != Tok::Newline).collect();
    let word = |t: &Token| (t.kind == Tok::Word).then(|| &text[t.start..t.end]);
    for (i, t) in significant.iter().enumerate() {
        if word(t) != Some("global") {
            continue;
        }
        let opens_block = significant
            .get(i + 1)
            .is_some_and(|n| n.kind == Tok::Punct(b'{'));
        // A statement start inside a body: after `{`, `}` or `;` (never after `declare`, which
        // the grammar reads, nor at the top level of the range, where it is no augmentation).
        let at_statement =
            i > 0 && matches!(significant[i - 1].kind, Tok::Punct(b'{' | b'}' | b';'));
        if !(opens_block && at_statement) {
            continue;
        }
        for b in &mut bytes[t.start..t.end] {
            *b = b' ';
        }
        changed = true;
    }
    changed
}

/// `in`, `out` and `const` right after `<` or `,` and before a type parameter name become
/// spaces.
fn type_param_modifiers(tokens: &[Token], text: &str, bytes: &mut [u8]) -> bool {
    let mut changed = false;
    let significant: Vec<&Token> = tokens.iter().filter(|t| t.kind != Tok::Newline).collect();
    let word = |t: &Token| (t.kind == Tok::Word).then(|| &text[t.start..t.end]);
    let is_modifier = |t: &Token| matches!(word(t), Some("in" | "out" | "const"));
    for i in 0..significant.len() {
        if !matches!(significant[i].kind, Tok::Punct(b'<' | b',')) {
            continue;
        }
        let mut j = i + 1;
        while significant.get(j).is_some_and(|t| is_modifier(t)) {
            j += 1;
        }
        if j == i + 1 {
            continue;
        }
        // Then the parameter's name and what may follow it in a type parameter list.
        let name_ok = significant.get(j).is_some_and(|t| word(t).is_some());
        let follow_ok = significant.get(j + 1).is_some_and(|t| {
            matches!(t.kind, Tok::Punct(b',' | b'>' | b'=')) || matches!(word(t), Some("extends"))
        });
        if !(name_ok && follow_ok) {
            continue;
        }
        for t in &significant[i + 1..j] {
            for b in &mut bytes[t.start..t.end] {
                *b = b' ';
            }
        }
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired_errors(src: &str) -> (usize, usize) {
        let tree = super::super::parse(src, Dialect::TypeScript, None);
        let before = error_count(tree.root_node());
        let after = repaired(src, Dialect::TypeScript, &tree)
            .map(|r| error_count(r.tree.root_node()))
            .unwrap_or(before);
        (before, after)
    }

    #[test]
    fn a_range_ending_inside_a_comment_opener_lexes() {
        // Found by the fuzz suite at 10,000 cases: the range ends between `/` and `*`.
        let text = "type A = x /* c */";
        let slash = text.find('/').unwrap_or(0);
        let tokens = lex(text, 0, slash + 1);
        assert_eq!(
            tokens.last().map(|t| t.start),
            Some(text.find('x').unwrap_or(0))
        );
    }

    #[test]
    fn no_semicolon_members_parse() {
        let src = "interface A {\n  a: string\n  in: number\n  <T>(x: T): T\n  b: 'x' // c\n  (y: number): void\n}\n";
        let (before, after) = repaired_errors(src);
        assert!(before > 0, "the grammar gap is still there");
        assert_eq!(after, 0);
    }

    #[test]
    fn a_parenthesised_template_literal_type_parses() {
        let src = "export type T = {\n  a: 1\n  readonly(): (`id-${string}\\n`)\n  b: 2\n};\n";
        let (before, after) = repaired_errors(src);
        assert!(before > 0, "the grammar gap is still there");
        assert_eq!(after, 0);
    }

    #[test]
    fn parenthesised_tuples_and_variance_parse() {
        for src in [
            "type B = ([string?]) | number;\n",
            "type T = `id-${number}\\n` | `a\\tb`;\n",
            "type E<in out T, out U extends string = 'a'> = T | U;\n",
        ] {
            let (before, after) = repaired_errors(src);
            assert!(before > 0, "{src}: the grammar gap is still there");
            assert_eq!(after, 0, "{src}");
        }
    }

    #[test]
    fn a_parenthesised_generic_of_a_generic_function_parses() {
        // Differential seed 2, T2636: `<<` right after `(` lexed as a shift operator.
        for src in [
            "export type T = (ReadonlyArray<<T>(p: T) => T>);\n",
            "type T = (A<<T>() => 1, C>[][number]);\n",
            "type T = ((Array<<T>(x: Map<T, 1>) => T>)[]);\n",
        ] {
            let (before, after) = repaired_errors(src);
            assert!(before > 0, "{src}: the grammar gap is still there");
            assert_eq!(after, 0, "{src}");
        }
        // Needed parentheses stay.
        let src = "type T = (A<<T>() => 1> | B)[];\n";
        let tokens = lex(src, 0, src.len());
        let mut bytes = src.as_bytes().to_vec();
        assert!(!generic_shift_parens(&tokens, src, &mut bytes));
    }

    #[test]
    fn needed_parentheses_around_a_generic_of_a_generic_function_parse() {
        // `<<` right after `(` where the parentheses group a union: a space is put between the
        // two `<` for the parse and taken out of the tree again.
        for src in [
            "type T = (A<<T>() => 1> | B)[];\n",
            "export interface I {\n  a: (A.B<<T>(x: T) => T, C> & D)[]\n  b: ((X<<U>() => U> | null))\n}\n",
            "type T = (A<<T>() => 1> | B)[] | (C<<T>() => 2> | D);\n",
        ] {
            let (before, after) = repaired_errors(src);
            assert!(before > 0, "{src}: the grammar gap is still there");
            assert_eq!(after, 0, "{src}");
        }
        // The tree is read against the original text: names and ranges are the user's.
        let src = "export type T = (Alpha<<T>(x: T) => T> | Beta)[];\nexport type U = Gamma;\n";
        let model = super::super::parse_file(
            "a.ts",
            "a.ts",
            crate::model::Side::Spec,
            std::sync::Arc::from(src),
        );
        assert!(model.syntax_errors.is_empty(), "{:?}", model.syntax_errors);
        let ty = |name: &str| match model.declarations.get(name).map(|d| &d.body) {
            Some(crate::model::Body::Alias { ty, rhs_span, .. }) => {
                (ty.clone(), src[rhs_span.start..rhs_span.end].to_string())
            }
            other => panic!("{name}: {other:?}"),
        };
        let (t, rhs) = ty("T");
        assert_eq!(rhs, "(Alpha<<T>(x: T) => T> | Beta)[]");
        assert!(t.contains("Alpha<") && t.contains("Beta"), "{t}");
        assert_eq!(ty("U").1, "Gamma");
        // A real shift in an expression is not split.
        let src = "const x = (a<<b);\n";
        assert_eq!(
            shift_splits(src, 0, src.len()),
            vec![src.find("<b").unwrap_or(0)]
        );
        let (before, after) = repaired_errors(src);
        assert_eq!((before, after), (0, 0));
    }

    #[test]
    fn a_global_augmentation_in_an_ambient_module_parses() {
        // @types/node: `global { … }` inside `declare module "m" { … }`, after a declaration
        // and at the start of the body.
        for src in [
            "declare module \"m\" {\n    const D: {\n        new(f: \"a\"): D;\n    };\n\n    global {\n        interface A {}\n        var A: typeof globalThis extends { A: infer T } ? T : 1;\n    }\n}\n",
            "declare module \"m\" {\n    global {\n        interface A {}\n    }\n    export interface B {}\n}\n",
        ] {
            let (before, after) = repaired_errors(src);
            assert!(before > 0, "{src}: the grammar gap is still there");
            assert_eq!(after, 0, "{src}");
        }
        // The declarations of the module do not spill to the top level.
        let src = "declare module \"m\" {\n    interface D {}\n    global {\n        interface A {}\n    }\n    export interface B {}\n}\n";
        let model = super::super::parse_file(
            "a.d.ts",
            "a.d.ts",
            crate::model::Side::Spec,
            std::sync::Arc::from(src),
        );
        assert!(model.syntax_errors.is_empty(), "{:?}", model.syntax_errors);
        assert!(
            model.declarations.is_empty(),
            "{:?}",
            model.declarations.keys()
        );
        // `declare global` is the grammar's own: left alone.
        let src = "declare global {\n    interface A {}\n}\n";
        let tokens = lex(src, 0, src.len());
        let mut bytes = src.as_bytes().to_vec();
        assert!(!global_augmentations(&tokens, src, &mut bytes));
    }

    #[test]
    fn arrow_parameters_are_left_alone() {
        let src = "const f = ([a, b]) => a;\n";
        let tokens = lex(src, 0, src.len());
        let mut bytes = src.as_bytes().to_vec();
        assert!(!tuple_parens(&tokens, src, &mut bytes));
    }

    #[test]
    fn an_unreadable_statement_is_quarantined_alone() {
        let src = "export type A = ([string?]) | number;\nexport type Bad = { a: ]] ;\nexport interface C {\n  c: 1\n  (x: 2): 3\n}\n";
        let q = quarantine(src, Dialect::TypeScript).expect("several statements");
        assert!(
            !q.tree.root_node().has_error(),
            "{}",
            q.tree.root_node().to_sexp()
        );
        let bad = src.find("export type Bad").unwrap();
        let c = src.find("export interface C").unwrap();
        assert_eq!(q.quarantined, vec![(bad, c)]);
        assert_eq!(statement_starts(src), vec![0, bad, c]);
    }
}
