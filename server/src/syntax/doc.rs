//! Leading comments and `@deprecated` JSDoc tags.

use tree_sitter::Node;

/// Start of the run of own-line comments directly before `node` (its leading doc), if any.
pub fn leading_comment_start(node: Node<'_>, text: &str) -> Option<usize> {
    let mut start = None;
    let mut next_start = node.start_byte();
    let mut prev = node.prev_sibling();
    while let Some(p) = prev {
        if p.kind() != "comment" {
            break;
        }
        let between = text.get(p.end_byte()..next_start).unwrap_or("x");
        if !between.trim().is_empty() || between.matches('\n').count() > 1 || !starts_own_line(text, p.start_byte()) {
            break;
        }
        start = Some(p.start_byte());
        next_start = p.start_byte();
        prev = p.prev_sibling();
    }
    start
}

/// `true` when only whitespace precedes `offset` on its line.
pub fn starts_own_line(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind(['\n', '\r']).map(|i| i + 1).unwrap_or(0);
    text[line_start..offset].trim().is_empty()
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
        .map(|l| l.trim().trim_start_matches('*').trim().trim_end_matches("*/").trim())
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
    fn deprecation_text_is_extracted() {
        assert_eq!(deprecation("/** @deprecated use `amount` */").as_deref(), Some("use `amount`"));
        assert_eq!(
            deprecation("/**\n * Total.\n * @deprecated since v2,\n *   use amount\n * @see x\n */").as_deref(),
            Some("since v2, use amount")
        );
        assert_eq!(deprecation("/** @deprecated */").as_deref(), Some(""));
        assert_eq!(deprecation("/** plain */"), None);
    }
}
