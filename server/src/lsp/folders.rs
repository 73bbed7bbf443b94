//! Multi-root workspaces: one [`Session`] (its own moment-sync root, settings, index, state and
//! analyses) per workspace folder, as ESLint and ruff serve each folder. Open documents are
//! shared; every request and notification about a file goes to the session whose root holds it
//! (the deepest, for nested folders). Folders come from `initialize` and
//! `workspace/didChangeWorkspaceFolders`; two folders of one project root share its session.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use super::capabilities::ClientFeatures;
use super::config;
use super::documents::{file_path, DocumentStore};
use super::logging::LogLevel;
use super::session::{self, Session};
use crate::workspace::discover_root;

/// One served root and the workspace folders that lead to it.
struct Served {
    root: PathBuf,
    folders: Vec<PathBuf>,
    session: Arc<Session>,
}

pub struct Folders {
    pub client: Client,
    pub docs: Arc<DocumentStore>,
    log_level: Arc<LogLevel>,
    features: RwLock<ClientFeatures>,
    /// What `initialize` said, to set up folders added later the same way.
    params: Mutex<Option<InitializeParams>>,
    served: RwLock<Vec<Served>>,
    /// `initialized` arrived: sessions of folders added from now on start at once.
    started: AtomicBool,
    /// The client watches files for every folder (registered once).
    client_watches: AtomicBool,
    shut_down: AtomicBool,
    next_id: AtomicUsize,
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}
fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

impl Folders {
    pub fn new(client: Client, log_level: Arc<LogLevel>) -> Folders {
        Folders {
            client,
            docs: Arc::default(),
            log_level,
            features: RwLock::default(),
            params: Mutex::default(),
            served: RwLock::default(),
            started: AtomicBool::new(false),
            client_watches: AtomicBool::new(false),
            shut_down: AtomicBool::new(false),
            next_id: AtomicUsize::new(0),
        }
    }

    pub fn features(&self) -> ClientFeatures {
        *read(&self.features)
    }

    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::SeqCst)
    }

    pub fn shut_down(&self) {
        self.shut_down.store(true, Ordering::SeqCst);
        for session in self.all() {
            session.shut_down();
        }
    }

    /// `initialize`: one session per workspace folder (else for `rootUri`; else one without a
    /// folder, which says that drift is checked once a folder is open).
    pub fn initialize(&self, params: &InitializeParams) {
        *write(&self.features) = ClientFeatures::from_capabilities(&params.capabilities);
        *self.params.lock().unwrap_or_else(|e| e.into_inner()) = Some(params.clone());
        let folders: Vec<PathBuf> = match &params.workspace_folders {
            Some(list) if !list.is_empty() => {
                list.iter().filter_map(|f| file_path(&f.uri)).collect()
            }
            _ => config::client_folder(params).into_iter().collect(),
        };
        if folders.is_empty() {
            self.add_session(None, None);
        }
        for folder in folders {
            self.add(folder);
        }
    }

    /// `initialized`: registers the client's file watching once, then starts every session.
    pub async fn start(self: Arc<Self>) {
        let watches =
            self.features().watched_files_dynamic && session::register_watchers(&self.client).await;
        self.client_watches.store(watches, Ordering::SeqCst);
        self.started.store(true, Ordering::SeqCst);
        for session in self.all() {
            tokio::spawn(session.start(watches));
        }
    }

    /// `workspace/didChangeWorkspaceFolders`.
    pub async fn changed(self: Arc<Self>, event: WorkspaceFoldersChangeEvent) {
        for removed in event.removed.iter().filter_map(|f| file_path(&f.uri)) {
            if let Some(session) = self.remove(&removed) {
                tracing::info!("workspace folder {} closed", removed.display());
                session.stop().await;
            }
        }
        for added in event.added.iter().filter_map(|f| file_path(&f.uri)) {
            if let Some(session) = self.add(added) {
                if self.started.load(Ordering::SeqCst) {
                    let watches = self.client_watches.load(Ordering::SeqCst);
                    tokio::spawn(session.start(watches));
                }
            }
        }
    }

    /// Serves `folder`; `None` when its root is served already (then it shares that session).
    fn add(&self, folder: PathBuf) -> Option<Arc<Session>> {
        let root = discover_root(&folder);
        {
            let mut served = write(&self.served);
            if let Some(s) = served.iter_mut().find(|s| s.root == root) {
                tracing::info!(
                    "workspace folder {} belongs to the root {}, already served",
                    folder.display(),
                    root.display()
                );
                if !s.folders.contains(&folder) {
                    s.folders.push(folder);
                }
                return None;
            }
        }
        Some(self.add_session(Some(folder), Some(root)))
    }

    fn add_session(&self, folder: Option<PathBuf>, root: Option<PathBuf>) -> Arc<Session> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let session = Arc::new(Session::new(
            self.client.clone(),
            self.docs.clone(),
            self.log_level.clone(),
            id,
        ));
        if let Some(params) = &*self.params.lock().unwrap_or_else(|e| e.into_inner()) {
            session.initialize(params, folder.clone());
        }
        write(&self.served).push(Served {
            root: root.unwrap_or_default(),
            folders: folder.into_iter().collect(),
            session: session.clone(),
        });
        session
    }

    /// Stops serving `folder`; the session when no other folder leads to its root.
    fn remove(&self, folder: &Path) -> Option<Arc<Session>> {
        let mut served = write(&self.served);
        let at = served
            .iter()
            .position(|s| s.folders.iter().any(|f| f == folder))?;
        served[at].folders.retain(|f| f != folder);
        if !served[at].folders.is_empty() {
            return None;
        }
        Some(served.remove(at).session)
    }

    /// Every session.
    pub fn all(&self) -> Vec<Arc<Session>> {
        read(&self.served)
            .iter()
            .map(|s| s.session.clone())
            .collect()
    }

    /// The session serving `path`: the one whose root holds it (the deepest), else the first.
    pub fn for_path(&self, path: &Path) -> Option<Arc<Session>> {
        let all = self.all();
        let owner = all
            .iter()
            .filter_map(|s| Some((s.owns(path)?, s)))
            .max_by_key(|(depth, _)| *depth)
            .map(|(_, s)| s.clone());
        owner.or_else(|| all.first().cloned())
    }

    /// The session serving a document (the first for a URI that is not a file).
    pub fn for_uri(&self, uri: &Uri) -> Option<Arc<Session>> {
        match file_path(uri) {
            Some(path) => self.for_path(&path),
            None => self.all().first().cloned(),
        }
    }

    /// The session whose recent analyses have drift point `id`, else the first.
    pub fn for_point(&self, id: &str) -> Option<Arc<Session>> {
        let all = self.all();
        let owner = all.iter().find(|s| s.knows_point(id)).cloned();
        owner.or_else(|| all.first().cloned())
    }
}
