//! Sharing snapshots and branches with remotes through the `git` program.
//!
//! gix reads and moves local refs; the network work (clone, fetch, push, pull) is done by the
//! `git` program, because gix cannot push. A token reaches git only through the child's
//! environment, read by an inline credential helper whose text names the variable, never the
//! value: nothing secret appears in argv, in URLs, in errors or in logs, and every byte the child
//! prints is redacted before anyone sees it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use gix::refs::transaction::PreviousValue;
use gix::ObjectId;
use serde::Serialize;

use super::credentials::{
    run_child, ChildEnv, Credential, GitCredentialHelperStrategy, LayeredCredentialResolver,
    ResolveError,
};
use super::secret::redact_urls;
use super::store::ARTIFACTS_REF;

/// The variables the inline helper reads.
const TOKEN_VAR: &str = "MOMENT_SYNC_GIT_TOKEN";
const USER_VAR: &str = "MOMENT_SYNC_GIT_USERNAME";
const PROTOCOL_VAR: &str = "MOMENT_SYNC_GIT_PROTOCOL";
const HOST_VAR: &str = "MOMENT_SYNC_GIT_HOST";

/// A credential helper (git's `!` form, run by the shell) that answers `get` from the
/// environment, and only when git asks for the protocol and host the token belongs to: git may
/// read a URL differently from us (`insteadOf` rewrites, redirects, odd userinfo), so the host
/// git actually talks to is checked again here. The host is compared lower-cased and without
/// the scheme's default port. It reads the whole request so git never writes into a closed
/// pipe; `store` and `erase` are ignored (the token is not ours to keep).
pub(crate) const HELPER: &str = "!f() { p=; h=; while IFS= read -r l; do case \"$l\" in protocol=*) p=${l#protocol=};; host=*) h=${l#host=};; esac; done; test \"$1\" = get || exit 0; h=$(printf %s \"$h\" | tr '[:upper:]' '[:lower:]'); case \"$p:$h\" in https:*:443) h=${h%:443};; http:*:80) h=${h%:80};; esac; test \"$p\" = \"$MOMENT_SYNC_GIT_PROTOCOL\" && test \"$h\" = \"$MOMENT_SYNC_GIT_HOST\" || exit 0; echo \"username=$MOMENT_SYNC_GIT_USERNAME\"; echo \"password=$MOMENT_SYNC_GIT_TOKEN\"; }; f";

/// Network commands may take a while; a hung one still ends.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(600);

/// `git credential approve|reject` talk only to local helpers.
const CHILD_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("`git {command}` failed: {message}{hint}")]
    Git {
        command: String,
        message: String,
        hint: String,
    },
    #[error("{0}")]
    Run(String),
    #[error("`{0}` is not a valid {1} name")]
    BadName(String, &'static str),
    #[error("{context}: {message}")]
    Repo { context: String, message: String },
    #[error("remote `{0}` is not configured (see `git remote -v`)")]
    UnknownRemote(String),
    #[error("nothing to push: there is no snapshot yet and no --branch was given")]
    NothingToPush,
}

fn repo_err<E: std::fmt::Display>(context: impl Into<String>) -> impl FnOnce(E) -> RemoteError {
    let context = context.into();
    move |e| RemoteError::Repo {
        context,
        message: e.to_string(),
    }
}

/// Where credentials come from.
pub enum CredentialSource {
    /// Never add a token (local and SSH remotes, or when the user's own git setup suffices).
    None,
    /// A fixed credential (tests, embedding tools).
    Fixed(Credential),
    /// Resolved on first need, once.
    Resolver(LayeredCredentialResolver),
}

/// What happened to the local snapshot ref on pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ArtifactsSync {
    /// The remote has no snapshot.
    RemoteEmpty,
    UpToDate {
        id: String,
    },
    Created {
        id: String,
    },
    FastForwarded {
        from: String,
        to: String,
    },
    /// Local snapshots the remote lacks: push them.
    LocalAhead {
        local: String,
        remote: String,
    },
    /// Both sides recorded snapshots the other lacks; the local ref is left as it was and the
    /// remote's is kept at `tracking`.
    Diverged {
        local: String,
        remote: String,
        tracking: String,
    },
}

/// Output of the git commands run, redacted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Transcript {
    pub lines: Vec<String>,
}

/// Remote operations on a project's repository.
pub struct GitRemoteManager {
    /// The project's work tree (for clone: any folder; the destination is given).
    pub dir: PathBuf,
    pub git: PathBuf,
    /// Extra environment for every git child.
    pub env: ChildEnv,
    /// The host a token may be sent to (a token for github.com is never sent elsewhere).
    pub credential_host: String,
    source: CredentialSource,
    resolved: OnceLock<Result<Credential, ResolveError>>,
    transcript: std::sync::Mutex<Transcript>,
}

impl GitRemoteManager {
    pub fn new(dir: &Path, credential_host: &str, source: CredentialSource) -> GitRemoteManager {
        GitRemoteManager {
            dir: dir.to_path_buf(),
            git: PathBuf::from("git"),
            env: ChildEnv::default(),
            credential_host: credential_host.to_string(),
            source,
            resolved: OnceLock::new(),
            transcript: std::sync::Mutex::new(Transcript::default()),
        }
    }

    /// Everything the git children printed so far (redacted).
    pub fn transcript(&self) -> Transcript {
        self.transcript
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default()
    }

    /// How credentials were looked for, if they were (for `--verbose` style reports).
    pub fn credential_report(&self) -> Option<Result<String, String>> {
        self.resolved.get().map(|r| match r {
            Ok(c) => Ok(format!("using a token from {}", c.source)),
            Err(e) => Err(e.to_string()),
        })
    }

    /// A token is sent only over HTTPS to the credential host (or plain HTTP on loopback,
    /// where nothing leaves the machine). The URL is parsed by a URL library, so fragments,
    /// queries and userinfo (`https://evil.example#@github.com/`) cannot pass for the host.
    pub fn wants_token(&self, url: &str) -> bool {
        self.token_target(url).is_some()
    }

    /// The protocol and `host[:port]` (lower-case, default port omitted) the inline helper
    /// may answer for, when `url` may receive the token.
    fn token_target(&self, url: &str) -> Option<TokenTarget> {
        let target = TokenTarget::of_url(url)?;
        let expected = CredentialHost::parse(&self.credential_host)?;
        expected.admits(&target).then_some(target)
    }

    /// The host `url` points at, for messages (`None` when it is not a URL with a host).
    fn url_host(url: &str) -> Option<String> {
        TokenTarget::of_url(url).map(|t| t.host)
    }

    fn credential_for(&self, url: &str) -> Option<(&Credential, TokenTarget)> {
        let target = self.token_target(url)?;
        let resolved = self.resolved.get_or_init(|| match &self.source {
            CredentialSource::None => Err(ResolveError {
                attempts: Vec::new(),
            }),
            CredentialSource::Fixed(c) => Ok(c.clone()),
            CredentialSource::Resolver(r) => r.resolve().map(|r| r.credential),
        });
        resolved.as_ref().ok().map(|c| (c, target))
    }

    /// Runs git in `cwd`. `url` is the remote the command talks to (for credentials).
    fn run_git(&self, cwd: &Path, args: &[&str], url: Option<&str>) -> Result<String, RemoteError> {
        let credential = url.and_then(|u| self.credential_for(u));
        let mut cmd = Command::new(&self.git);
        cmd.current_dir(cwd);
        if credential.is_some() {
            // Reset the helper list, then add ours: only it answers for this run.
            cmd.args([
                "-c",
                "credential.helper=",
                "-c",
                &format!("credential.helper={HELPER}"),
            ]);
        }
        cmd.args(args);
        cmd.env("GIT_TERMINAL_PROMPT", "0");
        for (k, v) in &self.env.vars {
            cmd.env(k, v);
        }
        if let Some((c, target)) = &credential {
            cmd.env(TOKEN_VAR, c.token.expose())
                .env(USER_VAR, &c.username)
                .env(PROTOCOL_VAR, &target.protocol)
                .env(HOST_VAR, target.authority());
        }
        let shown = args.join(" ");
        let (ok, stdout, stderr) =
            run_child(cmd, None, NETWORK_TIMEOUT).map_err(RemoteError::Run)?;
        let clean = |text: &str| {
            let text = redact_urls(text);
            match &credential {
                Some((c, _)) => c.token.redact(&text),
                None => text,
            }
        };
        let (stdout, stderr) = (clean(&stdout), clean(&stderr));
        if let Ok(mut t) = self.transcript.lock() {
            t.lines.push(format!("$ git {}", redact_urls(&shown)));
            t.lines
                .extend(stdout.lines().chain(stderr.lines()).map(str::to_string));
        }
        let auth_failed = auth_failed(&stderr);
        if let Some((c, target)) = &credential {
            // Tell the user's credential helpers how their credential fared, as git does:
            // a working one is kept, a refused one erased so it is not offered again.
            if ok || auth_failed {
                self.report_credential(c, target, ok);
            }
        }
        if ok {
            return Ok(stdout);
        }
        let message = stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        Err(RemoteError::Git {
            command: redact_urls(&shown),
            message,
            hint: self.auth_hint(&stderr, url),
        })
    }

    /// `git credential approve` (after success) or `reject` (after an authentication failure)
    /// for a credential that came from the user's git credential helpers. Tokens from other
    /// sources are never handed to them: that would copy an environment variable into a
    /// credential store. A failure here changes nothing about the command's outcome.
    fn report_credential(&self, credential: &Credential, target: &TokenTarget, ok: bool) {
        if credential.source != GitCredentialHelperStrategy::NAME {
            return;
        }
        let verb = if ok { "approve" } else { "reject" };
        let mut cmd = Command::new(&self.git);
        cmd.current_dir(&self.dir).args(["credential", verb]);
        cmd.env("GIT_TERMINAL_PROMPT", "0");
        for (k, v) in &self.env.vars {
            cmd.env(k, v);
        }
        let input = format!(
            "protocol={}\nhost={}\nusername={}\npassword={}\n\n",
            target.protocol,
            target.authority(),
            credential.username,
            credential.token.expose()
        );
        let result = run_child(cmd, Some(input.as_bytes()), CHILD_TIMEOUT);
        if let Ok(mut t) = self.transcript.lock() {
            t.lines.push(format!("$ git credential {verb}"));
            if let Err(e) = result {
                t.lines.push(credential.token.redact(&e));
            }
        }
    }

    /// When git failed on authentication, say where we looked for a token.
    fn auth_hint(&self, stderr: &str, url: Option<&str>) -> String {
        match (
            auth_failed(stderr),
            url.map(|u| self.wants_token(u)),
            self.resolved.get(),
        ) {
            (true, Some(true), Some(Err(e))) if !e.attempts.is_empty() => format!("\n{e}"),
            (true, Some(false), _) => {
                let host = url
                    .and_then(Self::url_host)
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                format!(
                    "\n(no token is sent to this remote{host}: tokens go only to https://{})",
                    self.credential_host
                )
            }
            _ => String::new(),
        }
    }

    /// The URL of a configured remote, or `remote` itself when it is a URL or a path.
    pub fn remote_url(&self, remote: &str) -> Result<String, RemoteError> {
        if remote.contains("://") || remote.contains('/') || remote.starts_with('.') {
            return Ok(remote.to_string());
        }
        check_name(remote, "remote")?;
        let repo = open_repo(&self.dir)?;
        let url = repo
            .config_snapshot()
            .string(format!("remote.{remote}.url").as_str())
            .map(|u| u.to_string());
        url.ok_or_else(|| RemoteError::UnknownRemote(remote.to_string()))
    }

    /// `git clone <url> <dest>`, then the snapshot ref when the remote has one.
    pub fn clone_repo(&self, url: &str, dest: &Path) -> Result<Option<String>, RemoteError> {
        let dest_text = dest.to_string_lossy().into_owned();
        self.run_git(&self.dir, &["clone", "--", url, &dest_text], Some(url))?;
        if !self.remote_has_artifacts(dest, "origin", url)? {
            return Ok(None);
        }
        let spec = format!("+{ARTIFACTS_REF}:{ARTIFACTS_REF}");
        self.run_git(dest, &["fetch", "origin", &spec], Some(url))?;
        let repo = open_repo(dest)?;
        Ok(find_ref(&repo, ARTIFACTS_REF)?.map(|id| id.to_string()))
    }

    fn remote_has_artifacts(
        &self,
        cwd: &Path,
        remote: &str,
        url: &str,
    ) -> Result<bool, RemoteError> {
        let out = self.run_git(cwd, &["ls-remote", remote, ARTIFACTS_REF], Some(url))?;
        Ok(out.lines().any(|l| l.trim_end().ends_with(ARTIFACTS_REF)))
    }

    /// Fetches the remote's snapshots and fast-forwards the local ref; with `branch`, also
    /// `git pull --ff-only <remote> <branch>`.
    pub fn pull(&self, remote: &str, branch: Option<&str>) -> Result<ArtifactsSync, RemoteError> {
        let url = self.remote_url(remote)?;
        let sync = if self.remote_has_artifacts(&self.dir, remote, &url)? {
            let tracking = tracking_ref(remote);
            let spec = format!("+{ARTIFACTS_REF}:{tracking}");
            self.run_git(&self.dir, &["fetch", remote, &spec], Some(&url))?;
            self.fast_forward(&tracking)?
        } else {
            ArtifactsSync::RemoteEmpty
        };
        if let Some(branch) = branch {
            check_name(branch, "branch")?;
            self.run_git(
                &self.dir,
                &["pull", "--ff-only", remote, branch],
                Some(&url),
            )?;
        }
        Ok(sync)
    }

    /// Moves the local snapshot ref to the fetched one when that only adds snapshots.
    fn fast_forward(&self, tracking: &str) -> Result<ArtifactsSync, RemoteError> {
        let repo = open_repo(&self.dir)?;
        let Some(remote) = find_ref(&repo, tracking)? else {
            return Ok(ArtifactsSync::RemoteEmpty);
        };
        let local = find_ref(&repo, ARTIFACTS_REF)?;
        let (r, l) = (remote.to_string(), local.map(|l| l.to_string()));
        let update = |expected: PreviousValue| {
            repo.reference(ARTIFACTS_REF, remote, expected, "moment-sync remote pull")
                .map(|_| ())
                .map_err(repo_err(format!("cannot update {ARTIFACTS_REF}")))
        };
        match local {
            None => {
                update(PreviousValue::MustNotExist)?;
                Ok(ArtifactsSync::Created { id: r })
            }
            Some(local) if local == remote => Ok(ArtifactsSync::UpToDate { id: r }),
            Some(local) if is_ancestor(&repo, local, remote)? => {
                update(PreviousValue::MustExistAndMatch(gix::refs::Target::Object(
                    local,
                )))?;
                Ok(ArtifactsSync::FastForwarded {
                    from: l.unwrap_or_default(),
                    to: r,
                })
            }
            Some(local) if is_ancestor(&repo, remote, local)? => Ok(ArtifactsSync::LocalAhead {
                local: l.unwrap_or_default(),
                remote: r,
            }),
            Some(_) => Ok(ArtifactsSync::Diverged {
                local: l.unwrap_or_default(),
                remote: r,
                tracking: tracking.to_string(),
            }),
        }
    }

    /// Pushes the snapshot ref (never forced: a remote with snapshots we lack refuses) and, with
    /// `branch`, that branch.
    pub fn push(&self, remote: &str, branch: Option<&str>) -> Result<Vec<String>, RemoteError> {
        let url = self.remote_url(remote)?;
        let repo = open_repo(&self.dir)?;
        let mut refspecs = Vec::new();
        if find_ref(&repo, ARTIFACTS_REF)?.is_some() {
            refspecs.push(format!("{ARTIFACTS_REF}:{ARTIFACTS_REF}"));
        }
        if let Some(branch) = branch {
            check_name(branch, "branch")?;
            refspecs.push(format!("refs/heads/{branch}:refs/heads/{branch}"));
        }
        if refspecs.is_empty() {
            return Err(RemoteError::NothingToPush);
        }
        let mut args = vec!["push", "--porcelain", remote];
        args.extend(refspecs.iter().map(String::as_str));
        self.run_git(&self.dir, &args, Some(&url)).map_err(|e| match e {
            RemoteError::Git { command, message, hint } if message.contains("rejected") => RemoteError::Git {
                command,
                message,
                hint: format!("{hint}\n(the remote has snapshots or commits this repository lacks: run `moment-sync remote pull` first)"),
            },
            other => other,
        })?;
        Ok(refspecs)
    }

    /// The checked-out branch (`None` when HEAD is detached).
    pub fn current_branch(&self) -> Result<Option<String>, RemoteError> {
        let repo = open_repo(&self.dir)?;
        let head = repo.head_name().map_err(repo_err("cannot read HEAD"))?;
        Ok(head.map(|name| name.shorten().to_string()))
    }

    pub fn branch_exists(&self, name: &str) -> Result<bool, RemoteError> {
        check_name(name, "branch")?;
        let repo = open_repo(&self.dir)?;
        Ok(find_ref(&repo, &format!("refs/heads/{name}"))?.is_some())
    }

    /// Creates `name` at HEAD's commit (with gix; the work tree is not touched).
    pub fn create_branch(&self, name: &str) -> Result<String, RemoteError> {
        check_name(name, "branch")?;
        let repo = open_repo(&self.dir)?;
        let head = repo
            .head_id()
            .map_err(repo_err("HEAD has no commit yet"))?
            .detach();
        repo.reference(
            format!("refs/heads/{name}").as_str(),
            head,
            PreviousValue::MustNotExist,
            "moment-sync remote branch",
        )
        .map_err(repo_err(format!("cannot create branch `{name}`")))?;
        Ok(head.to_string())
    }

    /// Checks out `name` (`git switch`: it updates the work tree, which gix does not do here).
    pub fn switch_branch(&self, name: &str) -> Result<(), RemoteError> {
        check_name(name, "branch")?;
        self.run_git(&self.dir, &["switch", name], None).map(|_| ())
    }
}

/// Opens the repository at `dir` with a fallback identity, so writing a reflog never fails
/// because `user.name` is unset.
fn open_repo(dir: &Path) -> Result<gix::Repository, RemoteError> {
    let mut repo = gix::open(dir).map_err(repo_err(format!(
        "cannot open the repository at `{}`",
        dir.display()
    )))?;
    repo.committer_or_set_fallback("moment-sync", "moment-sync@localhost")
        .map_err(repo_err("cannot set a fallback identity"))?;
    Ok(repo)
}

/// Where `pull` keeps a remote's snapshot ref.
pub fn tracking_ref(remote: &str) -> String {
    let clean: String = remote
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("refs/moment/remotes/{clean}/artifacts")
}

/// Refuses names git would read as options or that are not valid ref names (git's own rules,
/// through `gix-validate`): a branch must make a valid `refs/heads/<name>`, a remote a valid
/// `refs/remotes/<name>/HEAD`.
fn check_name(name: &str, what: &'static str) -> Result<(), RemoteError> {
    let full = match what {
        "branch" => format!("refs/heads/{name}"),
        _ => format!("refs/remotes/{name}/HEAD"),
    };
    let valid = match what {
        "branch" => gix_validate::reference::branch_name(full.as_str().into()).is_ok(),
        _ => gix_validate::reference::name(full.as_str().into()).is_ok(),
    };
    // A leading `-` is a valid ref component but git's command line would read it as an option.
    if name.is_empty() || name.starts_with('-') || name.contains('\0') || !valid {
        Err(RemoteError::BadName(name.to_string(), what))
    } else {
        Ok(())
    }
}

/// Where a token would go: the scheme and host of a parsed URL.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TokenTarget {
    /// `https` or `http`, lower-case.
    protocol: String,
    /// Lower-case; IDNs in their ASCII (punycode) form; IPv6 in brackets.
    host: String,
    /// `None` when the URL uses the scheme's default port.
    port: Option<u16>,
    /// `localhost` or a loopback address (parsed, so `127.evil.example` is not one).
    loopback: bool,
}

impl TokenTarget {
    /// `None` for anything but an `http(s)` URL with a host (scp-like `git@host:path`, local
    /// paths, `file://`, `ssh://`: no token is ever sent there).
    fn of_url(url: &str) -> Option<TokenTarget> {
        let parsed = url::Url::parse(url).ok()?;
        let protocol = parsed.scheme().to_ascii_lowercase();
        if protocol != "https" && protocol != "http" {
            return None;
        }
        let (host, loopback) = match parsed.host()? {
            url::Host::Domain(d) => {
                let d = d.to_ascii_lowercase();
                let loopback = d == "localhost";
                (d, loopback)
            }
            url::Host::Ipv4(ip) => (ip.to_string(), ip.is_loopback()),
            url::Host::Ipv6(ip) => (format!("[{ip}]"), ip.is_loopback()),
        };
        Some(TokenTarget {
            protocol,
            host,
            port: parsed.port(),
            loopback,
        })
    }

    /// `host[:port]` as the inline helper compares it.
    fn authority(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }
}

/// The configured credential host: `github.com`, `ghe.example:8443`, `127.0.0.1`.
struct CredentialHost {
    host: String,
    port: Option<u16>,
}

impl CredentialHost {
    fn parse(text: &str) -> Option<CredentialHost> {
        // Parsed as a URL so the host is normalised exactly as the remote's URL is.
        let t = TokenTarget::of_url(&format!("https://{}/", text.trim()))?;
        Some(CredentialHost {
            host: t.host,
            port: t.port,
        })
    }

    /// Same host; same port when the credential host names one, else the default port (any
    /// port on loopback, where test servers live); HTTPS, or HTTP on loopback only.
    fn admits(&self, t: &TokenTarget) -> bool {
        let port_ok = match self.port {
            Some(p) => t.port == Some(p) || (t.port.is_none() && p == 443),
            None => t.port.is_none() || t.loopback,
        };
        let scheme_ok = t.protocol == "https" || (t.protocol == "http" && t.loopback);
        t.host == self.host && port_ok && scheme_ok
    }
}

/// Whether git's error output says authentication failed.
fn auth_failed(stderr: &str) -> bool {
    [
        "Authentication failed",
        "could not read Username",
        "403",
        "401",
        "terminal prompts disabled",
    ]
    .iter()
    .any(|m| stderr.contains(m))
}

fn find_ref(repo: &gix::Repository, name: &str) -> Result<Option<ObjectId>, RemoteError> {
    let Some(mut r) = repo
        .try_find_reference(name)
        .map_err(repo_err(format!("cannot read {name}")))?
    else {
        return Ok(None);
    };
    Ok(Some(
        r.peel_to_id()
            .map_err(repo_err(format!("cannot resolve {name}")))?
            .detach(),
    ))
}

/// Whether `ancestor` is reachable from `tip` through parents.
fn is_ancestor(
    repo: &gix::Repository,
    ancestor: ObjectId,
    tip: ObjectId,
) -> Result<bool, RemoteError> {
    let mut queue = vec![tip];
    let mut seen = std::collections::HashSet::new();
    while let Some(id) = queue.pop() {
        if id == ancestor {
            return Ok(true);
        }
        if !seen.insert(id) {
            continue;
        }
        let commit = repo
            .find_commit(id)
            .map_err(repo_err(format!("cannot read commit {id}")))?;
        queue.extend(commit.parent_ids().map(|p| p.detach()));
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_go_only_to_the_credential_host() {
        let m = GitRemoteManager::new(Path::new("."), "github.com", CredentialSource::None);
        assert!(m.wants_token("https://github.com/o/r.git"));
        assert!(m.wants_token("https://GitHub.com:443/o/r.git"));
        assert!(m.wants_token("https://x-access-token@github.com/o/r.git"));
        assert!(
            !m.wants_token("http://github.com/o/r.git"),
            "never over plain HTTP"
        );
        assert!(!m.wants_token("https://evil.example/o/r.git"));
        assert!(!m.wants_token("git@github.com:o/r.git"));
        assert!(!m.wants_token("ssh://git@github.com/o/r.git"));
        assert!(!m.wants_token("/srv/git/r.git"));
        let local = GitRemoteManager::new(Path::new("."), "127.0.0.1", CredentialSource::None);
        assert!(
            local.wants_token("http://127.0.0.1:8080/r.git"),
            "plain HTTP only on loopback"
        );
    }

    #[test]
    fn hostile_urls_are_not_taken_for_the_credential_host() {
        let m = GitRemoteManager::new(Path::new("."), "github.com", CredentialSource::None);
        for url in [
            // The hand-split parser took everything after the last `@` for the host.
            "https://evil.example#@github.com/org/repo",
            "https://evil.example?@github.com/org/repo",
            "https://evil.example/#@github.com/org/repo",
            "https://evil.example\\@github.com/org/repo",
            "https://github.com@evil.example/org/repo",
            "https://github.com:x@evil.example/org/repo",
            "https://github.com.evil.example/org/repo",
            "https://evil.example/github.com/org/repo",
            // Look-alikes: a Cyrillic `і`, a full-width dot, another port.
            "https://g\u{0456}thub.com/org/repo",
            "https://github\u{ff0e}com.evil.example/org/repo",
            "https://github.com:8443/org/repo",
            "HTTP://github.com/org/repo",
            "file://github.com/org/repo",
        ] {
            assert!(!m.wants_token(url), "a token would go to {url}");
        }
        // Case and default ports are the same host.
        assert!(m.wants_token("HTTPS://GITHUB.COM:443/org/repo"));
        let ghe = GitRemoteManager::new(Path::new("."), "ghe.example:8443", CredentialSource::None);
        assert!(ghe.wants_token("https://ghe.example:8443/o/r"));
        assert!(!ghe.wants_token("https://ghe.example/o/r"));
        assert!(!ghe.wants_token("https://ghe.example:9443/o/r"));
        // A domain that merely starts like a loopback address is not loopback.
        let local = GitRemoteManager::new(Path::new("."), "127.0.0.1", CredentialSource::None);
        assert!(!local.wants_token("http://127.0.0.1.evil.example/r.git"));
        let idn = GitRemoteManager::new(Path::new("."), "bücher.example", CredentialSource::None);
        assert!(idn.wants_token("https://xn--bcher-kva.example/o/r"));
        assert!(idn.wants_token("https://BÜCHER.example/o/r"));
    }

    #[test]
    fn the_hint_names_the_host_the_url_really_points_at() {
        let m = GitRemoteManager::new(Path::new("."), "github.com", CredentialSource::None);
        let hint = m.auth_hint(
            "fatal: Authentication failed",
            Some("https://evil.example#@github.com/o/r"),
        );
        assert!(hint.contains("(evil.example)"), "{hint}");
    }

    /// Runs `git credential fill` for `url` with only the inline helper, which holds a token
    /// for `expected` (protocol, host).
    fn fill_through_helper(url: &str, expected: (&str, &str)) -> Option<String> {
        let mut cmd = Command::new("git");
        cmd.args([
            "-c",
            "credential.helper=",
            "-c",
            &format!("credential.helper={HELPER}"),
            "credential",
            "fill",
        ])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_ASKPASS")
        .env_remove("SSH_ASKPASS")
        .env(TOKEN_VAR, "ghp_secret_for_the_test")
        .env(USER_VAR, "x-access-token")
        .env(PROTOCOL_VAR, expected.0)
        .env(HOST_VAR, expected.1);
        let input = format!("url={url}\n\n");
        let (ok, stdout, _) = run_child(cmd, Some(input.as_bytes()), CHILD_TIMEOUT).ok()?;
        stdout
            .lines()
            .find_map(|l| l.strip_prefix("password=").map(str::to_string))
            .filter(|_| ok)
    }

    #[test]
    fn the_inline_helper_answers_only_for_its_host() {
        let gh = ("https", "github.com");
        assert_eq!(
            fill_through_helper("https://github.com/o/r.git", gh).as_deref(),
            Some("ghp_secret_for_the_test")
        );
        assert!(fill_through_helper("https://GitHub.com:443/o/r.git", gh).is_some());
        for url in [
            "https://evil.example/o/r.git",
            "https://evil.example#@github.com/o/r.git",
            "https://evil.example?@github.com/o/r.git",
            "https://github.com@evil.example/o/r.git",
            "https://github.com:8443/o/r.git",
            "http://github.com/o/r.git",
        ] {
            assert_eq!(fill_through_helper(url, gh), None, "answered for {url}");
        }
        let local = ("http", "127.0.0.1:8080");
        assert!(fill_through_helper("http://127.0.0.1:8080/r.git", local).is_some());
        assert!(fill_through_helper("http://127.0.0.1:9090/r.git", local).is_none());
    }

    #[test]
    fn names_that_look_like_options_are_refused() {
        assert!(check_name("--upload-pack=x", "remote").is_err());
        assert!(check_name("-x", "branch").is_err());
        assert!(check_name("feature/x", "branch").is_ok());
        assert!(check_name("origin", "remote").is_ok());
        assert!(check_name("a..b", "branch").is_err());
    }

    #[test]
    fn ref_names_follow_gits_rules() {
        for bad in [
            "", "a b", "x.lock", "x/", "/x", "a//b", "a/.b", "a@{1}", "HEAD", "a\u{7f}b", "a\\b",
            "x.", "a:b", "a~1", "a^", "a*", "a?", "a[b",
        ] {
            assert!(
                check_name(bad, "branch").is_err(),
                "branch `{bad}` accepted"
            );
        }
        for good in ["main", "feature/x", "release-1.2", "über", "a.b/c_d"] {
            assert!(
                check_name(good, "branch").is_ok(),
                "branch `{good}` refused"
            );
        }
        assert!(check_name("up/stream", "remote").is_ok());
        assert!(check_name("a..b", "remote").is_err());
    }
}
