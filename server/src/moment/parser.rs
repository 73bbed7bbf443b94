//! Recursive descent over the `.moment` tokens (moment-language.md §3.2), error tolerant.
//!
//! Each rule either succeeds or records one [`ParseError`] and returns `Err(Stop)`; the loop that
//! called it then skips to the next token that can start a declaration at its level
//! ([`Parser::recover`]). So a broken declaration costs only itself: a broken field only the
//! field, a broken command only the command, and the rest of the file still parses.

use super::ast::*;
use super::lexer::{self, keyword, Token, TokenKind, BUILTIN_TYPES};
use crate::model::Span;

/// An error was recorded; the caller recovers.
struct Stop;

type PResult<T> = Result<T, Stop>;

/// Where recovery stops: the tokens that can start something at this level or above.
#[derive(Clone, Copy)]
enum Level {
    Top,
    ContextMember,
    AggregateMember,
    /// Inside a flow: the next moment (or anything above).
    FlowMember,
}

const TOP: &[&str] = &["context", "flow"];
const CONTEXT_MEMBER: &[&str] = &["aggregate", "service", "policy", "saga", "relationship"];
const AGGREGATE_MEMBER: &[&str] = &["command", "event", "value-object", "invariant"];
const FLOW_MEMBER: &[&str] = &["moment", "frame", "lane", "branch-lane"];
const CLASSIFICATIONS: &[&str] = &["Core", "Supporting", "Generic", "Terminal"];
const REL_TYPES: &[&str] = &[
    "CustomerSupplier",
    "Partnership",
    "Conformist",
    "AnticorruptionLayer",
    "OpenHostService",
    "PublishedLanguage",
    "SeparateWays",
];
const ANNOTATIONS: &[&str] = &["classification", "retention", "encryption"];

/// Parses one file. Never fails and never panics: what does not parse becomes errors.
pub fn parse(text: &str) -> SpecFile {
    let mut errors = Vec::new();
    let mut tokens = Vec::new();
    for t in lexer::lex(text) {
        match t.kind {
            k if k.is_trivia() => {}
            TokenKind::Error => errors.push(ParseError {
                span: t.span,
                message: format!("unexpected character `{}`", &text[t.span.start..t.span.end]),
            }),
            TokenKind::UnterminatedStr => errors.push(ParseError {
                span: Span::new(t.span.start, t.span.start + 1),
                message: "unterminated string: the closing `\"` is missing".to_string(),
            }),
            TokenKind::UnterminatedComment => errors.push(ParseError {
                span: Span::new(t.span.start, t.span.start + 2),
                message: "unterminated comment: the closing `*/` is missing".to_string(),
            }),
            _ => tokens.push(t),
        }
    }
    let mut p = Parser {
        text,
        tokens,
        pos: 0,
        last_end: 0,
        errors,
    };
    let mut file = p.file();
    p.errors.sort_by_key(|e| e.span.start);
    file.errors = p.errors;
    file
}

struct Parser<'a> {
    text: &'a str,
    /// Non-trivia tokens only.
    tokens: Vec<Token>,
    pos: usize,
    /// End of the last consumed token: where a declaration's span ends.
    last_end: usize,
    errors: Vec<ParseError>,
}

impl<'a> Parser<'a> {
    // ---- token helpers -------------------------------------------------------------------

    fn peek_at(&self, k: usize) -> Option<Token> {
        self.tokens.get(self.pos + k).copied()
    }

    fn peek(&self) -> Option<Token> {
        self.peek_at(0)
    }

    fn word(&self, t: Token) -> &'a str {
        &self.text[t.span.start..t.span.end]
    }

    fn is_word(&self, t: Option<Token>, w: &str) -> bool {
        t.is_some_and(|t| t.kind == TokenKind::Ident && self.word(t) == w)
    }

    fn at_word(&self, w: &str) -> bool {
        self.is_word(self.peek(), w)
    }

    fn at_kind(&self, kind: TokenKind) -> bool {
        self.peek().is_some_and(|t| t.kind == kind)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.peek()?;
        self.pos += 1;
        self.last_end = t.span.end;
        Some(t)
    }

    /// Start offset of the next token (or the end of the text).
    fn here(&self) -> usize {
        self.peek().map_or(self.text.len(), |t| t.span.start)
    }

    fn describe(&self, t: Option<Token>) -> String {
        match t {
            None => "end of file".to_string(),
            Some(t) => {
                let w = self.word(t);
                let short: String = w.chars().take(30).collect();
                if short.len() < w.len() {
                    format!("`{short}…`")
                } else {
                    format!("`{short}`")
                }
            }
        }
    }

    fn error_here(&mut self, expected: &str) -> Stop {
        let t = self.peek();
        let span = t.map_or(Span::empty_at(self.text.len()), |t| t.span);
        let message = format!("expected {expected}, found {}", self.describe(t));
        self.errors.push(ParseError { span, message });
        Stop
    }

    fn error_at(&mut self, span: Span, message: String) -> Stop {
        self.errors.push(ParseError { span, message });
        Stop
    }

    fn expect_word(&mut self, w: &str) -> PResult<Span> {
        if self.at_word(w) {
            Ok(self.bump().map(|t| t.span).unwrap_or_default())
        } else {
            Err(self.error_here(&format!("`{w}`")))
        }
    }

    fn expect_kind(&mut self, kind: TokenKind, what: &str) -> PResult<Span> {
        if self.at_kind(kind) {
            Ok(self.bump().map(|t| t.span).unwrap_or_default())
        } else {
            Err(self.error_here(what))
        }
    }

    /// A non-reserved identifier.
    fn ident(&mut self, what: &str) -> PResult<Name> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Ident => {
                let w = self.word(t);
                if keyword(w) {
                    return Err(self.error_at(
                        t.span,
                        format!("`{w}` is a reserved word and cannot be used as {what}"),
                    ));
                }
                self.bump();
                Ok(Name {
                    text: w.to_string(),
                    span: t.span,
                })
            }
            _ => Err(self.error_here(what)),
        }
    }

    /// One of a fixed set of words.
    fn one_of(&mut self, words: &[&str], what: &str) -> PResult<Name> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Ident && words.contains(&self.word(t)) => {
                self.bump();
                Ok(Name {
                    text: self.word(t).to_string(),
                    span: t.span,
                })
            }
            _ => Err(self.error_here(what)),
        }
    }

    /// A string; the name's text and span exclude the quotes.
    fn string(&mut self, what: &str) -> PResult<Name> {
        let span = self.expect_kind(TokenKind::Str, what)?;
        let inner = Span::new(
            span.start + 1,
            span.end.saturating_sub(1).max(span.start + 1),
        );
        Ok(Name {
            text: self.text[inner.start..inner.end].to_string(),
            span: inner,
        })
    }

    /// Skips tokens until one that starts something at `level` or above. Always makes progress
    /// unless already at such a token (then the caller's loop handles it).
    fn recover(&mut self, level: Level) {
        while let Some(t) = self.peek() {
            if self.is_sync(t, level) {
                return;
            }
            self.bump();
        }
    }

    fn is_sync(&self, t: Token, level: Level) -> bool {
        if t.kind == TokenKind::At {
            return !matches!(level, Level::Top | Level::FlowMember);
        }
        if t.kind != TokenKind::Ident {
            return false;
        }
        let w = self.word(t);
        let sets: &[&[&str]] = match level {
            Level::Top => &[TOP],
            Level::ContextMember => &[TOP, CONTEXT_MEMBER],
            Level::AggregateMember => &[TOP, CONTEXT_MEMBER, AGGREGATE_MEMBER],
            Level::FlowMember => &[TOP, FLOW_MEMBER],
        };
        sets.iter().any(|s| s.contains(&w))
    }

    // ---- file and contexts -----------------------------------------------------------------

    fn file(&mut self) -> SpecFile {
        let mut file = SpecFile::default();
        while let Some(t) = self.peek() {
            if self.is_word(Some(t), "context") {
                if let Some(ctx) = self.context() {
                    file.contexts.push(ctx);
                }
            } else if self.is_word(Some(t), "flow") {
                if let Some(flow) = self.flow() {
                    file.flows.push(flow);
                }
            } else {
                self.error_here("`context` or `flow`");
                self.bump();
                self.recover(Level::Top);
            }
        }
        file
    }

    /// `context "Name" [Core]? (description "…")? member*`. A broken header costs the context.
    fn context(&mut self) -> Option<Context> {
        let start = self.here();
        let header = self.context_header();
        if header.is_err() {
            self.recover(Level::ContextMember);
        }
        let mut aggregates = Vec::new();
        let mut others = Vec::new();
        while let Some(t) = self.peek() {
            let w = if t.kind == TokenKind::Ident {
                self.word(t)
            } else {
                ""
            };
            match w {
                "context" | "flow" => break,
                "aggregate" => {
                    if let Some(a) = self.aggregate() {
                        aggregates.push(a);
                    }
                }
                "service" | "policy" | "saga" | "relationship" => match self.context_other(w) {
                    Ok(o) => others.push(o),
                    Err(Stop) => self.recover(Level::ContextMember),
                },
                _ if t.kind == TokenKind::At => {
                    if self.annotation().is_err() {
                        self.recover(Level::ContextMember);
                    }
                }
                _ => {
                    let hint = if AGGREGATE_MEMBER.contains(&w) {
                        " (a command, event, value object or invariant belongs to the aggregate \
                         above it, and there is none before this point or a policy, saga, \
                         service or relationship came in between)"
                    } else {
                        ""
                    };
                    let t = self.peek();
                    let span = t.map_or(Span::empty_at(self.text.len()), |t| t.span);
                    let found = self.describe(t);
                    self.error_at(
                        span,
                        format!(
                            "expected `aggregate`, `service`, `policy`, `saga`, `relationship` or \
                             an annotation, found {found}{hint}"
                        ),
                    );
                    self.bump();
                    self.recover(Level::ContextMember);
                }
            }
        }
        let name = header.ok()?;
        Some(Context {
            name,
            aggregates,
            others,
            span: Span::new(start, self.last_end.max(start)),
        })
    }

    fn context_header(&mut self) -> PResult<Name> {
        self.expect_word("context")?;
        let name = self.string("the context's name (a string)")?;
        self.classification()?;
        if self.at_word("description") {
            self.bump();
            self.string("the description (a string)")?;
        }
        Ok(name)
    }

    fn classification(&mut self) -> PResult<()> {
        if self.at_kind(TokenKind::LBracket) {
            self.bump();
            self.one_of(
                CLASSIFICATIONS,
                "`Core`, `Supporting`, `Generic` or `Terminal`",
            )?;
            self.expect_kind(TokenKind::RBracket, "`]`")?;
        }
        Ok(())
    }

    /// `@classification(PHI)`: data-governance metadata for the next declaration.
    fn annotation(&mut self) -> PResult<()> {
        self.expect_kind(TokenKind::At, "`@`")?;
        self.one_of(ANNOTATIONS, "`classification`, `retention` or `encryption`")?;
        self.expect_kind(TokenKind::LParen, "`(`")?;
        match self.peek() {
            Some(t) if matches!(t.kind, TokenKind::Ident | TokenKind::Str) => {
                self.bump();
            }
            t => {
                let _ = t;
                return Err(self.error_here("a value (an identifier or a string)"));
            }
        }
        self.expect_kind(TokenKind::RParen, "`)`")?;
        Ok(())
    }

    // ---- aggregates ------------------------------------------------------------------------

    /// `aggregate "Name" identity field member*`. A broken header keeps the aggregate when its
    /// name parsed (so that value objects below it still attach to it, as upstream).
    fn aggregate(&mut self) -> Option<Aggregate> {
        let start = self.here();
        let mut name = None;
        let mut identity = None;
        let header = (|| -> PResult<()> {
            self.expect_word("aggregate")?;
            name = Some(self.string("the aggregate's name (a string)")?);
            self.expect_word("identity")?;
            identity = Some(self.field()?);
            Ok(())
        })();
        if header.is_err() {
            self.recover(Level::AggregateMember);
        }
        let mut agg = Aggregate {
            name: Name {
                text: String::new(),
                span: Span::empty_at(start),
            },
            identity,
            commands: Vec::new(),
            events: Vec::new(),
            value_objects: Vec::new(),
            invariants: Vec::new(),
            span: Span::empty_at(start),
        };
        self.aggregate_members(&mut agg);
        agg.span = Span::new(start, self.last_end.max(start));
        agg.name = name?;
        Some(agg)
    }

    fn aggregate_members(&mut self, agg: &mut Aggregate) {
        loop {
            let Some(t) = self.peek() else { return };
            let w = if t.kind == TokenKind::Ident {
                self.word(t)
            } else {
                ""
            };
            let result = match w {
                "command" => self.command().map(|c| agg.commands.push(c)),
                "event" => self.record("event").map(|r| agg.events.push(r)),
                "value-object" => self
                    .record("value-object")
                    .map(|r| agg.value_objects.push(r)),
                "invariant" => self.invariant().map(|n| agg.invariants.push(n)),
                _ if t.kind == TokenKind::At => self.annotation(),
                _ if self.is_sync(t, Level::ContextMember) => return,
                _ => {
                    self.error_here(
                        "`command`, `event`, `value-object`, `invariant` or another declaration",
                    );
                    self.bump();
                    Err(Stop)
                }
            };
            if result.is_err() {
                self.recover(Level::AggregateMember);
            }
        }
    }

    /// `command C (input f (, f)*)? precondition* emits E`.
    fn command(&mut self) -> PResult<Command> {
        let start = self.expect_word("command")?.start;
        let name = self.ident("the command's name")?;
        let mut inputs = Vec::new();
        if self.at_word("input") {
            self.bump();
            inputs.push(self.field()?);
            while self.at_kind(TokenKind::Comma) {
                self.bump();
                inputs.push(self.field()?);
            }
        }
        let mut preconditions = Vec::new();
        while self.at_word("precondition") {
            self.bump();
            let name = self.ident("the precondition's name")?;
            self.expect_kind(TokenKind::Colon, "`:`")?;
            let description = self.string("the precondition's description (a string)")?;
            preconditions.push(Precondition {
                name,
                description: description.text,
            });
        }
        if !self.at_word("emits") {
            let hint = if self.peek().is_some_and(|t| t.kind == TokenKind::Ident)
                && self.peek_at(1).is_some_and(|t| t.kind == TokenKind::Colon)
            {
                "`emits` (input fields are separated by `,`)"
            } else {
                "`emits` (every command emits one event)"
            };
            return Err(self.error_here(hint));
        }
        self.bump();
        let emits = self.ident("the emitted event's name")?;
        Ok(Command {
            name,
            inputs,
            preconditions,
            emits: Some(emits),
            span: Span::new(start, self.last_end),
        })
    }

    /// `event E field*` / `value-object V field*`: a broken field costs only the field.
    fn record(&mut self, kw: &str) -> PResult<Record> {
        let start = self.expect_word(kw)?.start;
        let name = self.ident(if kw == "event" {
            "the event's name"
        } else {
            "the value object's name"
        })?;
        let mut fields = Vec::new();
        while self.at_field_start() {
            let before = self.pos;
            match self.field() {
                Ok(f) => fields.push(f),
                Err(Stop) => {
                    // A field that failed on its first token (a reserved name) must still be
                    // skipped, or the loop would see the same field again.
                    if self.pos == before {
                        self.bump();
                    }
                    self.recover_field();
                }
            }
        }
        Ok(Record {
            name,
            fields,
            span: Span::new(start, self.last_end),
        })
    }

    /// `name :` starts a field (a reserved word there is reported by [`Parser::field`]).
    fn at_field_start(&self) -> bool {
        self.peek().is_some_and(|t| t.kind == TokenKind::Ident)
            && self.peek_at(1).is_some_and(|t| t.kind == TokenKind::Colon)
    }

    /// After a broken field: skip to the next field or declaration.
    fn recover_field(&mut self) {
        while let Some(t) = self.peek() {
            if self.is_sync(t, Level::AggregateMember) || self.at_field_start() {
                return;
            }
            self.bump();
        }
    }

    /// `invariant ID "text" scope Agg`.
    fn invariant(&mut self) -> PResult<Name> {
        self.expect_word("invariant")?;
        let name = self.ident("the invariant's name")?;
        self.string("the invariant's text (a string)")?;
        self.expect_word("scope")?;
        self.ident("the invariant's scope (an aggregate name)")?;
        Ok(name)
    }

    /// `name: Type[]? [deprecated "why" -> "replacement"]?`.
    fn field(&mut self) -> PResult<Field> {
        let name = self.ident("a field name")?;
        self.expect_kind(TokenKind::Colon, "`:` after the field name")?;
        let ty = self.type_ref()?;
        let mut deprecation = None;
        if self.at_kind(TokenKind::LBracket) && self.is_word(self.peek_at(1), "deprecated") {
            let start = self.here();
            self.bump();
            self.bump();
            let reason = self.string("the deprecation reason (a string)")?;
            self.expect_kind(TokenKind::Arrow, "`->`")?;
            let replacement = self.string("the replacement (a string)")?;
            self.expect_kind(TokenKind::RBracket, "`]`")?;
            deprecation = Some(Deprecation {
                reason: reason.text,
                replacement: replacement.text,
                span: Span::new(start, self.last_end),
            });
        }
        Ok(Field {
            span: Span::new(name.span.start, self.last_end),
            name,
            ty,
            deprecation,
        })
    }

    fn type_ref(&mut self) -> PResult<TypeRef> {
        let name = match self.peek() {
            Some(t) if t.kind == TokenKind::Ident && BUILTIN_TYPES.contains(&self.word(t)) => {
                self.bump();
                Name {
                    text: self.word(t).to_string(),
                    span: t.span,
                }
            }
            _ => self.ident("a type")?,
        };
        let mut is_array = false;
        if self.at_kind(TokenKind::LBracket)
            && self
                .peek_at(1)
                .is_some_and(|t| t.kind == TokenKind::RBracket)
        {
            self.bump();
            self.bump();
            is_array = true;
        }
        Ok(TypeRef {
            span: Span::new(name.span.start, self.last_end),
            name,
            is_array,
        })
    }

    // ---- declarations without TypeScript ---------------------------------------------------

    fn context_other(&mut self, kw: &str) -> PResult<OtherDecl> {
        let start = self.expect_word(kw)?.start;
        let (kind, name) = match kw {
            "service" => {
                let name = self.ident("the service's name")?;
                self.expect_word("consumes")?;
                self.ident("what the service consumes")?;
                self.expect_word("produces")?;
                self.ident("what the service produces")?;
                self.expect_word("description")?;
                self.string("the description (a string)")?;
                (OtherKind::Service, name)
            }
            "policy" => {
                let name = self.ident("the policy's name")?;
                self.expect_word("trigger")?;
                if self.at_kind(TokenKind::Str) {
                    self.bump();
                } else {
                    self.ident("the trigger (an event name or \"file-watcher\")")?;
                }
                self.expect_word("action")?;
                self.string("the action (a string)")?;
                if self.at_word("chains-to") {
                    self.bump();
                    self.ident("the chained policy's name")?;
                }
                (OtherKind::Policy, name)
            }
            "saga" => {
                let name = self.ident("the saga's name")?;
                self.expect_word("trigger")?;
                self.ident("the trigger (an event name)")?;
                self.expect_word("states")?;
                self.ident("a state")?;
                while self.at_kind(TokenKind::Arrow) {
                    self.bump();
                    self.ident("a state")?;
                }
                self.expect_word("compensation")?;
                self.string("the compensation (a string)")?;
                self.expect_word("timeout")?;
                if self.at_kind(TokenKind::Str) {
                    self.bump();
                } else {
                    self.ident("the timeout (an identifier or \"none\")")?;
                }
                (OtherKind::Saga, name)
            }
            _ => {
                let name = self.ident("the upstream context's name")?;
                self.expect_kind(TokenKind::Arrow, "`->`")?;
                self.ident("the downstream context's name")?;
                self.expect_word("type")?;
                self.one_of(REL_TYPES, "a relationship type such as `CustomerSupplier`")?;
                self.expect_word("contract")?;
                self.string("the contract (a string)")?;
                (OtherKind::Relationship, name)
            }
        };
        Ok(OtherDecl {
            kind,
            name,
            span: Span::new(start, self.last_end),
        })
    }

    /// `flow "Name" (description "…")? lane* moment*`; errors recover at the next moment.
    fn flow(&mut self) -> Option<OtherDecl> {
        let start = self.here();
        let header = (|| -> PResult<Name> {
            self.expect_word("flow")?;
            let name = self.string("the flow's name (a string)")?;
            if self.at_word("description") {
                self.bump();
                self.string("the description (a string)")?;
            }
            Ok(name)
        })();
        if header.is_err() {
            self.recover(Level::FlowMember);
        }
        while let Some(t) = self.peek() {
            let w = if t.kind == TokenKind::Ident {
                self.word(t)
            } else {
                ""
            };
            let result = match w {
                "context" | "flow" => break,
                "lane" | "branch-lane" => self.lane(),
                "moment" | "frame" => self.moment(),
                _ => {
                    self.error_here("`lane`, `branch-lane` or `moment`");
                    self.bump();
                    Err(Stop)
                }
            };
            if result.is_err() {
                self.recover(Level::FlowMember);
            }
        }
        let name = header.ok()?;
        Some(OtherDecl {
            kind: OtherKind::Flow,
            name,
            span: Span::new(start, self.last_end.max(start)),
        })
    }

    fn lane(&mut self) -> PResult<()> {
        self.bump();
        self.ident("the lane's name")?;
        self.string("the lane's context (a string)")?;
        self.classification()
    }

    /// `moment "Name" [branch]? (node | when)*` (older specs say `frame`).
    fn moment(&mut self) -> PResult<()> {
        self.bump();
        self.string("the moment's name (a string)")?;
        if self.at_kind(TokenKind::LBracket) && self.is_word(self.peek_at(1), "branch") {
            self.bump();
            self.bump();
            self.expect_kind(TokenKind::RBracket, "`]`")?;
        }
        loop {
            if self.at_word("when") {
                self.bump();
                self.ident("the condition's name")?;
                if self.at_kind(TokenKind::LBracket) {
                    self.bump();
                    self.ident("a label")?;
                    self.expect_kind(TokenKind::RBracket, "`]`")?;
                }
            } else if self.at_field_start() {
                self.node()?;
            } else {
                return Ok(());
            }
        }
    }

    /// `ID : ID (×N)? [optional|terminal]? crossing? connection*`.
    fn node(&mut self) -> PResult<()> {
        self.ident("the step's lane")?;
        self.expect_kind(TokenKind::Colon, "`:`")?;
        self.ident("the step's name")?;
        if self.at_kind(TokenKind::LParen) {
            self.bump();
            self.expect_kind(TokenKind::Times, "`×`")?;
            self.expect_kind(TokenKind::Int, "a count")?;
            self.expect_kind(TokenKind::RParen, "`)`")?;
        }
        if self.at_kind(TokenKind::LBracket) {
            self.bump();
            self.one_of(&["optional", "terminal"], "`optional` or `terminal`")?;
            self.expect_kind(TokenKind::RBracket, "`]`")?;
        }
        if self.at_word("crosses-to") {
            self.bump();
            self.ident("the target lane")?;
            self.expect_word("via")?;
            self.one_of(REL_TYPES, "a relationship type such as `CustomerSupplier`")?;
            self.expect_word("contract")?;
            while self.at_field_start() {
                self.ident("a contract field")?;
                self.bump();
                self.type_ref()?;
                if self.at_kind(TokenKind::LBracket) && self.is_word(self.peek_at(1), "required") {
                    self.bump();
                    self.bump();
                    self.expect_kind(TokenKind::RBracket, "`]`")?;
                }
            }
        }
        loop {
            if self.at_word("triggered-by") || self.at_word("triggers") {
                self.bump();
                self.ident("a step name")?;
            } else if self.at_word("returns-to") {
                self.bump();
                self.string("the moment returned to (a string)")?;
            } else {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SHOP: &str = r#"context "Sales" [Core]
  description "Orders"
  aggregate "Order"
    identity orderId: UUID
    command PlaceOrder
      input customerId: UUID, lines: OrderLine[]
      precondition SAL-01: "not blocked"
      emits OrderPlaced
    event OrderPlaced
      orderId: UUID
      total: Money [deprecated "ambiguous" -> "amount"]
  value-object OrderLine
    sku: string
  invariant INV-1 "has lines" scope Order
  policy Mail trigger OrderPlaced action "mail" chains-to Other
  saga Fulfil trigger OrderPlaced states Open -> Packed->Shipped compensation "undo" timeout "none"
context "Care"
  @classification(PII)
  aggregate "Ticket"
    identity ticketId: UUID
  relationship Sales -> Care type CustomerSupplier contract "lookups"
flow "Checkout"
  lane shop "Sales" [Core]
  moment "Placed" [branch]
    shop: PlaceOrder (×2) [optional] crosses-to care via Conformist contract
      orderId: UUID [required]
    triggers Next returns-to "Start"
    when Paid [yes]
      shop: Ship
  frame "Old style"
    shop: Ship triggered-by PlaceOrder
"#;

    #[test]
    fn a_full_spec_parses_without_errors() {
        let f = parse(SHOP);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.contexts.len(), 2);
        let order = &f.contexts[0].aggregates[0];
        assert_eq!(order.name.text, "Order");
        assert_eq!(&SHOP[order.name.span.start..order.name.span.end], "Order");
        assert_eq!(order.commands[0].inputs.len(), 2);
        assert!(order.commands[0].inputs[1].ty.is_array);
        assert_eq!(order.commands[0].preconditions[0].name.text, "SAL-01");
        let total = &order.events[0].fields[1];
        assert_eq!(&SHOP[total.name.span.start..total.name.span.end], "total");
        assert_eq!(&SHOP[total.ty.span.start..total.ty.span.end], "Money");
        let dep = total.deprecation.as_ref().unwrap();
        assert_eq!(
            (dep.reason.as_str(), dep.replacement.as_str()),
            ("ambiguous", "amount")
        );
        // The value object at context indentation belongs to the last aggregate.
        assert_eq!(order.value_objects[0].name.text, "OrderLine");
        assert_eq!(order.invariants[0].text, "INV-1");
        assert_eq!(f.contexts[0].others.len(), 2);
        assert_eq!(f.contexts[1].others[0].kind, OtherKind::Relationship);
        assert_eq!(f.flows.len(), 1);
    }

    #[test]
    fn a_broken_field_costs_only_the_field() {
        let text = "context \"A\"\n aggregate \"B\"\n identity id: UUID\n event E\n  a: string\n  type: Money\n  b: ,\n  c: number\n event F\n  d: string\n";
        let f = parse(text);
        let agg = &f.contexts[0].aggregates[0];
        let names: Vec<&str> = agg.events[0]
            .fields
            .iter()
            .map(|f| f.name.text.as_str())
            .collect();
        assert_eq!(names, ["a", "c"]);
        assert_eq!(agg.events[1].fields.len(), 1);
        assert_eq!(f.errors.len(), 2, "{:?}", f.errors);
        assert!(f.errors[0].message.contains("`type` is a reserved word"));
        assert!(f.errors[1].message.contains("expected a type"));
    }

    #[test]
    fn a_broken_command_costs_only_the_command() {
        let text = "context \"A\"\n aggregate \"B\"\n identity id: UUID\n command C input x: string y: number emits E\n command D emits F\n event E\n";
        let f = parse(text);
        let agg = &f.contexts[0].aggregates[0];
        assert_eq!(agg.commands.len(), 1);
        assert_eq!(agg.commands[0].name.text, "D");
        assert_eq!(agg.events.len(), 1);
        assert_eq!(f.errors.len(), 1);
        assert!(
            f.errors[0].message.contains("separated by `,`"),
            "{:?}",
            f.errors
        );
    }

    #[test]
    fn value_objects_before_an_aggregate_or_after_a_policy_are_errors() {
        let text = "context \"A\"\n value-object V\n  a: string\n aggregate \"B\"\n identity id: UUID\n policy P trigger E action \"x\"\n value-object W\n  b: string\ncontext \"C\"\n aggregate \"D\"\n identity id: UUID\n";
        let f = parse(text);
        assert_eq!(f.errors.len(), 2, "{:?}", f.errors);
        assert!(f.errors[0]
            .message
            .contains("belongs to the aggregate above it"));
        assert!(f.contexts[0].aggregates[0].value_objects.is_empty());
        assert_eq!(f.contexts[1].aggregates[0].name.text, "D");
    }

    #[test]
    fn lexical_errors_are_reported_and_skipped() {
        let text = "context \"A\" # \n aggregate \"B\"\n identity id: UUID\n event E\n  note: string\n/* open";
        let f = parse(text);
        assert_eq!(f.contexts[0].aggregates[0].events[0].fields.len(), 1);
        let messages: Vec<&str> = f.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("unexpected character `#`"));
        assert!(messages[1].contains("unterminated comment"));
    }

    /// Tokens of the language, glued at random: mostly nonsense, sometimes valid.
    fn token_soup() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "context",
            "aggregate",
            "identity",
            "command",
            "input",
            "emits",
            "event",
            "value-object",
            "invariant",
            "scope",
            "policy",
            "saga",
            "flow",
            "moment",
            "frame",
            "lane",
            "when",
            "states",
            "->",
            ":",
            ",",
            "[",
            "]",
            "(",
            ")",
            "@",
            "×",
            "[]",
            "\"S\"",
            "\"",
            "x",
            "Id-1",
            "UUID",
            "Money",
            "deprecated",
            "1",
            "/*",
            "*/",
            "//",
            "\n",
            " ",
            "é",
            "#",
            "type",
            "relationship",
            "service",
        ]);
        prop::collection::vec(pieces, 0..80).prop_map(|v| v.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn never_panics_and_spans_stay_in_bounds(text in token_soup()) {
            let f = parse(&text);
            for e in &f.errors {
                prop_assert!(e.span.start <= e.span.end && e.span.end <= text.len());
                prop_assert!(text.is_char_boundary(e.span.start));
            }
            for c in &f.contexts {
                prop_assert!(c.span.end <= text.len());
                for a in &c.aggregates {
                    prop_assert!(text.get(a.name.span.start..a.name.span.end).is_some());
                }
            }
            // Projection and emission never panic on what parsed.
            let _ = crate::moment::LoadedSpec::from_texts(vec![("a.moment".into(), text.clone())]);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = parse(&text);
        }

        /// A valid spec with junk spliced in after a declaration still yields the declarations
        /// after the junk.
        #[test]
        fn recovers_after_junk(junk in token_soup()) {
            let junk = junk.replace("context", "c").replace("flow", "f").replace('"', "'")
                .replace("/*", "/").replace("//", "/");
            let text = format!("{SHOP}\ncontext \"J\" {junk}\ncontext \"Last\"\n aggregate \"Z\"\n  identity id: UUID\n");
            let f = parse(&text);
            let last = f.contexts.last().unwrap();
            prop_assert_eq!(&last.name.text, "Last");
            prop_assert_eq!(&last.aggregates[0].name.text, "Z");
            prop_assert_eq!(&f.contexts[0].aggregates[0].events[0].fields.len(), &2);
        }
    }
}
