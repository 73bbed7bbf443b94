//! Language-server latency: from a keystroke-sized `didChange` to the `publishDiagnostics` of
//! that version, over stdio against the real binary, with the debounce set to 0 (so what is
//! measured is the server's work: rope edit, incremental reparse, extraction, the incremental
//! comparison, conversion and the JSON-RPC round trip). Two workspaces in the same run, 500 and
//! 8,000 files, each with one 5,000-line implementation file being edited; p50/p95/p99 of each,
//! and the ratio large/small (the issue asks for p99 <= 10 ms and <= 1.5x between the two).
//! Printed next to the bare tree-sitter reparse of the same edits, measured in the same run.
//!
//! Run: `cargo bench --bench lsp_latency` (`LSP_BENCH_EDITS=n` changes the number of edits,
//! `LSP_BENCH_SIZES=500,8000` the workspaces, `LSP_BENCH_BINARY=path` the server measured).

/// The binary's allocator, so that figures are those of `moment-sync`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::time::{Duration, Instant};

use moment_sync::syntax::{parse, Dialect};
use serde_json::{json, Value};

#[allow(dead_code)]
#[path = "support/lsp_client.rs"]
mod lsp_client;
use lsp_client::Server;
use tree_sitter::{InputEdit, Point};

const BIG_LINES: usize = 5_000;
const TIMEOUT: Duration = Duration::from_secs(60);

fn main() {
    moment_sync::syntax::use_mimalloc_for_trees();
    let edits: usize = std::env::var("LSP_BENCH_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let sizes: Vec<usize> = std::env::var("LSP_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![500, 8_000]);
    let mut p99s = Vec::new();
    let mut reparse_shown = false;
    for &files in &sizes {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let big = write_workspace(dir.path(), files);
        let big_text = std::fs::read_to_string(&big).expect("the big file");
        println!(
            "\nworkspace: {files} files, edited file {} lines / {} KiB, {edits} edits",
            big_text.lines().count(),
            big_text.len() / 1024
        );
        let (reparse, edit_offsets) = bare_reparse(&big_text, edits);
        let lsp = lsp_latency(dir.path(), &big, &big_text, &edit_offsets);
        p99s.push((files, report("keystroke -> published diagnostics", &lsp)));
        if !reparse_shown {
            report("bare tree-sitter reparse (same edits)", &reparse);
            reparse_shown = true;
        }
    }
    if let (Some((small, a)), Some((large, b))) = (p99s.first(), p99s.last()) {
        if small != large {
            println!(
                "\np99 ratio {large} / {small} files: {:.2}x (p50 ratio {:.2}x)",
                b.2 / a.2,
                b.0 / a.0
            );
        }
    }
}

/// The spec side and the implementation side: 999 small pairs with some drift, and one big pair.
fn write_workspace(root: &Path, files: usize) -> std::path::PathBuf {
    let pairs = files / 2 - 1;
    for k in 0..pairs {
        let spec = small_file(k, "number");
        // Every tenth file drifts.
        let total = if k.is_multiple_of(10) {
            "string"
        } else {
            "number"
        };
        let implementation = small_file(k, total);
        write(
            &root.join(format!("generated/ctx{}/agg{k}.types.ts", k % 20)),
            &spec,
        );
        write(
            &root.join(format!("src/domain/ctx{}/agg{k}.types.ts", k % 20)),
            &implementation,
        );
    }
    write(&root.join("generated/big/big.types.ts"), &big_file(false));
    let big = root.join("src/domain/big/big.types.ts");
    write(&big, &big_file(true));
    big
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folder");
    std::fs::write(path, text).expect("write file");
}

fn small_file(k: usize, total: &str) -> String {
    format!(
        "export interface Entity{k} {{\n  readonly id: string;\n  total: {total};\n  note?: string;\n}}\n\n\
         export interface Entity{k}Created {{\n  readonly id: string;\n  readonly at: string;\n}}\n"
    )
}

/// 500 interfaces of 10 lines; the implementation drifts in every 50th.
fn big_file(implementation: bool) -> String {
    let mut out = String::with_capacity(BIG_LINES * 30);
    for i in 0..BIG_LINES / 10 {
        let amount = if implementation && i.is_multiple_of(50) {
            "string"
        } else {
            "number"
        };
        out.push_str(&format!(
            "export interface Line{i} {{\n  // line item {i}\n  readonly id: string;\n  amount: {amount};\n  \
             label?: string;\n  tags: readonly string[];\n  created: string;\n  updated?: string;\n  \
             owner: string;\n}}\n"
        ));
    }
    out
}

/// One keystroke: type `x` at the end of a comment in the middle of the file, then delete it.
fn keystroke(text: &str, i: usize) -> (usize, &'static str, usize) {
    let comment = format!("  // line item {}", BIG_LINES / 20 + (i / 2) % 100);
    let at = text.find(&comment).expect("the comment line") + comment.len();
    if i.is_multiple_of(2) {
        (at, "x", at)
    } else {
        (at, "", at + 1)
    }
}

fn apply(text: &mut String, (start, insert, end): (usize, &str, usize)) {
    text.replace_range(start..end, insert);
}

/// Edits a tree and reparses, as the document store does, on a plain string.
fn bare_reparse(text: &str, edits: usize) -> (Vec<Duration>, Vec<(usize, &'static str, usize)>) {
    let mut text = text.to_string();
    let mut tree = parse(&text, Dialect::TypeScript, None);
    let mut times = Vec::with_capacity(edits);
    let mut all = Vec::with_capacity(edits);
    for i in 0..edits {
        let edit = keystroke(&text, i);
        all.push(edit);
        let (start, insert, end) = edit;
        let new_end = start + insert.len();
        let point = |t: &str, b: usize| {
            let row = t[..b].matches('\n').count();
            Point {
                row,
                column: b - t[..b].rfind('\n').map_or(0, |n| n + 1),
            }
        };
        let (start_position, old_end_position) = (point(&text, start), point(&text, end));
        apply(&mut text, edit);
        tree.edit(&InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: new_end,
            start_position,
            old_end_position,
            new_end_position: point(&text, new_end),
        });
        // Only the reparse is timed: computing points on a String is not what the server does.
        let t0 = Instant::now();
        tree = parse(&text, Dialect::TypeScript, Some(&tree));
        times.push(t0.elapsed());
    }
    (times, all)
}

fn lsp_latency(
    root: &Path,
    big: &Path,
    text: &str,
    edits: &[(usize, &str, usize)],
) -> Vec<Duration> {
    let started = Instant::now();
    let capabilities = json!({"textDocument": {"publishDiagnostics": {"versionSupport": true}}});
    let mut server = Server::start(root, capabilities, |_| {}, TIMEOUT);
    let uri = format!("file://{}", big.display());
    server.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "typescript", "version": 1, "text": text
        }}}),
    );
    let first = server.diagnostics_of(&uri, 1);
    println!(
        "index + first diagnostics: {:?} ({} diagnostics in the edited file)",
        started.elapsed(),
        first["params"]["diagnostics"]
            .as_array()
            .map_or(0, Vec::len)
    );
    let mut text = text.to_string();
    let mut times = Vec::with_capacity(edits.len());
    for (i, &(start, insert, end)) in edits.iter().enumerate() {
        let version = i as i64 + 2;
        let range = json!({"start": position(&text, start), "end": position(&text, end)});
        apply(&mut text, (start, insert, end));
        let t0 = Instant::now();
        server.send(
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range, "text": insert}]
            }}),
        );
        server.diagnostics_of(&uri, version);
        times.push(t0.elapsed());
    }
    server.stop();
    times
}

/// UTF-16 position of a byte offset (the generated text is ASCII: columns are bytes).
fn position(text: &str, offset: usize) -> Value {
    let line = text[..offset].matches('\n').count();
    let col = offset - text[..offset].rfind('\n').map_or(0, |n| n + 1);
    json!({"line": line, "character": col})
}

/// Prints p50/p95/p99/max and returns (p50, p95, p99) in ms.
fn report(what: &str, times: &[Duration]) -> (f64, f64, f64) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let at =
        |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
    println!(
        "{what:<40} p50 {:>8.3} ms  p95 {:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms",
        at(0.5),
        at(0.95),
        at(0.99),
        at(1.0)
    );
    (at(0.5), at(0.95), at(0.99))
}
