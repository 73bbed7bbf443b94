#!/usr/bin/env bash
# Emacs: the real server driven by eglot in a real batch Emacs (Debian's emacs-nox + elpa-eglot):
# diagnostics (flymake), hover, a quick fix with its acceptance on save, fix-all, the spec side.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v emacs >/dev/null || ! compgen -G '/usr/share/emacs/site-lisp/elpa/eglot-*' >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 $sudo apt-get update -qq
  timeout 600 $sudo apt-get install -y -qq --no-install-recommends emacs-nox elpa-eglot >/dev/null
fi
emacs --version | head -n 1

# The release binary (suite 10 builds it; this is a no-op then).
cargo build --release --locked --quiet
export MOMENT_SYNC_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/moment-sync"

# Keep Emacs' state out of the user's home.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
HOME="$home" timeout 300 emacs --batch -Q -l tests/emacs/e2e.el
