//! The body of `fix` (the command and the MCP server's `moment_fix`): the project check, the
//! one fix policy, every target checked, then the atomic writes.

use anyhow::Context;

use crate::fix::{apply_edits, gains_syntax_errors, plan_fixes};
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
    pub skipped: usize,
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

    let diff = changes.iter().map(unified_diff).collect();
    if !dry_run {
        for c in &changes {
            write_atomic(&ws.writable(&c.path)?, c.new.as_bytes(), None)
                .with_context(|| format!("cannot write `{}`", c.path))?;
        }
    }
    Ok(FixRun {
        changes,
        skipped,
        refused,
        diff,
        unknown,
        left,
        warnings: checked.warnings.clone(),
    })
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
