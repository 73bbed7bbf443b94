//! The stdio transport: frames JSON-RPC messages ourselves and hands the protocol library only
//! well-formed ones.
//!
//! `tower-lsp-server` answers a malformed message (bad JSON, invalid UTF-8, a wrong shape, a bad
//! `Content-Length`) with an error and then stops reading: one bad byte from a client ended the
//! session. Here the reader checks every frame — header, UTF-8, JSON, the JSON-RPC 2.0 envelope —
//! answers the bad ones itself (`-32700` parse error, `-32600` invalid request, as rust-analyzer
//! does), resynchronises on the next header, and forwards the rest. One writer task puts the
//! library's frames and these error replies on stdout whole, never interleaved.

use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// Largest message accepted (a 20 MB `didOpen` is fine; a corrupt length of 10^18 is not).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;
/// Largest header block; anything longer is not a header.
const MAX_HEADER_BYTES: usize = 8 * 1024;
const HEADER_NAME: &[u8] = b"content-length:";

/// What is wrong with one incoming frame; becomes a JSON-RPC error reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("Parse error: {0}")]
    Parse(String),
    #[error("Invalid Request: {message}")]
    Invalid {
        message: String,
        /// The request's id when it had a usable one (the reply echoes it).
        id: Option<serde_json::Value>,
    },
}

impl FrameError {
    fn code(&self) -> i64 {
        match self {
            FrameError::Parse(_) => -32700,
            FrameError::Invalid { .. } => -32600,
        }
    }

    /// The JSON-RPC error response, framed.
    pub fn reply(&self) -> Vec<u8> {
        let id = match self {
            FrameError::Invalid { id: Some(id), .. } => id.clone(),
            _ => serde_json::Value::Null,
        };
        let body = serde_json::json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": { "code": self.code(), "message": self.to_string() },
        });
        frame(body.to_string().as_bytes())
    }
}

/// `Content-Length` header plus body.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// What the reader made of the bytes so far.
#[derive(Debug, PartialEq, Eq)]
pub enum Item {
    /// A well-formed message body.
    Message(Vec<u8>),
    /// A bad frame: reply with this error and go on.
    Bad(FrameError),
}

/// Splits a byte stream into frames and checks each. Feed it bytes with [`Framer::push`] and take
/// items with [`Framer::next_item`] until it returns `None` (more bytes needed).
#[derive(Debug, Default)]
pub struct Framer {
    buf: Vec<u8>,
    start: usize,
}

impl Framer {
    pub fn push(&mut self, bytes: &[u8]) {
        self.compact();
        self.buf.extend_from_slice(bytes);
    }

    /// Drops consumed bytes; gives memory back after a large message.
    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        if self.buf.capacity() > 4 * 1024 * 1024 && self.buf.len() < self.buf.capacity() / 4 {
            self.buf.shrink_to(self.buf.len().max(64 * 1024));
        }
    }

    fn pending(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// The next complete item, or `None` when more bytes are needed.
    pub fn next_item(&mut self) -> Option<Item> {
        let pending = self.pending();
        // Whitespace between frames is harmless (some clients send a newline).
        let skip = pending
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        self.start += skip;
        let pending = self.pending();
        if pending.is_empty() {
            return None;
        }
        // Bytes before the next header that are not header lines themselves (the rest of a
        // body whose Content-Length was too short): skip them, once, with one error.
        // Checked only when the bytes do not start like a header, so waiting for a large body
        // never rescans it.
        let starts_like_header =
            pending.len() >= 8 && pending[..8].eq_ignore_ascii_case(b"content-");
        let garbage = if starts_like_header {
            None
        } else {
            find_header(pending).filter(|&at| at > 0)
        };
        if let Some(at) = garbage {
            if !pending[..at].ends_with(b"\r\n") {
                self.start += at;
                return Some(Item::Bad(FrameError::Parse(format!(
                    "{at} unexpected bytes before a message header"
                ))));
            }
        }
        let Some(header_end) = find(pending, b"\r\n\r\n") else {
            if pending.len() > MAX_HEADER_BYTES {
                self.resync(1);
                return Some(Item::Bad(FrameError::Parse(
                    "no message header (expected `Content-Length: N` and a blank line)".into(),
                )));
            }
            return None;
        };
        let header = &pending[..header_end];
        let length = match content_length(header) {
            Ok(n) => n,
            Err(message) => {
                self.resync(header_end + 4);
                return Some(Item::Bad(FrameError::Parse(message)));
            }
        };
        let body_start = header_end + 4;
        if pending.len() < body_start + length {
            return None;
        }
        let body = pending[body_start..body_start + length].to_vec();
        self.start += body_start + length;
        match check(&body) {
            Ok(()) => Some(Item::Message(body)),
            Err(e) => {
                // A wrong (too long) Content-Length swallows the next message's header:
                // give back what follows it so that message is still read.
                if let Some(at) = find_header(&body) {
                    self.start -= body.len() - at;
                }
                Some(Item::Bad(e))
            }
        }
    }

    /// Skips at least `min` bytes, up to the next thing that looks like a header.
    fn resync(&mut self, min: usize) {
        let pending = self.pending();
        let min = min.min(pending.len());
        let next = find_header(&pending[min..]).map_or(pending.len(), |at| min + at);
        self.start += next;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where a `Content-Length:` header (any case) starts in `bytes`.
fn find_header(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(HEADER_NAME.len())
        .position(|w| w.eq_ignore_ascii_case(HEADER_NAME))
}

fn content_length(header: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(header).map_err(|_| "the header is not ASCII".to_string())?;
    let mut length = None;
    for line in text.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("malformed header line `{}`", line.escape_debug()));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let value = value.trim();
            let n: usize = value
                .parse()
                .map_err(|_| format!("bad Content-Length `{}`", value.escape_debug()))?;
            if n > MAX_MESSAGE_BYTES {
                return Err(format!(
                    "Content-Length {n} is over the limit of {MAX_MESSAGE_BYTES} bytes"
                ));
            }
            length = Some(n);
        }
    }
    length.ok_or_else(|| "the header has no Content-Length".to_string())
}

/// The JSON-RPC 2.0 envelope, read without building the (possibly huge) params.
#[derive(Deserialize)]
struct Envelope {
    jsonrpc: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "present")]
    id: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "present")]
    method: Option<serde_json::Value>,
    params: Option<Structured>,
    #[serde(default, deserialize_with = "present_ignored")]
    result: Option<()>,
    #[serde(default, deserialize_with = "present_ignored")]
    error: Option<()>,
}

/// `Some(())` when the field is there (`"result": null` is a valid response).
fn present_ignored<'de, D: Deserializer<'de>>(d: D) -> Result<Option<()>, D::Error> {
    IgnoredAny::deserialize(d).map(|_| Some(()))
}

/// `Some(value)` when the field is there, `null` included (`Option` alone maps null to `None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// Whether `params` is structured (object or array), without keeping its contents.
struct Structured(bool);

impl<'de> Deserialize<'de> for Structured {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Structured, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Structured;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut m: A) -> Result<Structured, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Structured(true))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut s: A) -> Result<Structured, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Structured(true))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Structured, E> {
                Ok(Structured(false))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Structured, E> {
                Ok(Structured(false))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Structured, E> {
                Ok(Structured(false))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Structured, E> {
                Ok(Structured(false))
            }
            fn visit_str<E>(self, _: &str) -> Result<Structured, E> {
                Ok(Structured(false))
            }
            fn visit_unit<E>(self) -> Result<Structured, E> {
                Ok(Structured(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// Checks one body: UTF-8, JSON, and the JSON-RPC 2.0 envelope of a request, notification or
/// response. Method-specific parameters are the protocol library's business (it answers
/// `-32602` and carries on).
pub fn check(body: &[u8]) -> Result<(), FrameError> {
    if let Err(e) = std::str::from_utf8(body) {
        return Err(FrameError::Parse(format!(
            "the message is not valid UTF-8 (byte {})",
            e.valid_up_to()
        )));
    }
    let value: serde_json::Result<Envelope> = serde_json::from_slice(body);
    let env = match value {
        Ok(env) => env,
        Err(e) if e.is_syntax() || e.is_eof() => {
            return Err(FrameError::Parse(format!("the message is not JSON: {e}")))
        }
        Err(e) => {
            return Err(FrameError::Invalid {
                message: format!("not a JSON-RPC message: {e}"),
                id: None,
            })
        }
    };
    let id = match &env.id {
        None | Some(serde_json::Value::Null) => None,
        Some(v @ (serde_json::Value::Number(_) | serde_json::Value::String(_))) => Some(v.clone()),
        Some(_) => return Err(invalid("`id` must be a number or a string", None)),
    };
    if env.jsonrpc.as_ref().and_then(|v| v.as_str()) != Some("2.0") {
        return Err(invalid("`jsonrpc` must be \"2.0\"", id));
    }
    match &env.method {
        Some(serde_json::Value::String(_)) => {
            if env.params.as_ref().is_some_and(|p| !p.0) {
                return Err(invalid("`params` must be an object or an array", id));
            }
            Ok(())
        }
        Some(_) => Err(invalid("`method` must be a string", id)),
        None => match (&id, env.result.is_some(), env.error.is_some()) {
            // A response to one of our requests.
            (Some(_), true, false) | (Some(_), false, true) | (None, false, true) => Ok(()),
            _ => Err(invalid(
                "neither a request (`method`) nor a response (`result` or `error`)",
                id,
            )),
        },
    }
}

fn invalid(message: &str, id: Option<serde_json::Value>) -> FrameError {
    FrameError::Invalid {
        message: message.to_string(),
        id,
    }
}

/// Copies client bytes from `input` through a [`Framer`]: good messages go to `to_server`
/// re-framed, bad ones become replies on `replies`. Ends at end of input or when the server
/// side is gone.
pub async fn read_client<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    mut input: R,
    mut to_server: W,
    replies: mpsc::UnboundedSender<Vec<u8>>,
) {
    let mut framer = Framer::default();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        framer.push(&chunk[..n]);
        while let Some(item) = framer.next_item() {
            match item {
                Item::Message(body) => {
                    if to_server.write_all(&frame(&body)).await.is_err() {
                        return;
                    }
                }
                Item::Bad(e) => {
                    tracing::warn!("ignoring a malformed message: {e}");
                    if replies.send(e.reply()).is_err() {
                        return;
                    }
                }
            }
        }
        let _ = to_server.flush().await;
    }
    let _ = to_server.shutdown().await;
}

/// Writes the server's frames (read whole from `from_server`) and the reader's error replies to
/// `output`, one complete frame at a time. Ends when the server's output ends.
pub async fn write_client<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    from_server: R,
    mut output: W,
    mut replies: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    let mut server = ServerFrames {
        input: from_server,
        framer: Framer::default(),
        chunk: vec![0u8; 64 * 1024],
    };
    let mut replies_open = true;
    loop {
        let bytes = tokio::select! {
            frame = server.next() => match frame {
                Some(f) => f,
                None => break,
            },
            reply = replies.recv(), if replies_open => match reply {
                Some(r) => r,
                None => { replies_open = false; continue; }
            },
        };
        if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
            break;
        }
    }
}

/// The protocol library's own output, cut into whole frames (it is well-formed by construction).
struct ServerFrames<R> {
    input: R,
    framer: Framer,
    chunk: Vec<u8>,
}

impl<R: AsyncRead + Unpin> ServerFrames<R> {
    async fn next(&mut self) -> Option<Vec<u8>> {
        loop {
            if let Some(item) = self.framer.next_item() {
                match item {
                    Item::Message(body) => return Some(frame(&body)),
                    // Cannot happen for our own output; never drop the session over it.
                    Item::Bad(e) => tracing::error!("the server wrote a bad frame: {e}"),
                }
                continue;
            }
            match self.input.read(&mut self.chunk).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.framer.push(&self.chunk[..n]),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(bytes: &[u8]) -> Vec<Item> {
        let mut f = Framer::default();
        f.push(bytes);
        std::iter::from_fn(|| f.next_item()).collect()
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#;

    #[test]
    fn every_malformed_class_is_answered_and_the_next_message_still_read() {
        let cases: Vec<(&str, Vec<u8>, i64)> = vec![
            ("bad json", frame(b"{not json"), -32700),
            (
                "invalid utf-8",
                frame(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}"),
                -32700,
            ),
            ("not an object", frame(b"[1,2]"), -32600),
            ("no jsonrpc", frame(br#"{"id":1,"method":"x"}"#), -32600),
            (
                "method a number",
                frame(br#"{"jsonrpc":"2.0","id":1,"method":5}"#),
                -32600,
            ),
            (
                "params a string",
                frame(br#"{"jsonrpc":"2.0","id":1,"method":"x","params":"s"}"#),
                -32600,
            ),
            (
                "id an object",
                frame(br#"{"jsonrpc":"2.0","id":{},"method":"x"}"#),
                -32600,
            ),
            ("neither", frame(br#"{"jsonrpc":"2.0","id":1}"#), -32600),
            (
                "length not a number",
                b"Content-Length: abc\r\n\r\n{}".to_vec(),
                -32700,
            ),
            ("no length", b"Content-Type: x\r\n\r\n{}".to_vec(), -32700),
            (
                "length too short",
                b"Content-Length: 3\r\n\r\n{\"jsonrpc\":\"2.0\"}".to_vec(),
                -32700,
            ),
            (
                "length huge",
                b"Content-Length: 99999999999999\r\n\r\n".to_vec(),
                -32700,
            ),
        ];
        for (what, bad, code) in cases {
            let mut bytes = bad;
            bytes.extend(frame(PING.as_bytes()));
            let got = items(&bytes);
            let Some(Item::Bad(e)) = got.first() else {
                panic!("{what}: {got:?}");
            };
            assert_eq!(e.code(), code, "{what}: {e}");
            assert_eq!(
                got.last(),
                Some(&Item::Message(PING.as_bytes().to_vec())),
                "{what}: the next message is lost: {got:?}"
            );
        }
    }

    #[test]
    fn a_too_long_length_gives_back_the_next_message() {
        let mut bytes = b"Content-Length: 60\r\n\r\n{\"jsonrpc\":\"2.0\"".to_vec();
        bytes.extend(frame(PING.as_bytes()));
        bytes.extend(b"                                        ");
        let got = items(&bytes);
        assert!(matches!(got.first(), Some(Item::Bad(_))), "{got:?}");
        assert!(
            got.contains(&Item::Message(PING.as_bytes().to_vec())),
            "{got:?}"
        );
    }

    #[test]
    fn replies_echo_a_usable_id() {
        let e = check(br#"{"jsonrpc":"1.0","id":"a","method":"x"}"#).unwrap_err();
        let reply = String::from_utf8(e.reply()).unwrap();
        assert!(
            reply.contains(r#""id":"a""#) && reply.contains("-32600"),
            "{reply}"
        );
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"result":null}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).is_ok());
    }

    #[test]
    fn split_reads_assemble() {
        let bytes = frame(PING.as_bytes());
        let mut f = Framer::default();
        let mut got = Vec::new();
        for b in bytes.chunks(3) {
            f.push(b);
            got.extend(std::iter::from_fn(|| f.next_item()));
        }
        assert_eq!(got, vec![Item::Message(PING.as_bytes().to_vec())]);
    }
}
