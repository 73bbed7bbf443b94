//! What the client can do (read once from `initialize`) and what the server offers in return.

use tower_lsp_server::ls_types::*;

use super::encoding::PositionEncoding;

/// The command behind "Show in spec" code actions and code lenses.
pub const SHOW_SPEC_COMMAND: &str = "moment-sync.showSpec";
/// The command behind "Reject this drift", "Skip for now", "Send to spec owners as feedback"
/// and the acceptance recorded with a quick fix: one argument,
/// `{ "driftId", "decision": "accept" | "reject" | "skip", "applied"?: bool }`.
pub const DECIDE_COMMAND: &str = "moment-sync.decide";
/// Applies the clean (category 1) fixes of a document through `workspace/applyEdit`, as ESLint's
/// and ruff's `applyAllFixes`: one argument, `{ "uri" }` (a `TextDocumentIdentifier`).
pub const APPLY_ALL_COMMAND: &str = "moment-sync.applyAllFixes";
/// Applies one fix through `workspace/applyEdit` and records its acceptance: the form quick
/// fixes take for clients without code action literals. One argument, `{ "driftId", "fixId" }`.
pub const APPLY_FIX_COMMAND: &str = "moment-sync.applyFix";
/// The kinds of the code actions that edit nothing. They refine `quickfix`, so that clients list
/// them with the fixes of a diagnostic (as ESLint's "Disable rule" and "Show documentation").
pub const SHOW_KIND: &str = "quickfix.moment-sync.show";
pub const REJECT_KIND: &str = "quickfix.moment-sync.reject";
pub const SKIP_KIND: &str = "quickfix.moment-sync.skip";
pub const FEEDBACK_KIND: &str = "quickfix.moment-sync.feedback";
/// Explains drift points in a message whose buttons apply the fix or record a decision (the
/// code lens of drift the spec has no place for). One argument, `{ "driftIds": [..] }`.
pub const EXPLAIN_COMMAND: &str = "moment-sync.explain";
/// The code action kind that applies every clean (category 1) fix of a file.
pub const FIX_ALL_KIND: &str = "source.fixAll.moment-sync";

/// The client features the server adapts to, flattened from `ClientCapabilities`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientFeatures {
    pub encoding: PositionEncoding,
    /// Serve diagnostics by pull instead of pushing them: the client pulls and can be told to
    /// re-pull when something else (a spec file) changes.
    pub pull_diagnostics: bool,
    pub related_information: bool,
    pub code_description: bool,
    pub diagnostic_data: bool,
    pub document_changes: bool,
    pub create_files: bool,
    pub watched_files_dynamic: bool,
    pub work_done_progress: bool,
    pub configuration: bool,
    pub show_document: bool,
    pub markdown_hover: bool,
    pub code_lens_refresh: bool,
    pub diagnostic_refresh: bool,
    /// The client takes `CodeAction` literals (else only bare `Command`s).
    pub code_action_literals: bool,
    /// The client carries out `workspace/applyEdit`.
    pub apply_edit: bool,
}

impl ClientFeatures {
    pub fn from_capabilities(caps: &ClientCapabilities) -> ClientFeatures {
        let text = caps.text_document.as_ref();
        let workspace = caps.workspace.as_ref();
        let window = caps.window.as_ref();
        let publish = text.and_then(|t| t.publish_diagnostics.as_ref());
        let edit = workspace.and_then(|w| w.workspace_edit.as_ref());
        let diagnostic_refresh = workspace
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        let supports_pull = text.is_some_and(|t| t.diagnostic.is_some());
        ClientFeatures {
            encoding: PositionEncoding::negotiate(
                caps.general
                    .as_ref()
                    .and_then(|g| g.position_encodings.as_deref()),
            ),
            // Pull alone cannot show a spec change on disk unless the client can be asked to
            // re-pull; without refresh support pushing keeps every open file fresh.
            pull_diagnostics: supports_pull && diagnostic_refresh,
            related_information: publish.and_then(|p| p.related_information).unwrap_or(false),
            code_description: publish
                .and_then(|p| p.code_description_support)
                .unwrap_or(false),
            diagnostic_data: publish.and_then(|p| p.data_support).unwrap_or(false),
            document_changes: edit.and_then(|e| e.document_changes).unwrap_or(false),
            create_files: edit
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
            watched_files_dynamic: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            work_done_progress: window.and_then(|w| w.work_done_progress).unwrap_or(false),
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            show_document: window
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support),
            markdown_hover: text
                .and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref())
                .is_some_and(|f| f.contains(&MarkupKind::Markdown)),
            code_lens_refresh: workspace
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
            diagnostic_refresh,
            code_action_literals: text
                .and_then(|t| t.code_action.as_ref())
                .is_some_and(|c| c.code_action_literal_support.is_some()),
            apply_edit: workspace.and_then(|w| w.apply_edit).unwrap_or(false),
        }
    }

    /// Resource operations need `documentChanges` to be expressed at all.
    pub fn can_create_files(&self) -> bool {
        self.document_changes && self.create_files
    }
}

/// The server's capabilities for a client.
pub fn server_capabilities(features: &ClientFeatures) -> ServerCapabilities {
    let diagnostic_provider = features.pull_diagnostics.then(|| {
        DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("moment-sync".into()),
            // A spec file's diagnostics depend on the implementation and vice versa.
            inter_file_dependencies: true,
            workspace_diagnostics: true,
            work_done_progress_options: Default::default(),
        })
    });
    ServerCapabilities {
        position_encoding: Some(features.encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        // Without literal support a client cannot be told kinds at all.
        code_action_provider: Some(if features.code_action_literals {
            CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(
                    [
                        CodeActionKind::QUICKFIX.as_str(),
                        SHOW_KIND,
                        REJECT_KIND,
                        SKIP_KIND,
                        FEEDBACK_KIND,
                        FIX_ALL_KIND,
                    ]
                    .into_iter()
                    .map(|k| CodeActionKind::from(k.to_string()))
                    .collect(),
                ),
                ..Default::default()
            })
        } else {
            CodeActionProviderCapability::Simple(true)
        }),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: [
                SHOW_SPEC_COMMAND,
                DECIDE_COMMAND,
                APPLY_ALL_COMMAND,
                APPLY_FIX_COMMAND,
                EXPLAIN_COMMAND,
            ]
            .map(String::from)
            .to_vec(),
            ..Default::default()
        }),
        diagnostic_provider,
        // Every workspace folder is served (lsp/folders.rs), also those added later.
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        // `.moment` files (lsp/moment.rs).
        implementation_provider: Some(ImplementationProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into()]),
            ..Default::default()
        }),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: super::moment::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: Default::default(),
            },
        )),
        ..Default::default()
    }
}
