//! Building the edits of each fix from the two sides' byte ranges. Every edit preserves the
//! implementation file's indentation, line endings and member separator style.

use crate::model::{Body, DeclKind, Declaration, FileModel, Member, MemberShape, Span, TextEdit};

/// A file's text with the layout facts edits need.
pub struct Layout<'a> {
    pub file: &'a FileModel,
    text: &'a str,
    eol: &'static str,
    indent_unit: String,
}

/// The conventions of a file that edits follow. Finding them reads the whole file, so the drift
/// engine computes them once per file (not once per drift point: that was quadratic in the
/// number of points of one file).
#[derive(Debug, Clone)]
pub struct LayoutFacts {
    eol: &'static str,
    indent_unit: String,
}

impl LayoutFacts {
    pub fn of(text: &str) -> LayoutFacts {
        LayoutFacts {
            eol: if text.contains("\r\n") { "\r\n" } else { "\n" },
            indent_unit: detect_indent_unit(text),
        }
    }
}

impl<'a> Layout<'a> {
    pub fn new(file: &'a FileModel) -> Layout<'a> {
        Layout::with_facts(file, &LayoutFacts::of(&file.text))
    }

    /// A layout from facts already computed for `file`.
    pub fn with_facts(file: &'a FileModel, facts: &LayoutFacts) -> Layout<'a> {
        Layout {
            file,
            text: &file.text,
            eol: facts.eol,
            indent_unit: facts.indent_unit.clone(),
        }
    }

    fn edit(&self, span: Span, new_text: impl Into<String>) -> TextEdit {
        TextEdit {
            path: self.file.path.clone(),
            span,
            new_text: new_text.into(),
        }
    }

    /// Leading whitespace of the line holding `offset`.
    fn indent_at(&self, offset: usize) -> &'a str {
        let start = line_start(self.text, offset);
        let line = &self.text[start..];
        let width = line.len() - line.trim_start_matches([' ', '\t']).len();
        &line[..width]
    }

    fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

fn detect_indent_unit(text: &str) -> String {
    for line in text.lines() {
        if line.starts_with('\t') {
            return "\t".into();
        }
        let spaces = line.len() - line.trim_start_matches(' ').len();
        if spaces > 0 && !line.trim().is_empty() && !line.trim_start().starts_with('*') {
            return " ".repeat(spaces.min(8));
        }
    }
    "  ".into()
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..crate::text::floor_char_boundary(text, offset.min(text.len()))]
        .rfind(['\n', '\r'])
        .map(|i| i + 1)
        .unwrap_or(0)
}

/// Re-indents a multi-line snippet taken from `from_indent` to `to_indent`, with `eol` endings.
fn reindent(snippet: &str, from_indent: &str, to_indent: &str, eol: &str) -> String {
    let mut out = String::new();
    for (i, line) in snippet.lines().enumerate() {
        if i > 0 {
            out.push_str(eol);
            let stripped = line.strip_prefix(from_indent).unwrap_or(line.trim_start());
            if !stripped.is_empty() {
                out.push_str(to_indent);
            }
            out.push_str(stripped);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The separator written after members of a body: the one the existing members use, else `,` for
/// enums and `;` otherwise.
fn member_separator(layout: &Layout<'_>, decl: &Declaration) -> &'static str {
    for m in decl.members().iter().rev() {
        match next_non_space(layout.text, m.decl_span.end) {
            Some((_, ',')) => return ",",
            Some((_, ';')) => return ";",
            _ => {}
        }
    }
    if decl.kind == DeclKind::Enum {
        ","
    } else {
        ";"
    }
}

/// The next character after `offset` that is not a space or tab (line ends count).
fn next_non_space(text: &str, offset: usize) -> Option<(usize, char)> {
    text.get(offset..)?
        .char_indices()
        .find(|(_, c)| *c != ' ' && *c != '\t')
        .map(|(i, c)| (offset + i, c))
}

/// Edits that add `member` (taken from the spec file) to the body of `target`.
pub fn add_member(
    spec_layout: &Layout<'_>,
    member: &Member,
    layout: &Layout<'_>,
    target: &Declaration,
) -> Vec<TextEdit> {
    let Some(body) = target.body_span else {
        return Vec::new();
    };
    // A body whose `}` is missing (the parser inserted a zero-width node) takes no insertion.
    let Some(close) = body
        .end
        .checked_sub(1)
        .filter(|&c| layout.text.as_bytes().get(c) == Some(&b'}'))
    else {
        return Vec::new();
    };
    let sep = member_separator(layout, target);
    let snippet = member_snippet(spec_layout, member, target.kind == DeclKind::Class);
    let members = target.members();
    let decl_indent = layout.indent_at(target.name_span.start);
    let member_indent = match members.last() {
        Some(last) => layout.indent_at(last.decl_span.start).to_string(),
        None => format!("{decl_indent}{}", layout.indent_unit),
    };
    let text = reindent(
        &snippet,
        spec_layout.indent_at(member.span.start),
        &member_indent,
        layout.eol,
    );
    let body_sep = if target.kind == DeclKind::Class && text.trim_end().ends_with('}') {
        ""
    } else {
        sep
    };
    let own_line_close = layout.text[line_start(layout.text, close)..close]
        .trim()
        .is_empty();
    match members.last() {
        // Multi-line body: a new line before the closing brace (and a comma after the current
        // last member when the body is comma-separated and it has none).
        Some(last) if own_line_close => {
            let mut edits = Vec::new();
            let has_sep = matches!(
                next_non_space(layout.text, last.decl_span.end),
                Some((_, ',' | ';'))
            );
            if sep == "," && !has_sep {
                edits.push(layout.edit(Span::empty_at(last.decl_span.end), ","));
            }
            let at = line_start(layout.text, close);
            edits.push(layout.edit(
                Span::empty_at(at),
                format!("{member_indent}{text}{body_sep}{}", layout.eol),
            ));
            edits
        }
        // One-line body: `{ a: string }` → `{ a: string; b: number }`, keeping a trailing separator.
        Some(last) => match next_non_space(layout.text, last.decl_span.end) {
            Some((i, ',' | ';')) => {
                vec![layout.edit(Span::empty_at(i + 1), format!(" {text}{body_sep}"))]
            }
            _ => vec![layout.edit(Span::empty_at(last.decl_span.end), format!("{sep} {text}"))],
        },
        // Empty body: members go on lines of their own after `{`. The other edits are identical
        // for every member added, so they apply once: they drop the blank interior and put the
        // closing brace on its own line (they sort after the insertions at the same offset).
        None => {
            let mut edits = vec![layout.edit(
                Span::empty_at(body.start + 1),
                format!("{}{member_indent}{text}{body_sep}", layout.eol),
            )];
            if close > body.start + 1 {
                edits.push(layout.edit(Span::new(body.start + 1, close), ""));
            }
            edits.push(layout.edit(
                Span::new(close, close + 1),
                format!("{}{decl_indent}}}", layout.eol),
            ));
            edits
        }
    }
}

/// The spec member's source text (with its JSDoc); a method added to a class gets a body that
/// throws, so the class still compiles until it is implemented.
fn member_snippet(spec: &Layout<'_>, member: &Member, into_class: bool) -> String {
    let text = spec
        .slice(member.span)
        .trim_end_matches([';', ','])
        .to_string();
    match (&member.shape, into_class) {
        (MemberShape::Method { .. }, true) => {
            let indent = spec.indent_at(member.span.start);
            let unit = &spec.indent_unit;
            let name = &member.name;
            let text = text.trim_end().to_string();
            format!(
                "{text} {{{eol}{indent}{unit}throw new Error(\"{name} is not implemented yet\");{eol}{indent}}}",
                eol = "\n"
            )
        }
        _ => text,
    }
}

/// The offset after the line end at `e` (`\r\n`, `\n` or `\r`), or `e` at the end of the text.
fn skip_line_end(text: &str, e: usize) -> usize {
    if text[e..].starts_with("\r\n") {
        e + 2
    } else if e < text.len() {
        e + 1
    } else {
        e
    }
}

/// Removes a member with its leading doc, separator and line.
pub fn remove_member(layout: &Layout<'_>, member: &Member) -> TextEdit {
    layout.edit(removal_span(layout, member.span), "")
}

/// Removes a whole declaration with its leading doc and line.
pub fn remove_declaration(layout: &Layout<'_>, decl: &Declaration) -> TextEdit {
    layout.edit(removal_span(layout, decl.span), "")
}

/// `span` widened to its separator, and to whole lines when it stands on lines of its own.
fn removal_span(layout: &Layout<'_>, span: Span) -> Span {
    let text = layout.text;
    let mut end = span.end;
    if let Some((i, ',' | ';')) = next_non_space(text, end) {
        end = i + 1;
    }
    let start_line = line_start(text, span.start);
    let own_line = text[start_line..span.start].trim().is_empty();
    let rest_of_line_empty = text[end..]
        .split(['\n', '\r'])
        .next()
        .is_none_or(|r| r.trim().is_empty());
    if own_line && rest_of_line_empty {
        let mut e = end + text[end..].find(['\n', '\r']).unwrap_or(text.len() - end);
        e = skip_line_end(text, e);
        // Between two blank lines, take one of them too: no double gap is left behind.
        let blank_before =
            text[..start_line].ends_with("\n\n") || text[..start_line].ends_with("\r\n\r\n");
        let next_line_end = text[e..].find('\n').map(|i| e + i);
        if let Some(nl) = next_line_end.filter(|nl| blank_before && text[e..*nl].trim().is_empty())
        {
            e = nl + 1;
        }
        Span::new(start_line, e)
    } else {
        let trailing = text[end..].len() - text[end..].trim_start_matches([' ', '\t']).len();
        Span::new(span.start, end + trailing)
    }
}

/// Replaces `span` of the implementation with `new_text`.
pub fn replace(layout: &Layout<'_>, span: Span, new_text: &str) -> TextEdit {
    layout.edit(span, new_text)
}

/// Makes a member optional (`?` after the name) or required (drops the `?`).
pub fn set_optional(layout: &Layout<'_>, member: &Member, optional: bool) -> Option<TextEdit> {
    if optional {
        Some(layout.edit(Span::empty_at(member.name_span.end), "?"))
    } else {
        member.question_span.map(|q| layout.edit(q, ""))
    }
}

/// Adds `readonly ` before the name, or removes the keyword and the space after it.
pub fn set_readonly(layout: &Layout<'_>, member: &Member, readonly: bool) -> Option<TextEdit> {
    if readonly {
        Some(layout.edit(Span::empty_at(member.name_span.start), "readonly "))
    } else {
        let r = member.readonly_span?;
        let after = &layout.text[r.end..];
        let ws = after.len() - after.trim_start_matches([' ', '\t']).len();
        Some(layout.edit(Span::new(r.start, r.end + ws), ""))
    }
}

/// Gives an enum member the spec's value: replaces its initializer or adds ` = value`.
pub fn set_enum_value(layout: &Layout<'_>, member: &Member, spec_value_text: &str) -> TextEdit {
    match member.type_span {
        Some(span) => layout.edit(span, spec_value_text),
        None => layout.edit(
            Span::empty_at(member.name_span.end),
            format!(" = {spec_value_text}"),
        ),
    }
}

/// Renames a declaration or member (the name only; uses elsewhere are the compiler's to find).
pub fn rename(layout: &Layout<'_>, name_span: Span, new_name: &str) -> TextEdit {
    layout.edit(name_span, property_key(new_name))
}

/// A property key as written: identifiers bare, anything else quoted.
fn property_key(name: &str) -> String {
    let is_ident = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    if is_ident {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\\\""))
    }
}

/// Appends a union member to the implementation's alias (` | X` after its right-hand side).
pub fn add_union_member(
    layout: &Layout<'_>,
    target: &Declaration,
    spec_text: &str,
) -> Option<TextEdit> {
    let Body::Alias { rhs_span, .. } = &target.body else {
        return None;
    };
    Some(layout.edit(Span::empty_at(rhs_span.end), format!(" | {spec_text}")))
}

/// Removes a union member with the `|` that joins it to its neighbour.
pub fn remove_union_member(layout: &Layout<'_>, member: &Member) -> TextEdit {
    let text = layout.text;
    let before = text[..member.span.start].trim_end_matches([' ', '\t', '\r', '\n']);
    if before.ends_with('|') {
        let bar = before.len() - 1;
        // Keep the bar when it is a leading `|` of the whole union (`= | A | B`).
        let prefix = text[..bar].trim_end();
        if !prefix.ends_with('=') {
            // From the end of the member before: the line break before the bar goes too, so
            // `| A\n  | B;` becomes `| A;`, never `| A\n  ;`.
            return layout.edit(Span::new(prefix.len(), member.span.end), "");
        }
    }
    let after = &text[member.span.end..];
    let trimmed = after.trim_start_matches([' ', '\t', '\r', '\n']);
    if let Some(rest) = trimmed.strip_prefix('|') {
        let ws = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let end = text.len() - rest.len() + ws;
        return layout.edit(Span::new(member.span.start, end), "");
    }
    layout.edit(member.span, "")
}

/// Appends a declaration (spec text) to an implementation file, or creates the file with it.
pub fn add_declaration(
    spec: &FileModel,
    decl: &Declaration,
    target: Option<&Layout<'_>>,
    new_path: &str,
) -> TextEdit {
    let snippet = spec
        .text
        .get(decl.span.start..decl.span.end)
        .unwrap_or("")
        .to_string();
    match target {
        Some(layout) => {
            let text = layout.text;
            let eol = layout.eol;
            let snippet = snippet.replace("\r\n", "\n").replace('\n', eol);
            let lead = if text.is_empty() {
                String::new()
            } else if text.ends_with('\n') || text.ends_with('\r') {
                eol.to_string()
            } else {
                format!("{eol}{eol}")
            };
            layout.edit(Span::empty_at(text.len()), format!("{lead}{snippet}{eol}"))
        }
        None => TextEdit {
            path: new_path.to_string(),
            span: Span::empty_at(0),
            new_text: format!("{snippet}\n"),
        },
    }
}

/// The spec's source text of `span`.
pub fn spec_text(spec: &FileModel, span: Span) -> String {
    spec.text
        .get(span.start..span.end)
        .unwrap_or("")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Side;

    fn without_union_member(text: &str, name: &str) -> String {
        let file = crate::syntax::parse_file("a.ts", "a.ts", Side::Implementation, text.into());
        let decl = file.declarations.values().next().unwrap();
        let member = decl
            .members()
            .iter()
            .find(|m| m.name.trim_matches(|c| c == '"' || c == '\'') == name.trim_matches('\''))
            .unwrap_or_else(|| {
                panic!(
                    "{:?}",
                    decl.members().iter().map(|m| &m.name).collect::<Vec<_>>()
                )
            });
        let edit = remove_union_member(&Layout::new(&file), member);
        crate::fix::apply_edits("a.ts", text, &[&edit]).unwrap()
    }

    #[test]
    fn removing_a_union_member_leaves_no_dangling_bar_or_line() {
        let multi = "export type S =\n  | 'a'\n  | 'b'\n  | 'c';\n";
        assert_eq!(
            without_union_member(multi, "'c'"),
            "export type S =\n  | 'a'\n  | 'b';\n"
        );
        assert_eq!(
            without_union_member(multi, "'b'"),
            "export type S =\n  | 'a'\n  | 'c';\n"
        );
        assert_eq!(
            without_union_member(multi, "'a'"),
            "export type S =\n  | 'b'\n  | 'c';\n"
        );
        let flat = "export type S = 'a' | 'b' | 'c'\n";
        assert_eq!(
            without_union_member(flat, "'c'"),
            "export type S = 'a' | 'b'\n"
        );
        assert_eq!(
            without_union_member(flat, "'a'"),
            "export type S = 'b' | 'c'\n"
        );
    }
}
