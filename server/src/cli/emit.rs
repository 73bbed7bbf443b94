//! `moment-sync emit`: writes the TypeScript the upstream emitter would write for the spec.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use crate::moment::LoadedSpec;
use crate::workspace::{discover_root, Config, CONFIG_FILE};

/// Where the upstream tooling keeps the emitter's output (its `src/` is the fallback
/// `generatedDir`).
pub const DEFAULT_OUT: &str = ".moment/generated/typescript";

#[derive(Debug, Args)]
pub struct EmitArgs {
    /// Project root (default: the nearest folder holding .moment/, else the git work tree, else
    /// the current folder).
    pub root: Option<PathBuf>,
    /// The `.moment` spec (file or folder), relative to the root (default: the `spec` key).
    #[arg(long = "spec", value_name = "PATH")]
    pub spec: Option<String>,
    /// Output folder, relative to the root; files go to `<DIR>/src/…` like the emitter's.
    #[arg(long = "out", value_name = "DIR", default_value = DEFAULT_OUT)]
    pub out: String,
    /// Print the files that would change and exit 1 if any would, writing nothing.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: &EmitArgs) -> anyhow::Result<i32> {
    let root = match &args.root {
        Some(r) => r.clone(),
        None => discover_root(&std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))),
    };
    let spec = match &args.spec {
        Some(s) => s.clone(),
        None => Config::load(&root.join(CONFIG_FILE))?.spec.ok_or_else(|| {
            anyhow::anyhow!("no spec to emit: pass --spec PATH or set `spec` in {CONFIG_FILE}")
        })?,
    };
    let loaded = LoadedSpec::read(&root, &spec)?.require_valid()?;
    let out_dir = root.join(&args.out);
    let mut out = anstream::stdout();
    let mut changed = 0;
    for file in &loaded.emitted {
        let path = out_dir.join(&file.path);
        // Unchanged files are left alone (their modification times too).
        if std::fs::read_to_string(&path).is_ok_and(|old| old == file.text) {
            continue;
        }
        changed += 1;
        let shown = super::display_path(&root, &path);
        if args.check {
            writeln!(out, "would write {shown}")?;
        } else {
            crate::fix::write_atomically(&path, &file.text)
                .with_context(|| format!("cannot write `{shown}`"))?;
            writeln!(out, "wrote {shown}")?;
        }
    }
    let total = loaded.emitted.len();
    let verb = if args.check {
        "would change"
    } else {
        "changed"
    };
    writeln!(
        out,
        "{total} files emitted from {spec}, {changed} {verb}, into {}",
        args.out
    )?;
    Ok(if args.check && changed > 0 { 1 } else { 0 })
}
