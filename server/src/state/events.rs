//! The sync-state events and the aggregate they build (the seed's rules, made durable).
//!
//! Pure: `SyncState::apply` checks one event against the state and folds it in; the log
//! (`log.rs`) decides where events come from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Every event type the log may hold. An unknown `type` is an error on replay.
pub const EVENT_TYPES: &[&str] = &[
    "ProposalRecorded",
    "ProposalAccepted",
    "ProposalRejected",
    "ProposalSkipped",
    "ProposalResolved",
    "CursorAdvanced",
    "ReconcileStarted",
    "ReconcileStepped",
    "ReconcileCompleted",
    "ReconcileAborted",
];

/// Where a proposal came from (shown in status, the journal and the hover).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// The spec side changed the item since the base.
    SpecChange { path: Option<String> },
    /// The implementation side changed the item since the base.
    ImplementationChange { path: Option<String> },
    /// Both sides changed it (a conflict).
    BothSides {
        spec: Option<String>,
        implementation: Option<String>,
    },
    /// The upstream event that triggered the run.
    UpstreamEvent { event_id: String },
    /// Found without a base to compare with (first sync, or drift older than the base).
    Baseline,
}

impl Source {
    /// One line for humans.
    pub fn describe(&self) -> String {
        let p = |o: &Option<String>| o.clone().unwrap_or_else(|| "?".to_string());
        match self {
            Source::SpecChange { path } => format!("spec change in {}", p(path)),
            Source::ImplementationChange { path } => {
                format!("implementation change in {}", p(path))
            }
            Source::BothSides {
                spec,
                implementation,
            } => format!("both sides changed ({} and {})", p(spec), p(implementation)),
            Source::UpstreamEvent { event_id } => format!("upstream event {event_id}"),
            Source::Baseline => "no base (pre-existing drift)".to_string(),
        }
    }
}

/// The seed's eight feedback event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedbackType {
    ValueObjectDefined,
    ValueObjectRemoved,
    ValueObjectRenamed,
    ValueObjectFieldAdded,
    ValueObjectFieldRemoved,
    ValueObjectFieldRevised,
    CommandInputRevised,
    DomainEventPayloadRevised,
}

impl FeedbackType {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackType::ValueObjectDefined => "ValueObjectDefined",
            FeedbackType::ValueObjectRemoved => "ValueObjectRemoved",
            FeedbackType::ValueObjectRenamed => "ValueObjectRenamed",
            FeedbackType::ValueObjectFieldAdded => "ValueObjectFieldAdded",
            FeedbackType::ValueObjectFieldRemoved => "ValueObjectFieldRemoved",
            FeedbackType::ValueObjectFieldRevised => "ValueObjectFieldRevised",
            FeedbackType::CommandInputRevised => "CommandInputRevised",
            FeedbackType::DomainEventPayloadRevised => "DomainEventPayloadRevised",
        }
    }
}

/// What a proposal is about: the drift point's facts at the time it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProposalRecord {
    pub id: String,
    pub kind: String,
    pub direction: String,
    pub category: u8,
    pub symbol: String,
    pub member: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub spec_path: Option<String>,
    pub implementation_path: Option<String>,
    pub message: String,
    pub source: Source,
    pub feedback_type: FeedbackType,
}

/// A decision on a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Apply the fix (spec-ahead, conflict) or record the change as feedback for the spec
    /// (impl-ahead).
    Accept,
    /// Suppress the drift point until either side changes it again (which changes its id).
    Reject,
    /// Defer: shown again on the next run; can be decided later.
    Skip,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::Reject => "reject",
            Decision::Skip => "skip",
        }
    }
}

/// The steps of the push-flow saga.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SagaStep {
    Diffing,
    Proposing,
    Recording,
    Committing,
}

/// The position of the last sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cursor {
    pub specification_hash: String,
    pub implementation_hash: String,
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_processed_file: Option<String>,
    /// The base file (`.moment/bases/<baseId>.json`) recorded with this sync.
    pub base_id: String,
    /// The reconcile run that advanced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

/// What a reconcile run decided to record (persisted with the `Recording` step so that an
/// interrupted run can finish recording without re-deciding).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordingPlan {
    /// Proposals to record: the applied ones and every drift point still shown.
    pub proposals: Vec<ProposalRecord>,
    /// Ids whose category-1 fix this run applied.
    pub applied: Vec<String>,
    /// Pending or skipped proposals whose drift is gone.
    pub resolved: Vec<String>,
    pub result: String,
    pub cascade_category: u8,
}

/// One event of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Event {
    ProposalRecorded {
        proposal: ProposalRecord,
    },
    ProposalAccepted {
        id: String,
        actor: String,
        reason: Option<String>,
        applied: bool,
    },
    ProposalRejected {
        id: String,
        actor: String,
        reason: Option<String>,
    },
    ProposalSkipped {
        id: String,
        actor: String,
        reason: Option<String>,
    },
    /// The drift behind a pending or skipped proposal disappeared.
    ProposalResolved {
        id: String,
    },
    CursorAdvanced {
        cursor: Cursor,
    },
    ReconcileStarted {
        run_id: String,
        specification_id: String,
        content_hash: String,
        apply: bool,
        trigger: Option<String>,
    },
    ReconcileStepped {
        run_id: String,
        step: SagaStep,
        /// `Proposing`: the proposals whose category-1 fixes are to be applied.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        planned: Vec<ProposalRecord>,
        /// `Recording`: what to record.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        plan: Option<RecordingPlan>,
    },
    ReconcileCompleted {
        run_id: String,
        result: String,
        cascade_category: u8,
        actions: Vec<String>,
    },
    ReconcileAborted {
        run_id: String,
        reason: String,
    },
}

/// A proposal's status. `Skipped` is not terminal (unlike the seed's `superseded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Accepted,
    Rejected,
    Skipped,
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Skipped => "skipped",
            Status::Resolved => "resolved",
        }
    }

    /// Pending and skipped proposals can still be decided.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Pending | Status::Skipped)
    }
}

/// One entry of a proposal's decision history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionEntry {
    pub decision: Decision,
    pub actor: String,
    pub at: String,
    pub reason: Option<String>,
}

/// A proposal with its status and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    #[serde(flatten)]
    pub record: ProposalRecord,
    pub status: Status,
    pub recorded_at: String,
    pub history: Vec<DecisionEntry>,
}

/// A reconcile run in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveRun {
    pub run_id: String,
    pub step: SagaStep,
    pub started_at: String,
    pub apply: bool,
    pub trigger: Option<String>,
    pub planned: Vec<ProposalRecord>,
    pub plan: Option<RecordingPlan>,
}

/// The last finished reconcile run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastRun {
    pub run_id: String,
    pub result: String,
    pub cascade_category: u8,
    pub finished_at: String,
    pub actions: Vec<String>,
}

/// The seed's reconciliation state: the last upstream fingerprint and the run in progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reconciliation {
    pub specification_id: Option<String>,
    pub content_hash: Option<String>,
    pub active: Option<ActiveRun>,
    pub last: Option<LastRun>,
}

/// A broken rule: the event does not apply to the state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("proposal {0} is already recorded")]
    DuplicateProposal(String),
    #[error("no proposal {0} is recorded")]
    UnknownProposal(String),
    #[error("proposal {id} is {status}; only pending or skipped proposals can change")]
    NotOpen { id: String, status: &'static str },
    #[error("the cursor only moves forward: {new} is before {current}")]
    CursorBackwards { current: String, new: String },
    #[error("`{0}` is not an ISO-8601 timestamp")]
    BadTimestamp(String),
    #[error("reconciliation {0} is still active")]
    ReconcileActive(String),
    #[error("no reconciliation {0} is active")]
    NoSuchRun(String),
    #[error("reconciliation {run_id} cannot go from {from:?} to {to:?}")]
    BadStep {
        run_id: String,
        from: SagaStep,
        to: SagaStep,
    },
    #[error("actor must not be empty")]
    EmptyActor,
    #[error("feedback source must be `mmmnt:implementation-feedback`, not `{0}`")]
    BadFeedbackSource(String),
    #[error("feedback for accepting {0} needs that proposal accepted")]
    CausationNotAccepted(String),
    #[error("reconciliation {0} may advance the cursor only while committing")]
    CursorBeforeCommit(String),
}

/// The state the log builds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncState {
    /// Sequence number of the last event folded in.
    pub last_seq: u64,
    pub last_sync_timestamp: Option<String>,
    pub cursor: Option<Cursor>,
    pub proposals: BTreeMap<String, Proposal>,
    pub reconciliation: Reconciliation,
}

impl SyncState {
    /// Checks `event` (stamped `at`) against the rules and folds it in; on error the state is
    /// unchanged.
    pub fn apply(&mut self, event: &Event, at: &str) -> Result<(), RuleError> {
        match event {
            Event::ProposalRecorded { proposal } => {
                if self.proposals.contains_key(&proposal.id) {
                    return Err(RuleError::DuplicateProposal(proposal.id.clone()));
                }
                self.proposals.insert(
                    proposal.id.clone(),
                    Proposal {
                        record: proposal.clone(),
                        status: Status::Pending,
                        recorded_at: at.to_string(),
                        history: vec![],
                    },
                );
            }
            Event::ProposalAccepted {
                id, actor, reason, ..
            } => self.decide(id, Decision::Accept, actor, reason, at)?,
            Event::ProposalRejected { id, actor, reason } => {
                self.decide(id, Decision::Reject, actor, reason, at)?
            }
            Event::ProposalSkipped { id, actor, reason } => {
                self.decide(id, Decision::Skip, actor, reason, at)?
            }
            Event::ProposalResolved { id } => {
                self.open_proposal(id)?.status = Status::Resolved;
            }
            Event::CursorAdvanced { cursor } => self.advance(cursor)?,
            Event::ReconcileStarted {
                run_id,
                specification_id,
                content_hash,
                apply,
                trigger,
            } => {
                if let Some(active) = &self.reconciliation.active {
                    return Err(RuleError::ReconcileActive(active.run_id.clone()));
                }
                self.reconciliation.specification_id = Some(specification_id.clone());
                self.reconciliation.content_hash = Some(content_hash.clone());
                self.reconciliation.active = Some(ActiveRun {
                    run_id: run_id.clone(),
                    step: SagaStep::Diffing,
                    started_at: at.to_string(),
                    apply: *apply,
                    trigger: trigger.clone(),
                    planned: vec![],
                    plan: None,
                });
            }
            Event::ReconcileStepped {
                run_id,
                step,
                planned,
                plan,
            } => {
                let active = self.active_run(run_id)?;
                if *step != next_step(active.step).unwrap_or(active.step) || *step == active.step {
                    return Err(RuleError::BadStep {
                        run_id: run_id.clone(),
                        from: active.step,
                        to: *step,
                    });
                }
                active.step = *step;
                if !planned.is_empty() {
                    active.planned = planned.clone();
                }
                if plan.is_some() {
                    active.plan = plan.clone();
                }
            }
            Event::ReconcileCompleted {
                run_id,
                result,
                cascade_category,
                actions,
            } => {
                let active = self.active_run(run_id)?;
                if active.step != SagaStep::Committing {
                    return Err(RuleError::BadStep {
                        run_id: run_id.clone(),
                        from: active.step,
                        to: SagaStep::Committing,
                    });
                }
                self.reconciliation.active = None;
                self.reconciliation.last = Some(LastRun {
                    run_id: run_id.clone(),
                    result: result.clone(),
                    cascade_category: *cascade_category,
                    finished_at: at.to_string(),
                    actions: actions.clone(),
                });
            }
            Event::ReconcileAborted { run_id, reason } => {
                self.active_run(run_id)?;
                self.reconciliation.active = None;
                self.reconciliation.last = Some(LastRun {
                    run_id: run_id.clone(),
                    result: "ABORTED".to_string(),
                    cascade_category: 0,
                    finished_at: at.to_string(),
                    actions: vec![reason.clone()],
                });
            }
        }
        Ok(())
    }

    fn decide(
        &mut self,
        id: &str,
        decision: Decision,
        actor: &str,
        reason: &Option<String>,
        at: &str,
    ) -> Result<(), RuleError> {
        if actor.trim().is_empty() {
            return Err(RuleError::EmptyActor);
        }
        let proposal = self.open_proposal(id)?;
        proposal.status = match decision {
            Decision::Accept => Status::Accepted,
            Decision::Reject => Status::Rejected,
            Decision::Skip => Status::Skipped,
        };
        proposal.history.push(DecisionEntry {
            decision,
            actor: actor.to_string(),
            at: at.to_string(),
            reason: reason.clone(),
        });
        Ok(())
    }

    fn open_proposal(&mut self, id: &str) -> Result<&mut Proposal, RuleError> {
        let proposal = self
            .proposals
            .get_mut(id)
            .ok_or_else(|| RuleError::UnknownProposal(id.to_string()))?;
        if !proposal.status.is_open() {
            return Err(RuleError::NotOpen {
                id: id.to_string(),
                status: proposal.status.as_str(),
            });
        }
        Ok(proposal)
    }

    fn advance(&mut self, cursor: &Cursor) -> Result<(), RuleError> {
        // A reconcile run moves the cursor only while committing (the seed: only when complete;
        // the saga appends the cursor and the completion together).
        if let Some(run_id) = &cursor.run_id {
            let committing = self
                .reconciliation
                .active
                .as_ref()
                .is_some_and(|a| &a.run_id == run_id && a.step == SagaStep::Committing);
            if !committing {
                return Err(RuleError::CursorBeforeCommit(run_id.clone()));
            }
        }
        let new = super::time::parse_iso(&cursor.timestamp)
            .ok_or_else(|| RuleError::BadTimestamp(cursor.timestamp.clone()))?;
        if let Some(current) = &self.cursor {
            let old = super::time::parse_iso(&current.timestamp).unwrap_or(i64::MIN);
            if new < old {
                return Err(RuleError::CursorBackwards {
                    current: current.timestamp.clone(),
                    new: cursor.timestamp.clone(),
                });
            }
        }
        self.last_sync_timestamp = Some(cursor.timestamp.clone());
        self.cursor = Some(cursor.clone());
        Ok(())
    }

    fn active_run(&mut self, run_id: &str) -> Result<&mut ActiveRun, RuleError> {
        match &mut self.reconciliation.active {
            Some(a) if a.run_id == run_id => Ok(a),
            _ => Err(RuleError::NoSuchRun(run_id.to_string())),
        }
    }

    /// Ids of rejected proposals: `check` suppresses these drift points.
    pub fn rejected_ids(&self) -> impl Iterator<Item = &str> {
        self.proposals
            .values()
            .filter(|p| p.status == Status::Rejected)
            .map(|p| p.record.id.as_str())
    }

    /// How many proposals have each status.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut out: BTreeMap<&'static str, usize> = [
            Status::Pending,
            Status::Accepted,
            Status::Rejected,
            Status::Skipped,
            Status::Resolved,
        ]
        .iter()
        .map(|s| (s.as_str(), 0))
        .collect();
        for p in self.proposals.values() {
            *out.entry(p.status.as_str()).or_default() += 1;
        }
        out
    }
}

fn next_step(step: SagaStep) -> Option<SagaStep> {
    match step {
        SagaStep::Diffing => Some(SagaStep::Proposing),
        SagaStep::Proposing => Some(SagaStep::Recording),
        SagaStep::Recording => Some(SagaStep::Committing),
        SagaStep::Committing => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn record(id: &str) -> ProposalRecord {
        ProposalRecord {
            id: id.to_string(),
            kind: "changed-type".into(),
            direction: "spec-ahead".into(),
            category: 2,
            symbol: "Invoice".into(),
            member: Some("total".into()),
            expected: Some("number".into()),
            actual: Some("string".into()),
            spec_path: Some("generated/a.ts".into()),
            implementation_path: Some("src/domain/a.ts".into()),
            message: "m".into(),
            source: Source::Baseline,
            feedback_type: FeedbackType::ValueObjectFieldRevised,
        }
    }

    const AT: &str = "2026-01-01T00:00:00.000Z";

    fn cursor(ts: &str) -> Cursor {
        Cursor {
            specification_hash: "s".into(),
            implementation_hash: "i".into(),
            timestamp: ts.into(),
            last_processed_file: None,
            base_id: "b".into(),
            run_id: None,
        }
    }

    #[test]
    fn duplicate_proposal_is_rejected() {
        let mut s = SyncState::default();
        s.apply(
            &Event::ProposalRecorded {
                proposal: record("a"),
            },
            AT,
        )
        .unwrap();
        let before = s.clone();
        assert_eq!(
            s.apply(
                &Event::ProposalRecorded {
                    proposal: record("a")
                },
                AT
            ),
            Err(RuleError::DuplicateProposal("a".into()))
        );
        assert_eq!(s, before, "a failed event leaves the state unchanged");
    }

    #[test]
    fn only_open_proposals_change_and_skip_is_not_terminal() {
        let mut s = SyncState::default();
        let skip = Event::ProposalSkipped {
            id: "a".into(),
            actor: "ann".into(),
            reason: None,
        };
        assert_eq!(
            s.apply(&skip, AT),
            Err(RuleError::UnknownProposal("a".into()))
        );
        s.apply(
            &Event::ProposalRecorded {
                proposal: record("a"),
            },
            AT,
        )
        .unwrap();
        s.apply(&skip, AT).unwrap();
        assert_eq!(s.proposals["a"].status, Status::Skipped);
        s.apply(
            &Event::ProposalRejected {
                id: "a".into(),
                actor: "ann".into(),
                reason: Some("no".into()),
            },
            AT,
        )
        .unwrap();
        assert_eq!(s.proposals["a"].status, Status::Rejected);
        let accept = Event::ProposalAccepted {
            id: "a".into(),
            actor: "ann".into(),
            reason: None,
            applied: false,
        };
        assert_eq!(
            s.apply(&accept, AT),
            Err(RuleError::NotOpen {
                id: "a".into(),
                status: "rejected"
            })
        );
        assert_eq!(
            s.apply(&Event::ProposalResolved { id: "a".into() }, AT),
            Err(RuleError::NotOpen {
                id: "a".into(),
                status: "rejected"
            })
        );
        assert_eq!(s.proposals["a"].history.len(), 2);
        let empty = Event::ProposalSkipped {
            id: "a".into(),
            actor: " ".into(),
            reason: None,
        };
        assert_eq!(s.apply(&empty, AT), Err(RuleError::EmptyActor));
    }

    #[test]
    fn cursor_only_moves_forward() {
        let mut s = SyncState::default();
        s.apply(
            &Event::CursorAdvanced {
                cursor: cursor("2026-01-02T00:00:00.000Z"),
            },
            AT,
        )
        .unwrap();
        s.apply(
            &Event::CursorAdvanced {
                cursor: cursor("2026-01-02T00:00:00.000Z"),
            },
            AT,
        )
        .unwrap();
        let back = s.apply(
            &Event::CursorAdvanced {
                cursor: cursor("2026-01-01T00:00:00.000Z"),
            },
            AT,
        );
        assert!(matches!(back, Err(RuleError::CursorBackwards { .. })));
        assert!(matches!(
            s.apply(
                &Event::CursorAdvanced {
                    cursor: cursor("soon")
                },
                AT
            ),
            Err(RuleError::BadTimestamp(_))
        ));
        assert_eq!(
            s.last_sync_timestamp.as_deref(),
            Some("2026-01-02T00:00:00.000Z")
        );
    }

    #[test]
    fn saga_steps_go_forward_one_at_a_time_and_complete_needs_the_matching_run() {
        let mut s = SyncState::default();
        let start = |id: &str| Event::ReconcileStarted {
            run_id: id.into(),
            specification_id: "spec".into(),
            content_hash: "h".into(),
            apply: false,
            trigger: None,
        };
        let step = |id: &str, step| Event::ReconcileStepped {
            run_id: id.into(),
            step,
            planned: vec![],
            plan: None,
        };
        s.apply(&start("r1"), AT).unwrap();
        assert_eq!(
            s.apply(&start("r2"), AT),
            Err(RuleError::ReconcileActive("r1".into()))
        );
        assert!(matches!(
            s.apply(&step("r1", SagaStep::Recording), AT),
            Err(RuleError::BadStep { .. })
        ));
        assert_eq!(
            s.apply(&step("r2", SagaStep::Proposing), AT),
            Err(RuleError::NoSuchRun("r2".into()))
        );
        let complete = |id: &str| Event::ReconcileCompleted {
            run_id: id.into(),
            result: "DRIFT".into(),
            cascade_category: 2,
            actions: vec![],
        };
        assert!(matches!(
            s.apply(&complete("r1"), AT),
            Err(RuleError::BadStep { .. })
        ));
        for st in [
            SagaStep::Proposing,
            SagaStep::Recording,
            SagaStep::Committing,
        ] {
            s.apply(&step("r1", st), AT).unwrap();
        }
        assert_eq!(
            s.apply(&complete("r2"), AT),
            Err(RuleError::NoSuchRun("r2".into()))
        );
        s.apply(&complete("r1"), AT).unwrap();
        assert!(s.reconciliation.active.is_none());
        assert_eq!(
            s.reconciliation.last.as_ref().map(|l| l.result.as_str()),
            Some("DRIFT")
        );
        s.apply(&start("r2"), AT).unwrap();
        s.apply(
            &Event::ReconcileAborted {
                run_id: "r2".into(),
                reason: "x".into(),
            },
            AT,
        )
        .unwrap();
        assert_eq!(
            s.reconciliation.last.as_ref().map(|l| l.result.as_str()),
            Some("ABORTED")
        );
    }
}
