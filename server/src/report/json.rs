//! `moment-sync check --format json`, schema version 1 (drift-model §8), exactly.

use serde::Serialize;

use super::{position, range};
use crate::analysis::Analysis;
use crate::cascade::Outcome;
use crate::model::{Category, DriftPoint, Location};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonReport {
    pub schema_version: u32,
    pub root: String,
    pub generated_dir: String,
    pub implementation_dir: String,
    pub outcome: Outcome,
    pub summary: Summary,
    pub drift_points: Vec<JsonPoint>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub spec_files: usize,
    pub spec_types: usize,
    pub drift_points: usize,
    pub category1: usize,
    pub category2: usize,
    pub category3: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonPoint {
    pub id: String,
    pub kind: crate::model::DriftKind,
    pub direction: crate::model::Direction,
    pub category: Category,
    pub symbol: String,
    pub member: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub spec: Option<JsonLocation>,
    pub implementation: Option<JsonLocation>,
    pub message: String,
    pub fixes: Vec<JsonFix>,
}

#[derive(Debug, Serialize)]
pub struct JsonLocation {
    pub path: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Serialize)]
pub struct JsonFix {
    pub id: String,
    pub title: String,
    pub edits: Vec<JsonEdit>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonEdit {
    pub path: String,
    pub start: JsonPos,
    pub end: JsonPos,
    pub new_text: String,
}

#[derive(Debug, Serialize)]
pub struct JsonPos {
    pub line: u32,
    pub column: u32,
}

/// Builds the report; `generated_dir` and `implementation_dir` are root-relative.
pub fn json_report(
    analysis: &Analysis,
    root: &str,
    generated_dir: &str,
    implementation_dir: &str,
) -> JsonReport {
    let count = |c: Category| analysis.points.iter().filter(|p| p.category == c).count();
    JsonReport {
        schema_version: 1,
        root: root.to_string(),
        generated_dir: generated_dir.to_string(),
        implementation_dir: implementation_dir.to_string(),
        outcome: Outcome::of(analysis.points.iter().map(|p| &p.category)),
        summary: Summary {
            spec_files: analysis.spec_files,
            spec_types: analysis.spec_types,
            drift_points: analysis.points.len(),
            category1: count(Category::CleanApply),
            category2: count(Category::ManageableDrift),
            category3: count(Category::Breaking),
        },
        drift_points: analysis
            .points
            .iter()
            .map(|p| json_point(analysis, p))
            .collect(),
    }
}

fn json_location(analysis: &Analysis, l: &Location) -> JsonLocation {
    let (line, column) = position(analysis, &l.path, l.span.start);
    JsonLocation {
        path: l.path.clone(),
        line,
        column,
    }
}

fn json_point(analysis: &Analysis, p: &DriftPoint) -> JsonPoint {
    JsonPoint {
        id: p.id.clone(),
        kind: p.kind,
        direction: p.direction,
        category: p.category,
        symbol: p.symbol.clone(),
        member: p.member.clone(),
        expected: p.expected.clone(),
        actual: p.actual.clone(),
        spec: p.spec.as_ref().map(|l| json_location(analysis, l)),
        implementation: p
            .implementation
            .as_ref()
            .map(|l| json_location(analysis, l)),
        message: p.message.clone(),
        fixes: p
            .fixes
            .iter()
            .map(|f| JsonFix {
                id: f.id.clone(),
                title: f.title.clone(),
                edits: f
                    .edits
                    .iter()
                    .map(|e| {
                        let ((sl, sc), (el, ec)) = range(analysis, &e.path, e.span);
                        JsonEdit {
                            path: e.path.clone(),
                            start: JsonPos {
                                line: sl,
                                column: sc,
                            },
                            end: JsonPos {
                                line: el,
                                column: ec,
                            },
                            new_text: e.new_text.clone(),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}
