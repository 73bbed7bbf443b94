//! The artifact store against temporary repositories: snapshot, no-op snapshot, history, diff,
//! rollback, refusal on dirty files, HEAD/index/work tree untouched.

mod common;

use std::path::Path;

use common::{git_ok, moment_sync, project, write};
use moment_sync::git::{ArtifactStore, SnapshotOutcome, StoreError};

fn store(root: &Path) -> ArtifactStore {
    ArtifactStore::open_at(root, "generated").unwrap()
}

fn created(outcome: SnapshotOutcome) -> moment_sync::git::Snapshot {
    match outcome {
        SnapshotOutcome::Created(s) => s,
        SnapshotOutcome::Unchanged(s) => panic!("expected a new snapshot, got unchanged {}", s.id),
    }
}

/// Everything git users care about that a snapshot must not change.
fn repo_state(root: &Path) -> (String, Vec<u8>, String, String) {
    (
        git_ok(root, &["rev-parse", "HEAD"]),
        std::fs::read(root.join(".git/index")).unwrap(),
        git_ok(root, &["status", "--porcelain", "--untracked-files=all"]),
        std::fs::read_to_string(root.join(".git/HEAD")).unwrap(),
    )
}

#[test]
fn snapshot_leaves_head_index_and_work_tree_alone() {
    let dir = project();
    let root = dir.path();
    write(
        root,
        "generated/billing/payment.types.ts",
        "export interface Payment { amount: number }\n",
    );
    git_ok(root, &["add", "generated/billing/payment.types.ts"]); // staged, uncommitted
    write(root, "notes.txt", "untracked\n");
    let before = repo_state(root);
    let snapshot = created(store(root).snapshot(Some("first")).unwrap());
    assert_eq!(repo_state(root), before);
    assert_eq!(
        git_ok(root, &["rev-parse", "refs/moment/artifacts"]).trim(),
        snapshot.id
    );
    let tree = git_ok(
        root,
        &["ls-tree", "-r", "--name-only", "refs/moment/artifacts"],
    );
    assert_eq!(
        tree.lines().collect::<Vec<_>>(),
        [
            "billing/index.ts",
            "billing/invoice.types.ts",
            "billing/payment.types.ts"
        ]
    );
    let message = git_ok(root, &["log", "-1", "--format=%B", "refs/moment/artifacts"]);
    assert!(message.starts_with("first\n"), "{message}");
    assert!(
        message.contains("Moment-Spec-Fingerprint: sha256:"),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "Moment-Tool-Version: moment-sync {}",
            moment_sync::VERSION
        )),
        "{message}"
    );
    assert!(message.contains("Moment-Snapshot-Time: "), "{message}");
    assert_eq!(
        snapshot
            .fingerprint
            .as_deref()
            .map(|f| f.starts_with("sha256:")),
        Some(true)
    );
}

#[test]
fn unchanged_spec_records_nothing() {
    let dir = project();
    let root = dir.path();
    let first = created(store(root).snapshot(None).unwrap());
    assert_eq!(first.message, "Snapshot of generated");
    // Implementation edits do not matter to the spec side's snapshot.
    write(
        root,
        "src/domain/billing/invoice.types.ts",
        "export interface Invoice { id: string }\n",
    );
    match store(root).snapshot(Some("again")).unwrap() {
        SnapshotOutcome::Unchanged(s) => assert_eq!(s.id, first.id),
        SnapshotOutcome::Created(s) => panic!("unexpected snapshot {}", s.id),
    }
    assert_eq!(
        git_ok(root, &["rev-list", "--count", "refs/moment/artifacts"]).trim(),
        "1"
    );
    let out = moment_sync(root).arg("snapshot").output().unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("unchanged"),
        "{out:?}"
    );
}

#[test]
fn history_lists_newest_first_like_oneline() {
    let dir = project();
    let root = dir.path();
    let a = created(store(root).snapshot(Some("one")).unwrap());
    write(
        root,
        "generated/billing/invoice.types.ts",
        "export interface Invoice { readonly id: string }\n",
    );
    let b = created(store(root).snapshot(Some("two")).unwrap());
    let history = store(root).history().unwrap();
    assert_eq!(
        history.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        [b.id.clone(), a.id.clone()]
    );
    assert_eq!(
        store(root).latest().unwrap().map(|s| s.id),
        Some(b.id.clone())
    );

    let out = moment_sync(root).arg("history").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with(&b.short_id) && lines[0].ends_with(" two"),
        "{text}"
    );
    assert!(
        lines[1].starts_with(&a.short_id) && lines[1].ends_with(" one"),
        "{text}"
    );
    let time = lines[0].split(' ').nth(1).unwrap();
    assert!(time.len() == 20 && time.ends_with('Z'), "{text}");
}

#[test]
fn read_snapshot_gives_the_three_way_base() {
    let dir = project();
    let root = dir.path();
    let s = created(store(root).snapshot(None).unwrap());
    let files = store(root).read_snapshot(&s.id[..10]).unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[1].0, "billing/invoice.types.ts");
    assert!(files[1].1.contains("readonly total: number"));
}

#[test]
fn diff_phrases_engine_drift_as_spec_changes() {
    let dir = project();
    let root = dir.path();
    let a = created(store(root).snapshot(Some("one")).unwrap());
    write(
        root,
        "generated/billing/invoice.types.ts",
        "export interface Invoice {\n  readonly id: string;\n  readonly total: string;\n  readonly note?: string;\n}\nexport interface Refund {\n  readonly amount: number;\n}\n",
    );
    write(root, "generated/billing/extra.md", "docs\n");
    // Snapshot vs work tree, with an abbreviated id.
    let out = moment_sync(root)
        .args(["diff", &a.id[..8], "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diff = &json["diff"];
    assert_eq!(diff["addedFiles"], serde_json::json!(["billing/extra.md"]));
    assert_eq!(
        diff["modifiedFiles"],
        serde_json::json!(["billing/invoice.types.ts"])
    );
    let changes = diff["changes"].as_array().unwrap();
    let find = |change: &str, symbol: &str| {
        changes
            .iter()
            .find(|c| c["change"] == change && c["symbol"] == symbol)
            .unwrap_or_else(|| panic!("{change} {symbol} in {changes:#?}"))
    };
    find("added-type", "Refund");
    let note = find("added-member", "Invoice");
    assert_eq!(note["member"], "note");
    let total = find("changed-type", "Invoice");
    assert_eq!(
        (total["before"].as_str(), total["after"].as_str()),
        (Some("number"), Some("string"))
    );
    assert_eq!(total["line"], 3);

    // Between two snapshots, in the other direction: removals.
    let b = created(store(root).snapshot(Some("two")).unwrap());
    let out = moment_sync(root)
        .args(["diff", &b.short_id, &a.short_id])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("removed type Refund"), "{text}");
    assert!(text.contains("removed member Invoice.note"), "{text}");
    assert!(text.contains("D billing/extra.md"), "{text}");
}

#[test]
fn rollback_restores_creates_and_deletes() {
    let dir = project();
    let root = dir.path();
    let a = created(store(root).snapshot(Some("one")).unwrap());
    write(
        root,
        "generated/billing/invoice.types.ts",
        "export interface Invoice { readonly id: string }\n",
    );
    write(
        root,
        "generated/orders/order.types.ts",
        "export interface Order { id: string }\n",
    );
    std::fs::remove_file(root.join("generated/billing/index.ts")).unwrap();
    created(store(root).snapshot(Some("two")).unwrap());
    let before = (
        git_ok(root, &["rev-parse", "HEAD"]),
        std::fs::read(root.join(".git/index")).unwrap(),
    );

    let out = moment_sync(root)
        .args(["rollback", &a.short_id])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("M generated/billing/invoice.types.ts"),
        "{text}"
    );
    assert!(text.contains("A generated/billing/index.ts"), "{text}");
    assert!(text.contains("D generated/orders/order.types.ts"), "{text}");
    assert!(
        !root.join("generated/orders").exists(),
        "emptied folders are removed"
    );
    assert!(
        std::fs::read_to_string(root.join("generated/billing/invoice.types.ts"))
            .unwrap()
            .contains("total")
    );
    assert_eq!(
        (
            git_ok(root, &["rev-parse", "HEAD"]),
            std::fs::read(root.join(".git/index")).unwrap()
        ),
        before
    );
    // Nothing left to do.
    let out = moment_sync(root)
        .args(["rollback", &a.id])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing changed"));
}

#[test]
fn rollback_refuses_to_overwrite_unsaved_edits_unless_forced() {
    let dir = project();
    let root = dir.path();
    let a = created(store(root).snapshot(Some("one")).unwrap());
    write(
        root,
        "generated/billing/invoice.types.ts",
        "export interface Invoice { readonly id: string }\n",
    );
    created(store(root).snapshot(Some("two")).unwrap());
    // An edit that is in no commit and no snapshot.
    let edited = "export interface Invoice { readonly id: string; draft: boolean }\n";
    write(root, "generated/billing/invoice.types.ts", edited);

    let err = store(root)
        .rollback(&store(root).resolve(&a.id).unwrap(), false)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Dirty { files } if files == &["generated/billing/invoice.types.ts"]),
        "{err}"
    );
    let out = moment_sync(root)
        .args(["rollback", &a.short_id])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("generated/billing/invoice.types.ts") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("generated/billing/invoice.types.ts")).unwrap(),
        edited
    );

    // Content that git has (HEAD or the index) is safe to overwrite.
    git_ok(root, &["add", "generated/billing/invoice.types.ts"]);
    let report = store(root)
        .rollback(&store(root).resolve(&a.id).unwrap(), false)
        .unwrap();
    assert_eq!(report.restored, ["billing/invoice.types.ts"]);

    // --force overwrites and says so.
    write(root, "generated/billing/invoice.types.ts", edited);
    git_ok(root, &["reset", "-q"]);
    let out = moment_sync(root)
        .args(["rollback", &a.short_id, "--force"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("overwrote unsaved edits"));
}

#[test]
fn errors_name_the_problem() {
    let dir = project();
    let root = dir.path();
    let out = moment_sync(root)
        .args(["diff", "abc1234"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no snapshot yet"),
        "{out:?}"
    );
    created(store(root).snapshot(None).unwrap());
    // HEAD is a commit, but not a snapshot.
    let out = moment_sync(root)
        .args(["rollback", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("names no snapshot"),
        "{out:?}"
    );

    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "generated/a.ts", "export type A = string;\n");
    std::fs::create_dir_all(plain.path().join(".moment")).unwrap();
    let out = moment_sync(plain.path()).arg("snapshot").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"),
        "{out:?}"
    );
}

#[cfg(unix)]
#[test]
fn executable_bit_and_binary_files_round_trip() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let root = dir.path();
    let tool = root.join("generated/bin/gen.sh");
    write(root, "generated/bin/gen.sh", "#!/bin/sh\necho hi\n");
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(root.join("generated/logo.bin"), [0u8, 159, 146, 150, 255]).unwrap();
    let a = created(store(root).snapshot(None).unwrap());
    assert!(git_ok(root, &["ls-tree", "-r", "refs/moment/artifacts"]).contains("100755 blob"));
    std::fs::remove_file(&tool).unwrap();
    std::fs::write(root.join("generated/logo.bin"), b"changed").unwrap();
    git_ok(root, &["add", "-A"]); // make the edits recoverable, so no --force is needed
    let report = store(root).rollback(&a, false).unwrap();
    assert_eq!(report.created, ["bin/gen.sh"]);
    assert_eq!(report.restored, ["logo.bin"]);
    assert_eq!(
        std::fs::metadata(&tool).unwrap().permissions().mode() & 0o111,
        0o111
    );
    assert_eq!(
        std::fs::read(root.join("generated/logo.bin")).unwrap(),
        [0u8, 159, 146, 150, 255]
    );
    // The text view of a snapshot leaves out what is not UTF-8.
    assert!(store(root)
        .read_snapshot(&a.id)
        .unwrap()
        .iter()
        .all(|(p, _)| p != "logo.bin"));
}
