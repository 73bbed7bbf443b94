//! The comparison run: matching, type-level drift, and emitting points with ids and categories.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::base::{side_shapes_of, PointKeys, ShapeBase, ThreeWay};
use super::drift_id;
use super::matching::{greedy_pairs, pair_files, type_similarity, Located, SideIndex};
use super::members::diff_members;
use super::same::same_declaration;
use crate::cascade::{categorize, CategoryFacts, Consumers};
use crate::fix::{self, Layout};
use crate::model::{
    render_type_params, Body, Declaration, Direction, DriftKind, DriftPoint, FileModel, Fix,
    Location, ShapeClass, Span, TextEdit,
};
use crate::workspace::join_rel;

/// A type found at another path of the implementation than its spec file's: information only,
/// never drift (drift-model §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub symbol: String,
    pub spec_path: String,
    pub implementation_path: String,
}

/// The result of comparing the two sides.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    pub points: Vec<DriftPoint>,
    pub moves: Vec<Move>,
}

/// A drift point before its direction, category and ids are decided.
pub(super) struct Draft {
    pub kind: DriftKind,
    pub symbol: String,
    pub member: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub spec: Option<Location>,
    pub implementation: Option<Location>,
    pub message: String,
    /// (action, title, edits, creates file)
    pub fixes: Vec<(&'static str, String, Vec<TextEdit>, bool)>,
    /// `missing-member` of an optional or deprecated member: adding it is clean.
    pub additive_member: bool,
}

impl Draft {
    pub fn new(kind: DriftKind, symbol: &str, message: String) -> Draft {
        Draft {
            kind,
            symbol: symbol.to_string(),
            member: None,
            expected: None,
            actual: None,
            spec: None,
            implementation: None,
            message,
            fixes: Vec::new(),
            additive_member: false,
        }
    }

    /// The item the draft is about, on each side (what its direction is decided by).
    fn keys(&self) -> PointKeys<'_> {
        PointKeys::of(
            self.kind,
            &self.symbol,
            self.member.as_deref(),
            self.actual.as_deref(),
        )
    }

    /// Locates the point at both declarations' names.
    pub fn locate_declarations(&mut self, s: Located<'_>, i: Located<'_>) {
        self.spec = Some(loc(s.file, s.decl.name_span));
        self.implementation = Some(loc(i.file, i.decl.name_span));
    }

    pub fn fix(mut self, action: &'static str, title: String, edits: Vec<TextEdit>) -> Draft {
        if !edits.is_empty() {
            self.fixes.push((action, title, edits, false));
        }
        self
    }
}

/// Collects drafts; [`Emitter::finish`] decides their direction (no base: drift-model §5
/// defaults), category and ids.
pub(super) struct Emitter<'c> {
    consumers: &'c Consumers,
    drafts: Vec<Draft>,
    /// Layout facts per file (by address: the files outlive the comparison).
    layouts: HashMap<*const FileModel, fix::LayoutFacts>,
}

impl<'c> Emitter<'c> {
    /// The edit layout of `file`, its facts computed on the first point of the file.
    pub fn layout<'f>(&mut self, file: &'f FileModel) -> Layout<'f> {
        let facts = self
            .layouts
            .entry(file as *const FileModel)
            .or_insert_with(|| fix::LayoutFacts::of(&file.text));
        Layout::with_facts(file, facts)
    }

    pub fn emit(&mut self, d: Draft) {
        self.drafts.push(d);
    }

    /// The drift points of the drafts. With a base, directions are decided three-way; the
    /// current shapes are computed only for the declarations a draft is about (hashing every
    /// member of both sides was a sixth of a warm check, for the few that drifted).
    fn finish(
        self,
        spec: &[Arc<FileModel>],
        implementation: &[Arc<FileModel>],
        base: Option<&ShapeBase>,
    ) -> Vec<DriftPoint> {
        let now = base.map(|_| {
            let (mut spec_names, mut impl_names) = (BTreeSet::new(), BTreeSet::new());
            for d in &self.drafts {
                let k = d.keys();
                spec_names.insert(k.spec.0);
                impl_names.insert(k.implementation.0);
            }
            (
                side_shapes_of(spec, &spec_names),
                side_shapes_of(implementation, &impl_names),
            )
        });
        let three_way = base
            .zip(now.as_ref())
            .map(|(base, (spec_now, impl_now))| ThreeWay {
                base,
                spec_now,
                impl_now,
            });
        let consumers = self.consumers;
        self.drafts
            .into_iter()
            .map(|d| {
                let direction = draft_direction(&d, three_way.as_ref());
                point_of(d, direction, consumers)
            })
            .collect()
    }
}

fn draft_direction(d: &Draft, three_way: Option<&ThreeWay<'_>>) -> Direction {
    let default = match d.kind {
        DriftKind::ExtraType | DriftKind::ExtraMember => Direction::ImplAhead,
        _ => Direction::SpecAhead,
    };
    match three_way {
        Some(tw) => tw.direction(&d.keys(), default),
        None => default,
    }
}

fn point_of(d: Draft, direction: Direction, consumers: &Consumers) -> DriftPoint {
    let category = categorize(
        CategoryFacts {
            kind: d.kind,
            direction,
            symbol: &d.symbol,
            additive_member: d.additive_member,
        },
        consumers,
    );
    let id = drift_id(
        d.kind.as_str(),
        d.spec.as_ref().map(|l| l.path.as_str()),
        d.implementation.as_ref().map(|l| l.path.as_str()),
        &d.symbol,
        d.member.as_deref(),
        d.expected.as_deref(),
        d.actual.as_deref(),
    );
    let fixes = d
        .fixes
        .into_iter()
        .map(|(action, title, edits, creates_file)| Fix {
            id: format!("{id}:{action}"),
            title,
            edits,
            creates_file,
        })
        .collect();
    DriftPoint {
        id,
        kind: d.kind,
        direction,
        category,
        symbol: d.symbol,
        member: d.member,
        expected: d.expected,
        actual: d.actual,
        spec: d.spec,
        implementation: d.implementation,
        message: d.message,
        fixes,
    }
}

pub(super) fn loc(file: &FileModel, span: Span) -> Location {
    Location {
        path: file.path.clone(),
        span,
    }
}

/// Compares the spec side with the implementation side. `implementation_dir` (root-relative) is
/// where a missing type's new file goes when its spec file has no implementation partner.
pub fn compare(
    spec: &[Arc<FileModel>],
    implementation: &[Arc<FileModel>],
    consumers: &Consumers,
    implementation_dir: &str,
) -> Comparison {
    compare_with_base(spec, implementation, consumers, None, implementation_dir)
}

/// [`compare`] with a recorded base: directions are decided three-way against it.
pub fn compare_with_base(
    spec: &[Arc<FileModel>],
    implementation: &[Arc<FileModel>],
    consumers: &Consumers,
    base: Option<&ShapeBase>,
    implementation_dir: &str,
) -> Comparison {
    let spec_index = SideIndex::build(spec);
    let impl_index = SideIndex::build(implementation);
    let pairing = pair_files(spec, implementation, &impl_index);
    let mut emitter = Emitter {
        consumers,
        drafts: Vec::new(),
        layouts: HashMap::new(),
    };
    let mut moves = Vec::new();

    let mut missing: Vec<Located<'_>> = Vec::new();
    let mut matched_impl: BTreeSet<(String, String)> = BTreeSet::new();
    for (name, spec_decls) in &spec_index.by_name {
        // A name declared in several spec files: the first (by path) is the spec's.
        let Some(s) = spec_decls.first().copied() else {
            continue;
        };
        match impl_index.pick(name, &s.file.side_path) {
            Some(i) => {
                matched_impl.insert((i.file.path.clone(), name.to_string()));
                if i.file.side_path != s.file.side_path {
                    moves.push(Move {
                        symbol: name.to_string(),
                        spec_path: s.file.path.clone(),
                        implementation_path: i.file.path.clone(),
                    });
                }
                diff_pair(&mut emitter, s, i, name);
            }
            None => missing.push(s),
        }
    }
    // Names matched anywhere are not extra in other files either.
    let matched_names: BTreeSet<&str> = spec_index.by_name.keys().copied().collect();
    let mut extra: Vec<Located<'_>> = implementation
        .iter()
        .filter(|f| pairing.domain.contains(&f.path))
        .flat_map(|f| {
            f.declarations
                .values()
                .map(move |decl| Located { file: f, decl })
        })
        .filter(|l| !matched_names.contains(l.decl.name.as_str()))
        .collect();

    let renames = pair_renames(&missing, &extra, &pairing.pairs);
    let (renamed_spec, renamed_impl): (BTreeSet<usize>, BTreeSet<usize>) =
        renames.iter().copied().unzip();
    for (si, ii) in &renames {
        let (s, i) = (missing[*si], extra[*ii]);
        emit_renamed_type(&mut emitter, s, i);
        diff_pair(&mut emitter, s, i, &s.decl.name);
    }
    let mut kept = Vec::new();
    for (idx, s) in missing.drain(..).enumerate() {
        if !renamed_spec.contains(&idx) {
            kept.push(s);
        }
    }
    for s in kept {
        emit_missing_type(
            &mut emitter,
            s,
            &pairing,
            implementation,
            implementation_dir,
        );
    }
    let extras: Vec<Located<'_>> = extra
        .drain(..)
        .enumerate()
        .filter(|(idx, _)| !renamed_impl.contains(idx))
        .map(|(_, l)| l)
        .collect();
    for i in extras {
        emit_extra_type(&mut emitter, i);
    }

    let mut points = emitter.finish(spec, implementation, base);
    points.sort_by_key(sort_key);
    Comparison { points, moves }
}

/// Sorts points in drift-model §8 order (what [`compare`] returns): for callers that merge
/// the points of several comparisons.
pub fn sort_points(points: &mut [DriftPoint]) {
    points.sort_by_cached_key(sort_key);
}

/// Drift-model §8 order; points at the same place follow the spec's order (so that fixes inserted
/// at one place keep the spec's member order).
fn sort_key(p: &DriftPoint) -> (String, usize, DriftKind, usize, String) {
    let (path, at) = p
        .primary_location()
        .map(|l| (l.path.clone(), l.span.start))
        .unwrap_or_default();
    let spec_at = p.spec.as_ref().map(|l| l.span.start).unwrap_or(0);
    (path, at, p.kind, spec_at, p.id.clone())
}

/// Renames between left-over spec types and left-over implementation types of paired files.
fn pair_renames(
    missing: &[Located<'_>],
    extra: &[Located<'_>],
    pairs: &std::collections::BTreeMap<String, BTreeSet<String>>,
) -> Vec<(usize, usize)> {
    let mut scores = Vec::new();
    for (si, s) in missing.iter().enumerate() {
        let Some(paired) = pairs.get(&s.file.path) else {
            continue;
        };
        for (ii, i) in extra.iter().enumerate() {
            if !paired.contains(&i.file.path) {
                continue;
            }
            if let Some(score) = type_similarity(s.decl, i.decl) {
                scores.push((score, si, ii));
            }
        }
    }
    greedy_pairs(scores)
}

fn emit_renamed_type(em: &mut Emitter<'_>, s: Located<'_>, i: Located<'_>) {
    let layout = em.layout(i.file);
    let mut d = Draft::new(
        DriftKind::RenamedType,
        &s.decl.name,
        format!(
            "`{}` here looks like the spec's `{}` renamed",
            i.decl.name, s.decl.name
        ),
    )
    .fix(
        "rename",
        format!("Rename `{}` to `{}`", i.decl.name, s.decl.name),
        vec![fix::rename(&layout, i.decl.name_span, &s.decl.name)],
    );
    d.expected = Some(s.decl.name.clone());
    d.actual = Some(i.decl.name.clone());
    d.locate_declarations(s, i);
    em.emit(d);
}

fn emit_missing_type(
    em: &mut Emitter<'_>,
    s: Located<'_>,
    pairing: &super::matching::Pairing,
    implementation: &[Arc<FileModel>],
    implementation_dir: &str,
) {
    let same_path = join_rel(implementation_dir, &s.file.side_path);
    let paired = pairing.pairs.get(&s.file.path);
    // The file at the same relative path, else the paired file holding most of this spec file's types.
    let target_path = paired
        .and_then(|p| {
            p.get(&same_path)
                .cloned()
                .or_else(|| p.iter().next().cloned())
        })
        .unwrap_or(same_path.clone());
    let target = implementation.iter().find(|f| f.path == target_path);
    let layout = target.map(|f| em.layout(f));
    let edit = fix::add_declaration(s.file, s.decl, layout.as_ref(), &target_path);
    let mut d = Draft::new(
        DriftKind::MissingType,
        &s.decl.name,
        format!(
            "`{}` ({}) is in the spec but not in the implementation",
            s.decl.name,
            s.decl.kind.label()
        ),
    );
    let title = format!("Add `{}` to {}", s.decl.name, target_path);
    d.fixes
        .push(("add-type", title, vec![edit], target.is_none()));
    d.spec = Some(loc(s.file, s.decl.name_span));
    // Shown at the top of the paired implementation file when there is one.
    d.implementation = target.map(|f| loc(f, Span::empty_at(0)));
    em.emit(d);
}

fn emit_extra_type(em: &mut Emitter<'_>, i: Located<'_>) {
    let layout = em.layout(i.file);
    let mut d = Draft::new(
        DriftKind::ExtraType,
        &i.decl.name,
        format!(
            "`{}` ({}) is in the implementation but not in the spec",
            i.decl.name,
            i.decl.kind.label()
        ),
    )
    .fix(
        "remove-type",
        format!("Remove `{}` from the implementation", i.decl.name),
        vec![fix::remove_declaration(&layout, i.decl)],
    );
    d.implementation = Some(loc(i.file, i.decl.name_span));
    em.emit(d);
}

/// Type-level comparison of a matched pair, then its members.
fn diff_pair(em: &mut Emitter<'_>, s: Located<'_>, i: Located<'_>, symbol: &str) {
    // Most pairs agree: nothing to diff (and no file layout to learn).
    if same_declaration(s.decl, i.decl) {
        return;
    }
    let (sc, ic) = (s.decl.kind.shape_class(), i.decl.kind.shape_class());
    if sc != ic {
        emit_changed_kind(em, s, i, symbol);
        return;
    }
    diff_type_params(em, s, i, symbol);
    diff_heritage(em, s, i, symbol);
    match (&s.decl.body, &i.decl.body) {
        // Two unions, or a union and a single type: member by member. Two single types that
        // differ are one `changed-type` of the whole right-hand side.
        (
            Body::Alias {
                union: Some(su), ..
            },
            Body::Alias {
                union: Some(iu), ..
            },
        ) if su.len() > 1 || iu.len() > 1 => {
            diff_members(em, s, i, symbol, su, iu);
        }
        (
            Body::Alias {
                ty: st,
                rhs_span: s_rhs,
                ..
            },
            Body::Alias {
                ty: it,
                rhs_span: i_rhs,
                ..
            },
        ) => {
            if st != it {
                let layout = em.layout(i.file);
                let new_text = fix::spec_text(s.file, *s_rhs);
                let mut d = Draft::new(
                    DriftKind::ChangedType,
                    symbol,
                    format!("{symbol} is `{it}` here but `{st}` in the spec"),
                )
                .fix(
                    "change-type",
                    format!("Change {symbol} to `{st}`"),
                    vec![fix::replace(&layout, *i_rhs, &new_text)],
                );
                d.expected = Some(st.clone());
                d.actual = Some(it.clone());
                d.locate_declarations(s, i);
                em.emit(d);
            }
        }
        _ if sc == ShapeClass::Alias => {}
        _ => diff_members(em, s, i, symbol, s.decl.members(), i.decl.members()),
    }
}

fn emit_changed_kind(em: &mut Emitter<'_>, s: Located<'_>, i: Located<'_>, symbol: &str) {
    let layout = em.layout(i.file);
    let (sk, ik) = (s.decl.kind.label(), i.decl.kind.label());
    let spec_text = fix::spec_text(s.file, s.decl.span);
    let impl_span = Span::new(i.decl.span.start, i.decl.span.end);
    let mut d = Draft::new(
        DriftKind::ChangedKind,
        symbol,
        format!(
            "`{symbol}` is {} {ik} here but {} {sk} in the spec",
            article(ik),
            article(sk)
        ),
    )
    .fix(
        "replace-declaration",
        format!("Replace `{symbol}` with the spec's {sk}"),
        vec![fix::replace(&layout, impl_span, &spec_text)],
    );
    d.expected = Some(sk.to_string());
    d.actual = Some(ik.to_string());
    d.locate_declarations(s, i);
    em.emit(d);
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn diff_type_params(em: &mut Emitter<'_>, s: Located<'_>, i: Located<'_>, symbol: &str) {
    let (st, it) = (
        render_type_params(&s.decl.type_params),
        render_type_params(&i.decl.type_params),
    );
    if st == it {
        return;
    }
    let layout = em.layout(i.file);
    let spec_text = s
        .decl
        .type_params_span
        .map(|sp| fix::spec_text(s.file, sp))
        .unwrap_or_default();
    let edit = match i.decl.type_params_span {
        Some(span) => fix::replace(&layout, span, &spec_text),
        None => fix::replace(&layout, Span::empty_at(i.decl.name_span.end), &spec_text),
    };
    let shown = |t: &str| quoted_or(t, "none");
    let mut d = Draft::new(
        DriftKind::ChangedGenerics,
        symbol,
        format!(
            "{symbol} has type parameters {} here but {} in the spec",
            shown(&it),
            shown(&st)
        ),
    )
    .fix(
        "change-type-parameters",
        format!("Use the spec's type parameters {}", shown(&st)),
        vec![edit],
    );
    d.expected = (!st.is_empty()).then_some(st);
    d.actual = (!it.is_empty()).then_some(it);
    d.locate_declarations(s, i);
    em.emit(d);
}

/// `extends`/`implements` lists; a class that `implements` what the spec interface `extends` agrees.
fn diff_heritage(em: &mut Emitter<'_>, s: Located<'_>, i: Located<'_>, symbol: &str) {
    let as_contract = |d: &Declaration| -> Vec<String> {
        let mut v: Vec<String> = d
            .heritage
            .iter()
            .map(|h| {
                h.strip_prefix("implements ")
                    .map(|t| format!("extends {t}"))
                    .unwrap_or(h.clone())
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let (sh, ih) = if s.decl.kind == i.decl.kind {
        (s.decl.heritage.clone(), i.decl.heritage.clone())
    } else {
        (as_contract(s.decl), as_contract(i.decl))
    };
    if sh == ih {
        return;
    }
    let (st, it) = (sh.join(", "), ih.join(", "));
    let shown = |t: &str| quoted_or(t, "nothing");
    let mut d = Draft::new(
        DriftKind::ChangedGenerics,
        symbol,
        format!(
            "{symbol} {} here but {} in the spec",
            heritage_phrase(&it),
            shown(&st)
        ),
    );
    if s.decl.kind == i.decl.kind {
        let layout = em.layout(i.file);
        let spec_text = s
            .decl
            .heritage_span
            .map(|sp| fix::spec_text(s.file, sp))
            .unwrap_or_default();
        let edit = match i.decl.heritage_span {
            Some(span) if spec_text.is_empty() => {
                // Drop the clause and the space before it.
                let text: &str = &i.file.text;
                let start = text[..span.start].trim_end().len();
                fix::replace(&layout, Span::new(start, span.end), "")
            }
            Some(span) => fix::replace(&layout, span, &spec_text),
            None => {
                let after = i
                    .decl
                    .type_params_span
                    .map(|t| t.end)
                    .unwrap_or(i.decl.name_span.end);
                fix::replace(&layout, Span::empty_at(after), &format!(" {spec_text}"))
            }
        };
        d = d.fix(
            "change-heritage",
            format!("Use the spec's heritage {}", shown(&st)),
            vec![edit],
        );
    }
    d.expected = (!st.is_empty()).then_some(st);
    d.actual = (!it.is_empty()).then_some(it);
    d.locate_declarations(s, i);
    em.emit(d);
}

fn heritage_phrase(h: &str) -> String {
    if h.is_empty() {
        "has no extends/implements".to_string()
    } else {
        format!("has `{h}`")
    }
}

/// `` `t` ``, or `empty` when `t` is empty.
fn quoted_or(t: &str, empty: &str) -> String {
    if t.is_empty() {
        empty.to_string()
    } else {
        format!("`{t}`")
    }
}
