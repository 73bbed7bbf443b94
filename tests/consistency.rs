//! One check everywhere: `check --format json`, `reconcile --json`, `status --json` and the
//! language server's diagnostics report the same drift points (ids, kinds, categories,
//! directions) on the same workspace — before anything is recorded (no `.moment/` at all, or
//! only its `sync.json`) and after a `reconcile` recorded state. Categories must not depend on
//! whether state exists (consumption detection always runs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use serde_json::Value;

use moment_sync::lsp::capabilities::ClientFeatures;
use moment_sync::lsp::diagnostics;
use moment_sync::lsp::documents::{file_uri, DocumentStore};
use moment_sync::lsp::index::Index;
use moment_sync::lsp::snapshot::{ModelCache, Snapshot};
use moment_sync::project::StateView;
use moment_sync::workspace::{Config, Workspace};

/// id → (kind, category, direction).
type Points = BTreeMap<String, (String, u64, String)>;

fn bin() -> Command {
    let mut c = Command::cargo_bin("moment-sync").unwrap();
    c.env("NO_COLOR", "1")
        .env("USER", "tester")
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

fn json_of(args: &[&str], root: &Path) -> Value {
    let out = bin().args(args).arg(root).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: {e}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn points_of(list: &Value) -> Points {
    list.as_array()
        .expect("a list of drift points")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                (
                    p["kind"].as_str().unwrap().to_string(),
                    p["category"].as_u64().unwrap(),
                    p["direction"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

fn check(root: &Path) -> Points {
    points_of(&json_of(&["check", "--format", "json"], root)["driftPoints"])
}

/// `reconcile` (without `--apply`) proposes every open drift point.
fn reconcile(root: &Path) -> Points {
    let r = json_of(&["reconcile", "--json"], root);
    assert_eq!(r["outcome"], r["result"], "the old name stays an alias");
    points_of(&r["proposals"])
}

/// `status` summarises the drift: (points, category 1, 2, 3).
fn status(root: &Path) -> (u64, u64, u64, u64) {
    let d = &json_of(&["status", "--json"], root)["drift"];
    let n = |k: &str| d[k].as_u64().unwrap();
    (
        n("driftPoints"),
        n("category1"),
        n("category2"),
        n("category3"),
    )
}

fn summary(points: &Points) -> (u64, u64, u64, u64) {
    let n = |c: u64| points.values().filter(|p| p.1 == c).count() as u64;
    (points.len() as u64, n(1), n(2), n(3))
}

/// What the editor shows: the language server's snapshot of the workspace (disk, plus the
/// documents opened from `open` with their disk text), rendered as diagnostics; each point
/// counted once where its data says so.
fn editor(root: &Path, open: &[&str]) -> Points {
    let ws = Workspace::open(root, &Config::default()).unwrap();
    let config = ws.config.clone();
    let index = Index::load(ws, &|_, _| ()).unwrap();
    let spec: Vec<_> = index
        .models()
        .filter(|m| m.side == moment_sync::model::Side::Spec)
        .cloned()
        .collect();
    let view = Arc::new(StateView::load(&index.ws, &spec).unwrap());
    let docs = DocumentStore::default();
    for rel in open {
        let path = index.root().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        docs.open(file_uri(&path).unwrap(), &text, 1);
    }
    let snap = Snapshot::build(
        1,
        Some(&index),
        config,
        Some(view),
        &docs,
        &mut ModelCache::default(),
        &mut None,
    );
    let features = ClientFeatures {
        diagnostic_data: true,
        ..Default::default()
    };
    let by_id: BTreeMap<&str, _> = snap.analysis.points.iter().map(|p| (&*p.id, p)).collect();
    let mut shown = Points::new();
    for (path, side) in snap.files_with_points() {
        for d in diagnostics::for_file(&snap, &path, side, &features) {
            let data = d
                .data
                .as_ref()
                .expect("diagnostics carry their drift point");
            if data["counted"] != Value::Bool(true) {
                continue;
            }
            let id = data["driftId"].as_str().unwrap();
            let p = by_id[id];
            assert_eq!(data["category"], p.category.number(), "{id}");
            let entry = (
                d.code
                    .as_ref()
                    .map(|c| match c {
                        tower_lsp_server::ls_types::NumberOrString::String(s) => s.clone(),
                        tower_lsp_server::ls_types::NumberOrString::Number(n) => n.to_string(),
                    })
                    .unwrap(),
                data["category"].as_u64().unwrap(),
                serde_json::to_value(p.direction)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
            let before = shown.insert(id.to_string(), entry);
            assert!(before.is_none(), "{id} counted twice");
        }
    }
    shown
}

/// Every view of one workspace state agrees; returns the points.
fn agree(root: &Path, open: &[&str], label: &str) -> Points {
    let checked = check(root);
    assert!(!checked.is_empty(), "{label}: the fixture drifts");
    assert_eq!(status(root), summary(&checked), "{label}: status vs check");
    assert_eq!(editor(root, &[]), checked, "{label}: editor vs check");
    assert_eq!(
        editor(root, open),
        checked,
        "{label}: editor with open documents vs check"
    );
    checked
}

fn same_everywhere(fixture_name: &str, open: &[&str], drop_moment_dir: bool) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_dir(&fixture(fixture_name), root);
    if drop_moment_dir {
        std::fs::remove_dir_all(root.join(".moment")).unwrap();
    }
    let before = agree(root, open, "before any state");
    // The first reconcile proposes what check reported, and records state.
    assert_eq!(reconcile(root), before, "reconcile vs check");
    assert!(root.join(".moment/sync-log.jsonl").is_file());
    let after = agree(root, open, "with recorded state");
    // Ids and categories do not depend on whether state exists (directions may: a base
    // decides them three-way, and none is recorded before the first reconcile).
    let facts = |p: &Points| -> BTreeMap<String, (String, u64)> {
        p.iter()
            .map(|(id, (k, c, _))| (id.clone(), (k.clone(), *c)))
            .collect()
    };
    assert_eq!(facts(&after), facts(&before), "with vs without state");
    assert_eq!(reconcile(root), after, "a repeat reconcile vs check");
}

#[test]
fn drifted_with_only_its_config() {
    same_everywhere(
        "drifted",
        &[
            "src/domain/billing/invoice.aggregate.ts",
            "generated/billing/index.ts",
        ],
        false,
    );
}

#[test]
fn drifted_without_a_moment_folder() {
    same_everywhere(
        "drifted",
        &["src/domain/billing/invoice.aggregate.ts"],
        true,
    );
}

#[test]
fn a_moment_spec_workspace() {
    same_everywhere("moment-shop", &[], false);
}
