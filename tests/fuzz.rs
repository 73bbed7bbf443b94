//! Fuzz targets as long property runs (cargo-fuzz needs a nightly toolchain; this is stable).
//!
//! Each target feeds generated input to one reader of untrusted data and asserts it never panics
//! and keeps its invariants. `cargo test` runs a few cases per target; `tests/suites/50-fuzz.sh`
//! runs many more, bounded in time, with `MOMENT_FUZZ_CASES`.

use std::sync::Arc;

use moment_sync::lsp::transport::{check, frame, Framer, Item};
use moment_sync::model::Side;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("MOMENT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        // Shrinking a failure is worth a while; the suite's `timeout` bounds the whole run.
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    }
}

/// TypeScript-ish text: fragments that exercise declarations, types and nesting, glued at
/// random, plus arbitrary characters.
fn typescript() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(TS_FRAGMENTS).prop_map(str::to_string);
    let fragment = prop_oneof![6 => fixed, 1 => "[\\PC]{0,3}"];
    prop::collection::vec(fragment, 0..200).prop_map(|parts| parts.concat())
}

const TS_FRAGMENTS: &[&str] = &[
    "export ",
    "interface ",
    "type ",
    "enum ",
    "class ",
    "declare ",
    "readonly ",
    "A",
    "B<T>",
    " = ",
    "{ ",
    " }",
    "(",
    ")",
    "[",
    "]",
    "<",
    ">",
    " | ",
    " & ",
    "?: ",
    ": ",
    "; ",
    ", ",
    "=> ",
    "string",
    "'x'",
    "42",
    "/** @deprecated use B */\n",
    "// c\n",
    "\n",
    "\r",
    "keyof ",
    "typeof ",
    " extends ",
    " ? ",
    "`a${",
    "}`",
    "é",
    "\u{2028}",
    "constructor(",
    "get x()",
];

fn assert_span(text: &str, start: usize, end: usize, what: &str) {
    assert!(
        start <= end && end <= text.len(),
        "{what}: {start}..{end} of {}",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: {start}..{end} splits a character"
    );
}

proptest! {
    #![proptest_config(config())]

    /// Extraction of any text: no panic, every span inside the text on character boundaries.
    #[test]
    fn typescript_extraction(text in typescript(), tsx in any::<bool>(), dts in any::<bool>()) {
        let path = match (tsx, dts) {
            (true, _) => "a.tsx",
            (false, true) => "a.d.ts",
            (false, false) => "a.ts",
        };
        let model = moment_sync::syntax::parse_file(path, path, Side::Spec, Arc::from(text.as_str()));
        for e in &model.syntax_errors {
            assert_span(&text, e.span.start, e.span.end, &e.message);
        }
        for d in model.declarations.values() {
            assert_span(&text, d.span.start, d.span.end, &d.name);
            for m in d.members() {
                assert_span(&text, m.span.start, m.span.end, &m.name);
            }
        }
    }

    /// The state log's replay of any bytes: a result (an error naming a line), never a panic.
    #[test]
    fn state_log_replay(lines in prop::collection::vec(jsonl_line(), 0..20)) {
        let bytes = lines.concat();
        let _ = moment_sync::state::log::replay_bytes(std::path::Path::new("log.jsonl"), &bytes);
    }

    /// The upstream event reader on any stream file: malformed lines are reported, not fatal.
    #[test]
    fn upstream_event_reader(lines in prop::collection::vec(jsonl_line(), 0..20)) {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join(".complai/events/moment");
        std::fs::create_dir_all(&events).unwrap();
        std::fs::write(events.join("a.jsonl"), lines.concat()).unwrap();
        let _ = moment_sync::events::read_all(dir.path(), &Default::default());
    }

    /// The LSP message reader on any byte stream, in any chunking: no panic, and every message
    /// it passes on is one `check` accepts.
    #[test]
    fn lsp_message_reader(
        parts in prop::collection::vec(lsp_bytes(), 0..12),
        chunk in 1usize..64,
    ) {
        let bytes: Vec<u8> = parts.concat();
        let mut framer = Framer::default();
        for piece in bytes.chunks(chunk) {
            framer.push(piece);
            while let Some(item) = framer.next_item() {
                if let Item::Message(body) = item {
                    prop_assert!(check(&body).is_ok());
                }
            }
        }
    }

    /// Well-formed messages come through unchanged however the stream is cut.
    #[test]
    fn lsp_frames_survive_any_chunking(ids in prop::collection::vec(0u32..1000, 1..10), chunk in 1usize..40) {
        let bodies: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"m","params":{{"é":[1]}}}}"#))
            .collect();
        let bytes: Vec<u8> = bodies.iter().flat_map(|b| frame(b.as_bytes())).collect();
        let mut framer = Framer::default();
        let mut got = Vec::new();
        for piece in bytes.chunks(chunk) {
            framer.push(piece);
            while let Some(item) = framer.next_item() {
                got.push(item);
            }
        }
        let expected: Vec<Item> = bodies.into_iter().map(|b| Item::Message(b.into_bytes())).collect();
        prop_assert_eq!(got, expected);
    }
}

/// A JSONL line: valid-looking events, near misses and garbage (torn lines included).
fn jsonl_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"{\"seq\":1,\"at\":\"2026-01-01T00:00:00Z\",\"type\":\"ProposalSkipped\",\"id\":\"a\",\"actor\":\"x\"}\n".to_vec()),
        Just(b"{\"eventId\":\"e1\",\"eventType\":\"ValueObjectDefined\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"payload\":{}}\n".to_vec()),
        Just(b"{\"type\":\"Nope\"}\n".to_vec()),
        Just(b"{\"seq\":\"x\"}\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"{".to_vec()),
        Just(b"[1,2,3]\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..80),
        "[\\PC]{0,40}\n".prop_map(String::into_bytes),
    ]
}

/// Pieces of an LSP byte stream: good frames, bad headers, bad bodies, raw bytes.
fn lsp_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(frame(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#)),
        Just(frame(
            br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#
        )),
        Just(frame(b"{bad")),
        Just(frame(b"\xff\xfe")),
        Just(b"Content-Length: 5\r\n\r\n".to_vec()),
        Just(b"Content-Length: x\r\n\r\n".to_vec()),
        Just(b"Content-Length: 99999999999999999999\r\n\r\n".to_vec()),
        Just(b"Content-Type: a\r\n".to_vec()),
        Just(b"\r\n\r\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..64),
        (0usize..200).prop_map(|n| format!("Content-Length: {n}\r\n\r\n").into_bytes()),
    ]
}
