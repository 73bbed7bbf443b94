//! `moment-sync remote clone|pull|push|branch|auth`: share snapshots and branches.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::git::{
    ArtifactsSync, CredentialSource, GitRemoteManager, LayeredCredentialResolver, ResolverOptions,
    ARTIFACTS_REF,
};
use crate::workspace::discover_root;

#[derive(Debug, Args)]
pub struct RemoteArgs {
    #[command(subcommand)]
    pub command: RemoteCommand,
}

#[derive(Debug, Subcommand)]
pub enum RemoteCommand {
    /// Clone a repository together with its snapshots.
    Clone {
        /// The repository to clone.
        url: String,
        /// Destination folder (default: the repository's name).
        dir: Option<PathBuf>,
        #[command(flatten)]
        opts: RemoteOpts,
    },
    /// Fetch the remote's snapshots (fast-forwarding refs/moment/artifacts) and, with --branch,
    /// pull that branch (fast-forward only).
    Pull {
        /// A configured remote, a URL or a path.
        #[arg(default_value = "origin")]
        remote: String,
        /// Also this branch.
        #[arg(long)]
        branch: Option<String>,
        #[command(flatten)]
        opts: RemoteOpts,
    },
    /// Push refs/moment/artifacts (never forced) and, with --branch, that branch.
    Push {
        /// A configured remote, a URL or a path.
        #[arg(default_value = "origin")]
        remote: String,
        /// Also this branch.
        #[arg(long)]
        branch: Option<String>,
        #[command(flatten)]
        opts: RemoteOpts,
    },
    /// Show the current branch, or create NAME at HEAD (and check it out with --switch).
    Branch {
        /// The branch to create (and with --switch, to check out).
        name: Option<String>,
        /// Check the branch out (creating it first when it does not exist).
        #[arg(long)]
        switch: bool,
        #[command(flatten)]
        opts: RemoteOpts,
    },
    /// Show which credential strategy would provide a token (never the token itself).
    Auth {
        #[command(flatten)]
        opts: RemoteOpts,
    },
}

#[derive(Debug, Args, Clone)]
pub struct RemoteOpts {
    /// Project root (default: discovered from the current folder).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// The host tokens are for; no token is ever sent to another host.
    /// [default: $MOMENT_GITHUB_HOST, else github.com]
    #[arg(long, value_name = "HOST")]
    pub credential_host: Option<String>,
    /// The cached token file (default: ~/.config/moment-sync/github-token).
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// Never ask a person (skips the OAuth device flow).
    #[arg(long)]
    pub no_prompt: bool,
    /// Print what git printed (redacted).
    #[arg(short, long)]
    pub verbose: bool,
}

impl RemoteOpts {
    fn host(&self) -> String {
        self.credential_host
            .clone()
            .or_else(|| {
                std::env::var("MOMENT_GITHUB_HOST")
                    .ok()
                    .filter(|h| !h.trim().is_empty())
            })
            .unwrap_or_else(|| "github.com".to_string())
    }

    fn resolver(&self) -> LayeredCredentialResolver {
        let interactive =
            !self.no_prompt && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        LayeredCredentialResolver::default_chain(&ResolverOptions {
            host: self.host(),
            token_file: self.token_file.clone(),
            interactive,
        })
    }

    fn manager(&self, dir: PathBuf) -> GitRemoteManager {
        GitRemoteManager::new(
            &dir,
            &self.host(),
            CredentialSource::Resolver(self.resolver()),
        )
    }

    fn root(&self) -> anyhow::Result<PathBuf> {
        Ok(match &self.root {
            Some(r) => r.clone(),
            None => discover_root(&std::env::current_dir()?),
        })
    }
}

pub fn run(args: &RemoteArgs) -> anyhow::Result<i32> {
    match &args.command {
        RemoteCommand::Clone { url, dir, opts } => {
            let cwd = std::env::current_dir()?;
            let dest = dir
                .clone()
                .unwrap_or_else(|| PathBuf::from(default_clone_dir(url)));
            let manager = opts.manager(cwd);
            let result = manager.clone_repo(url, &dest);
            finish(
                &manager,
                opts,
                result.map(|artifacts| {
                    match artifacts {
                        Some(id) => println!(
                            "cloned into {} with snapshots ({ARTIFACTS_REF} at {})",
                            dest.display(),
                            short(&id)
                        ),
                        None => println!(
                            "cloned into {} (the remote has no snapshots yet)",
                            dest.display()
                        ),
                    }
                    0
                }),
            )
        }
        RemoteCommand::Pull {
            remote,
            branch,
            opts,
        } => {
            let manager = opts.manager(opts.root()?);
            let result = manager.pull(remote, branch.as_deref());
            finish(
                &manager,
                opts,
                result.map(|sync| report_pull(remote, &sync, branch.as_deref())),
            )
        }
        RemoteCommand::Push {
            remote,
            branch,
            opts,
        } => {
            let manager = opts.manager(opts.root()?);
            let result = manager.push(remote, branch.as_deref());
            finish(
                &manager,
                opts,
                result.map(|refs| {
                    println!("pushed {} to {remote}", refs.join(", "));
                    0
                }),
            )
        }
        RemoteCommand::Branch { name, switch, opts } => {
            let manager = opts.manager(opts.root()?);
            let result = branch(&manager, name.as_deref(), *switch);
            finish(&manager, opts, result)
        }
        RemoteCommand::Auth { opts } => Ok(auth(opts)),
    }
}

fn branch(
    manager: &GitRemoteManager,
    name: Option<&str>,
    switch: bool,
) -> Result<i32, crate::git::RemoteError> {
    let Some(name) = name else {
        match manager.current_branch()? {
            Some(b) => println!("{b}"),
            None => println!("(detached HEAD)"),
        }
        return Ok(0);
    };
    // An existing branch is only an error when there is nothing else to do with it.
    if !switch || !manager.branch_exists(name)? {
        manager.create_branch(name)?;
        println!("created branch {name}");
    }
    if switch {
        manager.switch_branch(name)?;
        println!("switched to {name}");
    }
    Ok(0)
}

fn report_pull(remote: &str, sync: &ArtifactsSync, branch: Option<&str>) -> i32 {
    let code = match sync {
        ArtifactsSync::RemoteEmpty => {
            println!("{remote} has no snapshots");
            0
        }
        ArtifactsSync::UpToDate { id } => {
            println!("snapshots up to date ({})", short(id));
            0
        }
        ArtifactsSync::Created { id } => {
            println!("snapshots fetched ({ARTIFACTS_REF} at {})", short(id));
            0
        }
        ArtifactsSync::FastForwarded { from, to } => {
            println!("snapshots fast-forwarded {}..{}", short(from), short(to));
            0
        }
        ArtifactsSync::LocalAhead { local, .. } => {
            println!(
                "local snapshots are ahead of {remote} (at {}): run `moment-sync remote push`",
                short(local)
            );
            0
        }
        ArtifactsSync::Diverged {
            local,
            remote: theirs,
            tracking,
        } => {
            eprintln!(
                "moment-sync: snapshots diverged: local {} and {remote} {} each have snapshots the other lacks; \
                 the remote's are kept at {tracking} (compare with `moment-sync diff {} {}`)",
                short(local),
                short(theirs),
                short(theirs),
                short(local)
            );
            1
        }
    };
    if let Some(b) = branch {
        println!("pulled {b} from {remote}");
    }
    code
}

/// Prints the redacted transcript when asked, then the result.
fn finish(
    manager: &GitRemoteManager,
    opts: &RemoteOpts,
    result: Result<i32, crate::git::RemoteError>,
) -> anyhow::Result<i32> {
    if opts.verbose {
        if let Some(report) = manager.credential_report() {
            eprintln!("{}", report.unwrap_or_else(|e| e));
        }
        for line in manager.transcript().lines {
            eprintln!("{line}");
        }
    }
    Ok(result?)
}

fn auth(opts: &RemoteOpts) -> i32 {
    match opts.resolver().resolve() {
        Ok(resolved) => {
            for a in &resolved.attempts {
                println!("{a}");
            }
            println!(
                "a token for {} is available from {}",
                opts.host(),
                resolved.credential.source
            );
            0
        }
        Err(e) => {
            eprintln!("moment-sync: {e}");
            1
        }
    }
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// `https://host/o/repo.git` → `repo`, as git names it.
fn default_clone_dir(url: &str) -> String {
    let last = url
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("repository");
    let name = last.strip_suffix(".git").unwrap_or(last);
    if name.is_empty() {
        "repository".to_string()
    } else {
        name.to_string()
    }
}
