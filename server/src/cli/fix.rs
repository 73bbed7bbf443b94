//! `moment-sync fix`: apply the preferred fix of every drift point up to a category.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Context;
use clap::Args;

use super::{progress, CategoryArg, WorkspaceArgs};
use crate::analysis;
use crate::drift::TextEdit;
use crate::fix::{apply_edits, plan_fixes, write_atomically};
use crate::syntax;

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// Apply fixes of drift points up to this category.
    #[arg(long = "max-category", value_enum, default_value = "1")]
    pub max_category: CategoryArg,
    /// Print a unified diff of what would change; write nothing.
    #[arg(long = "dry-run")]
    pub dry_run: bool,
}

/// One file's new text and what produced it.
struct Change {
    path: String,
    old: String,
    new: String,
    titles: Vec<String>,
    creates: bool,
}

pub fn run(args: &FixArgs) -> anyhow::Result<i32> {
    let ws = args.workspace.open()?;
    let files = ws.source_files()?;
    let bar = progress(files.len());
    let max = args.max_category.number();
    let run = execute(&ws, &Selection::UpTo(max), args.dry_run, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let mut out = anstream::stdout();
    if args.dry_run {
        write!(out, "{}", run.diff)?;
    }
    report(
        &mut out,
        &run.changes,
        run.skipped,
        &run.refused,
        args.dry_run,
        max,
    )?;
    Ok(0)
}

/// Which drift points' fixes to apply.
pub(crate) enum Selection {
    /// Every point up to this category (the command's `--max-category`).
    UpTo(u8),
    /// These drift ids (a unique prefix is enough), whatever their category.
    Ids(Vec<String>),
}

/// What a fix run changed (or, dry, would change).
pub(crate) struct FixRun {
    changes: Vec<Change>,
    pub skipped: usize,
    /// Files left untouched because the fixes would break their syntax.
    pub refused: Vec<String>,
    /// The unified diff of every change.
    pub diff: String,
    /// Ids given that match no drift point.
    pub unknown: Vec<String>,
}

impl FixRun {
    /// `(path, fix titles, created)` of each changed file.
    pub fn changed(&self) -> Vec<(String, Vec<String>, bool)> {
        self.changes
            .iter()
            .map(|c| (c.path.clone(), c.titles.clone(), c.creates))
            .collect()
    }
}

/// Plans the fixes of the selected points, checks every target, and writes the files unless
/// `dry_run`. Shared with the MCP server's `moment_fix`.
pub(crate) fn execute(
    ws: &crate::workspace::Workspace,
    selection: &Selection,
    dry_run: bool,
    tick: &(dyn Fn() + Sync),
) -> anyhow::Result<FixRun> {
    if !dry_run {
        crate::workspace::clean_leftovers(ws);
    }
    let analysis = analysis::check_workspace(ws, tick)?;
    let mut unknown = Vec::new();
    let selected: Vec<&crate::drift::DriftPoint> = match selection {
        Selection::UpTo(max) => analysis
            .points
            .iter()
            .filter(|p| p.category.number() <= *max)
            .collect(),
        Selection::Ids(ids) => {
            let mut chosen = Vec::new();
            for id in ids {
                let matches: Vec<_> = analysis
                    .points
                    .iter()
                    .filter(|p| p.id.starts_with(id.as_str()))
                    .collect();
                match matches.as_slice() {
                    [one] => chosen.push(*one),
                    _ => unknown.push(id.clone()),
                }
            }
            chosen
        }
    };
    let plans = plan_fixes(selected);

    let mut changes = Vec::new();
    let mut skipped = 0;
    let mut refused = Vec::new();
    for (path, plan) in &plans {
        skipped += plan.skipped.len();
        if plan.fixes.is_empty() {
            continue;
        }
        // Every target is checked before anything is written: inside the root, not a link.
        let abs = ws.writable(path)?;
        let (old, creates) = match analysis.file(path) {
            // Planned on the text read at the start: if another writer changed the file since,
            // writing would drop its edit.
            Some(f) if std::fs::read_to_string(&abs).ok().as_deref() != Some(&*f.text) => {
                anyhow::bail!(
                    "`{path}` changed while its fixes were being planned; nothing was written (run `fix` again)"
                )
            }
            Some(f) => (f.text.to_string(), false),
            None => match std::fs::read_to_string(&abs) {
                Ok(t) => (t, false),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), true),
                Err(e) => return Err(e).with_context(|| format!("cannot read `{path}`")),
            },
        };
        let edits: Vec<&TextEdit> = plan
            .fixes
            .iter()
            .flat_map(|(_, f)| f.edits.iter())
            .filter(|e| &e.path == path)
            .collect();
        let new = apply_edits(path, &old, &edits)?;
        if introduces_syntax_errors(path, &old, &new) {
            refused.push(path.clone());
            continue;
        }
        let titles = plan.fixes.iter().map(|(_, f)| f.title.clone()).collect();
        changes.push(Change {
            path: path.clone(),
            old,
            new,
            titles,
            creates,
        });
    }

    let diff = changes.iter().map(unified_diff).collect();
    if !dry_run {
        for c in &changes {
            write_atomically(&ws.writable(&c.path)?, &c.new)
                .with_context(|| format!("cannot write `{}`", c.path))?;
        }
    }
    Ok(FixRun {
        changes,
        skipped,
        refused,
        diff,
        unknown,
    })
}

/// `true` when the fixed text parses with more errors than the original (then it is not written).
fn introduces_syntax_errors(path: &str, old: &str, new: &str) -> bool {
    let count = |text: &str| {
        syntax::parse_file(path, path, crate::model::Side::Implementation, text.into())
            .syntax_errors
            .len()
    };
    count(new) > count(old)
}

fn unified_diff(c: &Change) -> String {
    let old_header = if c.creates {
        "/dev/null".to_string()
    } else {
        format!("a/{}", c.path)
    };
    similar::TextDiff::from_lines(&c.old, &c.new)
        .unified_diff()
        .context_radius(3)
        .header(&old_header, &format!("b/{}", c.path))
        .to_string()
}

fn report(
    out: &mut impl Write,
    changes: &[Change],
    skipped: usize,
    refused: &[String],
    dry_run: bool,
    max: u8,
) -> std::io::Result<()> {
    let verb = if dry_run { "would change" } else { "changed" };
    let mut fixes = 0;
    for c in changes {
        let created = if c.creates { " (new file)" } else { "" };
        writeln!(out, "{verb} {}{created}:", c.path)?;
        for t in &c.titles {
            writeln!(out, "  - {t}")?;
        }
        fixes += c.titles.len();
    }
    let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
    for c in changes {
        *per_file.entry(&c.path).or_default() += 1;
    }
    for path in refused {
        writeln!(
            out,
            "left {path} untouched: the fixes would introduce syntax errors"
        )?;
    }
    let applied = if dry_run { "would apply" } else { "applied" };
    write!(
        out,
        "{applied} {fixes} fix{} up to category {max} in {} file{}",
        if fixes == 1 { "" } else { "es" },
        per_file.len(),
        if per_file.len() == 1 { "" } else { "s" }
    )?;
    if skipped > 0 {
        write!(
            out,
            "; {skipped} overlapping fix{} left for the next run",
            if skipped == 1 { "" } else { "es" }
        )?;
    }
    writeln!(out)
}
