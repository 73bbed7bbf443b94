#!/usr/bin/env bash
# cargo-deny on the locked dependency tree against deny.toml: advisories (RustSec), licences,
# bans (duplicates, wildcards) and sources. Arguments go to `cargo deny check`, e.g.
# `scripts/deny.sh licenses bans sources` where the advisory database cannot be cloned.
# Not a CI suite: installing cargo-deny is a build of several minutes (docs/INTEGRATIONS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! cargo deny --version >/dev/null 2>&1; then
  echo "deny.sh: cargo-deny is not installed; install it with" >&2
  echo "  cargo install cargo-deny --locked" >&2
  exit 2
fi
if cargo deny check "$@"; then
  exit 0
else
  rc=$?
fi
if [ $# -eq 0 ]; then
  # Say which part may have failed for want of a network rather than of the tree.
  echo "deny.sh: the advisories check clones the RustSec advisory database with git; where that" >&2
  echo "  cannot be reached, 'scripts/deny.sh licenses bans sources' checks the rest" >&2
fi
exit "$rc"
