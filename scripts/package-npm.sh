#!/usr/bin/env bash
# npm packages wrapping the binary the way @biomejs/biome does: `moment-sync` (a small launcher,
# one optional dependency per platform) and `@moment-sync/cli-<os>-<cpu>` (the binary, with `os`
# and `cpu` so npm installs only the matching one). Builds the host platform's package and the
# launcher into dist/npm/, packs both, and installs them into a scratch project to run
# `npx moment-sync --version`.
#
#   MOMENT_SYNC_BIN=path/to/moment-sync scripts/package-npm.sh   # else `cargo build --profile dist`
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n 1)"
out="$repo/dist/npm"
rm -rf "$out"
mkdir -p "$out"

case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) os=win32 ;; esac
case "$(uname -m)" in x86_64 | amd64) cpu=x64 ;; aarch64 | arm64) cpu=arm64 ;; *) cpu="$(uname -m)" ;; esac
exe=moment-sync
[ "$os" = win32 ] && exe=moment-sync.exe

binary="${MOMENT_SYNC_BIN:-}"
if [ -z "$binary" ]; then
  (cd "$repo" && cargo build --profile dist --locked)
  binary="$repo/target/dist/$exe"
fi

# The platform package.
platform="$out/cli-$os-$cpu"
mkdir -p "$platform"
cp "$binary" "$platform/$exe"
chmod +x "$platform/$exe"
cp "$repo/LICENSE" "$platform/"
cat > "$platform/package.json" <<JSON
{
  "name": "@moment-sync/cli-$os-$cpu",
  "version": "$version",
  "description": "The moment-sync binary for $os-$cpu",
  "license": "MIT",
  "repository": "https://github.com/moment-sync/moment-sync",
  "os": ["$os"],
  "cpu": ["$cpu"],
  "files": ["$exe", "LICENSE"]
}
JSON

# The launcher: finds the platform package's binary and runs it with the same arguments.
main="$out/moment-sync"
mkdir -p "$main/bin"
cp "$repo/LICENSE" "$main/"
optional=""
for target in linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64 win32-arm64; do
  optional="$optional    \"@moment-sync/cli-$target\": \"$version\",
"
done
cat > "$main/package.json" <<JSON
{
  "name": "moment-sync",
  "version": "$version",
  "description": "Drift between a .moment spec and its TypeScript implementation: CLI, language server, MCP server",
  "license": "MIT",
  "repository": "https://github.com/moment-sync/moment-sync",
  "bin": { "moment-sync": "bin/moment-sync.js" },
  "files": ["bin", "LICENSE"],
  "engines": { "node": ">=18" },
  "optionalDependencies": {
${optional%,
}
  }
}
JSON
cat > "$main/bin/moment-sync.js" <<'JS'
#!/usr/bin/env node
// Runs the moment-sync binary of this platform (installed as an optional dependency).
'use strict';
const { spawnSync } = require('node:child_process');
const { platform, arch } = process;
const name = `@moment-sync/cli-${platform}-${arch}`;
const exe = platform === 'win32' ? 'moment-sync.exe' : 'moment-sync';
let binary = process.env.MOMENT_SYNC_BINARY;
if (!binary) {
  try {
    binary = require.resolve(`${name}/${exe}`);
  } catch {
    console.error(
      `moment-sync: no binary for ${platform}-${arch}: the optional dependency ${name} is not installed ` +
        '(reinstall without --no-optional, or install the binary with `cargo install moment-sync`).',
    );
    process.exit(2);
  }
}
const result = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
if (result.error) {
  console.error(`moment-sync: cannot run ${binary}: ${result.error.message}`);
  process.exit(2);
}
process.exit(result.status === null ? 1 : result.status);
JS
chmod +x "$main/bin/moment-sync.js"

(cd "$out" && npm pack --silent "./cli-$os-$cpu" "./moment-sync" >/dev/null)
# Install both tarballs into a scratch project (offline: the other platforms' optional
# dependencies are not published here, so npm is told to leave optional ones alone) and run it.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(
  cd "$scratch"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --omit=optional --ignore-scripts \
    "$out/moment-sync-cli-$os-$cpu-$version.tgz" "$out/moment-sync-$version.tgz" >/dev/null
  npx --no-install moment-sync --version
)
ls "$out"/*.tgz
