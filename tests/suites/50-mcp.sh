#!/usr/bin/env bash
# Protocol tests of `moment-sync mcp`: the release binary (built by suite 10) driven over stdio
# by the official Python MCP client (PyPI `mcp`), every tool compared with the CLI's answer.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary="$PWD/target/release/moment-sync"
if [ ! -x "$binary" ]; then
  cargo build --release --locked
fi
venv="$PWD/.venv-mcp"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/mcp/requirements.txt
cd tests/mcp
status=0
MOMENT_SYNC_BIN="$binary" timeout 300 "$venv/bin/python" -m pytest -q -p no:cacheprovider || status=$?
# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
if [ "$status" -eq 5 ]; then
  echo "50-mcp: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
