//! Benchmark of `check` on a synthetic workspace, against bare tree-sitter parsing of the same
//! bytes in the same run.
//!
//! `cargo bench --bench check` (options after `--`: `--files N` (default 2000), `--runs N`
//! (default 5)). Prints files/s, MB/s, the engine's phases and its overhead over bare parsing.

/// The binary's allocator, so that figures are those of `moment-sync`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::time::{Duration, Instant};

use moment_sync::analysis::{self, AnalysisInput};
use moment_sync::model::Side;
use moment_sync::project::{self, load::read_models, Mode};
use moment_sync::syntax::{self, Dialect};
use moment_sync::workspace::{Config, Workspace};
use rayon::prelude::*;

const TYPES_PER_FILE: usize = 10;
const FIELDS_PER_TYPE: usize = 10;

fn main() {
    moment_sync::syntax::use_mimalloc_for_trees();
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let files = flag("--files", 2000);
    let runs = flag("--runs", 5).max(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let (bytes, drifted) = generate(dir.path(), files);
    let mb = bytes as f64 / 1e6;
    println!("workspace: {files} spec files + {files} implementation files, {:.1} MB, {} interfaces, {drifted} drifted fields", mb, files * TYPES_PER_FILE * 2);

    let ws = Workspace::open(dir.path(), &Config::default()).expect("workspace opens");
    let sources = ws.source_files().expect("walk");
    let texts: Vec<String> = sources.iter().map(|f| f.read().expect("read")).collect();

    let bare_seq = measure(runs, || {
        for t in &texts {
            std::hint::black_box(syntax::parse(t, Dialect::TypeScript, None));
        }
    });
    let bare_par = measure(runs, || {
        texts.par_iter().for_each(|t| {
            std::hint::black_box(syntax::parse(t, Dialect::TypeScript, None));
        })
    });
    let mut points = 0;
    let check = measure(runs, || {
        let a = project::check(&ws, Mode::IfRecorded, &|| {}).expect("check");
        points = a.analysis.points.len();
    });
    // Phases of one check, for where the time goes.
    let t = Instant::now();
    let sources = ws.source_files().expect("walk");
    let walk = t.elapsed();
    let t = Instant::now();
    let models = read_models(&sources, &|| {}).expect("load");
    let load = t.elapsed();
    let t = Instant::now();
    let (spec, implementation): (Vec<_>, Vec<_>) =
        models.into_iter().partition(|m| m.side == Side::Spec);
    let a = analysis::analyze(&AnalysisInput {
        spec,
        implementation,
        consumers: Default::default(),
        implementation_dir: ws.implementation_dir.clone(),
    });
    let compare = t.elapsed();
    assert_eq!(a.points.len(), drifted, "every drifted field is found");

    let n = sources.len() as f64;
    let row = |name: &str, d: &Stats| {
        println!(
            "{name:<34} median {:>8.1} ms  (min {:>7.1}, max {:>7.1})  {:>9.0} files/s  {:>6.1} MB/s",
            ms(d.median),
            ms(d.min),
            ms(d.max),
            n / d.median.as_secs_f64(),
            mb / d.median.as_secs_f64()
        );
    };
    println!("runs: {runs}, threads: {}", rayon::current_num_threads());
    row("bare tree-sitter parse, 1 thread", &bare_seq);
    row("bare tree-sitter parse, parallel", &bare_par);
    row("check (walk+read+parse+compare)", &check);
    println!(
        "check phases: walk {:.1} ms, read+parse+extract {:.1} ms, match+diff+fixes {:.1} ms",
        ms(walk),
        ms(load),
        ms(compare)
    );
    println!(
        "overhead of check over bare parallel parse: {:.2}x ({:+.1} ms); drift points found: {points}",
        check.median.as_secs_f64() / bare_par.median.as_secs_f64(),
        ms(check.median) - ms(bare_par.median)
    );
    if let Some(kb) = peak_rss_kb() {
        println!("peak RSS: {:.1} MB", kb as f64 / 1024.0);
    }
}

struct Stats {
    median: Duration,
    min: Duration,
    max: Duration,
}

fn measure(runs: usize, mut f: impl FnMut()) -> Stats {
    f(); // warm-up: page cache, thread pool, parsers
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    Stats {
        median: times[times.len() / 2],
        min: times[0],
        max: times[times.len() - 1],
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Writes the workspace in the emitter's style; every 100th field differs in the implementation
/// (1 % drift). Returns the bytes written and the number of drifted fields.
fn generate(root: &Path, files: usize) -> (usize, usize) {
    let mut bytes = 0;
    let mut drifted = 0;
    let mut field_no = 0usize;
    for f in 0..files {
        let rel = format!("ctx{}/agg{f}.types.ts", f % 20);
        let mut spec = String::from("// Generated by @mmmnt/emit-ts. Do not edit.\n\n");
        let mut imp = String::from("// Hand-written implementation.\n\n");
        for t in 0..TYPES_PER_FILE {
            let name = format!("Type{f}x{t}");
            spec.push_str(&format!("export interface {name} {{\n"));
            imp.push_str(&format!("export interface {name} {{\n"));
            for k in 0..FIELDS_PER_TYPE {
                let ty = [
                    "string",
                    "number",
                    "readonly string[]",
                    "Money",
                    "'a' | 'b'",
                ][k % 5];
                spec.push_str(&format!("  readonly field{k}: {ty};\n"));
                let impl_ty = if field_no % 100 == 99 {
                    drifted += 1;
                    "boolean"
                } else {
                    ty
                };
                imp.push_str(&format!("  readonly field{k}: {impl_ty};\n"));
                field_no += 1;
            }
            spec.push_str("}\n\n");
            imp.push_str("}\n\n");
        }
        bytes += spec.len() + imp.len();
        for (side, text) in [("generated", &spec), ("src/domain", &imp)] {
            let p = root.join(side).join(&rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
    }
    (bytes, drifted)
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
