//! `Secret`: a token that never shows itself in `Debug`, `Display`, logs or errors.

/// A credential value. `Debug` and `Display` print `***`; the value is reachable only through
/// [`Secret::expose`], which call sites use solely to hand it to a child's environment or an
/// HTTP header.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The raw value: pass it on, never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `text` with every occurrence of the secret replaced by `***` (for child output that is
    /// about to be shown or wrapped in an error).
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 {
            // Redacting a one- or two-character "token" would garble every message; such a
            // value is never a real token anyway.
            return text.to_string();
        }
        text.replace(&self.0, "***")
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Removes `user:password@` from URLs inside `text` (git echoes remote URLs in its messages).
pub fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        // The authority ends at the first `/`, `?`, `#` or `\\` (WHATWG URL): an `@` after
        // one of them is not userinfo, and taking it for one would show the wrong host.
        let end = tail
            .find(|c: char| c.is_whitespace() || "/?#\\'\"".contains(c))
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(at) => {
                out.push_str("***@");
                rest = &tail[at + 1..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_itself() {
        let s = Secret::new("ghp_abcdef123456");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(
            s.redact("token ghp_abcdef123456 leaked"),
            "token *** leaked"
        );
        assert_eq!(s.expose(), "ghp_abcdef123456");
    }

    #[test]
    fn strips_userinfo_from_urls() {
        assert_eq!(
            redact_urls("fatal: unable to access 'https://x:ghp_1@github.com/o/r.git/': 403"),
            "fatal: unable to access 'https://***@github.com/o/r.git/': 403"
        );
        assert_eq!(
            redact_urls("see https://github.com/o/r"),
            "see https://github.com/o/r"
        );
        // The host is what precedes the fragment: the message must keep naming it.
        assert_eq!(
            redact_urls("fatal: unable to access 'https://evil.example#@github.com/o/r'"),
            "fatal: unable to access 'https://evil.example#@github.com/o/r'"
        );
        assert_eq!(
            redact_urls("'https://evil.example?@github.com/'"),
            "'https://evil.example?@github.com/'"
        );
    }
}
