//! The parsed spec: every declaration, field and type reference with its byte range in the
//! `.moment` text. Constructs the TypeScript projection ignores (policies, sagas, flows, …) are
//! kept as [`OtherDecl`]s so that outlines and diagnostics still see them.

use crate::model::Span;

/// A name as written, with its range (for strings: the quotes excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// `string`, `OrderItem`, `Money[]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    /// The type name as written.
    pub name: Name,
    pub is_array: bool,
    /// The whole reference, `[]` included.
    pub span: Span,
}

/// `[deprecated "reason" -> "replacement"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deprecation {
    pub reason: String,
    pub replacement: String,
    pub span: Span,
}

/// `name: Type[] [deprecated …]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: Name,
    pub ty: TypeRef,
    pub deprecation: Option<Deprecation>,
    pub span: Span,
}

/// `precondition ID: "description"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Precondition {
    pub name: Name,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub name: Name,
    pub inputs: Vec<Field>,
    pub preconditions: Vec<Precondition>,
    /// The emitted event; `None` only after a syntax error.
    pub emits: Option<Name>,
    pub span: Span,
}

/// An event or a value object: a name and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: Name,
    pub fields: Vec<Field>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    pub name: Name,
    /// `None` only after a syntax error in the header.
    pub identity: Option<Field>,
    pub commands: Vec<Command>,
    pub events: Vec<Record>,
    pub value_objects: Vec<Record>,
    /// Invariants (names only: they do not reach the TypeScript).
    pub invariants: Vec<Name>,
    pub span: Span,
}

/// What an [`OtherDecl`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherKind {
    Service,
    Policy,
    Saga,
    Relationship,
    Flow,
}

impl OtherKind {
    pub fn keyword(self) -> &'static str {
        match self {
            OtherKind::Service => "service",
            OtherKind::Policy => "policy",
            OtherKind::Saga => "saga",
            OtherKind::Relationship => "relationship",
            OtherKind::Flow => "flow",
        }
    }
}

/// A declaration without effect on the TypeScript (moment-language.md §2.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherDecl {
    pub kind: OtherKind,
    pub name: Name,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub name: Name,
    pub aggregates: Vec<Aggregate>,
    pub others: Vec<OtherDecl>,
    pub span: Span,
}

/// A syntax error: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

/// One parsed `.moment` file. A syntax error costs only the declaration it is in: the rest of
/// the file is still here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecFile {
    pub contexts: Vec<Context>,
    /// Top-level flows.
    pub flows: Vec<OtherDecl>,
    pub errors: Vec<ParseError>,
}
