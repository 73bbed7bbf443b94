//! Issue 14: safe in a hostile repository, under concurrency and on pathological input.
//!
//! One section per numbered item of the audit; every test here failed on the code before the fix
//! it guards.

#[cfg(target_os = "linux")]
#[path = "common/rss.rs"]
mod rss;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("moment-sync").expect("binary builds");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A workspace with both sides holding `spec` and `implementation` as `a.ts`.
fn workspace(spec: &str, implementation: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "generated/a.ts", spec);
    write(dir.path(), "src/domain/a.ts", implementation);
    dir
}

fn check_json(root: &Path) -> (Value, i32, String) {
    let out = bin()
        .args(["check", "--format", "json"])
        .arg(root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    (json, out.status.code().unwrap_or(-1), stderr)
}

fn points(v: &Value) -> Vec<Value> {
    v["driftPoints"].as_array().cloned().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// 5. Recursion depth: nesting to 100,000 levels never crashes.

const DEEP: usize = 100_000;

fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    let mut s = String::with_capacity((open.len() + close.len()) * n + inner.len());
    for _ in 0..n {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..n {
        s.push_str(close);
    }
    s
}

fn deep_files() -> Vec<(&'static str, String)> {
    vec![
        (
            "object",
            format!(
                "export interface A {{ a: {}; }}\n",
                nested("{ a: ", "string", " }", DEEP)
            ),
        ),
        (
            "function",
            format!("export type F = {};\n", nested("() => ", "void", "", DEEP)),
        ),
        (
            "parentheses",
            format!("export type P = {};\n", nested("(", "string", ")", DEEP)),
        ),
        (
            "generic",
            format!(
                "export type G = {};\n",
                nested("Array<", "string", ">", DEEP)
            ),
        ),
    ]
}

#[test]
fn nesting_to_100000_levels_is_a_diagnostic_not_a_crash() {
    for (what, text) in deep_files() {
        let tail = "export interface Tail { readonly id: string }\n";
        let ws = workspace(
            &format!("{text}{tail}"),
            &format!("{text}export interface Tail {{ id: string }}\n"),
        );
        let (json, code, stderr) = check_json(ws.path());
        assert_eq!(
            code, 1,
            "{what}: check must finish and report drift; stderr: {stderr}"
        );
        // The rest of the file is still compared: the readonly drift of `Tail` is found.
        let ps = points(&json);
        assert!(
            ps.iter().any(|p| p["kind"] == "changed-readonly"),
            "{what}: {ps:?}"
        );
        let human = bin().arg("check").arg(ws.path()).output().unwrap();
        let text = String::from_utf8_lossy(&human.stdout);
        assert!(
            text.contains("too deeply nested"),
            "{what}: no depth diagnostic in\n{text}"
        );
    }
}

#[test]
fn a_flat_union_of_20000_members_is_compared_member_by_member() {
    let members: Vec<String> = (0..20_000).map(|n| format!("'m{n}'")).collect();
    let spec = format!("export type U = {};\n", members.join(" | "));
    let implementation = format!("export type U = {};\n", members[1..].join(" | "));
    let ws = workspace(&spec, &implementation);
    let (json, code, stderr) = check_json(ws.path());
    assert_eq!(code, 1, "stderr: {stderr}");
    let ps = points(&json);
    assert_eq!(ps.len(), 1, "{ps:?}");
    assert_eq!(ps[0]["member"], "\"m0\"", "{:?}", ps[0]);
}

// ---------------------------------------------------------------------------------------------
// Helpers for the state and file-system items.

/// A spec interface with `n` members the implementation lacks: `n` category-1 points, each
/// with a fix in `src/domain/a.ts`.
fn missing_members(n: usize) -> tempfile::TempDir {
    let fields: String = (0..n)
        .map(|i| format!("  readonly f{i}: string;\n"))
        .collect();
    workspace(
        &format!("export interface Order {{\n  readonly id: string;\n{fields}}}\n"),
        "export interface Order {\n  readonly id: string;\n}\n",
    )
}

fn ids(root: &Path) -> Vec<String> {
    let (json, _, _) = check_json(root);
    points(&json)
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

fn decide(root: &Path, what: &str, ids: &[&str]) -> std::process::Output {
    bin()
        .arg("decide")
        .arg(what)
        .args(ids)
        .arg("--root")
        .arg(root)
        .env("USER", "tester")
        .output()
        .unwrap()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// A folder outside the project holding a file that must survive.
fn victim() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "precious.txt", "do not delete\n");
    write(dir.path(), "package.json", "{}\n");
    dir
}

fn assert_victim_intact(v: &Path) {
    assert_eq!(
        std::fs::read_to_string(v.join("precious.txt"))
            .ok()
            .as_deref(),
        Some("do not delete\n"),
        "a file outside the project was deleted or changed"
    );
    assert!(v.join("package.json").exists(), "package.json was deleted");
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

// ---------------------------------------------------------------------------------------------
// 1. Symbolic links inside `.moment/` are refused; prunes delete only our own files.

#[cfg(unix)]
#[test]
fn a_symlinked_cache_or_bases_folder_is_refused_and_nothing_outside_is_deleted() {
    for entry in ["cache", "bases"] {
        let ws = missing_members(2);
        let all = ids(ws.path());
        let first = decide(ws.path(), "skip", &[&all[0]]);
        assert!(first.status.success(), "{}", stderr_of(&first));
        let v = victim();
        let link = ws.path().join(".moment").join(entry);
        let _ = std::fs::remove_dir_all(&link);
        symlink(v.path(), &link);
        let out = decide(ws.path(), "skip", &[&all[1]]);
        assert_eq!(out.status.code(), Some(2), "{entry}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("symbolic link"),
            "{entry}: {}",
            stderr_of(&out)
        );
        let reconciled = bin()
            .arg("reconcile")
            .arg(ws.path())
            .env("USER", "tester")
            .output()
            .unwrap();
        assert_eq!(reconciled.status.code(), Some(2), "{entry}");
        assert_victim_intact(v.path());
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_state_folder_is_refused() {
    let ws = missing_members(1);
    let v = victim();
    symlink(v.path(), &ws.path().join(".moment"));
    let out = bin().arg("check").arg(ws.path()).output().unwrap();
    let (code, stderr) = (out.status.code(), stderr_of(&out));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert_victim_intact(v.path());
}

#[test]
fn the_cache_prune_leaves_files_it_did_not_name() {
    let ws = missing_members(2);
    let all = ids(ws.path());
    assert!(decide(ws.path(), "skip", &[&all[0]]).status.success());
    write(ws.path(), ".moment/cache/notes.txt", "mine\n");
    write(ws.path(), ".moment/bases/README.json", "{}\n");
    assert!(decide(ws.path(), "skip", &[&all[1]]).status.success());
    assert!(ws.path().join(".moment/cache/notes.txt").exists());
    assert!(ws.path().join(".moment/bases/README.json").exists());
}

// ---------------------------------------------------------------------------------------------
// 2. Every read and write of the sides, snapshots and rollbacks stays inside the root.

#[test]
fn side_folders_outside_the_root_are_refused() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("project");
    write(
        &root,
        "generated/a.ts",
        "export interface A { readonly x: string }\n",
    );
    write(
        &root,
        "src/domain/a.ts",
        "export interface A { readonly y: string }\n",
    );
    write(
        outer.path(),
        "x/a.ts",
        "export interface A { readonly x: string }\n",
    );
    let abs = outer.path().join("x").to_string_lossy().replace('\\', "/");
    for (key, dir) in [
        ("implementationDir", "../x".to_string()),
        ("implementationDir", abs.clone()),
        ("generatedDir", "../x".to_string()),
        ("generatedDir", "src/../../x".to_string()),
    ] {
        write(
            &root,
            ".moment/sync.json",
            &format!("{{ \"{key}\": \"{dir}\" }}\n"),
        );
        for cmd in ["check", "fix"] {
            let out = bin().arg(cmd).arg(&root).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{cmd} {key}={dir}");
            let err = stderr_of(&out);
            assert!(
                err.contains(key) && err.lines().count() == 1,
                "{cmd}: {err}"
            );
        }
        assert_eq!(
            std::fs::read_to_string(outer.path().join("x/a.ts")).unwrap(),
            "export interface A { readonly x: string }\n",
            "{key}={dir}: written outside the root"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_side_folder_linked_outside_the_root_is_refused() {
    let ws = tempfile::tempdir().unwrap();
    let v = victim();
    write(
        ws.path(),
        "generated/a.ts",
        "export interface A { readonly x: string }\n",
    );
    write(v.path(), "a.ts", "export interface A { }\n");
    symlink(v.path(), &ws.path().join("src/domain"));
    let out = bin().arg("fix").arg(ws.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("outside the project root"));
    assert_eq!(
        std::fs::read_to_string(v.path().join("a.ts")).unwrap(),
        "export interface A { }\n"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_file_is_never_replaced_by_a_copy() {
    let ws = tempfile::tempdir().unwrap();
    let v = victim();
    write(
        ws.path(),
        "generated/a.ts",
        "export interface A { readonly x: string }\n",
    );
    write(ws.path(), "src/domain/keep.ts", "export type K = string;\n");
    write(v.path(), "a.ts", "export interface A { }\n");
    let link = ws.path().join("src/domain/a.ts");
    symlink(&v.path().join("a.ts"), &link);
    let out = bin().arg("fix").arg(ws.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(v.path().join("a.ts")).unwrap(),
        "export interface A { }\n"
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr_of(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn git_stdin(dir: &Path, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn snapshot_of_a_spec_side_outside_the_root_is_refused() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("project");
    write(&root, "src/domain/a.ts", "export type A = string;\n");
    write(outer.path(), "secret/id_rsa.ts", "PRIVATE KEY\n");
    write(
        &root,
        ".moment/sync.json",
        "{ \"generatedDir\": \"../secret\" }\n",
    );
    git(&root, &["init", "-q"]);
    let out = bin().arg("snapshot").arg(&root).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let refs = git(&root, &["for-each-ref"]);
    assert!(!refs.contains("refs/moment/artifacts"), "{refs}");
}

#[test]
fn rollback_refuses_a_planted_tree_with_parent_entries() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("project");
    write(&root, "generated/a.ts", "export type A = string;\n");
    write(&root, "src/domain/a.ts", "export type A = string;\n");
    git(&root, &["init", "-q"]);
    let out = bin().arg("snapshot").arg(&root).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // A remote's tree: generated/../../pwned.ts, reached through two `..` entries.
    let blob = git_stdin(&root, &["hash-object", "-w", "--stdin"], "pwned\n");
    let inner = git_stdin(
        &root,
        &["mktree"],
        &format!("100644 blob {blob}\tpwned.ts\n"),
    );
    let mid = git_stdin(&root, &["mktree"], &format!("040000 tree {inner}\t..\n"));
    let top = git_stdin(&root, &["mktree"], &format!("040000 tree {mid}\t..\n"));
    let message = git(
        &root,
        &["log", "-1", "--format=%B", "refs/moment/artifacts"],
    );
    let commit = git_stdin(
        &root,
        &[
            "commit-tree",
            &top,
            "-p",
            "refs/moment/artifacts",
            "-F",
            "-",
        ],
        &message,
    );
    git(&root, &["update-ref", "refs/moment/artifacts", &commit]);
    let out = bin()
        .args(["rollback", &commit, "--force"])
        .arg("--root")
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        !outer.path().join("pwned.ts").exists(),
        "written outside the root"
    );
    assert!(!root.join("pwned.ts").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("generated/a.ts")).unwrap(),
        "export type A = string;\n"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Concurrent `decide accept` on one file: every acknowledged fix is in the file.

#[test]
fn ten_concurrent_accepts_on_one_file_keep_every_fix() {
    let ws = missing_members(10);
    let all = ids(ws.path());
    assert_eq!(all.len(), 10);
    let children: Vec<_> = all
        .iter()
        .map(|id| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("moment-sync"));
            cmd.args(["decide", "accept", id, "--root"])
                .arg(ws.path())
                .env("USER", "tester")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    let text = std::fs::read_to_string(ws.path().join("src/domain/a.ts")).unwrap();
    for i in 0..10 {
        assert!(
            text.contains(&format!("f{i}: string")),
            "f{i} lost:\n{text}"
        );
    }
    assert!(ids(ws.path()).is_empty());
}

// ---------------------------------------------------------------------------------------------
// 4. The saga/decide race: a reconcile always finishes; a decision made meanwhile wins.

#[test]
fn a_reject_recorded_while_a_reconcile_was_interrupted_wins_and_the_run_finishes() {
    // Two types the implementation lacks: category 1, applied by `reconcile --apply`.
    let ws = workspace(
        "export interface Keep { readonly id: string }\nexport interface T0 { readonly a: string }\nexport interface T1 { readonly b: string }\n",
        "export interface Keep { readonly id: string }\n",
    );
    let root = ws.path();
    let reconcile = |extra: &[&str]| {
        bin()
            .arg("reconcile")
            .arg(root)
            .args(extra)
            .env("USER", "tester")
            .output()
            .unwrap()
    };
    // The points are recorded as pending proposals, then a run applies their fixes and dies
    // between Proposing and Recording.
    assert!(reconcile(&[]).status.success());
    let interrupted = reconcile(&["--apply", "--interrupt-after", "proposing"]);
    assert_eq!(interrupted.status.code(), Some(2));
    let (state, _) = status_json(root);
    let pending: Vec<String> = state["open"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| p["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let target = pending
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("{state:#}"));
    let rejected = decide(root, "reject", &[&target]);
    assert!(rejected.status.success(), "{}", stderr_of(&rejected));
    // The next run finishes (it once failed forever: "recorded 1 accepted proposals for 2
    // applied fixes"), the reject stands and the report says so.
    let resumed = reconcile(&["--apply", "--json"]);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr_of(&resumed));
    let report: Value = serde_json::from_slice(&resumed.stdout).unwrap();
    let overridden = report["overridden"].to_string();
    assert!(
        overridden.contains(&target) && overridden.contains("rejected"),
        "{report:#}"
    );
    let (state, _) = status_json(root);
    assert!(state["interrupted"].is_null(), "{state:#}");
    assert_eq!(reconcile(&["--apply"]).status.code(), Some(0));
}

fn status_json(root: &Path) -> (Value, i32) {
    let out = bin().args(["status", "--json"]).arg(root).output().unwrap();
    let v =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&out)));
    (v, out.status.code().unwrap_or(-1))
}

// ---------------------------------------------------------------------------------------------
// 7. The journal is derivable from the log; our own leftover temp files are cleaned up.

#[test]
fn a_journal_entry_lost_after_the_log_write_comes_back() {
    let ws = missing_members(2);
    let all = ids(ws.path());
    assert!(decide(ws.path(), "skip", &[&all[0]]).status.success());
    // What a kill right after the log write leaves: the log has the decision, the journal not.
    let journal = ws.path().join(".moment/feedback-journal.jsonl");
    std::fs::remove_file(&journal).unwrap();
    assert!(decide(ws.path(), "skip", &[&all[1]]).status.success());
    let text = std::fs::read_to_string(&journal).unwrap();
    for id in &all {
        assert!(
            text.contains(id.as_str()),
            "{id} missing from the journal:\n{text}"
        );
    }
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn leftover_temp_files_of_a_killed_run_are_removed() {
    let ws = missing_members(1);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let ours = format!("src/domain/.moment-sync-{dead}-12345-0.tmp");
    let rollback_temp = format!("generated/.a.ts.tmp-{dead}-0");
    write(ws.path(), &ours, "half a file");
    write(ws.path(), &rollback_temp, "half a file");
    write(ws.path(), "src/domain/.moment-sync-notes.tmp", "not ours");
    let id = ids(ws.path())[0].clone();
    let out = decide(ws.path(), "skip", &[&id]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(!ws.path().join(&ours).exists());
    assert!(!ws.path().join(&rollback_temp).exists());
    assert!(ws.path().join("src/domain/.moment-sync-notes.tmp").exists());
}

// ---------------------------------------------------------------------------------------------
// 6. The language server survives malformed messages and gives memory back after close.

mod lsp_client {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Child, ChildStdin, Stdio};
    use std::sync::mpsc::{Receiver, RecvTimeoutError};
    use std::time::{Duration, Instant};

    use serde_json::{json, Value};

    pub struct Server {
        pub child: Child,
        stdin: ChildStdin,
        messages: Receiver<Value>,
    }

    impl Server {
        pub fn start(root: &std::path::Path) -> Server {
            let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("moment-sync"))
                .args(["lsp", "--stdio"])
                .current_dir(root)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let stdin = child.stdin.take().unwrap();
            let stdout = child.stdout.take().unwrap();
            let (tx, messages) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stdout);
                loop {
                    let mut length = None;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let line = line.trim_end();
                        if line.is_empty() {
                            break;
                        }
                        if let Some(v) = line.strip_prefix("Content-Length: ") {
                            length = v.parse::<usize>().ok();
                        }
                    }
                    let mut body = vec![0; length.unwrap_or(0)];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    if let Ok(v) = serde_json::from_slice(&body) {
                        if tx.send(v).is_err() {
                            return;
                        }
                    }
                }
            });
            let mut server = Server {
                child,
                stdin,
                messages,
            };
            let root_uri = format!("file://{}", root.display());
            server.send(
                &json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
                "processId": null, "rootUri": root_uri, "capabilities": {},
                "workspaceFolders": [{"uri": root_uri, "name": "w"}]}}),
            );
            server.wait_for_id(1);
            server.send(&serde_json::json!({"jsonrpc":"2.0","method":"initialized","params":{}}));
            server
        }

        pub fn raw(&mut self, bytes: &[u8]) {
            self.stdin.write_all(bytes).unwrap();
            self.stdin.flush().unwrap();
        }

        pub fn send(&mut self, v: &Value) {
            let body = v.to_string();
            self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
        }

        /// The response with `id` (other messages are skipped); panics after a minute.
        pub fn wait_for_id(&mut self, id: i64) -> Value {
            self.wait(|m| m["id"] == id && m.get("method").is_none())
                .unwrap_or_else(|| panic!("no answer to request {id}"))
        }

        pub fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Option<Value> {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.messages.recv_timeout(left) {
                    Ok(m) if pred(&m) => return Some(m),
                    Ok(_) => {}
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
                }
            }
        }

        /// A request that always gets an answer: hover on an unknown document.
        pub fn ping(&mut self, id: i64) -> Value {
            self.send(&json!({"jsonrpc":"2.0","id":id,"method":"textDocument/hover","params":{
                "textDocument":{"uri":"file:///nowhere/x.ts"},"position":{"line":0,"character":0}}}));
            self.wait_for_id(id)
        }

        pub fn stop(mut self) {
            self.send(&json!({"jsonrpc":"2.0","id":999_999,"method":"shutdown"}));
            self.wait_for_id(999_999);
            self.send(&json!({"jsonrpc":"2.0","method":"exit"}));
            let _ = self.child.wait();
        }
    }
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

#[test]
fn the_language_server_survives_every_malformed_message_class() {
    let ws = missing_members(1);
    let mut server = lsp_client::Server::start(ws.path());
    let cases: Vec<(&str, Vec<u8>, Option<i64>)> = vec![
        (
            "bad JSON",
            framed(b"{\"jsonrpc\": \"2.0\", \"id\": 5, "),
            Some(-32700),
        ),
        (
            "invalid UTF-8",
            framed(b"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"\xc3\x28\"}"),
            Some(-32700),
        ),
        ("not an object", framed(b"42"), Some(-32600)),
        (
            "wrong jsonrpc",
            framed(br#"{"jsonrpc":"1.0","id":5,"method":"textDocument/hover"}"#),
            Some(-32600),
        ),
        (
            "params a string",
            framed(br#"{"jsonrpc":"2.0","id":5,"method":"textDocument/hover","params":"x"}"#),
            Some(-32600),
        ),
        (
            "wrong params shape",
            framed(br#"{"jsonrpc":"2.0","id":5,"method":"textDocument/hover","params":{"x":1}}"#),
            Some(-32602),
        ),
        (
            "notification with wrong params",
            framed(
                br#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":7}}"#,
            ),
            None,
        ),
        (
            "unknown method",
            framed(br#"{"jsonrpc":"2.0","id":5,"method":"no/such"}"#),
            Some(-32601),
        ),
        (
            "Content-Length not a number",
            b"Content-Length: many\r\n\r\n{}".to_vec(),
            Some(-32700),
        ),
        (
            "Content-Length too short",
            b"Content-Length: 4\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":5}".to_vec(),
            Some(-32700),
        ),
        (
            "Content-Length absurd",
            b"Content-Length: 184467440737095516\r\n\r\n".to_vec(),
            Some(-32700),
        ),
    ];
    for (n, (what, bytes, code)) in cases.into_iter().enumerate() {
        server.raw(&bytes);
        if let Some(code) = code {
            let reply = server
                .wait(|m| m.get("error").is_some() && m.get("method").is_none())
                .unwrap_or_else(|| panic!("{what}: no error reply"));
            assert_eq!(reply["error"]["code"], code, "{what}: {reply}");
        }
        let id = 100 + n as i64;
        let answer = server.ping(id);
        assert!(answer.get("error").is_none(), "{what}: {answer}");
    }
    server.stop();
}

#[test]
fn the_language_server_starts_next_to_a_100000_deep_file() {
    let (_, deep) = deep_files().remove(0);
    let ws = workspace(&deep, &deep);
    let mut server = lsp_client::Server::start(ws.path());
    server.ping(2);
    server.stop();
}

// 2b. The `.moment` spec (`spec` in sync.json, `--spec`) is read only inside the root.

const SECRET_SPEC: &str = "context \"Secret\"\n  aggregate \"Key\"\n    identity keyId: UUID\n";

#[cfg(unix)]
#[test]
fn a_spec_outside_the_root_is_refused() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("project");
    write(
        &root,
        "src/domain/a.ts",
        "export interface A { x: string }\n",
    );
    write(outer.path(), "secret/key.moment", SECRET_SPEC);
    let abs = outer.path().join("secret/key.moment");
    symlink(&abs, &root.join("linked.moment"));
    symlink(&outer.path().join("secret"), &root.join("linked-spec"));
    let cases = [
        "../secret/key.moment".to_string(),
        "spec/../../secret".to_string(),
        abs.to_string_lossy().into_owned(),
        "linked.moment".to_string(),
        "linked-spec".to_string(),
    ];
    for spec in &cases {
        // Through the configuration file and through the flag: both are refused the same way.
        write(
            &root,
            ".moment/sync.json",
            &format!("{{ \"spec\": \"{spec}\" }}\n"),
        );
        let from_config = bin().arg("check").arg(&root).output().unwrap();
        std::fs::remove_file(root.join(".moment/sync.json")).unwrap();
        let from_flag = bin()
            .args(["check", "--spec", spec])
            .arg(&root)
            .output()
            .unwrap();
        for (how, out) in [("sync.json", from_config), ("--spec", from_flag)] {
            assert_eq!(
                out.status.code(),
                Some(2),
                "{how} {spec}: {}",
                stderr_of(&out)
            );
            let err = stderr_of(&out);
            assert!(
                err.contains("spec") && err.lines().count() == 1,
                "{how} {spec}: {err}"
            );
            assert!(
                !String::from_utf8_lossy(&out.stdout).contains("Key"),
                "{how} {spec}: the outside spec was read"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn a_linked_file_inside_the_spec_folder_is_not_read() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("project");
    write(
        &root,
        "src/domain/a.ts",
        "export interface A { x: string }\n",
    );
    write(
        &root,
        "spec/a.moment",
        "context \"Shop\"\n  aggregate \"A\"\n    identity aId: UUID\n",
    );
    write(outer.path(), "secret/key.moment", SECRET_SPEC);
    symlink(
        &outer.path().join("secret/key.moment"),
        &root.join("spec/key.moment"),
    );
    let out = bin()
        .args(["check", "--spec", "spec", "--format", "json"])
        .arg(&root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("Key") && !stdout.contains("Secret"),
        "a linked spec file outside the root was read: {stdout}"
    );
}

// 6b. The language server gives a closed document's memory back.

/// The resident set size of a process, in MB (Linux `/proc`).
#[cfg(target_os = "linux")]
fn rss_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb / 1024
}

/// A TypeScript document of about `bytes` bytes: interfaces with long doc comments, each one a
/// drift point (the spec lacks them), so every open builds models, points and fixes.
fn big_document(bytes: usize) -> String {
    let doc = format!("/**\n{}\n */\n", " * Documentation line.".repeat(180));
    let mut text = String::new();
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&doc);
        text.push_str(&format!(
            "export interface Big{i} {{ a: string; b: number }}\n"
        ));
        i += 1;
    }
    text
}

#[cfg(target_os = "linux")]
#[test]
fn closing_documents_gives_their_memory_back() {
    let ws = missing_members(1);
    let mut server = lsp_client::Server::start(ws.path());
    let pid = server.child.id();
    let uri = format!("file://{}/src/domain/big.ts", ws.path().display());
    let cycle = |server: &mut lsp_client::Server, text: &str, id: i64| {
        server.send(
            &serde_json::json!({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{
            "textDocument":{"uri":uri,"languageId":"typescript","version":1,"text":text}}}),
        );
        // A hover on the document waits for the analysis that covers it.
        server.send(
            &serde_json::json!({"jsonrpc":"2.0","id":id,"method":"textDocument/hover","params":{
            "textDocument":{"uri":uri},"position":{"line":0,"character":0}}}),
        );
        server.wait_for_id(id);
        let open = rss_mb(pid);
        server.send(
            &serde_json::json!({"jsonrpc":"2.0","method":"textDocument/didClose","params":{
            "textDocument":{"uri":uri}}}),
        );
        server.ping(id + 1);
        open
    };
    // The memory after close returns near where it was before the open (polled: the analysis
    // without the document runs after the close, and on a loaded machine a debug build needs
    // tens of seconds for it; the deadline only bounds a failing run).
    let settled_after = |limit: u64| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
        loop {
            let now = rss_mb(pid);
            if now < limit || std::time::Instant::now() > deadline {
                return now;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    };
    let before = rss_mb(pid);
    // Dense: one small interface a line, tens of thousands of drift points.
    let large: String = (0..80_000)
        .map(|i| format!("export interface Dense{i} {{ a: string; b: number }}\n"))
        .collect();
    let open = cycle(&mut server, &large, 10);
    let grown = open.saturating_sub(before);
    let settle_started = std::time::Instant::now();
    let closed = settled_after(before + grown / 3);
    eprintln!(
        "memory: {before} MB before, {open} MB open, {closed} MB after close ({:.1} s to settle)",
        settle_started.elapsed().as_secs_f64()
    );
    assert!(
        closed < before + grown / 3,
        "a 3.6 MB document: {before} MB before, {open} MB open, still {closed} MB after close"
    );
    drop(large);
    // Many open/close cycles of a 1 MB document do not accumulate.
    let small = big_document(1_000_000);
    let first = cycle(&mut server, &small, 100);
    let mut last = first;
    for n in 1..200 {
        last = cycle(&mut server, &small, 100 + 2 * n);
    }
    assert!(
        last < 2 * first + 50,
        "1 MB open/close: {first} MB in the first cycle, {last} MB in the 200th"
    );
    server.stop();
}

// 9. A huge source file is refused before it is read.

/// Interfaces and enums, each a drift point, until the text reaches `bytes`: what a generated
/// 50 MB client looks like to the extractor.
fn many_declarations(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 256);
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "/** Entity {i}. */\nexport interface Entity{i} {{\n  id: string;\n  name: string;\n  count: number;\n  tags: string[];\n}}\nexport enum Kind{i} {{ A = \"a\", B = \"b\" }}\n"
        ));
        i += 1;
    }
    text
}

/// Runs `check` on `root` and returns (exit code, stderr, peak RSS in MB read by `wait4`).
#[cfg(target_os = "linux")]
fn check_peak(root: &Path) -> (i32, String, i64) {
    use std::io::Read;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("moment-sync"))
        .arg("check")
        .arg(root)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let (code, peak_mb) = rss::wait_with_peak_rss_mb(child);
    (code, stderr, peak_mb)
}

#[cfg(target_os = "linux")]
#[test]
fn a_50_mb_source_file_is_refused_with_one_line_and_little_memory() {
    let dir = workspace("export interface A { id: string }\n", "");
    write(
        dir.path(),
        "src/domain/huge.ts",
        &many_declarations(50 * 1024 * 1024),
    );
    let (code, stderr, peak_mb) = check_peak(dir.path());
    assert_eq!(code, 2, "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected: {stderr}");
    assert!(
        lines[0].contains("src/domain/huge.ts") && lines[0].contains("maxFileBytes"),
        "names the file and the setting: {stderr}"
    );
    // It was 2.8 GB when the file was analysed.
    assert!(peak_mb < 100, "check peaked at {peak_mb} MB");
}

#[test]
fn max_file_bytes_in_sync_json_moves_the_limit() {
    let spec = "export interface A { id: string }\n";
    let implementation = many_declarations(2_000);
    let dir = workspace(spec, &implementation);
    write(dir.path(), ".moment/sync.json", r#"{"maxFileBytes": 1000}"#);
    let out = bin().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("src/domain/a.ts"),
        "{}",
        stderr_of(&out)
    );
    write(
        dir.path(),
        ".moment/sync.json",
        r#"{"maxFileBytes": 100000}"#,
    );
    let (v, code, stderr) = check_json(dir.path());
    assert_ne!(code, 2, "{stderr}");
    assert!(!points(&v).is_empty(), "the file is analysed again");
}

// ---------------------------------------------------------------------------------------------
// 4b. The live race: `reconcile --apply` and `decide reject` as real concurrent processes.

/// Waits for `child`, killing it (and failing) past `limit`: a run that never finishes is the
/// defect this guards against.
fn finish_within(
    mut child: std::process::Child,
    limit: std::time::Duration,
    what: &str,
) -> std::process::Output {
    let start = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return child.wait_with_output().unwrap(),
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                panic!("{what} did not finish within {limit:?}");
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(5)),
            Err(e) => panic!("{what}: {e}"),
        }
    }
}

/// `moment-sync <args> <root>`; `root_flag` is how the command takes the workspace (`decide`
/// takes `--root`, `reconcile` a positional root).
fn spawn_cli(root: &Path, args: &[&str], root_flag: Option<&str>) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("moment-sync"))
        .args(args)
        .args(root_flag)
        .arg(root)
        .env("USER", "tester")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn reconcile_and_reject_racing_as_processes_always_finish_and_the_reject_wins_or_is_reported() {
    let limit = std::time::Duration::from_secs(60);
    let types = 12;
    let spec: String = (0..types)
        .map(|k| format!("export interface T{k} {{ readonly f{k}: string }}\n"))
        .collect();
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    let rounds = 20;
    for round in 0..rounds {
        let ws = workspace(&spec, "export {};\n");
        let root = ws.path();
        assert!(bin()
            .arg("reconcile")
            .arg(root)
            .env("USER", "tester")
            .output()
            .unwrap()
            .status
            .success());
        let (state, _) = status_json(root);
        let pending: Vec<(String, String)> = state["open"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| {
                        Some((
                            p["id"].as_str()?.to_string(),
                            p["symbol"].as_str()?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(pending.len(), types, "{state:#}");
        // Reject a different type each round, started a little later each time so that the
        // reject lands at different steps of the run.
        let (target, symbol) = pending[round % types].clone();
        let run = spawn_cli(root, &["reconcile", "--apply", "--json"], None);
        std::thread::sleep(std::time::Duration::from_micros(1500 * round as u64));
        let reject = spawn_cli(root, &["decide", "reject", &target], Some("--root"));
        let run = finish_within(run, limit, "reconcile --apply");
        let reject = finish_within(reject, limit, "decide reject");
        let report = String::from_utf8_lossy(&run.stdout).to_string();
        // The racing run ends on its own: done, or refused because the state was busy.
        assert!(
            matches!(run.status.code(), Some(0) | Some(1) | Some(2)),
            "round {round}: {}",
            stderr_of(&run)
        );
        let reject_said = format!(
            "{}{}",
            String::from_utf8_lossy(&reject.stdout),
            String::from_utf8_lossy(&reject.stderr)
        );
        // Whatever the interleaving, the next run finishes and leaves no interrupted saga.
        let next = bin()
            .args(["reconcile", "--apply", "--json"])
            .arg(root)
            .env("USER", "tester")
            .output()
            .unwrap();
        assert_eq!(
            next.status.code(),
            Some(0),
            "round {round}: {}",
            stderr_of(&next)
        );
        let (state, _) = status_json(root);
        assert!(state["interrupted"].is_null(), "round {round}: {state:#}");
        let text = std::fs::read_to_string(root.join("src/domain/a.ts")).unwrap();
        let applied = text.contains(&format!("interface {symbol} "));
        let next_report = String::from_utf8_lossy(&next.stdout).to_string();
        let outcome = if !reject.status.success() {
            // Refused: it must say why (the point was gone, or the state was busy).
            assert!(
                !reject_said.trim().is_empty(),
                "round {round}: a refused reject says nothing"
            );
            assert!(
                applied,
                "round {round}: refused, so the accepted fix is in the file:\n{text}"
            );
            "reject refused with a message"
        } else if !applied {
            "reject won"
        } else {
            // Recorded, yet the fix is in the file: a report must say the decision was overridden.
            assert!(
                report.contains(&target) && report.contains("rejected")
                    || next_report.contains(&target) && next_report.contains("rejected")
                    || reject_said.contains("applied"),
                "round {round}: {target} rejected (exit 0) but applied silently.\nrun: {report}\nnext: {next_report}\ndecide: {reject_said}"
            );
            "applied, and reported"
        };
        *outcomes.entry(outcome.to_string()).or_default() += 1;
        // Every other type was applied.
        for k in 0..types {
            let s = format!("T{k}");
            if s != symbol {
                assert!(
                    text.contains(&format!("interface {s} ")),
                    "round {round}: {s} missing:\n{text}"
                );
            }
        }
    }
    eprintln!("race outcomes over {rounds} rounds: {outcomes:?}");
}
