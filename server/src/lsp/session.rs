//! The server's state and its background work: indexing, the analysis worker, publishing,
//! and watching the disk.
//!
//! Handlers mutate documents synchronously and only *request* an analysis; one worker task runs
//! analyses one at a time off the async runtime and publishes results only for documents still
//! at the version it analysed.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use tokio::time::Instant;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use super::capabilities::ClientFeatures;
use super::config::{self, SECTION};
use super::diagnostics;
use super::documents::{file_uri, DocumentStore};
use super::index::{DiskChanges, Index};
use super::logging::LogLevel;
use super::scheduler::Scheduler;
use super::snapshot::{ModelCache, OpenFile, Snapshot, Tracked};
use super::watch::{self as disk_watch, DiskWatcher};
use crate::project::StateView;
use crate::reconcile::DecideOutcome;
use crate::state::{Decision, ProposalRecord, StateDir, Status};
use crate::workspace::{discover_root, Config, Workspace, WorkspaceError};

/// How often the disk is polled when neither the client nor the platform can watch files for
/// us; also how often the decision log and the upstream events folder are checked.
const POLL_INTERVAL: Duration = Duration::from_millis(1000);
/// Set (to anything but `0`) to poll the disk instead of watching it, for file systems whose
/// changes the platform does not report.
pub const POLL_ENV: &str = "MOMENT_SYNC_POLL";
/// How many earlier analyses are kept to find the point of a quick fix's acceptance.
const RECENT_ANALYSES: usize = 4;
/// How long a request waits for an analysis of the document's current version.
const FRESH_TIMEOUT: Duration = Duration::from_secs(10);

/// An applied quick fix whose acceptance is recorded when its edit is saved (and dropped when
/// the edit is undone or never saved): no state is written for an edit the user throws away.
#[derive(Debug, Clone)]
struct PendingAcceptance {
    /// The point as the editor's buffers showed it when the fix was offered.
    record: ProposalRecord,
    fix_title: String,
    /// Root-relative paths of the files the fix edits.
    files: Vec<String>,
}

/// Settings from the client, kept to re-merge when any source changes.
#[derive(Debug, Default)]
struct ClientSettings {
    folder: Option<PathBuf>,
    init: Config,
    workspace: Config,
    /// Who decides, from `initializationOptions` and the workspace settings (later wins).
    init_actor: Option<String>,
    workspace_actor: Option<String>,
    /// The client's name (`clientInfo`), the actor of last resort.
    client_name: Option<String>,
    /// An `initializationOptions` error, shown once initialized (messages sent before the
    /// `initialize` response may be dropped).
    init_error: Option<String>,
}

/// One workspace folder's moment-sync root: its settings, index, state and analyses. The
/// server keeps one per workspace folder (see `lsp::folders`); open documents are shared.
pub struct Session {
    pub client: Client,
    /// The open documents of every folder (each session analyses those under its root).
    pub docs: Arc<DocumentStore>,
    /// Tells this session's progress tokens apart from other folders'.
    id: usize,
    features: RwLock<ClientFeatures>,
    settings: Mutex<ClientSettings>,
    /// The effective configuration (file, then initializationOptions, then workspace settings).
    config: RwLock<Config>,
    index: RwLock<Option<Index>>,
    /// Held while the workspace (re)loads: a settings change arriving during the first index
    /// waits for it and then finds the index it can keep.
    loading: tokio::sync::Mutex<()>,
    /// The recorded reconciliation state (`.moment/sync-log.jsonl` folded), reloaded on start,
    /// after a save, after a decision and whenever the log changes on disk.
    state: RwLock<Option<Arc<StateView>>>,
    /// The log's (modification time, length) when the state was last loaded.
    log_stamp: Mutex<Option<(std::time::SystemTime, u64)>>,
    cache: Mutex<ModelCache>,
    /// The analysis kept between runs (re-compared only where files changed).
    tracked: Mutex<Option<Tracked>>,
    scheduler: Scheduler,
    results: watch::Sender<Arc<Snapshot>>,
    /// The analyses before the latest one: a quick fix's acceptance arrives after the client
    /// applied its edit, when the latest analysis may already lack the point.
    recent: Mutex<VecDeque<Arc<Snapshot>>>,
    /// Acceptances of applied quick fixes, recorded when their edit is saved.
    pending: Mutex<Vec<PendingAcceptance>>,
    generation: AtomicU64,
    /// What was last shown per open document: (version, diagnostics).
    shown: Mutex<HashMap<Uri, (i32, Vec<Diagnostic>)>>,
    log_level: Arc<LogLevel>,
    shut_down: AtomicBool,
    progress_tokens: AtomicUsize,
    /// How the disk is watched (decided once initialized).
    watching: Mutex<Watching>,
    /// Where our own watcher sends the paths it saw change (set once it is started).
    watch_tx: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<Vec<PathBuf>>>,
    /// A document was closed since the last analysis: once the analysis without it is shown,
    /// the memory it held is given back (see `worker`).
    closed: AtomicBool,
    /// The refused side files the user was last told about (path → reason), so each refusal is
    /// shown once and again only when its reason changes.
    refused_told: Mutex<BTreeMap<String, String>>,
}

/// Who tells the server that files changed on disk.
#[derive(Debug, Default)]
enum Watching {
    /// Not decided yet (before `initialized`).
    #[default]
    Undecided,
    /// The client, through `workspace/didChangeWatchedFiles` (registered dynamically).
    Client,
    /// Our own watcher of the indexed workspace (replaced when the workspace or its folders change).
    Notify(Option<DiskWatcher>),
    /// Polling every file once a second: the platform refused to watch.
    Polling,
}

/// Locks that survive a panicked holder: the data is plain and still usable.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}
fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Session {
    pub fn new(
        client: Client,
        docs: Arc<DocumentStore>,
        log_level: Arc<LogLevel>,
        id: usize,
    ) -> Session {
        Session {
            client,
            docs,
            id,
            features: RwLock::default(),
            settings: Mutex::default(),
            config: RwLock::default(),
            index: RwLock::default(),
            loading: tokio::sync::Mutex::default(),
            state: RwLock::default(),
            log_stamp: Mutex::default(),
            cache: Mutex::default(),
            tracked: Mutex::default(),
            scheduler: Scheduler::default(),
            results: watch::Sender::new(Arc::new(Snapshot::default())),
            recent: Mutex::default(),
            pending: Mutex::default(),
            generation: AtomicU64::new(0),
            shown: Mutex::default(),
            log_level,
            shut_down: AtomicBool::new(false),
            progress_tokens: AtomicUsize::new(0),
            watching: Mutex::default(),
            watch_tx: std::sync::OnceLock::new(),
            closed: AtomicBool::new(false),
            refused_told: Mutex::default(),
        }
    }

    pub fn features(&self) -> ClientFeatures {
        *read(&self.features)
    }

    pub fn config(&self) -> Config {
        read(&self.config).clone()
    }

    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::SeqCst)
    }

    pub fn shut_down(&self) {
        self.shut_down.store(true, Ordering::SeqCst);
        self.scheduler.request_now();
    }

    /// Records what `initialize` told us, for the workspace folder `folder`.
    pub fn initialize(&self, params: &InitializeParams, folder: Option<PathBuf>) {
        *write(&self.features) = ClientFeatures::from_capabilities(&params.capabilities);
        let mut settings = lock(&self.settings);
        settings.folder = folder;
        settings.client_name = params.client_info.as_ref().map(|c| c.name.clone());
        let init = params.initialization_options.as_ref();
        settings.init_actor = config::actor(init);
        match config::from_settings(init, "initializationOptions") {
            Ok(init) => settings.init = init,
            Err(e) => settings.init_error = Some(e.to_string()),
        }
    }

    /// Starts the background work: the analysis worker, the index, watching (`client_watches`:
    /// the client reports changed files for us).
    pub async fn start(self: Arc<Self>, client_watches: bool) {
        let init_error = lock(&self.settings).init_error.take();
        if let Some(e) = init_error {
            self.report_error(format!(
                "moment-sync ignores its initializationOptions: {e}"
            ))
            .await;
        }
        tokio::spawn(self.clone().worker());
        self.clone().load_workspace().await;
        // The decision log is tiny to stat: it is polled whatever the client watches, so a CLI
        // `decide` shows up even when the client's watcher misses the hidden folder.
        tokio::spawn(self.clone().poll_state());
        tokio::spawn(self.clone().poll_events());
        if client_watches {
            *lock(&self.watching) = Watching::Client;
        } else {
            self.clone().start_watching();
        }
    }

    /// The folder was removed from the workspace: stop the background work (and our watcher)
    /// and clear what its documents show.
    pub async fn stop(&self) {
        self.shut_down();
        *lock(&self.watching) = Watching::Undecided;
        let shown: Vec<Uri> = lock(&self.shown).drain().map(|(uri, _)| uri).collect();
        if !self.features().pull_diagnostics {
            for uri in shown {
                self.client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
    }

    /// The folder the client opened for this session.
    pub fn folder(&self) -> Option<PathBuf> {
        lock(&self.settings).folder.clone()
    }

    /// How deep this session's root is when it holds `path` (the longest wins: nested folders
    /// own their files), `None` when it does not.
    pub fn owns(&self, path: &Path) -> Option<usize> {
        let root = self
            .root()
            .or_else(|| self.folder().map(|f| discover_root(&f)))?;
        path.starts_with(&root).then(|| root.components().count())
    }

    /// `true` when a recent analysis of this session has the drift point `id`.
    pub fn knows_point(&self, id: &str) -> bool {
        self.recent_point(id).is_some()
    }

    /// Watches the disk ourselves (the client cannot): a `notify` watcher of the indexed
    /// workspace, else (the platform refused) polling.
    fn start_watching(self: Arc<Self>) {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        if self.watch_tx.set(tx).is_err() {
            return;
        }
        if std::env::var_os(POLL_ENV).is_some_and(|v| !v.is_empty() && v != "0") {
            // File systems whose changes the platform does not report (network mounts, some
            // container bind mounts) need polling.
            tracing::info!("{POLL_ENV} is set: polling the workspace once a second");
            *lock(&self.watching) = Watching::Polling;
            tokio::spawn(self.poll_disk());
            return;
        }
        *lock(&self.watching) = Watching::Notify(None);
        let session = self.clone();
        tokio::spawn(async move {
            while let Some(paths) = rx.recv().await {
                if session.is_shut_down() {
                    return;
                }
                session.clone().watched(paths).await;
            }
        });
        self.rewatch();
    }

    /// (Re)starts our watcher for the indexed workspace when the folders it must watch are not
    /// those it watches (a new workspace, a side folder created or removed). Falls back to
    /// polling when the platform refuses (e.g. the inotify watch limit).
    fn rewatch(self: &Arc<Self>) {
        let Some(tx) = self.watch_tx.get() else {
            return;
        };
        let ws = match read(&self.index).as_ref() {
            Some(index) => index.ws.clone(),
            None => return,
        };
        let mut watching = lock(&self.watching);
        let current = match &*watching {
            Watching::Notify(current) => current,
            _ => return,
        };
        if current
            .as_ref()
            .is_some_and(|w| !disk_watch::outdated(&ws, &w.targets))
        {
            return;
        }
        match disk_watch::start(&ws, tx.clone()) {
            Ok(watcher) => {
                tracing::info!(
                    "watching {} folders for changes (the client does not watch files)",
                    watcher.targets.len()
                );
                *watching = Watching::Notify(Some(watcher));
            }
            Err(e) => {
                tracing::warn!("{e}; polling the workspace once a second instead");
                *watching = Watching::Polling;
                tokio::spawn(self.clone().poll_disk());
            }
        }
    }

    /// Paths our watcher saw change: files are re-read one by one; a folder (created, moved or
    /// removed) makes one scan of the workspace and may need new watches.
    async fn watched(self: Arc<Self>, paths: Vec<PathBuf>) {
        if !paths.iter().any(|p| disk_watch::needs_scan(p)) {
            return self.disk_changed(paths).await;
        }
        self.rewatch();
        self.clone().scan_disk().await;
        // A spec or state file inside a moved folder is not seen by the scan of the sides.
        let others: Vec<PathBuf> = paths.into_iter().filter(|p| p.is_file()).collect();
        if !others.is_empty() {
            self.disk_changed(others).await;
        }
    }

    pub fn root(&self) -> Option<PathBuf> {
        read(&self.index).as_ref().map(|i| i.root().to_path_buf())
    }

    fn log_stamp(root: &Path) -> Option<(std::time::SystemTime, u64)> {
        let meta = std::fs::metadata(StateDir::of(root).log_path()).ok()?;
        Some((meta.modified().ok()?, meta.len()))
    }

    /// Reloads the recorded state (blocking): the log, the base and the consumers.
    fn reload_state(&self) {
        let loaded = read(&self.index).as_ref().map(load_state);
        if let Some((view, stamp)) = loaded {
            *lock(&self.log_stamp) = stamp;
            *write(&self.state) = view;
        }
    }

    /// The recorded state may have changed: reload it and analyse again.
    pub async fn state_changed(self: Arc<Self>) {
        let session = self.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || session.reload_state()).await {
            tracing::error!("reloading the reconciliation state failed: {e}");
        }
        self.scheduler.request_now();
    }

    /// Watches `.moment/sync-log.jsonl` for decisions made outside the editor.
    async fn poll_state(self: Arc<Self>) {
        while !self.is_shut_down() {
            tokio::time::sleep(POLL_INTERVAL).await;
            let Some(root) = self.root() else { continue };
            let stamp = Self::log_stamp(&root);
            if stamp != *lock(&self.log_stamp) {
                tracing::info!("the decision log changed: reloading the reconciliation state");
                self.clone().state_changed().await;
            }
        }
    }

    /// Watches `.complai/events/moment/` for upstream events (cursor `.moment/events/lsp.cursor.json`).
    /// The first time (no cursor yet) the events already there are taken as seen; afterwards
    /// each batch of new events re-checks the workspace and is summarised in a message.
    async fn poll_events(self: Arc<Self>) {
        let mut stream: Option<crate::events::EventStream> = None;
        let mut first = true;
        while !self.is_shut_down() {
            tokio::time::sleep(POLL_INTERVAL).await;
            let Some(root) = self.root() else { continue };
            let taken = stream.take();
            let catch_up = std::mem::replace(&mut first, false);
            let read =
                tokio::task::spawn_blocking(move || read_events(&root, taken, catch_up)).await;
            let (kept, summary) = match read {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!("reading upstream events failed: {e}");
                    continue;
                }
            };
            stream = kept;
            if let Some(summary) = summary {
                self.clone().upstream_arrived(summary).await;
            }
        }
    }

    /// New upstream events: reload the state, re-check, and tell the user the outcome.
    async fn upstream_arrived(self: Arc<Self>, events: String) {
        tracing::info!("upstream: {events}");
        let before = self.results.borrow().generation;
        let mut results = self.results.subscribe();
        self.clone().state_changed().await;
        let deadline = Instant::now() + FRESH_TIMEOUT;
        let snap = loop {
            let snap = results.borrow_and_update().clone();
            if snap.generation > before {
                break Some(snap);
            }
            if !matches!(
                tokio::time::timeout_at(deadline, results.changed()).await,
                Ok(Ok(()))
            ) {
                break None;
            }
        };
        let checked = match snap {
            Some(snap) => {
                let points = &snap.analysis.points;
                let outcome = match points.iter().map(|p| p.category).max() {
                    None => "no drift".to_string(),
                    Some(c) => c.title().to_string(),
                };
                format!(
                    "re-checked: {} drift point{}, outcome {outcome}",
                    points.len(),
                    if points.len() == 1 { "" } else { "s" }
                )
            }
            None => "re-check pending".to_string(),
        };
        self.client
            .show_message(MessageType::INFO, format!("Upstream: {events}; {checked}"))
            .await;
    }

    /// Records a decision on drift point `id` (as `moment-sync decide` does), then reloads the
    /// state and re-checks. With `apply_fix: false` an acceptance is recorded as applied without
    /// editing anything: the client applied the quick fix's edit.
    pub async fn decide(
        self: Arc<Self>,
        id: String,
        decision: Decision,
        apply_fix: bool,
    ) -> Result<DecideOutcome, String> {
        if let (Decision::Accept, false) = (decision, apply_fix) {
            if let Some(outcome) = self.defer_acceptance(&id) {
                return Ok(outcome);
            }
        }
        let ws = self.workspace()?;
        let actor = self.actor_source();
        // A decision that edits nothing is recorded for the point as the editor shows it: the
        // files on disk may not have it (unsaved changes on either side).
        let seen = self.recent_point(&id).filter(|(_, p)| match decision {
            Decision::Reject | Decision::Skip => true,
            Decision::Accept => p.direction == crate::model::Direction::ImplAhead,
        });
        if let Some((snap, point)) = seen {
            let record = snapshot_record(&snap, &point);
            let decided = tokio::task::spawn_blocking(move || {
                let actor = actor.resolve(&ws.root);
                crate::reconcile::record_decision(&ws, record, decision, None, &actor, None)
                    .map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
            self.state_changed().await;
            return decided;
        }
        let decided = tokio::task::spawn_blocking(move || {
            let actor = actor.resolve(&ws.root);
            crate::reconcile::decide_with(&ws, &[id], decision, None, &actor, apply_fix)
                .map_err(|e| e.to_string())?
                .pop()
                .ok_or_else(|| "nothing was decided".to_string())
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r);
        self.state_changed().await;
        decided
    }

    fn workspace(&self) -> Result<Workspace, String> {
        read(&self.index)
            .as_ref()
            .map(|i| i.ws.clone())
            .ok_or_else(|| "the workspace is not indexed yet".to_string())
    }

    fn actor_source(&self) -> ActorSource {
        let s = lock(&self.settings);
        ActorSource {
            configured: s.workspace_actor.clone().or_else(|| s.init_actor.clone()),
            client_name: s.client_name.clone(),
        }
    }

    /// The drift point `id` in the latest analysis, else in the most recent one that has it.
    fn recent_point(&self, id: &str) -> Option<(Arc<Snapshot>, crate::model::DriftPoint)> {
        let latest = self.results.borrow().clone();
        let recent: Vec<Arc<Snapshot>> = lock(&self.recent).iter().cloned().collect();
        std::iter::once(latest).chain(recent).find_map(|snap| {
            let point = snap.analysis.points.iter().find(|p| p.id == id)?.clone();
            Some((snap, point))
        })
    }

    /// The acceptance of a quick fix the client applied: kept until the edit is saved. `None`
    /// when no recent analysis has the point (then it is decided on the files on disk).
    fn defer_acceptance(&self, id: &str) -> Option<DecideOutcome> {
        let (snap, point) = self.recent_point(id)?;
        let fix = point.fixes.first()?;
        let mut files: Vec<String> = fix.edits.iter().map(|e| e.path.clone()).collect();
        files.sort();
        files.dedup();
        let record = snapshot_record(&snap, &point);
        let message = format!(
            "{}: recorded as accepted when {} is saved",
            fix.title,
            files.join(", ")
        );
        let outcome = DecideOutcome {
            id: point.id.clone(),
            decision: Decision::Accept,
            status: Status::Pending,
            applied_fix: Some(fix.title.clone()),
            feedback_type: record.feedback_type,
            message,
        };
        let mut pending = lock(&self.pending);
        pending.retain(|p| p.record.id != point.id);
        pending.push(PendingAcceptance {
            record,
            fix_title: fix.title.clone(),
            files,
        });
        Some(outcome)
    }

    /// A document was saved: records the pending acceptances of the fixes that edited it and
    /// were kept (the point is gone); drops those whose edit was undone (the point is back).
    pub async fn document_saved(self: Arc<Self>, uri: Uri) {
        let rel_path = self
            .results
            .borrow()
            .open
            .get(&uri)
            .map(|f| f.rel_path.clone());
        let Some(rel_path) = rel_path else {
            return self.state_changed().await;
        };
        let due: Vec<PendingAcceptance> = {
            let mut pending = lock(&self.pending);
            let (due, keep) = pending.drain(..).partition(|p| p.files.contains(&rel_path));
            *pending = keep;
            due
        };
        if due.is_empty() {
            return self.state_changed().await;
        }
        let snap = self.settled().await;
        let (kept, undone): (Vec<_>, Vec<_>) = due
            .into_iter()
            .partition(|p| !snap.analysis.points.iter().any(|x| x.id == p.record.id));
        for p in &undone {
            tracing::info!(
                "not recording `{}`: the drift is still there (the edit was undone)",
                p.fix_title
            );
        }
        let ws = match self.workspace() {
            Ok(ws) => ws,
            Err(e) => return tracing::warn!("cannot record acceptances: {e}"),
        };
        let actor = self.actor_source();
        let recorded = tokio::task::spawn_blocking(move || {
            let actor = actor.resolve(&ws.root);
            kept.into_iter()
                .map(|p| {
                    crate::reconcile::record_decision(
                        &ws,
                        p.record,
                        Decision::Accept,
                        None,
                        &actor,
                        Some(p.fix_title),
                    )
                    .map_err(|e| e.to_string())
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_else(|e| vec![Err(e.to_string())]);
        for r in recorded {
            match r {
                Ok(outcome) => tracing::info!("{}", outcome.message),
                Err(e) => {
                    self.report_error(format!("moment-sync could not record the decision: {e}"))
                        .await
                }
            }
        }
        self.state_changed().await;
    }

    /// A document was closed without its fix's edit saved: the acceptance is dropped.
    fn drop_pending(&self, rel_path: &str) {
        lock(&self.pending).retain(|p| {
            let keep = !p.files.iter().any(|f| f == rel_path);
            if !keep {
                tracing::info!("not recording `{}`: closed without saving", p.fix_title);
            }
            keep
        });
    }

    /// (Re)loads settings and the workspace, then re-indexes it.
    pub async fn load_workspace(self: Arc<Self>) {
        let _loading = self.loading.lock().await;
        if self.features().configuration {
            self.fetch_client_settings().await;
        }
        let (folder, overrides) = {
            let s = lock(&self.settings);
            (s.folder.clone(), s.init.clone().overlay(&s.workspace))
        };
        let Some(folder) = folder else {
            tracing::warn!(
                "the client opened no folder: drift is checked once a workspace folder is open"
            );
            return;
        };
        let root = discover_root(&folder);
        let ws = match Workspace::open(&root, &overrides) {
            Ok(ws) => ws,
            Err(e) => {
                return self
                    .report_error(format!("moment-sync cannot open the workspace: {e}"))
                    .await
            }
        };
        self.apply_config(&ws.config);
        if self.keep_index(&ws) {
            // Neovim repeats its settings right after `initialized`; settings that leave the
            // sides and file selection as they are (severity, debounce, …) need no re-index.
            tracing::debug!("settings reloaded; the indexed files stay the same");
            self.scheduler.request_now();
            return;
        }
        tracing::info!(
            "workspace {} ({}, implementation side `{}`)",
            ws.root.display(),
            spec_side_words(&ws),
            ws.implementation_dir
        );
        match self.index_with_progress(ws).await {
            Ok((index, (view, stamp))) => {
                tracing::info!("indexed {} files", index.file_count());
                // The state goes in first: no analysis of the new index runs without it.
                *lock(&self.log_stamp) = stamp;
                *write(&self.state) = view;
                *write(&self.index) = Some(index);
                self.rewatch();
                self.scheduler.request_now();
            }
            Err(e) => {
                self.report_error(format!("moment-sync cannot index the workspace: {e}"))
                    .await
            }
        }
    }

    /// Keeps the current index when `ws` selects the same files as the indexed workspace; the
    /// index then takes `ws` (its other settings may have changed).
    fn keep_index(&self, ws: &Workspace) -> bool {
        let mut index = write(&self.index);
        match index.as_mut() {
            Some(index) if config::same_files(&index.ws, ws) => {
                index.ws = ws.clone();
                true
            }
            _ => false,
        }
    }

    fn apply_config(&self, config: &Config) {
        if let Some(level) = &config.log_level {
            if !self.log_level.set(level) {
                tracing::warn!(
                    "unknown logLevel `{level}` (expected error, warn, info, debug or trace)"
                );
            }
        }
        *write(&self.config) = config.clone();
    }

    pub async fn report_error(&self, message: String) {
        tracing::error!("{message}");
        self.client.show_message(MessageType::ERROR, message).await;
    }

    /// Asks the client for the `momentSync` section.
    async fn fetch_client_settings(&self) {
        let folder = lock(&self.settings).folder.clone();
        let item = ConfigurationItem {
            scope_uri: folder.as_deref().and_then(file_uri),
            section: Some(SECTION.to_string()),
        };
        let value = match self.client.configuration(vec![item]).await {
            Ok(mut values) if !values.is_empty() => values.swap_remove(0),
            Ok(_) => Value::Null,
            Err(e) => {
                tracing::warn!("workspace/configuration failed: {e}");
                Value::Null
            }
        };
        lock(&self.settings).workspace_actor = config::actor(Some(&value));
        match config::from_settings(Some(&value), "settings `momentSync`") {
            Ok(c) => lock(&self.settings).workspace = c,
            Err(e) => {
                self.report_error(format!("moment-sync ignores its editor settings: {e}"))
                    .await
            }
        }
    }

    /// `workspace/didChangeConfiguration`: settings pushed with the notification are used
    /// directly; otherwise they are fetched again.
    pub async fn settings_changed(self: Arc<Self>, settings: Value) {
        let pushed = match &settings {
            Value::Object(map) => map.get(SECTION).cloned(),
            _ => None,
        };
        if let (Some(value), false) = (pushed, self.features().configuration) {
            lock(&self.settings).workspace_actor = config::actor(Some(&value));
            match config::from_settings(Some(&value), "settings `momentSync`") {
                Ok(c) => lock(&self.settings).workspace = c,
                Err(e) => {
                    return self
                        .report_error(format!("moment-sync ignores its editor settings: {e}"))
                        .await
                }
            }
        }
        self.load_workspace().await;
    }

    /// Indexes the workspace and loads its recorded state.
    async fn index_with_progress(
        &self,
        ws: Workspace,
    ) -> Result<(Index, LoadedState), WorkspaceError> {
        let counts = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
        let c = counts.clone();
        let mut task = tokio::task::spawn_blocking(move || {
            let index = Index::load(ws, &|done, total| {
                c.0.store(done, Ordering::Relaxed);
                c.1.store(total, Ordering::Relaxed);
            })?;
            let state = load_state(&index);
            Ok((index, state))
        });
        let joined = if self.features().work_done_progress {
            let n = self.progress_tokens.fetch_add(1, Ordering::Relaxed);
            let token = NumberOrString::String(format!("moment-sync/index/{}/{n}", self.id));
            match self.client.create_work_done_progress(token.clone()).await {
                Ok(()) => {
                    let progress = self
                        .client
                        .progress(token, "moment-sync")
                        .with_message("indexing")
                        .with_percentage(0)
                        .begin()
                        .await;
                    let joined = loop {
                        tokio::select! {
                            joined = &mut task => break joined,
                            _ = tokio::time::sleep(Duration::from_millis(100)) => {
                                let (done, total) = (counts.0.load(Ordering::Relaxed), counts.1.load(Ordering::Relaxed));
                                let percent = (done * 100).checked_div(total).unwrap_or(0) as u32;
                                progress.report_with_message(format!("{done}/{total} files"), percent).await;
                            }
                        }
                    };
                    progress.finish_with_message("indexed").await;
                    joined
                }
                Err(_) => task.await,
            }
        } else {
            task.await
        };
        joined.unwrap_or_else(|e| {
            Err(WorkspaceError::Unreadable {
                path: PathBuf::from("."),
                source: std::io::Error::other(e),
            })
        })
    }

    /// Files changed on disk (reported by the client or found by polling).
    pub async fn disk_changed(self: Arc<Self>, paths: Vec<PathBuf>) {
        let log_changed = self
            .root()
            .is_some_and(|root| paths.contains(&StateDir::of(&root).log_path()));
        let session = self.clone();
        let changes = tokio::task::spawn_blocking(move || {
            let mut guard = write(&session.index);
            let Some(index) = guard.as_mut() else {
                return DiskChanges::default();
            };
            let mut total = DiskChanges::default();
            for path in &paths {
                let c = index.refresh(path);
                total.files += c.files;
                total.config |= c.config;
            }
            total
        })
        .await
        .unwrap_or_default();
        if log_changed {
            self.clone().state_changed().await;
        }
        self.apply_disk_changes(changes).await;
    }

    async fn apply_disk_changes(self: Arc<Self>, changes: DiskChanges) {
        if changes.config {
            tracing::info!("{} changed: reloading", crate::workspace::CONFIG_FILE);
            self.load_workspace().await;
        } else if changes.files > 0 {
            tracing::debug!("{} files changed on disk", changes.files);
            self.scheduler.request_now();
        }
    }

    /// The fallback when nothing can watch: every file's stamp once a second.
    async fn poll_disk(self: Arc<Self>) {
        while !self.is_shut_down() {
            tokio::time::sleep(POLL_INTERVAL).await;
            self.clone().scan_disk().await;
        }
    }

    /// Compares every file of the workspace with what the index read, once.
    async fn scan_disk(self: Arc<Self>) {
        let session = self.clone();
        let scanned =
            tokio::task::spawn_blocking(move || write(&session.index).as_mut().map(Index::scan))
                .await;
        match scanned {
            Ok(Some(Ok(changes))) => self.apply_disk_changes(changes).await,
            Ok(Some(Err(e))) => tracing::warn!("cannot scan the workspace: {e}"),
            Ok(None) => {}
            Err(e) => tracing::error!("disk scan failed: {e}"),
        }
    }

    /// A document was opened or edited.
    pub fn document_changed(&self, now: bool) {
        if now {
            self.scheduler.request_now();
        } else {
            self.scheduler.request();
        }
    }

    /// A document was closed: forget what it showed and fall back to the file on disk.
    pub async fn document_closed(self: Arc<Self>, uri: Uri, path: Option<PathBuf>) {
        if let Some(rel) = self
            .results
            .borrow()
            .open
            .get(&uri)
            .map(|f| f.rel_path.clone())
        {
            self.drop_pending(&rel);
        }
        let was_shown = lock(&self.shown).remove(&uri).is_some();
        self.closed.store(true, Ordering::SeqCst);
        if was_shown && !self.features().pull_diagnostics {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        if let Some(path) = path {
            self.clone().disk_changed(vec![path]).await;
        }
        // Always analyse again, even when the disk did not change: until an analysis without
        // the document replaces the latest one, the closed document's models and points stay.
        self.scheduler.request();
    }

    /// The analysis worker: one analysis at a time, each on a snapshot of the documents.
    async fn worker(self: Arc<Self>) {
        let analysis = match crate::support::serial::SerialThread::spawn("moment-analysis") {
            Ok(thread) => thread,
            Err(e) => {
                tracing::error!("cannot start the analysis thread, no diagnostics: {e}");
                return;
            }
        };
        loop {
            self.scheduler.wait(config::debounce(&self.config())).await;
            if self.is_shut_down() {
                return;
            }
            self.report_refused().await;
            let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
            let session = self.clone();
            let built = analysis.run(move || session.analyze(generation)).await;
            let snap = match built {
                Ok(snap) => Arc::new(snap),
                Err(e) => {
                    tracing::error!("analysis failed: {e}");
                    continue;
                }
            };
            let previous = self.results.send_replace(snap.clone());
            {
                let mut recent = lock(&self.recent);
                recent.push_front(previous);
                recent.truncate(RECENT_ANALYSES);
                // An analysis that saw a document closed since holds its model and points, and
                // no acceptance can need it any more (the document's pending ones were dropped
                // at close): keeping it would keep a closed document's memory.
                recent.retain(|s| s.open.keys().all(|uri| self.docs.version(uri).is_some()));
            }
            self.show(&snap).await;
            if self.closed.swap(false, Ordering::SeqCst) {
                drop(snap);
                // On the thread that allocated the analysis (see `support::memory`).
                let released = analysis.run(crate::support::memory::release_freed).await;
                if let Err(e) = released {
                    tracing::warn!("giving memory back after a close failed: {e}");
                }
            }
        }
    }

    /// Tells the user about side files that are not analysed, once each: their declarations are
    /// missing from every comparison, and without this the drift they cause elsewhere (a type
    /// "missing" although the file declares it) would have no explanation in the editor.
    async fn report_refused(&self) {
        let now: BTreeMap<String, String> = read(&self.index)
            .as_ref()
            .map(|index| {
                index
                    .refused()
                    .map(|(rel, why)| (rel.to_string(), why.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let fresh: Vec<String> = {
            let mut told = lock(&self.refused_told);
            let fresh = now
                .iter()
                .filter(|(rel, why)| told.get(*rel) != Some(*why))
                .map(|(_, why)| why.clone())
                .collect();
            *told = now;
            fresh
        };
        if let Some(message) = refused_message(&fresh) {
            self.client
                .show_message(MessageType::WARNING, message)
                .await;
        }
    }

    /// Runs one analysis (blocking).
    pub fn analyze(&self, generation: u64) -> Snapshot {
        let started = std::time::Instant::now();
        let index = read(&self.index);
        let mut cache = lock(&self.cache);
        let mut tracked = lock(&self.tracked);
        let state = read(&self.state).clone();
        let snap = Snapshot::build(
            generation,
            index.as_ref(),
            self.config(),
            state,
            &self.docs,
            &mut cache,
            &mut tracked,
        );
        tracing::debug!(
            "analysis {generation}: {} drift points in {:?}",
            snap.analysis.points.len(),
            started.elapsed()
        );
        snap
    }

    /// Shows a snapshot's diagnostics: pushes them for open documents still at the analysed
    /// version, or asks a pulling client to pull again.
    async fn show(&self, snap: &Snapshot) {
        let features = self.features();
        let mut updates = Vec::new();
        let mut content_changed = false;
        {
            let mut shown = lock(&self.shown);
            for (uri, file) in &snap.open {
                // A newer version exists: its own analysis is on the way; never show old results.
                if self.docs.version(uri) != Some(file.version) {
                    continue;
                }
                let diags = if super::moment::is_moment(&file.rel_path) {
                    super::moment::diagnostics(snap, &file.rel_path, &features)
                } else {
                    diagnostics::for_file(snap, &file.rel_path, file.side, &features)
                };
                let previous = shown.get(uri);
                content_changed |= previous.is_none_or(|(_, d)| *d != diags);
                if previous.is_none_or(|(v, d)| *v != file.version || *d != diags) {
                    shown.insert(uri.clone(), (file.version, diags.clone()));
                    updates.push((uri.clone(), file.version, diags));
                }
            }
        }
        if !features.pull_diagnostics {
            for (uri, version, diags) in updates {
                self.client
                    .publish_diagnostics(uri, diags, Some(version))
                    .await;
            }
        }
        if content_changed {
            self.refresh_client(&features);
        }
    }

    /// Asks the client to re-pull diagnostics and code lenses (not awaited: the worker must not
    /// wait on the client).
    fn refresh_client(&self, features: &ClientFeatures) {
        if features.pull_diagnostics && features.diagnostic_refresh {
            let client = self.client.clone();
            tokio::spawn(async move { client.workspace_diagnostic_refresh().await });
        }
        if features.code_lens_refresh && config::code_lens_enabled(&self.config()) {
            let client = self.client.clone();
            tokio::spawn(async move { client.code_lens_refresh().await });
        }
    }

    /// The latest analysis, once it covers the document's current version (`None` when the
    /// document is not open or no analysis arrives in time).
    pub async fn fresh(&self, uri: &Uri) -> Option<(Arc<Snapshot>, Option<OpenFile>)> {
        let mut results = self.results.subscribe();
        let deadline = Instant::now() + FRESH_TIMEOUT;
        loop {
            let Some(version) = self.docs.version(uri) else {
                tracing::info!("ignoring a request for {}: not open", uri.as_str());
                return None;
            };
            let snap = results.borrow_and_update().clone();
            if snap.covers(uri, version) {
                let file = snap.open.get(uri).cloned();
                return Some((snap, file));
            }
            self.scheduler.request_now();
            match tokio::time::timeout_at(deadline, results.changed()).await {
                Ok(Ok(())) => continue,
                _ => {
                    tracing::warn!("no analysis of {} v{version} in time", uri.as_str());
                    return None;
                }
            }
        }
    }

    /// The latest analysis once it covers every open document.
    pub async fn settled(&self) -> Arc<Snapshot> {
        let mut results = self.results.subscribe();
        let deadline = Instant::now() + FRESH_TIMEOUT;
        loop {
            let snap = results.borrow_and_update().clone();
            // Documents of other folders are not this session's to analyse.
            let docs = self.docs.list();
            let mut mine = docs.iter().filter(|d| self.owns(&d.path).is_some());
            if mine.all(|d| snap.covers(&d.uri, d.version)) {
                return snap;
            }
            self.scheduler.request_now();
            if !matches!(
                tokio::time::timeout_at(deadline, results.changed()).await,
                Ok(Ok(()))
            ) {
                return snap;
            }
        }
    }
}

/// Asks the client to watch files for every folder (once: the globs match anywhere); `false`
/// when it refused.
pub async fn register_watchers(client: &Client) -> bool {
    let watcher = |glob: &str| FileSystemWatcher {
        glob_pattern: GlobPattern::String(glob.into()),
        kind: None,
    };
    // Broad globs: the server decides what belongs to a side (folders are configurable).
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![
            watcher("**/*.{ts,tsx,mts,cts}"),
            watcher("**/*.moment"),
            watcher("**/.moment/sync.json"),
            watcher("**/.moment/sync-log.jsonl"),
        ],
    };
    let registration = Registration {
        id: "moment-sync/watched-files".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(options).ok(),
    };
    match client.register_capability(vec![registration]).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("the client refused to watch files ({e}); watching the disk ourselves");
            false
        }
    }
}

/// Who decides: the configured actor, else git's `user.name` or `$USER`, else the editor's user.
struct ActorSource {
    configured: Option<String>,
    client_name: Option<String>,
}

impl ActorSource {
    /// Blocking: may ask git.
    fn resolve(self, root: &Path) -> String {
        self.configured
            .or_else(|| crate::reconcile::default_actor(root).ok())
            .unwrap_or_else(|| config::fallback_actor(self.client_name.as_deref()))
    }
}

/// The proposal a drift point of an analysis makes, attributed against the recorded base.
fn snapshot_record(snap: &Snapshot, point: &crate::model::DriftPoint) -> ProposalRecord {
    use crate::reconcile::feedback::{record_for, Attribution, Roles};
    let side = |side: crate::model::Side| -> Vec<Arc<crate::model::FileModel>> {
        snap.analysis
            .files
            .values()
            .filter(|f| f.side == side)
            .cloned()
            .collect()
    };
    let spec = side(crate::model::Side::Spec);
    let implementation = side(crate::model::Side::Implementation);
    let base = snap.state.as_ref().and_then(|v| v.base());
    let attribution = Attribution::new(base, &spec, &implementation, None);
    record_for(point, attribution.source(point), &Roles::of(&spec))
}

/// A loaded state view and the log's (modification time, length) it was read at.
type LoadedState = (Option<Arc<StateView>>, Option<(std::time::SystemTime, u64)>);

/// Loads the recorded state of an indexed workspace (blocking): the log, the base, the
/// consumers of the spec's types. A state that cannot be read is logged and ignored.
fn load_state(index: &Index) -> LoadedState {
    let stamp = Session::log_stamp(index.root());
    let spec: Vec<_> = index
        .models()
        .filter(|m| m.side == crate::model::Side::Spec)
        .cloned()
        .collect();
    let view = match StateView::load(&index.ws, &spec) {
        Ok(view) => Some(Arc::new(view)),
        Err(e) => {
            tracing::warn!("cannot read the reconciliation state (ignored): {e}");
            None
        }
    };
    if let Some(view) = &view {
        tracing::debug!(
            "reconciliation state: {} proposals",
            view.state.proposals.len()
        );
    }
    (view, stamp)
}

/// Reads new upstream events (blocking). Returns the stream to keep and, when events arrived,
/// "2 new events (CommandDefined, EventDefined)". Malformed lines are logged and skipped.
/// Nothing is read (and no cursor written) while the events folder does not exist. On the
/// server's first read (`catch_up`) without a saved cursor, the events already there are
/// history, not news: they are taken as seen silently.
fn read_events(
    root: &Path,
    stream: Option<crate::events::EventStream>,
    catch_up: bool,
) -> (Option<crate::events::EventStream>, Option<String>) {
    if !root.join(crate::workspace::EVENTS_DIR).is_dir() {
        return (stream, None);
    }
    // A stream of another root (the workspace was reloaded elsewhere) is dropped.
    let stream = stream.filter(|s| s.dir() == root.join(crate::workspace::EVENTS_DIR));
    let (mut stream, catch_up) = match stream {
        Some(s) => (s, false),
        None => match crate::events::EventStream::open(root, "lsp") {
            Ok(s) => {
                let fresh = s.cursor_path().is_some_and(|p| !p.is_file());
                (s, catch_up && fresh)
            }
            Err(e) => {
                tracing::warn!("cannot follow upstream events: {e}");
                return (None, None);
            }
        },
    };
    let batch = match stream.read_new() {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!("cannot read upstream events: {e}");
            return (Some(stream), None);
        }
    };
    for issue in &batch.issues {
        tracing::warn!("upstream event skipped: {issue}");
    }
    if let Err(e) = stream.save() {
        tracing::warn!("cannot save the upstream event cursor: {e}");
    }
    // This tool's own reconcile signals are not upstream news.
    let types: Vec<&str> = batch
        .events
        .iter()
        .map(|e| e.envelope.event_type.as_str())
        .filter(|t| *t != "MomentReconcileCompleted")
        .collect();
    if catch_up || types.is_empty() {
        return (Some(stream), None);
    }
    let mut distinct = types.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let n = types.len();
    let summary = format!(
        "{n} new event{} ({})",
        if n == 1 { "" } else { "s" },
        distinct.join(", ")
    );
    (Some(stream), Some(summary))
}

/// How the log names the spec side: the `.moment` spec when one is configured (the generated
/// folder is then only where the emitter's output would be, not what is compared).
fn spec_side_words(ws: &Workspace) -> String {
    match &ws.spec {
        Some(spec) => format!("spec `{spec}`"),
        None => format!("spec side `{}`", ws.generated_dir),
    }
}

/// One message for newly refused side files (`None` when there are none).
fn refused_message(reasons: &[String]) -> Option<String> {
    match reasons {
        [] => None,
        [one] => Some(format!("moment-sync: {one}")),
        [first, rest @ ..] => Some(format!(
            "moment-sync: {} side files are not analysed: {first}; and {} more (see the log)",
            reasons.len(),
            rest.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::read_events;
    use crate::workspace::EVENTS_DIR;

    fn line(id: &str, kind: &str) -> String {
        format!(
            r#"{{"eventId":"{id}","eventType":"{kind}","version":1,"productSource":"complai","sessionId":"s","causationEventIds":[],"correlationId":null,"timestamp":"2026-11-25T06:00:00Z","payload":{{}}}}"#
        ) + "\n"
    }

    #[test]
    fn upstream_events_are_news_only_after_the_first_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // No events folder: nothing read, no cursor written.
        let (stream, news) = read_events(root, None, true);
        assert!(stream.is_none() && news.is_none());
        assert!(!root.join(".moment").exists());
        let events = root.join(EVENTS_DIR);
        std::fs::create_dir_all(&events).unwrap();
        let file = events.join("x.jsonl");
        std::fs::write(&file, line("old", "CommandDefined")).unwrap();
        // The server's first read without a cursor: history, taken as seen.
        let (stream, news) = read_events(root, None, true);
        assert!(stream.is_some() && news.is_none());
        let mut text = std::fs::read_to_string(&file).unwrap();
        text += &line("a", "CommandDefined");
        text += "{not json\n";
        text += &line("b", "EventDefined");
        text += &line("c", "MomentReconcileCompleted");
        std::fs::write(&file, text).unwrap();
        let (stream, news) = read_events(root, stream, false);
        assert_eq!(
            news.as_deref(),
            Some("2 new events (CommandDefined, EventDefined)")
        );
        // Nothing new: nothing to say; a restarted server resumes from the saved cursor.
        assert!(read_events(root, stream, false).1.is_none());
        std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .and_then(|mut f| {
                std::io::Write::write_all(&mut f, line("d", "AggregateAdded").as_bytes())
            })
            .unwrap();
        assert_eq!(
            read_events(root, None, true).1.as_deref(),
            Some("1 new event (AggregateAdded)")
        );
    }
}
