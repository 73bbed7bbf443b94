//! `moment-sync events`: list the upstream event signals, optionally following new ones.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::events::{self, Batch, Event, EventStream, Payload};
use crate::workspace::discover_root;

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Project root (default: discovered from the current folder).
    pub root: Option<PathBuf>,
    /// Only events at or after this instant (ISO-8601 with any offset, or a date meaning
    /// midnight UTC).
    #[arg(long, value_name = "TS")]
    pub since: Option<String>,
    /// One JSON object per line instead of text.
    #[arg(long)]
    pub json: bool,
    /// Keep running and print new events as they are appended (polls the folder).
    #[arg(long)]
    pub follow: bool,
    /// Only events not shown by an earlier `--new` run (uses the cursor
    /// `.moment/events/cli.cursor.json` and advances it).
    #[arg(long)]
    pub new: bool,
    /// Forget the `--new` cursor first.
    #[arg(long, requires = "new")]
    pub reset: bool,
    /// Poll interval of `--follow`, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub interval: u64,
}

pub fn run(args: &EventsArgs) -> anyhow::Result<i32> {
    match list(args) {
        // The reader closed the pipe (`events --follow | head`): a normal way to stop.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(0)
        }
        other => other,
    }
}

fn list(args: &EventsArgs) -> anyhow::Result<i32> {
    let root = match &args.root {
        Some(r) => r.clone(),
        None => discover_root(&std::env::current_dir()?),
    };
    let since = args
        .since
        .as_deref()
        .map(events::parse_since)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    if !args.follow && !args.new {
        return list_once(&root, since, args.json);
    }
    let mut stream = if args.new {
        EventStream::open(&root, "cli")?
    } else {
        EventStream::in_memory(&root)
    };
    if args.reset {
        stream.reset();
    }
    stream = stream.with_since(since);
    // Streamed like the one-shot listing: a million new events never sit in memory at once.
    let (first, shown) = print_streamed(args.json, |f| stream.for_each_new_in_order(f))?;
    stream.save()?;
    if !args.follow {
        print_summary_counted(&first, shown);
        return Ok(0);
    }
    // Runs until interrupted or until the reader of stdout goes away.
    loop {
        std::thread::sleep(Duration::from_millis(args.interval.max(10)));
        print_streamed(args.json, |f| stream.for_each_new_in_order(f))?;
        stream.save()?;
    }
}

/// The one-shot listing, streamed: each event is printed as it is read back, so memory does not
/// grow with the stream (see [`events::for_each_event`]).
fn list_once(
    root: &std::path::Path,
    since: Option<jiff::Timestamp>,
    json: bool,
) -> anyhow::Result<i32> {
    let options = events::ReadOptions {
        since,
        ..Default::default()
    };
    let (batch, shown) = print_streamed(json, |f| events::for_each_event(root, &options, f))?;
    print_summary_counted(&batch, shown);
    Ok(0)
}

/// Prints each event `visit` hands over as it comes (text or JSON lines), then the batch's
/// warnings; returns the batch (its counters) and how many events were printed. A failed write
/// (the reader went away) stops the visit and is the error, so a cursor is not saved past it.
fn print_streamed(
    json: bool,
    visit: impl FnOnce(&mut dyn FnMut(Event) -> bool) -> Result<Batch, events::EventError>,
) -> anyhow::Result<(Batch, usize)> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failure = None;
    let mut printed = 0;
    let batch = visit(&mut |event| {
        let written = if json {
            writeln!(out, "{}", event.to_json())
        } else {
            writeln!(out, "{}", human(&event))
        };
        printed += 1;
        match written {
            Ok(()) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    out.flush()?;
    drop(out);
    print_batch(&batch, json)?;
    Ok((batch, printed))
}

fn print_batch(batch: &Batch, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for event in &batch.events {
        if json {
            writeln!(out, "{}", event.to_json())?;
        } else {
            writeln!(out, "{}", human(event))?;
        }
    }
    out.flush()?;
    for issue in &batch.issues {
        eprintln!("moment-sync: warning: {issue} (line skipped)");
    }
    for file in &batch.rewritten {
        eprintln!("moment-sync: note: {file} was rewritten; read again from its start");
    }
    Ok(())
}

fn print_summary_counted(batch: &Batch, events: usize) {
    let mut parts = vec![plural(events, "event")];
    if batch.duplicates > 0 {
        parts.push(format!("{} dropped", plural(batch.duplicates, "duplicate")));
    }
    if batch.filtered > 0 {
        parts.push(format!("{} before --since", batch.filtered));
    }
    if !batch.issues.is_empty() {
        parts.push(format!(
            "{} skipped",
            plural(batch.issues.len(), "malformed line")
        ));
    }
    if !batch.unknown_types.is_empty() {
        let types: Vec<String> = batch
            .unknown_types
            .iter()
            .map(|(t, n)| format!("{t} ×{n}"))
            .collect();
        parts.push(format!("unknown types: {}", types.join(", ")));
    }
    eprintln!("{}", parts.join("; "));
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `<timestamp>  <type>  <subject>  <id>  (<file>:<line>)`
fn human(event: &Event) -> String {
    let e = &event.envelope;
    format!(
        "{}  {:<24}  {:<20}  {}  ({}:{})",
        e.timestamp_text,
        e.event_type,
        subject(&event.payload).unwrap_or("-"),
        e.event_id,
        event.origin.file,
        event.origin.line
    )
}

/// The name an event is about, when its payload has one.
fn subject(payload: &Payload) -> Option<&str> {
    match payload {
        Payload::BoundedContextDefined(p) => p.name.as_deref(),
        Payload::AggregateAdded(p) => p.name.as_deref(),
        Payload::CommandDefined(p) => p.name.as_deref(),
        Payload::EventDefined(p) => p.name.as_deref(),
        Payload::ValueObjectDefined(p) => p.name.as_deref(),
        Payload::InvariantDefined(p) => p.name.as_deref(),
        Payload::PolicyDefined(p) => p.name.as_deref(),
        Payload::SagaDefined(p) => p.name.as_deref(),
        Payload::MomentReconcileCompleted(p) => {
            p.reconcile_result.as_ref().and_then(|v| v.as_str())
        }
        Payload::Unknown(map) => map.get("name").and_then(|v| v.as_str()),
    }
}
