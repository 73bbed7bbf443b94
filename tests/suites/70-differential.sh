#!/usr/bin/env bash
# Differential test of the drift engine against the TypeScript checker (issue 10):
#  1. 5,000 generated pairs across the type grammar, the checker (mutual assignability; enum
#     constant values) as oracle: 0 false drift points and 0 missed changes;
#  2. real-world identity: TypeScript's lib files, @types/node, @types/react and csstype against
#     themselves reformatted by Prettier in four styles (incl. --no-semi): 0 drift points.
#  3. fixes that compile: `fix --max-category 3` on fixtures/compiles-after-fix, then `tsc --noEmit`
#     on the implementation gives no error that was not there before.
# Uses the release binary built by suite 10; npm packages come from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary="$PWD/target/release/moment-sync"
if [ ! -x "$binary" ]; then
  cargo build --release --locked
fi
cd tests/differential
timeout 300 npm ci --no-audit --no-fund --loglevel=error
timeout 600 node differential.mjs "$binary" 5000 1
timeout 900 node realworld.mjs "$binary"
timeout 120 node compiles.mjs "$binary"
