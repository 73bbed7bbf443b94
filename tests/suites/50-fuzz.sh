#!/usr/bin/env bash
# Fuzz targets (tests/fuzz.rs) as long property runs, bounded in time: TypeScript extraction,
# the JSONL readers (state log, upstream events) and the LSP message reader. Uses the release
# test build of suite 10; a failure prints the minimal input proptest shrank it to.
set -euo pipefail
cd "$(dirname "$0")/../.."
cases="${MOMENT_FUZZ_CASES:-600}"
echo "50-fuzz: $cases cases per target"
MOMENT_FUZZ_CASES="$cases" timeout 900 cargo test --release --locked --test fuzz
