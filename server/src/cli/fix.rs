//! `moment-sync fix`: apply the preferred fix of every drift point up to a category.

use std::collections::BTreeMap;
use std::io::Write;

use clap::Args;

use super::{print_warnings, progress_for, CategoryArg, WorkspaceArgs};
use crate::ops::fix::{execute, FixRun, Selection};

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

pub fn run(args: &FixArgs) -> anyhow::Result<i32> {
    let ws = args.workspace.open()?;
    let bar = progress_for(&ws)?;
    let max = args.max_category.number();
    let run = execute(&ws, &Selection::UpTo(max), args.dry_run, &|| bar.inc(1))?;
    bar.finish_and_clear();
    print_warnings(&run.warnings);
    let mut out = anstream::stdout();
    if args.dry_run {
        write!(out, "{}", run.diff)?;
    }
    report(&mut out, &run, args.dry_run, max)?;
    Ok(0)
}

fn report(out: &mut impl Write, run: &FixRun, dry_run: bool, max: u8) -> std::io::Result<()> {
    let (changes, skipped, left, refused) = (&run.changes, run.skipped, run.left, &run.refused);
    // A fix that changes several files is counted once.
    let fixes = run.fixes;
    let verb = if dry_run { "would change" } else { "changed" };
    for c in changes {
        let created = if c.creates { " (new file)" } else { "" };
        writeln!(out, "{verb} {}{created}:", c.path)?;
        for t in &c.titles {
            writeln!(out, "  - {t}")?;
        }
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
    writeln!(out)?;
    // Which points collide, so the user can look at both (or pick one), and what to do.
    for c in &run.collisions {
        writeln!(
            out,
            "  left out: {} {} ({}) edits the same text as {} {} ({}) at {}:{}",
            c.id, c.name, c.kind, c.with_id, c.with_name, c.with_kind, c.path, c.line
        )?;
    }
    if !run.collisions.is_empty() {
        writeln!(
            out,
            "  run `moment-sync fix` again to apply what is still open on the fixed text (`moment-sync \
             check` shows whether the other fix already settled it), or `moment-sync decide accept \
             <id>` to apply one of them alone"
        )?;
    }
    Ok(())
}
