//! The upstream event stream reader: ordering, malformed lines, cursors, rotation, huge files.

#[cfg(target_os = "linux")]
#[path = "common/rss.rs"]
mod rss;

use std::io::Write;
use std::path::Path;

use moment_sync::events::{self, EventStream, Payload, ReadOptions};

fn line(id: &str, ty: &str, ts: &str) -> String {
    format!(
        r#"{{"eventId":"{id}","eventType":"{ty}","version":1,"productSource":"sift","sessionId":"s","causationEventIds":[],"correlationId":"c","timestamp":"{ts}","payload":{{"name":"{id}"}}}}"#
    )
}

fn events_dir(root: &Path) -> std::path::PathBuf {
    let dir = root.join(".complai/events/moment");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(root: &Path, name: &str, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(events_dir(root).join(name), text).unwrap();
}

fn append(root: &Path, name: &str, lines: &[String]) {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(events_dir(root).join(name))
        .unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
}

fn ids(batch: &events::Batch) -> Vec<String> {
    batch
        .events
        .iter()
        .map(|e| e.envelope.event_id.clone())
        .collect()
}

#[test]
fn orders_by_instant_then_file_then_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // b1 is earliest once offsets are applied; a2/b2 tie on the instant and fall back to file order.
    write(
        root,
        "a.jsonl",
        &[
            line("a1", "CommandDefined", "2024-05-01T12:00:00+02:00"),
            line("a2", "EventDefined", "2024-05-01T11:00:00Z"),
        ],
    );
    write(
        root,
        "b.jsonl",
        &[
            line("b1", "AggregateAdded", "2024-05-01T10:30:00+01:00"),
            line("b2", "PolicyDefined", "2024-05-01T13:00:00+02:00"),
        ],
    );
    let batch = events::read_all(root, &ReadOptions::default()).unwrap();
    assert_eq!(ids(&batch), ["b1", "a1", "a2", "b2"]);
    assert!(batch.issues.is_empty());
    assert!(matches!(
        batch.events[0].payload,
        Payload::AggregateAdded(_)
    ));
    assert_eq!(
        batch.events[2].origin.file,
        ".complai/events/moment/a.jsonl"
    );
    assert_eq!(batch.events[2].origin.line, 2);
}

#[test]
fn malformed_lines_are_reported_with_file_and_line_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let good = line("ok1", "CommandDefined", "2024-05-01T10:00:00Z");
    let lines = vec![
        good.clone(),
        "{not json".to_string(),
        "null".to_string(),
        "".to_string(),
        r#"{"eventId":"x"}"#.to_string(),
        good.replace("\"version\":1", "\"version\":\"1\"")
            .replace("ok1", "bad-version"),
        good.replace("ok1", "bad-payload").replace(
            r#""payload":{"name":"bad-payload"}"#,
            r#""payload":{"name":3}"#,
        ),
        line("ok2", "ValueObjectDefined", "2024-05-01T11:00:00Z"),
    ];
    write(root, "e.jsonl", &lines);
    let batch = events::read_all(root, &ReadOptions::default()).unwrap();
    assert_eq!(ids(&batch), ["ok1", "ok2"]);
    let issues: Vec<String> = batch.issues.iter().map(ToString::to_string).collect();
    assert_eq!(issues.len(), 5, "{issues:#?}");
    assert!(
        issues[0].starts_with(".complai/events/moment/e.jsonl:2: invalid JSON"),
        "{issues:#?}"
    );
    assert!(
        issues[1].contains(":3: expected a JSON object, found null"),
        "{issues:#?}"
    );
    assert!(issues[2].contains(":5: missing field"), "{issues:#?}");
    assert!(issues[3].contains(":6: field `version`"), "{issues:#?}");
    assert!(issues[4].contains(":7: payload"), "{issues:#?}");
}

#[test]
fn duplicates_and_unknown_types() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.jsonl",
        &[
            line("1", "CommandDefined", "2024-05-01T10:00:00Z"),
            line("2", "Brand New", "2024-05-01T10:01:00Z"),
        ],
    );
    write(
        root,
        "b.jsonl",
        &[line("1", "CommandDefined", "2024-05-01T10:00:00Z")],
    );
    let batch = events::read_all(root, &ReadOptions::default()).unwrap();
    assert_eq!(ids(&batch), ["1", "2"]);
    assert_eq!(batch.duplicates, 1);
    assert_eq!(batch.unknown_types.get("Brand New"), Some(&1));
    assert!(matches!(batch.events[1].payload, Payload::Unknown(_)));
}

#[test]
fn since_compares_instants_across_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.jsonl",
        &[
            line("before", "CommandDefined", "2024-05-01T11:59:59+02:00"), // 09:59:59Z
            line("equal", "CommandDefined", "2024-05-01T05:00:00-05:00"),  // 10:00:00Z
            line("after", "CommandDefined", "2024-05-01T10:00:01Z"),
        ],
    );
    let since = events::parse_since("2024-05-01T12:00:00+02:00").unwrap();
    let batch = events::read_all(
        root,
        &ReadOptions {
            since: Some(since),
            ..ReadOptions::default()
        },
    )
    .unwrap();
    assert_eq!(ids(&batch), ["equal", "after"]);
    assert_eq!(batch.filtered, 1);
}

#[test]
fn cursor_resumes_with_only_new_events() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.jsonl",
        &[line("1", "CommandDefined", "2024-05-01T10:00:00Z")],
    );
    let mut stream = EventStream::open(root, "test").unwrap();
    assert_eq!(ids(&stream.read_new().unwrap()), ["1"]);
    stream.save().unwrap();
    assert!(root.join(".moment/events/test.cursor.json").is_file());

    append(
        root,
        "a.jsonl",
        &[line("2", "CommandDefined", "2024-05-01T09:00:00Z")],
    );
    write(
        root,
        "b.jsonl",
        &[line("3", "EventDefined", "2024-05-01T11:00:00Z")],
    );
    let mut again = EventStream::open(root, "test").unwrap();
    let batch = again.read_new().unwrap();
    assert_eq!(ids(&batch), ["2", "3"]);
    assert_eq!(
        batch.events[0].origin.line, 2,
        "physical line numbers survive a resume"
    );
    assert!(again.read_new().unwrap().events.is_empty());
    // Another consumer has its own cursor.
    assert_eq!(
        ids(&EventStream::open(root, "other")
            .unwrap()
            .read_new()
            .unwrap()),
        ["2", "1", "3"]
    );
}

#[test]
fn partial_last_line_waits_for_its_writer() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let full = line("2", "CommandDefined", "2024-05-01T10:00:00Z");
    let (head, tail) = full.split_at(40);
    std::fs::write(
        events_dir(root).join("a.jsonl"),
        format!(
            "{}\n{head}",
            line("1", "CommandDefined", "2024-05-01T09:00:00Z")
        ),
    )
    .unwrap();
    let mut stream = EventStream::in_memory(root);
    let batch = stream.read_new().unwrap();
    assert_eq!(ids(&batch), ["1"]);
    assert!(
        batch.issues.is_empty(),
        "a half-written line is not reported yet"
    );
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(events_dir(root).join("a.jsonl"))
        .unwrap();
    writeln!(f, "{tail}").unwrap();
    assert_eq!(ids(&stream.read_new().unwrap()), ["2"]);
    // A one-shot read reports an unfinished line instead of waiting.
    std::fs::write(events_dir(root).join("b.jsonl"), "{\"eventId\":").unwrap();
    let batch = events::read_all(root, &ReadOptions::default()).unwrap();
    assert_eq!(batch.issues.len(), 1);
    assert!(batch.issues[0].to_string().contains("b.jsonl:1:"));
}

#[test]
fn rewritten_file_is_noticed_and_reread() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.jsonl",
        &[
            line("1", "CommandDefined", "2024-05-01T10:00:00Z"),
            line("2", "CommandDefined", "2024-05-01T10:00:01Z"),
        ],
    );
    let mut stream = EventStream::in_memory(root);
    assert_eq!(stream.read_new().unwrap().events.len(), 2);
    // Same length, different content: offsets alone would miss it.
    write(
        root,
        "a.jsonl",
        &[
            line("3", "CommandDefined", "2024-05-01T10:00:02Z"),
            line("1", "CommandDefined", "2024-05-01T10:00:00Z"),
        ],
    );
    let batch = stream.read_new().unwrap();
    assert_eq!(batch.rewritten, [".complai/events/moment/a.jsonl"]);
    assert_eq!(
        ids(&batch),
        ["3"],
        "already delivered ids are not delivered again"
    );
    assert_eq!(batch.duplicates, 1);
    // Truncation is a rewrite too.
    write(
        root,
        "a.jsonl",
        &[line("4", "CommandDefined", "2024-05-01T10:00:03Z")],
    );
    assert_eq!(ids(&stream.read_new().unwrap()), ["4"]);
}

#[test]
fn rotated_file_keeps_its_position_under_the_new_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "current.jsonl",
        &[line("1", "CommandDefined", "2024-05-01T10:00:00Z")],
    );
    let mut stream = EventStream::in_memory(root);
    assert_eq!(ids(&stream.read_new().unwrap()), ["1"]);
    // The writer appends one more line, then rotates: current → 0001.jsonl, and starts afresh.
    append(
        root,
        "current.jsonl",
        &[line("2", "CommandDefined", "2024-05-01T10:00:01Z")],
    );
    let dir_path = events_dir(root);
    std::fs::rename(dir_path.join("current.jsonl"), dir_path.join("0001.jsonl")).unwrap();
    write(
        root,
        "current.jsonl",
        &[line("3", "CommandDefined", "2024-05-01T10:00:02Z")],
    );
    let batch = stream.read_new().unwrap();
    assert_eq!(ids(&batch), ["2", "3"]);
    assert_eq!(
        batch.duplicates, 0,
        "the rotated file was resumed, not re-read"
    );
    assert_eq!(
        batch.renamed,
        [(
            ".complai/events/moment/current.jsonl".to_string(),
            ".complai/events/moment/0001.jsonl".to_string()
        )]
    );
    assert!(batch
        .rewritten
        .contains(&".complai/events/moment/current.jsonl".to_string()));
}

#[test]
fn huge_file_streams_with_bounded_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let path = events_dir(root).join("big.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    const N: usize = 100_000;
    for i in 0..N {
        writeln!(
            f,
            "{}",
            line(&format!("e{i}"), "CommandDefined", "2024-05-01T10:00:00Z")
        )
        .unwrap();
        if i == N / 2 {
            // One 8 MiB line: reported, never held whole.
            let blob = "x".repeat(8 << 20);
            writeln!(f, "{{\"eventId\":\"{blob}\"}}").unwrap();
        }
    }
    f.flush().unwrap();
    drop(f);
    let mut stream = EventStream::in_memory(root);
    stream.options.max_line_bytes = 64 * 1024;
    let mut count = 0usize;
    let batch = stream.for_each_new(|_| count += 1).unwrap();
    assert_eq!(count, N);
    assert_eq!(batch.issues.len(), 1);
    assert_eq!(batch.issues[0].line, N / 2 + 2);
    assert!(batch.issues[0].message.contains("longer than 65536 bytes"));
    // Nothing new: the second pass reads no line (the cursor is at the end).
    let mut again = 0usize;
    stream.for_each_new(|_| again += 1).unwrap();
    assert_eq!(again, 0);
}

#[test]
fn corrupt_cursor_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".moment/events")).unwrap();
    std::fs::write(
        root.join(".moment/events/lsp.cursor.json"),
        "{\n  \"version\": 1,\n  \"files\": [\n",
    )
    .unwrap();
    let err = EventStream::open(root, "lsp").unwrap_err().to_string();
    assert!(err.contains(".moment/events/lsp.cursor.json:"), "{err}");
    assert!(EventStream::open(root, "../x").is_err());
}

fn cli(root: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_moment-sync"));
    cmd.current_dir(root);
    cmd
}

#[test]
fn events_command_lists_filters_and_remembers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".moment")).unwrap();
    write(
        root,
        "a.jsonl",
        &[
            line("1", "CommandDefined", "2024-05-01T10:00:00Z"),
            "null".into(),
            line("2", "Mystery", "2024-05-02T10:00:00+02:00"),
        ],
    );
    let out = cli(root).arg("events").output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(
        stdout.lines().next().unwrap().contains("CommandDefined")
            && stdout.contains("(.complai/events/moment/a.jsonl:1)")
    );
    assert!(
        stderr.contains(".complai/events/moment/a.jsonl:2: expected a JSON object, found null"),
        "{stderr}"
    );
    assert!(stderr.contains("unknown types: Mystery ×1"), "{stderr}");

    let out = cli(root)
        .args(["events", "--json", "--since", "2024-05-02"])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["eventId"], "2");
    assert_eq!(lines[0]["instant"], "2024-05-02T08:00:00Z");
    assert_eq!(lines[0]["known"], false);

    // --new remembers what it showed.
    let count = |args: &[&str]| {
        String::from_utf8_lossy(&cli(root).args(args).output().unwrap().stdout)
            .lines()
            .count()
    };
    assert_eq!(count(&["events", "--new"]), 2);
    assert_eq!(count(&["events", "--new"]), 0);
    append(
        root,
        "a.jsonl",
        &[line("3", "SagaDefined", "2024-05-03T10:00:00Z")],
    );
    assert_eq!(count(&["events", "--new"]), 1);
    assert_eq!(count(&["events", "--new", "--reset"]), 3);
    assert!(root.join(".moment/events/cli.cursor.json").is_file());
    assert!(!root
        .join(".complai/events/moment")
        .read_dir()
        .unwrap()
        .any(|e| e.unwrap().file_name().to_string_lossy().contains("cursor")));
}

#[test]
fn events_follow_prints_appended_lines() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.jsonl",
        &[line("1", "CommandDefined", "2024-05-01T10:00:00Z")],
    );
    let mut child = cli(root)
        .args(["events", "--follow", "--json", "--interval", "20"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("\"eventId\":\"1\""), "{first}");
    append(
        root,
        "a.jsonl",
        &[line("2", "CommandDefined", "2024-05-01T11:00:00Z")],
    );
    write(
        root,
        "b.jsonl",
        &[line("3", "EventDefined", "2024-05-01T12:00:00Z")],
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in lines.take(2) {
            let _ = tx.send(l.unwrap_or_default());
        }
    });
    let second = rx.recv_timeout(std::time::Duration::from_secs(20));
    let third = rx.recv_timeout(std::time::Duration::from_secs(20));
    // Stop the follower before asserting, so a failure leaves no process behind.
    child.kill().unwrap();
    let _ = child.wait();
    let (second, third) = (second.unwrap(), third.unwrap());
    assert!(second.contains("\"eventId\":\"2\""), "{second}");
    assert!(third.contains("\"eventId\":\"3\""), "{third}");
}

#[test]
fn unchanged_cursor_is_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.jsonl",
        &[line("1", "CommandDefined", "2024-05-01T10:00:00Z")],
    );
    let mut stream = EventStream::open(root, "idle").unwrap();
    stream.read_new().unwrap();
    stream.save().unwrap();
    let path = root.join(".moment/events/idle.cursor.json");
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    stream.read_new().unwrap();
    stream.save().unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        before,
        "nothing new, nothing written"
    );
    let saved = std::fs::read_to_string(&path).unwrap();
    append(
        root,
        "a.jsonl",
        &[line("2", "CommandDefined", "2024-05-01T10:00:01Z")],
    );
    stream.read_new().unwrap();
    stream.save().unwrap();
    assert_ne!(
        std::fs::read_to_string(&path).unwrap(),
        saved,
        "a change is written"
    );
}

#[test]
fn the_streamed_listing_matches_the_collected_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.jsonl",
        &[
            line("e3", "CommandDefined", "2024-05-01T10:00:03Z"),
            line("e1", "CommandDefined", "2024-05-01T10:00:01Z"),
            "{ not json".to_string(),
            line("e2", "NoSuchType", "2024-05-01T10:00:02Z"),
        ],
    );
    write(
        root,
        "b.jsonl",
        &[
            line("e1", "CommandDefined", "2024-05-01T09:00:00Z"),
            line("e4", "EventDefined", "2024-05-01T10:00:01Z"),
        ],
    );
    for since in [None, Some("2024-05-01T10:00:02Z")] {
        let options = ReadOptions {
            since: since.map(|s| events::parse_since(s).unwrap()),
            ..Default::default()
        };
        let collected = events::read_all(root, &options).unwrap();
        let mut streamed = Vec::new();
        let counters = events::for_each_event(root, &options, |e| {
            streamed.push((
                e.envelope.event_id.clone(),
                e.origin.file.clone(),
                e.origin.line,
            ));
            true
        })
        .unwrap();
        let expected: Vec<_> = collected
            .events
            .iter()
            .map(|e| {
                (
                    e.envelope.event_id.clone(),
                    e.origin.file.clone(),
                    e.origin.line,
                )
            })
            .collect();
        assert_eq!(streamed, expected, "since {since:?}");
        assert_eq!(counters.duplicates, collected.duplicates);
        assert_eq!(counters.filtered, collected.filtered);
        assert_eq!(counters.unknown_types, collected.unknown_types);
        assert_eq!(counters.issues, collected.issues);
    }
}

/// `events` on a 1-million-line stream, through the real binary: its peak RSS (read by
/// `wait4`) stays under 100 MB. A memory bound, not a timing assert.
#[cfg(target_os = "linux")]
#[test]
fn events_on_a_million_line_stream_stays_under_100_mb() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let path = events_dir(root).join("big.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..1_000_000 {
        writeln!(
            out,
            r#"{{"eventId":"e{i}","eventType":"CommandDefined","version":1,"productSource":"p","sessionId":"s","causationEventIds":[],"correlationId":null,"timestamp":"2024-05-01T10:00:00Z","payload":{{}}}}"#
        )
        .unwrap();
    }
    out.flush().unwrap();
    drop(out);
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("moment-sync"))
        .arg("events")
        .arg(root)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (code, peak_mb) = rss::wait_with_peak_rss_mb(child);
    assert_eq!(code, 0, "events failed");
    assert!(peak_mb < 100, "events peaked at {peak_mb} MB on 1M lines");

    // `--new` remembers what it showed in a bounded cursor: a million delivered ids made it
    // 23 MB, read and written again by every run.
    let run_new = || {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("moment-sync"))
            .args(["events", "--new"])
            .arg(root)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let shown = std::io::BufRead::lines(std::io::BufReader::new(stdout)).count();
        let (code, peak_mb) = rss::wait_with_peak_rss_mb(child);
        assert_eq!(code, 0, "events --new failed");
        (shown, peak_mb)
    };
    let (shown, peak_mb) = run_new();
    assert_eq!(shown, 1_000_000);
    assert!(peak_mb < 100, "events --new peaked at {peak_mb} MB");
    let cursor = std::fs::metadata(root.join(".moment/events/cli.cursor.json"))
        .unwrap()
        .len();
    assert!(cursor < 2_000_000, "the cursor file is {cursor} bytes");
    let (shown, _) = run_new();
    assert_eq!(shown, 0, "a second --new shows nothing new");
}

/// `events --new` streams (bounded memory) what `read_new` would collect: same events, same
/// order, same duplicate count, and the same cursor afterwards.
#[test]
fn streamed_new_events_match_read_new_and_advance_the_same_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.jsonl",
        &[
            line("1", "CommandDefined", "2024-05-02T10:00:00Z"),
            line("2", "Brand New", "2024-05-01T10:00:00Z"),
        ],
    );
    write(
        root,
        "b.jsonl",
        &[line("1", "CommandDefined", "2024-05-02T10:00:00Z")],
    );
    let mut collecting = EventStream::open(root, "collect").unwrap();
    let collected = collecting.read_new().unwrap();
    let mut streaming = EventStream::open(root, "stream").unwrap();
    let mut streamed = Vec::new();
    let counters = streaming
        .for_each_new_in_order(|e| {
            streamed.push(e.envelope.event_id);
            true
        })
        .unwrap();
    assert_eq!(ids(&collected), ["2", "1"]);
    assert_eq!(streamed, ids(&collected));
    assert_eq!(counters.duplicates, collected.duplicates);
    assert_eq!(counters.unknown_types, collected.unknown_types);
    assert_eq!(streaming.cursor(), collecting.cursor());

    // A repeat of a delivered id is a duplicate for the next batch too.
    append(
        root,
        "b.jsonl",
        &[
            line("2", "Brand New", "2024-05-01T10:00:00Z"),
            line("3", "SagaDefined", "2024-05-03T10:00:00Z"),
        ],
    );
    let mut next = Vec::new();
    let counters = streaming
        .for_each_new_in_order(|e| {
            next.push(e.envelope.event_id);
            true
        })
        .unwrap();
    assert_eq!(next, ["3"]);
    assert_eq!(counters.duplicates, 1);
}

/// A reader that stops early (`events --new | head`) leaves the cursor where it was: what it
/// did not show is shown next time.
#[test]
fn a_stopped_stream_keeps_its_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.jsonl",
        &[
            line("1", "CommandDefined", "2024-05-01T10:00:00Z"),
            line("2", "CommandDefined", "2024-05-02T10:00:00Z"),
        ],
    );
    let mut stream = EventStream::open(root, "head").unwrap();
    let mut first = 0;
    stream
        .for_each_new_in_order(|_| {
            first += 1;
            false
        })
        .unwrap();
    assert_eq!(first, 1);
    let again = stream.read_new().unwrap();
    assert_eq!(ids(&again), ["1", "2"]);
}
