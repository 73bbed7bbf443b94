//! Tokens of the `.moment` language (moment-language.md §3.1), lexed with `logos`.
//!
//! The lexer is lossless: whitespace and comments are tokens too (trivia), so the token texts put
//! back together are the input. Every token carries its byte range.

use logos::Logos;

use crate::model::Span;

/// One token kind. Keywords are lexed as identifiers and classified afterwards (see
/// [`keyword`]), because the language's keywords (`value-object`, `chains-to`, …) have the same
/// shape as identifiers.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    #[regex(r"[ \t\r\n\f]+")]
    Whitespace,
    #[regex(r"//[^\r\n]*")]
    LineComment,
    #[regex(r"/\*([^*]|\*+[^*/])*\*+/")]
    BlockComment,
    /// `/*` without its `*/`: reported, and it swallows the rest of the file like a comment.
    #[regex(r"/\*([^*]|\*+[^*/])*\**", priority = 0)]
    UnterminatedComment,
    /// `[a-zA-Z_][a-zA-Z0-9_-]*`, except that an identifier never ends in `-`, so that
    /// `Draft->Sent` reads as `Draft`, `->`, `Sent`.
    #[regex(r"[a-zA-Z_][a-zA-Z0-9_]*", hyphen_tail)]
    Ident,
    /// A double-quoted string: no escapes, may span lines.
    #[regex(r#""[^"]*""#)]
    Str,
    /// `"` without its closing quote: reported, it runs to the end of the file.
    #[regex(r#""[^"]*"#, priority = 0)]
    UnterminatedStr,
    #[regex(r"[0-9]+")]
    Int,
    #[token(":")]
    Colon,
    #[token(",")]
    Comma,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("->")]
    Arrow,
    #[token("@")]
    At,
    #[token("×")]
    Times,
    /// Any character the language does not know.
    Error,
}

impl TokenKind {
    /// Whitespace and comments: kept for losslessness, skipped by the parser.
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment
        )
    }
}

/// Extends an identifier over `-`-joined parts (`REC-01`, `value-object`) by hand: logos does not
/// backtrack, and `Draft->` must stay `Draft` followed by `->`.
fn hyphen_tail(lex: &mut logos::Lexer<'_, TokenKind>) {
    let rest = lex.remainder().as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut taken = 0;
    let mut i = 0;
    while i < rest.len() && rest[i] == b'-' {
        let mut j = i;
        while j < rest.len() && rest[j] == b'-' {
            j += 1;
        }
        let start = j;
        while j < rest.len() && word(rest[j]) {
            j += 1;
        }
        if j == start {
            break;
        }
        taken = j;
        i = j;
    }
    lex.bump(taken);
}

/// A token and its byte range in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Lexes the whole text; unknown characters become [`TokenKind::Error`] tokens (one per
/// character), so lexing never fails and never loses text.
pub fn lex(text: &str) -> Vec<Token> {
    let mut lexer = TokenKind::lexer(text);
    let mut out = Vec::new();
    while let Some(result) = lexer.next() {
        let range = lexer.span();
        let kind = result.unwrap_or(TokenKind::Error);
        out.push(Token {
            kind,
            span: Span::new(range.start, range.end),
        });
    }
    out
}

/// The reserved words of the newest grammar (moment-language.md §3.1). A field called `type` or
/// `description` is therefore a syntax error, as upstream.
pub const KEYWORDS: &[&str] = &[
    "context",
    "aggregate",
    "identity",
    "command",
    "input",
    "precondition",
    "emits",
    "event",
    "value-object",
    "invariant",
    "scope",
    "service",
    "consumes",
    "produces",
    "description",
    "policy",
    "trigger",
    "action",
    "chains-to",
    "saga",
    "states",
    "compensation",
    "timeout",
    "relationship",
    "type",
    "contract",
    "flow",
    "lane",
    "branch-lane",
    "moment",
    "when",
    "triggered-by",
    "triggers",
    "returns-to",
    "crosses-to",
    "via",
    "optional",
    "terminal",
    "deprecated",
    "classification",
    "retention",
    "encryption",
    "string",
    "number",
    "boolean",
    "UUID",
    "DateTime",
    "Date",
    "Money",
    "Core",
    "Supporting",
    "Generic",
    "Terminal",
    "CustomerSupplier",
    "Partnership",
    "Conformist",
    "AnticorruptionLayer",
    "OpenHostService",
    "PublishedLanguage",
    "SeparateWays",
];

/// `true` when an identifier-shaped word is reserved.
pub fn keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// The built-in type names a type reference may use besides identifiers.
pub const BUILTIN_TYPES: &[&str] = &[
    "string", "number", "boolean", "UUID", "DateTime", "Date", "Money",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        lex(text)
            .into_iter()
            .filter(|t| !t.kind.is_trivia())
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn hyphenated_ids_and_arrows() {
        use TokenKind::*;
        assert_eq!(
            kinds("REC-01 Draft->Sent"),
            vec![Ident, Ident, Arrow, Ident]
        );
        let t = lex("value-object");
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].span, Span::new(0, 12));
    }

    #[test]
    fn lossless_with_comments_strings_and_junk() {
        let text = "context \"A\nB\" // c\n/* x */ × # \"open";
        let tokens = lex(text);
        let rebuilt: String = tokens
            .iter()
            .map(|t| &text[t.span.start..t.span.end])
            .collect();
        assert_eq!(rebuilt, text);
        assert!(tokens.iter().any(|t| t.kind == TokenKind::Error));
        assert_eq!(
            tokens.last().map(|t| t.kind),
            Some(TokenKind::UnterminatedStr)
        );
    }
}
