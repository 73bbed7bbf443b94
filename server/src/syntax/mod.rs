//! tree-sitter parsing and extraction of the declaration model.
//!
//! `parse` turns text into a tree (reusing an old tree when the caller has one); `extract` turns a
//! tree into a [`FileModel`]. Both are error tolerant: a file with syntax errors yields what
//! parses, plus [`SyntaxError`]s.

mod depth;
mod doc;
mod extract;
mod normalize;
mod repair;

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use tree_sitter::{Language, Node, ParseOptions, ParseState, Parser, Tree};

use crate::model::{FileModel, Side, Span, SyntaxError};
use crate::text::LineIndex;

pub use depth::MAX_TYPE_DEPTH;
pub use extract::{render_member, StatementMemo};
pub use normalize::normalize_type_text;

/// Which tree-sitter grammar a file needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    TypeScript,
    Tsx,
}

impl Dialect {
    pub fn for_path(path: &Path) -> Option<Dialect> {
        match path.extension()?.to_str()? {
            "ts" | "mts" | "cts" => Some(Dialect::TypeScript),
            "tsx" => Some(Dialect::Tsx),
            _ => None,
        }
    }

    pub fn language(self) -> Language {
        match self {
            Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }
}

thread_local! {
    // A parser per thread and dialect: creating one costs more than parsing a small file.
    static PARSERS: RefCell<[Option<Parser>; 2]> = const { RefCell::new([None, None]) };
}

/// `true` when `path` has an extension the engine parses.
pub fn is_typescript(path: &Path) -> bool {
    Dialect::for_path(path).is_some()
}

/// Parser steps allowed per byte of text, on top of [`PARSE_STEPS_BASE`]. tree-sitter's error
/// recovery on some ambiguous garbage (TSX: `<`, `>`, `(` and keywords mixed at random) forks
/// without end: 486 bytes took 245 s, where real files need a tenth of the bound. A step count
/// rather than a clock keeps the result the same on every machine.
pub const PARSE_STEPS_PER_BYTE: usize = 200;
/// Parser steps any text may take, however short.
pub const PARSE_STEPS_BASE: usize = 2_000_000;
/// tree-sitter asks the progress callback once per this many parser steps.
const STEPS_PER_PROGRESS_CALL: usize = 100;

/// Parses `text`, reusing `old` (already edited with `Tree::edit`) when given. A parse past the
/// step bound is abandoned for a stand-in: the tree of the text blanked (see [`is_stand_in`]).
pub fn parse(text: &str, dialect: Dialect, old: Option<&Tree>) -> Tree {
    let bytes = text.as_bytes();
    let mut read = |i: usize| bytes.get(i..).unwrap_or_default();
    parse_chunks(dialect, text.len(), &mut read, old)
        .unwrap_or_else(|| with_parser(dialect, |parser| stand_in(parser, text, dialect)))
}

/// Parses a text of `len` bytes that `read` hands out in chunks (the bytes from an offset on, as
/// many as are at hand; none past the end), reusing `old` when given: what the language server
/// parses its ropes with, without copying them. `None` when the parse was abandoned at the step
/// bound.
pub fn parse_chunks<'t>(
    dialect: Dialect,
    len: usize,
    read: &mut dyn FnMut(usize) -> &'t [u8],
    old: Option<&Tree>,
) -> Option<Tree> {
    with_parser(dialect, |parser| {
        let mut progress = step_bound(len);
        let options = ParseOptions::new().progress_callback(&mut progress);
        let tree = parser.parse_with_options(&mut |i, _| read(i), old, Some(options));
        if tree.is_none() {
            // A cancelled parse resumes on the parser's next call unless it is reset.
            parser.reset();
        }
        tree
    })
}

/// Runs `f` with this thread's parser for `dialect` (the one pool of parsers).
fn with_parser<R>(dialect: Dialect, f: impl FnOnce(&mut Parser) -> R) -> R {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let parser = parsers[dialect as usize].get_or_insert_with(|| new_parser(dialect));
        f(parser)
    })
}

/// The progress callback that stops a parse of `len` bytes at the step bound (for
/// `Parser::parse_with_options`; a parser it stopped must be reset before its next parse).
fn step_bound(len: usize) -> impl FnMut(&ParseState) -> ControlFlow<()> {
    let steps = PARSE_STEPS_BASE.saturating_add(len.saturating_mul(PARSE_STEPS_PER_BYTE));
    let mut calls_left = steps / STEPS_PER_PROGRESS_CALL;
    move |_| {
        if calls_left == 0 {
            return ControlFlow::Break(());
        }
        calls_left -= 1;
        ControlFlow::Continue(())
    }
}

/// The tree of `text` with every byte but line breaks made a space: same length, so every span
/// stays inside the text, and no declaration (a whitespace program parses at once).
fn stand_in(parser: &mut Parser, text: &str, dialect: Dialect) -> Tree {
    let blank: String = text
        .bytes()
        .map(|b| {
            if matches!(b, b'\n' | b'\r') {
                b as char
            } else {
                ' '
            }
        })
        .collect();
    parser
        .parse(&blank, None)
        .unwrap_or_else(|| unreachable_parse(dialect))
}

/// `true` when `tree` is the stand-in for a parse of `text` abandoned at the step bound: an
/// empty program over a text that holds more than what the grammar skips (whitespace).
fn is_stand_in(tree: &Tree, text: &str) -> bool {
    let skipped = |c: char| c.is_whitespace() || matches!(c, '\u{feff}' | '\u{2060}' | '\u{200b}');
    tree.root_node().child_count() == 0 && !text.chars().all(skipped)
}

fn new_parser(dialect: Dialect) -> Parser {
    let mut parser = Parser::new();
    // The grammar is compiled in and its ABI (14) is supported by this tree-sitter: a failure here
    // is a build defect, not an input problem.
    parser
        .set_language(&dialect.language())
        .expect("tree-sitter-typescript grammar is compatible");
    parser
}

fn unreachable_parse(dialect: Dialect) -> Tree {
    panic!("tree-sitter returned no tree for an uncancelled {dialect:?} parse of blank text")
}

/// Parses and extracts one file (the dialect comes from the path; unknown extensions parse as
/// TypeScript).
pub fn parse_file(path: &str, side_path: &str, side: Side, text: Arc<str>) -> FileModel {
    let dialect = Dialect::for_path(Path::new(path)).unwrap_or(Dialect::TypeScript);
    let tree = parse(&text, dialect, None);
    extract_file(path, side_path, side, text, &tree)
}

/// Builds the file model from an existing tree of `text` (the language server keeps its own
/// incrementally edited trees).
pub fn extract_file(
    path: &str,
    side_path: &str,
    side: Side,
    text: Arc<str>,
    tree: &Tree,
) -> FileModel {
    extract_with(path, side_path, side, text, tree, None)
}

/// [`extract_file`] for a document edited again and again: statements whose text did not
/// change since the extraction that filled `memo` are not walked again, only shifted.
pub fn extract_file_reusing(
    path: &str,
    side_path: &str,
    side: Side,
    text: Arc<str>,
    tree: &Tree,
    memo: &mut StatementMemo,
) -> FileModel {
    extract_with(path, side_path, side, text, tree, Some(memo))
}

fn extract_with(
    path: &str,
    side_path: &str,
    side: Side,
    text: Arc<str>,
    tree: &Tree,
    memo: Option<&mut StatementMemo>,
) -> FileModel {
    let is_declaration_file =
        path.ends_with(".d.ts") || path.ends_with(".d.mts") || path.ends_with(".d.cts");
    let dialect = Dialect::for_path(Path::new(path)).unwrap_or(Dialect::TypeScript);
    // Where the grammar lacks a rule TypeScript has, a same-length rewrite parses better; its
    // tree is read against the original text.
    let repaired = repair::repaired(&text, dialect, tree);
    let tree = repaired.as_ref().map_or(tree, |r| &r.tree);
    // Forget a bound hit by an earlier walk on this thread: only this file's counts.
    depth::take_too_deep();
    // A repaired tree comes from another text: its statements are not memoised.
    let memo = memo.filter(|_| repaired.is_none());
    let declarations =
        extract::declarations_reusing(tree.root_node(), &text, is_declaration_file, memo);
    let mut syntax_errors = syntax_errors(tree.root_node(), &text);
    if is_stand_in(tree, &text) {
        syntax_errors.push(SyntaxError {
            span: Span::new(0, text.len()),
            message: too_ambiguous_message(),
        });
    }
    if let Some(span) = depth::take_too_deep() {
        syntax_errors.push(SyntaxError {
            span,
            message: depth::too_deep_message(),
        });
    }
    for &(start, end) in repaired.iter().flat_map(|r| &r.quarantined) {
        syntax_errors.push(quarantined_error(&text, start, end));
    }
    syntax_errors.sort_by_key(|e| e.span.start);
    FileModel {
        path: path.to_string(),
        side_path: side_path.to_string(),
        side,
        lines: LineIndex::new(&text),
        text,
        declarations,
        syntax_errors,
    }
}

/// `true` when `model`'s parse was abandoned at the step bound: nothing in it could be read, so
/// nothing may be written into it either.
pub fn parse_was_abandoned(model: &FileModel) -> bool {
    let message = too_ambiguous_message();
    model.syntax_errors.iter().any(|e| e.message == message)
}

/// The warning for a file whose parse was abandoned at the step bound.
fn too_ambiguous_message() -> String {
    format!(
        "syntax error: the file is too ambiguous to parse within {PARSE_STEPS_PER_BYTE} parser steps per byte (its declarations are skipped)"
    )
}

/// The warning for a statement left out so that the rest of its file parses.
fn quarantined_error(text: &str, start: usize, end: usize) -> SyntaxError {
    let snippet: String = text[start..end].chars().take(30).collect();
    let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    SyntaxError {
        span: Span { start, end },
        message: format!("syntax error in `{snippet}` (this declaration is skipped)"),
    }
}

/// The most syntax errors reported per file; one broken brace can produce hundreds.
const MAX_SYNTAX_ERRORS: usize = 20;

/// ERROR and MISSING nodes, outermost first, at most [`MAX_SYNTAX_ERRORS`].
pub fn syntax_errors(root: Node<'_>, text: &str) -> Vec<SyntaxError> {
    let mut out = Vec::new();
    if !root.has_error() {
        return out;
    }
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if out.len() >= MAX_SYNTAX_ERRORS {
            break;
        }
        if node.is_missing() {
            out.push(SyntaxError {
                span: span(node),
                message: format!("missing `{}`", node.kind()),
            });
            continue;
        }
        if node.is_error() {
            let snippet: String = node_text(node, text).chars().take(30).collect();
            let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
            out.push(SyntaxError {
                span: span(node),
                message: format!("syntax error near `{snippet}`"),
            });
            continue;
        }
        if node.has_error() {
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    out.sort_by_key(|e| e.span.start);
    out
}

/// Makes tree-sitter allocate with mimalloc, the binary's global allocator (parsing allocates
/// a node per token; the system allocator was a tenth of a large check's CPU). Call it first
/// thing in `main`, before any parser or tree exists: memory must be freed by the allocator
/// that gave it.
pub fn use_mimalloc_for_trees() {
    use libmimalloc_sys::{mi_calloc, mi_free, mi_malloc, mi_realloc};
    // SAFETY: no tree-sitter object exists yet (see above), so nothing allocated by the
    // previous functions is freed by the new ones; mimalloc's C functions are thread-safe and
    // have malloc's contract.
    unsafe {
        tree_sitter::set_allocator(
            Some(mi_malloc),
            Some(mi_calloc),
            Some(mi_realloc),
            Some(mi_free),
        );
    }
}

thread_local! {
    // (grammar, field name) → field id. tree-sitter's `child_by_field_name` compares the name with
    // every field name of the grammar on each call, which was a third of extraction's time.
    static FIELD_IDS: RefCell<Vec<(usize, usize, Option<u16>)>> = const { RefCell::new(Vec::new()) };
}

/// The child of `node` in field `name` (like `Node::child_by_field_name`, with the id cached).
pub(crate) fn field<'t>(node: Node<'t>, name: &'static str) -> Option<Node<'t>> {
    let language = node.language();
    // The two grammars differ in their number of node kinds: that tells them apart.
    let grammar = language.node_kind_count();
    let key = name.as_ptr() as usize;
    let id = FIELD_IDS.with(|cell| {
        let mut ids = cell.borrow_mut();
        if let Some(&(_, _, id)) = ids.iter().find(|(g, k, _)| *g == grammar && *k == key) {
            return id;
        }
        let id = language.field_id_for_name(name).map(|id| id.get());
        ids.push((grammar, key, id));
        id
    })?;
    node.child_by_field_id(id)
}

pub(crate) fn span(node: Node<'_>) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

pub(crate) fn node_text<'t>(node: Node<'_>, text: &'t str) -> &'t str {
    text.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

#[cfg(test)]
mod memo_tests {
    use super::*;
    use proptest::prelude::*;

    /// Statements whose extraction uses every kind of span, leading comments, merges, export
    /// lists and syntax errors.
    const STATEMENTS: &[&str] = &[
        "export interface A { readonly x: number; y?: string }\n",
        "/** @deprecated old */\nexport interface B<T> extends A { z: T }\n",
        "export type U = 'a' | 'b';\n",
        "export enum E { One = 1, Two }\n",
        "interface L { q: number }\nexport { L as M };\n",
        "export class C { constructor(public readonly id: string) {} get n(): number { return 1 } }\n",
        "// a note\n",
        "\n\n",
        "export type Alias = { k: string; m(a: number): void };\n",
        "export interface A { extra: number }\n",
        "export interface Broken { x: \n",
        "import { A } from './a';\n",
    ];

    fn text_of(stmts: &[usize]) -> String {
        stmts.iter().map(|&i| STATEMENTS[i]).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// Editing a document again and again with the memo gives what extracting it afresh
        /// gives: same declarations, members and spans.
        #[test]
        fn memoised_extraction_equals_a_fresh_one(
            start in proptest::collection::vec(0..STATEMENTS.len(), 1..8),
            edits in proptest::collection::vec((0..8usize, 0..STATEMENTS.len(), 0..3u8), 1..10),
        ) {
            let mut stmts = start;
            let mut memo = StatementMemo::default();
            let path = "src/domain/m.ts";
            for (at, pick, op) in edits {
                let at = at % (stmts.len() + 1);
                match op {
                    0 => stmts.insert(at, pick),
                    1 if at < stmts.len() => stmts[at] = pick,
                    _ if at < stmts.len() && stmts.len() > 1 => { stmts.remove(at); }
                    _ => stmts.push(pick),
                }
                let text: Arc<str> = text_of(&stmts).into();
                let tree = parse(&text, Dialect::TypeScript, None);
                let kept = extract_file_reusing(path, "m.ts", Side::Implementation, text.clone(), &tree, &mut memo);
                let fresh = extract_file(path, "m.ts", Side::Implementation, text.clone(), &tree);
                prop_assert_eq!(&kept.declarations, &fresh.declarations, "{}", text);
                prop_assert_eq!(&kept.syntax_errors, &fresh.syntax_errors);
            }
        }
    }
}

/// 486 bytes the fuzz target generated: tree-sitter's TSX error recovery took 245 s on them
/// (release build) before the step bound.
#[cfg(test)]
pub(crate) const AMBIGUOUS_TSX: &str = concat!(
    " &  =  = get x()B<T>/** @deprecated use B */\n",
    "\rkeyof \u{f3}e | .\u{1f804}\u{1cd6f}\u{108fd}>\u{115dd}=enum keyof { >'x'// c\n",
    "export // c\n",
    "typeof \r// c\n",
    ": \\Y\r\u{119dd}\u{1a0a}?: /** @deprecated use B */\n",
    "/** @deprecated use B */\n",
    "/** @deprecated use B */\n",
    "A>({stringg/\u{ec1}]];  = <, keyof ,  }\u{e9}\u{1fa73}<\u{dd6}enum  | <]interface  = \u{e9}; \n",
    "\" = ; typeof declare \u{d4c}typeof B<T>type get x() extends  | {  | [interface class A?: \r`a${B<T>declare typeof 42> extends get x()declare 4242 extends >[\r)class enum \u{e9} ? /** @deprecated use B */\n",
    "\u{fbe3}:>",
);

#[cfg(test)]
mod bound_tests {
    use super::*;

    /// Progress calls of an unbounded parse (steps / 100).
    fn progress_calls(text: &str, dialect: Dialect) -> usize {
        let mut parser = new_parser(dialect);
        let mut calls = 0usize;
        let mut progress = |_: &ParseState| {
            calls += 1;
            ControlFlow::Continue(())
        };
        let bytes = text.as_bytes();
        let options = ParseOptions::new().progress_callback(&mut progress);
        let tree = parser.parse_with_options(
            &mut |i, _| bytes.get(i..).unwrap_or_default(),
            None,
            Some(options),
        );
        assert!(tree.is_some());
        calls
    }

    #[test]
    fn a_parse_past_the_step_bound_is_abandoned_with_one_error_over_the_file() {
        assert_eq!(AMBIGUOUS_TSX.len(), 486);
        let model = parse_file("a.tsx", "a.tsx", Side::Spec, Arc::from(AMBIGUOUS_TSX));
        assert!(model.declarations.is_empty());
        let bound: Vec<_> = model
            .syntax_errors
            .iter()
            .filter(|e| e.message == too_ambiguous_message())
            .collect();
        assert_eq!(bound.len(), 1, "{:?}", model.syntax_errors);
        assert_eq!(bound[0].span, Span::new(0, AMBIGUOUS_TSX.len()));
        // The parser is reset: the next parse on this thread is a fresh, complete one.
        let next = parse_file(
            "b.tsx",
            "b.tsx",
            Side::Spec,
            Arc::from("export interface A { x: number }\n"),
        );
        assert!(next.syntax_errors.is_empty(), "{:?}", next.syntax_errors);
        assert_eq!(next.declarations.len(), 1);
    }

    #[test]
    fn whitespace_and_comments_are_no_stand_in() {
        for text in ["", " \n\r\n\u{feff}", "// only a comment\n"] {
            let tree = parse(text, Dialect::TypeScript, None);
            assert!(!is_stand_in(&tree, text), "{text:?}");
        }
    }

    /// The bound is far from what real code needs: every TypeScript file of the fixtures (and a
    /// generated file of a thousand declarations) takes under a tenth of it.
    #[test]
    fn real_files_parse_far_below_the_step_bound() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut texts = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if is_typescript(&path) {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        texts.push(text);
                    }
                }
            }
        }
        texts.push((0..1000).map(|i| format!("export interface T{i}<A> {{ a{i}?: A[]; b: (x: string) => Promise<Map<string, A>> }}\n")).collect());
        for text in &texts {
            let steps = progress_calls(text, Dialect::TypeScript) * STEPS_PER_PROGRESS_CALL;
            let bound = PARSE_STEPS_BASE + text.len() * PARSE_STEPS_PER_BYTE;
            assert!(
                steps * 10 < bound,
                "{steps} steps of {bound} for {} bytes",
                text.len()
            );
        }
    }
}
