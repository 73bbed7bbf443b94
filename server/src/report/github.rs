//! `check --format github`: GitHub Actions workflow commands, one annotation per drift point
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`). Unlike SARIF upload,
//! annotations need no paid add-on on private repositories.

use std::fmt::Write as _;

use super::range;
use crate::analysis::Analysis;
use crate::drift::{Category, DriftPoint};

/// The workflow command of a category: breaking → error, manageable → warning, clean → notice.
fn command(c: Category) -> &'static str {
    match c {
        Category::Breaking => "error",
        Category::ManageableDrift => "warning",
        Category::CleanApply => "notice",
    }
}

/// One annotation line per drift point, then one per syntax error (as warnings). `prefix` is the
/// moment-sync root relative to the repository root (`""` or `packages/api/`): GitHub resolves
/// `file=` against the repository.
pub fn github_annotations(analysis: &Analysis, prefix: &str) -> String {
    let mut out = String::new();
    for p in &analysis.points {
        annotate_point(&mut out, analysis, p, prefix);
    }
    for (path, file) in &analysis.files {
        for e in &file.syntax_errors {
            let ((line, col), _) = range(analysis, path, e.span);
            let _ = writeln!(
                out,
                "::warning file={},line={line},col={col},title={}::{}",
                escape_property(&format!("{prefix}{path}")),
                escape_property("moment-sync: syntax error"),
                escape_data(&format!(
                    "{} (declarations after it may be incomplete)",
                    e.message
                ))
            );
        }
    }
    out
}

fn annotate_point(out: &mut String, analysis: &Analysis, p: &DriftPoint, prefix: &str) {
    let title = format!(
        "moment-sync {} (category {}, {})",
        p.kind.as_str(),
        p.category.number(),
        p.direction.as_str()
    );
    let message = format!("{} [{}]", p.message, p.id);
    match p.primary_location() {
        Some(l) => {
            let ((sl, sc), (el, ec)) = range(analysis, &l.path, l.span);
            let _ = writeln!(
                out,
                "::{} file={},line={sl},col={sc},endLine={el},endColumn={ec},title={}::{}",
                command(p.category),
                escape_property(&format!("{prefix}{}", l.path)),
                escape_property(&title),
                escape_data(&message)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "::{} title={}::{}",
                command(p.category),
                escape_property(&title),
                escape_data(&message)
            );
        }
    }
}

/// The message part: `%`, CR and LF are escaped (GitHub's toolkit `escapeData`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `:` and `,`, which would end it (toolkit `escapeProperty`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_would_end_a_command() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A".to_string());
    }
}
