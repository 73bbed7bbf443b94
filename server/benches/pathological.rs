//! Scaling on pathological input (issue #14, item 9): each case is run through the real binary
//! (`moment-sync check --format json` or `events --json`) at three sizes, 4x apart, and prints
//! the wall time, the peak RSS of the process and the growth ratio of each 4x step. Linear
//! growth is a time ratio near 4 (we call it linear within 2x of 4, i.e. at most 8); a quadratic
//! case shows about 16.
//!
//! `cargo bench --bench pathological` (options after `--`: `--scale N` divides every size by N,
//! default 1; `--only NAME` runs one case). Timings are noisy on a shared machine: read the
//! ratios, which compare runs of the same case in the same process.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Case {
    name: &'static str,
    /// The sizes (4x apart) and what one unit is.
    sizes: [usize; 3],
    unit: &'static str,
    /// Writes the workspace for size `n` into the folder.
    make: fn(&Path, usize),
    args: &'static [&'static str],
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let scale: usize = value("--scale")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let only = value("--only");
    let check: &[&str] = &["check", "--format", "json"];
    let cases = [
        Case {
            name: "one-line-enum",
            sizes: [1_250, 5_000, 20_000],
            unit: "members",
            make: one_line_enum,
            args: check,
        },
        Case {
            name: "member-renames",
            sizes: [250, 1_000, 4_000],
            unit: "renamed members",
            make: member_renames,
            args: check,
        },
        Case {
            name: "drift-points-one-file",
            sizes: [1_250, 5_000, 20_000],
            unit: "drift points",
            make: many_points,
            args: check,
        },
        Case {
            name: "large-file",
            sizes: [1, 4, 16],
            unit: "MB",
            make: large_file,
            args: check,
        },
        Case {
            name: "events-stream",
            sizes: [62_500, 250_000, 1_000_000],
            unit: "lines",
            make: event_stream,
            args: &["events", "--json"],
        },
    ];
    println!("moment-sync on pathological input (time, peak RSS; ratio per 4x step; linear ≤ 8x)");
    for case in cases
        .iter()
        .filter(|c| only.as_deref().is_none_or(|o| o == c.name))
    {
        let mut previous: Option<(Duration, u64)> = None;
        let mut line = format!("{:<22}", case.name);
        for size in case.sizes {
            let n = (size / scale).max(1);
            let dir = tempfile::tempdir().expect("temp dir");
            (case.make)(dir.path(), n);
            let (took, rss_kb) = run(dir.path(), case.args);
            let _ = write!(
                line,
                "  {n} {}: {:.2}s {} MB",
                case.unit,
                took.as_secs_f64(),
                rss_kb / 1024
            );
            if let Some((t, r)) = previous {
                let _ = write!(
                    line,
                    " (x{:.1} time, x{:.1} RSS)",
                    took.as_secs_f64() / t.as_secs_f64().max(1e-6),
                    rss_kb as f64 / r.max(1) as f64
                );
            }
            previous = Some((took, rss_kb));
        }
        println!("{line}");
    }
}

/// Runs the binary in `root`, returning the wall time and the peak RSS (KiB) of the process.
/// The peak is the child's own `VmHWM`, polled every 2 ms until it exits: `ru_maxrss` from
/// `wait4` would not do, because Linux carries the parent's high-water mark over `exec` into the
/// child's, so it reported this benchmark's own memory (e.g. the 250 MB event stream it had just
/// generated) as the binary's.
fn run(root: &Path, args: &[&str]) -> (Duration, u64) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_moment-sync"))
        .args(args)
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    loop {
        if let Some(kb) = vm_hwm_kb(&status) {
            peak_kb = peak_kb.max(kb);
        }
        if child.try_wait().expect("wait for the binary").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    (started.elapsed(), peak_kb)
}

/// The `VmHWM` line of a `/proc/PID/status` (absent once the process has exited).
fn vm_hwm_kb(status: &str) -> Option<u64> {
    let text = std::fs::read_to_string(status).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// Spec and implementation hold the same one-line enum, every value changed.
fn one_line_enum(root: &Path, n: usize) {
    let members = |shift: usize| {
        (0..n)
            .map(|i| format!("M{i} = {}", i + shift))
            .collect::<Vec<_>>()
            .join(", ")
    };
    write(
        root,
        "generated/a.ts",
        &format!("export enum E {{ {} }}\n", members(0)),
    );
    write(
        root,
        "src/domain/a.ts",
        &format!("export enum E {{ {} }}\n", members(1)),
    );
}

/// One interface whose every member the implementation renamed.
fn member_renames(root: &Path, n: usize) {
    let body = |suffix: &str| {
        (0..n)
            .map(|i| format!("  customerAddress{i}{suffix}: string;\n"))
            .collect::<String>()
    };
    write(
        root,
        "generated/a.ts",
        &format!("export interface Big {{\n{}}}\n", body("")),
    );
    write(
        root,
        "src/domain/a.ts",
        &format!("export interface Big {{\n{}}}\n", body("Line")),
    );
}

/// `n` types in one implementation file that the spec lacks: `n` drift points with fixes.
fn many_points(root: &Path, n: usize) {
    write(
        root,
        "generated/a.ts",
        "export interface Spec { a: string }\n",
    );
    let text: String = (0..n)
        .map(|i| format!("export interface Extra{i} {{ a: string; b: number }}\n"))
        .collect();
    write(root, "src/domain/a.ts", &text);
}

/// An implementation file of `n` MB of interfaces, next to a small spec.
fn large_file(root: &Path, n: usize) {
    write(
        root,
        "generated/a.ts",
        "export interface Spec { a: string }\n",
    );
    let mut text = String::new();
    let mut i = 0;
    while text.len() < n * 1_000_000 {
        let _ = writeln!(
            text,
            "export interface T{i} {{ a: string; b: number; c?: boolean }}"
        );
        i += 1;
    }
    write(root, "src/domain/a.ts", &text);
}

/// `n` upstream events in one `.jsonl` file (about 245 bytes a line).
fn event_stream(root: &Path, n: usize) {
    let mut text = String::with_capacity(n * 250);
    for i in 0..n {
        let _ = writeln!(
            text,
            r#"{{"eventId":"evt-{i:09}","eventType":"CommandDefined","version":1,"productSource":"bench","sessionId":"s-1","causationEventIds":[],"correlationId":"c-{i}","timestamp":"2026-01-01T00:00:00Z","payload":{{"name":"Command{i}","aggregate":"Agg"}}}}"#
        );
    }
    write(root, ".complai/events/moment/stream.jsonl", &text);
}
