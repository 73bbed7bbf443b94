//! `moment-sync check`: report drift.

use std::io::Write;

use clap::{Args, ValueEnum};

use super::{progress, CategoryArg, WorkspaceArgs};
use crate::analysis::{self, Analysis};
use crate::report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Exit 1 when a drift point reaches this category.
    #[arg(long = "fail-on", value_enum, default_value = "1")]
    pub fail_on: CategoryArg,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<i32> {
    let ws = args.workspace.open()?;
    let bar = progress(ws.source_files()?.len());
    let checked = analysis::check_with_state(&ws, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let analysis = checked.analysis;
    let stale = stale_note(&ws)?;
    // Rejected points are hidden; say so outside the JSON/SARIF schemas.
    let suppressed = match checked.suppressed.len() {
        0 => String::new(),
        1 => "1 rejected drift point suppressed (moment-sync status lists decisions)".to_string(),
        n => format!("{n} rejected drift points suppressed (moment-sync status lists decisions)"),
    };
    let mut out = anstream::stdout();
    match args.format {
        Format::Human => {
            let color =
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
            write!(out, "{}", report::render_human(&analysis, color))?;
            if !suppressed.is_empty() {
                writeln!(out, "{suppressed}")?;
            }
            if let Some(note) = &stale {
                writeln!(out, "{note}")?;
            }
        }
        Format::Json => {
            print_syntax_warnings(&analysis);
            if !suppressed.is_empty() {
                eprintln!("moment-sync: {suppressed}");
            }
            if let Some(note) = &stale {
                eprintln!("moment-sync: {note}");
            }
            let root = ws.root.to_string_lossy().replace('\\', "/");
            let r =
                report::json_report(&analysis, &root, &ws.generated_dir, &ws.implementation_dir);
            writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
        }
        Format::Sarif => {
            print_syntax_warnings(&analysis);
            if !suppressed.is_empty() {
                eprintln!("moment-sync: {suppressed}");
            }
            if let Some(note) = &stale {
                eprintln!("moment-sync: {note}");
            }
            let root_uri = format!(
                "file://{}/",
                ws.root.to_string_lossy().trim_end_matches('/')
            );
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&report::sarif_report(&analysis, &root_uri))?
            )?;
        }
    }
    let fails = analysis
        .points
        .iter()
        .any(|p| p.category.number() >= args.fail_on.number());
    Ok(if fails { 1 } else { 0 })
}

/// With a `.moment` spec, says when the emitter's output in `generatedDir` no longer matches it.
fn stale_note(ws: &crate::workspace::Workspace) -> anyhow::Result<Option<String>> {
    let Some(spec) = ws.load_spec()? else {
        return Ok(None);
    };
    let stale = analysis::stale_generated(ws, &spec)?;
    if stale.is_empty() {
        return Ok(None);
    }
    let shown: Vec<String> = stale.iter().take(5).map(|n| format!("`{n}`")).collect();
    let more = match stale.len() {
        n if n > 5 => format!(" and {} more", n - 5),
        _ => String::new(),
    };
    let count = match stale.len() {
        1 => "1 declaration differs".to_string(),
        n => format!("{n} declarations differ"),
    };
    Ok(Some(format!(
        "note: {}/ is stale against the spec `{}`: {count} ({}{more}); re-run the emitter or `moment-sync emit`",
        ws.generated_dir,
        ws.spec.as_deref().unwrap_or_default(),
        shown.join(", "),
    )))
}

/// Syntax errors go to stderr when stdout carries machine-readable output.
fn print_syntax_warnings(analysis: &Analysis) {
    for (path, file) in &analysis.files {
        for e in &file.syntax_errors {
            let (line, col) = report::position(analysis, path, e.span.start);
            eprintln!("moment-sync: warning: {path}:{line}:{col}: {}", e.message);
        }
    }
}
