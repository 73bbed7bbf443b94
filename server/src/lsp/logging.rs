//! Logging: each event goes to exactly one place, filtered by the configured level (`logLevel`,
//! default `info`). This crate's events go to the client as `window/logMessage` at their own
//! level; only other crates' warnings and errors (the protocol library's) go to stderr. Editors show stderr
//! too (VS Code in the same output channel, Neovim as `[ERROR] "stderr"` lines), so writing the
//! same line to both would show it twice, once at the wrong level.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::sync::mpsc;
use tower_lsp_server::ls_types::MessageType;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// The level both outputs log at; changed when the settings change.
#[derive(Debug)]
pub struct LogLevel(AtomicU8);

impl LogLevel {
    fn new(level: Level) -> LogLevel {
        LogLevel(AtomicU8::new(rank(level)))
    }

    /// Sets the level from a `logLevel` setting; unknown names keep the current level.
    pub fn set(&self, name: &str) -> bool {
        match name.parse::<Level>() {
            Ok(level) => {
                self.0.store(rank(level), Ordering::Relaxed);
                true
            }
            Err(_) => false,
        }
    }

    fn enabled(&self, level: &Level) -> bool {
        rank(*level) <= self.0.load(Ordering::Relaxed)
    }
}

fn rank(level: Level) -> u8 {
    match level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

/// Log lines waiting to be sent as `window/logMessage`.
pub type LogReceiver = mpsc::UnboundedReceiver<(MessageType, String)>;

/// Forwards events of this crate to the client (through a channel: a tracing callback cannot
/// `.await`).
struct ClientLayer {
    level: Arc<LogLevel>,
    sender: mpsc::UnboundedSender<(MessageType, String)>,
}

impl<S: Subscriber> Layer<S> for ClientLayer {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        if !self.level.enabled(meta.level()) || !is_ours(meta) {
            return;
        }
        let mut message = MessageVisitor(String::new());
        event.record(&mut message);
        let kind = match *meta.level() {
            Level::ERROR => MessageType::ERROR,
            Level::WARN => MessageType::WARNING,
            Level::INFO => MessageType::INFO,
            _ => MessageType::LOG,
        };
        // The receiver is gone only when the server is exiting.
        let _ = self.sender.send((kind, message.0));
    }
}

struct MessageVisitor(String);

impl Visit for MessageVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        } else {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
    }
}

/// Whether an event is this crate's: those go to the client, never to stderr.
fn is_ours(meta: &tracing::Metadata<'_>) -> bool {
    meta.target().starts_with("moment_sync")
}

struct StderrFilter(Arc<LogLevel>);

impl<S: Subscriber> tracing_subscriber::layer::Filter<S> for StderrFilter {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _: &Context<'_, S>) -> bool {
        // Other crates' routine lines (the protocol library's "shutdown request received")
        // would read as errors in Neovim's log; their warnings and errors still show.
        self.0.enabled(meta.level()) && !is_ours(meta) && *meta.level() <= Level::WARN
    }
}

static INSTALLED: OnceLock<(Arc<LogLevel>, std::sync::Mutex<Option<LogReceiver>>)> =
    OnceLock::new();

/// Installs the global subscriber (once per process) and returns the shared level and the
/// receiving end of the client log channel (only to the first caller).
pub fn init() -> (Arc<LogLevel>, Option<LogReceiver>) {
    let (level, receiver) = INSTALLED.get_or_init(|| {
        let level = Arc::new(LogLevel::new(Level::INFO));
        let (sender, receiver) = mpsc::unbounded_channel();
        let stderr = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_filter(StderrFilter(level.clone()));
        let client = ClientLayer {
            level: level.clone(),
            sender,
        };
        // Another subscriber may already be installed (tests); logging to it is fine.
        let _ = tracing_subscriber::registry()
            .with(stderr)
            .with(client)
            .try_init();
        (level, std::sync::Mutex::new(Some(receiver)))
    });
    let receiver = receiver.lock().ok().and_then(|mut r| r.take());
    (level.clone(), receiver)
}
