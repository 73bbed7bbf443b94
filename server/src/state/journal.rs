//! The implementation-feedback journal (`.moment/feedback-journal.jsonl`): one
//! `ImplementationFeedbackRecorded` envelope per decision, for the spec's owners.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::events::{Decision, FeedbackType, ProposalRecord, Source};
use super::StateError;

/// The journal's source, as the seed requires.
pub const FEEDBACK_SOURCE: &str = "mmmnt:implementation-feedback";
pub const FEEDBACK_EVENT_TYPE: &str = "ImplementationFeedbackRecorded";

/// One journal line: the upstream envelope shape with the decision as payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub event_id: String,
    pub event_type: String,
    pub version: u32,
    pub product_source: String,
    pub source: String,
    pub actor: String,
    pub timestamp: String,
    /// The proposal the decision is about.
    pub causation_event_ids: Vec<String>,
    pub correlation_id: String,
    pub payload: FeedbackPayload,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackPayload {
    pub proposal_id: String,
    pub decision: Decision,
    pub feedback_type: FeedbackType,
    pub reason: Option<String>,
    /// Whether a fix was applied to the implementation (false for feedback-only acceptance).
    pub applied: bool,
    pub kind: String,
    pub direction: String,
    pub symbol: String,
    pub member: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub spec_path: Option<String>,
    pub implementation_path: Option<String>,
    pub attribution: Source,
}

impl JournalEntry {
    /// The entry for `decision` on `proposal` by `actor` at `timestamp`.
    pub fn new(
        proposal: &ProposalRecord,
        decision: Decision,
        actor: &str,
        reason: Option<String>,
        applied: bool,
        timestamp: &str,
        correlation_id: &str,
    ) -> JournalEntry {
        JournalEntry {
            event_id: uuid::Uuid::new_v4().to_string(),
            event_type: FEEDBACK_EVENT_TYPE.to_string(),
            version: 1,
            product_source: "moment-sync".to_string(),
            source: FEEDBACK_SOURCE.to_string(),
            actor: actor.to_string(),
            timestamp: timestamp.to_string(),
            causation_event_ids: vec![proposal.id.clone()],
            correlation_id: correlation_id.to_string(),
            payload: FeedbackPayload {
                proposal_id: proposal.id.clone(),
                decision,
                feedback_type: proposal.feedback_type,
                reason,
                applied,
                kind: proposal.kind.clone(),
                direction: proposal.direction.clone(),
                symbol: proposal.symbol.clone(),
                member: proposal.member.clone(),
                expected: proposal.expected.clone(),
                actual: proposal.actual.clone(),
                spec_path: proposal.spec_path.clone(),
                implementation_path: proposal.implementation_path.clone(),
                attribution: proposal.source.clone(),
            },
        }
    }
}

impl JournalEntry {
    /// The seed's journal rules, against the state *after* the transaction's events: the source
    /// is the feedback source, the actor is not empty, the causation is a recorded proposal, and
    /// an acceptance's proposal is accepted.
    pub fn validate(&self, state: &super::SyncState) -> Result<(), super::RuleError> {
        use super::RuleError;
        if self.source != FEEDBACK_SOURCE {
            return Err(RuleError::BadFeedbackSource(self.source.clone()));
        }
        if self.actor.trim().is_empty() {
            return Err(RuleError::EmptyActor);
        }
        let id = &self.payload.proposal_id;
        let proposal = state
            .proposals
            .get(id)
            .ok_or_else(|| RuleError::UnknownProposal(id.clone()))?;
        if self.causation_event_ids != [id.clone()] {
            return Err(RuleError::UnknownProposal(
                self.causation_event_ids.join(","),
            ));
        }
        if self.payload.decision == Decision::Accept && proposal.status != super::Status::Accepted {
            return Err(RuleError::CausationNotAccepted(id.clone()));
        }
        Ok(())
    }
}

/// Appends entries (the caller holds the exclusive lock).
pub fn append(path: &Path, entries: &[JournalEntry]) -> Result<(), StateError> {
    if entries.is_empty() {
        return Ok(());
    }
    let io = |source| StateError::io(path, source);
    let mut text = String::new();
    for e in entries {
        text.push_str(
            &serde_json::to_string(e)
                .map_err(|e| StateError::io(path, std::io::Error::other(e)))?,
        );
        text.push('\n');
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_data().map_err(io)
}

/// The entries the log holds (see `LogRecord::journal`) that `have` lacks, in log order: what
/// a crash between the log and the journal writes left out.
pub fn missing_from<'a>(
    have: &[JournalEntry],
    records: &'a [super::log::LogRecord],
) -> Vec<&'a JournalEntry> {
    let known: std::collections::HashSet<&str> = have.iter().map(|e| e.event_id.as_str()).collect();
    records
        .iter()
        .flat_map(|r| r.journal.iter())
        .filter(|e| !known.contains(e.event_id.as_str()))
        .collect()
}

/// Every readable entry; a torn last line is skipped like in the log.
pub fn read(path: &Path) -> Result<Vec<JournalEntry>, StateError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(source) => return Err(StateError::io(path, source)),
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(e) => out.push(e),
            Err(_) if n + 1 == lines.len() => {
                tracing::warn!("{}:{}: ignoring a torn last line", path.display(), n + 1)
            }
            Err(e) => {
                return Err(StateError::Corrupt {
                    path: path.to_path_buf(),
                    line: n + 1,
                    message: format!("not a journal entry: {e}"),
                })
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::events::tests::record;
    use super::super::{Event, RuleError, SyncState};
    use super::*;

    #[test]
    fn journal_rules() {
        let mut state = SyncState::default();
        let rec = record("a");
        let entry = |d, actor: &str| {
            JournalEntry::new(&rec, d, actor, None, false, "2026-01-01T00:00:00Z", "c")
        };
        assert_eq!(
            entry(Decision::Skip, "ann").validate(&state),
            Err(RuleError::UnknownProposal("a".into()))
        );
        state
            .apply(
                &Event::ProposalRecorded {
                    proposal: rec.clone(),
                },
                "t",
            )
            .unwrap();
        assert_eq!(
            entry(Decision::Accept, "ann").validate(&state),
            Err(RuleError::CausationNotAccepted("a".into()))
        );
        assert_eq!(
            entry(Decision::Skip, "").validate(&state),
            Err(RuleError::EmptyActor)
        );
        let mut wrong = entry(Decision::Skip, "ann");
        wrong.source = "elsewhere".into();
        assert!(matches!(
            wrong.validate(&state),
            Err(RuleError::BadFeedbackSource(_))
        ));
        let accept = Event::ProposalAccepted {
            id: "a".into(),
            actor: "ann".into(),
            reason: None,
            applied: false,
        };
        state.apply(&accept, "t").unwrap();
        assert_eq!(entry(Decision::Accept, "ann").validate(&state), Ok(()));
    }
}
