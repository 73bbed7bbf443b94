//! Three-way direction (drift-model §5): the shapes both sides had when they last agreed.
//!
//! A *shape digest* is a short hash of the normalised form of one item: a declaration's header
//! (kind, type parameters, heritage, alias right-hand side) or one member. The base records, per
//! side, the digests at the last sync; comparing a drift point's item now against the base tells
//! which side moved. Plain data, no I/O: `state::` persists it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::support::digest::digest_parts as digest;
use serde::{Deserialize, Serialize};

use crate::model::{
    render_type_params, Body, Declaration, Direction, DriftKind, DriftPoint, FileModel, Member,
};

/// The digests of one declaration: its header and each member by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclShape {
    pub header: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub members: BTreeMap<String, String>,
}

/// Every declaration of one side by name (the first file by path wins, as in matching).
pub type SideShapes = BTreeMap<String, DeclShape>;

/// What one item looked like on both sides: `(symbol, member)` keys.
pub type ItemKey = (String, Option<String>);

/// The base: both sides' shapes when they last agreed, item by item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShapeBase {
    pub spec: SideShapes,
    pub implementation: SideShapes,
    /// Items that were already in drift when the first base was recorded: there is no agreed
    /// shape for them, so their direction falls back to the defaults.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub unknown: BTreeSet<ItemKey>,
}

/// The digests of every declaration of one side's files. The digests are computed in
/// parallel (hashing every member of 8,000 files on one thread was a sixth of a warm check);
/// the first file by path still wins.
pub fn side_shapes(files: &[Arc<FileModel>]) -> SideShapes {
    shapes_where(files, &|_| true)
}

/// [`side_shapes`] of the declarations named in `names` only (what deciding the directions of
/// a check's drift points needs).
pub fn side_shapes_of(files: &[Arc<FileModel>], names: &BTreeSet<&str>) -> SideShapes {
    if names.is_empty() {
        return SideShapes::new();
    }
    shapes_where(files, &|name| names.contains(name))
}

fn shapes_where(files: &[Arc<FileModel>], wanted: &(dyn Fn(&str) -> bool + Sync)) -> SideShapes {
    use rayon::prelude::*;
    let mut sorted: Vec<&Arc<FileModel>> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let per_file: Vec<Vec<(&String, DeclShape)>> = sorted
        .par_iter()
        .map(|file| {
            file.declarations
                .iter()
                .filter(|(name, _)| wanted(name))
                .map(|(name, decl)| (name, decl_shape(decl)))
                .collect()
        })
        .collect();
    let mut out = SideShapes::new();
    for (name, shape) in per_file.into_iter().flatten() {
        out.entry(name.clone()).or_insert(shape);
    }
    out
}

fn decl_shape(decl: &Declaration) -> DeclShape {
    let alias = match &decl.body {
        Body::Alias { ty, .. } => ty.as_str(),
        _ => "",
    };
    let header = digest(&[
        decl.kind.label(),
        &render_type_params(&decl.type_params),
        &decl.heritage.join(","),
        alias,
    ]);
    let members = decl
        .members()
        .iter()
        .map(|m| (m.name.clone(), member_digest(m)))
        .collect();
    DeclShape { header, members }
}

fn member_digest(m: &Member) -> String {
    let ty = m.shape.type_text().unwrap_or_default();
    let flags = format!("{}{}", u8::from(m.optional), u8::from(m.readonly));
    digest(&[
        m.shape.label(),
        &ty,
        &flags,
        m.deprecated.as_deref().unwrap_or(""),
    ])
}

fn lookup<'a>(side: &'a SideShapes, (symbol, member): &(&str, Option<&str>)) -> Option<&'a str> {
    let decl = side.get(*symbol)?;
    match member {
        None => Some(decl.header.as_str()),
        Some(m) => decl.members.get(*m).map(String::as_str),
    }
}

/// The base and the current shapes of both sides: decides directions.
#[derive(Debug, Clone, Copy)]
pub struct ThreeWay<'a> {
    pub base: &'a ShapeBase,
    pub spec_now: &'a SideShapes,
    pub impl_now: &'a SideShapes,
}

/// Which sides changed an item since the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changed {
    pub spec: bool,
    pub implementation: bool,
}

impl ThreeWay<'_> {
    /// Which sides changed the item of a drift point, or `None` when the base has no agreed shape
    /// for it. `spec_item`/`impl_item` differ only for renames (each side's own name).
    pub fn changed(
        &self,
        spec_item: (&str, Option<&str>),
        impl_item: (&str, Option<&str>),
    ) -> Option<Changed> {
        let unknown = |(s, m): (&str, Option<&str>)| {
            self.base
                .unknown
                .contains(&(s.to_string(), m.map(str::to_string)))
        };
        if unknown(spec_item) || unknown(impl_item) {
            return None;
        }
        Some(Changed {
            spec: lookup(&self.base.spec, &spec_item) != lookup(self.spec_now, &spec_item),
            implementation: lookup(&self.base.implementation, &impl_item)
                != lookup(self.impl_now, &impl_item),
        })
    }

    /// drift-model §5: only the spec moved → spec-ahead; only the implementation → impl-ahead;
    /// both → conflict; neither (drift older than the base) → the default.
    pub fn direction(&self, keys: &PointKeys<'_>, default: Direction) -> Direction {
        match self.changed(keys.spec, keys.implementation) {
            Some(Changed {
                spec: true,
                implementation: false,
            }) => Direction::SpecAhead,
            Some(Changed {
                spec: false,
                implementation: true,
            }) => Direction::ImplAhead,
            Some(Changed {
                spec: true,
                implementation: true,
            }) => Direction::Conflict,
            _ => default,
        }
    }
}

/// The item a drift point is about, on each side.
#[derive(Debug, Clone, Copy)]
pub struct PointKeys<'a> {
    pub spec: (&'a str, Option<&'a str>),
    pub implementation: (&'a str, Option<&'a str>),
}

impl<'a> PointKeys<'a> {
    /// Renames name the item differently on each side: `expected` is the spec's name and
    /// `actual` the implementation's.
    pub fn of(
        kind: DriftKind,
        symbol: &'a str,
        member: Option<&'a str>,
        actual: Option<&'a str>,
    ) -> PointKeys<'a> {
        match (kind, actual) {
            (DriftKind::RenamedType, Some(a)) => PointKeys {
                spec: (symbol, None),
                implementation: (a, None),
            },
            (DriftKind::RenamedMember, Some(a)) => PointKeys {
                spec: (symbol, member),
                implementation: (symbol, Some(a)),
            },
            _ => PointKeys {
                spec: (symbol, member),
                implementation: (symbol, member),
            },
        }
    }

    pub fn for_point(p: &'a DriftPoint) -> PointKeys<'a> {
        PointKeys::of(p.kind, &p.symbol, p.member.as_deref(), p.actual.as_deref())
    }
}

/// The base to record after a sync: items in agreement take their current shapes; items still
/// in drift keep the shapes they had when the sides last agreed (or become `unknown` when there
/// never was such a moment), so that a direction does not flip just because a run happened.
pub fn next_base(
    previous: Option<&ShapeBase>,
    spec_now: &SideShapes,
    impl_now: &SideShapes,
    drifted: &[DriftPoint],
) -> ShapeBase {
    let mut base = ShapeBase {
        spec: spec_now.clone(),
        implementation: impl_now.clone(),
        unknown: BTreeSet::new(),
    };
    for p in drifted {
        let keys = PointKeys::for_point(p);
        for (symbol, member) in [keys.spec, keys.implementation] {
            match previous {
                Some(prev) => {
                    carry(&mut base.spec, &prev.spec, symbol, member);
                    carry(
                        &mut base.implementation,
                        &prev.implementation,
                        symbol,
                        member,
                    );
                    let key = (symbol.to_string(), member.map(str::to_string));
                    if prev.unknown.contains(&key) {
                        base.unknown.insert(key);
                    }
                }
                None => {
                    base.unknown
                        .insert((symbol.to_string(), member.map(str::to_string)));
                }
            }
        }
    }
    base
}

/// Copies one item's base shape (present or absent) from `prev` into `into`.
fn carry(into: &mut SideShapes, prev: &SideShapes, symbol: &str, member: Option<&str>) {
    match member {
        None => match prev.get(symbol) {
            Some(old) => {
                let members = into
                    .get(symbol)
                    .map(|d| d.members.clone())
                    .unwrap_or_default();
                into.insert(
                    symbol.to_string(),
                    DeclShape {
                        header: old.header.clone(),
                        members,
                    },
                );
            }
            None => {
                into.remove(symbol);
            }
        },
        Some(m) => {
            let old = prev.get(symbol).and_then(|d| d.members.get(m)).cloned();
            // A member whose declaration was absent at the base: keep the declaration entry with
            // an empty header only if something else needs it.
            let entry = into.entry(symbol.to_string()).or_default();
            match old {
                Some(d) => {
                    entry.members.insert(m.to_string(), d);
                }
                None => {
                    entry.members.remove(m);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, header digest, [(member, digest)])
    type Entry<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

    fn shapes(entries: &[Entry<'_>]) -> SideShapes {
        entries
            .iter()
            .map(|(n, h, ms)| {
                (
                    n.to_string(),
                    DeclShape {
                        header: h.to_string(),
                        members: ms
                            .iter()
                            .map(|(a, b)| (a.to_string(), b.to_string()))
                            .collect(),
                    },
                )
            })
            .collect()
    }

    fn dir(
        base: &ShapeBase,
        spec: &SideShapes,
        imp: &SideShapes,
        member: &str,
        default: Direction,
    ) -> Direction {
        let tw = ThreeWay {
            base,
            spec_now: spec,
            impl_now: imp,
        };
        tw.direction(
            &PointKeys::of(DriftKind::ChangedType, "A", Some(member), None),
            default,
        )
    }

    #[test]
    fn three_way_cases() {
        let agreed = shapes(&[("A", "h", &[("x", "1")])]);
        let base = ShapeBase {
            spec: agreed.clone(),
            implementation: agreed.clone(),
            unknown: BTreeSet::new(),
        };
        let moved = shapes(&[("A", "h", &[("x", "2")])]);
        let moved_other = shapes(&[("A", "h", &[("x", "3")])]);
        let d = Direction::SpecAhead;
        assert_eq!(
            dir(&base, &moved, &agreed, "x", Direction::ImplAhead),
            Direction::SpecAhead
        );
        assert_eq!(dir(&base, &agreed, &moved, "x", d), Direction::ImplAhead);
        assert_eq!(
            dir(&base, &moved, &moved_other, "x", d),
            Direction::Conflict
        );
        // Neither moved: the drift predates the base → default.
        assert_eq!(
            dir(&base, &agreed, &agreed, "x", Direction::ImplAhead),
            Direction::ImplAhead
        );
        // A member removed by the spec only: spec-ahead.
        let removed = shapes(&[("A", "h", &[])]);
        assert_eq!(
            dir(&base, &removed, &agreed, "x", Direction::ImplAhead),
            Direction::SpecAhead
        );
        // Unknown items default.
        let mut unknown = base.clone();
        unknown.unknown.insert(("A".into(), Some("x".into())));
        assert_eq!(dir(&unknown, &moved, &moved_other, "x", d), d);
    }

    #[test]
    fn next_base_keeps_agreed_shapes_of_drifted_items() {
        let agreed = shapes(&[("A", "h", &[("x", "1"), ("y", "1")])]);
        let base = ShapeBase {
            spec: agreed.clone(),
            implementation: agreed.clone(),
            unknown: BTreeSet::new(),
        };
        let spec_now = shapes(&[("A", "h", &[("x", "2"), ("y", "2")])]);
        let impl_now = shapes(&[("A", "h", &[("x", "1"), ("y", "2")])]);
        let point = DriftPoint {
            id: "i".into(),
            kind: DriftKind::ChangedType,
            direction: Direction::SpecAhead,
            category: crate::model::Category::ManageableDrift,
            symbol: "A".into(),
            member: Some("x".into()),
            expected: None,
            actual: None,
            spec: None,
            implementation: None,
            message: String::new(),
            fixes: vec![],
        };
        let next = next_base(
            Some(&base),
            &spec_now,
            &impl_now,
            std::slice::from_ref(&point),
        );
        assert_eq!(
            next.spec["A"].members["x"], "1",
            "x still drifts: its agreed shape is kept"
        );
        assert_eq!(
            next.spec["A"].members["y"], "2",
            "y agrees now: the base moves on"
        );
        // So the direction stays spec-ahead on the next run.
        assert_eq!(
            dir(&next, &spec_now, &impl_now, "x", Direction::ImplAhead),
            Direction::SpecAhead
        );
        let first = next_base(None, &spec_now, &impl_now, &[point]);
        assert!(first
            .unknown
            .contains(&("A".to_string(), Some("x".to_string()))));
    }
}
