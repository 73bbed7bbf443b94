//! Human output: drift points grouped by file, one line each, and a one-line summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use owo_colors::OwoColorize;

use super::position;
use crate::analysis::Analysis;
use crate::cascade::Outcome;
use crate::drift::{Category, DriftPoint};

/// Renders the analysis; ANSI colours are added when `color` is set.
pub fn render_human(analysis: &Analysis, color: bool) -> String {
    let mut out = render_points(analysis, color);
    render_notes(&mut out, analysis, color);
    out.push_str(&summary_line(analysis, color));
    out.push('\n');
    out
}

/// `check --quiet`: the drift points only (no warnings, notes or summary; nothing when in sync).
pub fn render_human_quiet(analysis: &Analysis, color: bool) -> String {
    render_points(analysis, color)
}

/// The drift points grouped by file.
fn render_points(analysis: &Analysis, color: bool) -> String {
    let mut by_file: BTreeMap<&str, Vec<&DriftPoint>> = BTreeMap::new();
    for p in &analysis.points {
        let path = p.primary_location().map(|l| l.path.as_str()).unwrap_or("");
        by_file.entry(path).or_default().push(p);
    }
    let mut out = String::new();
    for (path, points) in &by_file {
        let _ = writeln!(
            out,
            "{}",
            paint(path, color, |s| s.bold().underline().to_string())
        );
        for p in points {
            let (line, col) = p
                .primary_location()
                .map(|l| position(analysis, &l.path, l.span.start))
                .unwrap_or((1, 1));
            let cat = format!("cat {}", p.category.number());
            let cat = paint(&cat, color, |s| match p.category {
                Category::CleanApply => s.cyan().to_string(),
                Category::ManageableDrift => s.yellow().to_string(),
                Category::Breaking => s.red().bold().to_string(),
            });
            let kind = paint(&format!("{:<19}", p.kind.as_str()), color, |s| {
                s.bold().to_string()
            });
            let id = paint(&p.id, color, |s| s.dimmed().to_string());
            let _ = writeln!(
                out,
                "  {:>5}  {cat}  {kind}  {}  {}  {id}",
                format!("{line}:{col}"),
                p.direction.as_str(),
                p.message
            );
        }
        out.push('\n');
    }
    out
}

/// Syntax warnings and move notes.
fn render_notes(out: &mut String, analysis: &Analysis, color: bool) {
    for (path, file) in &analysis.files {
        for e in &file.syntax_errors {
            let (line, col) = position(analysis, path, e.span.start);
            let label = paint("warning", color, |s| s.yellow().bold().to_string());
            let _ = writeln!(
                out,
                "{label}: {path}:{line}:{col}: {} (declarations after it may be incomplete)",
                e.message
            );
        }
    }
    for m in &analysis.moves {
        let label = paint("note", color, |s| s.dimmed().to_string());
        let _ = writeln!(
            out,
            "{label}: `{}` of {} lives in {} (moved; not drift)",
            m.symbol, m.spec_path, m.implementation_path
        );
    }
}

/// `12 drift points in 4 files (3 × cat 1, 6 × cat 2, 3 × cat 3): breaking`.
pub fn summary_line(analysis: &Analysis, color: bool) -> String {
    let outcome = Outcome::of(analysis.points.iter().map(|p| &p.category));
    if analysis.points.is_empty() {
        let text = format!(
            "in sync: {} spec types in {} spec files, no drift",
            analysis.spec_types, analysis.spec_files
        );
        return paint(&text, color, |s| s.green().to_string());
    }
    let files: std::collections::BTreeSet<&str> = analysis
        .points
        .iter()
        .filter_map(|p| p.primary_location().map(|l| l.path.as_str()))
        .collect();
    let count = |c: Category| analysis.points.iter().filter(|p| p.category == c).count();
    let text = format!(
        "{} drift point{} in {} file{} ({} × cat 1, {} × cat 2, {} × cat 3): {}",
        analysis.points.len(),
        plural(analysis.points.len()),
        files.len(),
        plural(files.len()),
        count(Category::CleanApply),
        count(Category::ManageableDrift),
        count(Category::Breaking),
        outcome.as_str()
    );
    paint(&text, color, |s| match outcome {
        Outcome::Breaking => s.red().bold().to_string(),
        Outcome::Drift => s.yellow().to_string(),
        _ => s.cyan().to_string(),
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn paint(text: &str, color: bool, style: impl Fn(&str) -> String) -> String {
    if color {
        style(text)
    } else {
        text.to_string()
    }
}
