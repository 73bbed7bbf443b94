//! Upstream event signals: `.complai/events/moment/*.jsonl`, read as a stream.
//!
//! Each line of each file is one JSON envelope (see [`Envelope`]). Files are read line by line
//! (a line is never longer in memory than [`ReadOptions::max_line_bytes`]); every malformed line is
//! reported as a [`LineIssue`] naming its file and physical line, and skipped. Events come out
//! ordered by (timestamp, file, line), duplicates by `eventId` dropped.
//!
//! Two ways in:
//! - [`read_all`]: a one-shot read of every event (what `moment-sync events` lists);
//! - [`EventStream`]: an incremental reader with a persisted cursor per consumer (file, byte
//!   offset, content fingerprint, and the ids most recently delivered), so each call of
//!   [`EventStream::read_new`] returns only events that arrived since the last one, and a file that
//!   was rewritten (or rotated under another name) is noticed rather than misread.
//!
//! The events folder is read-only input: nothing here ever writes to it. Cursors live under
//! `.moment/events/`.

mod envelope;
mod reader;
mod recent;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use envelope::{
    parse_instant, parse_since, AggregateAdded, BoundedContextDefined, CommandDefined, Deprecation,
    Envelope, EventDefined, FieldDef, Fields, InvariantDefined, MomentReconcileCompleted, Payload,
    PolicyDefined, SagaDefined, ValueObjectDefined, KNOWN_EVENT_TYPES,
};
pub use reader::DEFAULT_MAX_LINE_BYTES;
pub use recent::RecentIds;

use crate::workspace::{EVENTS_DIR, STATE_DIR};

/// Where an event was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Relative to the project root, `/` separators (`.complai/events/moment/a.jsonl`).
    pub file: String,
    /// 1-based physical line.
    pub line: usize,
    /// Byte offset of the line's start.
    pub offset: u64,
}

/// One upstream event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub envelope: Envelope,
    /// The typed payload (the raw payload stays in `envelope.payload`).
    pub payload: Payload,
    pub origin: Origin,
}

/// A line that could not be read as an event: reported, then skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineIssue {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LineIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// What one read produced.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Ordered by (timestamp, file, line).
    pub events: Vec<Event>,
    /// Malformed lines, in (file, line) order.
    pub issues: Vec<LineIssue>,
    /// Events dropped because their `eventId` was already delivered.
    pub duplicates: usize,
    /// Events dropped by the `since` filter.
    pub filtered: usize,
    /// Events of types without a typed payload, by type.
    pub unknown_types: BTreeMap<String, usize>,
    /// Files whose content no longer matched the cursor, so they were read again from the start.
    pub rewritten: Vec<String>,
    /// Files recognised as an earlier file under a new name: (old name, new name).
    pub renamed: Vec<(String, String)>,
}

/// Errors reading the stream or its cursor (malformed event lines are not errors: see
/// [`LineIssue`]).
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: corrupt event cursor: {message} (delete the file or run `moment-sync events --reset` to start over)", path.display())]
    Cursor {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("invalid consumer name `{0}`: use letters, digits, `-` and `_`")]
    Consumer(String),
}

/// Options of a read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Only events at or after this instant are returned (older ones are still consumed).
    pub since: Option<Timestamp>,
    /// Longer lines are reported as malformed without being buffered whole.
    pub max_line_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            since: None,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }
}

/// Reads every event of the project at `root` once (no cursor involved).
pub fn read_all(root: &Path, options: &ReadOptions) -> Result<Batch, EventError> {
    let mut stream = EventStream::in_memory(root);
    stream.options = options.clone();
    stream.hold_partial_tail = false;
    stream.read_new()
}

/// Hands every event of the project to `f` in the order of [`read_all`] (timestamp, file,
/// line; duplicates by `eventId` dropped, the `since` filter applied), without holding the
/// events: a first pass keeps a small key per line (instant, file, line, offset, id digest), the
/// keys are sorted, and a second pass re-reads each line at its offset. Memory is about 40 bytes
/// per event however large the events are (`events` on a 1-million-line stream stays far below
/// 100 MB). `f` returns `false` to stop early (its reader went away). The returned batch holds
/// the issues and counters; its `events` stay empty.
pub fn for_each_event(
    root: &Path,
    options: &ReadOptions,
    f: impl FnMut(Event) -> bool,
) -> Result<Batch, EventError> {
    let mut stream = EventStream::in_memory(root);
    stream.options = options.clone();
    stream.hold_partial_tail = false;
    // A one-shot listing knows every id of the stream: 8 bytes an event, exact.
    let mut seen = std::collections::HashSet::new();
    replay_in_order(&mut stream, |digest| seen.insert(digest), f)
}

/// The two passes of [`for_each_event`] over what `stream` has not read yet: `is_new` decides
/// on duplicates (by the id's 64-bit digest, see [`id_digest_u64`]) in delivery order. Advances
/// the stream's file positions (in memory).
fn replay_in_order(
    stream: &mut EventStream,
    mut is_new: impl FnMut(u64) -> bool,
    mut f: impl FnMut(Event) -> bool,
) -> Result<Batch, EventError> {
    let mut batch = Batch::default();
    let mut files: Vec<String> = Vec::new();
    let mut keys: Vec<EventKey> = Vec::new();
    stream.visit_new(&mut batch, |event| {
        if files.last() != Some(&event.origin.file) {
            files.push(event.origin.file.clone());
        }
        keys.push(EventKey {
            seconds: event.envelope.timestamp.as_second(),
            nanos: event.envelope.timestamp.subsec_nanosecond(),
            file: (files.len() - 1) as u32,
            line: event.origin.line as u32,
            offset: event.origin.offset,
            digest: id_digest_u64(&event.envelope.event_id),
        });
    })?;
    // Equal instants keep (file, line) order, the reading order: with it the key is total, so
    // the in-place unstable sort (no scratch buffer as large as the keys) is deterministic.
    keys.sort_unstable_by_key(|k| (k.seconds, k.nanos, k.file, k.line));
    let since = stream
        .options
        .since
        .map(|t| (t.as_second(), t.subsec_nanosecond()));
    let max_line_bytes = stream.options.max_line_bytes;
    let mut readers: BTreeMap<u32, reader::LineReader> = BTreeMap::new();
    let mut buf = Vec::new();
    for key in keys {
        if !is_new(key.digest) {
            batch.duplicates += 1;
            continue;
        }
        if since.is_some_and(|since| (key.seconds, key.nanos) < since) {
            batch.filtered += 1;
            continue;
        }
        let file = &files[key.file as usize];
        // `file` is root-relative (`.complai/events/moment/a.jsonl`); the folder is flat.
        let path = stream.dir.join(file.rsplit('/').next().unwrap_or(file));
        let io = |source| EventError::Read {
            path: path.clone(),
            source,
        };
        let lines = match readers.entry(key.file) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(reader::LineReader::open(&path, 0, 0, max_line_bytes).map_err(io)?)
            }
        };
        lines.seek(key.offset, key.line as usize - 1).map_err(io)?;
        let Some(line) = lines.next_line(&mut buf).map_err(io)? else {
            continue; // the file shrank between the passes
        };
        // The line parsed in the first pass; a file rewritten in between is skipped here.
        let Ok(Some((envelope, payload))) = parse_line(&buf) else {
            continue;
        };
        if !payload.is_known() {
            *batch
                .unknown_types
                .entry(envelope.event_type.clone())
                .or_default() += 1;
        }
        let event = Event {
            envelope,
            payload,
            origin: Origin {
                file: file.clone(),
                line: line.line,
                offset: line.offset,
            },
        };
        if !f(event) {
            break;
        }
    }
    Ok(batch)
}

/// What [`for_each_event`] keeps of an event between its two passes.
struct EventKey {
    seconds: i64,
    nanos: i32,
    file: u32,
    line: u32,
    offset: u64,
    digest: u64,
}

fn id_digest_u64(event_id: &str) -> u64 {
    let digest = Sha256::digest(event_id.as_bytes());
    u64::from_le_bytes(digest[..8].try_into().unwrap_or_default())
}

/// The persisted position of one consumer in the stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cursor {
    pub version: u32,
    /// By file name inside the events folder.
    pub files: BTreeMap<String, FilePosition>,
    /// Short digests (16 hex digits of SHA-256) of the most recently delivered `eventId`s
    /// (a bounded window, see [`RecentIds`]), so an event repeated later (or in a rewritten
    /// file) is not delivered twice.
    pub seen: RecentIds,
}

/// How far a file has been read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilePosition {
    /// Bytes consumed (always at a line start).
    pub offset: u64,
    /// Physical lines consumed.
    pub line: usize,
    /// [`reader::fingerprint`] of the first `offset` bytes.
    pub fingerprint: String,
}

const CURSOR_VERSION: u32 = 1;

/// An incremental reader of the event stream with a cursor.
///
/// For the language server and any long-running consumer:
/// ```no_run
/// # fn main() -> Result<(), moment_sync::events::EventError> {
/// let root = std::path::Path::new(".");
/// let mut stream = moment_sync::events::EventStream::open(root, "lsp")?;
/// let batch = stream.read_new()?;      // only events not delivered before
/// for event in &batch.events { /* react */ }
/// for issue in &batch.issues { eprintln!("{issue}"); }
/// stream.save()?;                      // persist the cursor once the batch is handled
/// # Ok(()) }
/// ```
/// `read_new` advances the cursor in memory only; until `save` succeeds, a crash re-delivers the
/// batch (at-least-once). Cursors of different consumers are independent.
#[derive(Debug, Clone)]
pub struct EventStream {
    dir: PathBuf,
    cursor_path: Option<PathBuf>,
    cursor: Cursor,
    /// The cursor as last read from or written to disk: `save` skips writing an unchanged one
    /// (a `--follow` loop saves after every poll).
    persisted: Option<Cursor>,
    pub options: ReadOptions,
    /// Leave an unterminated last line that does not parse for a later read: its writer may still
    /// be writing it. One-shot reads report it instead.
    hold_partial_tail: bool,
}

impl EventStream {
    /// Opens the stream of `root` with the persisted cursor of `consumer`
    /// (`.moment/events/<consumer>.cursor.json`; absent means "from the beginning").
    pub fn open(root: &Path, consumer: &str) -> Result<EventStream, EventError> {
        if consumer.is_empty()
            || !consumer
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(EventError::Consumer(consumer.to_string()));
        }
        let path = root
            .join(STATE_DIR)
            .join("events")
            .join(format!("{consumer}.cursor.json"));
        let cursor = load_cursor(&path)?;
        let mut stream = EventStream::in_memory(root);
        stream.persisted = path.is_file().then(|| cursor.clone());
        stream.cursor_path = Some(path);
        stream.cursor = cursor;
        Ok(stream)
    }

    /// A stream whose cursor lives only in memory (for `--follow` without persistence, tests).
    pub fn in_memory(root: &Path) -> EventStream {
        EventStream {
            dir: root.join(EVENTS_DIR),
            cursor_path: None,
            cursor: Cursor {
                version: CURSOR_VERSION,
                ..Cursor::default()
            },
            persisted: None,
            options: ReadOptions::default(),
            hold_partial_tail: true,
        }
    }

    pub fn with_since(mut self, since: Option<Timestamp>) -> EventStream {
        self.options.since = since;
        self
    }

    /// The events folder this stream reads.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn cursor(&self) -> &Cursor {
        &self.cursor
    }

    /// Where the cursor is persisted (`None` for an in-memory stream).
    pub fn cursor_path(&self) -> Option<&Path> {
        self.cursor_path.as_deref()
    }

    /// Forgets the position: the next read starts from the beginning.
    pub fn reset(&mut self) {
        self.cursor = Cursor {
            version: CURSOR_VERSION,
            ..Cursor::default()
        };
    }

    /// Writes the cursor atomically (temp file + rename). A no-op for an in-memory stream and
    /// when nothing changed since the last save.
    pub fn save(&mut self) -> Result<(), EventError> {
        let Some(path) = &self.cursor_path else {
            return Ok(());
        };
        if self.persisted.as_ref() == Some(&self.cursor) {
            return Ok(());
        }
        let write_error = |source| EventError::Write {
            path: path.clone(),
            source,
        };
        let mut text = serde_json::to_string_pretty(&self.cursor)
            .map_err(|e| write_error(std::io::Error::other(e)))?;
        text.push('\n');
        crate::support::atomic::write_atomic(path, text.as_bytes(), None).map_err(write_error)?;
        self.persisted = Some(self.cursor.clone());
        Ok(())
    }

    /// Reads every event that arrived since the cursor, ordered by (timestamp, file, line), and
    /// advances the cursor (in memory: call [`EventStream::save`] to persist it).
    pub fn read_new(&mut self) -> Result<Batch, EventError> {
        let mut batch = Batch::default();
        let mut events = Vec::new();
        self.visit_new(&mut batch, |event| events.push(event))?;
        // Stable sort: equal timestamps keep (file, line) order, which is the reading order.
        events.sort_by_key(|e| e.envelope.timestamp);
        let mut fresh = Vec::with_capacity(events.len());
        for event in events {
            if deliverable(
                &mut self.cursor.seen,
                self.options.since,
                &event,
                &mut batch,
            ) {
                fresh.push(event);
            }
        }
        batch.events = fresh;
        Ok(batch)
    }

    /// Streams the new events to `f` in (file, line) order without collecting them: memory stays
    /// bounded however large the files are. Duplicates and the `since` filter apply as in
    /// [`EventStream::read_new`]; `batch` receives the issues and counters (its `events` stay empty).
    pub fn for_each_new(&mut self, mut f: impl FnMut(Event)) -> Result<Batch, EventError> {
        let mut batch = Batch::default();
        let mut counts = Batch::default();
        // The delivered-id set is moved out so the visitor can update it while the files are read.
        let mut seen = std::mem::take(&mut self.cursor.seen);
        let since = self.options.since;
        let result = self.visit_new(&mut batch, |event| {
            if deliverable(&mut seen, since, &event, &mut counts) {
                f(event);
            }
        });
        self.cursor.seen = seen;
        result?;
        batch.duplicates = counts.duplicates;
        batch.filtered = counts.filtered;
        batch.unknown_types = counts.unknown_types;
        Ok(batch)
    }

    /// What [`EventStream::read_new`] returns, handed to `f` in the same order without holding
    /// the events (the two passes of [`for_each_event`]), so memory stays bounded on any stream;
    /// duplicates are judged by the cursor's window of recent ids. `f` returns `false` to stop
    /// (its reader went away): the cursor then stays where it was, so nothing is skipped.
    pub fn for_each_new_in_order(
        &mut self,
        mut f: impl FnMut(Event) -> bool,
    ) -> Result<Batch, EventError> {
        let before = self.cursor.clone();
        let mut seen = std::mem::take(&mut self.cursor.seen);
        let mut stopped = false;
        let result = replay_in_order(
            self,
            |digest| seen.insert(crate::support::digest::hex(&digest.to_le_bytes())),
            |event| {
                let go_on = f(event);
                stopped |= !go_on;
                go_on
            },
        );
        if stopped || result.is_err() {
            self.cursor = before;
        } else {
            self.cursor.seen = seen;
        }
        result
    }

    /// Reads each file from its cursor position, handing every parsed event to `f`.
    fn visit_new(&mut self, batch: &mut Batch, mut f: impl FnMut(Event)) -> Result<(), EventError> {
        let names = self.list_files()?;
        let starts = self.plan_starts(&names, batch)?;
        let mut positions = BTreeMap::new();
        for (name, start) in names.iter().zip(starts) {
            let end = self.scan_file(name, start, batch, &mut f)?;
            positions.insert(name.clone(), end);
        }
        self.cursor.files = positions;
        self.cursor.version = CURSOR_VERSION;
        Ok(())
    }

    /// The `*.jsonl` files of the events folder, sorted by name; none when the folder is absent.
    fn list_files(&self) -> Result<Vec<String>, EventError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(EventError::Read {
                    path: self.dir.clone(),
                    source,
                })
            }
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| EventError::Read {
                path: self.dir.clone(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // `Path::is_file` follows symlinks: a link to a log file counts, a link to a folder not.
            let is_file = entry.path().is_file();
            if is_file && name.ends_with(".jsonl") && !name.starts_with('.') {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Where to start reading each file: its cursor position when the file still starts with the
    /// bytes the cursor saw, the position of a vanished/rewritten file whose bytes it now holds
    /// (rotation under a new name), else the beginning.
    fn plan_starts(
        &self,
        names: &[String],
        batch: &mut Batch,
    ) -> Result<Vec<FilePosition>, EventError> {
        let mut orphans: Vec<(&String, &FilePosition)> = Vec::new();
        let mut starts: Vec<Option<FilePosition>> = Vec::with_capacity(names.len());
        for name in names {
            match self.cursor.files.get(name) {
                Some(pos) if self.still_matches(name, pos)? => starts.push(Some(pos.clone())),
                Some(pos) => {
                    batch.rewritten.push(self.rel(name));
                    orphans.push((name, pos));
                    starts.push(Some(FilePosition::default()));
                }
                None => starts.push(None),
            }
        }
        for (old, pos) in &self.cursor.files {
            if !names.contains(old) {
                orphans.push((old, pos));
            }
        }
        let mut out = Vec::with_capacity(names.len());
        for (name, start) in names.iter().zip(starts) {
            let start = match start {
                Some(start) => start,
                None => self.adopt(name, &mut orphans, batch)?,
            };
            out.push(start);
        }
        Ok(out)
    }

    fn adopt(
        &self,
        name: &str,
        orphans: &mut Vec<(&String, &FilePosition)>,
        batch: &mut Batch,
    ) -> Result<FilePosition, EventError> {
        for i in 0..orphans.len() {
            let (old, pos) = orphans[i];
            if pos.offset > 0 && self.still_matches(name, pos)? {
                batch.renamed.push((self.rel(old), self.rel(name)));
                orphans.remove(i);
                return Ok(pos.clone());
            }
        }
        Ok(FilePosition::default())
    }

    fn still_matches(&self, name: &str, pos: &FilePosition) -> Result<bool, EventError> {
        let path = self.dir.join(name);
        let fp = reader::fingerprint(&path, pos.offset)
            .map_err(|source| EventError::Read { path, source })?;
        Ok(fp == pos.fingerprint)
    }

    fn rel(&self, name: &str) -> String {
        format!("{EVENTS_DIR}/{name}")
    }

    /// Reads one file from `start` to its end; returns the new position.
    fn scan_file(
        &self,
        name: &str,
        start: FilePosition,
        batch: &mut Batch,
        f: &mut impl FnMut(Event),
    ) -> Result<FilePosition, EventError> {
        let path = self.dir.join(name);
        let io = |source| EventError::Read {
            path: path.clone(),
            source,
        };
        let file = self.rel(name);
        let mut lines =
            reader::LineReader::open(&path, start.offset, start.line, self.options.max_line_bytes)
                .map_err(io)?;
        let mut buf = Vec::new();
        let (mut offset, mut line_no) = (start.offset, start.line);
        while let Some(line) = lines.next_line(&mut buf).map_err(io)? {
            let parsed = if line.too_long {
                Err(format!(
                    "line longer than {} bytes",
                    self.options.max_line_bytes
                ))
            } else {
                parse_line(&buf)
            };
            if !line.terminated && parsed.is_err() && self.hold_partial_tail {
                break; // possibly still being written: read it next time
            }
            offset = line.end;
            line_no = line.line;
            match parsed {
                Ok(None) => {}
                Ok(Some((envelope, payload))) => f(Event {
                    envelope,
                    payload,
                    origin: Origin {
                        file: file.clone(),
                        line: line.line,
                        offset: line.offset,
                    },
                }),
                Err(message) => batch.issues.push(LineIssue {
                    file: file.clone(),
                    line: line.line,
                    message,
                }),
            }
        }
        let fingerprint = reader::fingerprint(&path, offset).map_err(io)?;
        Ok(FilePosition {
            offset,
            line: line_no,
            fingerprint,
        })
    }
}

/// Applies de-duplication and the `since` filter; records the id as delivered.
fn deliverable(
    seen: &mut RecentIds,
    since: Option<Timestamp>,
    event: &Event,
    batch: &mut Batch,
) -> bool {
    if !seen.insert(id_digest(&event.envelope.event_id)) {
        batch.duplicates += 1;
        return false;
    }
    if since.is_some_and(|since| event.envelope.timestamp < since) {
        batch.filtered += 1;
        return false;
    }
    if !event.payload.is_known() {
        *batch
            .unknown_types
            .entry(event.envelope.event_type.clone())
            .or_default() += 1;
    }
    true
}

/// One line → an event; `Ok(None)` for a blank line.
fn parse_line(bytes: &[u8]) -> Result<Option<(Envelope, Payload)>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let envelope = Envelope::from_value(value)?;
    let payload = Payload::parse(&envelope.event_type, &envelope.payload)?;
    Ok(Some((envelope, payload)))
}

fn id_digest(event_id: &str) -> String {
    crate::support::digest::sha256_hex(event_id.as_bytes(), 8)
}

fn load_cursor(path: &Path) -> Result<Cursor, EventError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Cursor {
                version: CURSOR_VERSION,
                ..Cursor::default()
            })
        }
        Err(source) => {
            return Err(EventError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let cursor: Cursor = serde_json::from_str(&text).map_err(|e| EventError::Cursor {
        path: path.to_path_buf(),
        line: e.line(),
        message: e.to_string(),
    })?;
    if cursor.version != CURSOR_VERSION {
        return Err(EventError::Cursor {
            path: path.to_path_buf(),
            line: 1,
            message: format!("unsupported cursor version {}", cursor.version),
        });
    }
    Ok(cursor)
}

impl Event {
    /// A JSON rendering for `moment-sync events --json` (one object per event).
    pub fn to_json(&self) -> serde_json::Value {
        let e = &self.envelope;
        serde_json::json!({
            "eventId": e.event_id,
            "eventType": e.event_type,
            "version": e.version,
            "productSource": e.product_source,
            "sessionId": e.session_id,
            "causationEventIds": e.causation_event_ids,
            "correlationId": e.correlation_id,
            "timestamp": e.timestamp_text,
            "instant": e.timestamp.to_string(),
            "known": self.payload.is_known(),
            "payload": e.payload,
            "file": self.origin.file,
            "line": self.origin.line,
        })
    }
}
