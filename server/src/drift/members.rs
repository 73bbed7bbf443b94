//! Member-level comparison of a matched pair: missing, extra, renamed and changed members.

use std::collections::{HashMap, HashSet};

use super::compare::{loc, Draft, Emitter};
use super::matching::{greedy_pairs, member_similarity, Located};
use crate::fix::{self, Layout};
use crate::model::{DriftKind, Member, MemberShape, Span};
use crate::syntax::render_member;

/// Compares the members of a matched pair (object members, enum members or union members).
pub(super) fn diff_members(
    em: &mut Emitter<'_>,
    s: Located<'_>,
    i: Located<'_>,
    symbol: &str,
    spec_members: &[Member],
    impl_members: &[Member],
) {
    let layout = em.layout(i.file);
    // Pairing by name through maps: a linear scan per member was quadratic in wide types.
    let impl_by_name: HashMap<&str, &Member> = unique(impl_members)
        .into_iter()
        .map(|m| (m.name.as_str(), m))
        .collect();
    let spec_names: HashSet<&str> = spec_members.iter().map(|m| m.name.as_str()).collect();
    let mut missing: Vec<&Member> = Vec::new();
    for sm in unique(spec_members) {
        match impl_by_name.get(sm.name.as_str()) {
            Some(im) => compare_member(em, s, i, &layout, symbol, sm, im),
            None => missing.push(sm),
        }
    }
    let extra: Vec<&Member> = unique(impl_members)
        .into_iter()
        .filter(|im| !spec_names.contains(im.name.as_str()))
        .collect();

    let renames = greedy_pairs(rename_candidates(&missing, &extra));
    for (a, b) in &renames {
        emit_renamed(em, s, i, &layout, symbol, missing[*a], extra[*b]);
    }
    let renamed_missing: HashSet<usize> = renames.iter().map(|r| r.0).collect();
    let renamed_extra: HashSet<usize> = renames.iter().map(|r| r.1).collect();
    for (idx, sm) in missing.iter().enumerate() {
        if !renamed_missing.contains(&idx) {
            emit_missing(em, s, i, &layout, symbol, sm);
        }
    }
    for (idx, im) in extra.iter().enumerate() {
        if !renamed_extra.contains(&idx) {
            emit_extra(em, s, i, &layout, symbol, im);
        }
    }
}

/// Scored (missing, extra) pairs that may be renames. Only members of the same shape can pair
/// (`member_similarity` refuses others), so candidates are bucketed by shape first. A bucket of
/// up to [`FULL_PAIRING`] pairs is scored in full; a larger one (a mass rename) compares each
/// missing member only with the extra members near its relative position, [`RENAME_WINDOW`]
/// on each side: renamed members keep their place, and the work stays linear.
fn rename_candidates(missing: &[&Member], extra: &[&Member]) -> Vec<(f64, usize, usize)> {
    let shape = |m: &Member| (m.shape.label(), m.shape.type_text());
    let mut buckets: HashMap<_, (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (a, m) in missing.iter().enumerate() {
        buckets.entry(shape(m)).or_default().0.push(a);
    }
    for (b, m) in extra.iter().enumerate() {
        if let Some(bucket) = buckets.get_mut(&shape(m)) {
            bucket.1.push(b);
        }
    }
    let mut scores = Vec::new();
    for (left, right) in buckets.values() {
        if right.is_empty() {
            continue;
        }
        let full = left.len().saturating_mul(right.len()) <= FULL_PAIRING;
        for (k, &a) in left.iter().enumerate() {
            let range = if full {
                0..right.len()
            } else {
                let centre = k * right.len() / left.len();
                centre.saturating_sub(RENAME_WINDOW)..(centre + RENAME_WINDOW + 1).min(right.len())
            };
            for &b in &right[range] {
                if let Some(score) = member_similarity(missing[a], extra[b]) {
                    scores.push((score, a, b));
                }
            }
        }
    }
    scores
}

/// Above this many candidate pairs in one shape bucket, rename pairing is windowed.
const FULL_PAIRING: usize = 250_000;
/// Extra members compared on each side of a missing member's relative position.
const RENAME_WINDOW: usize = 16;

/// The first member of each name (overloads are already folded by extraction).
fn unique(members: &[Member]) -> Vec<&Member> {
    let mut seen = std::collections::HashSet::new();
    members
        .iter()
        .filter(|m| seen.insert(m.name.as_str()))
        .collect()
}

fn draft_for(
    kind: DriftKind,
    s: Located<'_>,
    i: Located<'_>,
    symbol: &str,
    sm: Option<&Member>,
    im: Option<&Member>,
    message: String,
) -> Draft {
    let mut d = Draft::new(kind, symbol, message);
    d.member = sm.or(im).map(|m| m.name.clone());
    d.spec = Some(loc(
        s.file,
        sm.map(|m| m.name_span).unwrap_or(s.decl.name_span),
    ));
    d.implementation = Some(loc(
        i.file,
        im.map(|m| m.name_span).unwrap_or(i.decl.name_span),
    ));
    d
}

fn emit_missing(
    em: &mut Emitter<'_>,
    s: Located<'_>,
    i: Located<'_>,
    layout: &Layout<'_>,
    symbol: &str,
    sm: &Member,
) {
    let what = sm.shape.label();
    let optional = sm.optional && matches!(sm.shape, MemberShape::Property { .. });
    let describe = if optional {
        format!("optional {what}")
    } else {
        what.to_string()
    };
    let edits = match &sm.shape {
        MemberShape::UnionMember => {
            let text = fix::spec_text(s.file, sm.span);
            fix::add_union_member(layout, i.decl, &text)
                .into_iter()
                .collect()
        }
        _ => fix::add_member(&em.layout(s.file), sm, layout, i.decl),
    };
    let mut d = draft_for(
        DriftKind::MissingMember,
        s,
        i,
        symbol,
        Some(sm),
        None,
        format!(
            "{symbol}.{} ({describe}) is in the spec but missing here",
            sm.name
        ),
    )
    .fix(
        "add-member",
        format!("Add {symbol}.{} from the spec", sm.name),
        edits,
    );
    d.implementation = Some(loc(i.file, i.decl.name_span));
    d.expected = member_type(sm);
    d.additive_member = optional || sm.deprecated.is_some();
    em.emit(d);
}

fn emit_extra(
    em: &mut Emitter<'_>,
    s: Located<'_>,
    i: Located<'_>,
    layout: &Layout<'_>,
    symbol: &str,
    im: &Member,
) {
    let edit = match im.shape {
        MemberShape::UnionMember => fix::remove_union_member(layout, im),
        _ => fix::remove_member(layout, im),
    };
    let mut d = draft_for(
        DriftKind::ExtraMember,
        s,
        i,
        symbol,
        None,
        Some(im),
        format!(
            "{symbol}.{} ({}) is here but not in the spec",
            im.name,
            im.shape.label()
        ),
    )
    .fix(
        "remove-member",
        format!("Remove {symbol}.{}", im.name),
        vec![edit],
    );
    d.spec = Some(loc(s.file, s.decl.name_span));
    d.actual = member_type(im);
    em.emit(d);
}

fn emit_renamed(
    em: &mut Emitter<'_>,
    s: Located<'_>,
    i: Located<'_>,
    layout: &Layout<'_>,
    symbol: &str,
    sm: &Member,
    im: &Member,
) {
    let mut d = draft_for(
        DriftKind::RenamedMember,
        s,
        i,
        symbol,
        Some(sm),
        Some(im),
        format!(
            "{symbol}.{} here looks like the spec's {symbol}.{} renamed",
            im.name, sm.name
        ),
    )
    .fix(
        "rename-member",
        format!("Rename {symbol}.{} to `{}`", im.name, sm.name),
        vec![fix::rename(layout, im.name_span, &sm.name)],
    );
    d.expected = Some(sm.name.clone());
    d.actual = Some(im.name.clone());
    em.emit(d);
}

fn member_type(m: &Member) -> Option<String> {
    match &m.shape {
        MemberShape::UnionMember => None,
        _ => Some(render_member(m)),
    }
}

/// A method `m(x: A): B` and a function-typed property `m: (x: A) => B` are the same member
/// (docs/drift-kinds.md: TypeScript checks them alike, apart from method parameter bivariance).
fn same_callable(a: &MemberShape, b: &MemberShape) -> bool {
    let one = |p: &MemberShape, m: &MemberShape| match (p, m) {
        (MemberShape::Property { ty: Some(ty) }, MemberShape::Method { signatures }) => {
            matches!(signatures.as_slice(), [sig] if sig.ret.is_some() && sig.render() == *ty)
        }
        _ => false,
    };
    one(a, b) || one(b, a)
}

fn compare_member(
    em: &mut Emitter<'_>,
    s: Located<'_>,
    i: Located<'_>,
    layout: &Layout<'_>,
    symbol: &str,
    sm: &Member,
    im: &Member,
) {
    let name = &sm.name;
    let same_kind = std::mem::discriminant(&sm.shape) == std::mem::discriminant(&im.shape)
        || same_callable(&sm.shape, &im.shape);
    if !same_kind {
        let (st, it) = (render_member(sm), render_member(im));
        let new_text = fix::spec_text(s.file, sm.decl_span);
        let mut d = draft_for(
            DriftKind::ChangedType,
            s,
            i,
            symbol,
            Some(sm),
            Some(im),
            format!(
                "{symbol}.{name} is a {} `{it}` here but a {} `{st}` in the spec",
                im.shape.label(),
                sm.shape.label()
            ),
        )
        .fix(
            "change-type",
            format!(
                "Replace {symbol}.{name} with the spec's {}",
                sm.shape.label()
            ),
            vec![fix::replace(layout, im.decl_span, &new_text)],
        );
        d.expected = Some(st);
        d.actual = Some(it);
        em.emit(d);
        return;
    }
    match (&sm.shape, &im.shape) {
        (MemberShape::Method { signatures: ss }, MemberShape::Method { signatures: is }) => {
            compare_signatures(
                em,
                s,
                i,
                layout,
                symbol,
                sm,
                im,
                ss.len() == 1 && is.len() == 1,
            );
        }
        (MemberShape::Call { .. }, MemberShape::Call { .. }) => {
            compare_signatures(em, s, i, layout, symbol, sm, im, true)
        }
        (MemberShape::EnumMember { value: sv }, MemberShape::EnumMember { value: iv }) => {
            if sv != iv {
                if let Some(sv) = sv {
                    let spec_value = sm
                        .type_span
                        .map(|sp| fix::spec_text(s.file, sp))
                        .unwrap_or(sv.clone());
                    emit_changed_type(
                        em,
                        s,
                        i,
                        symbol,
                        sm,
                        im,
                        sv,
                        iv.as_deref().unwrap_or("a computed value"),
                        fix::set_enum_value(layout, im, &spec_value),
                    );
                }
            }
        }
        (MemberShape::UnionMember, MemberShape::UnionMember) => {}
        _ => {
            let (st, it) = (sm.shape.type_text(), im.shape.type_text());
            // An implementation property without annotation is inferred: not compared.
            if let (Some(st), Some(it)) = (st, it) {
                if st != it {
                    let edit = match (sm.type_span, im.type_span) {
                        (Some(ss), Some(is)) => {
                            Some(fix::replace(layout, is, &fix::spec_text(s.file, ss)))
                        }
                        _ => None,
                    };
                    emit_changed_type_opt(em, s, i, symbol, sm, im, &st, &it, edit);
                }
            }
        }
    }
    if sm.optional != im.optional
        && !matches!(
            sm.shape,
            MemberShape::EnumMember { .. } | MemberShape::UnionMember
        )
    {
        let word = |o: bool| if o { "optional" } else { "required" };
        let mut d = draft_for(
            DriftKind::ChangedOptionality,
            s,
            i,
            symbol,
            Some(sm),
            Some(im),
            format!(
                "{symbol}.{name} is {} here but {} in the spec",
                word(im.optional),
                word(sm.optional)
            ),
        );
        if let Some(edit) = fix::set_optional(layout, im, sm.optional) {
            d = d.fix(
                "set-optionality",
                format!("Make {symbol}.{name} {}", word(sm.optional)),
                vec![edit],
            );
        }
        d.expected = Some(render_member(sm));
        d.actual = Some(render_member(im));
        em.emit(d);
    }
    let readonly_applies = matches!(
        sm.shape,
        MemberShape::Property { .. } | MemberShape::Index { .. }
    );
    if readonly_applies && sm.readonly != im.readonly {
        let word = |r: bool| if r { "readonly" } else { "mutable" };
        let mut d = draft_for(
            DriftKind::ChangedReadonly,
            s,
            i,
            symbol,
            Some(sm),
            Some(im),
            format!(
                "{symbol}.{name} is {} here but {} in the spec",
                word(im.readonly),
                word(sm.readonly)
            ),
        );
        // A getter is readonly without a keyword: nothing to edit there.
        if let Some(edit) = fix::set_readonly(layout, im, sm.readonly)
            .filter(|_| !(im.has_body && im.readonly_span.is_none() && im.readonly))
        {
            d = d.fix(
                "set-readonly",
                format!("Make {symbol}.{name} {}", word(sm.readonly)),
                vec![edit],
            );
        }
        d.expected = Some(render_member(sm));
        d.actual = Some(render_member(im));
        em.emit(d);
    }
}

#[allow(clippy::too_many_arguments)]
fn compare_signatures(
    em: &mut Emitter<'_>,
    s: Located<'_>,
    i: Located<'_>,
    layout: &Layout<'_>,
    symbol: &str,
    sm: &Member,
    im: &Member,
    fixable: bool,
) {
    let (st, it) = (
        sm.shape.type_text().unwrap_or_default(),
        im.shape.type_text().unwrap_or_default(),
    );
    if st == it {
        return;
    }
    let name = &sm.name;
    let mut d = draft_for(
        DriftKind::ChangedSignature,
        s,
        i,
        symbol,
        Some(sm),
        Some(im),
        format!("{symbol}.{name} is `{it}` here but `{st}` in the spec"),
    );
    if let (true, Some(ss), Some(is)) = (fixable, sm.type_span, im.type_span) {
        d = d.fix(
            "change-signature",
            format!("Change {symbol}.{name} to the spec's signature"),
            vec![fix::replace(layout, is, &fix::spec_text(s.file, ss))],
        );
    }
    d.expected = Some(st);
    d.actual = Some(it);
    em.emit(d);
}

#[allow(clippy::too_many_arguments)]
fn emit_changed_type(
    em: &mut Emitter<'_>,
    s: Located<'_>,
    i: Located<'_>,
    symbol: &str,
    sm: &Member,
    im: &Member,
    st: &str,
    it: &str,
    edit: crate::model::TextEdit,
) {
    emit_changed_type_opt(em, s, i, symbol, sm, im, st, it, Some(edit));
}

#[allow(clippy::too_many_arguments)]
fn emit_changed_type_opt(
    em: &mut Emitter<'_>,
    s: Located<'_>,
    i: Located<'_>,
    symbol: &str,
    sm: &Member,
    im: &Member,
    st: &str,
    it: &str,
    edit: Option<crate::model::TextEdit>,
) {
    let name = &sm.name;
    let mut d = draft_for(
        DriftKind::ChangedType,
        s,
        i,
        symbol,
        Some(sm),
        Some(im),
        format!("{symbol}.{name} is `{it}` here but `{st}` in the spec"),
    );
    if let Some(edit) = edit {
        d = d.fix(
            "change-type",
            format!("Change {symbol}.{name} to `{st}`"),
            vec![edit],
        );
    }
    d.expected = Some(st.to_string());
    d.actual = Some(it.to_string());
    // Point at the type, where the fix edits.
    if let Some(ts) = im.type_span {
        d.implementation = Some(loc(i.file, Span::new(ts.start, ts.end)));
    }
    em.emit(d);
}
