//! The body of `reconcile` (the command and the MCP server's `moment_reconcile`): the trigger
//! from the upstream stream (unless given), the saga, then the stream's cursor.

use crate::events::EventStream;
use crate::reconcile::{self, report, ReconcileOptions};
use crate::state::SagaStep;

/// This command's cursor in the upstream event stream.
const EVENTS_CONSUMER: &str = "reconcile";

/// The upstream event stream, or `None` (with a warning) when its cursor cannot be read.
fn open_stream(root: &std::path::Path) -> Option<EventStream> {
    EventStream::open(root, EVENTS_CONSUMER)
        .inspect_err(|e| eprintln!("moment-sync: warning: upstream events not read: {e}"))
        .ok()
}

/// The id of the newest event that arrived since the last completed reconcile, ignoring this
/// tool's own `MomentReconcileCompleted` signals. Malformed lines are reported and skipped.
fn newest_upstream_event(stream: &mut EventStream) -> Option<String> {
    let batch = stream
        .read_new()
        .inspect_err(|e| eprintln!("moment-sync: warning: upstream events not read: {e}"))
        .ok()?;
    for issue in &batch.issues {
        eprintln!("moment-sync: warning: {issue}");
    }
    batch
        .events
        .iter()
        .rev()
        .find(|e| e.envelope.event_type != "MomentReconcileCompleted")
        .map(|e| e.envelope.event_id.clone())
}

/// One reconcile run as the command does it: the trigger from the upstream stream (unless
/// given), the saga, then the stream's cursor.
pub fn execute(
    ws: &crate::workspace::Workspace,
    apply: bool,
    trigger_event: Option<String>,
    actor: Option<String>,
    interrupt_after: Option<SagaStep>,
) -> anyhow::Result<report::ReconcileReport> {
    let actor = match actor {
        Some(a) => a,
        None => reconcile::default_actor(&ws.root)?,
    };
    let mut stream = match &trigger_event {
        Some(_) => None,
        None => open_stream(&ws.root),
    };
    let trigger = trigger_event.or_else(|| stream.as_mut().and_then(newest_upstream_event));
    let opts = ReconcileOptions {
        apply,
        trigger,
        actor,
        interrupt_after,
    };
    let r = reconcile::reconcile(ws, &opts)?;
    // Only a completed run consumes the events (a crash re-delivers them: at least once).
    if let Some(Err(e)) = stream.as_mut().map(EventStream::save) {
        eprintln!("moment-sync: warning: {e}");
    }
    Ok(r)
}
