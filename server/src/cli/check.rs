//! `moment-sync check`: report drift.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::{print_warnings, progress_for, CategoryArg, WorkspaceArgs};
use crate::analysis::Analysis;
use crate::project::{self, Mode};
use crate::report;
use crate::support::atomic::write_atomic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    /// GitHub Actions workflow annotations (`::error file=…,line=…::…`).
    Github,
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
    /// Write the report to this file (atomically) instead of stdout.
    #[arg(long = "output-file", short = 'o', value_name = "PATH")]
    pub output_file: Option<PathBuf>,
    /// Print only the drift points: no progress, warnings, notes or summary (the exit status
    /// still says whether there is drift).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<i32> {
    let ws = args.workspace.open()?;
    let bar = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        progress_for(&ws)?
    };
    let checked = project::check(&ws, Mode::IfRecorded, &|| bar.inc(1))?;
    bar.finish_and_clear();
    if !args.quiet {
        print_warnings(&checked.warnings);
    }
    let analysis = checked.analysis;
    let stale = stale_note(&ws)?;
    // Rejected points are hidden; say so outside the JSON/SARIF schemas.
    let suppressed = match checked.suppressed.len() {
        0 => String::new(),
        1 => "1 rejected drift point suppressed (moment-sync status lists decisions)".to_string(),
        n => format!("{n} rejected drift points suppressed (moment-sync status lists decisions)"),
    };
    let warn = |analysis: &Analysis| {
        if !args.quiet {
            print_syntax_warnings(analysis);
            if !suppressed.is_empty() {
                eprintln!("moment-sync: {suppressed}");
            }
            if let Some(note) = &stale {
                eprintln!("moment-sync: {note}");
            }
        }
    };
    let text = match args.format {
        Format::Human => {
            let color = match &args.output_file {
                Some(_) => anstream::ColorChoice::global() == anstream::ColorChoice::Always,
                None => {
                    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
                }
            };
            if args.quiet {
                report::render_human_quiet(&analysis, color)
            } else {
                let mut text = report::render_human(&analysis, color);
                for line in [Some(&suppressed), stale.as_ref()]
                    .into_iter()
                    .flatten()
                    .filter(|l| !l.is_empty())
                {
                    text.push_str(line);
                    text.push('\n');
                }
                text
            }
        }
        Format::Json => {
            warn(&analysis);
            let root = ws.root.to_string_lossy().replace('\\', "/");
            let r =
                report::json_report(&analysis, &root, &ws.generated_dir, &ws.implementation_dir);
            format!("{}\n", serde_json::to_string_pretty(&r)?)
        }
        Format::Sarif => {
            warn(&analysis);
            let base = report::SarifBase::new(&ws.root, &repository_root(&ws.root))?;
            format!(
                "{}\n",
                serde_json::to_string_pretty(&report::sarif_report(&analysis, &base))?
            )
        }
        Format::Github => {
            // Syntax errors are annotations here; the rest goes to the log.
            if !args.quiet {
                for note in [Some(&suppressed), stale.as_ref()].into_iter().flatten() {
                    if !note.is_empty() {
                        eprintln!("moment-sync: {note}");
                    }
                }
            }
            report::github_annotations(&analysis, &repository_prefix(&ws.root))
        }
    };
    match &args.output_file {
        Some(path) => write_atomic(path, text.as_bytes(), None)
            .with_context(|| format!("cannot write `{}`", path.display()))?,
        None => write!(anstream::stdout(), "{text}")?,
    }
    let fails = analysis
        .points
        .iter()
        .any(|p| p.category.number() >= args.fail_on.number());
    Ok(if fails { 1 } else { 0 })
}

/// The git work tree holding `root` (code scanning and annotations resolve paths against it),
/// else `root` itself.
fn repository_root(root: &Path) -> PathBuf {
    root.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(root)
        .to_path_buf()
}

/// `root` relative to its repository, `/`-terminated (`""` when it is the repository root).
fn repository_prefix(root: &Path) -> String {
    match root.strip_prefix(repository_root(root)) {
        Ok(rel) if !rel.as_os_str().is_empty() => {
            format!("{}/", rel.to_string_lossy().replace('\\', "/"))
        }
        _ => String::new(),
    }
}

/// With a `.moment` spec, says when the emitter's output in `generatedDir` no longer matches it.
fn stale_note(ws: &crate::workspace::Workspace) -> anyhow::Result<Option<String>> {
    let Some(spec) = ws.load_spec()? else {
        return Ok(None);
    };
    let stale = project::spec::stale_generated(ws, &spec)?;
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
