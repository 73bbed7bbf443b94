#!/usr/bin/env bash
# VS Code end to end: the host-platform .vsix (with the bundled release server) installed into
# code-server 4.99 (VS Code 1.99 from npm, on Node 20), driven in headless Chromium from apt by
# playwright-core (tests/vscode-e2e/e2e.mjs). Screenshots: tests/vscode-e2e/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
t0=$(date +%s)

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ]; then
  echo "45-vscode-e2e: code-server 4.99 needs Node 20; this is Node $(node --version)" >&2
  exit 1
fi

# System packages: the browser, Kerberos headers for code-server's native `kerberos` module, and
# ripgrep (seeded below instead of @vscode/ripgrep's download from GitHub).
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
[ -e /usr/include/krb5.h ] || [ -e /usr/include/krb5/krb5.h ] || missing+=(libkrb5-dev)
command -v g++ >/dev/null || missing+=(g++)
command -v make >/dev/null || missing+=(make)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# code-server's postinstall runs `npm install` in its bundled VS Code, whose @vscode/ripgrep
# (1.15.11 in code-server 4.99.4's shrinkwrap; its postinstall wants ripgrep v13.0.0-10) looks for
# $TMPDIR/vscode-ripgrep-cache-<version>/ripgrep-<tag>-<target>.tar.gz before asking GitHub: put
# Debian's rg there. Bump these with code-server. Native modules build against the local Node
# headers (nothing from nodejs.org); node-pty's `npx node-gyp` fetches node-gyp from the registry.
RG_PACKAGE_VERSION=1.15.11
RG_TAG=v13.0.0-10
cd "$repo/tests/vscode-e2e"
lock_digest="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat node_modules/.moment-sync-lock 2>/dev/null)" != "$lock_digest" ]; then
  case "$(uname -m)" in
    x86_64) rg_target=x86_64-unknown-linux-musl ;;
    aarch64) rg_target=aarch64-unknown-linux-musl ;;
    *) echo "45-vscode-e2e: no ripgrep seed for $(uname -m)" >&2; exit 1 ;;
  esac
  seed="$(mktemp -d)"
  mkdir -p "$seed/vscode-ripgrep-cache-$RG_PACKAGE_VERSION" "$seed/rg"
  cp "$(command -v rg)" "$seed/rg/rg"
  tar czf "$seed/vscode-ripgrep-cache-$RG_PACKAGE_VERSION/ripgrep-$RG_TAG-$rg_target.tar.gz" -C "$seed/rg" rg
  TMPDIR="$seed" npm_config_yes=true npm_config_unsafe_perm=true \
    npm_config_nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")" \
    nice -n 10 npm ci --no-audit --no-fund
  rm -rf "$seed"
  echo "$lock_digest" > node_modules/.moment-sync-lock
fi
test -x node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg
echo "45-vscode-e2e: dependencies ready in $(( $(date +%s) - t0 ))s"

# The .vsix as released: the release binary (suite 10 builds it; a no-op then) bundled, unless
# $MOMENT_SYNC_BIN names another build.
cd "$repo"
binary="${MOMENT_SYNC_BIN:-}"
if [ -z "$binary" ]; then
  cargo build --release --locked --quiet
  binary="${CARGO_TARGET_DIR:-$repo/target}/release/moment-sync"
fi
vsix="$(MOMENT_SYNC_BIN="$binary" timeout 600 bash scripts/package-vsix.sh | tail -n 1)"

MOMENT_SYNC_VSIX="$vsix" timeout 900 node tests/vscode-e2e/e2e.mjs
echo "45-vscode-e2e: done in $(( $(date +%s) - t0 ))s"
