//! The body of `fix` (the command and the MCP server's `moment_fix`): the project check, the
//! one fix policy, every target checked, then the atomic writes.

use anyhow::Context;

use std::collections::BTreeMap;

use crate::fix::{
    apply_edits, complete_points, gains_syntax_errors, plan_fixes, renamed_names, tidy_imports,
    FilePlan, ImplSide,
};
use crate::model::{Category, DriftPoint, TextEdit};
use crate::project::{self, policy, Mode};
use crate::support::atomic::write_atomic;

/// One file's new text and what produced it.
pub struct Change {
    pub path: String,
    pub old: String,
    pub new: String,
    pub titles: Vec<String>,
    pub creates: bool,
}

/// A fix left out of the run because it edits the same text as a fix that applies.
pub use crate::fix::Overlap;

/// Which drift points' fixes to apply.
pub enum Selection {
    /// Every point up to this category (the command's `--max-category`).
    UpTo(u8),
    /// These drift ids (a unique prefix is enough), whatever their category.
    Ids(Vec<String>),
}

/// What a fix run changed (or, dry, would change).
pub struct FixRun {
    pub changes: Vec<Change>,
    /// How many fixes the changes hold (a fix may change several files).
    pub fixes: usize,
    pub skipped: usize,
    /// The skipped fixes, each with the applied fix it collides with.
    pub collisions: Vec<Overlap>,
    /// Files left untouched because the fixes would break their syntax.
    pub refused: Vec<String>,
    /// The unified diff of every change.
    pub diff: String,
    /// Ids given that match no drift point.
    pub unknown: Vec<String>,
    /// Fixes up to the category that the fix policy leaves for a decision (implementation
    /// ahead, conflicting, or already decided).
    pub left: usize,
    /// State problems the project check worked around.
    pub warnings: Vec<String>,
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
/// `dry_run`.
pub fn execute(
    ws: &crate::workspace::Workspace,
    selection: &Selection,
    dry_run: bool,
    tick: &(dyn Fn() + Sync),
) -> anyhow::Result<FixRun> {
    if !dry_run {
        crate::workspace::clean_leftovers(ws);
    }
    // The project check: recorded bases decide directions, rejected points are suppressed.
    let checked = project::check(ws, Mode::IfRecorded, tick)?;
    let analysis = &checked.analysis;
    let mut unknown = Vec::new();
    let mut left = 0;
    let selected: Vec<&DriftPoint> = match selection {
        // The one fix policy: spec-ahead, open points only.
        Selection::UpTo(max) => {
            let max_category = Category::from_number(*max).unwrap_or(Category::CleanApply);
            let chosen = policy::automatic(&analysis.points, &checked.state, max_category);
            left = analysis
                .points
                .iter()
                .filter(|p| p.category <= max_category && !p.fixes.is_empty())
                .count()
                - chosen.len();
            chosen
        }
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
    // Each fix with the follow-ups that keep the implementation type-checking (imports, uses
    // of renamed names): part of the fix, so the dry run shows them.
    let side = ImplSide::new(analysis.files.values(), &analysis.points)
        .with_outside(outside_files(ws, analysis, &selected)?)
        .with_paths(project::load::path_map(ws));
    let completed = complete_points(selected, &side);
    // A fix editing several files applies in all of them or in none: when a file is refused,
    // the fixes touching it are dropped and the rest planned again.
    let mut refused: Vec<String> = Vec::new();
    let mut kept: Vec<&DriftPoint> = completed.iter().collect();
    let (changes, collisions, fixes) = loop {
        let plans = plan_fixes(kept.iter().copied());
        let planned = file_changes(ws, analysis, &side, &plans)?;
        if planned.refused.is_empty() {
            break (planned.changes, planned.collisions, planned.fixes);
        }
        kept.retain(|p| {
            p.fixes
                .first()
                .is_none_or(|f| !f.edits.iter().any(|e| planned.refused.contains(&e.path)))
        });
        refused.extend(planned.refused);
    };
    refused.sort();
    refused.dedup();

    let diff = changes.iter().map(unified_diff).collect();
    if !dry_run {
        for c in &changes {
            write_atomic(&ws.writable(&c.path)?, c.new.as_bytes(), None)
                .with_context(|| format!("cannot write `{}`", c.path))?;
        }
    }
    Ok(FixRun {
        changes,
        fixes,
        skipped: collisions.len(),
        collisions,
        refused,
        diff,
        unknown,
        left,
        warnings: checked.warnings.clone(),
    })
}

/// The files outside the implementation side that the renames among `selected` may reach (a
/// consumer importing the renamed type).
fn outside_files(
    ws: &crate::workspace::Workspace,
    analysis: &crate::analysis::Analysis,
    selected: &[&DriftPoint],
) -> anyhow::Result<Vec<(String, std::sync::Arc<str>)>> {
    let names = renamed_names(selected.iter().copied());
    let is_side = |rel: &str| analysis.files.contains_key(rel);
    Ok(project::load::outside_texts(ws, &is_side, &names, &|_| {
        None
    })?)
}

/// The planned changes of one round: new texts of the files the plans touch.
struct Planned {
    changes: Vec<Change>,
    collisions: Vec<Overlap>,
    refused: Vec<String>,
    fixes: usize,
}

fn file_changes(
    ws: &crate::workspace::Workspace,
    analysis: &crate::analysis::Analysis,
    side: &ImplSide,
    plans: &BTreeMap<String, FilePlan<'_>>,
) -> anyhow::Result<Planned> {
    let mut changes = Vec::new();
    let mut collisions = Vec::new();
    let mut refused = Vec::new();
    let mut fix_ids = std::collections::BTreeSet::new();
    for (path, plan) in plans {
        collisions.extend(plan.skipped.iter().map(|c| overlap_of(c, side, analysis)));
        if plan.fixes.is_empty() {
            continue;
        }
        // Every target is checked before anything is written: inside the root, not a link.
        let abs = ws.writable(path)?;
        // A file of the side, or one outside it that a rename reaches (a consumer).
        let planned_on = analysis
            .file(path)
            .map(|f| &*f.text)
            .or_else(|| side.outside_text(path));
        let (old, creates) = match planned_on {
            // Planned on the text read at the start: if another writer changed the file since,
            // writing would drop its edit.
            Some(t) if std::fs::read_to_string(&abs).ok().as_deref() != Some(t) => {
                anyhow::bail!(
                    "`{path}` changed while its fixes were being planned; nothing was written (run `fix` again)"
                )
            }
            Some(t) => (t.to_string(), false),
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
        // What the fixes do together to the file's imports (two fixes each removing one of the
        // two uses of an import).
        let new = tidy_imports(side, path, &old, &new)?;
        if gains_syntax_errors(path, &old, &new) {
            refused.push(path.clone());
            continue;
        }
        let titles = plan.fixes.iter().map(|(_, f)| f.title.clone()).collect();
        fix_ids.extend(plan.fixes.iter().map(|(_, f)| f.id.clone()));
        changes.push(Change {
            path: path.clone(),
            old,
            new,
            titles,
            creates,
        });
    }
    Ok(Planned {
        changes,
        collisions,
        refused,
        fixes: fix_ids.len(),
    })
}

/// What a report says about a left-out fix (the line from the text it was planned on).
fn overlap_of(
    c: &crate::fix::Collision<'_>,
    side: &ImplSide,
    analysis: &crate::analysis::Analysis,
) -> Overlap {
    let text = analysis
        .file(&c.path)
        .map(|f| &*f.text)
        .or_else(|| side.outside_text(&c.path))
        .unwrap_or("");
    c.describe(text)
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
