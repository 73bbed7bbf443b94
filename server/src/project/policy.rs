//! The one fix policy: which drift points get their preferred fix applied without asking, by
//! `fix`, `reconcile --apply` and the editor's "apply all clean spec changes".
//!
//! A point qualifies when all of these hold:
//! - it has a fix;
//! - its category is at most the caller's maximum (`fix --max-category`, 1 for the others);
//! - it is `spec-ahead`: an `impl-ahead` point is feedback for the spec (fixing it would revert
//!   the implementation's work) and a `conflict` needs a person;
//! - it is not rejected (rejected points are suppressed before any policy sees them, and are
//!   refused here too) and not decided otherwise: a recorded proposal must still be open.
//!
//! Explicit choices are not policy: `decide accept` and an editor quick fix act on the one
//! point the user picked.

use crate::model::{Category, Direction, DriftPoint};
use crate::state::SyncState;

/// `true` when `point`'s preferred fix may be applied without asking (see the module docs).
pub fn applies_automatically(point: &DriftPoint, state: &SyncState, max: Category) -> bool {
    !point.fixes.is_empty()
        && point.category <= max
        && point.direction == Direction::SpecAhead
        && state
            .proposals
            .get(&point.id)
            .is_none_or(|p| p.status.is_open())
}

/// The points of `points` that qualify, in order.
pub fn automatic<'a>(
    points: impl IntoIterator<Item = &'a DriftPoint>,
    state: &SyncState,
    max: Category,
) -> Vec<&'a DriftPoint> {
    points
        .into_iter()
        .filter(|p| applies_automatically(p, state, max))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DriftKind, Fix};
    use crate::state::Event;

    fn point(id: &str, category: Category, direction: Direction) -> DriftPoint {
        DriftPoint {
            id: id.into(),
            kind: DriftKind::MissingMember,
            direction,
            category,
            symbol: "A".into(),
            member: Some("x".into()),
            expected: None,
            actual: None,
            spec: None,
            implementation: None,
            message: String::new(),
            fixes: vec![Fix {
                id: format!("{id}:add"),
                title: "Add".into(),
                edits: vec![],
                creates_file: false,
            }],
        }
    }

    #[test]
    fn only_open_spec_ahead_points_within_the_category() {
        let state = SyncState::default();
        let clean = point("a", Category::CleanApply, Direction::SpecAhead);
        assert!(applies_automatically(&clean, &state, Category::CleanApply));
        let two = point("b", Category::ManageableDrift, Direction::SpecAhead);
        assert!(!applies_automatically(&two, &state, Category::CleanApply));
        assert!(applies_automatically(
            &two,
            &state,
            Category::ManageableDrift
        ));
        for d in [Direction::ImplAhead, Direction::Conflict] {
            let p = point("c", Category::CleanApply, d);
            assert!(!applies_automatically(&p, &state, Category::Breaking));
        }
        let mut no_fix = clean.clone();
        no_fix.fixes.clear();
        assert!(!applies_automatically(&no_fix, &state, Category::Breaking));
    }

    #[test]
    fn decided_points_are_left_alone() {
        let p = point("a", Category::CleanApply, Direction::SpecAhead);
        let mut state = SyncState::default();
        let record = crate::state::events::tests::record("a");
        state
            .apply(
                &Event::ProposalRecorded { proposal: record },
                "2026-01-01T00:00:00.000Z",
            )
            .unwrap();
        assert!(
            applies_automatically(&p, &state, Category::CleanApply),
            "pending"
        );
        state
            .apply(
                &Event::ProposalRejected {
                    id: "a".into(),
                    actor: "t".into(),
                    reason: None,
                },
                "2026-01-01T00:00:01.000Z",
            )
            .unwrap();
        assert!(!applies_automatically(&p, &state, Category::CleanApply));
    }
}
