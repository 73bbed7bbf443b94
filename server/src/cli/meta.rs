//! Commands about the tool itself: shell completions, the man page, the config schema.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, CommandFactory};

use super::Cli;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `moment-sync.1` and one `moment-sync-<command>.1` per command into this folder
    /// instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {}

/// `moment-sync completions <shell>`: the script on stdout.
pub fn completions(args: &CompletionsArgs) -> anyhow::Result<i32> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "moment-sync", &mut out);
    out.flush()?;
    Ok(0)
}

/// `moment-sync man [--dir DIR]`.
pub fn man(args: &ManArgs) -> anyhow::Result<i32> {
    let cmd = Cli::command();
    match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write the man pages into `{}`", dir.display()))?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            out.flush()?;
        }
    }
    Ok(0)
}

/// The JSON Schema of `.moment/sync.json`, generated from the configuration type itself.
pub fn config_schema() -> serde_json::Value {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(crate::workspace::Config)).unwrap_or_default();
    if let Some(map) = schema.as_object_mut() {
        map.insert(
            "$id".into(),
            serde_json::Value::String(CONFIG_SCHEMA_URL.into()),
        );
    }
    schema
}

/// Where the schema is published (the `$schema` a config file can name).
pub const CONFIG_SCHEMA_URL: &str =
    "https://github.com/moment-sync/moment-sync/raw/main/docs/schema/sync.schema.json";

/// `moment-sync schema`.
pub fn schema(_args: &SchemaArgs) -> anyhow::Result<i32> {
    writeln!(
        std::io::stdout(),
        "{}",
        serde_json::to_string_pretty(&config_schema())?
    )?;
    Ok(0)
}
