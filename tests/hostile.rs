//! Issue 14: safe in a hostile repository, under concurrency and on pathological input.
//!
//! One section per numbered item of the audit; every test here failed on the code before the fix
//! it guards.

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
