//! Helpers shared by the upstream integration tests: isolated git, temp projects, a loopback
//! HTTP server.
#![allow(dead_code)]

pub mod http;
pub mod rss;

use std::path::Path;
use std::process::Command;

/// A git command isolated from the machine's global and system configuration.
pub fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir);
    isolate(&mut cmd);
    cmd.args([
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.com",
        "-c",
        "init.defaultBranch=main",
    ]);
    cmd
}

/// Keeps a child away from the user's git configuration and credential helpers.
pub fn isolate(cmd: &mut Command) {
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_ASKPASS")
        .env_remove("SSH_ASKPASS")
        .env_remove("MOMENT_GITHUB_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY");
}

/// Runs git and returns its stdout; panics with its stderr on failure.
pub fn git_ok(dir: &Path, args: &[&str]) -> String {
    let out = git(dir).args(args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A git project with a spec side (`generated/`) and an implementation side, one commit.
pub fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git_ok(root, &["init", "-q"]);
    write(
        root,
        "generated/billing/invoice.types.ts",
        "export interface Invoice {\n  readonly id: string;\n  readonly total: number;\n}\n",
    );
    write(
        root,
        "generated/billing/index.ts",
        "export * from './invoice.types';\n",
    );
    write(
        root,
        "src/domain/billing/invoice.types.ts",
        "export interface Invoice {\n  readonly id: string;\n  readonly total: number;\n}\n",
    );
    std::fs::create_dir_all(root.join(".moment")).unwrap();
    git_ok(root, &["add", "-A"]);
    git_ok(root, &["commit", "-q", "-m", "initial"]);
    dir
}

/// The moment-sync binary, isolated like [`git`].
pub fn moment_sync(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_moment-sync"));
    cmd.current_dir(dir);
    isolate(&mut cmd);
    cmd
}
