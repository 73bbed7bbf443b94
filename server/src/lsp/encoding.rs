//! Position encodings: converting LSP positions to byte offsets and back.
//!
//! The engine speaks byte offsets; LSP speaks (line, column) with columns counted in the
//! negotiated encoding. Incoming positions are converted against the live rope; outgoing ranges
//! are computed from the analysed text (the engine's `FileModel`), through its `LineIndex`, so a
//! range always describes exactly the text version it was computed from.

use ropey::{Rope, RopeSlice};
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

use crate::model::Span;
use crate::text::{ColumnUnit, LineCol, LineIndex};

/// The column unit agreed with the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    /// Byte columns: cheapest for us, offered by Neovim.
    Utf8,
    /// The LSP default every client supports (VS Code's only one).
    #[default]
    Utf16,
}

impl PositionEncoding {
    /// Prefers UTF-8 when the client offers it, else the mandatory UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> PositionEncoding {
        let offers_utf8 = offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8));
        if offers_utf8 {
            PositionEncoding::Utf8
        } else {
            PositionEncoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    pub fn unit(self) -> ColumnUnit {
        match self {
            PositionEncoding::Utf8 => ColumnUnit::Utf8,
            PositionEncoding::Utf16 => ColumnUnit::Utf16,
        }
    }
}

/// Byte offset of an LSP position in a rope. Lines past the end clamp to the end of the text,
/// columns past the line's content clamp to the content's end, and a column inside a character
/// moves to that character's start: client input never panics.
pub fn rope_offset(rope: &Rope, pos: Position, enc: PositionEncoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let slice = rope.line(line);
    let content_chars = slice.len_chars() - terminator_chars(slice);
    let col = pos.character as usize;
    let char_in_line = match enc {
        PositionEncoding::Utf8 => {
            let content_bytes = slice.char_to_byte(content_chars);
            slice.byte_to_char(col.min(content_bytes))
        }
        PositionEncoding::Utf16 => {
            let content_units = slice.char_to_utf16_cu(content_chars);
            slice.utf16_cu_to_char(col.min(content_units))
        }
    };
    rope.line_to_byte(line) + slice.char_to_byte(char_in_line)
}

/// How many chars of `line` are its terminator (`\n`, `\r\n` or a lone `\r`).
fn terminator_chars(line: RopeSlice<'_>) -> usize {
    let n = line.len_chars();
    if n == 0 {
        return 0;
    }
    match line.char(n - 1) {
        '\n' if n >= 2 && line.char(n - 2) == '\r' => 2,
        '\n' | '\r' => 1,
        _ => 0,
    }
}

/// The LSP position of a byte offset of an analysed text.
pub fn position(text: &str, lines: &LineIndex, offset: usize, enc: PositionEncoding) -> Position {
    let LineCol { line, col } = lines.position(text, offset, enc.unit());
    Position::new(line, col)
}

/// The LSP range of a byte span of an analysed text.
pub fn range(text: &str, lines: &LineIndex, span: Span, enc: PositionEncoding) -> Range {
    Range::new(
        position(text, lines, span.start, enc),
        position(text, lines, span.end, enc),
    )
}

/// The byte offset of an LSP position in an analysed text (clamped like [`rope_offset`]).
pub fn offset(text: &str, lines: &LineIndex, pos: Position, enc: PositionEncoding) -> usize {
    lines.offset(
        text,
        LineCol {
            line: pos.line,
            col: pos.character,
        },
        enc.unit(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rope_and_line_index_agree_on_multibyte_crlf_text() {
        let text = "é😀x\r\nab\rc\n";
        let rope = Rope::from_str(text);
        let lines = LineIndex::new(text);
        for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            for (offset, _) in text
                .char_indices()
                .filter(|(i, _)| !text[..*i].ends_with('\r'))
            {
                let pos = position(text, &lines, offset, enc);
                assert_eq!(rope_offset(&rope, pos, enc), offset, "{enc:?} {pos:?}");
            }
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let rope = Rope::from_str("ab\r\n😀");
        assert_eq!(
            rope_offset(&rope, Position::new(0, 99), PositionEncoding::Utf16),
            2
        );
        assert_eq!(
            rope_offset(&rope, Position::new(7, 0), PositionEncoding::Utf8),
            rope.len_bytes()
        );
        // Inside the surrogate pair / inside the UTF-8 sequence: the character's start.
        assert_eq!(
            rope_offset(&rope, Position::new(1, 1), PositionEncoding::Utf16),
            4
        );
        assert_eq!(
            rope_offset(&rope, Position::new(1, 2), PositionEncoding::Utf8),
            4
        );
    }

    #[test]
    fn utf8_is_preferred_when_offered() {
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(
            PositionEncoding::negotiate(Some(&both)),
            PositionEncoding::Utf8
        );
        assert_eq!(PositionEncoding::negotiate(None), PositionEncoding::Utf16);
    }
}
