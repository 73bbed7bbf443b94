//! Git: artifact store (gix), remotes (the git program), credentials.
