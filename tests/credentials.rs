//! Each credential strategy alone (fake `gh` and fake git helper on PATH, a loopback device-flow
//! server), and the layered resolver's report.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::http::{Request, Response, Server};
use moment_sync::git::{
    CachedTokenFileStrategy, ChildEnv, CredentialStrategy, EnvCredentialStrategy,
    GhCliCredentialStrategy, GitCredentialHelperStrategy, LayeredCredentialResolver,
    OAuthDeviceFlowStrategy, Secret, StrategyError,
};

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// PATH with `bin` first.
fn path_with(bin: &Path) -> String {
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn isolated_git_env(bin: &Path) -> ChildEnv {
    ChildEnv::default()
        .with("PATH", path_with(bin))
        .with("GIT_CONFIG_NOSYSTEM", "1")
        .with("GIT_CONFIG_GLOBAL", "/dev/null")
        .with("HOME", bin)
}

#[test]
fn gh_cli_strategy_uses_gh_auth_token() {
    let bin = tempfile::tempdir().unwrap();
    script(
        bin.path(),
        "gh",
        r#"[ "$1 $2 $3 $4" = "auth token --hostname github.com" ] || { echo "unexpected: $*" >&2; exit 3; }
echo gho_fromGhCli123"#,
    );
    let mut s = GhCliCredentialStrategy::new("github.com");
    s.env = ChildEnv::default().with("PATH", path_with(bin.path()));
    let c = s.resolve().unwrap();
    assert_eq!(c.token.expose(), "gho_fromGhCli123");
    assert_eq!(c.source, "GhCliCredentialStrategy");

    // Logged out: the reason is gh's own message.
    script(
        bin.path(),
        "gh",
        "echo 'You are not logged into any GitHub hosts. Run gh auth login' >&2; exit 1",
    );
    let err = s.resolve().unwrap_err();
    assert!(
        matches!(&err, StrategyError::Failed(m) if m.contains("not logged into")),
        "{err:?}"
    );

    // Not installed.
    let mut missing = GhCliCredentialStrategy::new("github.com");
    missing.program = PathBuf::from("moment-sync-no-such-gh");
    assert!(
        matches!(missing.resolve(), Err(StrategyError::Unavailable(m)) if m.contains("not installed"))
    );
}

#[test]
fn git_credential_helper_strategy_asks_the_configured_helper() {
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("helper.log");
    script(
        bin.path(),
        "git-credential-fake",
        &format!(
            r#"cat > "{log}"
[ "$1" = get ] || exit 0
echo username=octocat
echo password=helper_token_42"#,
            log = log.display()
        ),
    );
    let mut s = GitCredentialHelperStrategy::new("github.com");
    s.env = isolated_git_env(bin.path())
        .with("GIT_CONFIG_COUNT", "1")
        .with("GIT_CONFIG_KEY_0", "credential.helper")
        .with("GIT_CONFIG_VALUE_0", "fake");
    let c = s.resolve().unwrap();
    assert_eq!(
        (c.username.as_str(), c.token.expose()),
        ("octocat", "helper_token_42")
    );
    let request = std::fs::read_to_string(&log).unwrap();
    assert!(
        request.contains("protocol=https") && request.contains("host=github.com"),
        "{request}"
    );

    // No helper: git would prompt, which is disabled, so the strategy is skipped with the reason.
    let mut none = GitCredentialHelperStrategy::new("github.com");
    none.env = isolated_git_env(bin.path());
    let err = none.resolve().unwrap_err();
    assert!(
        matches!(&err, StrategyError::Unavailable(m) if m.contains("no credential helper")),
        "{err:?}"
    );
}

#[test]
fn cached_token_file_is_refused_when_others_can_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("moment-sync/github-token");
    let s = CachedTokenFileStrategy::new(path.clone());
    assert!(
        matches!(s.resolve(), Err(StrategyError::Unavailable(m)) if m.contains("no cached token"))
    );

    s.store(&Secret::new("cached_token_7")).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(s.resolve().unwrap().token.expose(), "cached_token_7");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = s.resolve().unwrap_err();
    assert!(
        matches!(&err, StrategyError::Failed(m) if m.contains("group/other") && m.contains("0644")),
        "{err:?}"
    );
    assert!(!format!("{err}").contains("cached_token_7"));

    std::fs::write(&path, "\n\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(matches!(s.resolve(), Err(StrategyError::Failed(m)) if m.contains("empty")));
}

/// A device-flow server whose token endpoint answers `answers` in turn.
fn device_server(answers: Vec<serde_json::Value>) -> Server {
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    Server::start(move |req: &Request| match req.path.as_str() {
        "/login/device/code" => Response::json(
            200,
            serde_json::json!({
                "device_code": "dev-123", "user_code": "WDJB-MJHT",
                "verification_uri": "https://github.example/login/device",
                "expires_in": 900, "interval": 5
            }),
        ),
        "/login/oauth/access_token" => {
            let next = answers.lock().unwrap().next();
            Response::json(
                200,
                next.unwrap_or(serde_json::json!({"error": "authorization_pending"})),
            )
        }
        _ => Response::json(404, serde_json::json!({"error": "not_found"})),
    })
}

struct Flow {
    strategy: OAuthDeviceFlowStrategy,
    slept: Arc<Mutex<Vec<u64>>>,
    prompt: Arc<Mutex<Vec<u8>>>,
}

fn flow(server: &Server) -> Flow {
    let slept = Arc::new(Mutex::new(Vec::new()));
    let prompt = Arc::new(Mutex::new(Vec::new()));
    let recorder = slept.clone();
    let strategy = OAuthDeviceFlowStrategy {
        device_code_url: server.url("/login/device/code"),
        token_url: server.url("/login/oauth/access_token"),
        client_id: Some("client-abc".into()),
        scope: "repo".into(),
        interactive: true,
        prompt: prompt.clone(),
        sleep: Arc::new(move |d: Duration| recorder.lock().unwrap().push(d.as_secs())),
        cache: None,
    };
    Flow {
        strategy,
        slept,
        prompt,
    }
}

#[test]
fn device_flow_polls_with_slow_down_back_off() {
    let server = device_server(vec![
        serde_json::json!({"error": "authorization_pending"}),
        serde_json::json!({"error": "slow_down"}),
        serde_json::json!({"error": "authorization_pending"}),
        serde_json::json!({"access_token": "gho_device_token_9", "token_type": "bearer", "scope": "repo"}),
    ]);
    let mut f = flow(&server);
    let cache = tempfile::tempdir().unwrap();
    let cache_path = cache.path().join("token");
    f.strategy.cache = Some(cache_path.clone());
    let c = f.strategy.resolve().unwrap();
    assert_eq!(c.token.expose(), "gho_device_token_9");
    assert_eq!(
        *f.slept.lock().unwrap(),
        [5, 5, 10, 10],
        "slow_down adds 5 seconds to every later wait"
    );
    let prompt = String::from_utf8(f.prompt.lock().unwrap().clone()).unwrap();
    assert!(
        prompt.contains("https://github.example/login/device") && prompt.contains("WDJB-MJHT"),
        "{prompt}"
    );
    assert!(!prompt.contains("gho_device_token_9"));
    // The token was cached privately for next time.
    assert_eq!(
        std::fs::read_to_string(&cache_path).unwrap().trim(),
        "gho_device_token_9"
    );
    assert_eq!(
        std::fs::metadata(&cache_path).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let requests = server.requests();
    let first = &requests[0];
    assert_eq!(first.path, "/login/device/code");
    assert!(first
        .form()
        .contains(&("client_id".into(), "client-abc".into())));
    assert!(first.form().contains(&("scope".into(), "repo".into())));
    let poll = &requests[1];
    assert!(poll
        .form()
        .contains(&("device_code".into(), "dev-123".into())));
    assert!(poll.form().contains(&(
        "grant_type".into(),
        "urn:ietf:params:oauth:grant-type:device_code".into()
    )));
    assert_eq!(poll.header("Accept"), Some("application/json"));
}

#[test]
fn device_flow_honours_expired_token_and_access_denied() {
    let server = device_server(vec![serde_json::json!({"error": "expired_token"})]);
    let err = flow(&server).strategy.resolve().unwrap_err();
    assert!(
        matches!(&err, StrategyError::Failed(m) if m.contains("expired")),
        "{err:?}"
    );

    let server = device_server(vec![
        serde_json::json!({"error": "authorization_pending"}),
        serde_json::json!({"error": "access_denied"}),
    ]);
    let err = flow(&server).strategy.resolve().unwrap_err();
    assert!(
        matches!(&err, StrategyError::Failed(m) if m.contains("denied")),
        "{err:?}"
    );

    // Pending forever: gives up once expires_in (900 s) has been waited, without really waiting.
    let server = device_server(Vec::new());
    let f = flow(&server);
    let err = f.strategy.resolve().unwrap_err();
    assert!(
        matches!(&err, StrategyError::Failed(m) if m.contains("expired")),
        "{err:?}"
    );
    assert_eq!(f.slept.lock().unwrap().iter().sum::<u64>(), 900);
}

#[test]
fn device_flow_is_skipped_without_client_id_or_person() {
    let server = device_server(Vec::new());
    let mut f = flow(&server);
    f.strategy.interactive = false;
    assert!(
        matches!(f.strategy.resolve(), Err(StrategyError::Unavailable(m)) if m.contains("not interactive"))
    );
    f.strategy.client_id = None;
    assert!(
        matches!(f.strategy.resolve(), Err(StrategyError::Unavailable(m)) if m.contains("client id"))
    );
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[test]
fn layered_resolver_tries_in_order_and_says_why_each_failed() {
    let bin = tempfile::tempdir().unwrap();
    script(bin.path(), "gh", "echo 'gh: not logged in' >&2; exit 1");
    script(bin.path(), "git-credential-fake", "cat >/dev/null; [ \"$1\" = get ] && printf 'username=x-access-token\\npassword=from_helper_55\\n'");
    let mut gh = GhCliCredentialStrategy::new("github.com");
    gh.env = ChildEnv::default().with("PATH", path_with(bin.path()));
    let mut helper = GitCredentialHelperStrategy::new("github.com");
    helper.env = isolated_git_env(bin.path())
        .with("GIT_CONFIG_COUNT", "1")
        .with("GIT_CONFIG_KEY_0", "credential.helper")
        .with("GIT_CONFIG_VALUE_0", "fake");
    let resolver = LayeredCredentialResolver::new(vec![
        Box::new(EnvCredentialStrategy::from_map(Default::default())),
        Box::new(gh),
        Box::new(helper),
        Box::new(CachedTokenFileStrategy::new(bin.path().join("never-read"))),
    ]);
    let resolved = resolver.resolve().unwrap();
    assert_eq!(resolved.credential.token.expose(), "from_helper_55");
    assert_eq!(resolved.credential.username, "x-access-token");
    let report: Vec<String> = resolved.attempts.iter().map(ToString::to_string).collect();
    assert_eq!(report.len(), 3, "stops at the first success: {report:#?}");
    assert!(
        report[0].starts_with("EnvCredentialStrategy: skipped:"),
        "{report:#?}"
    );
    assert!(
        report[1].starts_with("GhCliCredentialStrategy: failed:")
            && report[1].contains("not logged in"),
        "{report:#?}"
    );
    assert_eq!(report[2], "GitCredentialHelperStrategy: found a token");
    assert!(
        !format!("{resolved:?}").contains("from_helper_55"),
        "Debug never shows the token"
    );
}

#[test]
fn auth_command_reports_the_strategies_without_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::moment_sync(dir.path())
        .args(["remote", "auth", "--no-prompt", "--token-file"])
        .arg(dir.path().join("none"))
        .env("PATH", "/usr/bin:/bin")
        .env("GITHUB_TOKEN", "ghp_fromEnvironment_77")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("EnvCredentialStrategy (GITHUB_TOKEN)"),
        "{text}"
    );
    assert!(!text.contains("ghp_fromEnvironment_77"), "{text}");

    let out = common::moment_sync(dir.path())
        .args(["remote", "auth", "--no-prompt", "--token-file"])
        .arg(dir.path().join("none"))
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir.path())
        .env_remove("MOMENT_GITHUB_OAUTH_CLIENT_ID")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    for name in [
        "EnvCredentialStrategy",
        "GhCliCredentialStrategy",
        "GitCredentialHelperStrategy",
        "CachedTokenFileStrategy",
        "OAuthDeviceFlowStrategy",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
}
