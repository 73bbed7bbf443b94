//! The document store against a plain `String`: random edit sequences must give the same text,
//! and (on error-free results) the same tree as a fresh parse.

use proptest::prelude::*;
use tower_lsp_server::ls_types::{Range, TextDocumentContentChangeEvent};

use super::*;
use crate::lsp::encoding::position;
use crate::text::LineIndex;

const BASE: &str = "export interface Invoice {\r\n  readonly id: string;\n  total: number // é😀\n}\n\nexport type Status = 'open' | 'paid';\n";

/// Snippets that make the TypeScript valid, invalid, multi-byte, CRLF, CR...
const INSERTS: &[&str] = &[
    "",
    "x",
    "é",
    "😀",
    "\n",
    "\r\n",
    "\r",
    "{",
    "}",
    " ",
    ";",
    "  amount?: number;\n",
    "export interface A { a: string }\n",
    "// comment 𝄞\n",
    "'",
    "readonly ",
];

/// One edit: a range given as fractions of the text (so it always lands somewhere) and a text.
#[derive(Debug, Clone)]
struct Edit {
    start: f64,
    len: f64,
    insert: usize,
}

fn edit() -> impl Strategy<Value = Edit> {
    (0.0..1.0f64, 0.0..0.2f64, 0..INSERTS.len()).prop_map(|(start, len, insert)| Edit {
        start,
        len,
        insert,
    })
}

/// A char boundary of `text` near `fraction` of its length, never between `\r` and `\n`
/// (LSP positions cannot address that point).
fn boundary(text: &str, fraction: f64) -> usize {
    let mut at = ((text.len() as f64) * fraction) as usize;
    at = crate::text::floor_char_boundary(text, at.min(text.len()));
    if at > 0 && text.as_bytes()[at - 1] == b'\r' && text.as_bytes().get(at) == Some(&b'\n') {
        at -= 1;
    }
    at
}

/// Applies `e` to `text` and returns the LSP change that describes it.
fn apply_to_string(
    text: &mut String,
    e: &Edit,
    enc: PositionEncoding,
) -> TextDocumentContentChangeEvent {
    let start = boundary(text, e.start);
    let end = boundary(text, (e.start + e.len).min(1.0)).max(start);
    let lines = LineIndex::new(text);
    let range = Range::new(
        position(text, &lines, start, enc),
        position(text, &lines, end, enc),
    );
    let insert = INSERTS[e.insert];
    text.replace_range(start..end, insert);
    TextDocumentContentChangeEvent {
        range: Some(range),
        range_length: None,
        text: insert.to_string(),
    }
}

fn fresh_sexp(text: &str) -> Option<(String, bool)> {
    let tree = parse(Dialect::TypeScript, &Rope::from_str(text), None)?;
    Some((tree.root_node().to_sexp(), tree.root_node().has_error()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn edits_match_a_string_and_a_fresh_parse(
        batches in prop::collection::vec(prop::collection::vec(edit(), 1..4), 1..12),
        utf8 in any::<bool>(),
    ) {
        let enc = if utf8 { PositionEncoding::Utf8 } else { PositionEncoding::Utf16 };
        let mut expected = BASE.to_string();
        let mut doc = Document::new(Some("a.ts".into()), BASE, 0);
        for (version, batch) in batches.iter().enumerate() {
            // Several changes per notification: each is relative to the text after the previous.
            let changes: Vec<_> = batch.iter().map(|e| apply_to_string(&mut expected, e, enc)).collect();
            doc.apply_changes(&changes, version as i32 + 1, enc);
            prop_assert_eq!(doc.text(), expected.clone());
        }
        let (fresh, fresh_has_error) = fresh_sexp(&expected).expect("the grammar parses");
        let incremental = doc.tree().expect("the document has a tree").root_node().to_sexp();
        if !fresh_has_error {
            prop_assert_eq!(incremental, fresh);
        }
    }
}

#[test]
fn full_replacement_and_out_of_range_edits_do_not_panic() {
    let mut doc = Document::new(Some("a.tsx".into()), "let a = <div/>;", 0);
    let change = |range, text: &str| TextDocumentContentChangeEvent {
        range,
        range_length: None,
        text: text.into(),
    };
    let far = Range::new(
        tower_lsp_server::ls_types::Position::new(40, 3),
        tower_lsp_server::ls_types::Position::new(2, 0),
    );
    doc.apply_changes(&[change(Some(far), "x")], 1, PositionEncoding::Utf16);
    assert_eq!(doc.text(), "let a = <div/>;x");
    doc.apply_changes(
        &[change(None, "export interface B {}\n")],
        2,
        PositionEncoding::Utf8,
    );
    assert_eq!(doc.text(), "export interface B {}\n");
    assert_eq!(doc.version, 2);
    assert!(!doc.tree().expect("tsx tree").root_node().has_error());
}

#[test]
fn saving_an_erroneous_document_gives_it_a_fresh_tree() {
    let mut doc = Document::new(Some("a.ts".into()), "interface A { a: string }", 0);
    let open = TextDocumentContentChangeEvent {
        range: Some(Range::new(Default::default(), Default::default())),
        range_length: None,
        text: "{".into(),
    };
    doc.apply_changes(&[open], 1, PositionEncoding::Utf16);
    doc.reparse_fresh_if_erroneous();
    let fresh = parse(Dialect::TypeScript, &doc.rope, None).map(|t| t.root_node().to_sexp());
    assert_eq!(doc.tree().map(|t| t.root_node().to_sexp()), fresh);
}

#[test]
fn a_document_too_ambiguous_to_parse_has_no_tree_and_the_next_parse_is_whole() {
    let doc = Document::new(Some("a.tsx".into()), crate::syntax::AMBIGUOUS_TSX, 0);
    assert!(doc.tree().is_none());
    let next = Document::new(
        Some("b.tsx".into()),
        "export interface B { b: string }\n",
        0,
    );
    let tree = next.tree().expect("a tree");
    assert!(!tree.root_node().has_error());
    assert_eq!(tree.root_node().child_count(), 1);
}
