#!/usr/bin/env bash
# The `rust-version` that Cargo.toml claims, checked by a build on that toolchain (issue #13: a
# claim no build checks drifts as dependencies move). The toolchain comes from rustup
# (a minimal profile, about 20 s); a check of every target, with the locked dependencies, in a
# target folder of its own so it does not disturb the release build of suite 10.
set -euo pipefail
cd "$(dirname "$0")/../.."
msrv=$(sed -n 's/^rust-version = "\([0-9.]*\)"$/\1/p' Cargo.toml)
if [ -z "$msrv" ]; then
  echo "65-msrv: no rust-version in Cargo.toml" >&2
  exit 1
fi
if ! rustup run "$msrv" rustc --version >/dev/null 2>&1; then
  timeout 300 rustup toolchain install "$msrv" --profile minimal
fi
timeout 900 cargo "+$msrv" check --locked --all-targets --target-dir target/msrv
echo "65-msrv: builds on Rust $msrv, the rust-version Cargo.toml claims"
