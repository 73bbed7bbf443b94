//! A whole spec: parsed `.moment` files merged by context (moment-language.md §4, multi-file
//! projects). Contexts keep the order in which they first appear (files in path order); the
//! aggregates of a context declared in several places are concatenated in that order.

use super::ast::{Aggregate, Context, SpecFile};
use crate::model::Span;

/// One `.moment` file of the spec.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the project root, `/` separators.
    pub path: String,
    pub text: std::sync::Arc<str>,
    pub parsed: SpecFile,
}

/// A range in one of the spec's files (`file` indexes [`Spec::sources`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceRange {
    pub file: usize,
    pub span: Span,
}

/// An aggregate and the file it was declared in.
#[derive(Debug, Clone)]
pub struct PlacedAggregate {
    pub file: usize,
    pub aggregate: Aggregate,
}

/// A bounded context, merged over every place it is declared.
#[derive(Debug, Clone)]
pub struct MergedContext {
    pub name: String,
    /// Where it is first declared (its name).
    pub declared: SourceRange,
    pub aggregates: Vec<PlacedAggregate>,
}

/// The merged spec.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    pub sources: Vec<SourceFile>,
    pub contexts: Vec<MergedContext>,
}

impl Spec {
    /// Merges parsed files (already in the order they should be read: path order).
    pub fn merge(sources: Vec<SourceFile>) -> Spec {
        let mut contexts: Vec<MergedContext> = Vec::new();
        for (file, source) in sources.iter().enumerate() {
            for ctx in &source.parsed.contexts {
                merge_context(&mut contexts, file, ctx);
            }
        }
        Spec { sources, contexts }
    }

    /// Every syntax error of every file: (file index, error).
    pub fn syntax_errors(&self) -> impl Iterator<Item = (usize, &super::ast::ParseError)> {
        self.sources
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.parsed.errors.iter().map(move |e| (i, e)))
    }
}

fn merge_context(contexts: &mut Vec<MergedContext>, file: usize, ctx: &Context) {
    let placed = ctx.aggregates.iter().map(|a| PlacedAggregate {
        file,
        aggregate: a.clone(),
    });
    match contexts.iter_mut().find(|c| c.name == ctx.name.text) {
        Some(existing) => existing.aggregates.extend(placed),
        None => contexts.push(MergedContext {
            name: ctx.name.text.clone(),
            declared: SourceRange {
                file,
                span: ctx.name.span,
            },
            aggregates: placed.collect(),
        }),
    }
}
