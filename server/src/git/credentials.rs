//! Credential strategies for GitHub remotes, tried in the seed's order by a
//! [`LayeredCredentialResolver`]: environment, GitHub CLI, git credential helper, cached token
//! file, OAuth device flow. Each strategy is usable alone, and each failure says why.
//!
//! Tokens are held in [`Secret`]s; nothing here prints or logs one.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::secret::Secret;
use crate::events::atomic::write_atomic;

/// The username git pairs with a GitHub token over HTTPS.
pub const TOKEN_USERNAME: &str = "x-access-token";

/// A resolved credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub username: String,
    pub token: Secret,
    /// The strategy that produced it.
    pub source: String,
}

impl Credential {
    pub fn new(token: impl Into<String>, source: &str) -> Credential {
        Credential {
            username: TOKEN_USERNAME.to_string(),
            token: Secret::new(token),
            source: source.to_string(),
        }
    }
}

/// Why a strategy gave no credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrategyError {
    /// Nothing to try (not configured, not installed, not interactive): the next strategy runs.
    #[error("{0}")]
    Unavailable(String),
    /// The strategy ran and failed.
    #[error("{0}")]
    Failed(String),
}

/// One way of finding a token.
pub trait CredentialStrategy: Send + Sync {
    /// The strategy's name (`EnvCredentialStrategy`, …), as reported by the resolver.
    fn name(&self) -> &'static str;
    fn resolve(&self) -> Result<Credential, StrategyError>;
}

/// What running a child program may need: extra environment (e.g. a test's `PATH`).
#[derive(Debug, Clone, Default)]
pub struct ChildEnv {
    pub vars: Vec<(OsString, OsString)>,
}

impl ChildEnv {
    pub fn with(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> ChildEnv {
        self.vars.push((key.into(), value.into()));
        self
    }

    fn apply(&self, cmd: &mut Command) {
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
    }
}

/// Runs `cmd` with `input` on stdin, waiting at most `timeout`. Returns (status ok, stdout,
/// stderr).
pub(crate) fn run_child(
    mut cmd: Command,
    input: Option<&[u8]>,
    timeout: Duration,
) -> Result<(bool, String, String), String> {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("`{program}` is not installed (not found on PATH)"),
        _ => format!("cannot run `{program}`: {e}"),
    })?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // A child that exits without reading its input is not an error here.
        let _ = stdin.write_all(input);
    }
    // Drain both pipes on threads so a chatty child never blocks on a full pipe.
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`{program}` did not finish within {}s",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("cannot wait for `{program}`: {e}")),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Ok((status.success(), stdout, stderr))
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

const CHILD_TIMEOUT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------

/// `MOMENT_GITHUB_TOKEN`, then `GITHUB_TOKEN`.
pub struct EnvCredentialStrategy {
    names: Vec<String>,
    lookup: Box<EnvLookup>,
}

/// Reads one environment variable.
type EnvLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

impl EnvCredentialStrategy {
    pub const NAMES: [&'static str; 2] = ["MOMENT_GITHUB_TOKEN", "GITHUB_TOKEN"];

    /// Reads the process environment.
    pub fn new() -> EnvCredentialStrategy {
        EnvCredentialStrategy::with_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup` (tests, embedding tools).
    pub fn with_lookup(
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> EnvCredentialStrategy {
        EnvCredentialStrategy {
            names: Self::NAMES.iter().map(|s| s.to_string()).collect(),
            lookup: Box::new(lookup),
        }
    }

    pub fn from_map(map: HashMap<String, String>) -> EnvCredentialStrategy {
        EnvCredentialStrategy::with_lookup(move |name| map.get(name).cloned())
    }
}

impl Default for EnvCredentialStrategy {
    fn default() -> Self {
        EnvCredentialStrategy::new()
    }
}

impl CredentialStrategy for EnvCredentialStrategy {
    fn name(&self) -> &'static str {
        "EnvCredentialStrategy"
    }

    fn resolve(&self) -> Result<Credential, StrategyError> {
        for name in &self.names {
            if let Some(value) = (self.lookup)(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
            {
                return Ok(Credential::new(value, &format!("{} ({name})", self.name())));
            }
        }
        Err(StrategyError::Unavailable(format!(
            "{} are unset or empty",
            self.names.join(" and ")
        )))
    }
}

// ---------------------------------------------------------------------------------------------

/// `gh auth token --hostname <host>`.
pub struct GhCliCredentialStrategy {
    pub program: PathBuf,
    pub host: String,
    pub env: ChildEnv,
}

impl GhCliCredentialStrategy {
    pub fn new(host: &str) -> GhCliCredentialStrategy {
        GhCliCredentialStrategy {
            program: PathBuf::from("gh"),
            host: host.to_string(),
            env: ChildEnv::default(),
        }
    }
}

impl CredentialStrategy for GhCliCredentialStrategy {
    fn name(&self) -> &'static str {
        "GhCliCredentialStrategy"
    }

    fn resolve(&self) -> Result<Credential, StrategyError> {
        let mut cmd = Command::new(&self.program);
        cmd.args(["auth", "token", "--hostname", &self.host]);
        // gh would otherwise try to prompt or open a browser.
        cmd.env("GH_PROMPT_DISABLED", "1").env("NO_COLOR", "1");
        self.env.apply(&mut cmd);
        let (ok, stdout, stderr) =
            run_child(cmd, None, CHILD_TIMEOUT).map_err(StrategyError::Unavailable)?;
        let token = stdout.lines().next().unwrap_or_default().trim().to_string();
        if !ok || token.is_empty() {
            let why = first_line(&stderr).unwrap_or("printed no token");
            let secret = Secret::new(token);
            return Err(StrategyError::Failed(format!(
                "`gh auth token` failed: {}",
                secret.redact(why)
            )));
        }
        Ok(Credential::new(token, self.name()))
    }
}

fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

// ---------------------------------------------------------------------------------------------

/// `git credential fill` for `https://<host>`: whatever helper the user configured for git.
pub struct GitCredentialHelperStrategy {
    pub git: PathBuf,
    pub protocol: String,
    pub host: String,
    pub env: ChildEnv,
}

impl GitCredentialHelperStrategy {
    /// The strategy's name, also the `source` of the credentials it gives.
    pub const NAME: &'static str = "GitCredentialHelperStrategy";

    pub fn new(host: &str) -> GitCredentialHelperStrategy {
        GitCredentialHelperStrategy {
            git: PathBuf::from("git"),
            protocol: "https".to_string(),
            host: host.to_string(),
            env: ChildEnv::default(),
        }
    }
}

impl CredentialStrategy for GitCredentialHelperStrategy {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn resolve(&self) -> Result<Credential, StrategyError> {
        let mut cmd = Command::new(&self.git);
        cmd.args(["credential", "fill"]);
        // Never fall back to asking on the terminal or through a GUI prompt.
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_ASKPASS")
            .env_remove("SSH_ASKPASS");
        self.env.apply(&mut cmd);
        let input = format!("protocol={}\nhost={}\n\n", self.protocol, self.host);
        let (ok, stdout, stderr) = run_child(cmd, Some(input.as_bytes()), CHILD_TIMEOUT)
            .map_err(StrategyError::Unavailable)?;
        let mut username = None;
        let mut password = None;
        for line in stdout.lines() {
            match line.split_once('=') {
                Some(("username", v)) => username = Some(v.to_string()),
                Some(("password", v)) => password = Some(Secret::new(v)),
                _ => {}
            }
        }
        match password.filter(|p| !p.is_empty()) {
            Some(token) if ok => Ok(Credential {
                username: username
                    .filter(|u| !u.is_empty())
                    .unwrap_or_else(|| TOKEN_USERNAME.to_string()),
                token,
                source: self.name().to_string(),
            }),
            _ => Err(StrategyError::Unavailable(format!(
                "no credential helper gave a password for {}://{}{}",
                self.protocol,
                self.host,
                first_line(&stderr)
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default()
            ))),
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// A token cached in a file readable only by its owner (default
/// `$XDG_CONFIG_HOME/moment-sync/github-token`, i.e. `~/.config/moment-sync/github-token`).
pub struct CachedTokenFileStrategy {
    pub path: PathBuf,
}

impl CachedTokenFileStrategy {
    pub fn new(path: PathBuf) -> CachedTokenFileStrategy {
        CachedTokenFileStrategy { path }
    }

    /// `$MOMENT_SYNC_TOKEN_FILE`, else `$XDG_CONFIG_HOME/moment-sync/github-token`, else
    /// `$HOME/.config/moment-sync/github-token`.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("MOMENT_SYNC_TOKEN_FILE").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(p));
        }
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(config.join("moment-sync").join("github-token"))
    }

    /// Writes `token` to the file (mode 0600, atomically).
    pub fn store(&self, token: &Secret) -> std::io::Result<()> {
        write_atomic(
            &self.path,
            format!("{}\n", token.expose()).as_bytes(),
            Some(0o600),
        )
    }
}

impl CredentialStrategy for CachedTokenFileStrategy {
    fn name(&self) -> &'static str {
        "CachedTokenFileStrategy"
    }

    fn resolve(&self) -> Result<Credential, StrategyError> {
        let shown = self.path.display();
        let meta = match std::fs::metadata(&self.path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StrategyError::Unavailable(format!(
                    "no cached token at `{shown}`"
                )))
            }
            Err(e) => return Err(StrategyError::Failed(format!("cannot read `{shown}`: {e}"))),
        };
        check_private(&self.path, &meta)?;
        let text = std::fs::read_to_string(&self.path)
            .map_err(|e| StrategyError::Failed(format!("cannot read `{shown}`: {e}")))?;
        match text.lines().map(str::trim).find(|l| !l.is_empty()) {
            Some(token) => Ok(Credential::new(token, self.name())),
            None => Err(StrategyError::Failed(format!("`{shown}` is empty"))),
        }
    }
}

/// A token file that group or others can access may have been read (or planted) by someone
/// else: refuse it, as the seed did.
#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> Result<(), StrategyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(StrategyError::Failed(format!(
            "refusing `{}`: group/other can access it (mode {mode:04o}); run `chmod 600 {}`",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), StrategyError> {
    Ok(())
}

// ---------------------------------------------------------------------------------------------

/// GitHub's OAuth device flow: prints a code and a URL, then polls until the user authorizes
/// (honouring `slow_down`, `expired_token` and `access_denied`).
pub struct OAuthDeviceFlowStrategy {
    pub device_code_url: String,
    pub token_url: String,
    /// `None` means "not configured": the strategy is skipped.
    pub client_id: Option<String>,
    pub scope: String,
    /// The flow needs a person; without one it is skipped.
    pub interactive: bool,
    /// Where the code and URL are shown (stderr by default).
    pub prompt: Arc<Mutex<dyn Write + Send>>,
    /// How to wait between polls (tests pass a recorder instead of sleeping).
    pub sleep: Arc<dyn Fn(Duration) + Send + Sync>,
    /// Where to cache the token obtained (mode 0600), if anywhere.
    pub cache: Option<PathBuf>,
}

impl OAuthDeviceFlowStrategy {
    pub const GITHUB_DEVICE_CODE_URL: &'static str = "https://github.com/login/device/code";
    pub const GITHUB_TOKEN_URL: &'static str = "https://github.com/login/oauth/access_token";

    /// GitHub's endpoints, the client id from `MOMENT_GITHUB_OAUTH_CLIENT_ID`, scope `repo`.
    pub fn github(interactive: bool) -> OAuthDeviceFlowStrategy {
        OAuthDeviceFlowStrategy {
            device_code_url: std::env::var("MOMENT_GITHUB_DEVICE_CODE_URL")
                .unwrap_or_else(|_| Self::GITHUB_DEVICE_CODE_URL.to_string()),
            token_url: std::env::var("MOMENT_GITHUB_TOKEN_URL")
                .unwrap_or_else(|_| Self::GITHUB_TOKEN_URL.to_string()),
            client_id: std::env::var("MOMENT_GITHUB_OAUTH_CLIENT_ID")
                .ok()
                .filter(|c| !c.trim().is_empty()),
            scope: "repo".to_string(),
            interactive,
            prompt: Arc::new(Mutex::new(std::io::stderr())),
            sleep: Arc::new(std::thread::sleep),
            cache: None,
        }
    }

    /// TLS through the operating system's verifier and trust store, so a corporate CA the
    /// system trusts is trusted here too (bundled roots would refuse it).
    pub(crate) fn tls_config() -> ureq::tls::TlsConfig {
        ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .build()
    }

    fn agent() -> ureq::Agent {
        // Error statuses carry OAuth error bodies we want to read, so they are not errors here.
        ureq::Agent::config_builder()
            .tls_config(Self::tls_config())
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent()
    }

    fn post(
        &self,
        agent: &ureq::Agent,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<serde_json::Value, StrategyError> {
        let mut response = agent
            .post(url)
            .header("Accept", "application/json")
            .send_form(form.iter().copied())
            .map_err(|e| StrategyError::Failed(format!("cannot reach `{url}`: {e}")))?;
        let status = response.status();
        let body = response.body_mut().read_to_string().map_err(|e| {
            StrategyError::Failed(format!("cannot read the answer of `{url}`: {e}"))
        })?;
        serde_json::from_str(&body).map_err(|_| {
            StrategyError::Failed(format!(
                "`{url}` answered {status} with a body that is not JSON"
            ))
        })
    }

    fn say(&self, text: &str) {
        if let Ok(mut out) = self.prompt.lock() {
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        }
    }
}

/// What the device-code endpoint answers.
struct DeviceCode {
    device_code: String,
    user_code: String,
    verification_uri: String,
    expires_in: u64,
    interval: u64,
}

impl DeviceCode {
    fn from_json(v: &serde_json::Value) -> Result<DeviceCode, StrategyError> {
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        if let Some(error) = text("error") {
            let detail = text("error_description").unwrap_or_default();
            return Err(StrategyError::Failed(
                format!("device code request refused: {error} {detail}")
                    .trim()
                    .to_string(),
            ));
        }
        let missing = |k: &str| StrategyError::Failed(format!("device code answer lacks `{k}`"));
        Ok(DeviceCode {
            device_code: text("device_code").ok_or_else(|| missing("device_code"))?,
            user_code: text("user_code").ok_or_else(|| missing("user_code"))?,
            verification_uri: text("verification_uri")
                .ok_or_else(|| missing("verification_uri"))?,
            expires_in: v.get("expires_in").and_then(|x| x.as_u64()).unwrap_or(900),
            interval: v.get("interval").and_then(|x| x.as_u64()).unwrap_or(5),
        })
    }
}

impl CredentialStrategy for OAuthDeviceFlowStrategy {
    fn name(&self) -> &'static str {
        "OAuthDeviceFlowStrategy"
    }

    fn resolve(&self) -> Result<Credential, StrategyError> {
        let Some(client_id) = self.client_id.as_deref() else {
            return Err(StrategyError::Unavailable(
                "no OAuth client id configured (set MOMENT_GITHUB_OAUTH_CLIENT_ID)".to_string(),
            ));
        };
        if !self.interactive {
            return Err(StrategyError::Unavailable(
                "not interactive: the device flow needs a person".to_string(),
            ));
        }
        let agent = Self::agent();
        let answer = self.post(
            &agent,
            &self.device_code_url,
            &[("client_id", client_id), ("scope", &self.scope)],
        )?;
        let code = DeviceCode::from_json(&answer)?;
        self.say(&format!(
            "To authorize moment-sync, open {} and enter the code {}",
            code.verification_uri, code.user_code
        ));
        let token = self.poll(&agent, client_id, &code)?;
        if let Some(path) = &self.cache {
            // Caching is a convenience: a failure is reported but does not lose the token.
            if let Err(e) = CachedTokenFileStrategy::new(path.clone()).store(&token) {
                self.say(&format!(
                    "warning: cannot cache the token in `{}`: {e}",
                    path.display()
                ));
            }
        }
        Ok(Credential {
            username: TOKEN_USERNAME.to_string(),
            token,
            source: self.name().to_string(),
        })
    }
}

impl OAuthDeviceFlowStrategy {
    /// Polls the token endpoint until the user decides or the code expires.
    fn poll(
        &self,
        agent: &ureq::Agent,
        client_id: &str,
        code: &DeviceCode,
    ) -> Result<Secret, StrategyError> {
        let mut interval = code.interval.max(1);
        let mut waited = 0u64;
        loop {
            if waited >= code.expires_in {
                return Err(StrategyError::Failed(
                    "the device code expired before it was authorized".to_string(),
                ));
            }
            (self.sleep)(Duration::from_secs(interval));
            waited += interval;
            let answer = self.post(
                agent,
                &self.token_url,
                &[
                    ("client_id", client_id),
                    ("device_code", &code.device_code),
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ],
            )?;
            if let Some(token) = answer
                .get("access_token")
                .and_then(|t| t.as_str())
                .filter(|t| !t.is_empty())
            {
                return Ok(Secret::new(token));
            }
            match answer
                .get("error")
                .and_then(|e| e.as_str())
                .unwrap_or("no access_token in the answer")
            {
                "authorization_pending" => {}
                // RFC 8628 §3.5: add 5 seconds, or use the interval the server names.
                "slow_down" => {
                    interval = answer
                        .get("interval")
                        .and_then(|i| i.as_u64())
                        .unwrap_or(interval + 5)
                        .max(interval + 1)
                }
                "expired_token" => {
                    return Err(StrategyError::Failed(
                        "the device code expired before it was authorized".to_string(),
                    ))
                }
                "access_denied" => {
                    return Err(StrategyError::Failed(
                        "the authorization was denied".to_string(),
                    ))
                }
                other => {
                    return Err(StrategyError::Failed(format!(
                        "the token endpoint answered `{other}`"
                    )))
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// One strategy's result as reported by the resolver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub strategy: String,
    /// `None` when it produced the credential.
    pub failure: Option<StrategyError>,
}

impl std::fmt::Display for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.failure {
            None => write!(f, "{}: found a token", self.strategy),
            Some(StrategyError::Unavailable(why)) => write!(f, "{}: skipped: {why}", self.strategy),
            Some(StrategyError::Failed(why)) => write!(f, "{}: failed: {why}", self.strategy),
        }
    }
}

/// No strategy produced a credential; every attempt says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no GitHub token found; tried:\n{}", attempts.iter().map(|a| format!("  - {a}")).collect::<Vec<_>>().join("\n"))]
pub struct ResolveError {
    pub attempts: Vec<Attempt>,
}

/// A resolved credential with the attempts that led to it.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub credential: Credential,
    pub attempts: Vec<Attempt>,
}

/// Tries strategies in order; the first credential wins.
pub struct LayeredCredentialResolver {
    strategies: Vec<Box<dyn CredentialStrategy>>,
}

/// Settings of the default chain.
#[derive(Debug, Clone)]
pub struct ResolverOptions {
    /// The GitHub host tokens are for (`github.com`).
    pub host: String,
    /// The cached token file (`None`: [`CachedTokenFileStrategy::default_path`]).
    pub token_file: Option<PathBuf>,
    /// Whether the OAuth device flow may ask a person.
    pub interactive: bool,
}

impl LayeredCredentialResolver {
    pub fn new(strategies: Vec<Box<dyn CredentialStrategy>>) -> LayeredCredentialResolver {
        LayeredCredentialResolver { strategies }
    }

    /// The seed's order: environment, GitHub CLI, git credential helper, cached token file,
    /// OAuth device flow (whose token is cached in the token file).
    pub fn default_chain(options: &ResolverOptions) -> LayeredCredentialResolver {
        let token_file = options
            .token_file
            .clone()
            .or_else(CachedTokenFileStrategy::default_path);
        let mut strategies: Vec<Box<dyn CredentialStrategy>> = vec![
            Box::new(EnvCredentialStrategy::new()),
            Box::new(GhCliCredentialStrategy::new(&options.host)),
            Box::new(GitCredentialHelperStrategy::new(&options.host)),
        ];
        if let Some(path) = &token_file {
            strategies.push(Box::new(CachedTokenFileStrategy::new(path.clone())));
        }
        let mut device = OAuthDeviceFlowStrategy::github(options.interactive);
        device.cache = token_file;
        strategies.push(Box::new(device));
        LayeredCredentialResolver { strategies }
    }

    pub fn strategy_names(&self) -> Vec<&'static str> {
        self.strategies.iter().map(|s| s.name()).collect()
    }

    pub fn resolve(&self) -> Result<Resolved, ResolveError> {
        let mut attempts = Vec::new();
        for strategy in &self.strategies {
            match strategy.resolve() {
                Ok(credential) => {
                    attempts.push(Attempt {
                        strategy: strategy.name().to_string(),
                        failure: None,
                    });
                    return Ok(Resolved {
                        credential,
                        attempts,
                    });
                }
                Err(failure) => attempts.push(Attempt {
                    strategy: strategy.name().to_string(),
                    failure: Some(failure),
                }),
            }
        }
        Err(ResolveError { attempts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_strategy_prefers_moment_token() {
        let map = HashMap::from([
            ("GITHUB_TOKEN".to_string(), "second".to_string()),
            ("MOMENT_GITHUB_TOKEN".to_string(), "first-token".to_string()),
        ]);
        let c = EnvCredentialStrategy::from_map(map).resolve().unwrap();
        assert_eq!(c.token.expose(), "first-token");
        assert!(c.source.contains("MOMENT_GITHUB_TOKEN"));
        let only = EnvCredentialStrategy::from_map(HashMap::from([(
            "GITHUB_TOKEN".to_string(),
            "gh-token".to_string(),
        )]));
        assert_eq!(only.resolve().unwrap().token.expose(), "gh-token");
        let none = EnvCredentialStrategy::from_map(HashMap::from([(
            "GITHUB_TOKEN".to_string(),
            "  ".to_string(),
        )]));
        assert!(matches!(none.resolve(), Err(StrategyError::Unavailable(_))));
    }

    #[test]
    fn resolver_reports_every_attempt() {
        let resolver = LayeredCredentialResolver::new(vec![
            Box::new(EnvCredentialStrategy::from_map(HashMap::new())),
            Box::new(CachedTokenFileStrategy::new(PathBuf::from(
                "/nonexistent/moment-sync/token",
            ))),
        ]);
        let err = resolver.resolve().unwrap_err();
        assert_eq!(err.attempts.len(), 2);
        let text = err.to_string();
        assert!(
            text.contains(
                "EnvCredentialStrategy: skipped: MOMENT_GITHUB_TOKEN and GITHUB_TOKEN are unset"
            ),
            "{text}"
        );
        assert!(
            text.contains("CachedTokenFileStrategy: skipped: no cached token"),
            "{text}"
        );
    }

    #[test]
    fn the_oauth_client_trusts_the_platform_store() {
        // Corporate CAs live in the system store; bundled web roots would refuse them.
        assert!(matches!(
            OAuthDeviceFlowStrategy::tls_config().root_certs(),
            ureq::tls::RootCerts::PlatformVerifier
        ));
    }

    #[test]
    fn default_chain_has_the_seed_order() {
        let r = LayeredCredentialResolver::default_chain(&ResolverOptions {
            host: "github.com".into(),
            token_file: Some(PathBuf::from("/tmp/x")),
            interactive: false,
        });
        assert_eq!(
            r.strategy_names(),
            [
                "EnvCredentialStrategy",
                "GhCliCredentialStrategy",
                "GitCredentialHelperStrategy",
                "CachedTokenFileStrategy",
                "OAuthDeviceFlowStrategy"
            ]
        );
    }
}
