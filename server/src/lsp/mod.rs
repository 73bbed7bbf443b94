//! The language server: the only module that knows LSP types. It keeps open documents as ropes
//! with incremental tree-sitter trees, runs the engine on every change (debounced) and presents
//! drift as diagnostics, code actions, hovers, definitions and code lenses. See `docs/LSP.md`.

pub mod actions;
pub mod capabilities;
pub mod config;
pub mod diagnostics;
pub mod documents;
pub mod encoding;
pub mod folders;
pub mod index;
pub mod logging;
pub mod moment;
pub mod navigation;
pub mod scheduler;
pub mod server;
pub mod session;
pub mod snapshot;
pub mod transport;
pub mod watch;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tower_lsp_server::{LspService, Server};

use folders::Folders;

/// Arguments of `moment-sync lsp`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LspArgs {
    /// Talk LSP over stdin/stdout (the default and only transport).
    #[arg(long)]
    pub stdio: bool,
}

/// Runs the server over stdio until the client says `exit`; returns the process exit code
/// (0 after `shutdown`, 1 when the client exits without it, as the protocol asks).
pub fn run(_args: LspArgs) -> i32 {
    let (log_level, log_receiver) = logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // A worker going idle gives back memory freed since a release was asked for.
        .on_thread_park(crate::support::memory::collect_if_requested)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            // No client to log to yet: stderr is the only place the user can see this.
            eprintln!("moment-sync lsp: cannot start the async runtime: {e}");
            return 2;
        }
    };
    let session_slot: Arc<OnceLock<Arc<Folders>>> = Arc::default();
    let slot = session_slot.clone();
    runtime.block_on(async move {
        let (service, socket) = LspService::new(move |client| {
            let folders = Arc::new(Folders::new(client, log_level));
            let _ = slot.set(folders.clone());
            if let Some(receiver) = log_receiver {
                tokio::spawn(forward_logs(folders.client.clone(), receiver));
            }
            server::Backend { folders }
        });
        // The library reads only frames our transport checked (see `transport`).
        let (to_server, server_in) = tokio::io::duplex(1 << 20);
        let (server_out, from_server) = tokio::io::duplex(1 << 20);
        let (replies, replies_rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(transport::read_client(
            tokio::io::stdin(),
            to_server,
            replies,
        ));
        let writer = tokio::spawn(transport::write_client(
            from_server,
            tokio::io::stdout(),
            replies_rx,
        ));
        Server::new(server_in, server_out, socket)
            .serve(service)
            .await;
        // `serve` returned (exit, or the input ended): flush what the writer still holds.
        let _ = tokio::time::timeout(Duration::from_millis(500), writer).await;
    });
    // Background analyses or scans still running must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_millis(500));
    match session_slot.get() {
        Some(session) if session.is_shut_down() => 0,
        _ => 1,
    }
}

async fn forward_logs(client: tower_lsp_server::Client, mut receiver: logging::LogReceiver) {
    while let Some((kind, message)) = receiver.recv().await {
        client.log_message(kind, message).await;
    }
}
