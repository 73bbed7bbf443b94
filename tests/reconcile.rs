//! Reconciliation end to end: the CLI on copies of fixtures and on workspaces built in temp dirs.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::cargo_bin("moment-sync").unwrap();
    // The actor falls back to $USER when git has no user.name.
    c.env("USER", "tester")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    c
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A temp copy of a fixture (the fixture itself is never written).
fn workspace(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn run_json(cmd: &mut Command) -> (Value, i32, String) {
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (v, code, stderr)
}

fn reconcile(root: &Path, apply: bool) -> (Value, i32) {
    let mut c = bin();
    c.arg("reconcile").arg(root).arg("--json");
    if apply {
        c.arg("--apply");
    }
    let (v, code, _) = run_json(&mut c);
    (v, code)
}

fn check(root: &Path) -> (Value, String) {
    let (v, _, stderr) = run_json(bin().arg("check").arg(root).args(["--format", "json"]));
    (v, stderr)
}

fn points(v: &Value) -> Vec<Value> {
    v["driftPoints"].as_array().cloned().unwrap_or_default()
}

fn find<'a>(ps: &'a [Value], symbol: &str, member: &str) -> Option<&'a Value> {
    ps.iter()
        .find(|p| p["symbol"] == symbol && p["member"] == member)
}

fn decide(root: &Path, what: &str, ids: &[&str]) -> std::process::Output {
    bin()
        .arg("decide")
        .arg(what)
        .args(ids)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap()
}

fn log_lines(root: &Path) -> Vec<Value> {
    std::fs::read_to_string(root.join(".moment/sync-log.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn each_outcome_on_its_fixture() {
    for (name, apply, result, category, code) in [
        ("reconcile-applied", true, "APPLIED", 1, 0),
        ("reconcile-no-changes", true, "NO_CHANGES", 0, 0),
        ("reconcile-drift", true, "DRIFT", 2, 0),
        ("reconcile-breaking", true, "BREAKING", 3, 1),
        ("reconcile-applied", false, "DRIFT", 1, 0),
    ] {
        let ws = workspace(name);
        let (v, exit) = reconcile(ws.path(), apply);
        assert_eq!(v["result"], result, "{name}: {v:#}");
        assert_eq!(v["cascadeCategory"], category, "{name}");
        assert_eq!(exit, code, "{name}");
        // The signal: one JSONL envelope with the result.
        let signal = ws.path().join(v["signal"].as_str().unwrap());
        let line: Value =
            serde_json::from_str(std::fs::read_to_string(&signal).unwrap().trim()).unwrap();
        assert_eq!(line["eventType"], "MomentReconcileCompleted");
        assert_eq!(line["payload"]["reconcileResult"], result);
        assert_eq!(line["payload"]["cascadeCategory"], category);
        for key in [
            "eventId",
            "version",
            "productSource",
            "sessionId",
            "causationEventIds",
            "correlationId",
            "timestamp",
        ] {
            assert!(!line[key].is_null(), "{key}");
        }
        // A second run finds the same (or nothing, after applying).
        let (again, _) = reconcile(ws.path(), apply);
        let expected_again = if result == "APPLIED" {
            "NO_CHANGES"
        } else {
            result
        };
        assert_eq!(again["result"], expected_again, "{name} second run");
        assert_ne!(again["signal"], v["signal"], "signal names never collide");
    }
}

#[test]
fn applied_fixes_are_accepted_journaled_and_guided() {
    let ws = workspace("reconcile-applied");
    let (v, _) = reconcile(ws.path(), true);
    assert_eq!(v["applied"].as_array().unwrap().len(), 2);
    let types =
        std::fs::read_to_string(ws.path().join("src/domain/orders/order.types.ts")).unwrap();
    assert!(
        types.contains("note?: string") && types.contains("interface OrderPlaced"),
        "{types}"
    );
    let journal =
        std::fs::read_to_string(ws.path().join(".moment/feedback-journal.jsonl")).unwrap();
    let entries: Vec<Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 2);
    for e in &entries {
        assert_eq!(e["source"], "mmmnt:implementation-feedback");
        assert_eq!(e["eventType"], "ImplementationFeedbackRecorded");
        assert_eq!(e["actor"], "tester");
        assert_eq!(e["payload"]["decision"], "accept");
        assert!(v["applied"]
            .as_array()
            .unwrap()
            .contains(&e["causationEventIds"][0]));
    }
    let types: Vec<&str> = entries
        .iter()
        .map(|e| e["payload"]["feedbackType"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"ValueObjectDefined") && types.contains(&"ValueObjectFieldAdded"),
        "{types:?}"
    );
    assert_eq!(
        v["guidance"][0]["description"],
        "Deterministic re-projection"
    );
    let status = bin().arg("status").arg(ws.path()).output().unwrap();
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("2 accepted") && text.contains("last reconciliation: APPLIED"),
        "{text}"
    );
}

#[test]
fn breaking_guidance_and_consumer_aware_categories() {
    let ws = workspace("reconcile-breaking");
    let (v, _) = reconcile(ws.path(), false);
    let p = &v["proposals"][0];
    assert_eq!(p["category"], 3);
    assert_eq!(p["consumers"], "consumed by 1 file in 1 service");
    assert_eq!(
        v["guidance"][0]["requiredActions"][0],
        "resolve dangling references"
    );
    // Without the consumer the same change is manageable (category 2).
    std::fs::remove_file(ws.path().join("src/app/checkout.ts")).unwrap();
    let (c, _) = check(ws.path());
    assert_eq!(find(&points(&c), "Order", "total").unwrap()["category"], 2);
    // Without any state, consumption detection runs all the same: the category does not
    // depend on whether `.moment/` exists (it was 3 here before: consumers "unknown").
    let fresh = workspace("reconcile-breaking");
    std::fs::remove_file(fresh.path().join("src/app/checkout.ts")).unwrap();
    let (c, _) = check(fresh.path());
    assert_eq!(find(&points(&c), "Order", "total").unwrap()["category"], 2);
    let with_consumer = workspace("reconcile-breaking");
    let (c, _) = check(with_consumer.path());
    assert_eq!(find(&points(&c), "Order", "total").unwrap()["category"], 3);
    assert!(
        !fresh.path().join(".moment").exists(),
        "check without state writes nothing"
    );
}

/// A workspace whose sides agree on `A`, synced once.
fn agreed_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let a = "export interface A {\n  readonly x: number;\n  readonly y: string;\n  readonly z: boolean;\n  readonly w: string;\n}\n";
    write(dir.path(), "generated/a.types.ts", a);
    write(dir.path(), "src/domain/a.types.ts", a);
    let (v, _) = reconcile(dir.path(), false);
    assert_eq!(v["result"], "NO_CHANGES");
    dir
}

#[test]
fn three_way_direction_for_each_case() {
    let ws = agreed_workspace();
    let spec = "export interface A {\n  readonly x: string;\n  readonly y: string;\n  readonly z: number;\n}\n";
    let imp = "export interface A {\n  readonly x: number;\n  readonly y: number;\n  readonly z: string;\n  readonly w: string;\n}\n";
    write(ws.path(), "generated/a.types.ts", spec);
    write(ws.path(), "src/domain/a.types.ts", imp);
    let (c, _) = check(ws.path());
    let ps = points(&c);
    assert_eq!(
        find(&ps, "A", "x").unwrap()["direction"],
        "spec-ahead",
        "only the spec changed x"
    );
    assert_eq!(
        find(&ps, "A", "y").unwrap()["direction"],
        "impl-ahead",
        "only the implementation changed y"
    );
    let z = find(&ps, "A", "z").unwrap();
    assert_eq!(z["direction"], "conflict", "both changed z");
    assert_eq!(z["category"], 3, "conflicts are breaking");
    let w = find(&ps, "A", "w").unwrap();
    assert_eq!(w["kind"], "extra-member");
    assert_eq!(w["direction"], "spec-ahead", "the spec removed w");
    assert_eq!(w["category"], 2, "removal by the spec without consumers");
    // With a consumer of A, the spec's removal breaks it.
    write(
        ws.path(),
        "src/app/use.ts",
        "import { A } from '../domain/a.types';\nexport const f = (a: A) => a.w;\n",
    );
    let (c, _) = check(ws.path());
    assert_eq!(find(&points(&c), "A", "w").unwrap()["category"], 3);
    // Source attribution in the reconcile report.
    let (r, _) = reconcile(ws.path(), false);
    let prop = |m: &str| {
        r["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["member"] == m)
            .cloned()
            .unwrap()
    };
    assert_eq!(prop("x")["source"]["kind"], "spec-change");
    assert_eq!(prop("y")["source"]["kind"], "implementation-change");
    assert_eq!(prop("z")["source"]["kind"], "both-sides");
    // Directions survive the run: the base keeps the last agreed shapes of drifting items.
    let (c, _) = check(ws.path());
    assert_eq!(
        find(&points(&c), "A", "x").unwrap()["direction"],
        "spec-ahead"
    );
    assert_eq!(
        find(&points(&c), "A", "y").unwrap()["direction"],
        "impl-ahead"
    );
}

#[test]
fn trigger_event_is_the_source_and_the_causation() {
    let ws = agreed_workspace();
    write(ws.path(), "generated/a.types.ts", "export interface A {\n  readonly x: number;\n  readonly y: string;\n  readonly z: boolean;\n  readonly w: string;\n  readonly v?: string;\n}\n");
    let (v, _, _) = run_json(bin().arg("reconcile").arg(ws.path()).args([
        "--json",
        "--trigger-event",
        "evt-42",
    ]));
    assert_eq!(
        v["proposals"][0]["source"],
        serde_json::json!({"kind": "upstream-event", "event_id": "evt-42"})
    );
    let signal: Value = serde_json::from_str(
        std::fs::read_to_string(ws.path().join(v["signal"].as_str().unwrap()))
            .unwrap()
            .trim(),
    )
    .unwrap();
    assert_eq!(signal["causationEventIds"][0], "evt-42");
}

#[test]
fn reject_and_skip_across_runs_with_stable_ids() {
    let ws = workspace("drifted");
    let (before, _) = check(ws.path());
    let ps = points(&before);
    let total = find(&ps, "Invoice", "total").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let due = find(&ps, "Invoice", "dueDate").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Stable ids: a second check gives the same.
    assert_eq!(points(&check(ws.path()).0), ps);

    let out = decide(ws.path(), "reject", &[&total[..6]]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = decide(ws.path(), "skip", &[&due]);
    assert!(out.status.success());

    for _ in 0..2 {
        let (c, stderr) = check(ws.path());
        let ids: Vec<String> = points(&c)
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert!(
            !ids.contains(&total.as_str()),
            "rejected points are suppressed"
        );
        assert!(
            ids.contains(&due.as_str()),
            "skipped points are shown again"
        );
        assert!(
            stderr.contains("1 rejected drift point suppressed"),
            "{stderr}"
        );
        assert_eq!(c["summary"]["driftPoints"], ps.len() - 1);
        let (r, _) = reconcile(ws.path(), false);
        assert_eq!(r["suppressed"], 1);
    }
    // Rejected is terminal; skipped is not.
    let out = decide(ws.path(), "accept", &[&total]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is rejected"));
    assert!(decide(ws.path(), "reject", &[&due]).status.success());

    // Changing the implementation's side of the rejected point gives a new id: shown again.
    let path = ws.path().join("src/domain/billing/invoice.types.ts");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("readonly total: string;", "readonly total: bigint;");
    std::fs::write(&path, text).unwrap();
    let (c, stderr) = check(ws.path());
    let t = find(&points(&c), "Invoice", "total").unwrap().clone();
    assert_ne!(t["id"], total.as_str());
    assert!(
        stderr.contains("1 rejected drift point suppressed"),
        "dueDate is now rejected: {stderr}"
    );

    let (s, _, _) = run_json(bin().arg("status").arg(ws.path()).arg("--json"));
    assert_eq!(s["counts"]["rejected"], 2);
    let log = std::fs::read_to_string(ws.path().join(".moment/feedback-journal.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 3, "each decision is journaled");
}

#[test]
fn impl_ahead_accept_is_feedback_and_edits_nothing() {
    let ws = workspace("drifted");
    let (c, _) = check(ws.path());
    let extra = find(&points(&c), "Invoice", "internalRef").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before =
        std::fs::read_to_string(ws.path().join("src/domain/billing/invoice.types.ts")).unwrap();
    let out = bin()
        .args([
            "decide",
            "accept",
            &extra,
            "--actor",
            "ann",
            "--reason",
            "spec should have it",
            "--root",
        ])
        .arg(ws.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("ValueObjectFieldAdded feedback"));
    assert_eq!(
        before,
        std::fs::read_to_string(ws.path().join("src/domain/billing/invoice.types.ts")).unwrap()
    );
    let entry: Value = serde_json::from_str(
        std::fs::read_to_string(ws.path().join(".moment/feedback-journal.jsonl"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    assert_eq!(entry["actor"], "ann");
    assert_eq!(entry["payload"]["reason"], "spec should have it");
    assert_eq!(entry["payload"]["applied"], false);
}

#[test]
fn decide_finds_the_root_from_the_current_folder_and_reports_bad_ids() {
    let ws = workspace("drifted");
    let (c, _) = check(ws.path());
    let id = points(&c)[0]["id"].as_str().unwrap().to_string();
    let out = bin()
        .current_dir(ws.path().join("src/domain"))
        .args(["decide", "skip", &id])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin()
        .current_dir(ws.path())
        .args(["decide", "skip", "zzzz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("no drift point or proposal has an id starting with `zzzz`"));
    let out = bin()
        .current_dir(ws.path())
        .args(["decide", "skip", ""])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("matches several ids"));
}

#[test]
fn torn_last_line_is_ignored_and_corrupt_middle_line_is_an_error() {
    let ws = workspace("drifted");
    reconcile(ws.path(), false);
    let log = ws.path().join(".moment/sync-log.jsonl");
    let snapshot = ws.path().join(".moment/sync-state.json");
    let events = log_lines(ws.path()).len();
    // A crash mid-append leaves half a line.
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("{\"seq\":999,\"at\":\"2026-");
    std::fs::write(&log, &text).unwrap();
    let out = bin().arg("status").arg(ws.path()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (c, _) = check(ws.path());
    let id = points(&c)[0]["id"].as_str().unwrap().to_string();
    assert!(decide(ws.path(), "skip", &[&id]).status.success());
    let after = log_lines(ws.path());
    assert_eq!(
        after.len(),
        events + 1,
        "no earlier event lost, the torn fragment cut off"
    );
    assert_eq!(after.last().unwrap()["type"], "ProposalSkipped");

    // Corruption in the middle: a clear error naming file and line, nothing overwritten.
    let mut lines: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    lines[1] = "{not json".to_string();
    let corrupt = lines.join("\n") + "\n";
    std::fs::write(&log, &corrupt).unwrap();
    let snap_before = std::fs::read(&snapshot).unwrap();
    for args in [vec!["decide", "reject", &id[..]], vec!["status"]] {
        let mut cmd = bin();
        cmd.args(&args);
        if args[0] == "decide" {
            cmd.arg("--root").arg(ws.path());
        } else {
            cmd.arg(ws.path());
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("sync-log.jsonl:2:"), "{err}");
    }
    let out = bin().args(["reconcile"]).arg(ws.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        corrupt,
        "log untouched"
    );
    assert_eq!(
        std::fs::read(&snapshot).unwrap(),
        snap_before,
        "snapshot untouched"
    );
}

#[test]
fn unknown_event_type_names_file_and_line() {
    let ws = workspace("drifted");
    reconcile(ws.path(), false);
    let log = ws.path().join(".moment/sync-log.jsonl");
    let n = log_lines(ws.path()).len();
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str(&format!(
        "{{\"seq\":{},\"at\":\"2026-01-01T00:00:00Z\",\"type\":\"ProposalTeleported\"}}\n",
        n + 1
    ));
    std::fs::write(&log, text).unwrap();
    let out = bin().arg("status").arg(ws.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "sync-log.jsonl:{}: unknown event type `ProposalTeleported`",
            n + 1
        )),
        "{err}"
    );
}

#[test]
fn two_processes_writing_at_once_lose_no_event() {
    let ws = workspace("drifted");
    reconcile(ws.path(), false);
    let (c, _) = check(ws.path());
    let ids: Vec<String> = points(&c)
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    let (left, right) = ids.split_at(ids.len() / 2);
    let spawn = |ids: &[String]| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("moment-sync"))
            .env("USER", "tester")
            .args(["decide", "skip"])
            .args(ids)
            .arg("--root")
            .arg(ws.path())
            .spawn()
            .unwrap()
    };
    let before = log_lines(ws.path()).len();
    let (mut a, mut b) = (spawn(left), spawn(right));
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    let after = log_lines(ws.path());
    assert_eq!(
        after.len(),
        before + ids.len(),
        "every decision is in the log"
    );
    for (n, e) in after.iter().enumerate() {
        assert_eq!(e["seq"], n as u64 + 1, "sequence numbers stay consecutive");
    }
    let (s, _, _) = run_json(bin().arg("status").arg(ws.path()).arg("--json"));
    assert_eq!(s["counts"]["skipped"], ids.len());
}

#[test]
fn saga_interrupted_after_each_step_resumes() {
    let reference = workspace("reconcile-applied");
    let (expected, _) = reconcile(reference.path(), true);
    let expected_files =
        std::fs::read_to_string(reference.path().join("src/domain/orders/order.types.ts")).unwrap();
    for step in ["diffing", "proposing", "recording", "committing"] {
        let ws = workspace("reconcile-applied");
        let out = bin()
            .arg("reconcile")
            .arg(ws.path())
            .args(["--apply", "--interrupt-after", step])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{step}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("interrupted"),
            "{step}"
        );
        let status =
            String::from_utf8_lossy(&bin().arg("status").arg(ws.path()).output().unwrap().stdout)
                .to_string();
        assert!(
            status.contains("interrupted reconciliation"),
            "{step}: {status}"
        );
        let (v, code) = reconcile(ws.path(), true);
        assert_eq!(code, 0);
        if step == "diffing" {
            assert!(v["aborted"].is_string(), "{step}: {v:#}");
        } else {
            assert!(v["resumed"].is_string(), "{step}: {v:#}");
        }
        assert_eq!(v["result"], expected["result"], "{step}: {v:#}");
        assert_eq!(v["applied"].as_array().unwrap().len(), 2, "{step}");
        assert_eq!(
            std::fs::read_to_string(ws.path().join("src/domain/orders/order.types.ts")).unwrap(),
            expected_files,
            "{step}"
        );
        let (s, _, _) = run_json(bin().arg("status").arg(ws.path()).arg("--json"));
        assert_eq!(s["counts"]["accepted"], 2, "{step}");
        assert!(s["interrupted"].is_null(), "{step}");
        assert!(s["lastSync"].is_string(), "{step}");
        let journal =
            std::fs::read_to_string(ws.path().join(".moment/feedback-journal.jsonl")).unwrap();
        assert_eq!(journal.lines().count(), 2, "{step}: journaled once");
        let log = log_lines(ws.path());
        let cursors = log.iter().filter(|e| e["type"] == "CursorAdvanced").count();
        assert_eq!(cursors, 1, "{step}: the cursor advanced once");
        // The resumed (or fresh) run is complete; the next one finds nothing.
        let (again, _) = reconcile(ws.path(), true);
        assert_eq!(again["result"], "NO_CHANGES", "{step}");
    }
}

#[test]
fn incremental_check_reuses_the_cache_and_status_shows_changes() {
    let ws = workspace("reconcile-drift");
    reconcile(ws.path(), false);
    assert!(
        std::fs::read_dir(ws.path().join(".moment/cache"))
            .unwrap()
            .count()
            > 0
    );
    let (full, _) = check(ws.path());
    write(
        ws.path(),
        "generated/orders/order.types.ts",
        &std::fs::read_to_string(ws.path().join("generated/orders/order.types.ts"))
            .unwrap()
            .replace(
                "readonly note?: string;",
                "readonly note?: string;\n  readonly tag?: string;",
            ),
    );
    let (inc, _) = check(ws.path());
    assert_eq!(points(&inc).len(), points(&full).len() + 1);
    let text =
        String::from_utf8_lossy(&bin().arg("status").arg(ws.path()).output().unwrap().stdout)
            .to_string();
    assert!(
        text.contains("spec side: 1 file changed since the last sync")
            && text.contains("changed  generated/orders/order.types.ts"),
        "{text}"
    );
    assert!(text.contains("implementation side: unchanged"), "{text}");
    // The snapshot is rebuildable from the log.
    let snap = ws.path().join(".moment/sync-state.json");
    let before: Value = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    std::fs::remove_file(&snap).unwrap();
    assert!(bin()
        .arg("status")
        .arg(ws.path())
        .arg("--rebuild")
        .output()
        .unwrap()
        .status
        .success());
    let after: Value = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    assert_eq!(before, after);
    assert!(after["fingerprints"]["spec"]["generated/orders/order.types.ts"].is_string());
    assert!(after["lastSyncTimestamp"].is_string());
}

#[test]
fn state_view_gives_the_language_server_what_check_gets() {
    use moment_sync::analysis::{analyze_with_base, AnalysisInput};
    use moment_sync::model::Side;
    use moment_sync::project::{self, load::read_models, Mode, StateView};
    use moment_sync::reconcile::decide_id;
    use moment_sync::state::Decision;
    use moment_sync::workspace::{Config, Workspace};

    let ws_dir = workspace("reconcile-breaking");
    reconcile(ws_dir.path(), false);
    let ws = Workspace::open(ws_dir.path(), &Config::default()).unwrap();
    let (c, _) = check(ws_dir.path());
    let id = points(&c)[0]["id"].as_str().unwrap().to_string();
    std::env::set_var("USER", "tester");
    let outcome = decide_id(
        ws_dir.path(),
        &id[..8],
        Decision::Reject,
        Some("later".into()),
    )
    .unwrap();
    assert_eq!(outcome.id, id);

    let models = read_models(&ws.source_files().unwrap(), &|| {}).unwrap();
    let (spec, implementation): (Vec<_>, Vec<_>) =
        models.into_iter().partition(|m| m.side == Side::Spec);
    let view = StateView::load(&ws, &spec).unwrap();
    assert!(view.recorded);
    let input = AnalysisInput {
        spec,
        implementation,
        consumers: view.consumers(),
        implementation_dir: ws.implementation_dir.clone(),
    };
    let mut analysis = analyze_with_base(&input, view.base());
    let hidden = view.suppress(&mut analysis);
    assert_eq!(hidden.len(), 1);
    assert_eq!(view.history(&id)[0].reason.as_deref(), Some("later"));
    assert_eq!(
        view.consumer_summary("Order"),
        "consumed by 1 file in 1 service"
    );
    let checked = project::check(&ws, Mode::IfRecorded, &|| {}).unwrap();
    assert_eq!(checked.analysis.points, analysis.points);
    assert_eq!(
        moment_sync::state::decision_history(ws_dir.path(), &id)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn check_json_with_state_still_validates_against_schema_version_1() {
    let schema: Value =
        serde_json::from_str(include_str!("../docs/schema/check-report.v1.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let ws = workspace("drifted");
    reconcile(ws.path(), false);
    let (c, _) = check(ws.path());
    let id = points(&c)[0]["id"].as_str().unwrap().to_string();
    assert!(decide(ws.path(), "reject", &[&id]).status.success());
    let (json, stderr) = check(ws.path());
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(stderr.contains("1 rejected drift point suppressed"));
}

#[test]
fn service_dirs_and_exit_codes_are_configurable() {
    let ws = workspace("reconcile-breaking");
    write(ws.path(), "services/billing/a.ts", "import { Order } from '../../generated/orders/order.types';\nexport const t = (o: Order) => o.total;\n");
    write(ws.path(), "services/shipping/b.ts", "import type { Order } from '../../generated/orders/order.types';\nexport type X = Order;\n");
    write(
        ws.path(),
        "services/shipping/c.ts",
        "export const column = 'orderId';\n",
    );
    write(
        ws.path(),
        ".moment/sync.json",
        r#"{ "serviceDirs": ["services"], "reconcileExitCodes": { "BREAKING": 7, "DRIFT": 3 } }"#,
    );
    let (v, code) = reconcile(ws.path(), false);
    assert_eq!(v["result"], "BREAKING");
    assert_eq!(code, 7);
    // Only files below serviceDirs count; src/app/checkout.ts is outside them now.
    let order = v["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["symbol"] == "Order")
        .unwrap();
    assert_eq!(
        order["consumers"],
        "consumed by 2 files in 2 services (1 file more may use its field names)"
    );
    write(
        ws.path(),
        ".moment/sync.json",
        r#"{ "reconcileExitCodes": { "BROKEN": 1 } }"#,
    );
    let out = bin().arg("reconcile").arg(ws.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown reconcile result `BROKEN`"));
}

#[test]
fn the_newest_upstream_event_triggers_the_run_once() {
    let ws = agreed_workspace();
    write(ws.path(), "generated/a.types.ts", "export interface A {\n  readonly x: number;\n  readonly y: string;\n  readonly z: boolean;\n  readonly w: string;\n  readonly v?: string;\n}\n");
    let envelope = |id: &str, ts: &str| {
        format!(
            r#"{{"eventId":"{id}","eventType":"ValueObjectDefined","version":1,"productSource":"sift","sessionId":"s","causationEventIds":[],"correlationId":null,"timestamp":"{ts}","payload":{{"name":"A"}}}}"#
        )
    };
    write(
        ws.path(),
        ".complai/events/moment/upstream.jsonl",
        &format!(
            "{}\n{}\n",
            envelope("evt-1", "2026-01-01T00:00:00Z"),
            envelope("evt-2", "2026-01-02T00:00:00Z")
        ),
    );
    let (v, _) = reconcile(ws.path(), false);
    assert_eq!(v["proposals"][0]["source"]["event_id"], "evt-2", "{v:#}");
    let signal: Value = serde_json::from_str(
        std::fs::read_to_string(ws.path().join(v["signal"].as_str().unwrap()))
            .unwrap()
            .trim(),
    )
    .unwrap();
    assert_eq!(signal["causationEventIds"][0], "evt-2");
    // Consumed: the next run has no new upstream event (its own signal does not count).
    let (again, _) = reconcile(ws.path(), false);
    let signal: Value = serde_json::from_str(
        std::fs::read_to_string(ws.path().join(again["signal"].as_str().unwrap()))
            .unwrap()
            .trim(),
    )
    .unwrap();
    assert_eq!(signal["causationEventIds"], serde_json::json!([]));
}

#[test]
fn an_acceptance_recorded_without_applying_edits_nothing() {
    use moment_sync::reconcile::decide_with;
    use moment_sync::state::{Decision, Status};
    use moment_sync::workspace::{Config, Workspace};

    let ws_dir = workspace("drifted");
    let (before, _) = check(ws_dir.path());
    let ps = points(&before);
    let p = ps
        .iter()
        .find(|p| p["direction"] != "impl-ahead" && !p["fixes"].as_array().unwrap().is_empty())
        .expect("a fixable spec-ahead point");
    let id = p["id"].as_str().unwrap().to_string();
    let path = ws_dir
        .path()
        .join(p["implementation"]["path"].as_str().unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    let ws = Workspace::open(ws_dir.path(), &Config::default()).unwrap();
    // The language server's quick fix: the editor applied the edit, the command records it.
    let [outcome] = decide_with(
        &ws,
        std::slice::from_ref(&id),
        Decision::Accept,
        None,
        "ann",
        false,
    )
    .unwrap()
    .try_into()
    .unwrap();
    assert_eq!(outcome.status, Status::Accepted);
    assert!(outcome.applied_fix.is_some());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    let accepted = log_lines(ws_dir.path())
        .into_iter()
        .find(|e| e["type"] == "ProposalAccepted")
        .unwrap();
    assert_eq!(accepted["id"], id.as_str());
    assert_eq!(accepted["applied"], true);
}

fn fix(root: &Path, max: &str) -> std::process::Output {
    bin()
        .args(["fix", "--max-category", max])
        .arg(root)
        .output()
        .unwrap()
}

#[test]
fn fix_skips_rejected_points() {
    let ws = agreed_workspace();
    // The spec adds an optional field (category 1) and changes another (category 2).
    let spec = "export interface A {\n  readonly x: string;\n  readonly y: string;\n  readonly z: boolean;\n  readonly w: string;\n  readonly v?: string;\n}\n";
    write(ws.path(), "generated/a.types.ts", spec);
    let (c, _) = check(ws.path());
    let v = find(&points(&c), "A", "v").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let x = find(&points(&c), "A", "x").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(decide(ws.path(), "reject", &[&v]).status.success());
    let before = std::fs::read_to_string(ws.path().join("src/domain/a.types.ts")).unwrap();
    let out = fix(ws.path(), "3");
    assert!(out.status.success(), "{out:?}");
    let after = std::fs::read_to_string(ws.path().join("src/domain/a.types.ts")).unwrap();
    assert!(
        !after.contains("v?"),
        "the rejected addition stays out:\n{after}"
    );
    assert!(
        after.contains("readonly x: string"),
        "the other fix applies:\n{after}"
    );
    assert_ne!(before, after);
    // The rejected point is still suppressed, the fixed one gone.
    let (c, _) = check(ws.path());
    assert!(find(&points(&c), "A", "x").is_none());
    assert!(points(&c).iter().all(|p| p["id"] != v.as_str()));
    let _ = x;
}

#[test]
fn fix_follows_directions_from_the_base() {
    let ws = agreed_workspace();
    // The implementation adds a field and changes y; the spec changes x: only x is the spec's.
    let imp = "export interface A {\n  readonly x: number;\n  readonly y: number;\n  readonly z: boolean;\n  readonly w: string;\n  readonly extra: number;\n}\n";
    let spec = "export interface A {\n  readonly x: string;\n  readonly y: string;\n  readonly z: boolean;\n  readonly w: string;\n}\n";
    write(ws.path(), "src/domain/a.types.ts", imp);
    write(ws.path(), "generated/a.types.ts", spec);
    let (c, _) = check(ws.path());
    let ps = points(&c);
    assert_eq!(find(&ps, "A", "y").unwrap()["direction"], "impl-ahead");
    assert_eq!(find(&ps, "A", "extra").unwrap()["direction"], "impl-ahead");
    assert_eq!(find(&ps, "A", "x").unwrap()["direction"], "spec-ahead");
    assert!(fix(ws.path(), "3").status.success());
    let after = std::fs::read_to_string(ws.path().join("src/domain/a.types.ts")).unwrap();
    assert!(after.contains("readonly x: string"), "{after}");
    assert!(
        after.contains("readonly y: number"),
        "impl-ahead change kept:\n{after}"
    );
    assert!(
        after.contains("readonly extra: number"),
        "impl-ahead field kept:\n{after}"
    );
}

#[test]
fn check_runs_without_a_missing_or_corrupt_base_and_says_how_to_rebuild() {
    let ws = workspace("reconcile-drift");
    reconcile(ws.path(), false);
    let (expected, _) = check(ws.path());
    let bases = ws.path().join(".moment/bases");
    let base = std::fs::read_dir(&bases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a base");
    for damage in ["corrupt", "missing"] {
        match damage {
            "corrupt" => std::fs::write(&base, "{ not json").unwrap(),
            _ => std::fs::remove_file(&base).unwrap(),
        }
        let (v, code, stderr) =
            run_json(bin().arg("check").arg(ws.path()).args(["--format", "json"]));
        assert!(code == 0 || code == 1, "{damage}: exit {code}: {stderr}");
        assert!(
            stderr.contains("moment-sync reconcile"),
            "{damage}: {stderr}"
        );
        assert_eq!(
            points(&v).len(),
            points(&expected).len(),
            "{damage}: same drift"
        );
        let status = bin().arg("status").arg(ws.path()).output().unwrap();
        assert!(status.status.success(), "{damage}: status {status:?}");
    }
    // reconcile records a new base: the warning goes away.
    let (_, code) = reconcile(ws.path(), false);
    assert!(code == 0 || code == 1, "reconcile exit {code}");
    let (_, _, stderr) = run_json(bin().arg("check").arg(ws.path()).args(["--format", "json"]));
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn a_log_path_that_is_a_folder_is_an_error_not_a_silent_stateless_check() {
    let ws = workspace("reconcile-drift");
    reconcile(ws.path(), false);
    let (c, _) = check(ws.path());
    let id = points(&c)[0]["id"].as_str().unwrap().to_string();
    assert!(decide(ws.path(), "reject", &[&id]).status.success());
    let log = ws.path().join(".moment/sync-log.jsonl");
    std::fs::rename(&log, ws.path().join("saved-log")).unwrap();
    std::fs::create_dir(&log).unwrap();
    let out = bin()
        .arg("check")
        .arg(ws.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sync-log.jsonl") && stderr.contains("not a file"),
        "{stderr}"
    );
}

#[test]
fn decide_succeeds_once_the_log_has_the_decision_even_if_the_snapshot_cannot_be_written() {
    let ws = workspace("reconcile-drift");
    reconcile(ws.path(), false);
    let (c, _) = check(ws.path());
    let id = points(&c)[0]["id"].as_str().unwrap().to_string();
    // A folder where sync-state.json goes: the derived snapshot cannot be replaced (even by
    // root), the log can still be appended to.
    let snapshot = ws.path().join(".moment/sync-state.json");
    std::fs::remove_file(&snapshot).unwrap();
    std::fs::create_dir_all(snapshot.join("blocker")).unwrap();
    let out = decide(ws.path(), "reject", &[&id]);
    assert!(out.status.success(), "{out:?}");
    let (c, _) = check(ws.path());
    assert!(
        points(&c).iter().all(|p| p["id"] != id.as_str()),
        "recorded"
    );
}

#[cfg(unix)]
#[test]
fn decide_in_a_read_only_state_folder_records_nothing_and_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let ws = workspace("reconcile-drift");
    reconcile(ws.path(), false);
    let (c, _) = check(ws.path());
    let id = points(&c)[0]["id"].as_str().unwrap().to_string();
    let state = ws.path().join(".moment");
    let log_before = std::fs::read(state.join("sync-log.jsonl")).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = state.join("probe");
    let privileged = std::fs::write(&probe, "x").is_ok();
    let _ = std::fs::remove_file(&probe);
    let out = decide(ws.path(), "reject", &[&id]);
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).unwrap();
    if privileged {
        // Root ignores folder permissions: the decision is recorded like anywhere else.
        assert!(out.status.success(), "{out:?}");
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not writable") && stderr.contains("nothing was recorded"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(state.join("sync-log.jsonl")).unwrap(),
        log_before
    );
}

#[test]
fn a_tampered_cache_never_hides_drift() {
    let ws = workspace("reconcile-drift");
    reconcile(ws.path(), false);
    let (expected, _) = check(ws.path());
    let cache = ws.path().join(".moment/cache/cache.bin");
    let bytes = std::fs::read(&cache).expect("one cache file");
    // Flip bytes all over the payloads: every damaged entry must be a miss.
    for step in [7usize, 13, 31] {
        let mut damaged = bytes.clone();
        for i in (40..damaged.len()).step_by(step) {
            damaged[i] ^= 0x55;
        }
        std::fs::write(&cache, &damaged).unwrap();
        let (v, _) = check(ws.path());
        assert_eq!(points(&v), points(&expected), "damage every {step} bytes");
    }
    // Garbage and an empty file: same drift.
    for junk in [&b"junk"[..], &b""[..]] {
        std::fs::write(&cache, junk).unwrap();
        let (v, _) = check(ws.path());
        assert_eq!(points(&v), points(&expected));
    }
}
