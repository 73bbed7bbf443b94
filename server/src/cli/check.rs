//! `moment-sync check`: report drift.

use std::io::Write;

use clap::{Args, ValueEnum};

use super::{print_warnings, progress_for, CategoryArg, WorkspaceArgs};
use crate::analysis::Analysis;
use crate::project::{self, Mode};
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
    let bar = progress_for(&ws)?;
    let checked = project::check(&ws, Mode::IfRecorded, &|| bar.inc(1))?;
    bar.finish_and_clear();
    print_warnings(&checked);
    let analysis = checked.analysis;
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
        }
        Format::Json => {
            print_syntax_warnings(&analysis);
            if !suppressed.is_empty() {
                eprintln!("moment-sync: {suppressed}");
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

/// Syntax errors go to stderr when stdout carries machine-readable output.
fn print_syntax_warnings(analysis: &Analysis) {
    for (path, file) in &analysis.files {
        for e in &file.syntax_errors {
            let (line, col) = report::position(analysis, path, e.span.start);
            eprintln!("moment-sync: warning: {path}:{line}:{col}: {}", e.message);
        }
    }
}
