//! Idle cost of the language server when the client does not watch files (Neovim on Linux):
//! CPU time used by an idle server over a quiet period, on an 8,000-file workspace, with the
//! `notify` watcher (the default) and with polling (`MOMENT_SYNC_POLL=1`, the earlier
//! behaviour) measured in the same run; then how long a file changed on disk takes to reach the
//! diagnostics of an open document in each mode.
//!
//! Run: `cargo bench --bench lsp_idle` (`LSP_IDLE_FILES=n`, `LSP_IDLE_SECONDS=s` change the size
//! and the quiet period). Linux only (CPU time from `/proc/<pid>/stat`).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

#[allow(dead_code)]
#[path = "support/lsp_client.rs"]
mod lsp_client;
use lsp_client::Server;

const TIMEOUT: Duration = Duration::from_secs(120);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let files = env_or("LSP_IDLE_FILES", 8_000) as usize;
    let quiet = Duration::from_secs(env_or("LSP_IDLE_SECONDS", 20));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let open = write_workspace(dir.path(), files);
    println!("workspace: {files} files; idle period {quiet:?}; client without file watching");
    for (mode, poll) in [
        ("notify watcher", false),
        ("polling (MOMENT_SYNC_POLL=1)", true),
    ] {
        let (cpu, change) = measure(dir.path(), &open, poll, quiet);
        println!(
            "{mode:<30} idle CPU {:>6.2}% of one core ({:.0} ms in {quiet:?})   disk change → diagnostics {:>6} ms",
            cpu.as_secs_f64() * 100.0 / quiet.as_secs_f64(),
            cpu.as_secs_f64() * 1e3,
            change.as_millis()
        );
    }
}

fn write_workspace(root: &Path, files: usize) -> std::path::PathBuf {
    for k in 0..files / 2 {
        let spec = entity(k, "number");
        let implementation = entity(
            k,
            if k.is_multiple_of(10) {
                "string"
            } else {
                "number"
            },
        );
        write(
            &root.join(format!("generated/ctx{}/agg{k}.types.ts", k % 40)),
            &spec,
        );
        write(
            &root.join(format!("src/domain/ctx{}/agg{k}.types.ts", k % 40)),
            &implementation,
        );
    }
    root.join("src/domain/ctx1/agg1.types.ts")
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folder");
    std::fs::write(path, text).expect("write file");
}

fn entity(k: usize, total: &str) -> String {
    format!("export interface Entity{k} {{\n  readonly id: string;\n  total: {total};\n  note?: string;\n}}\n")
}

/// (CPU time while idle, time from a spec file written on disk to the open document's new
/// diagnostics).
fn measure(root: &Path, open: &Path, poll: bool, quiet: Duration) -> (Duration, Duration) {
    // Neovim 0.11 on Linux: no dynamic registration of watched files.
    let capabilities = json!({
        "textDocument": {"publishDiagnostics": {"versionSupport": true}},
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": false}}
    });
    let mut server = Server::start(
        root,
        capabilities,
        |command| {
            if poll {
                command.env("MOMENT_SYNC_POLL", "1");
            } else {
                command.env_remove("MOMENT_SYNC_POLL");
            }
        },
        TIMEOUT,
    );
    let uri = format!("file://{}", open.display());
    let text = std::fs::read_to_string(open).expect("the open file");
    server.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "typescript", "version": 1, "text": text
        }}}),
    );
    server.diagnostics(&uri, |d| d.is_empty());
    // Let start-up work (the first analysis, the watcher's setup) finish before measuring.
    std::thread::sleep(Duration::from_secs(2));
    let before = cpu_time(server.child.id());
    std::thread::sleep(quiet);
    let idle = cpu_time(server.child.id()).saturating_sub(before);
    // The open file's spec loses `note` on disk: the open document then has an extra member.
    let spec = root.join("generated/ctx1/agg1.types.ts");
    let t0 = Instant::now();
    std::fs::write(
        &spec,
        "export interface Entity1 {\n  readonly id: string;\n  total: number;\n}\n",
    )
    .expect("write the spec");
    server.diagnostics(&uri, |d| !d.is_empty());
    let change = t0.elapsed();
    std::fs::write(&spec, entity(1, "number")).expect("restore the spec");
    server.diagnostics(&uri, |d| d.is_empty());
    server.stop();
    (idle, change)
}

/// User + system CPU time of a process (Linux `/proc/<pid>/stat`, in clock ticks of 10 ms).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')').expect("a command name") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 =
        fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}
