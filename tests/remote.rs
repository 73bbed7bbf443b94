//! Remotes: local bare repositories, and an authenticated HTTP remote served on 127.0.0.1 by
//! `git http-backend`, checking that the token reaches git only through the helper and never
//! shows in any output.

mod common;

use std::path::Path;
use std::process::Command;

use common::http::{Request, Response, Server};
use common::{git_ok, moment_sync, project, write};
use moment_sync::git::{
    ArtifactStore, ArtifactsSync, Credential, CredentialSource, GitRemoteManager,
};

fn snapshot(root: &Path, message: &str) -> String {
    match ArtifactStore::open_at(root, "generated")
        .unwrap()
        .snapshot(Some(message))
        .unwrap()
    {
        moment_sync::git::SnapshotOutcome::Created(s)
        | moment_sync::git::SnapshotOutcome::Unchanged(s) => s.id,
    }
}

fn manager(root: &Path) -> GitRemoteManager {
    let mut m = GitRemoteManager::new(root, "github.com", CredentialSource::None);
    m.env = m
        .env
        .with("GIT_CONFIG_NOSYSTEM", "1")
        .with("GIT_CONFIG_GLOBAL", "/dev/null");
    m
}

fn bare() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git_ok(dir.path(), &["init", "-q", "--bare", "remote.git"]);
    dir
}

#[test]
fn push_clone_and_pull_snapshots_through_a_bare_repository() {
    let origin = bare();
    let remote_path = origin.path().join("remote.git");
    let a = project();
    git_ok(
        a.path(),
        &["remote", "add", "origin", remote_path.to_str().unwrap()],
    );
    let first = snapshot(a.path(), "one");
    let pushed = manager(a.path()).push("origin", Some("main")).unwrap();
    assert_eq!(pushed.len(), 2);
    assert_eq!(
        git_ok(&remote_path, &["rev-parse", "refs/moment/artifacts"]).trim(),
        first
    );

    // Clone (through the CLI) brings the snapshots along.
    let work = tempfile::tempdir().unwrap();
    let out = moment_sync(work.path())
        .args(["remote", "clone", remote_path.to_str().unwrap(), "b"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b = work.path().join("b");
    assert_eq!(
        git_ok(&b, &["rev-parse", "refs/moment/artifacts"]).trim(),
        first
    );

    // B records a snapshot and pushes; A pulls and fast-forwards.
    write(
        &b,
        "generated/billing/invoice.types.ts",
        "export interface Invoice { readonly id: string }\n",
    );
    let second = snapshot(&b, "two");
    manager(&b).push("origin", None).unwrap();
    let sync = manager(a.path()).pull("origin", Some("main")).unwrap();
    assert_eq!(
        sync,
        ArtifactsSync::FastForwarded {
            from: first.clone(),
            to: second.clone()
        }
    );
    assert_eq!(
        manager(a.path()).pull("origin", None).unwrap(),
        ArtifactsSync::UpToDate { id: second.clone() }
    );

    // Both record different snapshots: pull reports divergence and keeps the local ref; a push
    // is refused rather than forced.
    write(
        a.path(),
        "generated/billing/invoice.types.ts",
        "export interface Invoice { a: string }\n",
    );
    let local = snapshot(a.path(), "a-side");
    write(
        &b,
        "generated/billing/invoice.types.ts",
        "export interface Invoice { b: string }\n",
    );
    let theirs = snapshot(&b, "b-side");
    manager(&b).push("origin", None).unwrap();
    match manager(a.path()).pull("origin", None).unwrap() {
        ArtifactsSync::Diverged {
            local: l,
            remote: r,
            tracking,
        } => {
            assert_eq!((l.as_str(), r.as_str()), (local.as_str(), theirs.as_str()));
            assert_eq!(git_ok(a.path(), &["rev-parse", &tracking]).trim(), theirs);
        }
        other => panic!("expected divergence, got {other:?}"),
    }
    assert_eq!(
        git_ok(a.path(), &["rev-parse", "refs/moment/artifacts"]).trim(),
        local
    );
    let err = manager(a.path())
        .push("origin", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("remote pull"), "{err}");
}

#[test]
fn branch_commands() {
    let dir = project();
    let root = dir.path();
    let run = |args: &[&str]| {
        let out = moment_sync(root)
            .arg("remote")
            .arg("branch")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(run(&[]).trim(), "main");
    assert!(run(&["feature/x"]).contains("created branch feature/x"));
    assert_eq!(run(&[]).trim(), "main", "creating does not switch");
    assert!(run(&["feature/x", "--switch"]).contains("switched to feature/x"));
    assert_eq!(
        git_ok(root, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "feature/x"
    );
    let out = moment_sync(root)
        .args(["remote", "branch", "--", "-x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = moment_sync(root)
        .args(["remote", "pull", "nowhere"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("remote `nowhere` is not configured"),
        "{out:?}"
    );
}

// --- HTTP ------------------------------------------------------------------------------------

const TOKEN: &str = "ghp_TESTtoken0123456789abcdefSECRET";

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Serves the bare repositories under `root` with `git http-backend`, requiring the token.
fn git_http_server(root: &Path) -> Server {
    let root = root.to_path_buf();
    let expected = format!(
        "Basic {}",
        base64(format!("x-access-token:{TOKEN}").as_bytes())
    );
    Server::start(move |req: &Request| {
        if req.header("Authorization") != Some(expected.as_str()) {
            return Response {
                status: 401,
                headers: vec![("WWW-Authenticate".into(), "Basic realm=\"test\"".into())],
                body: b"authentication required".to_vec(),
            };
        }
        cgi(&root, req)
    })
}

fn cgi(root: &Path, req: &Request) -> Response {
    let mut cmd = Command::new("git");
    common::isolate(&mut cmd);
    cmd.arg("http-backend")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &req.method)
        .env("PATH_INFO", &req.path)
        .env("QUERY_STRING", &req.query)
        .env("CONTENT_LENGTH", req.body.len().to_string())
        .env("REMOTE_USER", "x-access-token")
        .env("REMOTE_ADDR", "127.0.0.1");
    if let Some(ct) = req.header("Content-Type") {
        cmd.env("CONTENT_TYPE", ct);
    }
    for (k, v) in &req.headers {
        if !k.eq_ignore_ascii_case("Authorization") {
            cmd.env(
                format!("HTTP_{}", k.to_ascii_uppercase().replace('-', "_")),
                v,
            );
        }
    }
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let body = req.body.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&body);
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    let raw = out.stdout;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let Some((at, sep)) = split else {
        return Response {
            status: 500,
            headers: vec![],
            body: raw,
        };
    };
    let head = String::from_utf8_lossy(&raw[..at]).into_owned();
    let mut status = 200;
    let mut headers = Vec::new();
    for line in head.lines() {
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("Status") {
                status = v
                    .trim()
                    .split(' ')
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(500);
            } else {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
    }
    Response {
        status,
        headers,
        body: raw[at + sep..].to_vec(),
    }
}

#[test]
fn authenticated_push_and_pull_over_http_never_show_the_token() {
    let served = bare();
    let server = git_http_server(served.path());
    let url = server.url("/remote.git");
    let a = project();
    git_ok(a.path(), &["remote", "add", "origin", &url]);
    let id = snapshot(a.path(), "one");

    // The CLI finds the token in its environment (EnvCredentialStrategy) and hands it to git.
    // Every trace git can produce is switched on, and all of it is captured.
    let run = |args: &[&str]| {
        let out = moment_sync(a.path())
            .args(args)
            .args(["--credential-host", "127.0.0.1", "--no-prompt", "--verbose"])
            .env("MOMENT_GITHUB_TOKEN", TOKEN)
            .env("HOME", a.path())
            .env("GIT_TRACE", "1")
            .env("GIT_TRACE_CURL", "1")
            .env("GIT_TRACE_PACKET", "1")
            .env("GIT_CURL_VERBOSE", "1")
            .output()
            .unwrap();
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{text}");
        text
    };
    let push = run(&["remote", "push", "--branch", "main"]);
    assert_eq!(
        git_ok(
            &served.path().join("remote.git"),
            &["rev-parse", "refs/moment/artifacts"]
        )
        .trim(),
        id
    );
    let pull = run(&["remote", "pull", "--branch", "main"]);
    assert!(pull.contains("snapshots up to date"), "{pull}");

    // The token reached the server, so it went through git's credential plumbing…
    let auth = format!(
        "Basic {}",
        base64(format!("x-access-token:{TOKEN}").as_bytes())
    );
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.header("Authorization") == Some(auth.as_str())),
        "no authenticated request"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.path.ends_with("git-receive-pack")),
        "push went through HTTP"
    );
    // …by the helper that names only the variable (visible in git's trace of its children)…
    assert!(push.contains("MOMENT_SYNC_GIT_TOKEN"), "{push}");
    assert!(push.contains("trace:"), "git's trace was captured: {push}");
    assert!(
        push.contains("Authorization: Basic <redacted>"),
        "the HTTP headers were traced: {push}"
    );
    // …and nothing anyone can read holds it: not the output, not git's traces, not argv.
    for text in [&push, &pull] {
        assert!(!text.contains(TOKEN), "token leaked:\n{text}");
        assert!(
            !text.contains(&base64(format!("x-access-token:{TOKEN}").as_bytes())),
            "encoded token leaked:\n{text}"
        );
    }
    assert!(!url.contains(TOKEN) && !git_ok(a.path(), &["config", "--list"]).contains(TOKEN));
}

#[test]
fn library_push_over_http_redacts_and_fails_clearly_without_a_token() {
    let served = bare();
    let server = git_http_server(served.path());
    let url = server.url("/remote.git");
    let a = project();
    git_ok(a.path(), &["remote", "add", "origin", &url]);
    snapshot(a.path(), "one");

    let credential = Credential::new(TOKEN, "test");
    let mut m = GitRemoteManager::new(a.path(), "127.0.0.1", CredentialSource::Fixed(credential));
    m.env = m
        .env
        .with("GIT_CONFIG_NOSYSTEM", "1")
        .with("GIT_CONFIG_GLOBAL", "/dev/null")
        .with("GIT_TRACE", "1");
    m.push("origin", None).unwrap();
    let transcript = m.transcript().lines.join("\n");
    assert!(
        transcript.contains("$ git push --porcelain origin"),
        "{transcript}"
    );
    assert!(!transcript.contains(TOKEN), "{transcript}");

    // A manager for another host never sends the token: git is refused, and says so.
    let m = GitRemoteManager::new(
        a.path(),
        "github.com",
        CredentialSource::Fixed(Credential::new(TOKEN, "test")),
    );
    let err = m.push("origin", None).unwrap_err().to_string();
    assert!(!err.contains(TOKEN), "{err}");
    assert!(err.contains("no token is sent to this remote"), "{err}");
    assert!(
        server
            .requests()
            .iter()
            .filter(|r| r.header("Authorization").is_some())
            .count()
            >= 1
    );
}

/// A credential that came from the user's git credential helper is approved after it worked
/// and rejected after the remote refused it; a token from anywhere else is never handed to
/// the helpers (that would copy it into their store).
#[test]
fn helper_credentials_are_approved_after_use_and_rejected_when_refused() {
    let served = bare();
    let server = git_http_server(served.path());
    let url = server.url("/remote.git");
    let a = project();
    git_ok(a.path(), &["remote", "add", "origin", &url]);
    snapshot(a.path(), "one");
    let log = a.path().join("helper.log");
    let config = a.path().join("gitconfig");
    write(
        a.path(),
        "gitconfig",
        &format!(
            "[credential]\n\thelper = \"!f() {{ echo \\\"op=$1\\\" >> '{}'; cat >> '{}'; }}; f\"\n",
            log.display(),
            log.display()
        ),
    );
    let manager_with = |credential: Credential| {
        let mut m =
            GitRemoteManager::new(a.path(), "127.0.0.1", CredentialSource::Fixed(credential));
        m.env = m
            .env
            .with("GIT_CONFIG_NOSYSTEM", "1")
            .with("GIT_CONFIG_GLOBAL", &config);
        m
    };
    let from_helper = |token: &str| Credential {
        username: "x-access-token".into(),
        token: moment_sync::git::Secret::new(token),
        source: "GitCredentialHelperStrategy".into(),
    };
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();

    manager_with(from_helper(TOKEN))
        .push("origin", None)
        .unwrap();
    let approved = read_log();
    assert!(approved.contains("op=store"), "{approved}");
    assert!(approved.contains("host=127.0.0.1:"), "{approved}");
    assert!(
        approved.contains(&format!("password={TOKEN}")),
        "{approved}"
    );
    assert!(!approved.contains("op=erase"), "{approved}");

    std::fs::remove_file(&log).unwrap();
    let err = manager_with(from_helper("ghp_WRONGtoken0000000000000000000"))
        .push("origin", None)
        .unwrap_err();
    assert!(!err.to_string().contains("WRONGtoken"), "{err}");
    let rejected = read_log();
    assert!(rejected.contains("op=erase"), "{rejected}");
    assert!(!rejected.contains("op=store"), "{rejected}");

    std::fs::remove_file(&log).unwrap();
    manager_with(Credential::new(TOKEN, "EnvCredentialStrategy"))
        .push("origin", None)
        .unwrap();
    assert!(
        !read_log().contains(TOKEN),
        "an environment token reached the helpers: {}",
        read_log()
    );
}
