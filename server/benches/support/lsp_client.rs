//! The language-server client the LSP benchmarks share: starts the real binary over stdio,
//! initializes it (debounce 0), sends messages and waits for the ones a benchmark measures.
//! Each benchmark uses part of it, hence `#[allow(dead_code)]` where it is included.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The server measured: `LSP_BENCH_BINARY` (e.g. the previous release, to compare two builds
/// with the same client), else the binary of this build.
pub fn server_binary() -> String {
    std::env::var("LSP_BENCH_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_moment-sync").to_string())
}

pub struct Server {
    pub child: Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<Value>,
    timeout: Duration,
}

impl Server {
    /// Starts `moment-sync lsp --stdio` on `root` (`configure` adjusts the command, e.g. its
    /// environment) and initializes it with the client `capabilities`; every wait fails after
    /// `timeout`.
    pub fn start(
        root: &Path,
        capabilities: Value,
        configure: impl FnOnce(&mut Command),
        timeout: Duration,
    ) -> Server {
        let mut command = Command::new(server_binary());
        command
            .args(["lsp", "--stdio"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        configure(&mut command);
        let mut child = command.spawn().expect("start moment-sync lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || read_messages(BufReader::new(stdout), tx));
        let mut server = Server {
            child,
            stdin,
            messages,
            timeout,
        };
        let uri = format!("file://{}", root.display());
        server.send(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "processId": null,
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "bench"}],
                "capabilities": capabilities,
                "initializationOptions": {"debounceMs": 0, "logLevel": "warn"}
            }}),
        );
        server.wait_for(|m| m.get("id") == Some(&json!(1)));
        server.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        server
    }

    pub fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .expect("write to the server");
        self.stdin.flush().expect("flush");
    }

    /// The first message from the server that satisfies `pred` (earlier ones are dropped).
    pub fn wait_for(&self, mut pred: impl FnMut(&Value) -> bool) -> Value {
        let deadline = Instant::now() + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .messages
                .recv_timeout(left)
                .expect("the server answers in time");
            if pred(&message) {
                return message;
            }
        }
    }

    /// Waits for diagnostics of `uri` that satisfy `pred`.
    pub fn diagnostics(&self, uri: &str, mut pred: impl FnMut(&Vec<Value>) -> bool) {
        self.wait_for(|m| {
            is_diagnostics_of(m, uri)
                && m["params"]["diagnostics"].as_array().is_some_and(&mut pred)
        });
    }

    /// Waits for the diagnostics of `uri` at document `version`.
    pub fn diagnostics_of(&self, uri: &str, version: i64) -> Value {
        self.wait_for(|m| is_diagnostics_of(m, uri) && m["params"]["version"] == version)
    }

    /// Shuts the server down and waits for it to exit.
    pub fn stop(mut self) {
        self.send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null}));
        self.wait_for(|m| m.get("id") == Some(&json!(2)));
        self.send(json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
        let _ = self.child.wait();
    }
}

fn is_diagnostics_of(m: &Value, uri: &str) -> bool {
    m.get("method").and_then(Value::as_str) == Some("textDocument/publishDiagnostics")
        && m["params"]["uri"] == uri
}

/// Reads `Content-Length`-framed messages until the server closes its output.
fn read_messages(mut reader: BufReader<std::process::ChildStdout>, tx: mpsc::Sender<Value>) {
    loop {
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if let Ok(value) = serde_json::from_slice(&body) {
            if tx.send(value).is_err() {
                return;
            }
        }
    }
}
