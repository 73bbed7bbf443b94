//! From a drift point to a proposal: its feedback event type (the seed's eight) and where it
//! came from.

use std::collections::HashSet;
use std::sync::Arc;

use crate::drift::base::{side_shapes, Changed, PointKeys, SideShapes, ThreeWay};
use crate::drift::ShapeBase;
use crate::model::{Body, Direction, DriftKind, DriftPoint, FileModel, MemberShape};
use crate::state::{FeedbackType, ProposalRecord, Source};

/// Which spec types are command inputs and which are domain event payloads, read from the
/// emitter's conventions: `<Agg>Aggregate` handler methods take a command and return an event,
/// and `<Context>Event` unions list the events.
#[derive(Debug, Default)]
pub struct Roles {
    pub commands: HashSet<String>,
    pub events: HashSet<String>,
}

impl Roles {
    pub fn of(spec: &[Arc<FileModel>]) -> Roles {
        let mut roles = Roles::default();
        for decl in spec.iter().flat_map(|f| f.declarations.values()) {
            if decl.name.ends_with("Aggregate") {
                for m in decl.members() {
                    if let MemberShape::Method { signatures } = &m.shape {
                        for sig in signatures {
                            roles
                                .commands
                                .extend(sig.params.iter().map(|p| p.ty.clone()));
                            roles.events.extend(sig.ret.iter().cloned());
                        }
                    }
                }
            }
            if let Body::Alias {
                union: Some(members),
                ..
            } = &decl.body
            {
                if decl.name.ends_with("Event") {
                    roles.events.extend(members.iter().map(|m| m.name.clone()));
                }
            }
        }
        roles
    }
}

/// The feedback event type of a drift point: what the change means for the spec.
pub fn feedback_type(p: &DriftPoint, roles: &Roles) -> FeedbackType {
    use FeedbackType::*;
    let impl_ahead = p.direction == Direction::ImplAhead;
    let base = match p.kind {
        DriftKind::MissingType if impl_ahead => ValueObjectRemoved,
        DriftKind::MissingType => ValueObjectDefined,
        DriftKind::ExtraType if impl_ahead => ValueObjectDefined,
        DriftKind::ExtraType => ValueObjectRemoved,
        DriftKind::RenamedType => ValueObjectRenamed,
        DriftKind::MissingMember if impl_ahead => ValueObjectFieldRemoved,
        DriftKind::MissingMember => ValueObjectFieldAdded,
        DriftKind::ExtraMember if impl_ahead => ValueObjectFieldAdded,
        DriftKind::ExtraMember => ValueObjectFieldRemoved,
        _ => ValueObjectFieldRevised,
    };
    let field_level = matches!(
        base,
        ValueObjectFieldAdded | ValueObjectFieldRemoved | ValueObjectFieldRevised
    );
    if field_level && roles.commands.contains(&p.symbol) {
        CommandInputRevised
    } else if field_level && roles.events.contains(&p.symbol) {
        DomainEventPayloadRevised
    } else {
        base
    }
}

/// Attributes drift points to their source.
pub struct Attribution<'a> {
    base: Option<&'a ShapeBase>,
    spec_now: SideShapes,
    impl_now: SideShapes,
    trigger: Option<&'a str>,
}

impl<'a> Attribution<'a> {
    pub fn new(
        base: Option<&'a ShapeBase>,
        spec: &[Arc<FileModel>],
        implementation: &[Arc<FileModel>],
        trigger: Option<&'a str>,
    ) -> Self {
        let (spec_now, impl_now) = match base {
            Some(_) => (side_shapes(spec), side_shapes(implementation)),
            None => Default::default(),
        };
        Attribution {
            base,
            spec_now,
            impl_now,
            trigger,
        }
    }

    /// A spec change is attributed to the upstream event that triggered the run, when there is one.
    pub fn source(&self, p: &DriftPoint) -> Source {
        let spec_path = p.spec.as_ref().map(|l| l.path.clone());
        let impl_path = p.implementation.as_ref().map(|l| l.path.clone());
        let changed = self.base.and_then(|base| {
            let tw = ThreeWay {
                base,
                spec_now: &self.spec_now,
                impl_now: &self.impl_now,
            };
            let keys = PointKeys::for_point(p);
            tw.changed(keys.spec, keys.implementation)
        });
        let spec_change = || match self.trigger {
            Some(id) => Source::UpstreamEvent {
                event_id: id.to_string(),
            },
            None => Source::SpecChange {
                path: spec_path.clone(),
            },
        };
        match changed {
            Some(Changed {
                spec: true,
                implementation: false,
            }) => spec_change(),
            Some(Changed {
                spec: false,
                implementation: true,
            }) => Source::ImplementationChange { path: impl_path },
            Some(Changed {
                spec: true,
                implementation: true,
            }) => Source::BothSides {
                spec: spec_path,
                implementation: impl_path,
            },
            _ if self.trigger.is_some() && p.direction == Direction::SpecAhead => spec_change(),
            _ => Source::Baseline,
        }
    }
}

/// The proposal for a drift point.
pub fn record_for(p: &DriftPoint, source: Source, roles: &Roles) -> ProposalRecord {
    ProposalRecord {
        id: p.id.clone(),
        kind: p.kind.as_str().to_string(),
        direction: p.direction.as_str().to_string(),
        category: p.category.number(),
        symbol: p.symbol.clone(),
        member: p.member.clone(),
        expected: p.expected.clone(),
        actual: p.actual.clone(),
        spec_path: p.spec.as_ref().map(|l| l.path.clone()),
        implementation_path: p.implementation.as_ref().map(|l| l.path.clone()),
        message: p.message.clone(),
        feedback_type: feedback_type(p, roles),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze_texts;

    #[test]
    fn feedback_types_follow_kind_direction_and_role() {
        let spec = vec![(
            "g/a.types.ts".to_string(),
            "a.types.ts".to_string(),
            "export interface Place { readonly a: string; readonly b: string }\nexport interface Placed { readonly a: string; readonly b: string }\nexport interface V { readonly a: string; readonly b: string }\nexport interface AAggregate { place(c: Place): Placed }".to_string(),
        )];
        let imp = vec![(
            "s/a.types.ts".to_string(),
            "a.types.ts".to_string(),
            "export interface Place { readonly a: string }\nexport interface Placed { readonly a: string }\nexport interface V { readonly a: string; readonly c: number }\nexport interface AAggregate { place(c: Place): Placed }".to_string(),
        )];
        let analysis = analyze_texts(&spec, &imp);
        let models: Vec<Arc<FileModel>> = analysis
            .files
            .values()
            .filter(|f| f.side == crate::model::Side::Spec)
            .cloned()
            .collect();
        let roles = Roles::of(&models);
        let ft = |sym: &str, kind: DriftKind| {
            analysis
                .points
                .iter()
                .find(|p| p.symbol == sym && p.kind == kind)
                .map(|p| feedback_type(p, &roles))
        };
        assert_eq!(
            ft("Place", DriftKind::MissingMember),
            Some(FeedbackType::CommandInputRevised)
        );
        assert_eq!(
            ft("Placed", DriftKind::MissingMember),
            Some(FeedbackType::DomainEventPayloadRevised)
        );
        assert_eq!(
            ft("V", DriftKind::MissingMember),
            Some(FeedbackType::ValueObjectFieldAdded)
        );
        assert_eq!(
            ft("V", DriftKind::ExtraMember),
            Some(FeedbackType::ValueObjectFieldAdded)
        );
    }
}
