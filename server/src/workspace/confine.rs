//! Keeping every read and write inside the project root.
//!
//! A cloned repository is untrusted input: its `.moment/sync.json` can name side folders like
//! `../x` or `/etc`, it can commit symbolic links (`.moment/cache -> ../..`, `generated -> ~`),
//! and a snapshot tree fetched from a remote can hold entries named `..`. Every path the tool
//! reads or writes on a user's behalf is therefore checked here: relative, no `..`, and no
//! symbolic link on the way from the root to it. The root itself is the user's choice and may
//! be reached through links (it is canonicalised once, when the workspace opens).

use std::path::{Component, Path, PathBuf};

/// Why a path was refused; the message is one line naming the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathEscape {
    #[error("`{path}` is an absolute path; {what} must be relative to the project root")]
    Absolute { what: String, path: String },
    #[error("`{path}` leaves the project root through `..`; {what} must stay inside it")]
    Parent { what: String, path: String },
    #[error("`{path}` is not a usable path name for {what}")]
    BadName { what: String, path: String },
    #[error("`{path}` resolves to `{}`, outside the project root; {what} must stay inside it", target.display())]
    Outside {
        what: String,
        path: String,
        target: PathBuf,
    },
    #[error("`{}` is a symbolic link; moment-sync does not follow links for {what} (replace it with a real folder or file)", link.display())]
    Symlink { what: String, link: PathBuf },
}

/// Checks that `rel` is a plain relative path (`/` or `\` separated): not absolute, no `..`, no
/// NUL. `.` components are allowed (`./generated`).
pub fn check_relative(rel: &str, what: &str) -> Result<(), PathEscape> {
    let escape = |make: fn(String, String) -> PathEscape| Err(make(what.into(), rel.into()));
    if rel.contains('\0') {
        return escape(|what, path| PathEscape::BadName { what, path });
    }
    let unified = rel.replace('\\', "/");
    // `C:` and `//server` count as absolute on Windows; refuse them everywhere.
    let drive = unified.len() >= 2 && unified.as_bytes()[1] == b':';
    if unified.starts_with('/') || drive || Path::new(rel).is_absolute() {
        return escape(|what, path| PathEscape::Absolute { what, path });
    }
    if unified.split('/').any(|c| c == "..") {
        return escape(|what, path| PathEscape::Parent { what, path });
    }
    if Path::new(&unified)
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return escape(|what, path| PathEscape::Parent { what, path });
    }
    Ok(())
}

/// `root/rel` after checking `rel` (see [`check_relative`]) and that no existing component
/// below `root`, the last included, is a symbolic link. Components that do not exist yet are
/// fine: they are created as real folders. For `.moment/`, whose links are never followed.
pub fn confined(root: &Path, rel: &str, what: &str) -> Result<PathBuf, PathEscape> {
    check_relative(rel, what)?;
    let mut path = root.to_path_buf();
    for part in parts(rel) {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(PathEscape::Symlink {
                    what: what.into(),
                    link: path,
                })
            }
            Ok(_) => {}
            // Nothing further exists: nothing further can be a link.
            Err(_) => break,
        }
    }
    Ok(path_of(root, rel))
}

/// `root/rel` after checking `rel` (see [`check_relative`]) and that it resolves inside the
/// canonical `root`: the deepest existing ancestor, links followed, is below it. Folder links
/// that stay inside the root (a monorepo linking its spec folder) are fine; links out are not.
pub fn inside_root(root: &Path, rel: &str, what: &str) -> Result<PathBuf, PathEscape> {
    check_relative(rel, what)?;
    let path = path_of(root, rel);
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let existing = path
        .ancestors()
        .find(|a| std::fs::symlink_metadata(a).is_ok());
    if let Some(existing) = existing {
        let resolved = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
        if !resolved.starts_with(&canonical_root) {
            return Err(PathEscape::Outside {
                what: what.into(),
                path: rel.into(),
                target: resolved,
            });
        }
    }
    Ok(path)
}

/// A file the tool may replace: inside the root (see [`inside_root`]) and not itself a symbolic
/// link (replacing a link by a renamed temp file would turn it into a copy).
pub fn writable_file(root: &Path, rel: &str, what: &str) -> Result<PathBuf, PathEscape> {
    let path = inside_root(root, rel, what)?;
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(PathEscape::Symlink {
            what: what.into(),
            link: path,
        });
    }
    Ok(path)
}

fn parts(rel: &str) -> impl Iterator<Item = &str> {
    rel.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
}

fn path_of(root: &Path, rel: &str) -> PathBuf {
    let mut path = root.to_path_buf();
    path.extend(parts(rel));
    path
}

/// Checks one name of a tree entry (a git tree, an archive) before it is joined to a path: not
/// empty, not `.` or `..`, no separator or NUL, and not `.git` (which would reach into the
/// repository itself).
pub fn check_entry_name(name: &str, what: &str) -> Result<(), PathEscape> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\', '\0'])
        || name.eq_ignore_ascii_case(".git");
    if bad {
        return Err(PathEscape::BadName {
            what: what.into(),
            path: name.into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_only() {
        assert!(check_relative("generated", "x").is_ok());
        assert!(check_relative("./src/domain", "x").is_ok());
        assert!(check_relative("a/./b", "x").is_ok());
        for bad in ["../x", "a/../../b", "/etc", "C:\\x", "a\\..\\..\\b", "a\0b"] {
            assert!(check_relative(bad, "x").is_err(), "{bad}");
        }
        let msg = check_relative("../secret", "the spec side (generatedDir)")
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("`../secret`") && msg.contains("generatedDir"),
            "{msg}"
        );
    }

    #[test]
    fn entry_names() {
        assert!(check_entry_name("a.ts", "x").is_ok());
        assert!(check_entry_name("..a", "x").is_ok());
        for bad in ["", ".", "..", "a/b", "a\\b", ".git", ".GIT", "a\0"] {
            assert!(check_entry_name(bad, "x").is_err(), "{bad:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_on_the_way_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("real/sub")).unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("link")).unwrap();
        assert!(confined(root, "real/sub/new/file.ts", "x").is_ok());
        let err = confined(root, "link/sub", "x").unwrap_err();
        assert!(matches!(err, PathEscape::Symlink { .. }), "{err}");
        std::os::unix::fs::symlink("/etc/passwd", root.join("real/sub/f.ts")).unwrap();
        assert!(confined(root, "real/sub/f.ts", "x").is_err());
        assert!(writable_file(root, "real/sub/f.ts", "x").is_err());
        // A folder link that stays inside the root is followed; one that leaves it is not.
        assert!(inside_root(root, "link/sub/x.ts", "x").is_ok());
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
        let err = inside_root(root, "out/x.ts", "x").unwrap_err();
        assert!(matches!(err, PathEscape::Outside { .. }), "{err}");
    }
}
