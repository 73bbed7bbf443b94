#!/usr/bin/env bash
# Release packaging for the host platform: the platform-specific .vsix bundling the release
# binary (built by suite 10), checked to contain the server and to start it.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary="$PWD/target/release/moment-sync"
if [ ! -x "$binary" ]; then
  cargo build --release --locked
fi
MOMENT_SYNC_BIN="$binary" timeout 600 bash scripts/package-vsix.sh
