//! Reading one `.jsonl` file line by line from a byte offset, with bounded memory.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

/// A line longer than this is reported and skipped without being held in memory.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;

/// How much of the file's start and of the bytes before the cursor the fingerprint covers.
const FINGERPRINT_WINDOW: u64 = 64 * 1024;

/// One physical line as read.
#[derive(Debug)]
pub struct RawLine {
    /// 1-based physical line number.
    pub line: usize,
    /// Byte offset of the line's first byte.
    pub offset: u64,
    /// Byte offset just past the line (and its `\n`).
    pub end: u64,
    /// Ended by `\n` (false only for the file's last line).
    pub terminated: bool,
    /// The line exceeded the limit; `bytes` holds only its start.
    pub too_long: bool,
}

/// Streams the lines of a file from a position, never holding more than one line (capped).
pub struct LineReader {
    inner: BufReader<File>,
    offset: u64,
    line: usize,
    max_line_bytes: usize,
}

impl LineReader {
    /// Opens `path` positioned at `offset`, which is the start of physical line `line + 1`.
    pub fn open(
        path: &Path,
        offset: u64,
        line: usize,
        max_line_bytes: usize,
    ) -> std::io::Result<LineReader> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(offset))?;
        Ok(LineReader {
            inner: BufReader::with_capacity(64 * 1024, file),
            offset,
            line,
            max_line_bytes,
        })
    }

    /// Moves to `offset`, the start of physical line `line + 1`; a no-op when already there, so
    /// lines read in file order keep the buffer.
    pub fn seek(&mut self, offset: u64, line: usize) -> std::io::Result<()> {
        if offset != self.offset {
            self.inner.seek(SeekFrom::Start(offset))?;
            self.offset = offset;
        }
        self.line = line;
        Ok(())
    }

    /// Reads the next line into `buf` (cleared first, `\n` and a trailing `\r` removed).
    pub fn next_line(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Option<RawLine>> {
        buf.clear();
        let start = self.offset;
        let mut too_long = false;
        let mut terminated = false;
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let (take, found) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            let content = if found { &chunk[..take - 1] } else { chunk };
            let room = self.max_line_bytes.saturating_sub(buf.len());
            if content.len() > room {
                too_long = true;
            }
            buf.extend_from_slice(&content[..content.len().min(room)]);
            self.inner.consume(take);
            self.offset += take as u64;
            if found {
                terminated = true;
                break;
            }
        }
        if self.offset == start {
            return Ok(None);
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        self.line += 1;
        Ok(Some(RawLine {
            line: self.line,
            offset: start,
            end: self.offset,
            terminated,
            too_long,
        }))
    }
}

/// A cheap content fingerprint of the first `len` bytes of a file: a SHA-256 over the first and
/// the last 64 KiB of that prefix (with `len`). Appending to the file never changes it; rewriting
/// or truncating the file almost always does, without re-hashing a huge file on every poll.
pub fn fingerprint(path: &Path, len: u64) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    if file.metadata()?.len() < len {
        return Ok(String::new());
    }
    let mut hasher = Sha256::new();
    hasher.update(len.to_le_bytes());
    let head = len.min(FINGERPRINT_WINDOW);
    hash_range(&mut file, 0, head, &mut hasher)?;
    let tail_start = len.saturating_sub(FINGERPRINT_WINDOW).max(head);
    hash_range(&mut file, tail_start, len - tail_start, &mut hasher)?;
    Ok(crate::support::digest::hex(&hasher.finalize()))
}

fn hash_range(file: &mut File, start: u64, len: u64, hasher: &mut Sha256) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(start))?;
    let mut limited = (&mut *file).take(len);
    let mut buf = [0u8; 8192];
    loop {
        let n = limited.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        hasher.update(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[u8], max: usize) -> Vec<(usize, String, bool, bool)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(&path, text).unwrap();
        let mut reader = LineReader::open(&path, 0, 0, max).unwrap();
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(l) = reader.next_line(&mut buf).unwrap() {
            out.push((
                l.line,
                String::from_utf8_lossy(&buf).into_owned(),
                l.terminated,
                l.too_long,
            ));
        }
        out
    }

    #[test]
    fn splits_lines_and_strips_cr() {
        let got = lines(b"a\r\nbb\n\nccc", 100);
        assert_eq!(
            got,
            vec![
                (1, "a".into(), true, false),
                (2, "bb".into(), true, false),
                (3, "".into(), true, false),
                (4, "ccc".into(), false, false)
            ]
        );
    }

    #[test]
    fn caps_long_lines() {
        let got = lines(b"0123456789\nok\n", 4);
        assert_eq!(got[0], (1, "0123".into(), true, true));
        assert_eq!(got[1], (2, "ok".into(), true, false));
    }

    #[test]
    fn fingerprint_ignores_appends_but_not_rewrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(&path, b"line one\n").unwrap();
        let before = fingerprint(&path, 9).unwrap();
        std::fs::write(&path, b"line one\nline two\n").unwrap();
        assert_eq!(fingerprint(&path, 9).unwrap(), before);
        std::fs::write(&path, b"line 1!!\nline two\n").unwrap();
        assert_ne!(fingerprint(&path, 9).unwrap(), before);
    }
}
