//! Drift points: the engine's output vocabulary (drift-model §4–§7).

use serde::Serialize;

use super::Span;

/// The twelve drift kinds of drift-model §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    MissingType,
    ExtraType,
    RenamedType,
    MissingMember,
    ExtraMember,
    RenamedMember,
    ChangedType,
    ChangedOptionality,
    ChangedReadonly,
    ChangedSignature,
    ChangedKind,
    ChangedGenerics,
}

impl DriftKind {
    pub const ALL: [DriftKind; 12] = [
        DriftKind::MissingType,
        DriftKind::ExtraType,
        DriftKind::RenamedType,
        DriftKind::MissingMember,
        DriftKind::ExtraMember,
        DriftKind::RenamedMember,
        DriftKind::ChangedType,
        DriftKind::ChangedOptionality,
        DriftKind::ChangedReadonly,
        DriftKind::ChangedSignature,
        DriftKind::ChangedKind,
        DriftKind::ChangedGenerics,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::MissingType => "missing-type",
            DriftKind::ExtraType => "extra-type",
            DriftKind::RenamedType => "renamed-type",
            DriftKind::MissingMember => "missing-member",
            DriftKind::ExtraMember => "extra-member",
            DriftKind::RenamedMember => "renamed-member",
            DriftKind::ChangedType => "changed-type",
            DriftKind::ChangedOptionality => "changed-optionality",
            DriftKind::ChangedReadonly => "changed-readonly",
            DriftKind::ChangedSignature => "changed-signature",
            DriftKind::ChangedKind => "changed-kind",
            DriftKind::ChangedGenerics => "changed-generics",
        }
    }

    pub fn parse(s: &str) -> Option<DriftKind> {
        DriftKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// One sentence for docs, hovers and SARIF rule descriptions.
    pub fn description(self) -> &'static str {
        match self {
            DriftKind::MissingType => "A type of the spec is absent from the implementation.",
            DriftKind::ExtraType => "A type of the implementation (in a domain file) is absent from the spec.",
            DriftKind::RenamedType => "A spec type and an implementation type with the same shape have different names.",
            DriftKind::MissingMember => "A field, method, enum member or union member of the spec is absent from the implementation.",
            DriftKind::ExtraMember => "A member exists in the implementation only.",
            DriftKind::RenamedMember => "A spec member and an implementation member with the same type have different names.",
            DriftKind::ChangedType => "A member's type (or a type alias's right-hand side) differs from the spec.",
            DriftKind::ChangedOptionality => "A member is optional on one side and required on the other.",
            DriftKind::ChangedReadonly => "A member is readonly on one side only.",
            DriftKind::ChangedSignature => "A method's parameter types, optionality or return type differ from the spec.",
            DriftKind::ChangedKind => "The declaration is a different kind of type (e.g. interface vs enum).",
            DriftKind::ChangedGenerics => "Type parameters, constraints, defaults or extends/implements differ from the spec.",
        }
    }

    /// Where the kind is documented (used for LSP `codeDescription` and SARIF `helpUri`).
    pub fn docs_url(self) -> String {
        format!("{}#{}", crate::DOCS_KINDS_URL, self.as_str())
    }
}

impl std::fmt::Display for DriftKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which side is ahead (drift-model §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    SpecAhead,
    ImplAhead,
    Conflict,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SpecAhead => "spec-ahead",
            Direction::ImplAhead => "impl-ahead",
            Direction::Conflict => "conflict",
        }
    }
}

/// Cascade category (drift-model §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    CleanApply = 1,
    ManageableDrift = 2,
    Breaking = 3,
}

impl Category {
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u8) -> Option<Category> {
        match n {
            1 => Some(Category::CleanApply),
            2 => Some(Category::ManageableDrift),
            3 => Some(Category::Breaking),
            _ => None,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Category::CleanApply => "clean apply",
            Category::ManageableDrift => "manageable drift",
            Category::Breaking => "breaking",
        }
    }

    /// What the category means for the developer.
    pub fn meaning(self) -> &'static str {
        match self {
            Category::CleanApply => "applying the spec is additive and breaks no code",
            Category::ManageableDrift => {
                "needs a decision or a mechanical follow-up; the compiler will point at it"
            }
            Category::Breaking => {
                "existing code or downstream consumers break, or the two sides conflict"
            }
        }
    }
}

impl Serialize for Category {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.number())
    }
}

/// A place in a file of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// Relative to the root, `/` separators.
    pub path: String,
    pub span: Span,
}

/// One text replacement. `span` is a byte range of the file's current text; a file that does not
/// exist yet is created by an edit at `0..0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TextEdit {
    pub path: String,
    pub span: Span,
    pub new_text: String,
}

/// A workspace edit that makes the implementation agree with the spec (drift-model §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// `<drift id>:<action>`, stable like the drift id.
    pub id: String,
    pub title: String,
    pub edits: Vec<TextEdit>,
    /// The edits create `edits[0].path`, which does not exist yet.
    pub creates_file: bool,
}

/// One point where the two sides disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftPoint {
    /// Stable hex digest of (kind, spec path, implementation path, symbol, member, expected, actual).
    pub id: String,
    pub kind: DriftKind,
    pub direction: Direction,
    pub category: Category,
    pub symbol: String,
    pub member: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub spec: Option<Location>,
    pub implementation: Option<Location>,
    pub message: String,
    pub fixes: Vec<Fix>,
}

impl DriftPoint {
    /// `Symbol.member` or `Symbol`.
    pub fn qualified_name(&self) -> String {
        match &self.member {
            Some(m) => format!("{}.{}", self.symbol, m),
            None => self.symbol.clone(),
        }
    }

    /// The location a report or an editor shows first: the implementation's, else the spec's.
    pub fn primary_location(&self) -> Option<&Location> {
        self.implementation.as_ref().or(self.spec.as_ref())
    }
}
