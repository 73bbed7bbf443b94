//! What a reconcile run reports (human and JSON), the category guidance of the seed's
//! reconciliation state, and the `MomentReconcileCompleted` signal.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::ReconcileError;
use crate::state::{time, ProposalRecord, RecordingPlan};
use crate::workspace::{Config, EVENTS_DIR};

/// The result of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReconcileResult {
    /// Every category-1 fix was applied and nothing else drifts.
    Applied,
    /// Drift remains, none of it breaking.
    Drift,
    /// Breaking drift remains (category 3).
    Breaking,
    /// Nothing drifts and nothing was applied.
    NoChanges,
}

impl ReconcileResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ReconcileResult::Applied => "APPLIED",
            ReconcileResult::Drift => "DRIFT",
            ReconcileResult::Breaking => "BREAKING",
            ReconcileResult::NoChanges => "NO_CHANGES",
        }
    }

    pub fn parse(s: &str) -> Option<ReconcileResult> {
        [
            ReconcileResult::Applied,
            ReconcileResult::Drift,
            ReconcileResult::Breaking,
            ReconcileResult::NoChanges,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    /// From what remains after the run and whether anything was applied.
    pub fn decide(remaining_max_category: Option<u8>, applied_any: bool) -> ReconcileResult {
        match remaining_max_category {
            None if applied_any => ReconcileResult::Applied,
            None => ReconcileResult::NoChanges,
            Some(3) => ReconcileResult::Breaking,
            Some(_) => ReconcileResult::Drift,
        }
    }

    /// The exit code: `reconcileExitCodes` from the config, else 0 / 0 / 1 / 0.
    pub fn exit_code(self, config: &Config) -> i32 {
        let configured = config
            .reconcile_exit_codes
            .as_ref()
            .and_then(|m| m.get(self.as_str()).copied());
        configured.unwrap_or(if self == ReconcileResult::Breaking {
            1
        } else {
            0
        })
    }
}

/// The seed's category descriptions and required actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryGuidance {
    pub category: u8,
    pub description: &'static str,
    pub required_actions: Vec<&'static str>,
}

pub fn guidance(category: u8) -> Option<CategoryGuidance> {
    let (description, required_actions) = match category {
        1 => (
            "Deterministic re-projection",
            vec!["apply the generated fixes (moment-sync reconcile --apply)"],
        ),
        2 => (
            "Structural drift detected",
            vec!["review affected flows", "update stale references"],
        ),
        3 => (
            "Breaking change",
            vec!["resolve dangling references", "update or remove flows"],
        ),
        _ => return None,
    };
    Some(CategoryGuidance {
        category,
        description,
        required_actions,
    })
}

/// One proposal as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProposalView {
    #[serde(flatten)]
    pub record: ProposalRecord,
    pub status: String,
    /// "consumed by 3 files in 2 services".
    pub consumers: String,
}

/// The report of one run (`reconcile --json` prints it).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileReport {
    pub schema_version: u32,
    pub root: String,
    pub run_id: String,
    pub result: ReconcileResult,
    /// The highest category found (0 when none).
    pub cascade_category: u8,
    pub guidance: Vec<CategoryGuidance>,
    /// Fixes applied by this run: proposal ids.
    pub applied: Vec<String>,
    /// Every drift point still shown, plus the applied ones.
    pub proposals: Vec<ProposalView>,
    /// Proposals whose drift disappeared.
    pub resolved: Vec<String>,
    /// Drift points hidden because they were rejected.
    pub suppressed: usize,
    pub actions: Vec<String>,
    /// The interrupted run this one finished.
    pub resumed: Option<String>,
    /// The interrupted run this one abandoned.
    pub aborted: Option<String>,
    /// The `MomentReconcileCompleted` signal written (root-relative).
    pub signal: Option<String>,
    /// Applied fixes whose proposal was decided otherwise while the run was interrupted
    /// (the decision stands), one line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<String>,
}

/// The actions of a run: what was applied, then what each remaining category requires.
pub fn actions(plan: &RecordingPlan) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in &plan.applied {
        if let Some(p) = plan.proposals.iter().find(|p| &p.id == id) {
            out.push(format!("applied {id}: {}", p.message));
        }
    }
    let mut categories: Vec<u8> = plan
        .proposals
        .iter()
        .filter(|p| !plan.applied.contains(&p.id))
        .map(|p| p.category)
        .collect();
    categories.sort_unstable();
    categories.dedup();
    for c in categories {
        if let Some(g) = guidance(c) {
            let n = plan
                .proposals
                .iter()
                .filter(|p| p.category == c && !plan.applied.contains(&p.id))
                .count();
            out.push(format!(
                "category {c} ({}), {n} point{}: {}",
                g.description,
                if n == 1 { "" } else { "s" },
                g.required_actions.join("; ")
            ));
        }
    }
    out
}

/// Human rendering.
pub fn render_human(r: &ReconcileReport) -> String {
    let mut out = String::new();
    if let Some(id) = &r.aborted {
        let _ = writeln!(
            out,
            "aborted interrupted reconciliation {id} (it had changed nothing)"
        );
    }
    if let Some(id) = &r.resumed {
        let _ = writeln!(out, "resumed interrupted reconciliation {id}");
    }
    for line in &r.overridden {
        let _ = writeln!(out, "decided during the run: {line}");
    }
    for id in &r.applied {
        if let Some(p) = r.proposals.iter().find(|p| &p.record.id == id) {
            let _ = writeln!(out, "applied  {id}  {}", p.record.message);
        }
    }
    for g in &r.guidance {
        let shown: Vec<&ProposalView> = r
            .proposals
            .iter()
            .filter(|p| p.record.category == g.category && !r.applied.contains(&p.record.id))
            .collect();
        if shown.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "category {} — {}: {}",
            g.category,
            g.description,
            g.required_actions.join("; ")
        );
        for p in shown {
            let _ = writeln!(
                out,
                "  {}  {:<10} {:<19} {}  [{}; {}; {}]",
                p.record.id,
                p.status,
                p.record.kind,
                p.record.message,
                p.record.direction,
                p.record.source.describe(),
                p.consumers
            );
        }
    }
    if !r.resolved.is_empty() {
        let _ = writeln!(
            out,
            "resolved {} proposal{} whose drift is gone",
            r.resolved.len(),
            if r.resolved.len() == 1 { "" } else { "s" }
        );
    }
    if r.suppressed > 0 {
        let _ = writeln!(
            out,
            "{} rejected drift point{} suppressed",
            r.suppressed,
            if r.suppressed == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(
        out,
        "{} (cascade category {})",
        r.result.as_str(),
        r.cascade_category
    );
    out
}

/// Writes the `MomentReconcileCompleted` signal under `.complai/events/moment/` with a name
/// that cannot collide (timestamp, pid and a random UUID); returns its root-relative path.
pub fn write_signal(
    root: &Path,
    run_id: &str,
    trigger: Option<&str>,
    result: ReconcileResult,
    category: u8,
) -> Result<String, ReconcileError> {
    let now = time::now_iso();
    let event_id = uuid::Uuid::new_v4();
    let envelope = serde_json::json!({
        "eventId": event_id.to_string(),
        "eventType": "MomentReconcileCompleted",
        "version": 1,
        "productSource": "moment-sync",
        "sessionId": run_id,
        "causationEventIds": trigger.map(|t| vec![t.to_string()]).unwrap_or_default(),
        "correlationId": run_id,
        "timestamp": now,
        "payload": { "reconcileResult": result.as_str(), "cascadeCategory": category },
    });
    let stamp: String = now.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let name = format!(
        "moment-reconcile-{stamp}-{}-{}.jsonl",
        std::process::id(),
        event_id.simple()
    );
    let rel = format!("{EVENTS_DIR}/{name}");
    let path: PathBuf = root.join(&rel);
    // Written through a temporary file and a rename: readers never see half a line.
    crate::fix::write_atomically(&path, &format!("{envelope}\n"))
        .map_err(|source| ReconcileError::Write { path, source })?;
    Ok(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_and_exit_codes() {
        assert_eq!(
            ReconcileResult::decide(None, true),
            ReconcileResult::Applied
        );
        assert_eq!(
            ReconcileResult::decide(None, false),
            ReconcileResult::NoChanges
        );
        assert_eq!(
            ReconcileResult::decide(Some(1), true),
            ReconcileResult::Drift
        );
        assert_eq!(
            ReconcileResult::decide(Some(3), false),
            ReconcileResult::Breaking
        );
        let mut config = Config::default();
        assert_eq!(ReconcileResult::Breaking.exit_code(&config), 1);
        assert_eq!(ReconcileResult::Drift.exit_code(&config), 0);
        config.reconcile_exit_codes = Some([("DRIFT".to_string(), 3)].into());
        assert_eq!(ReconcileResult::Drift.exit_code(&config), 3);
    }

    #[test]
    fn signals_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let a = write_signal(dir.path(), "r", Some("e1"), ReconcileResult::Drift, 2).unwrap();
        let b = write_signal(dir.path(), "r", None, ReconcileResult::Drift, 2).unwrap();
        assert_ne!(a, b);
        let line = std::fs::read_to_string(dir.path().join(&a)).unwrap();
        let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(v["eventType"], "MomentReconcileCompleted");
        assert_eq!(v["payload"]["reconcileResult"], "DRIFT");
        assert_eq!(v["causationEventIds"][0], "e1");
        assert!(crate::state::time::parse_iso(v["timestamp"].as_str().unwrap()).is_some());
    }
}
