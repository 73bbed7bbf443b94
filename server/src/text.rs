//! Line index: converts byte offsets to line/column positions and back.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r` (as LSP counts them). Columns can be counted in
//! characters (the JSON report), UTF-16 code units or UTF-8 bytes (LSP position encodings).

use std::sync::Arc;

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnUnit {
    /// Unicode scalar values (the report's "columns counted in characters").
    Char,
    Utf16,
    Utf8,
}

/// A zero-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Byte offsets of line starts of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    starts: Arc<[usize]>,
    /// Per line: `true` when it holds only ASCII, so that a column is its byte distance from the
    /// line start in every unit. Without it, each conversion counted the characters before it,
    /// and the points of a one-line enum of 40,000 members took 80 % of `check` (quadratic).
    ascii: Arc<[bool]>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut ascii = vec![true];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    starts.push(i + 1);
                    ascii.push(true);
                }
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                    ascii.push(true);
                }
                b if !b.is_ascii() => {
                    if let Some(last) = ascii.last_mut() {
                        *last = false;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            starts: starts.into(),
            ascii: ascii.into(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where `line` starts; clamped to the last line.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.min(self.starts.len() - 1)]
    }

    /// Byte offset just past the line's content (before its terminator).
    pub fn line_content_end(&self, text: &str, line: usize) -> usize {
        let line = line.min(self.starts.len() - 1);
        let end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let bytes = text.as_bytes();
        let mut e = end;
        if e > self.starts[line] && bytes.get(e - 1) == Some(&b'\n') {
            e -= 1;
        }
        if e > self.starts[line] && bytes.get(e - 1) == Some(&b'\r') {
            e -= 1;
        }
        e
    }

    /// The line holding `offset` (offsets past the end are on the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    fn is_ascii(&self, line: usize) -> bool {
        self.ascii.get(line).copied().unwrap_or(false)
    }

    /// Converts a byte offset to a zero-based line and column in `unit`. An offset inside a
    /// multi-byte character counts from that character's start.
    pub fn position(&self, text: &str, offset: usize, unit: ColumnUnit) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let segment = &text[self.starts[line]..offset];
        let col = match unit {
            _ if self.is_ascii(line) => segment.len(),
            ColumnUnit::Char => segment.chars().count(),
            ColumnUnit::Utf16 => segment.chars().map(char::len_utf16).sum(),
            ColumnUnit::Utf8 => segment.len(),
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// Converts a zero-based line and column in `unit` to a byte offset. Out-of-range lines and
    /// columns are clamped to the text and to the line's content; a column inside a character
    /// (UTF-16 surrogate half, UTF-8 continuation byte) moves to that character's start.
    pub fn offset(&self, text: &str, pos: LineCol, unit: ColumnUnit) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let start = self.starts[line];
        let end = self.line_content_end(text, line);
        if self.is_ascii(line) {
            return (start + pos.col as usize).min(end);
        }
        let mut remaining = pos.col as usize;
        for (i, ch) in text[start..end].char_indices() {
            let width = match unit {
                ColumnUnit::Char => 1,
                ColumnUnit::Utf16 => ch.len_utf16(),
                ColumnUnit::Utf8 => ch.len_utf8(),
            };
            if remaining < width {
                return start + i;
            }
            remaining -= width;
        }
        end
    }
}

/// The largest char boundary at or below `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lf_crlf_and_lone_cr_as_line_ends() {
        let text = "a\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(
            idx.position(text, 7, ColumnUnit::Char),
            LineCol { line: 3, col: 0 }
        );
        assert_eq!(
            idx.position(text, 5, ColumnUnit::Char),
            LineCol { line: 2, col: 0 }
        );
        assert_eq!(idx.line_content_end(text, 1), 3);
    }

    #[test]
    fn ascii_and_non_ascii_lines_convert_like_counting_characters() {
        let text = "plain line\nnon-ascii é𝄞 line\r\nascii again\rlast é\n";
        let index = LineIndex::new(text);
        for unit in [ColumnUnit::Char, ColumnUnit::Utf16, ColumnUnit::Utf8] {
            for (offset, _) in text.char_indices() {
                let line = index.line_of(offset);
                let before = &text[index.line_start(line)..offset];
                let col = match unit {
                    ColumnUnit::Char => before.chars().count(),
                    ColumnUnit::Utf16 => before.encode_utf16().count(),
                    ColumnUnit::Utf8 => before.len(),
                };
                let pos = index.position(text, offset, unit);
                assert_eq!(
                    (pos.line as usize, pos.col as usize),
                    (line, col),
                    "{offset} {unit:?}"
                );
                // Inside a line terminator, the way back clamps to the line's content.
                let back = offset.min(index.line_content_end(text, line));
                assert_eq!(index.offset(text, pos, unit), back, "{offset} {unit:?}");
            }
            // A column past the content clamps to the line's end, on either kind of line.
            let far = LineCol { line: 0, col: 99 };
            assert_eq!(index.offset(text, far, unit), "plain line".len());
            let far = LineCol { line: 1, col: 99 };
            assert_eq!(index.offset(text, far, unit), text.find("\r\n").unwrap());
        }
    }

    #[test]
    fn columns_in_each_unit_on_a_multibyte_line() {
        let text = "é😀x";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(text, x, ColumnUnit::Char).col, 2);
        assert_eq!(idx.position(text, x, ColumnUnit::Utf16).col, 3);
        assert_eq!(idx.position(text, x, ColumnUnit::Utf8).col, 6);
        for unit in [ColumnUnit::Char, ColumnUnit::Utf16, ColumnUnit::Utf8] {
            let pos = idx.position(text, x, unit);
            assert_eq!(idx.offset(text, pos, unit), x);
        }
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\r\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 99 }, ColumnUnit::Utf16),
            2
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 9, col: 0 }, ColumnUnit::Utf16),
            6
        );
        // A UTF-16 column in the middle of a surrogate pair lands on the character's start.
        let text = "😀a";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 1 }, ColumnUnit::Utf16),
            0
        );
    }
}
