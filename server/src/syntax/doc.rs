//! Leading comments and `@deprecated` JSDoc tags.

use tree_sitter::Node;

/// Start of the run of comments directly before `node` (its leading doc), if any: block comments
/// and `//` lines, each starting its own line, with no blank line between them and the node.
///
/// This reads the text backwards instead of asking the tree for previous siblings, which
/// tree-sitter answers by walking from the parent's first child (quadratic in a long body).
pub fn leading_comment_start(node: Node<'_>, text: &str) -> Option<usize> {
    let mut start = None;
    let mut cursor = node.start_byte();
    loop {
        let before = &text[..cursor];
        let trimmed = before.trim_end();
        let gap = &before[trimmed.len()..];
        if gap.matches('\n').count() > 1 {
            break;
        }
        let same_line = !gap.contains(['\n', '\r']);
        let comment_start = if trimmed.ends_with("*/") {
            trimmed.rfind("/*")
        } else if same_line {
            // A `//` comment on the node's own line would comment the node out: nothing to find,
            // and searching back for the line start is linear in the line (quadratic over the
            // members of a one-line enum).
            None
        } else {
            let line_start = trimmed.rfind(['\n', '\r']).map(|i| i + 1).unwrap_or(0);
            let line = &trimmed[line_start..];
            let indent = line.len() - line.trim_start().len();
            line.trim_start()
                .starts_with("//")
                .then_some(line_start + indent)
        };
        match comment_start {
            Some(open) if starts_own_line(text, open) => {
                start = Some(open);
                cursor = open;
            }
            _ => break,
        }
    }
    start
}

/// `true` when only whitespace precedes `offset` on its line.
pub fn starts_own_line(text: &str, offset: usize) -> bool {
    // Backwards only as far as the first non-blank character: constant work on a long line.
    text[..offset]
        .chars()
        .rev()
        .find(|c| !c.is_whitespace() || *c == '\n' || *c == '\r')
        .is_none_or(|c| c == '\n' || c == '\r')
}

/// The text after `@deprecated` in the JSDoc comments of `span_text`, trimmed (possibly empty);
/// `None` when there is no such tag.
pub fn deprecation(comments: &str) -> Option<String> {
    let at = comments.find("@deprecated")?;
    let rest = &comments[at + "@deprecated".len()..];
    let end = rest.find(['@']).unwrap_or(rest.len());
    let body = rest[..end].trim_end_matches("*/");
    let words: Vec<&str> = body
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches('*')
                .trim()
                .trim_end_matches("*/")
                .trim()
        })
        .filter(|l| !l.is_empty())
        .collect();
    Some(words.join(" "))
}

/// The leading comments of `node` as text (empty when none).
pub fn leading_comments<'t>(node: Node<'_>, text: &'t str) -> &'t str {
    match leading_comment_start(node, text) {
        Some(start) => text.get(start..node.start_byte()).unwrap_or(""),
        None => "",
    }
}

/// The deprecation of a node from its leading comments.
pub fn node_deprecation(node: Node<'_>, text: &str) -> Option<String> {
    deprecation(leading_comments(node, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_comments_are_found_from_the_text() {
        let text = "x: number; // trailing\n\n/** doc */\n// more\ny: string;";
        let y = text.find("y:").unwrap();
        let start = leading_comment_start_at(text, y);
        assert_eq!(start, text.find("/** doc */"));
        let text = "/** far */\n\ny: string;";
        assert_eq!(
            leading_comment_start_at(text, text.find('y').unwrap()),
            None,
            "a blank line detaches the comment"
        );
        let text = "a: string; // about a\ny: string;";
        assert_eq!(
            leading_comment_start_at(text, text.find('y').unwrap()),
            None,
            "a trailing comment of the line above"
        );
    }

    fn leading_comment_start_at(text: &str, offset: usize) -> Option<usize> {
        let tree = crate::syntax::parse(text, crate::syntax::Dialect::TypeScript, None);
        let node = tree
            .root_node()
            .descendant_for_byte_range(offset, offset)
            .unwrap();
        leading_comment_start(node, text)
    }

    #[test]
    fn deprecation_text_is_extracted() {
        assert_eq!(
            deprecation("/** @deprecated use `amount` */").as_deref(),
            Some("use `amount`")
        );
        assert_eq!(
            deprecation(
                "/**\n * Total.\n * @deprecated since v2,\n *   use amount\n * @see x\n */"
            )
            .as_deref(),
            Some("since v2, use amount")
        );
        assert_eq!(deprecation("/** @deprecated */").as_deref(), Some(""));
        assert_eq!(deprecation("/** plain */"), None);
    }
}
