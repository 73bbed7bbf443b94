//! `.moment` specs read directly: `emit` against the reference's examples, `check --spec` against
//! `check` on `emit`'s output, the stale-output report, and bad specs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use moment_sync::moment::LoadedSpec;
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

fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

/// Every file below `dir`, by `/` relative path.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn check_json(root: &Path, args: &[&str]) -> (Value, i32) {
    let out = bin()
        .args(["check", "--format", "json"])
        .args(args)
        .arg(root)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "stdout is JSON; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (json, out.status.code().unwrap_or(-1))
}

#[test]
fn emit_writes_the_reference_examples_file_for_file() {
    for (spec, expected) in [
        ("ordering/ordering.moment", "expected/ordering"),
        ("billing", "expected/billing"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let root = fixture("moment-emit");
        bin()
            .args(["emit", "--out"])
            .arg(dir.path())
            .args(["--spec", spec])
            .arg(&root)
            .assert()
            .success();
        let want = tree(&root.join(expected));
        let got = tree(dir.path());
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{spec}"
        );
        for (path, text) in &want {
            assert_eq!(&got[path], text, "{spec}: {path}");
        }
    }
}

#[test]
fn emit_returns_files_in_the_emitters_order_and_is_deterministic() {
    let root = fixture("moment-emit");
    let a = LoadedSpec::read(&root, "ordering/ordering.moment").unwrap();
    assert!(a.problems.is_empty(), "{:?}", a.describe_problems());
    let paths: Vec<&str> = a.emitted.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "src/ordering/order.types.ts",
            "src/ordering/order.aggregate.ts",
            "src/ordering/index.ts",
            "src/fulfillment/fulfillment-request.types.ts",
            "src/fulfillment/fulfillment-request.aggregate.ts",
            "src/fulfillment/index.ts",
            "src/index.ts",
        ]
    );
    let b = LoadedSpec::read(&root, "ordering/ordering.moment").unwrap();
    assert_eq!(a.emitted, b.emitted);
}

#[test]
fn emit_again_changes_nothing_and_check_mode_reports_changes() {
    let dir = copy_fixture("moment-shop");
    bin().arg("emit").arg(dir.path()).assert().success();
    let out = bin().arg("emit").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("0 changed"), "{stdout}");
    bin()
        .args(["emit", "--check"])
        .arg(dir.path())
        .assert()
        .success();
    let spec = dir.path().join("spec/sales.moment");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, text.replace("note: string", "note: number")).unwrap();
    let out = bin()
        .args(["emit", "--check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("sales/order.types.ts"));
}

/// The drift of a point without its spec location (which names the `.moment` line on one side
/// and the emitted file on the other).
fn without_spec_location(report: &Value) -> Vec<Value> {
    report["driftPoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p.as_object_mut().unwrap().remove("spec");
            p
        })
        .collect()
}

#[test]
fn check_spec_gives_exactly_the_drift_of_check_against_emitted_typescript() {
    let dir = copy_fixture("moment-shop");
    let root = dir.path();
    // No `spec` key: the comparison runs once with --spec and once against emit's output.
    std::fs::write(root.join(".moment/sync.json"), "{}").unwrap();
    bin()
        .args(["emit", "--spec", "spec", "--out", "out"])
        .arg(root)
        .assert()
        .success();
    let (from_moment, code_a) = check_json(root, &["--spec", "spec", "--generated", "out/src"]);
    let (from_ts, code_b) = check_json(root, &["--generated", "out/src"]);
    assert_eq!(code_a, 1);
    assert_eq!(code_a, code_b);
    assert_eq!(from_moment["summary"], from_ts["summary"]);
    assert_eq!(from_moment["outcome"], from_ts["outcome"]);
    let points = without_spec_location(&from_moment);
    assert!(points.len() >= 5, "{points:?}");
    assert_eq!(points, without_spec_location(&from_ts));
    let kinds: Vec<&str> = points.iter().map(|p| p["kind"].as_str().unwrap()).collect();
    for kind in [
        "missing-type",
        "missing-member",
        "extra-member",
        "changed-type",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    // Every spec location names a `.moment` line: the field or the declaration.
    let spec_text = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    for p in from_moment["driftPoints"].as_array().unwrap() {
        let loc = &p["spec"];
        let path = loc["path"].as_str().unwrap();
        assert!(path.ends_with(".moment"), "{p}");
        let text = spec_text(path);
        let line = text
            .lines()
            .nth(loc["line"].as_u64().unwrap() as usize - 1)
            .unwrap();
        let at: String = line
            .chars()
            .skip(loc["column"].as_u64().unwrap() as usize - 1)
            .collect();
        let expected = match p["member"].as_str() {
            Some(m) if p["kind"] != "extra-member" => m.to_string(),
            _ => p["symbol"].as_str().unwrap().to_string(),
        };
        // Aggregate roots and unions point at the aggregate's or context's name.
        if !expected.ends_with("Aggregate") && !expected.ends_with("Event") {
            assert!(at.starts_with(&expected), "{p}: `{at}`");
        }
    }
    let changed = from_moment["driftPoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "changed-type")
        .unwrap();
    assert_eq!(changed["spec"]["path"], "spec/sales.moment");
    assert_eq!(changed["spec"]["line"], 17);
}

#[test]
fn the_spec_key_replaces_generated_dir_and_fix_follows_it() {
    let dir = copy_fixture("moment-shop");
    let root = dir.path();
    let (report, code) = check_json(root, &[]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["specFiles"], 9);
    bin().arg("fix").arg(root).assert().success();
    let fixed =
        std::fs::read_to_string(root.join("src/domain/customer-care/support-ticket.types.ts"))
            .unwrap();
    assert!(fixed.contains("readonly channel: string;"), "{fixed}");
    let (after, _) = check_json(root, &[]);
    assert!(
        after["driftPoints"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["category"] != 1),
        "{after}"
    );
}

#[test]
fn stale_generated_output_is_reported() {
    let dir = copy_fixture("moment-shop");
    let root = dir.path();
    bin()
        .args(["emit", "--out", "emitted"])
        .arg(root)
        .assert()
        .success();
    copy_dir(&root.join("emitted/src"), &root.join("generated"));
    let fresh = bin().arg("check").arg(root).output().unwrap();
    assert!(!String::from_utf8_lossy(&fresh.stdout).contains("stale"));
    let spec = root.join("spec/returns.moment");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(
        &spec,
        text.replace(
            "subject: string\n      precondition",
            "subject: string, priority: number\n      precondition",
        ),
    )
    .unwrap();
    let stale = bin().arg("check").arg(root).output().unwrap();
    let stdout = String::from_utf8_lossy(&stale.stdout);
    assert!(
        stdout.contains(
            "generated/ is stale against the spec `spec`: 1 declaration differs (`OpenTicket`)"
        ),
        "{stdout}"
    );
    let json = bin()
        .args(["check", "--format", "json"])
        .arg(root)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&json.stderr).contains("is stale"));
    serde_json::from_slice::<Value>(&json.stdout).expect("stdout stays pure JSON");
}

#[test]
fn a_spec_with_syntax_errors_is_refused_naming_every_error() {
    let dir = copy_fixture("moment-shop");
    let root = dir.path();
    let spec = root.join("spec/sales.moment");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, text.replace("total: Money", "type: Money")).unwrap();
    let before = std::fs::read_to_string(root.join("src/domain/sales/order.types.ts")).unwrap();
    for cmd in ["check", "fix"] {
        let out = bin().arg(cmd).arg(root).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("spec/sales.moment:17:7: `type` is a reserved word"),
            "{stderr}"
        );
    }
    let after = std::fs::read_to_string(root.join("src/domain/sales/order.types.ts")).unwrap();
    assert_eq!(before, after, "nothing written");
}

#[test]
fn a_missing_spec_is_a_usage_error() {
    let dir = copy_fixture("moment-shop");
    let out = bin()
        .args(["check", "--spec", "nope.moment"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.moment` does not exist"));
    let out = bin()
        .args(["emit"])
        .arg(fixture("drifted"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no spec to emit"));
}
