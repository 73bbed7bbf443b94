//! The `check` and `fix` commands on the bundled fixtures and on broken workspaces.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("moment-sync").expect("binary builds");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// A copy of a fixture in a temporary folder (fix tests must not touch the originals).
fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn check_json(root: &Path) -> (Value, i32) {
    let out = bin()
        .args(["check", "--format", "json"])
        .arg(root)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    (json, out.status.code().unwrap_or(-1))
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const ALL_KINDS: [&str; 12] = [
    "missing-type",
    "extra-type",
    "renamed-type",
    "missing-member",
    "extra-member",
    "renamed-member",
    "changed-type",
    "changed-optionality",
    "changed-readonly",
    "changed-signature",
    "changed-kind",
    "changed-generics",
];

#[test]
fn check_prints_every_drift_kind_on_the_drifted_fixture() {
    let out = bin().arg("check").arg(fixture("drifted")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    for kind in ALL_KINDS {
        assert!(text.contains(kind), "human output lacks {kind}:\n{text}");
    }
    assert!(
        text.contains("src/domain/billing/invoice.types.ts\n"),
        "grouped by file:\n{text}"
    );
    assert!(
        text.lines().last().unwrap().ends_with(": breaking"),
        "summary line:\n{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colours when not a terminal");
}

#[test]
fn check_on_the_in_sync_fixture_exits_0() {
    let out = bin().arg("check").arg(fixture("in-sync")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("in sync"));
    let (json, _) = check_json(&fixture("in-sync"));
    assert_eq!(json["outcome"], "in-sync");
    assert_eq!(json["driftPoints"].as_array().unwrap().len(), 0);
}

#[test]
fn json_report_validates_against_schema_version_1() {
    let schema: Value =
        serde_json::from_str(include_str!("../docs/schema/check-report.v1.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for name in ["drifted", "in-sync"] {
        let (json, _) = check_json(&fixture(name));
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    // The schema is strict: an unknown key fails it (so the test above can fail).
    let (mut json, _) = check_json(&fixture("drifted"));
    json["extra"] = Value::Bool(true);
    assert!(!validator.is_valid(&json));
}

#[test]
fn json_report_has_every_kind_sorted_with_relative_paths() {
    let root = fixture("drifted");
    let (json, code) = check_json(&root);
    assert_eq!(code, 1);
    assert_eq!(json["schemaVersion"], 1);
    assert_eq!(json["generatedDir"], "generated");
    assert_eq!(json["implementationDir"], "src/domain");
    assert_eq!(json["outcome"], "breaking");
    assert!(Path::new(json["root"].as_str().unwrap()).is_absolute());
    let points = json["driftPoints"].as_array().unwrap();
    for kind in ALL_KINDS {
        assert!(
            points.iter().any(|p| p["kind"] == kind),
            "json lacks {kind}"
        );
    }
    let summary = &json["summary"];
    assert_eq!(
        summary["driftPoints"].as_u64().unwrap() as usize,
        points.len()
    );
    let by_cat = |c: u64| points.iter().filter(|p| p["category"] == c).count() as u64;
    assert_eq!(
        (
            summary["category1"].as_u64(),
            summary["category2"].as_u64(),
            summary["category3"].as_u64()
        ),
        (Some(by_cat(1)), Some(by_cat(2)), Some(by_cat(3)))
    );
    let key = |p: &Value| {
        let loc = if p["implementation"].is_null() {
            &p["spec"]
        } else {
            &p["implementation"]
        };
        (
            loc["path"].as_str().unwrap().to_string(),
            loc["line"].as_u64().unwrap(),
            loc["column"].as_u64().unwrap(),
        )
    };
    let keys: Vec<_> = points.iter().map(key).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "points are sorted by path, line, column");
    let changed = points
        .iter()
        .find(|p| p["kind"] == "changed-type" && p["member"] == "total")
        .unwrap();
    assert_eq!(
        changed["message"],
        "Invoice.total is `string` here but `number` in the spec"
    );
    assert_eq!(changed["implementation"]["line"], 22);
    let edit = &changed["fixes"][0]["edits"][0];
    assert_eq!(edit["newText"], "number");
    assert_eq!(
        (
            edit["start"]["line"].as_u64(),
            edit["start"]["column"].as_u64()
        ),
        (Some(22), Some(19))
    );
    assert_eq!(edit["end"]["column"], 25);
}

#[test]
fn ids_are_stable_across_runs() {
    let ids = || -> Vec<String> {
        let (json, _) = check_json(&fixture("drifted"));
        json["driftPoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    let first = ids();
    assert_eq!(first, ids());
    let unique: std::collections::BTreeSet<_> = first.iter().collect();
    assert_eq!(unique.len(), first.len());
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "generated/a.ts",
        "export interface A { a: string; b?: number }\n",
    );
    write(
        dir.path(),
        "src/domain/a.ts",
        "export interface A { a: string }\n",
    );
    let code = |fail_on: &str| {
        bin()
            .args(["check", "--fail-on", fail_on])
            .arg(dir.path())
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code("1"), Some(1));
    assert_eq!(code("2"), Some(0));
    let out = bin()
        .args(["check", "--fail-on", "4"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "clap rejects a bad category");
}

#[test]
fn sarif_has_one_rule_per_kind_and_levels_by_category() {
    let out = bin()
        .args(["check", "--format", "sarif"])
        .arg(fixture("drifted"))
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 12);
    let results = run["results"].as_array().unwrap();
    let (json, _) = check_json(&fixture("drifted"));
    assert_eq!(results.len(), json["driftPoints"].as_array().unwrap().len());
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let level = match r["properties"]["category"].as_u64().unwrap() {
            1 => "note",
            2 => "warning",
            _ => "error",
        };
        assert_eq!(r["level"], level);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn fix_applies_category_1_and_check_shows_them_gone() {
    let dir = copy_fixture("drifted");
    let (before, _) = check_json(dir.path());
    let before_points = before["driftPoints"].as_array().unwrap().clone();
    let out = bin().arg("fix").arg(dir.path()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        printed.contains("changed src/domain/billing/invoice.types.ts"),
        "{printed}"
    );
    let check = bin()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        check.stderr.is_empty(),
        "no syntax warnings after fixing: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let after: Value = serde_json::from_slice(&check.stdout).unwrap();
    let after_points = after["driftPoints"].as_array().unwrap();
    assert_eq!(after["summary"]["category1"], 0);
    let remaining: Vec<&Value> = before_points
        .iter()
        .filter(|p| p["category"] != 1)
        .collect();
    assert_eq!(after_points.len(), remaining.len());
    for p in remaining {
        assert!(
            after_points.iter().any(|q| q["id"] == p["id"]),
            "{} survives with the same id",
            p["id"]
        );
    }
}

#[test]
fn fix_max_category_3_applies_every_spec_ahead_fix_and_leaves_impl_ahead_work() {
    let dir = copy_fixture("drifted");
    let (before, _) = check_json(dir.path());
    let impl_ahead: Vec<&Value> = before["driftPoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["direction"] == "impl-ahead")
        .collect();
    assert!(!impl_ahead.is_empty(), "the fixture has impl-ahead drift");
    let out = bin()
        .args(["fix", "--max-category", "3"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("left for a decision"), "{stdout}");
    let (after, _) = check_json(dir.path());
    let left = after["driftPoints"].as_array().unwrap();
    // What the implementation added beyond the spec is feedback, not something to revert.
    assert_eq!(left.len(), impl_ahead.len(), "{after:#}");
    for p in left {
        assert_eq!(p["direction"], "impl-ahead", "{p:#}");
        assert!(impl_ahead.iter().any(|q| q["id"] == p["id"]));
    }
}

#[test]
fn fix_dry_run_prints_a_diff_and_writes_nothing() {
    let dir = copy_fixture("drifted");
    let file = dir.path().join("src/domain/billing/invoice.types.ts");
    let before = std::fs::read(&file).unwrap();
    let out = bin()
        .args(["fix", "--dry-run"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("--- a/src/domain/billing/invoice.types.ts"),
        "{text}"
    );
    assert!(
        text.contains("+export interface PaymentReceived {"),
        "{text}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn fix_creates_the_partner_file_of_a_spec_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "generated/a.types.ts",
        "export interface A { a: string }\n",
    );
    write(
        dir.path(),
        "generated/b.types.ts",
        "export interface B { b: string }\n",
    );
    write(
        dir.path(),
        "src/domain/a.types.ts",
        "export interface A { a: string }\n",
    );
    let out = bin().arg("fix").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("(new file)"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("src/domain/b.types.ts")).unwrap(),
        "export interface B { b: string }\n"
    );
}

// ---- errors: one line naming the file and the problem, exit 2, nothing written ----

fn expect_error(cmd: &mut Command, needle: &str) {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("moment-sync: error: "), "{err}");
    assert!(err.contains(needle), "{err:?} should contain {needle:?}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

#[test]
fn missing_folders_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/domain/a.ts", "");
    expect_error(
        bin().arg("check").arg(dir.path()),
        "spec side (generatedDir) folder",
    );
    expect_error(
        bin().args(["check", "--generated", "nope"]).arg(dir.path()),
        "nope` does not exist",
    );
    expect_error(
        bin().arg("check").arg(dir.path().join("absent")),
        "is not a folder",
    );
}

#[test]
fn bad_config_names_file_line_and_key() {
    let dir = copy_fixture("in-sync");
    write(
        dir.path(),
        ".moment/sync.json",
        "{\n  \"generatedDir\": \"generated\",\n  \"implDir\": \"src\"\n}\n",
    );
    expect_error(
        bin().arg("check").arg(dir.path()),
        "sync.json:3: unknown key `implDir`",
    );
    write(dir.path(), ".moment/sync.json", "{ \"include\": [ }");
    expect_error(bin().arg("check").arg(dir.path()), "sync.json:1:");
    write(
        dir.path(),
        ".moment/sync.json",
        "{ \"exclude\": [\"a/[\"] }",
    );
    expect_error(bin().arg("check").arg(dir.path()), "invalid glob `a/[`");
}

#[test]
fn unreadable_source_is_named_and_fix_writes_nothing() {
    let dir = copy_fixture("drifted");
    let good = dir.path().join("src/domain/billing/invoice.types.ts");
    let before = std::fs::read(&good).unwrap();
    std::fs::write(
        dir.path().join("src/domain/billing/broken.ts"),
        b"export const x = '\xff\xfe';\n",
    )
    .unwrap();
    expect_error(
        bin().arg("check").arg(dir.path()),
        "src/domain/billing/broken.ts` is not valid UTF-8",
    );
    expect_error(bin().arg("fix").arg(dir.path()), "broken.ts");
    assert_eq!(std::fs::read(&good).unwrap(), before, "nothing written");
}

#[test]
fn syntax_errors_are_reported_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "generated/a.ts",
        "export interface A { a: string }\nexport interface B { b: number }\n",
    );
    write(
        dir.path(),
        "src/domain/a.ts",
        "export interface A { a: number }\nexport interface B { b: number; c: }\n",
    );
    let out = bin().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("warning: src/domain/a.ts:2:"), "{text}");
    assert!(
        text.contains("A.a is `number` here but `string` in the spec"),
        "{text}"
    );
    let out = bin()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: src/domain/a.ts:2:"));
    serde_json::from_slice::<Value>(&out.stdout).expect("stdout stays pure JSON");
}

#[test]
fn root_is_discovered_from_the_current_folder() {
    let dir = copy_fixture("drifted");
    let out = bin()
        .arg("check")
        .current_dir(dir.path().join("src/domain/billing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("missing-type"));
}

#[test]
fn spec_tests_and_node_modules_are_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "generated/a.ts",
        "export interface A { a: string }\n",
    );
    write(
        dir.path(),
        "generated/a.spec.ts",
        "export interface SpecOnly { x: string }\n",
    );
    write(
        dir.path(),
        "generated/__tests__/t.ts",
        "export interface TestOnly { x: string }\n",
    );
    write(
        dir.path(),
        "generated/node_modules/m/index.ts",
        "export interface Dep { x: string }\n",
    );
    write(
        dir.path(),
        "src/domain/a.ts",
        "export interface A { a: string }\n",
    );
    let (json, code) = check_json(dir.path());
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["summary"]["specFiles"], 1);
}

#[test]
fn fallback_spec_folder_is_used_when_generated_is_absent() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".moment/generated/typescript/src/a.ts",
        "export interface A { a: string }\n",
    );
    write(
        dir.path(),
        "src/domain/a.ts",
        "export interface A { a: number }\n",
    );
    let (json, code) = check_json(dir.path());
    assert_eq!(code, 1);
    assert_eq!(json["generatedDir"], ".moment/generated/typescript/src");
    assert_eq!(
        json["driftPoints"][0]["spec"]["path"],
        ".moment/generated/typescript/src/a.ts"
    );
}
