//! Cascade categories (drift-model §6): how dangerous applying the spec is.

use std::collections::BTreeMap;

use crate::model::{Category, Direction, DriftKind};

/// A file outside the spec side that uses a spec type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    /// Root-relative path.
    pub path: String,
    /// The top-level folder ("service") the file belongs to.
    pub service: String,
    /// Fields of the type the file touches (when known).
    pub fields: Vec<String>,
}

/// What consumption detection knows about the spec types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Consumers {
    /// Detection did not run: every change that could break a consumer is assumed to.
    #[default]
    Unknown,
    /// Detection ran; a type absent from the map has no consumer.
    Known(BTreeMap<String, Vec<Consumer>>),
}

impl Consumers {
    /// `None` when unknown, else the consumers of `symbol` (possibly none).
    pub fn of(&self, symbol: &str) -> Option<&[Consumer]> {
        match self {
            Consumers::Unknown => None,
            Consumers::Known(map) => Some(map.get(symbol).map(Vec::as_slice).unwrap_or(&[])),
        }
    }
}

/// The facts about a drift point that decide its category.
#[derive(Debug, Clone, Copy)]
pub struct CategoryFacts<'a> {
    pub kind: DriftKind,
    pub direction: Direction,
    pub symbol: &'a str,
    /// For `missing-member`: an optional property, or a member the spec has deprecated (adding it
    /// is documentation only).
    pub additive_member: bool,
}

/// The cascade category of one drift point.
pub fn categorize(facts: CategoryFacts<'_>, consumers: &Consumers) -> Category {
    use DriftKind::*;
    if facts.direction == Direction::Conflict {
        return Category::Breaking;
    }
    match facts.kind {
        MissingType => Category::CleanApply,
        MissingMember if facts.additive_member => Category::CleanApply,
        MissingMember => Category::ManageableDrift,
        // The spec removed what the implementation still has: consumers of it break.
        ExtraType | ExtraMember if facts.direction == Direction::SpecAhead => {
            by_consumers(facts.symbol, consumers)
        }
        ExtraType | ExtraMember | RenamedType | RenamedMember | ChangedOptionality
        | ChangedReadonly | ChangedGenerics => Category::ManageableDrift,
        ChangedType | ChangedSignature => by_consumers(facts.symbol, consumers),
        ChangedKind => Category::Breaking,
    }
}

fn by_consumers(symbol: &str, consumers: &Consumers) -> Category {
    match consumers.of(symbol) {
        Some([]) => Category::ManageableDrift,
        _ => Category::Breaking,
    }
}

/// The outcome of a run: the highest category present (drift-model §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    InSync,
    Clean,
    Drift,
    Breaking,
}

impl Outcome {
    pub fn of<'a>(categories: impl IntoIterator<Item = &'a Category>) -> Outcome {
        match categories.into_iter().max() {
            None => Outcome::InSync,
            Some(Category::CleanApply) => Outcome::Clean,
            Some(Category::ManageableDrift) => Outcome::Drift,
            Some(Category::Breaking) => Outcome::Breaking,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::InSync => "in-sync",
            Outcome::Clean => "clean",
            Outcome::Drift => "drift",
            Outcome::Breaking => "breaking",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(kind: DriftKind, direction: Direction, additive: bool, consumers: &Consumers) -> u8 {
        categorize(
            CategoryFacts {
                kind,
                direction,
                symbol: "Order",
                additive_member: additive,
            },
            consumers,
        )
        .number()
    }

    #[test]
    fn table_of_drift_model_section_6() {
        use DriftKind::*;
        let unknown = Consumers::Unknown;
        let none = Consumers::Known(BTreeMap::new());
        let some = Consumers::Known(BTreeMap::from([(
            "Order".to_string(),
            vec![Consumer {
                path: "svc/a.ts".into(),
                service: "svc".into(),
                fields: vec![],
            }],
        )]));
        let s = Direction::SpecAhead;
        assert_eq!(cat(MissingType, s, false, &unknown), 1);
        assert_eq!(cat(MissingMember, s, true, &unknown), 1);
        assert_eq!(cat(MissingMember, s, false, &unknown), 2);
        for kind in [ExtraType, ExtraMember] {
            assert_eq!(cat(kind, Direction::ImplAhead, false, &unknown), 2);
        }
        for kind in [
            RenamedType,
            RenamedMember,
            ChangedOptionality,
            ChangedReadonly,
            ChangedGenerics,
        ] {
            assert_eq!(cat(kind, s, false, &unknown), 2);
        }
        for kind in [ChangedType, ChangedSignature] {
            assert_eq!(cat(kind, s, false, &none), 2);
            assert_eq!(cat(kind, s, false, &some), 3);
            assert_eq!(cat(kind, s, false, &unknown), 3);
        }
        // Removal by the spec (three-way): by consumers.
        assert_eq!(cat(ExtraMember, s, false, &none), 2);
        assert_eq!(cat(ExtraMember, s, false, &some), 3);
        assert_eq!(cat(ChangedKind, s, false, &none), 3);
        assert_eq!(cat(MissingType, Direction::Conflict, false, &none), 3);
    }

    #[test]
    fn outcome_is_the_highest_category() {
        assert_eq!(Outcome::of(&[]), Outcome::InSync);
        assert_eq!(Outcome::of(&[Category::CleanApply]), Outcome::Clean);
        assert_eq!(
            Outcome::of(&[Category::CleanApply, Category::Breaking]),
            Outcome::Breaking
        );
    }
}
