//! The protocol surface: each handler validates its input and hands off to the session or to a
//! presentation module. Notification handlers never await client requests.

use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::LanguageServer;

use super::actions;
use super::capabilities::{
    server_capabilities, APPLY_ALL_COMMAND, APPLY_FIX_COMMAND, DECIDE_COMMAND, EXPLAIN_COMMAND,
    SHOW_SPEC_COMMAND,
};
use super::config;
use super::diagnostics;
use super::documents::file_path;
use super::folders::Folders;
use super::moment;
use super::navigation;
use super::session::Session;
use super::snapshot::{OpenFile, Snapshot};

pub struct Backend {
    pub folders: Arc<Folders>,
}

impl Backend {
    /// A fresh analysis and the open file it knows, for requests about one document (from the
    /// session of the folder that holds it).
    async fn open_file(&self, uri: &Uri) -> Option<(Arc<Snapshot>, OpenFile)> {
        let (snap, file) = self.folders.for_uri(uri)?.fresh(uri).await?;
        Some((snap, file?))
    }

    fn features(&self) -> super::capabilities::ClientFeatures {
        self.folders.features()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        self.folders.initialize(&params);
        Ok(InitializeResult {
            capabilities: server_capabilities(&self.folders.features()),
            server_info: Some(ServerInfo {
                name: "moment-sync".into(),
                version: Some(crate::VERSION.into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        tokio::spawn(self.folders.clone().start());
    }

    async fn shutdown(&self) -> Result<()> {
        self.folders.shut_down();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.folders
            .docs
            .open(doc.uri.clone(), &doc.text, doc.version);
        if let Some(session) = self.folders.for_uri(&doc.uri) {
            session.document_changed(true);
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let doc = params.text_document;
        let enc = self.features().encoding;
        if self
            .folders
            .docs
            .change(&doc.uri, &params.content_changes, doc.version, enc)
        {
            if let Some(session) = self.folders.for_uri(&doc.uri) {
                session.document_changed(false);
            }
        } else {
            tracing::info!("ignoring a change to {}: not open", doc.uri.as_str());
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        self.folders.docs.saved(&uri);
        // A saved file can add or drop consumers of spec types, and records the acceptances
        // of the quick fixes that edited it.
        if let Some(session) = self.folders.for_uri(&uri) {
            tokio::spawn(session.document_saved(uri));
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        match self.folders.docs.close(&uri) {
            Some(doc) => {
                if let Some(session) = self.folders.for_uri(&uri) {
                    tokio::spawn(session.document_closed(uri, doc.path));
                }
            }
            None => tracing::info!("ignoring the close of {}: not open", uri.as_str()),
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        // Each folder's session gets the paths under its root.
        let mut by_session: Vec<(Arc<Session>, Vec<std::path::PathBuf>)> = Vec::new();
        for path in params.changes.iter().filter_map(|c| file_path(&c.uri)) {
            let Some(session) = self.folders.for_path(&path) else {
                continue;
            };
            match by_session
                .iter_mut()
                .find(|(s, _)| Arc::ptr_eq(s, &session))
            {
                Some((_, paths)) => paths.push(path),
                None => by_session.push((session, vec![path])),
            }
        }
        for (session, paths) in by_session {
            tokio::spawn(session.disk_changed(paths));
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        for session in self.folders.all() {
            tokio::spawn(session.settings_changed(params.settings.clone()));
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        tokio::spawn(self.folders.clone().changed(params.event));
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let features = self.features();
        let items = match self.open_file(&params.text_document.uri).await {
            Some((snap, file)) if moment::is_moment(&file.rel_path) => {
                moment::diagnostics(&snap, &file.rel_path, &features)
            }
            Some((snap, file)) => {
                diagnostics::for_file(&snap, &file.rel_path, file.side, &features)
            }
            None => Vec::new(),
        };
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn workspace_diagnostic(
        &self,
        _: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        let features = self.features();
        let mut items = Vec::new();
        for session in self.folders.all() {
            let snap = session.settled().await;
            items.extend(workspace_reports(&snap, &features));
        }
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items },
        ))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some((snap, file)) = self.open_file(&params.text_document.uri).await else {
            return Ok(None);
        };
        if moment::is_moment(&file.rel_path) {
            // Decisions on spec drift are bare commands: offered when no kind filter is given.
            let wanted = params.context.only.is_none();
            return Ok(Some(if wanted {
                moment::code_actions(&snap, &file.rel_path, params.range, &self.features())
            } else {
                Vec::new()
            }));
        }
        let request = actions::Request {
            range: params.range,
            diagnostics: &params.context.diagnostics,
            only: params.context.only.as_deref(),
        };
        let actions = actions::code_actions(&snap, &file, &request, &self.features());
        Ok(Some(actions))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let Some((snap, file)) = self.open_file(&at.text_document.uri).await else {
            return Ok(None);
        };
        if moment::is_moment(&file.rel_path) {
            let features = self.features();
            return Ok(moment::hover(&snap, &file.rel_path, at.position, &features));
        }
        Ok(navigation::hover(
            &snap,
            &file,
            at.position,
            &self.features(),
        ))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        let Some((snap, file)) = self.open_file(&at.text_document.uri).await else {
            return Ok(None);
        };
        let features = self.features();
        let location = if moment::is_moment(&file.rel_path) {
            moment::definition(&snap, &file.rel_path, at.position, &features)
        } else {
            navigation::definition(&snap, &file, at.position, &features)
        };
        Ok(location.map(GotoDefinitionResponse::Scalar))
    }

    async fn goto_implementation(
        &self,
        params: request::GotoImplementationParams,
    ) -> Result<Option<request::GotoImplementationResponse>> {
        let at = params.text_document_position_params;
        let Some((snap, file)) = self.open_file(&at.text_document.uri).await else {
            return Ok(None);
        };
        let features = self.features();
        let location = if moment::is_moment(&file.rel_path) {
            moment::implementation(&snap, &file.rel_path, at.position, &features)
        } else {
            None
        };
        Ok(location.map(GotoDefinitionResponse::Scalar))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some((snap, file)) = self.open_file(&params.text_document.uri).await else {
            return Ok(None);
        };
        if !moment::is_moment(&file.rel_path) {
            return Ok(None);
        }
        let symbols = moment::document_symbols(&snap, &file.rel_path, &self.features());
        Ok(Some(DocumentSymbolResponse::Nested(symbols)))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let Some((snap, file)) = self.open_file(&at.text_document.uri).await else {
            return Ok(None);
        };
        if !moment::is_moment(&file.rel_path) {
            return Ok(None);
        }
        let items = moment::completion(&snap, &file.rel_path, at.position, &self.features());
        Ok(Some(CompletionResponse::Array(items)))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let Some((snap, file)) = self.open_file(&params.text_document.uri).await else {
            return Ok(None);
        };
        if !moment::is_moment(&file.rel_path) {
            return Ok(None);
        }
        Ok(
            moment::semantic_tokens(&snap, &file.rel_path, &self.features())
                .map(SemanticTokensResult::Tokens),
        )
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = &params.text_document.uri;
        let enabled = self.folders.for_uri(uri).map(|s| s.config());
        if !enabled.is_some_and(|c| config::code_lens_enabled(&c)) {
            return Ok(None);
        }
        let Some((snap, file)) = self.open_file(uri).await else {
            return Ok(None);
        };
        Ok(Some(navigation::code_lenses(
            &snap,
            &file,
            &self.features(),
        )))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        match params.command.as_str() {
            DECIDE_COMMAND => return self.decide(params.arguments).await,
            APPLY_ALL_COMMAND => return self.apply_all_fixes(params.arguments).await,
            APPLY_FIX_COMMAND => return self.apply_fix(params.arguments).await,
            EXPLAIN_COMMAND => return self.explain(params.arguments).await,
            _ => {}
        }
        if params.command != SHOW_SPEC_COMMAND {
            return Err(Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )));
        }
        let location: Location = params
            .arguments
            .into_iter()
            .next()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| {
                Error::invalid_params(format!("{SHOW_SPEC_COMMAND} takes a Location"))
            })?;
        if !self.features().show_document {
            // The client can navigate itself with the location.
            return Ok(serde_json::to_value(location).ok());
        }
        let shown = self
            .folders
            .client
            .show_document(ShowDocumentParams {
                uri: location.uri,
                external: Some(false),
                take_focus: Some(true),
                selection: Some(location.range),
            })
            .await;
        if let Err(e) = shown {
            tracing::warn!("window/showDocument failed: {e}");
        }
        Ok(None)
    }
}

/// The argument of [`DECIDE_COMMAND`].
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct DecideArgs {
    drift_id: String,
    decision: crate::state::Decision,
    /// An acceptance whose fix the client already applied: record it, edit nothing.
    #[serde(default)]
    applied: bool,
}

impl Backend {
    /// `moment-sync.decide`: records the decision, re-checks, and tells the user what happened
    /// (errors always; explicit decisions as information).
    async fn decide(&self, arguments: Vec<Value>) -> Result<Option<Value>> {
        let args: DecideArgs = arguments
            .into_iter()
            .next()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| {
                Error::invalid_params(format!(
                    "{DECIDE_COMMAND} takes {{ driftId, decision: accept|reject|skip, applied? }}"
                ))
            })?;
        let quiet = args.applied;
        let session = self.session_of_point(&args.drift_id)?;
        let decided = session
            .clone()
            .decide(args.drift_id, args.decision, !args.applied)
            .await;
        match decided {
            Ok(outcome) => {
                tracing::info!("{}", outcome.message);
                if !quiet {
                    session
                        .client
                        .show_message(
                            MessageType::INFO,
                            format!("moment-sync: {}", outcome.message),
                        )
                        .await;
                }
                Ok(serde_json::to_value(outcome).ok())
            }
            Err(e) => {
                session
                    .report_error(format!("moment-sync could not record the decision: {e}"))
                    .await;
                Ok(None)
            }
        }
    }
}

/// The argument of [`APPLY_ALL_COMMAND`]: a `TextDocumentIdentifier` (a `version`, as ESLint
/// sends it, is accepted and ignored: the fixes are computed on the current version).
#[derive(serde::Deserialize)]
struct ApplyAllArgs {
    uri: Uri,
}

/// The argument of [`APPLY_FIX_COMMAND`].
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApplyFixArgs {
    drift_id: String,
    fix_id: String,
}

fn argument<T: serde::de::DeserializeOwned>(arguments: Vec<Value>, usage: &str) -> Result<T> {
    arguments
        .into_iter()
        .next()
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| Error::invalid_params(usage.to_string()))
}

impl Backend {
    /// `moment-sync.applyAllFixes`: applies the clean fixes of an open document through
    /// `workspace/applyEdit`; returns `{ "applied": n }`.
    async fn apply_all_fixes(&self, arguments: Vec<Value>) -> Result<Option<Value>> {
        let args: ApplyAllArgs = argument(
            arguments,
            &format!("{APPLY_ALL_COMMAND} takes {{ uri }} (a TextDocumentIdentifier)"),
        )?;
        let Some((snap, file)) = self.open_file(&args.uri).await else {
            return Err(Error::invalid_params(format!(
                "{APPLY_ALL_COMMAND}: {} is not an open document of the workspace",
                args.uri.as_str()
            )));
        };
        let features = self.features();
        let points: Vec<_> = snap.points_in(&file.rel_path, file.side).collect();
        let clean = actions::clean_points(&snap, &points);
        if clean.is_empty() {
            tracing::info!("no clean fixes to apply in {}", file.rel_path);
            return Ok(Some(serde_json::json!({ "applied": 0 })));
        }
        let all = actions::fix_all_edit(&snap, &clean, &features).ok_or_else(no_edit)?;
        let applied = self
            .apply_edit(&actions::fix_all_title(all.applied), all.edit)
            .await?;
        let count = if applied { all.applied } else { 0 };
        if all.left_out.is_empty() {
            return Ok(Some(serde_json::json!({ "applied": count })));
        }
        // Never silently: the user learns which fixes were left out and what to do.
        self.folders
            .client
            .show_message(
                MessageType::WARNING,
                actions::left_out_message(&all.left_out),
            )
            .await;
        let left_out: Vec<_> = all
            .left_out
            .iter()
            .map(|l| serde_json::json!({ "driftId": l.id, "name": l.name, "with": l.with_id, "path": l.path }))
            .collect();
        Ok(Some(
            serde_json::json!({ "applied": count, "leftOut": left_out }),
        ))
    }

    /// `moment-sync.applyFix`: applies one fix through `workspace/applyEdit` and records the
    /// acceptance as a quick fix does.
    async fn apply_fix(&self, arguments: Vec<Value>) -> Result<Option<Value>> {
        let args: ApplyFixArgs = argument(
            arguments,
            &format!("{APPLY_FIX_COMMAND} takes {{ driftId, fixId }}"),
        )?;
        let snap = self.session_of_point(&args.drift_id)?.settled().await;
        let found = snap.analysis.points.iter().find_map(|p| {
            let fix = p.fixes.iter().find(|f| f.id == args.fix_id)?;
            (p.id == args.drift_id).then_some((p, fix))
        });
        let Some((point, fix)) = found else {
            return Err(Error::invalid_params(format!(
                "{APPLY_FIX_COMMAND}: drift point {} has no fix {} (any more)",
                args.drift_id, args.fix_id
            )));
        };
        let edit = actions::workspace_edit(&snap, &[fix], &self.features()).ok_or_else(no_edit)?;
        let record = point.direction != crate::model::Direction::ImplAhead;
        if !self.apply_edit(&fix.title, edit).await? {
            return Ok(Some(serde_json::json!({ "applied": false })));
        }
        if record {
            let decide = serde_json::json!({
                "driftId": args.drift_id, "decision": "accept", "applied": true
            });
            self.decide(vec![decide]).await?;
        }
        Ok(Some(serde_json::json!({ "applied": true })))
    }

    /// Asks the client to apply an edit; `false` when it declined (the reason is logged).
    async fn apply_edit(&self, label: &str, edit: WorkspaceEdit) -> Result<bool> {
        if !self.features().apply_edit {
            return Err(request_error(
                "the client does not support workspace/applyEdit; use the code actions instead",
            ));
        }
        match self.folders.client.apply_edit(edit).await {
            Ok(response) if response.applied => Ok(true),
            Ok(response) => {
                let reason = response.failure_reason.unwrap_or_default();
                tracing::warn!("the client did not apply `{label}`: {reason}");
                Ok(false)
            }
            Err(e) => {
                tracing::warn!("workspace/applyEdit failed for `{label}`: {e}");
                Ok(false)
            }
        }
    }
}

/// The argument of [`EXPLAIN_COMMAND`].
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExplainArgs {
    drift_ids: Vec<String>,
}

const REJECT_BUTTON: &str = "Reject this drift";
const SKIP_BUTTON: &str = "Skip for now";

impl Backend {
    /// `moment-sync.explain`: shows what the drift points are; for one point the message offers
    /// its fixes and decisions as buttons, and runs the one picked.
    async fn explain(&self, arguments: Vec<Value>) -> Result<Option<Value>> {
        let args: ExplainArgs = argument(
            arguments,
            &format!("{EXPLAIN_COMMAND} takes {{ driftIds: [..] }}"),
        )?;
        let first = args.drift_ids.first().map_or("", String::as_str);
        let snap = self.session_of_point(first)?.settled().await;
        let points: Vec<_> = snap
            .analysis
            .points
            .iter()
            .filter(|p| args.drift_ids.contains(&p.id))
            .collect();
        if points.is_empty() {
            return Err(Error::invalid_params(format!(
                "{EXPLAIN_COMMAND}: no current drift point has any of the ids {:?}",
                args.drift_ids
            )));
        }
        let message = points
            .iter()
            .map(|p| {
                format!(
                    "{} (category {}, {})",
                    p.message,
                    p.category.number(),
                    p.kind.as_str()
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let client = &self.folders.client;
        let [point] = points.as_slice() else {
            client.show_message(MessageType::INFO, message).await;
            return Ok(None);
        };
        let mut buttons: Vec<String> = point.fixes.iter().map(|f| f.title.clone()).collect();
        buttons.extend([REJECT_BUTTON.to_string(), SKIP_BUTTON.to_string()]);
        let items = buttons
            .iter()
            .map(|title| MessageActionItem {
                title: title.clone(),
                properties: Default::default(),
            })
            .collect();
        let picked = match client
            .show_message_request(MessageType::INFO, message, Some(items))
            .await
        {
            Ok(picked) => picked,
            Err(e) => {
                tracing::warn!("window/showMessageRequest failed: {e}");
                None
            }
        };
        let Some(picked) = picked else {
            return Ok(None);
        };
        let id = point.id.clone();
        let decision = match picked.title.as_str() {
            REJECT_BUTTON => "reject",
            SKIP_BUTTON => "skip",
            title => {
                let Some(fix) = point.fixes.iter().find(|f| f.title == title) else {
                    return Ok(None);
                };
                let apply = serde_json::json!({ "driftId": id, "fixId": fix.id });
                return self.apply_fix(vec![apply]).await;
            }
        };
        let decide = serde_json::json!({ "driftId": id, "decision": decision });
        self.decide(vec![decide]).await
    }
}

impl Backend {
    /// The session of the folder whose analyses have drift point `id`.
    fn session_of_point(&self, id: &str) -> Result<Arc<Session>> {
        self.folders
            .for_point(id)
            .ok_or_else(|| request_error("no workspace folder is open"))
    }
}

/// The workspace diagnostic reports of one folder's analysis: every file showing drift, and
/// every open document (an empty report clears what it showed).
fn workspace_reports(
    snap: &Snapshot,
    features: &super::capabilities::ClientFeatures,
) -> Vec<WorkspaceDocumentDiagnosticReport> {
    let mut files = snap.files_with_points();
    files.extend(snap.open.values().map(|f| (f.rel_path.clone(), f.side)));
    files.sort();
    files.dedup();
    files
        .into_iter()
        .filter_map(|(path, side)| {
            Some(WorkspaceDocumentDiagnosticReport::Full(
                WorkspaceFullDocumentDiagnosticReport {
                    uri: snap.uri_of(&path)?,
                    version: snap.version_of(&path).map(i64::from),
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: None,
                        items: diagnostics::for_file(snap, &path, side, features),
                    },
                },
            ))
        })
        .collect()
}

/// A fix whose edit cannot be expressed (its file has no URI: the workspace is not indexed).
fn no_edit() -> Error {
    request_error("the fix cannot be expressed as an edit: the workspace is not indexed")
}

/// An `InvalidRequest` error with a message for the user.
fn request_error(message: &str) -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InvalidRequest,
        message: message.to_string().into(),
        data: None,
    }
}
