//! Questions an editor asks about a parsed `.moment` file: what is at this offset, which
//! TypeScript declaration (and member) it projects to, which types the spec declares.

use super::ast::*;
use super::emit::pascal;
use super::project::{SourceRange, Spec};
use crate::model::Span;

/// What the cursor is on.
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    Context(&'a Context),
    Aggregate(&'a Aggregate),
    Command(&'a Command),
    Event(&'a Record),
    ValueObject(&'a Record),
    /// A field, with the TypeScript interface it is a property of.
    Field {
        owner: &'a Name,
        owner_is_aggregate: bool,
        field: &'a Field,
    },
    /// A type reference (a field's type) or the event a command emits.
    TypeRef(&'a Name),
    Other(&'a OtherDecl),
}

impl Item<'_> {
    /// The name's range in the `.moment` text.
    pub fn name_span(&self) -> Span {
        match self {
            Item::Context(c) => c.name.span,
            Item::Aggregate(a) => a.name.span,
            Item::Command(c) => c.name.span,
            Item::Event(r) | Item::ValueObject(r) => r.name.span,
            Item::Field { field, .. } => field.name.span,
            Item::TypeRef(n) => n.span,
            Item::Other(o) => o.name.span,
        }
    }

    /// The TypeScript symbol (and member) this item projects to; `None` for constructs the
    /// emitter ignores and for type references.
    pub fn ts_symbol(&self) -> Option<(String, Option<String>)> {
        Some(match self {
            Item::Context(c) => (format!("{}Event", pascal(&c.name.text)), None),
            Item::Aggregate(a) => (format!("{}Aggregate", pascal(&a.name.text)), None),
            Item::Command(c) => (pascal(&c.name.text), None),
            Item::Event(r) | Item::ValueObject(r) => (pascal(&r.name.text), None),
            Item::Field {
                owner,
                owner_is_aggregate,
                field,
            } => {
                let owner = if *owner_is_aggregate {
                    format!("{}Aggregate", pascal(&owner.text))
                } else {
                    pascal(&owner.text)
                };
                (owner, Some(field.name.text.clone()))
            }
            Item::TypeRef(_) | Item::Other(_) => return None,
        })
    }
}

fn within(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// The innermost named item at `offset`: a name, a field name or a type reference.
pub fn item_at(file: &SpecFile, offset: usize) -> Option<Item<'_>> {
    for ctx in &file.contexts {
        if !within(ctx.span, offset) {
            continue;
        }
        if within(ctx.name.span, offset) {
            return Some(Item::Context(ctx));
        }
        for agg in &ctx.aggregates {
            if let Some(item) = in_aggregate(agg, offset) {
                return Some(item);
            }
        }
        for other in &ctx.others {
            if within(other.name.span, offset) {
                return Some(Item::Other(other));
            }
        }
    }
    file.flows
        .iter()
        .find(|f| within(f.name.span, offset))
        .map(Item::Other)
}

fn in_aggregate(agg: &Aggregate, offset: usize) -> Option<Item<'_>> {
    if !within(agg.span, offset) {
        return None;
    }
    if within(agg.name.span, offset) {
        return Some(Item::Aggregate(agg));
    }
    if let Some(id) = &agg.identity {
        if let Some(item) = in_field(&agg.name, true, id, offset) {
            return Some(item);
        }
    }
    for cmd in &agg.commands {
        if within(cmd.name.span, offset) {
            return Some(Item::Command(cmd));
        }
        if let Some(item) = cmd
            .inputs
            .iter()
            .find_map(|f| in_field(&cmd.name, false, f, offset))
        {
            return Some(item);
        }
        if let Some(emits) = cmd.emits.as_ref().filter(|e| within(e.span, offset)) {
            return Some(Item::TypeRef(emits));
        }
    }
    for (records, event) in [(&agg.events, true), (&agg.value_objects, false)] {
        for r in records {
            if within(r.name.span, offset) {
                return Some(if event {
                    Item::Event(r)
                } else {
                    Item::ValueObject(r)
                });
            }
            if let Some(item) = r
                .fields
                .iter()
                .find_map(|f| in_field(&r.name, false, f, offset))
            {
                return Some(item);
            }
        }
    }
    None
}

fn in_field<'a>(owner: &'a Name, agg: bool, f: &'a Field, offset: usize) -> Option<Item<'a>> {
    if within(f.name.span, offset) {
        Some(Item::Field {
            owner,
            owner_is_aggregate: agg,
            field: f,
        })
    } else if within(f.ty.name.span, offset) {
        Some(Item::TypeRef(&f.ty.name))
    } else {
        None
    }
}

/// A type the spec declares (command, event or value object), by its TypeScript name.
#[derive(Debug, Clone)]
pub struct DeclaredType {
    pub ts_name: String,
    pub written: String,
    pub kind: &'static str,
    pub at: SourceRange,
}

/// Every command, event and value object of the spec, in spec order.
pub fn declared_types(spec: &Spec) -> Vec<DeclaredType> {
    let mut out = Vec::new();
    for ctx in &spec.contexts {
        for placed in &ctx.aggregates {
            let agg = &placed.aggregate;
            let mut push = |name: &Name, kind| {
                out.push(DeclaredType {
                    ts_name: pascal(&name.text),
                    written: name.text.clone(),
                    kind,
                    at: SourceRange {
                        file: placed.file,
                        span: name.span,
                    },
                })
            };
            for vo in &agg.value_objects {
                push(&vo.name, "value object");
            }
            for c in &agg.commands {
                push(&c.name, "command");
            }
            for e in &agg.events {
                push(&e.name, "event");
            }
        }
    }
    out
}
