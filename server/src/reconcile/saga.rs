//! The push-flow saga: Diffing → Proposing → Recording → Committing → Complete (or Aborted).
//!
//! Each step is an event in the state log before its work is done, and each step's work is
//! idempotent, so a run interrupted anywhere is finished by the next `reconcile`:
//!
//! | interrupted in | next run |
//! |---|---|
//! | Diffing (nothing written yet) | aborts it and starts afresh |
//! | Proposing (fixes may be half applied) | re-applies the planned fixes still needed, continues |
//! | Recording | records what is not recorded yet (the plan is in the log), continues |
//! | Committing (base written) | advances the cursor and completes, in one transaction |

use std::collections::BTreeSet;

use super::feedback::{record_for, Attribution, Roles};
use super::report::{self, guidance, ProposalView, ReconcileReport, ReconcileResult};
use super::{apply_fixes, ReconcileError};
use crate::drift::base::{next_base, side_shapes};
use crate::drift::{Category, Direction};
use crate::state::check::{self, Mode, StatefulCheck};
use crate::state::{
    bases, time, ActiveRun, BaseFile, Cursor, Decision, Event, JournalEntry, ProposalRecord,
    RecordingPlan, SagaStep, StateDir, Tx,
};
use crate::workspace::Workspace;

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct ReconcileOptions {
    /// Apply category-1 fixes.
    pub apply: bool,
    /// The upstream event that triggered the run (its id), for attribution and causation.
    pub trigger: Option<String>,
    /// Who accepts the applied fixes.
    pub actor: String,
    /// Test hook: stop (as if the process died) after this step's work, before the next step
    /// is recorded.
    pub interrupt_after: Option<SagaStep>,
}

/// The run being carried out.
struct Run<'a> {
    ws: &'a Workspace,
    sd: StateDir,
    id: String,
    apply: bool,
    trigger: Option<String>,
    actor: String,
    interrupt_after: Option<SagaStep>,
}

impl Run<'_> {
    fn checkpoint(&self, step: SagaStep) -> Result<(), ReconcileError> {
        if self.interrupt_after == Some(step) {
            return Err(ReconcileError::Interrupted(step));
        }
        Ok(())
    }

    fn step(
        &self,
        step: SagaStep,
        planned: Vec<ProposalRecord>,
        plan: Option<RecordingPlan>,
    ) -> Result<(), ReconcileError> {
        self.sd.append(vec![Event::ReconcileStepped {
            run_id: self.id.clone(),
            step,
            planned,
            plan,
        }])?;
        Ok(())
    }

    fn check(&self) -> Result<StatefulCheck, ReconcileError> {
        Ok(check::run(self.ws, Mode::Always, &|| {})?)
    }
}

/// Runs the whole push flow on `ws` (resuming an interrupted run first, if there is one).
pub fn reconcile(
    ws: &Workspace,
    opts: &ReconcileOptions,
) -> Result<ReconcileReport, ReconcileError> {
    let sd = StateDir::of(&ws.root);
    // One run at a time, and no decision between its steps (see `decide`).
    let _run = sd.run_lock()?;
    crate::workspace::clean_leftovers(ws);
    let state = sd.load()?;
    let mut aborted = None;
    if let Some(active) = state.reconciliation.active.clone() {
        if active.step == SagaStep::Diffing {
            let reason = "interrupted while diffing; nothing had been changed".to_string();
            sd.append(vec![Event::ReconcileAborted {
                run_id: active.run_id.clone(),
                reason,
            }])?;
            aborted = Some(active.run_id);
        } else {
            return resume(ws, sd, active, opts);
        }
    }
    let run = Run {
        ws,
        sd,
        id: uuid::Uuid::new_v4().to_string(),
        apply: opts.apply,
        trigger: opts.trigger.clone(),
        actor: opts.actor.clone(),
        interrupt_after: opts.interrupt_after,
    };
    let mut report = start(&run)?;
    report.aborted = aborted;
    Ok(report)
}

fn resume(
    ws: &Workspace,
    sd: StateDir,
    active: ActiveRun,
    opts: &ReconcileOptions,
) -> Result<ReconcileReport, ReconcileError> {
    let run = Run {
        ws,
        sd,
        id: active.run_id.clone(),
        apply: active.apply,
        trigger: active.trigger.clone(),
        actor: opts.actor.clone(),
        interrupt_after: opts.interrupt_after,
    };
    let mut report = match (active.step, active.plan) {
        (SagaStep::Proposing, _) => proposing(&run, active.planned, None)?,
        (SagaStep::Recording, Some(plan)) => recording(&run, plan, None)?,
        (SagaStep::Committing, Some(plan)) => committing(&run, plan, None)?,
        // A plan-less Recording/Committing cannot be written by this code; start over cleanly.
        (step, _) => {
            let reason = format!("interrupted at {step:?} without a recorded plan");
            run.sd.append(vec![Event::ReconcileAborted {
                run_id: run.id.clone(),
                reason,
            }])?;
            let mut fresh = Run {
                id: uuid::Uuid::new_v4().to_string(),
                apply: opts.apply,
                trigger: opts.trigger.clone(),
                ..run
            };
            fresh.interrupt_after = opts.interrupt_after;
            let mut report = start(&fresh)?;
            report.aborted = Some(active.run_id);
            return Ok(report);
        }
    };
    report.resumed = Some(active.run_id);
    Ok(report)
}

/// Diffing: detect and classify; then plan the category-1 fixes.
fn start(run: &Run<'_>) -> Result<ReconcileReport, ReconcileError> {
    let found = run.check()?;
    let (spec_hash, _) = found.fingerprints.side_hashes();
    run.sd.append(vec![Event::ReconcileStarted {
        run_id: run.id.clone(),
        specification_id: run.ws.generated_dir.clone(),
        content_hash: spec_hash,
        apply: run.apply,
        trigger: run.trigger.clone(),
    }])?;
    run.checkpoint(SagaStep::Diffing)?;
    let planned = if run.apply {
        planned_fixes(run, &found)
    } else {
        vec![]
    };
    run.step(SagaStep::Proposing, planned.clone(), None)?;
    proposing(run, planned, Some(found))
}

/// Category-1 points the implementation should follow, with a fix.
fn planned_fixes(run: &Run<'_>, found: &StatefulCheck) -> Vec<ProposalRecord> {
    let roles = Roles::of(&found.spec);
    let attribution = Attribution::new(
        found.base.as_ref().map(|b| &b.shapes),
        &found.spec,
        &found.implementation,
        run.trigger.as_deref(),
    );
    found
        .analysis
        .points
        .iter()
        .filter(|p| {
            p.category == Category::CleanApply
                && p.direction == Direction::SpecAhead
                && !p.fixes.is_empty()
        })
        .filter(|p| {
            found
                .state
                .proposals
                .get(&p.id)
                .is_none_or(|q| q.status.is_open())
        })
        .map(|p| record_for(p, attribution.source(p), &roles))
        .collect()
}

/// Proposing: apply the planned fixes still needed (a planned point that no longer drifts was
/// fixed by the interrupted attempt), then decide what to record.
///
/// `prior` is a check of the same files made earlier in this process (a resumed run has none):
/// the saga's own events change neither the files nor the decisions a check depends on.
fn proposing(
    run: &Run<'_>,
    planned: Vec<ProposalRecord>,
    prior: Option<StatefulCheck>,
) -> Result<ReconcileReport, ReconcileError> {
    let before = match prior {
        Some(c) => c,
        None => run.check()?,
    };
    let planned_ids: BTreeSet<&str> = planned.iter().map(|p| p.id.as_str()).collect();
    let todo: Vec<&crate::drift::DriftPoint> = before
        .analysis
        .points
        .iter()
        .filter(|p| planned_ids.contains(p.id.as_str()))
        .collect();
    let written: BTreeSet<String> = apply_fixes(run.ws, &before.analysis, &todo)?
        .into_iter()
        .collect();
    let present: BTreeSet<&str> = todo.iter().map(|p| p.id.as_str()).collect();
    let applied: Vec<ProposalRecord> = planned
        .into_iter()
        .filter(|p| written.contains(&p.id) || !present.contains(p.id.as_str()))
        .collect();
    run.checkpoint(SagaStep::Proposing)?;
    let after = if written.is_empty() {
        before
    } else {
        run.check()?
    };
    let plan = make_plan(run, &after, applied);
    run.step(SagaStep::Recording, vec![], Some(plan.clone()))?;
    recording(run, plan, Some(after))
}

fn make_plan(run: &Run<'_>, after: &StatefulCheck, applied: Vec<ProposalRecord>) -> RecordingPlan {
    let roles = Roles::of(&after.spec);
    let attribution = Attribution::new(
        after.base.as_ref().map(|b| &b.shapes),
        &after.spec,
        &after.implementation,
        run.trigger.as_deref(),
    );
    let applied_ids: Vec<String> = applied.iter().map(|p| p.id.clone()).collect();
    let mut proposals = applied;
    for p in &after.analysis.points {
        if !applied_ids.contains(&p.id) {
            proposals.push(record_for(p, attribution.source(p), &roles));
        }
    }
    let shown: BTreeSet<&str> = proposals.iter().map(|p| p.id.as_str()).collect();
    let resolved = after
        .state
        .proposals
        .values()
        .filter(|p| p.status.is_open() && !shown.contains(p.record.id.as_str()))
        .map(|p| p.record.id.clone())
        .collect();
    let remaining = after
        .analysis
        .points
        .iter()
        .map(|p| p.category.number())
        .max();
    let result = ReconcileResult::decide(remaining, !applied_ids.is_empty());
    let cascade_category = proposals.iter().map(|p| p.category).max().unwrap_or(0);
    RecordingPlan {
        proposals,
        applied: applied_ids,
        resolved,
        result: result.as_str().to_string(),
        cascade_category,
    }
}

/// Recording: proposals, acceptances of the applied fixes (journaled), resolutions. Idempotent:
/// whatever the state already holds is not written again.
fn recording(
    run: &Run<'_>,
    plan: RecordingPlan,
    prior: Option<StatefulCheck>,
) -> Result<ReconcileReport, ReconcileError> {
    let at = time::now_iso();
    let state = run.sd.transact(|state| {
        let mut tx = Tx::default();
        for p in &plan.proposals {
            if !state.proposals.contains_key(&p.id) {
                tx.events.push(Event::ProposalRecorded {
                    proposal: p.clone(),
                });
            }
        }
        for id in &plan.applied {
            let open = state.proposals.get(id).is_none_or(|p| p.status.is_open());
            if let (true, Some(record)) = (open, plan.proposals.iter().find(|p| &p.id == id)) {
                let reason = Some("category-1 fix applied by reconcile".to_string());
                tx.events.push(Event::ProposalAccepted {
                    id: id.clone(),
                    actor: run.actor.clone(),
                    reason: reason.clone(),
                    applied: true,
                });
                tx.journal.push(JournalEntry::new(
                    record,
                    Decision::Accept,
                    &run.actor,
                    reason,
                    true,
                    &at,
                    &run.id,
                ));
            }
        }
        for id in &plan.resolved {
            if state.proposals.get(id).is_some_and(|p| p.status.is_open()) {
                tx.events.push(Event::ProposalResolved { id: id.clone() });
            }
        }
        Ok(tx)
    })?;
    // The seed's rule: every applied fix is recorded as an accepted proposal — unless a
    // decision was recorded between Proposing and Recording (a run killed there, then `decide
    // reject`): that decision stands, and the report names it. Only a fix left undecided is an
    // error.
    let decided = plan
        .applied
        .iter()
        .filter(|id| {
            state
                .proposals
                .get(*id)
                .is_some_and(|p| !p.status.is_open())
        })
        .count();
    if decided != plan.applied.len() {
        return Err(crate::state::StateError::Invalid(format!(
            "recorded {decided} decisions for {} applied fixes",
            plan.applied.len()
        ))
        .into());
    }
    run.checkpoint(SagaStep::Recording)?;
    run.step(SagaStep::Committing, vec![], None)?;
    committing(run, plan, prior)
}

/// Committing: record the new base and advance the cursor (once per run), then complete and
/// signal.
fn committing(
    run: &Run<'_>,
    plan: RecordingPlan,
    prior: Option<StatefulCheck>,
) -> Result<ReconcileReport, ReconcileError> {
    let now = match prior {
        Some(c) => c,
        None => run.check()?,
    };
    let advanced = now
        .state
        .cursor
        .as_ref()
        .is_some_and(|c| c.run_id.as_deref() == Some(run.id.as_str()));
    let (cursor, base_id) = record_base(run, &now)?;
    run.checkpoint(SagaStep::Committing)?;
    let actions = report::actions(&plan);
    // The cursor advances only together with completion (the seed's saga rule): one transaction.
    let mut events = Vec::new();
    if !advanced {
        events.push(Event::CursorAdvanced { cursor });
    }
    events.push(Event::ReconcileCompleted {
        run_id: run.id.clone(),
        result: plan.result.clone(),
        cascade_category: plan.cascade_category,
        actions: actions.clone(),
    });
    run.sd.append(events)?;
    let bases_dir = run.sd.bases_dir();
    run.sd.transact(|_| {
        bases::prune(&bases_dir, &base_id);
        Ok(Tx::default())
    })?;
    let result = ReconcileResult::parse(&plan.result).unwrap_or(ReconcileResult::Drift);
    let signal = report::write_signal(
        &run.ws.root,
        &run.id,
        run.trigger.as_deref(),
        result,
        plan.cascade_category,
    )?;
    Ok(build_report(run, &now, plan, result, actions, signal))
}

/// Writes the base of this sync (the agreed shapes, see `drift::base::next_base`) and returns
/// the cursor that will name it.
fn record_base(run: &Run<'_>, now: &StatefulCheck) -> Result<(Cursor, String), ReconcileError> {
    let drifted: Vec<crate::drift::DriftPoint> = now
        .analysis
        .points
        .iter()
        .chain(now.suppressed.iter())
        .cloned()
        .collect();
    let shapes = next_base(
        now.base.as_ref().map(|b| &b.shapes),
        &side_shapes(&now.spec),
        &side_shapes(&now.implementation),
        &drifted,
    );
    let base = BaseFile {
        files: now.fingerprints.clone(),
        shapes,
    };
    let base_id = bases::write(&run.sd.bases_dir(), &base)?;
    let (specification_hash, implementation_hash) = base.files.side_hashes();
    let cursor = Cursor {
        specification_hash,
        implementation_hash,
        timestamp: time::now_iso(),
        last_processed_file: run.trigger.clone(),
        base_id: base_id.clone(),
        run_id: Some(run.id.clone()),
    };
    Ok((cursor, base_id))
}

fn build_report(
    run: &Run<'_>,
    now: &StatefulCheck,
    plan: RecordingPlan,
    result: ReconcileResult,
    actions: Vec<String>,
    signal: String,
) -> ReconcileReport {
    let state = run.sd.load().unwrap_or_else(|_| now.state.clone());
    let consumers = |symbol: &str| {
        now.consumers
            .as_ref()
            .map(|c| c.summary_for(symbol))
            .unwrap_or_default()
    };
    let proposals = plan
        .proposals
        .iter()
        .map(|r| ProposalView {
            status: state
                .proposals
                .get(&r.id)
                .map(|p| p.status.as_str())
                .unwrap_or("pending")
                .to_string(),
            consumers: consumers(&r.symbol),
            record: r.clone(),
        })
        .collect();
    let mut categories: Vec<u8> = plan.proposals.iter().map(|p| p.category).collect();
    categories.sort_unstable();
    categories.dedup();
    let overridden = plan
        .applied
        .iter()
        .filter_map(|id| {
            let p = state.proposals.get(id)?;
            (p.status != crate::state::Status::Accepted).then(|| {
                format!(
                    "{id} was {} while this run applied its fix; that decision stands and the fix is in {}: undo it by hand if it should not be",
                    p.status.as_str(),
                    p.record.implementation_path.as_deref().unwrap_or("the implementation")
                )
            })
        })
        .collect();
    ReconcileReport {
        overridden,
        schema_version: 1,
        root: run.ws.root.to_string_lossy().replace('\\', "/"),
        run_id: run.id.clone(),
        result,
        cascade_category: plan.cascade_category,
        guidance: categories.into_iter().filter_map(guidance).collect(),
        applied: plan.applied,
        proposals,
        resolved: plan.resolved,
        suppressed: now.suppressed.len(),
        actions,
        resumed: None,
        aborted: None,
        signal: Some(signal),
    }
}
