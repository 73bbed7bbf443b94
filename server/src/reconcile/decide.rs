//! Decisions on drift points: accept (apply the fix, or record feedback for the spec when the
//! implementation is ahead), reject (suppress until a side changes it), skip (ask again later).

use serde::Serialize;

use super::feedback::{record_for, Attribution, Roles};
use super::{apply_fixes, ReconcileError};
use crate::drift::Direction;
use crate::state::check::{self, Mode, StatefulCheck};
use crate::state::{
    resolve_id, time, Decision, Event, FeedbackType, JournalEntry, ProposalRecord, StateDir,
    Status, Tx,
};
use crate::workspace::Workspace;

/// What one decision did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecideOutcome {
    pub id: String,
    pub decision: Decision,
    pub status: Status,
    /// The fix written to the implementation, when accepting edited a file.
    pub applied_fix: Option<String>,
    pub feedback_type: FeedbackType,
    /// One line for humans.
    pub message: String,
}

/// Decides each id (a full id or a unique prefix, as `check` prints them) in order. Accepting
/// a spec-ahead or conflicting point applies its preferred fix first; the state is then
/// re-read, so several accepts in one call never use stale positions.
pub fn decide(
    ws: &Workspace,
    ids: &[String],
    decision: Decision,
    reason: Option<String>,
    actor: &str,
) -> Result<Vec<DecideOutcome>, ReconcileError> {
    decide_with(ws, ids, decision, reason, actor, true)
}

/// [`decide`], with `apply_fix: false` for a caller that applied (or will apply) the fix itself —
/// the language server's quick fixes edit the open document and then record the acceptance.
/// The acceptance is then recorded as applied, without touching any file.
pub fn decide_with(
    ws: &Workspace,
    ids: &[String],
    decision: Decision,
    reason: Option<String>,
    actor: &str,
    apply_fix: bool,
) -> Result<Vec<DecideOutcome>, ReconcileError> {
    let sd = StateDir::of(&ws.root);
    // Check, apply and record under one lock: a concurrent decide or reconcile waits, so the
    // text a fix is planned on is the text it is applied to.
    let _run = sd.run_lock()?;
    crate::workspace::clean_leftovers(ws);
    let mut out = Vec::new();
    let mut current = check::run(ws, Mode::Always, &|| {})?;
    for prefix in ids {
        let mut attempts = 0;
        let (outcome, edited) = loop {
            let decided = decide_one(
                ws,
                &sd,
                &current,
                prefix,
                decision,
                reason.clone(),
                actor,
                apply_fix,
            );
            match decided {
                // Another program (an editor) wrote the file since the check: re-plan.
                Err(ReconcileError::Changed { .. }) if attempts < MAX_REPLANS => {
                    attempts += 1;
                    current = check::run(ws, Mode::Always, &|| {})?;
                }
                other => break other?,
            }
        };
        out.push(outcome);
        if edited {
            current = check::run(ws, Mode::Always, &|| {})?;
        }
    }
    Ok(out)
}

/// How often a decision re-plans when its file changed under it before giving up.
const MAX_REPLANS: usize = 3;

#[allow(clippy::too_many_arguments)]
fn decide_one(
    ws: &Workspace,
    sd: &StateDir,
    current: &StatefulCheck,
    prefix: &str,
    decision: Decision,
    reason: Option<String>,
    actor: &str,
    apply_fix: bool,
) -> Result<(DecideOutcome, bool), ReconcileError> {
    let points = current
        .analysis
        .points
        .iter()
        .chain(current.suppressed.iter());
    let candidates: Vec<&str> = points
        .map(|p| p.id.as_str())
        .chain(current.state.proposals.keys().map(String::as_str))
        .collect();
    let id = resolve_id(prefix, candidates)?;
    let point = current
        .analysis
        .points
        .iter()
        .chain(current.suppressed.iter())
        .find(|p| p.id == id);
    let record: ProposalRecord = match (current.state.proposals.get(&id), point) {
        (Some(p), _) => p.record.clone(),
        (None, Some(point)) => {
            let roles = Roles::of(&current.spec);
            let attribution = Attribution::new(
                current.base.as_ref().map(|b| &b.shapes),
                &current.spec,
                &current.implementation,
                None,
            );
            record_for(point, attribution.source(point), &roles)
        }
        (None, None) => return Err(crate::state::StateError::UnknownId(prefix.to_string()).into()),
    };
    if let Some(p) = current
        .state
        .proposals
        .get(&id)
        .filter(|p| !p.status.is_open())
    {
        let source = crate::state::RuleError::NotOpen {
            id: id.clone(),
            status: p.status.as_str(),
        };
        return Err(crate::state::StateError::Rule {
            path: sd.log_path(),
            source,
        }
        .into());
    }
    // Accepting edits the implementation unless the implementation is ahead (then the change
    // is feedback for the spec and nothing is edited).
    let mut applied_fix = None;
    if let (Decision::Accept, Some(point)) = (decision, point) {
        if point.direction != Direction::ImplAhead {
            if let (Some(fix), false) = (point.fixes.first(), apply_fix) {
                // Applied by the caller.
                applied_fix = Some(fix.title.clone());
            } else if let Some(fix) = point.fixes.first() {
                if apply_fixes(ws, &current.analysis, &[point])?.contains(&point.id) {
                    applied_fix = Some(fix.title.clone());
                }
            }
        }
    }
    let edited = applied_fix.is_some() && apply_fix;
    let outcome = record_in(sd, record, decision, reason, actor, applied_fix)?;
    Ok((outcome, edited))
}

/// Records a decision on a proposal whose facts the caller knows: the language server records
/// the acceptance of a quick fix with the point as the editor's buffers showed it (the files on
/// disk may not have it: an unsaved spec, or the fix already saved). `applied_fix` names the
/// fix the caller applied.
pub fn record_decision(
    ws: &Workspace,
    record: ProposalRecord,
    decision: Decision,
    reason: Option<String>,
    actor: &str,
    applied_fix: Option<String>,
) -> Result<DecideOutcome, ReconcileError> {
    let sd = StateDir::of(&ws.root);
    if sd.exists() {
        let state = sd.load()?;
        if let Some(p) = state
            .proposals
            .get(&record.id)
            .filter(|p| !p.status.is_open())
        {
            let source = crate::state::RuleError::NotOpen {
                id: record.id.clone(),
                status: p.status.as_str(),
            };
            return Err(crate::state::StateError::Rule {
                path: sd.log_path(),
                source,
            }
            .into());
        }
    }
    record_in(&sd, record, decision, reason, actor, applied_fix)
}

fn record_in(
    sd: &StateDir,
    record: ProposalRecord,
    decision: Decision,
    reason: Option<String>,
    actor: &str,
    applied_fix: Option<String>,
) -> Result<DecideOutcome, ReconcileError> {
    let id = record.id.clone();
    let at = time::now_iso();
    let run_id = uuid::Uuid::new_v4().to_string();
    let entry = JournalEntry::new(
        &record,
        decision,
        actor,
        reason.clone(),
        applied_fix.is_some(),
        &at,
        &run_id,
    );
    let rec = record.clone();
    let was_applied = applied_fix.is_some();
    let state = sd.transact(move |state| {
        let mut events = Vec::new();
        if !state.proposals.contains_key(&rec.id) {
            events.push(Event::ProposalRecorded {
                proposal: rec.clone(),
            });
        }
        let (id, actor) = (rec.id.clone(), actor.to_string());
        events.push(match decision {
            Decision::Accept => Event::ProposalAccepted {
                id,
                actor,
                reason,
                applied: was_applied,
            },
            Decision::Reject => Event::ProposalRejected { id, actor, reason },
            Decision::Skip => Event::ProposalSkipped { id, actor, reason },
        });
        Ok(Tx {
            events,
            journal: vec![entry],
        })
    })?;
    let status = state
        .proposals
        .get(&id)
        .map(|p| p.status)
        .unwrap_or(Status::Pending);
    let message = match (decision, &applied_fix) {
        (Decision::Accept, Some(title)) => format!("accepted {id}: {title}"),
        (Decision::Accept, None) if record.direction == Direction::ImplAhead.as_str() => format!(
            "accepted {id} as {} feedback for the spec (nothing edited)",
            record.feedback_type.as_str()
        ),
        (Decision::Accept, None) => {
            format!(
                "accepted {id}; no fix could be applied automatically: edit {} by hand",
                qualified(&record)
            )
        }
        (Decision::Reject, _) => format!(
            "rejected {id}: suppressed until either side changes {}",
            qualified(&record)
        ),
        (Decision::Skip, _) => format!("skipped {id}: it will be shown again"),
    };
    let outcome = DecideOutcome {
        id,
        decision,
        status,
        applied_fix,
        feedback_type: record.feedback_type,
        message,
    };
    Ok(outcome)
}

fn qualified(r: &ProposalRecord) -> String {
    match &r.member {
        Some(m) => format!("{}.{m}", r.symbol),
        None => r.symbol.clone(),
    }
}
