#!/usr/bin/env bash
# Rust unit, integration and CLI tests (the engine and everything built on it).
set -euo pipefail
cargo build --release --locked
cargo test --release --locked
