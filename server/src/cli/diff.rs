//! `moment-sync diff <A> [<B>]`: what changed in the spec side between two snapshots, or
//! between a snapshot and the work tree.

use std::path::PathBuf;

use std::io::Write;

use clap::Args;

use super::snapshot::{compared, open_workspace};
use crate::git::{diff_files, ArtifactStore, SpecDiff};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older snapshot (full or abbreviated id, or a revision like refs/moment/artifacts~1).
    pub from: String,
    /// The newer snapshot (default: the spec side as it is now).
    pub to: Option<String>,
    /// Project root (default: discovered from the current folder).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Spec side folder, relative to the root.
    #[arg(long = "generated", value_name = "DIR")]
    pub generated: Option<String>,
    /// Print the changes as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &DiffArgs) -> anyhow::Result<i32> {
    let mut out = super::snapshot::stdout();
    let ws = open_workspace(args.root.clone(), args.generated.clone())?;
    let store = ArtifactStore::open(&ws)?;
    let from = store.resolve(&args.from)?;
    let old = store.read_files(&from)?;
    let (to_label, to_id, new) = match &args.to {
        Some(spec) => {
            let to = store.resolve(spec)?;
            let files = store.read_files(&to)?;
            (to.short_id.clone(), Some(to.id.clone()), files)
        }
        None => ("work tree".to_string(), None, store.current_files()?),
    };
    let diff = diff_files(&old, &new, &|p| compared(&ws, p));
    if args.json {
        let value = serde_json::json!({
            "from": from.id, "to": to_id, "specDir": store.spec_dir(), "diff": diff,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        write!(out, "{}", render(&from.short_id, &to_label, &diff))?;
    }
    Ok(0)
}

fn render(from: &str, to: &str, diff: &SpecDiff) -> String {
    let mut out = format!("spec changes {from} → {to}\n");
    if diff.is_empty() {
        out.push_str("  no change\n");
        return out;
    }
    for (mark, files) in [
        ("A", &diff.added_files),
        ("D", &diff.removed_files),
        ("M", &diff.modified_files),
    ] {
        for f in files {
            out.push_str(&format!("  {mark} {f}\n"));
        }
    }
    for c in &diff.changes {
        let at = match (&c.path, c.line) {
            (Some(p), Some(l)) => format!("  ({p}:{l})"),
            (Some(p), None) => format!("  ({p})"),
            _ => String::new(),
        };
        out.push_str(&format!("  {}{at}\n", c.summary));
    }
    out
}
