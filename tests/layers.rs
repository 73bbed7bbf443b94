//! The layer rules of `docs/ARCHITECTURE.md`, checked on the sources: a module may use only
//! modules of lower layers, the top-level modules import each other without a cycle, and the
//! protocol crates (`tower_lsp_server`, its `ls_types`, `lsp_types`) appear only under `lsp/`.
//!
//! Keep [`LAYERS`] and the table in `docs/ARCHITECTURE.md` the same.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules of `server/src`, bottom up. A module may use modules of lower layers only
/// (never one of its own layer, never a higher one).
const LAYERS: &[&[&str]] = &[
    &["support", "text"],
    &["model"],
    &["syntax"],
    &["moment"],
    &["workspace"],
    &["cascade", "fix", "events"],
    &["drift", "consumers"],
    &["analysis"],
    &["state"],
    &["project"],
    &["reconcile", "git"],
    &["report"],
    &["ops"],
    &["lsp", "mcp"],
    &["cli"],
];

/// Known violations, each to be removed: (user, used). None left: keep it that way.
const KNOWN_EXCEPTIONS: &[(&str, &str)] = &[];

/// Files outside every layer: the crate root and the binary, which may use anything.
const ROOTS: &[&str] = &["lib", "main"];

const PROTOCOL_CRATES: &[&str] = &["tower_lsp_server", "ls_types", "lsp_types"];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("server/src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`state` for `state/log.rs`, `analysis` for
/// `analysis.rs`).
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .expect("non-empty path")
        .as_os_str()
        .to_string_lossy()
        .to_string();
    first.strip_suffix(".rs").unwrap_or(&first).to_string()
}

/// Drops `//` comments (line and doc comments) so prose never counts as an import.
fn code_only(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string literal (a URL) is rare in paths we look for; keep what
            // precedes the first `//` only when the line is not a string-heavy one.
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every top-level module named after `crate::` in `code`, including the members of grouped
/// imports (`use crate::{a::X, b}`).
fn crate_refs(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let preceded_by_ident = rest[..i].chars().next_back().is_some_and(is_ident);
        let after = &rest[i + "crate::".len()..];
        rest = after;
        if preceded_by_ident {
            continue; // e.g. `moment_sync_crate::`
        }
        if let Some(group) = after.strip_prefix('{') {
            // Top-level names of the group: after `{` or `,` at depth 0.
            let mut depth = 0;
            let mut start = true;
            let mut name = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !name.is_empty() {
                            out.insert(std::mem::take(&mut name));
                        }
                        start = true;
                        continue;
                    }
                    _ => {}
                }
                if start && depth == 0 {
                    if is_ident(c) {
                        name.push(c);
                        continue;
                    }
                    if !c.is_whitespace() || !name.is_empty() {
                        if !name.is_empty() {
                            out.insert(std::mem::take(&mut name));
                        }
                        start = false;
                    }
                }
            }
            if !name.is_empty() {
                out.insert(name);
            }
        } else {
            let name: String = after.chars().take_while(|c| is_ident(*c)).collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn uses_protocol_crate(code: &str) -> Option<&'static str> {
    PROTOCOL_CRATES.iter().copied().find(|krate| {
        code.match_indices(krate).any(|(i, _)| {
            let before = code[..i].chars().next_back();
            let after = code[i + krate.len()..].chars().next();
            !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
        })
    })
}

struct Sources {
    /// module → (file, modules it uses)
    files: Vec<(String, String, BTreeSet<String>)>,
    protocol: Vec<(String, String, &'static str)>,
}

fn scan() -> Sources {
    let root = src_dir();
    let mut paths = Vec::new();
    rust_files(&root, &mut paths);
    let mut files = Vec::new();
    let mut protocol = Vec::new();
    for p in paths {
        let rel = p.strip_prefix(&root).expect("below src");
        let module = module_of(rel);
        let text = std::fs::read_to_string(&p).expect("read source");
        let code = code_only(&text);
        let shown = rel.to_string_lossy().to_string();
        if let Some(krate) = uses_protocol_crate(&code) {
            protocol.push((module.clone(), shown.clone(), krate));
        }
        let refs: BTreeSet<String> = crate_refs(&code)
            .into_iter()
            .filter(|m| *m != module)
            .collect();
        files.push((module, shown, refs));
    }
    Sources { files, protocol }
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Items of the crate root that every layer may use (constants of `lib.rs`).
fn is_root_item(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
}

#[test]
fn every_module_has_a_layer() {
    let src = scan();
    let unknown: BTreeSet<&str> = src
        .files
        .iter()
        .map(|(m, _, _)| m.as_str())
        .filter(|m| !ROOTS.contains(m) && layer_of(m).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "modules without a layer: {unknown:?}; add them to LAYERS in tests/layers.rs and to the \
         layer table of docs/ARCHITECTURE.md"
    );
}

#[test]
fn lower_layers_never_use_higher_ones() {
    let src = scan();
    let mut violations = Vec::new();
    for (module, file, refs) in &src.files {
        if ROOTS.contains(&module.as_str()) {
            continue;
        }
        let Some(own) = layer_of(module) else {
            continue;
        };
        for used in refs {
            if is_root_item(used) || KNOWN_EXCEPTIONS.contains(&(module.as_str(), used.as_str())) {
                continue;
            }
            match layer_of(used) {
                Some(l) if l < own => {}
                Some(l) => violations.push(format!(
                    "{file}: `{module}` (layer {own}) uses `{used}` (layer {l})"
                )),
                None => violations.push(format!("{file}: uses unknown module `{used}`")),
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn top_level_modules_import_each_other_without_a_cycle() {
    let src = scan();
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (module, _, refs) in &src.files {
        let known = refs
            .iter()
            .filter(|r| !is_root_item(r))
            .filter(|r| !KNOWN_EXCEPTIONS.contains(&(module.as_str(), r.as_str())))
            .map(String::as_str);
        graph.entry(module.as_str()).or_default().extend(known);
    }
    // Depth-first search with colours; report the first cycle found.
    fn visit<'a>(
        n: &'a str,
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|p| *p == n).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(n);
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(n, 1);
        path.push(n);
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(n, 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if let Some(cycle) = visit(n, &graph, &mut state, &mut Vec::new()) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn protocol_types_stay_in_lsp() {
    let src = scan();
    let outside: Vec<String> = src
        .protocol
        .iter()
        .filter(|(m, _, _)| m != "lsp")
        .map(|(_, f, k)| format!("{f} uses `{k}`"))
        .collect();
    assert!(outside.is_empty(), "{}", outside.join("\n"));
}

#[test]
fn the_scanner_sees_what_it_must() {
    // The checks above are only as good as the parsing of imports: pin it down.
    let refs = crate_refs(
        "use crate::{model::{Span, Side}, syntax, text::LineIndex as L};\n\
         let x = crate::state::time::now_iso(); crate::VERSION; my_crate::no;",
    );
    let expected: BTreeSet<String> = ["model", "syntax", "text", "state", "VERSION"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(refs, expected);
    assert_eq!(
        uses_protocol_crate("use tower_lsp_server::ls_types::Uri;"),
        Some("tower_lsp_server")
    );
    assert_eq!(uses_protocol_crate("let not_ls_types_here = 1;"), None);
    assert_eq!(module_of(Path::new("state/log.rs")), "state".to_string());
    assert_eq!(code_only("use a; // crate::lsp"), "use a; ");
    // And the real tree: the scan finds the modules it must judge.
    let src = scan();
    let modules: BTreeSet<&str> = src.files.iter().map(|(m, _, _)| m.as_str()).collect();
    for m in ["model", "drift", "state", "project", "lsp", "cli"] {
        assert!(modules.contains(m), "{m} not found in {modules:?}");
    }
}
