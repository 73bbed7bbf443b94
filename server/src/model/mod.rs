//! Plain data: the declaration model that extraction produces and the drift engine compares,
//! and the drift vocabulary every layer speaks (`point.rs`: kinds, directions, categories,
//! drift points, fixes and text edits).
//!
//! Everything here carries byte ranges into the text it came from; nothing here knows about
//! tree-sitter, LSP or the file system.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::text::LineIndex;

mod files;
mod point;

pub use files::FileMap;
pub use point::*;

/// A half-open byte range `start..end` into a file's text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn empty_at(offset: usize) -> Self {
        Span {
            start: offset,
            end: offset,
        }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Which side of the workspace a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// TypeScript generated from the `.moment` specification.
    Spec,
    /// Hand-written TypeScript.
    Implementation,
}

/// The syntactic kind of a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeclKind {
    Interface,
    /// `type X = { … }`: compared like an interface (drift-model §2).
    ObjectTypeAlias,
    /// `type X = <anything but an object literal type>`.
    TypeAlias,
    Enum,
    Class,
}

impl DeclKind {
    /// The keyword a user would recognise.
    pub fn label(self) -> &'static str {
        match self {
            DeclKind::Interface => "interface",
            DeclKind::ObjectTypeAlias | DeclKind::TypeAlias => "type alias",
            DeclKind::Enum => "enum",
            DeclKind::Class => "class",
        }
    }

    /// Interfaces, object type aliases and classes all describe an object shape and are compared
    /// member by member; a difference between them is never `changed-kind`.
    pub fn shape_class(self) -> ShapeClass {
        match self {
            DeclKind::Interface | DeclKind::ObjectTypeAlias | DeclKind::Class => ShapeClass::Object,
            DeclKind::TypeAlias => ShapeClass::Alias,
            DeclKind::Enum => ShapeClass::Enum,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShapeClass {
    Object,
    Alias,
    Enum,
}

/// A type parameter, normalised: `T extends X = Y`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TypeParam {
    pub name: String,
    pub constraint: Option<String>,
    pub default: Option<String>,
}

impl TypeParam {
    pub fn render(&self) -> String {
        let mut out = self.name.clone();
        if let Some(c) = &self.constraint {
            out.push_str(" extends ");
            out.push_str(c);
        }
        if let Some(d) = &self.default {
            out.push_str(" = ");
            out.push_str(d);
        }
        out
    }
}

/// Renders a type-parameter list the way it is written: `<T, U extends X>` (empty when none).
pub fn render_type_params(params: &[TypeParam]) -> String {
    if params.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = params.iter().map(TypeParam::render).collect();
    format!("<{}>", inner.join(", "))
}

/// One parameter of a method signature; names never count (drift-model §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Param {
    /// Normalised type text; `any` when the parameter has no annotation.
    pub ty: String,
    pub optional: bool,
    pub rest: bool,
}

/// A method's normalised signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Signature {
    pub type_params: Vec<TypeParam>,
    pub params: Vec<Param>,
    /// Normalised return type; `None` when not annotated (inferred; not compared).
    pub ret: Option<String>,
}

impl Signature {
    /// `<T>(PlaceOrder, number?) => OrderPlaced`: the comparison form, without parameter names.
    pub fn render(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| {
                let mut s = String::new();
                if p.rest {
                    s.push_str("...");
                }
                s.push_str(&p.ty);
                if p.optional {
                    s.push('?');
                }
                s
            })
            .collect();
        format!(
            "{}({}) => {}",
            render_type_params(&self.type_params),
            params.join(", "),
            self.ret.as_deref().unwrap_or("inferred")
        )
    }
}

/// What a member is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberShape {
    /// A property signature or public class field; `ty` is `None` when not annotated.
    Property { ty: Option<String> },
    /// A method signature or public class method; overloads are kept in source order.
    Method { signatures: Vec<Signature> },
    /// An index signature `[key: string]: T`.
    Index { ty: String },
    /// An enum member with its initializer (explicit or the implicit numeric value).
    EnumMember { value: Option<String> },
    /// One member of a union type alias (`'open' | 'closed'`), keyed by its normalised text.
    UnionMember,
    /// A call or construct signature.
    Call { signature: Signature },
}

impl MemberShape {
    pub fn label(&self) -> &'static str {
        match self {
            MemberShape::Property { .. } => "property",
            MemberShape::Method { .. } => "method",
            MemberShape::Index { .. } => "index signature",
            MemberShape::EnumMember { .. } => "enum member",
            MemberShape::UnionMember => "union member",
            MemberShape::Call { .. } => "call signature",
        }
    }

    /// The normalised type text compared for `changed-type` / `changed-signature`.
    pub fn type_text(&self) -> Option<String> {
        match self {
            MemberShape::Property { ty } => ty.clone(),
            MemberShape::Method { signatures } => Some(
                signatures
                    .iter()
                    .map(Signature::render)
                    .collect::<Vec<_>>()
                    .join(" & "),
            ),
            MemberShape::Index { ty } => Some(ty.clone()),
            MemberShape::EnumMember { value } => value.clone(),
            MemberShape::UnionMember => None,
            MemberShape::Call { signature } => Some(signature.render()),
        }
    }
}

/// A member of a declaration, with every range a fix may need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The key members are matched by: the unquoted name, `[string]` for index signatures,
    /// `()`/`new()` for call signatures, the normalised literal for union members.
    pub name: String,
    pub shape: MemberShape,
    pub optional: bool,
    pub readonly: bool,
    /// Carries a `@deprecated` JSDoc tag; the text after the tag, trimmed.
    pub deprecated: Option<String>,
    /// The whole member, from its leading JSDoc (if any) to its end, separator excluded.
    pub span: Span,
    /// The member without its leading comment.
    pub decl_span: Span,
    pub name_span: Span,
    /// The type annotation's type (after `: `), or a method's `(params): ret` part.
    pub type_span: Option<Span>,
    /// The `?` token, when optional.
    pub question_span: Option<Span>,
    /// The `readonly` keyword, when present.
    pub readonly_span: Option<Span>,
    /// For class members: the member has a body (methods) or initializer.
    pub has_body: bool,
}

/// The body of a declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body {
    /// Interfaces, object type aliases, classes: members keyed by name.
    Members(Vec<Member>),
    /// Enums: members keyed by name.
    Enum(Vec<Member>),
    /// Any other type alias: its normalised right-hand side, and the union members when the
    /// right-hand side is a union (so that a new literal is a `missing-member`).
    Alias {
        ty: String,
        rhs_span: Span,
        union: Option<Vec<Member>>,
    },
}

/// An exported top-level declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    /// The exported name (for `export { A as B }`, `B`).
    pub name: String,
    pub kind: DeclKind,
    pub type_params: Vec<TypeParam>,
    /// Normalised `extends`/`implements` entries, sorted (order does not matter to the shape).
    pub heritage: Vec<String>,
    pub body: Body,
    pub deprecated: Option<String>,
    /// The whole declaration, from its leading JSDoc to its end (incl. `export`).
    pub span: Span,
    pub name_span: Span,
    /// `<…>` after the name, when present.
    pub type_params_span: Option<Span>,
    /// The `extends …` / `implements …` clause(s), when present.
    pub heritage_span: Option<Span>,
    /// `{ … }` of interfaces, classes, enums and object type aliases: where members go.
    pub body_span: Option<Span>,
}

impl Declaration {
    pub fn members(&self) -> &[Member] {
        match &self.body {
            Body::Members(m) | Body::Enum(m) => m,
            Body::Alias { union, .. } => union.as_deref().unwrap_or(&[]),
        }
    }
}

/// A syntax error found while parsing; extraction still yields what parses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

/// Everything the engine knows about one file: its text, line index and declarations.
#[derive(Debug, Clone)]
pub struct FileModel {
    /// Path relative to the workspace root, `/` separators.
    pub path: String,
    /// Path relative to its side's folder (what spec and implementation files pair by).
    pub side_path: String,
    pub side: Side,
    pub text: Arc<str>,
    pub lines: LineIndex,
    /// Exported declarations by name, interfaces merged.
    pub declarations: BTreeMap<String, Declaration>,
    pub syntax_errors: Vec<SyntaxError>,
}
