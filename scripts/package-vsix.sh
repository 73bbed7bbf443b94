#!/usr/bin/env bash
# Builds the platform-specific VS Code extension for the host (or $VSCE_TARGET): the server binary
# is bundled as server/moment-sync, which the extension prefers over PATH (only an explicit
# momentSync.server.path setting wins). Output: dist/moment-sync-<target>-<version>.vsix.
#
#   scripts/package-vsix.sh                 # builds `cargo build --profile dist` first
#   MOMENT_SYNC_BIN=path/to/moment-sync scripts/package-vsix.sh   # bundles that binary
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
ext="$repo/editors/vscode"

host_target() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN*) os=win32 ;;
    *) echo "package-vsix: unsupported OS $(uname -s)" >&2; exit 2 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    armv7l) arch=armhf ;;
    *) echo "package-vsix: unsupported CPU $(uname -m)" >&2; exit 2 ;;
  esac
  echo "$os-$arch"
}

target="${VSCE_TARGET:-$(host_target)}"
exe=moment-sync
case "$target" in win32-*) exe=moment-sync.exe ;; esac

binary="${MOMENT_SYNC_BIN:-}"
if [ -z "$binary" ]; then
  (cd "$repo" && cargo build --profile dist --locked)
  binary="$repo/target/dist/$exe"
fi
if [ ! -x "$binary" ]; then
  echo "package-vsix: $binary is not an executable" >&2
  exit 2
fi

# The bundled server and the config schema live inside the extension folder while packaging;
# both are removed again so the work tree stays clean.
cleanup() { rm -rf "$ext/server"; }
trap cleanup EXIT
mkdir -p "$ext/server"
cp "$binary" "$ext/server/$exe"
chmod +x "$ext/server/$exe"

cd "$ext"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
version="$(node -p 'require("./package.json").version')"
mkdir -p "$repo/dist"
out="$repo/dist/moment-sync-$target-$version.vsix"
rm -f "$out"
npx vsce package --no-dependencies --allow-missing-repository --target "$target" --out "$out"
# A package without its server would silently fall back to PATH: refuse it. The listing is read
# whole first: under pipefail, `unzip -l | grep -q` fails when grep stops reading early (SIGPIPE).
listing="$(unzip -l "$out")"
grep -q "extension/server/$exe" <<<"$listing" || {
  echo "package-vsix: $out lacks server/$exe" >&2
  exit 1
}
# The bundled server starts from the package as VS Code would start it.
check_dir="$(mktemp -d)"
unzip -q "$out" "extension/server/$exe" -d "$check_dir"
"$check_dir/extension/server/$exe" --version
rm -rf "$check_dir"
echo "$out"
