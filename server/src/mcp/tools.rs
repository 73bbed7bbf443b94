//! The MCP tools. Each runs its blocking work off the async runtime and answers one text item
//! of JSON.

use std::path::PathBuf;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool, tool_handler, tool_router, ServerHandler};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::ops::fix::{self as fix_cmd, Selection};
use crate::state::Decision;
use crate::workspace::{Config, Workspace};

/// A tool failure: a stable code for programs, a sentence for people.
#[derive(Debug)]
struct ToolError {
    code: &'static str,
    message: String,
}

impl ToolError {
    fn new(code: &'static str, message: impl Into<String>) -> ToolError {
        ToolError {
            code,
            message: message.into(),
        }
    }

    /// Classifies an engine error by its type.
    fn from_anyhow(e: anyhow::Error) -> ToolError {
        let code = if e
            .downcast_ref::<crate::workspace::WorkspaceError>()
            .is_some()
        {
            "WORKSPACE_ERROR"
        } else if e.downcast_ref::<std::io::Error>().is_some() {
            "IO_ERROR"
        } else {
            "ENGINE_ERROR"
        };
        ToolError::new(code, format!("{e:#}"))
    }
}

type ToolOutcome = Result<Value, ToolError>;

fn answer(outcome: ToolOutcome) -> CallToolResult {
    match outcome {
        Ok(value) => CallToolResult::success(vec![ContentBlock::text(
            serde_json::to_string_pretty(&value).unwrap_or_default(),
        )]),
        Err(e) => CallToolResult::error(vec![ContentBlock::text(
            json!({ "errorCode": e.code, "message": e.message }).to_string(),
        )]),
    }
}

/// Runs `work` on the blocking pool (the engine reads and parses files).
async fn blocking(work: impl FnOnce() -> ToolOutcome + Send + 'static) -> CallToolResult {
    answer(
        tokio::task::spawn_blocking(work)
            .await
            .unwrap_or_else(|e| Err(ToolError::new("INTERNAL_ERROR", e.to_string()))),
    )
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RootParams {
    /// Project root (default: the server's root).
    pub root: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckParams {
    /// Project root (default: the server's root).
    pub root: Option<String>,
    /// Only drift points located in this root-relative file.
    pub path: Option<String>,
    /// Only drift points up to this cascade category (1 clean, 2 manageable, 3 breaking).
    #[schemars(range(min = 1, max = 3))]
    pub max_category: Option<u8>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReconcileParams {
    /// Project root (default: the server's root).
    pub root: Option<String>,
    /// Apply category-1 fixes to the implementation (default false: detect and record only).
    #[serde(default)]
    pub apply: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DecisionParam {
    Accept,
    Reject,
    Skip,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecideParams {
    /// Project root (default: the server's root).
    pub root: Option<String>,
    /// Drift ids as `moment_check` returns them (a unique prefix is enough).
    pub ids: Vec<String>,
    /// accept applies the fix; reject suppresses the point until a side changes; skip defers.
    pub decision: DecisionParam,
    /// Why (recorded with the decision).
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventsParams {
    /// Project root (default: the server's root).
    pub root: Option<String>,
    /// Only events at or after this instant (ISO-8601, or a date meaning midnight UTC).
    pub since: Option<String>,
    /// At most this many events, the newest ones.
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FixParams {
    /// Project root (default: the server's root).
    pub root: Option<String>,
    /// Fix these drift ids (unique prefixes allowed)…
    pub ids: Option<Vec<String>>,
    /// …or every drift point up to this category (default 1 when no ids are given).
    #[schemars(range(min = 1, max = 3))]
    pub max_category: Option<u8>,
    /// Return the diff without writing (default true).
    pub dry_run: Option<bool>,
}

/// The server: the tools and the root they default to.
#[derive(Debug, Clone)]
pub struct MomentMcp {
    root: PathBuf,
    #[allow(dead_code)] // read by the code `tool_handler` generates
    tool_router: ToolRouter<MomentMcp>,
}

impl MomentMcp {
    pub fn new(root: PathBuf) -> MomentMcp {
        MomentMcp {
            root,
            tool_router: Self::tool_router(),
        }
    }

    fn root_of(&self, root: Option<String>) -> PathBuf {
        root.map(PathBuf::from).unwrap_or_else(|| self.root.clone())
    }
}

fn open(root: PathBuf) -> Result<Workspace, ToolError> {
    Workspace::open(&root, &Config::default())
        .map_err(|e| ToolError::new("WORKSPACE_ERROR", e.to_string()))
}

fn category(n: Option<u8>) -> Result<Option<u8>, ToolError> {
    match n {
        Some(c) if !(1..=3).contains(&c) => Err(ToolError::new(
            "INVALID_ARGUMENT",
            format!("maxCategory must be 1, 2 or 3, not {c}"),
        )),
        other => Ok(other),
    }
}

/// `check --format json`, optionally narrowed to one file and a category.
fn check(root: PathBuf, path: Option<String>, max: Option<u8>) -> ToolOutcome {
    let max = category(max)?;
    let ws = open(root)?;
    let checked = crate::project::check(&ws, crate::project::Mode::IfRecorded, &|| ())
        .map_err(|e| ToolError::from_anyhow(e.into()))?;
    let mut analysis = checked.analysis;
    if let Some(path) = &path {
        let path = path.trim_start_matches("./").replace('\\', "/");
        analysis.points.retain(|p| {
            p.primary_location().is_some_and(|l| l.path == path)
                || p.spec.as_ref().is_some_and(|l| l.path == path)
        });
    }
    if let Some(max) = max {
        analysis.points.retain(|p| p.category.number() <= max);
    }
    let root = ws.root.to_string_lossy().replace('\\', "/");
    let report =
        crate::report::json_report(&analysis, &root, &ws.generated_dir, &ws.implementation_dir);
    let mut value = serde_json::to_value(report).map_err(|e| ToolError::from_anyhow(e.into()))?;
    value["suppressed"] = json!(checked.suppressed.len());
    Ok(value)
}

/// Upstream's status sections, answered from the engine and the recorded state.
fn status(root: PathBuf) -> ToolOutcome {
    let ws = open(root)?;
    let (recorded, warnings) =
        crate::ops::status::status_json(&ws, false, &|| ()).map_err(ToolError::from_anyhow)?;
    // stdout is the protocol: state problems the check worked around go to the log.
    for w in &warnings {
        eprintln!("moment-sync: warning: {w}");
    }
    let drift = check(ws.root.clone(), None, None)?;
    let deprecated = deprecated_fields(&ws)?;
    let snapshot = crate::git::ArtifactStore::open_at(&ws.root, &ws.generated_dir)
        .ok()
        .and_then(|store| store.history().ok())
        .and_then(|h| h.into_iter().next())
        .map(|s| json!({ "id": s.id, "message": s.message }));
    let pending = recorded["open"].as_array().map(Vec::len).unwrap_or(0);
    Ok(json!({
        "specification": {
            "generatedDir": ws.generated_dir,
            "spec": ws.spec,
            "specFiles": drift["summary"]["specFiles"],
            "specTypes": drift["summary"]["specTypes"],
        },
        "implementationSync": {
            "implementationDir": ws.implementation_dir,
            "outcome": drift["outcome"],
            "driftPoints": drift["summary"]["driftPoints"],
            "byCategory": {
                "1": drift["summary"]["category1"],
                "2": drift["summary"]["category2"],
                "3": drift["summary"]["category3"],
            },
            "lastSync": recorded["lastSync"],
            "pendingProposals": pending,
            "proposals": recorded["counts"],
            "lastReconciliation": recorded["lastReconciliation"],
            "interrupted": recorded["interrupted"],
            "specChanges": recorded["specChanges"],
            "implementationChanges": recorded["implementationChanges"],
        },
        "schemaLifecycle": { "deprecatedFields": deprecated },
        "upstreamSource": {
            "eventsDir": crate::workspace::EVENTS_DIR,
            "latestSnapshot": snapshot,
        },
        "status": recorded,
    }))
}

/// Spec-side members carrying `@deprecated`.
fn deprecated_fields(ws: &Workspace) -> Result<Vec<Value>, ToolError> {
    let files = ws
        .source_files()
        .map_err(|e| ToolError::new("WORKSPACE_ERROR", e.to_string()))?;
    let mut out = Vec::new();
    for f in files.iter().filter(|f| f.side == crate::model::Side::Spec) {
        let text = f
            .read()
            .map_err(|e| ToolError::new("WORKSPACE_ERROR", e.to_string()))?;
        let parsed = crate::syntax::parse_file(&f.rel_path, &f.rel_path, f.side, text.into());
        for decl in parsed.declarations.values() {
            if let Some(note) = &decl.deprecated {
                out.push(json!({
                    "path": f.rel_path,
                    "symbol": decl.name,
                    "member": null,
                    "note": note,
                }));
            }
            for m in decl.members() {
                if let Some(note) = &m.deprecated {
                    out.push(json!({
                        "path": f.rel_path,
                        "symbol": decl.name,
                        "member": m.name,
                        "note": note,
                    }));
                }
            }
        }
    }
    Ok(out)
}

fn reconcile(root: PathBuf, apply: bool) -> ToolOutcome {
    let ws = open(root)?;
    let r = crate::ops::reconcile::execute(&ws, apply, None, None, None)
        .map_err(ToolError::from_anyhow)?;
    let report = serde_json::to_value(&r).map_err(|e| ToolError::from_anyhow(e.into()))?;
    Ok(json!({
        "outcome": report["outcome"],
        "category": report["cascadeCategory"],
        "actions": report["actions"],
        "report": report,
    }))
}

fn decide(root: PathBuf, p: DecideParams) -> ToolOutcome {
    if p.ids.is_empty() {
        return Err(ToolError::new("INVALID_ARGUMENT", "ids is empty"));
    }
    let ws = open(root)?;
    let actor = crate::reconcile::default_actor(&ws.root)
        .map_err(|e| ToolError::new("STATE_ERROR", e.to_string()))?;
    let decision = match p.decision {
        DecisionParam::Accept => Decision::Accept,
        DecisionParam::Reject => Decision::Reject,
        DecisionParam::Skip => Decision::Skip,
    };
    let outcomes = crate::reconcile::decide(&ws, &p.ids, decision, p.reason, &actor)
        .map_err(|e| ToolError::new("DECIDE_ERROR", e.to_string()))?;
    serde_json::to_value(outcomes).map_err(|e| ToolError::from_anyhow(e.into()))
}

fn events(root: PathBuf, since: Option<String>, limit: Option<usize>) -> ToolOutcome {
    let since = since
        .as_deref()
        .map(crate::events::parse_since)
        .transpose()
        .map_err(|e| ToolError::new("INVALID_ARGUMENT", e))?;
    let stream = crate::events::EventStream::in_memory(&root).with_since(since);
    let batch = crate::events::read_all(&root, &stream.options)
        .map_err(|e| ToolError::new("EVENTS_ERROR", e.to_string()))?;
    let total = batch.events.len();
    let skip = limit.map(|l| total.saturating_sub(l)).unwrap_or(0);
    let events: Vec<Value> = batch.events[skip..].iter().map(|e| e.to_json()).collect();
    Ok(json!({
        "events": events,
        "total": total,
        "issues": batch.issues.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
    }))
}

fn fix(root: PathBuf, p: FixParams) -> ToolOutcome {
    let max = category(p.max_category)?;
    let selection = match (p.ids, max) {
        (Some(_), Some(_)) => {
            return Err(ToolError::new(
                "INVALID_ARGUMENT",
                "give either ids or maxCategory, not both",
            ))
        }
        (Some(ids), None) if ids.is_empty() => {
            return Err(ToolError::new("INVALID_ARGUMENT", "ids is empty"))
        }
        (Some(ids), None) => Selection::Ids(ids),
        (None, max) => Selection::UpTo(max.unwrap_or(1)),
    };
    let dry_run = p.dry_run.unwrap_or(true);
    let ws = open(root)?;
    let run = fix_cmd::execute(&ws, &selection, dry_run, &|| ()).map_err(ToolError::from_anyhow)?;
    if !run.unknown.is_empty() {
        return Err(ToolError::new(
            "UNKNOWN_DRIFT_ID",
            format!(
                "no single drift point matches {} (run moment_check for the ids)",
                run.unknown.join(", ")
            ),
        ));
    }
    let files: Vec<Value> = run
        .changed()
        .into_iter()
        .map(|(path, fixes, created)| json!({ "path": path, "fixes": fixes, "created": created }))
        .collect();
    Ok(json!({
        "dryRun": dry_run,
        "diff": run.diff,
        "files": files,
        "skipped": run.skipped,
        // Which fixes were left out and the applied fix each one collides with.
        "collisions": run.collisions.iter().map(|c| json!({
            "id": c.id,
            "name": c.name,
            "kind": c.kind.as_str(),
            "withId": c.with_id,
            "withName": c.with_name,
            "withKind": c.with_kind.as_str(),
            "path": c.path,
            "line": c.line,
        })).collect::<Vec<Value>>(),
        "refused": run.refused,
    }))
}

#[tool_router]
impl MomentMcp {
    /// Sync status: specification, implementation sync (drift counts by category, last sync,
    /// pending proposals), schema lifecycle (deprecated spec fields) and upstream source.
    #[tool(
        name = "moment_status",
        annotations(
            title = "Sync status",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn moment_status(&self, Parameters(p): Parameters<RootParams>) -> CallToolResult {
        let root = self.root_of(p.root);
        blocking(move || status(root)).await
    }

    /// Drift points between the spec side and the implementation, as `moment-sync check
    /// --format json` reports them, for the workspace or one file.
    #[tool(
        name = "moment_check",
        annotations(
            title = "Check drift",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn moment_check(&self, Parameters(p): Parameters<CheckParams>) -> CallToolResult {
        let root = self.root_of(p.root);
        blocking(move || check(root, p.path, p.max_category)).await
    }

    /// Runs the push flow (detect, classify, with apply=true apply category-1 fixes, record
    /// proposals, advance the sync cursor); returns {outcome, category, actions, report}.
    #[tool(
        name = "moment_reconcile",
        annotations(
            title = "Reconcile",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn moment_reconcile(&self, Parameters(p): Parameters<ReconcileParams>) -> CallToolResult {
        let root = self.root_of(p.root);
        blocking(move || reconcile(root, p.apply)).await
    }

    /// Accepts (applies the fix), rejects (suppresses) or skips drift points by id.
    #[tool(
        name = "moment_decide",
        annotations(
            title = "Decide on drift",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn moment_decide(&self, Parameters(mut p): Parameters<DecideParams>) -> CallToolResult {
        let root = self.root_of(p.root.take());
        blocking(move || decide(root, p)).await
    }

    /// The upstream modelling tool's event signals (.complai/events/moment/*.jsonl).
    #[tool(
        name = "moment_get_events",
        annotations(
            title = "Upstream events",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn moment_get_events(&self, Parameters(p): Parameters<EventsParams>) -> CallToolResult {
        let root = self.root_of(p.root);
        blocking(move || events(root, p.since, p.limit)).await
    }

    /// Applies the preferred fixes of drift points (by ids, or up to maxCategory) and returns
    /// the unified diff; with dryRun (the default) nothing is written.
    #[tool(
        name = "moment_fix",
        annotations(
            title = "Fix drift",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn moment_fix(&self, Parameters(mut p): Parameters<FixParams>) -> CallToolResult {
        let root = self.root_of(p.root.take());
        blocking(move || fix(root, p)).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for MomentMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("moment-sync", crate::VERSION))
            .with_instructions(
                "Drift between a TypeScript spec side (generated/) and its hand-written \
                 implementation: moment_check lists drift points, moment_fix previews or applies \
                 fixes, moment_decide records decisions, moment_reconcile runs the push flow.",
            )
    }
}
