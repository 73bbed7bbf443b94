//! The append-only event log (`.moment/sync-log.jsonl`) and its replay.
//!
//! One JSON object per line: `{"seq":n,"at":"<ISO-8601>","type":"<event>",…}`. Replay is strict
//! (an unknown type, a broken rule, a sequence gap or a malformed line is an error naming the
//! file and line) except for one case: an unterminated last line that does not parse is what a
//! crash in the middle of an append leaves behind; it is ignored with a warning, and the next
//! append cuts it off before writing.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::events::{Event, SyncState, EVENT_TYPES};
use super::journal::JournalEntry;
use super::StateError;

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRecord {
    pub seq: u64,
    pub at: String,
    #[serde(flatten)]
    pub event: Event,
    /// The feedback-journal entries of the transaction this record ends: written in the same
    /// append as the events, so the journal can always be rebuilt from the log (a crash between
    /// the log and journal writes once lost entries for good).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub journal: Vec<JournalEntry>,
}

/// A crash left a partial line at the end of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// 1-based physical line number of the fragment.
    pub line: usize,
    pub bytes: usize,
}

/// The log read and folded.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    pub state: SyncState,
    pub records: Vec<LogRecord>,
    pub torn: Option<TornTail>,
    /// Bytes up to the end of the last complete line (where the next append starts).
    pub valid_len: u64,
    /// The last record parsed but has no newline yet: the next append writes one first.
    pub needs_newline: bool,
}

/// Reads and folds the log at `path`; a missing log is the empty state.
pub fn replay(path: &Path) -> Result<Replay, StateError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Replay::default()),
        Err(source) => return Err(StateError::io(path, source)),
    };
    replay_bytes(path, &bytes)
}

/// Folds log text (the file's bytes) into the state.
pub fn replay_bytes(path: &Path, bytes: &[u8]) -> Result<Replay, StateError> {
    let mut out = Replay::default();
    let mut offset = 0usize;
    let mut line_no = 0usize;
    while offset < bytes.len() {
        line_no += 1;
        let (line, terminated) = match bytes[offset..].iter().position(|&b| b == b'\n') {
            Some(n) => (&bytes[offset..offset + n], true),
            None => (&bytes[offset..], false),
        };
        let next = offset + line.len() + usize::from(terminated);
        if line.iter().all(u8::is_ascii_whitespace) {
            offset = next;
            out.valid_len = next as u64;
            continue;
        }
        match parse_line(path, line_no, line) {
            Ok(record) => {
                fold(path, line_no, &mut out, record)?;
                out.valid_len = next as u64;
                out.needs_newline = !terminated;
            }
            Err(_) if !terminated => {
                tracing::warn!(
                    "{}:{line_no}: ignoring a torn last line ({} bytes)",
                    path.display(),
                    line.len()
                );
                out.torn = Some(TornTail {
                    line: line_no,
                    bytes: line.len(),
                });
            }
            Err(e) => return Err(e),
        }
        offset = next;
    }
    Ok(out)
}

fn parse_line(path: &Path, line: usize, bytes: &[u8]) -> Result<LogRecord, StateError> {
    let corrupt = |message: String| StateError::Corrupt {
        path: path.to_path_buf(),
        line,
        message,
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| corrupt(format!("not UTF-8 at byte {}", e.valid_up_to())))?;
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| corrupt(format!("not a JSON event: {e}")))?;
    let kind = value
        .get("type")
        .and_then(|t| t.as_str())
        .map(str::to_string)
        .ok_or_else(|| corrupt("event has no `type`".to_string()))?;
    if !EVENT_TYPES.contains(&kind.as_str()) {
        return Err(corrupt(format!("unknown event type `{kind}`")));
    }
    serde_json::from_value(value).map_err(|e| corrupt(format!("malformed `{kind}` event: {e}")))
}

fn fold(path: &Path, line: usize, out: &mut Replay, record: LogRecord) -> Result<(), StateError> {
    let expected = out.state.last_seq + 1;
    if record.seq != expected {
        return Err(StateError::Corrupt {
            path: path.to_path_buf(),
            line,
            message: format!(
                "event sequence number {} where {expected} was expected",
                record.seq
            ),
        });
    }
    out.state
        .apply(&record.event, &record.at)
        .map_err(|source| StateError::Replay {
            path: path.to_path_buf(),
            line,
            source,
        })?;
    out.state.last_seq = record.seq;
    out.records.push(record);
    Ok(())
}

/// Appends `events` to the log whose replay is `replay` (the caller holds the exclusive lock and
/// has checked the events against `replay.state`). Cuts off a torn tail first. Returns the
/// records written.
pub fn append_records(
    path: &PathBuf,
    replay: &Replay,
    events: Vec<Event>,
    journal: Vec<JournalEntry>,
    at: &str,
) -> Result<Vec<LogRecord>, StateError> {
    let io = |source| StateError::io(path, source);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(io)?;
    if let Some(torn) = &replay.torn {
        tracing::warn!(
            "{}:{}: cutting off a torn last line before appending",
            path.display(),
            torn.line
        );
        file.set_len(replay.valid_len).map_err(io)?;
    }
    file.seek(SeekFrom::Start(replay.valid_len)).map_err(io)?;
    let mut text = String::new();
    if replay.needs_newline {
        text.push('\n');
    }
    let mut records = Vec::with_capacity(events.len());
    let last = events.len().saturating_sub(1);
    let mut journal = Some(journal);
    for (n, event) in events.into_iter().enumerate() {
        let record = LogRecord {
            seq: replay.state.last_seq + 1 + n as u64,
            at: at.to_string(),
            event,
            journal: if n == last {
                journal.take().unwrap_or_default()
            } else {
                Vec::new()
            },
        };
        let line = serde_json::to_string(&record)
            .map_err(|e| StateError::io(path, std::io::Error::other(e)))?;
        text.push_str(&line);
        text.push('\n');
        records.push(record);
    }
    // One write: a crash leaves at most one torn line, which replay tolerates.
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_data().map_err(io)?;
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::super::events::tests::record;
    use super::*;

    fn line(seq: u64, id: &str) -> String {
        let r = LogRecord {
            seq,
            at: "2026-01-01T00:00:00.000Z".into(),
            event: Event::ProposalRecorded {
                proposal: record(id),
            },
            journal: vec![],
        };
        serde_json::to_string(&r).unwrap()
    }

    #[test]
    fn replays_and_tolerates_a_torn_last_line() {
        let text = format!(
            "{}\n{}\n{}",
            line(1, "a"),
            line(2, "b"),
            &line(3, "c")[..40]
        );
        let r = replay_bytes(Path::new("log"), text.as_bytes()).unwrap();
        assert_eq!(r.state.proposals.len(), 2);
        assert_eq!(r.torn, Some(TornTail { line: 3, bytes: 40 }));
        assert_eq!(
            r.valid_len as usize,
            line(1, "a").len() + line(2, "b").len() + 2
        );
        // A complete but unterminated last line is kept.
        let text = format!("{}\n{}", line(1, "a"), line(2, "b"));
        let r = replay_bytes(Path::new("log"), text.as_bytes()).unwrap();
        assert_eq!(r.state.proposals.len(), 2);
        assert!(r.needs_newline && r.torn.is_none());
    }

    #[test]
    fn corrupt_middle_line_unknown_type_gap_and_rule_are_errors_with_lines() {
        let cases = [
            (
                format!("{}\n{{oops\n{}\n", line(1, "a"), line(2, "b")),
                "log:2: not a JSON event",
            ),
            (
                format!(
                    "{}\n{{\"seq\":2,\"at\":\"x\",\"type\":\"Teleported\"}}\n",
                    line(1, "a")
                ),
                "log:2: unknown event type `Teleported`",
            ),
            (
                format!("{}\n{}\n", line(1, "a"), line(3, "b")),
                "log:2: event sequence number 3 where 2 was expected",
            ),
            (
                format!("{}\n{}\n", line(1, "a"), line(2, "a")),
                "log:2: proposal a is already recorded",
            ),
        ];
        for (text, want) in cases {
            let err = replay_bytes(Path::new("log"), text.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(want), "{err}");
        }
    }
}
