//! Benchmark of `.moment` parsing, next to tree-sitter's TypeScript parse measured in the same
//! run: the spec is parsed, and the TypeScript it projects to (what the emitter writes) is parsed
//! by tree-sitter, both single-threaded.
//!
//! `cargo bench --bench moment` (options after `--`: `--contexts N` (default 200), `--runs N`
//! (default 5)). Prints MB/s of each, their ratio, and the whole projection (parse, merge, emit,
//! extraction of the emitted TypeScript) per MB of spec.

use std::time::{Duration, Instant};

use moment_sync::moment::{self, LoadedSpec};
use moment_sync::syntax::{self, Dialect};

const AGGREGATES: usize = 5;
const FIELDS: usize = 8;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let contexts = flag("--contexts", 200);
    let runs = flag("--runs", 5).max(1);
    let spec = generate(contexts);
    let loaded = LoadedSpec::from_texts(vec![("bench.moment".into(), spec.clone())]);
    assert!(
        loaded.problems.is_empty(),
        "{:?}",
        loaded.describe_problems()
    );
    let ts: Vec<&str> = loaded.emitted.iter().map(|f| f.text.as_str()).collect();
    let spec_mb = spec.len() as f64 / 1e6;
    let ts_mb = ts.iter().map(|t| t.len()).sum::<usize>() as f64 / 1e6;
    println!(
        "spec: {contexts} contexts × {AGGREGATES} aggregates, {spec_mb:.2} MB of .moment → {} files, {ts_mb:.2} MB of TypeScript",
        ts.len()
    );

    let moment_parse = measure(runs, || {
        std::hint::black_box(moment::parse(&spec));
    });
    let ts_parse = measure(runs, || {
        for t in &ts {
            std::hint::black_box(syntax::parse(t, Dialect::TypeScript, None));
        }
    });
    let projection = measure(runs, || {
        let loaded = LoadedSpec::from_texts(vec![("bench.moment".into(), spec.clone())]);
        std::hint::black_box(loaded.spec_models("generated"));
    });
    let rate = |mb: f64, d: Duration| mb / d.as_secs_f64();
    let m = rate(spec_mb, moment_parse);
    let t = rate(ts_mb, ts_parse);
    println!("(median of {runs} runs, one thread; the machine may be shared: compare the ratio)");
    println!(".moment parse (logos + recursive descent): {m:8.1} MB/s  ({moment_parse:?})");
    println!("tree-sitter TypeScript parse (baseline):   {t:8.1} MB/s  ({ts_parse:?})");
    println!("ratio .moment / tree-sitter:               {:8.2}×", m / t);
    println!(
        "whole projection (parse, merge, emit, extraction): {:.1} MB of spec/s ({projection:?})",
        rate(spec_mb, projection)
    );
}

fn measure(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// A spec like a real one: contexts of aggregates with commands, events, value objects,
/// deprecations, comments and a policy each.
fn generate(contexts: usize) -> String {
    let mut s = String::new();
    for c in 0..contexts {
        s.push_str(&format!("// Context {c}\ncontext \"Context {c}\" [Core]\n  description \"Generated for the benchmark\"\n"));
        for a in 0..AGGREGATES {
            s.push_str(&format!(
                "  aggregate \"Agg{c}x{a}\"\n    identity agg{a}Id: UUID\n\n"
            ));
            s.push_str(&format!("    command Do{c}x{a}\n      input "));
            let inputs: Vec<String> = (0..FIELDS).map(|f| format!("in{f}: string")).collect();
            s.push_str(&inputs.join(", "));
            s.push_str(&format!(
                "\n      precondition P-{c}-{a}: \"holds\"\n      emits Done{c}x{a}\n\n    event Done{c}x{a}\n"
            ));
            for f in 0..FIELDS {
                let ty = ["string", "number", "Money", "DateTime", "Line[]"][f % 5];
                s.push_str(&format!("      field{f}: {ty}\n"));
            }
            s.push_str("      old: number [deprecated \"replaced\" -> \"field1\"]\n\n");
        }
        s.push_str("  value-object Line\n    sku: string\n    quantity: number\n");
        s.push_str(&format!(
            "  policy Notify{c} trigger Done{c}x0 action \"notify\"\n\n"
        ));
    }
    s
}
