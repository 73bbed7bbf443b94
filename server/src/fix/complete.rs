//! Completing a fix so the implementation still type-checks after it (issue 10): a fix's own
//! edits change one declaration; the follow-up edits computed here keep the files around it
//! consistent:
//! - imports: a type that the fix's new text references and the file neither declares nor imports
//!   is imported (`import type`) from the implementation file that exports it; an import whose
//!   last use the fix removed is dropped (the statement too when it is left empty);
//! - renames: uses of a renamed type or member elsewhere in the implementation side are renamed
//!   ([`super::refs`]), in the declaring file and in every file importing the type from it —
//!   also in the files outside the side that import it ([`ImplSide::with_outside`]: a consumer
//!   such as `src/app/checkout.ts` keeps compiling); `{ Old as X }` changes only the imported
//!   name;
//! - removals: an import of a removed type from its file is dropped where nothing else uses it.
//!
//! The follow-ups become part of the point's fix (multi-file edits), so `fix --dry-run` and the
//! editor's quick fix show them. [`tidy_imports`] is the same import rule over the combined result
//! of several fixes (what the writers apply last).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use super::imports::{self, Facts, Style};
use super::refs;
use super::{apply_edits, ApplyError};
use crate::model::{DeclKind, DriftKind, DriftPoint, FileModel, Fix, Side, Span, TextEdit};

/// Extensions tried after an extension-less relative specifier (TypeScript's module resolution
/// for the files the implementation side holds).
const CANDIDATES: &[&str] = &[
    "",
    ".ts",
    ".tsx",
    ".d.ts",
    ".mts",
    ".cts",
    "/index.ts",
    "/index.tsx",
    "/index.d.ts",
];

/// The workspace `tsconfig.json`'s `compilerOptions.paths` and `baseUrl`, root-relative: how a
/// bare specifier (`@domain/sales/customer.types.js`) names a file of the side, so that a rename
/// reaches the consumers importing through an alias too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathMap {
    /// Root-relative `baseUrl` (`""` for the root itself), when set.
    pub base_url: Option<String>,
    /// `paths` patterns (one `*` at most) and their root-relative target patterns, in file order.
    pub paths: Vec<(String, Vec<String>)>,
}

impl PathMap {
    /// Root-relative module paths a bare `specifier` may name (without an extension tried yet):
    /// every `paths` target of the first pattern that matches (as TypeScript), else `baseUrl`.
    fn candidates(&self, specifier: &str) -> Vec<String> {
        for (pattern, targets) in &self.paths {
            let Some(star) = wildcard_match(pattern, specifier) else {
                continue;
            };
            return targets
                .iter()
                .filter_map(|t| normalize(&t.replacen('*', star, 1)))
                .collect();
        }
        let base = self.base_url.as_deref().map(|b| {
            if b.is_empty() {
                specifier.to_string()
            } else {
                format!("{b}/{specifier}")
            }
        });
        base.and_then(|b| normalize(&b)).into_iter().collect()
    }
}

/// What the `*` of `pattern` matches in `specifier` (`""` for an exact pattern), if it matches.
fn wildcard_match<'s>(pattern: &str, specifier: &'s str) -> Option<&'s str> {
    match pattern.split_once('*') {
        None => (pattern == specifier).then_some(""),
        Some((prefix, suffix)) => {
            let rest = specifier.strip_prefix(prefix)?;
            rest.len()
                .checked_sub(suffix.len())
                .filter(|_| rest.ends_with(suffix))
                .map(|n| &rest[..n])
        }
    }
}

/// The implementation side as fixes see it: its files, which of them export each name, and the
/// side's import style. Files are parsed for their imports only when a fix needs them (the
/// editor builds one of these per code action request).
pub struct ImplSide {
    files: BTreeMap<String, Arc<FileModel>>,
    /// Files outside the side that may import from it (consumers), by path: only the uses of a
    /// renamed name in them change; they never export anything to the side.
    outside: BTreeMap<String, Arc<str>>,
    /// The workspace tsconfig's aliases, for bare specifiers.
    path_map: PathMap,
    /// Exported name → files declaring it (by path order).
    exporters: BTreeMap<String, Vec<String>>,
    style: OnceLock<Style>,
    facts: BTreeMap<String, OnceLock<Facts>>,
}

impl ImplSide {
    /// The implementation files among `files` (other sides are ignored). `points`: the drift
    /// points whose fixes may be applied with the ones completed: a type a missing-type fix adds
    /// counts as exported by the file it is added to.
    pub fn new<'a>(
        files: impl IntoIterator<Item = &'a Arc<FileModel>>,
        points: &[DriftPoint],
    ) -> ImplSide {
        let files: BTreeMap<String, Arc<FileModel>> = files
            .into_iter()
            .filter(|f| f.side == Side::Implementation)
            .map(|f| (f.path.clone(), f.clone()))
            .collect();
        let facts = files.keys().map(|p| (p.clone(), OnceLock::new())).collect();
        let mut exporters: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in files.values() {
            for name in f.declarations.keys() {
                exporters
                    .entry(name.clone())
                    .or_default()
                    .push(f.path.clone());
            }
        }
        for p in points.iter().filter(|p| p.kind == DriftKind::MissingType) {
            if let Some(edit) = p.fixes.first().and_then(|f| f.edits.first()) {
                let paths = exporters.entry(p.symbol.clone()).or_default();
                if !paths.contains(&edit.path) {
                    paths.push(edit.path.clone());
                }
            }
        }
        ImplSide {
            files,
            outside: BTreeMap::new(),
            path_map: PathMap::default(),
            exporters,
            style: OnceLock::new(),
            facts,
        }
    }

    /// This side with the files outside it that may import from it (root-relative path, text):
    /// renames reach their uses too. Paths of the side itself are ignored.
    pub fn with_outside(mut self, files: impl IntoIterator<Item = (String, Arc<str>)>) -> ImplSide {
        for (path, text) in files {
            if self.files.contains_key(&path) {
                continue;
            }
            self.facts.insert(path.clone(), OnceLock::new());
            self.outside.insert(path, text);
        }
        self
    }

    /// This side with the workspace tsconfig's `paths` and `baseUrl`: bare specifiers that map
    /// to its files resolve like relative ones.
    pub fn with_paths(mut self, path_map: PathMap) -> ImplSide {
        self.path_map = path_map;
        self
    }

    /// The text of a file outside the side given to [`ImplSide::with_outside`].
    pub fn outside_text(&self, path: &str) -> Option<&str> {
        self.outside.get(path).map(|t| &**t)
    }

    /// The import facts of an implementation or outside file (parsed once, on first use).
    fn facts(&self, path: &str) -> Option<&Facts> {
        let cell = self.facts.get(path)?;
        let text = self.text_of(path)?;
        Some(cell.get_or_init(|| imports::facts(path, text)))
    }

    /// The import facts of `text`: parsed once per file when it is `path`'s text in the side
    /// (what every fix of the file starts from), else now.
    fn facts_of_original(&self, path: &str, text: &str) -> Cow<'_, Facts> {
        let cached = self
            .text_of(path)
            .is_some_and(|t| t == text)
            .then(|| self.facts(path))
            .flatten();
        match cached {
            Some(facts) => Cow::Borrowed(facts),
            None => Cow::Owned(imports::facts(path, text)),
        }
    }

    /// The style most of the side's imports use, read from the text (no parse).
    fn side_style(&self) -> &Style {
        self.style
            .get_or_init(|| Style::majority_of_texts(self.files.values().map(|f| &*f.text)))
    }

    fn text_of(&self, path: &str) -> Option<&str> {
        self.files
            .get(path)
            .map(|f| &*f.text)
            .or_else(|| self.outside.get(path).map(|t| &**t))
    }

    /// The implementation file a relative `specifier` of `importer` names, or a bare one that
    /// the tsconfig's `paths` or `baseUrl` map to the side.
    fn resolve(&self, importer: &str, specifier: &str) -> Option<&str> {
        if !specifier.starts_with('.') {
            return self
                .path_map
                .candidates(specifier)
                .into_iter()
                .find_map(|joined| self.module_file(joined));
        }
        let dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        let joined = normalize(&format!("{dir}/{specifier}"))?;
        self.module_file(joined)
    }

    /// The side's file for the root-relative module path `joined` (TypeScript's extensions and
    /// `index` files; `.js` names the `.ts` source).
    fn module_file(&self, joined: String) -> Option<&str> {
        // `./x.js` names `./x.ts` (TypeScript maps the output extension back to the source).
        let stem = [".js", ".jsx", ".mjs", ".cjs"]
            .iter()
            .find_map(|e| joined.strip_suffix(e).map(|s| (s.to_string(), *e)));
        let mut tries: Vec<String> = CANDIDATES.iter().map(|c| format!("{joined}{c}")).collect();
        if let Some((stem, ext)) = stem {
            let mapped = match ext {
                ".mjs" => ".mts",
                ".cjs" => ".cts",
                ".jsx" => ".tsx",
                _ => ".ts",
            };
            tries.insert(0, format!("{stem}{mapped}"));
            tries.insert(1, format!("{stem}.tsx"));
            tries.insert(2, format!("{stem}.d.ts"));
        }
        tries
            .into_iter()
            .find_map(|t| self.files.get_key_value(&t).map(|(k, _)| k.as_str()))
    }

    /// The specifier `importer` writes for `target`, in `style`.
    fn specifier(&self, importer: &str, target: &str, style: &Style) -> String {
        let from: Vec<&str> = importer.split('/').collect();
        let to: Vec<&str> = target.split('/').collect();
        let from_dir = &from[..from.len().saturating_sub(1)];
        let common = from_dir
            .iter()
            .zip(to.iter())
            .take_while(|(a, b)| a == b)
            .count();
        let mut parts: Vec<String> = vec!["..".to_string(); from_dir.len() - common];
        parts.extend(to[common..].iter().map(|s| s.to_string()));
        let mut rel = parts.join("/");
        if !rel.starts_with("..") {
            rel = format!("./{rel}");
        }
        let (stem, js) = if let Some(s) = rel.strip_suffix(".d.ts") {
            (s, ".js")
        } else if let Some(s) = rel.strip_suffix(".mts") {
            (s, ".mjs")
        } else if let Some(s) = rel.strip_suffix(".cts") {
            (s, ".cjs")
        } else if let Some(s) = rel.strip_suffix(".tsx").or_else(|| rel.strip_suffix(".ts")) {
            (s, ".js")
        } else {
            (rel.as_str(), "")
        };
        if style.js_extension {
            format!("{stem}{js}")
        } else {
            stem.to_string()
        }
    }

    /// Where `importer` imports `name` from: the exporting file in its own folder first, else
    /// the first by path. `None` when no implementation file exports it.
    fn exporter_of(&self, name: &str, importer: &str) -> Option<&str> {
        let paths = self.exporters.get(name)?;
        let dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        paths
            .iter()
            .find(|p| p.rsplit_once('/').map_or("", |(d, _)| d) == dir)
            .or(paths.first())
            .map(String::as_str)
            .filter(|p| *p != importer)
    }

    /// Whether `path` exports `name` directly, or re-exports it from the file `from`.
    fn reaches(&self, path: &str, from: &str, name: &str, depth: usize) -> bool {
        if path == from {
            return true;
        }
        if depth > 4 {
            return false;
        }
        let Some(facts) = self.facts(path) else {
            return false;
        };
        facts.imports.iter().filter(|i| i.reexport).any(|i| {
            let names_it = i.star || i.specifiers.iter().any(|s| s.name == name);
            names_it
                && self
                    .resolve(path, &i.source)
                    .is_some_and(|t| self.reaches(t, from, name, depth + 1))
        })
    }

    /// Files other than `decl_file` importing (or re-exporting) `name` from it, directly or
    /// through re-exports: (path, the specifiers naming it).
    fn importers(&self, decl_file: &str, name: &str) -> Vec<(&str, Vec<&imports::Specifier>)> {
        let mut out = Vec::new();
        let texts = self
            .files
            .iter()
            .map(|(p, f)| (p, &*f.text))
            .chain(self.outside.iter().map(|(p, t)| (p, &**t)));
        for (path, text) in texts {
            // Only a file that mentions the name can import it: most are never parsed.
            if path == decl_file || !text.contains(name) {
                continue;
            }
            let Some(facts) = self.facts(path) else {
                continue;
            };
            let specs: Vec<&imports::Specifier> = facts
                .imports
                .iter()
                .filter(|i| {
                    self.resolve(path, &i.source)
                        .is_some_and(|t| self.reaches(t, decl_file, name, 0))
                })
                .flat_map(|i| i.specifiers.iter().filter(|s| s.name == name))
                .collect();
            if !specs.is_empty() {
                out.push((path.as_str(), specs));
            }
        }
        out
    }

    /// `path`'s import style (its `text` and `facts`): the side's where the file shows none.
    fn style_of(&self, path: &str, text: &str, facts: &Facts) -> Style {
        Style::of(text, facts, self.side_style(), &|source, name| {
            self.only_a_type(path, source, name)
        })
    }

    /// `true` when `source` imported from `importer` is a side file whose `name` is an
    /// interface or type alias (no value of that name exists).
    fn only_a_type(&self, importer: &str, source: &str, name: &str) -> bool {
        let Some(file) = self
            .resolve(importer, source)
            .and_then(|p| self.files.get(p))
        else {
            return false;
        };
        file.declarations.get(name).is_some_and(|d| {
            matches!(
                d.kind,
                DeclKind::Interface | DeclKind::ObjectTypeAlias | DeclKind::TypeAlias
            )
        })
    }
}

/// The names whose uses outside the implementation side the fixes of `points` may rename: the
/// old name of a renamed type, the type of a renamed member. What a caller looks for in the
/// files it passes to [`ImplSide::with_outside`].
pub fn renamed_names<'a>(points: impl IntoIterator<Item = &'a DriftPoint>) -> BTreeSet<String> {
    points
        .into_iter()
        .filter_map(|p| match p.kind {
            DriftKind::RenamedType => p.actual.clone(),
            DriftKind::RenamedMember => Some(p.symbol.clone()),
            _ => None,
        })
        .collect()
}

/// Lexically normalises `a/./b/../c` (root-relative; `None` above the root).
fn normalize(path: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p),
        }
    }
    Some(out.join("/"))
}

/// What changing `before` into `after` (one file) asks of its imports: the types `after` needs
/// and `before` did not (name → specifier), and the imported names `after` no longer uses.
#[derive(Debug, Clone)]
struct ImportNeeds {
    add: BTreeMap<String, String>,
    remove: BTreeSet<String>,
    style: Style,
    /// How many import statements `after` has (edits are only made on a text with as many).
    after_imports: usize,
}

impl ImportNeeds {
    /// The names to add, split into those that go into an import statement the file (`old`,
    /// its facts) already has and those that need a new statement.
    fn by_statement(&self, old: &Facts) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
        self.add
            .iter()
            .map(|(n, s)| (n.clone(), s.clone()))
            .partition(|(_, specifier)| old.statement_to_merge_into(specifier).is_some())
    }
}

/// The needs, and the facts of `after`. `old`: the facts of `before` (see
/// [`ImplSide::facts_of_original`]).
fn import_needs(side: &ImplSide, path: &str, old: &Facts, after: &str) -> (ImportNeeds, Facts) {
    let new = imports::facts(path, after);
    let needed_before = old.unresolved_types();
    let mut add = BTreeMap::new();
    let style = side.style_of(path, after, &new);
    for name in new.unresolved_types() {
        if needed_before.contains(name) {
            continue;
        }
        if let Some(exporter) = side.exporter_of(name, path) {
            add.insert(name.to_string(), side.specifier(path, exporter, &style));
        }
    }
    let remove: BTreeSet<String> = new
        .imported_locals()
        .filter(|l| new.uses(l) == 0 && old.uses(l) > 0)
        .map(str::to_string)
        .collect();
    let needs = ImportNeeds {
        add,
        remove,
        style,
        after_imports: new.imports.len(),
    };
    (needs, new)
}

/// The import needs of `fix`'s own edits in each file it edits (`None` where they do not apply):
/// computed once per fix, for [`shared_new_statements`] and [`complete_with`] both.
fn needs_of(fix: &Fix, side: &ImplSide) -> BTreeMap<String, Option<ImportNeeds>> {
    edits_by_file(&fix.edits)
        .into_iter()
        .map(|(path, edits)| {
            let before = side.text_of(path).unwrap_or("");
            let needs = apply_edits(path, before, &edits).ok().map(|after| {
                let old = side.facts_of_original(path, before);
                if cannot_change_imports(&edits, side) {
                    return ImportNeeds {
                        add: BTreeMap::new(),
                        remove: BTreeSet::new(),
                        style: Style::default(),
                        after_imports: old.imports.len(),
                    };
                }
                import_needs(side, path, &old, &after).0
            });
            (path.to_string(), needs)
        })
        .collect()
}

/// `true` when `edits` only insert text that names no type the side exports and holds no
/// `import` or `from`: they cannot change what the file imports (an added import names an
/// exported type; an insertion removes no use), so the result need not be parsed. A fix-all of
/// hundreds of members in one large file would otherwise parse the file once per member.
fn cannot_change_imports(edits: &[&TextEdit], side: &ImplSide) -> bool {
    edits.iter().all(|e| {
        e.span.is_empty()
            && e.new_text
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .all(|w| w != "import" && w != "from" && !side.exporters.contains_key(w))
    })
}

/// The import follow-ups of changing `before` into `after` (one file): imports of types `after`
/// needs and `before` did not, drops of imports `after` no longer uses. The edits apply to
/// `after` (what the writers tidy the combined result of several fixes with).
fn import_follow_ups(side: &ImplSide, path: &str, before: &str, after: &str) -> Vec<TextEdit> {
    let old = side.facts_of_original(path, before);
    let (needs, after_facts) = import_needs(side, path, &old, after);
    imports::import_edits(
        path,
        after,
        &after_facts,
        &needs.add,
        &needs.remove,
        false,
        &needs.style,
    )
}

/// A fix's import follow-ups on the original text `before` of a file, from its `needs`. Where
/// several fixes edit the file together, `shared` holds the names, from all of them, that need
/// an import statement the file does not have: a fix needing any new statement carries that
/// shared block instead of its own.
fn follow_ups_on_original(
    path: &str,
    before: &str,
    old: &Facts,
    needs: &ImportNeeds,
    shared: Option<&BTreeMap<String, String>>,
) -> Vec<TextEdit> {
    // The statements must be the ones the decision was made on.
    if old.imports.len() != needs.after_imports {
        return Vec::new();
    }
    let edits_for = |add: &BTreeMap<String, String>, remove: &BTreeSet<String>| {
        imports::import_edits(path, before, old, add, remove, false, &needs.style)
    };
    let Some(shared) = shared else {
        return edits_for(&needs.add, &needs.remove);
    };
    let (merged, new) = needs.by_statement(old);
    let mut edits = Vec::new();
    if !new.is_empty() {
        edits = edits_for(shared, &BTreeSet::new());
    }
    edits.extend(edits_for(&merged, &needs.remove));
    edits
}

/// The fix with its follow-up edits (see the module docs). Follow-ups that would overlap the
/// fix's own edits are left out: the fix stays what it was.
pub fn complete(point: &DriftPoint, fix: &Fix, side: &ImplSide) -> Fix {
    complete_with(point, fix, side, &needs_of(fix, side), &BTreeMap::new())
}

/// [`complete`], from the fix's import `needs` ([`needs_of`]), where the new import statements
/// of some files are shared by several fixes (`shared_new_statements`, by path: see
/// [`complete_points`]).
fn complete_with(
    point: &DriftPoint,
    fix: &Fix,
    side: &ImplSide,
    needs: &BTreeMap<String, Option<ImportNeeds>>,
    shared_new_statements: &BTreeMap<String, BTreeMap<String, String>>,
) -> Fix {
    let mut extra: Vec<TextEdit> = Vec::new();
    let mut first: Vec<TextEdit> = Vec::new();
    // Imports, per file the fix edits.
    for (path, needs) in needs {
        let Some(needs) = needs else {
            continue;
        };
        let before = side.text_of(path).unwrap_or("");
        let old = side.facts_of_original(path, before);
        let shared = shared_new_statements.get(path);
        let follow = follow_ups_on_original(path, before, &old, needs, shared);
        // New imports come before the fix's own text at the same offset (a new file's first
        // line is its import).
        for e in follow {
            if e.new_text.starts_with("import ") && e.span.is_empty() {
                first.push(e);
            } else {
                extra.push(e);
            }
        }
    }
    extra.extend(rename_follow_ups(point, fix, side));
    extra.extend(removal_follow_ups(point, side));
    let mut edits = first;
    edits.extend(fix.edits.iter().cloned());
    let own = fix.edits.clone();
    for e in extra {
        let clashes = own.iter().chain(edits.iter()).any(|o| {
            o.path == e.path && o != &e && o.span.start < e.span.end && e.span.start < o.span.end
        });
        if !clashes && !edits.contains(&e) {
            edits.push(e);
        }
    }
    if !applies(&edits, side) {
        return fix.clone();
    }
    Fix {
        edits,
        ..fix.clone()
    }
}

/// `edits` by the file they edit, in their order.
fn edits_by_file(edits: &[TextEdit]) -> BTreeMap<&str, Vec<&TextEdit>> {
    let mut by_file: BTreeMap<&str, Vec<&TextEdit>> = BTreeMap::new();
    for e in edits {
        by_file.entry(e.path.as_str()).or_default().push(e);
    }
    by_file
}

/// Clones of `points` whose preferred fix is [`complete`]d: what writers plan and apply.
///
/// Fixes applied together combine in the files they share: where the fixes of several points
/// each need a new import statement in one file, they share one block of new statements that
/// imports what all of them need (identical edits apply once), where each alone would write its
/// own: two added types that both use `Money` would import it twice (TS2300). Declarations added
/// at one place (a new file, the end of a file) are separated by one blank line.
pub fn complete_points<'a>(
    points: impl IntoIterator<Item = &'a DriftPoint>,
    side: &ImplSide,
) -> Vec<DriftPoint> {
    let points: Vec<&DriftPoint> = points.into_iter().collect();
    let needs: Vec<BTreeMap<String, Option<ImportNeeds>>> = points
        .iter()
        .map(|p| {
            p.fixes
                .first()
                .map(|f| needs_of(f, side))
                .unwrap_or_default()
        })
        .collect();
    let shared = shared_new_statements(&needs, side);
    let mut out: Vec<DriftPoint> = points
        .iter()
        .zip(&needs)
        .map(|(p, needs)| {
            let mut out = (*p).clone();
            if let Some(f) = out.fixes.first_mut() {
                *f = complete_with(p, f, side, needs, &shared);
            }
            out
        })
        .collect();
    separate_added_declarations(&points, &mut out);
    out
}

/// Per file: the names (→ specifier) that fixes import through new statements there, where two
/// or more of the fixes (their import `needs`, one map per fix) each need one.
fn shared_new_statements(
    needs: &[BTreeMap<String, Option<ImportNeeds>>],
    side: &ImplSide,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut needed: BTreeMap<&str, (usize, BTreeMap<String, String>)> = BTreeMap::new();
    for (path, needs) in needs.iter().flatten() {
        let Some(needs) = needs else {
            continue;
        };
        let before = side.text_of(path).unwrap_or("");
        let facts = side.facts_of_original(path, before);
        let (_, new) = needs.by_statement(&facts);
        if new.is_empty() {
            continue;
        }
        let (fixes, names) = needed.entry(path).or_default();
        *fixes += 1;
        names.extend(new);
    }
    needed
        .into_iter()
        .filter(|(_, (fixes, _))| *fixes >= 2)
        .map(|(path, (_, names))| (path.to_string(), names))
        .collect()
}

/// Declarations added at the same offset of a file (missing types going into a new file, or
/// appended to one) are each written to follow the text before them, not each other: the
/// second and later ones start with exactly one line break, so one blank line separates them.
/// `original[i]` is the point `completed[i]` was completed from (its own edit identifies the
/// declaration among the follow-ups).
fn separate_added_declarations(original: &[&DriftPoint], completed: &mut [DriftPoint]) {
    let mut line_break_at: BTreeMap<(String, usize), String> = BTreeMap::new();
    for (point, out) in original.iter().zip(completed.iter_mut()) {
        if point.kind != DriftKind::MissingType {
            continue;
        }
        let Some(own) = point.fixes.first().and_then(|f| f.edits.first()) else {
            continue;
        };
        let Some(edit) = out
            .fixes
            .first_mut()
            .and_then(|f| f.edits.iter_mut().find(|e| *e == own))
        else {
            continue;
        };
        if !edit.span.is_empty() {
            continue;
        }
        let key = (edit.path.clone(), edit.span.start);
        match line_break_at.get(&key) {
            Some(eol) => {
                let body = edit.new_text.trim_start_matches(['\r', '\n']);
                edit.new_text = format!("{eol}{body}");
            }
            None => {
                let eol = if edit.new_text.ends_with("\r\n") {
                    "\r\n"
                } else {
                    "\n"
                };
                line_break_at.insert(key, eol.to_string());
            }
        }
    }
}

/// Every file's edits apply (no overlap, in range).
fn applies(edits: &[TextEdit], side: &ImplSide) -> bool {
    edits_by_file(edits)
        .iter()
        .all(|(p, es)| apply_edits(p, side.text_of(p).unwrap_or(""), es).is_ok())
}

/// The declaration of the implementation file `path` whose name is at `at`.
fn declaration_at(file: &FileModel, at: Span) -> Option<&crate::model::Declaration> {
    file.declarations
        .values()
        .find(|d| d.name_span == at || (d.span.start <= at.start && at.end <= d.span.end))
}

fn rename_follow_ups(point: &DriftPoint, fix: &Fix, side: &ImplSide) -> Vec<TextEdit> {
    let (Some(new), Some(old), Some(loc)) = (
        point.expected.as_deref(),
        point.actual.as_deref(),
        point.implementation.as_ref(),
    ) else {
        return Vec::new();
    };
    let Some(file) = side.files.get(&loc.path) else {
        return Vec::new();
    };
    let own: Vec<Span> = fix.edits.iter().map(|e| e.span).collect();
    let mut out = Vec::new();
    match point.kind {
        DriftKind::RenamedType => {
            out.extend(refs::rename_type_uses(
                &file.path, &file.text, old, new, &own,
            ));
            for (path, specs) in side.importers(&file.path, old) {
                let Some(text) = side.text_of(path) else {
                    continue;
                };
                let aliased: Vec<&&imports::Specifier> =
                    specs.iter().filter(|s| s.aliased).collect();
                if aliased.len() == specs.len() {
                    // `{ Old as X }`: only the imported name changes.
                    out.extend(aliased.iter().map(|s| TextEdit {
                        path: path.to_string(),
                        span: s.name_span,
                        new_text: new.to_string(),
                    }));
                } else {
                    out.extend(refs::rename_type_uses(path, text, old, new, &[]));
                }
            }
        }
        DriftKind::RenamedMember => {
            let Some(decl) = declaration_at(file, loc.span) else {
                return Vec::new();
            };
            let type_name = decl.name.as_str();
            out.extend(refs::rename_member_uses(
                &file.path, &file.text, type_name, old, new, &own,
            ));
            for (path, specs) in side.importers(&file.path, type_name) {
                let Some(text) = side.text_of(path) else {
                    continue;
                };
                for s in specs {
                    out.extend(refs::rename_member_uses(
                        path,
                        text,
                        &s.local,
                        old,
                        new,
                        &[],
                    ));
                }
            }
        }
        _ => {}
    }
    out
}

/// A removed type: its imports from the declaring file go where nothing else uses them.
fn removal_follow_ups(point: &DriftPoint, side: &ImplSide) -> Vec<TextEdit> {
    if point.kind != DriftKind::ExtraType {
        return Vec::new();
    }
    let Some(loc) = point.implementation.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, specs) in side.importers(&loc.path, &point.symbol) {
        let (Some(text), Some(facts)) = (side.text_of(path), side.facts(path)) else {
            continue;
        };
        let unused: BTreeSet<String> = specs
            .iter()
            .filter(|s| facts.uses(&s.local) == 0)
            .map(|s| s.local.clone())
            .collect();
        if unused.is_empty() {
            continue;
        }
        let style = side.style_of(path, text, facts);
        out.extend(imports::import_edits(
            path,
            text,
            facts,
            &BTreeMap::new(),
            &unused,
            true,
            &style,
        ));
    }
    out
}

/// The import follow-ups of several fixes applied together to one file (`original` → `fixed`):
/// what no single fix could see (two fixes each removing one of two uses of an import). Edits
/// apply to `fixed`.
pub fn tidy_imports(
    side: &ImplSide,
    path: &str,
    original: &str,
    fixed: &str,
) -> Result<String, ApplyError> {
    let edits = import_follow_ups(side, path, original, fixed);
    let refs: Vec<&TextEdit> = edits.iter().collect();
    apply_edits(path, fixed, &refs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Side;

    fn side(files: &[(&str, &str)]) -> (ImplSide, Vec<Arc<FileModel>>) {
        let models: Vec<Arc<FileModel>> = files
            .iter()
            .map(|(p, t)| {
                Arc::new(crate::syntax::parse_file(
                    p,
                    p.trim_start_matches("src/"),
                    Side::Implementation,
                    Arc::from(*t),
                ))
            })
            .collect();
        (ImplSide::new(models.iter(), &[]), models)
    }

    #[test]
    fn insertions_naming_no_exported_type_skip_the_parse_with_the_same_needs() {
        let original = "export interface A {\n  x: string;\n}\n";
        let (s, _) = side(&[
            ("src/a.ts", original),
            ("src/m.ts", "export interface Money { amount: number }\n"),
        ]);
        let at = original.find('}').unwrap();
        let insert = |text: &str| TextEdit {
            path: "src/a.ts".into(),
            span: Span::empty_at(at),
            new_text: text.into(),
        };
        let slow = |e: &TextEdit| {
            let after = apply_edits("src/a.ts", original, &[e]).unwrap();
            let old = s.facts_of_original("src/a.ts", original);
            import_needs(&s, "src/a.ts", &old, &after).0
        };
        // No exported name: the fast path, and the same (empty) needs as parsing.
        let plain = insert("  note?: string;\n");
        assert!(cannot_change_imports(&[&plain], &s));
        assert!(slow(&plain).add.is_empty() && slow(&plain).remove.is_empty());
        // An exported name, even where it is no type reference: parsed.
        for text in ["  price?: Money;\n", "  // Money\n"] {
            assert!(!cannot_change_imports(&[&insert(text)], &s), "{text}");
        }
        assert_eq!(
            slow(&insert("  price?: Money;\n"))
                .add
                .keys()
                .collect::<Vec<_>>(),
            ["Money"]
        );
        // A replacement is never taken for one.
        let replace = TextEdit {
            span: Span::new(at - 12, at - 3),
            ..plain
        };
        assert!(!cannot_change_imports(&[&replace], &s));
    }

    #[test]
    fn a_plain_import_of_a_side_interface_makes_new_imports_plain_one_of_an_enum_does_not() {
        let (s, _) = side(&[(
            "src/a/x.ts",
            "export interface X { a: string }\nexport enum E { A = 'a' }\n",
        )]);
        let keyword = |text: &str| {
            let facts = imports::facts("src/b/y.ts", text);
            s.style_of("src/b/y.ts", text, &facts).type_keyword
        };
        assert!(!keyword(
            "import { X } from '../a/x.js';\nexport interface Y { x: X }\n"
        ));
        assert!(keyword(
            "import { E } from '../a/x.js';\nexport interface Y { e: E }\n"
        ));
        assert!(keyword(
            "import { X } from 'elsewhere';\nexport interface Y { x: X }\n"
        ));
        assert!(keyword("export interface Y { x: string }\n"));
    }

    #[test]
    fn resolves_and_writes_specifiers() {
        let (s, _) = side(&[
            ("src/a/x.ts", ""),
            ("src/a/index.ts", ""),
            ("src/b/y.ts", ""),
        ]);
        assert_eq!(s.resolve("src/b/y.ts", "../a/x.js"), Some("src/a/x.ts"));
        assert_eq!(s.resolve("src/b/y.ts", "../a"), Some("src/a/index.ts"));
        assert_eq!(s.resolve("src/b/y.ts", "../../../x"), None);
        assert_eq!(s.resolve("src/b/y.ts", "zod"), None);
        let js = Style {
            js_extension: true,
            ..Style::default()
        };
        assert_eq!(s.specifier("src/b/y.ts", "src/a/x.ts", &js), "../a/x.js");
        assert_eq!(
            s.specifier("src/a/index.ts", "src/a/x.ts", &Style::default()),
            "./x"
        );
    }

    #[test]
    fn bare_specifiers_resolve_through_tsconfig_paths_and_base_url() {
        let (s, _) = side(&[("src/domain/a/x.ts", ""), ("src/domain/b/index.ts", "")]);
        let s = s.with_paths(PathMap {
            base_url: Some("src".into()),
            paths: vec![
                (
                    "@domain/*".into(),
                    vec!["src/nowhere/*".into(), "src/domain/*".into()],
                ),
                ("#b".into(), vec!["src/domain/b".into()]),
            ],
        });
        let from = "app/main.ts";
        assert_eq!(s.resolve(from, "@domain/a/x.js"), Some("src/domain/a/x.ts"));
        assert_eq!(s.resolve(from, "@domain/a/x"), Some("src/domain/a/x.ts"));
        assert_eq!(s.resolve(from, "#b"), Some("src/domain/b/index.ts"));
        // Under `baseUrl`; and packages stay packages.
        assert_eq!(s.resolve(from, "domain/a/x"), Some("src/domain/a/x.ts"));
        assert_eq!(s.resolve(from, "zod"), None);
        assert_eq!(s.resolve(from, "@domain/../../etc/x"), None);
    }

    #[test]
    fn tidy_drops_an_import_two_fixes_emptied() {
        let original = "import type { L } from './l';\nexport interface A { a: L; b: L }\n";
        let fixed = "import type { L } from './l';\nexport interface A { }\n";
        let (s, _) = side(&[
            ("src/a.ts", original),
            ("src/l.ts", "export interface L {}\n"),
        ]);
        assert_eq!(
            tidy_imports(&s, "src/a.ts", original, fixed).unwrap(),
            "export interface A { }\n"
        );
    }
}
