//! `moment-sync fix`: apply the preferred fix of every drift point up to a category.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Context;
use clap::Args;

use super::{print_warnings, progress_for, CategoryArg, WorkspaceArgs};
use crate::fix::{apply_edits, gains_syntax_errors, plan_fixes};
use crate::model::{Category, TextEdit};
use crate::project::{self, policy, Mode};
use crate::support::atomic::write_atomic;

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
    if !args.dry_run {
        crate::workspace::clean_leftovers(&ws);
    }
    let bar = progress_for(&ws)?;
    // The project check: recorded bases decide directions, rejected points are suppressed.
    let checked = project::check(&ws, Mode::IfRecorded, &|| bar.inc(1))?;
    bar.finish_and_clear();
    print_warnings(&checked);
    let max = args.max_category.number();
    let max_category = Category::from_number(max).unwrap_or(Category::CleanApply);
    let chosen = policy::automatic(&checked.analysis.points, &checked.state, max_category);
    let left = checked
        .analysis
        .points
        .iter()
        .filter(|p| p.category.number() <= max && !p.fixes.is_empty())
        .count()
        - chosen.len();
    let analysis = &checked.analysis;
    let plans = plan_fixes(chosen);

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
        if gains_syntax_errors(path, &old, &new) {
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

    let mut out = anstream::stdout();
    if args.dry_run {
        for c in &changes {
            write!(out, "{}", unified_diff(c))?;
        }
    } else {
        for c in &changes {
            write_atomic(&ws.writable(&c.path)?, c.new.as_bytes(), None)
                .with_context(|| format!("cannot write `{}`", c.path))?;
        }
    }
    report(
        &mut out,
        &changes,
        skipped,
        left,
        &refused,
        args.dry_run,
        max,
    )?;
    Ok(0)
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
    left: usize,
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
    if left > 0 {
        write!(
            out,
            "; {left} fix{} left for a decision (implementation ahead, conflicting or decided: \
             `moment-sync decide`)",
            if left == 1 { "" } else { "es" }
        )?;
    }
    writeln!(out)
}
