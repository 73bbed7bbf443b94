#!/usr/bin/env bash
# Protocol tests of the language server: the release binary (built by suite 10) driven over
# stdio by pytest-lsp with the recorded capabilities of VS Code and Neovim. Any message the
# client did not advertise support for fails the run (LspSpecificationWarning is an error).
set -euo pipefail
cd "$(dirname "$0")/../.."
binary="$PWD/target/release/moment-sync"
if [ ! -x "$binary" ]; then
  cargo build --release --locked
fi
venv="$PWD/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/lsp/requirements.txt
cd tests/lsp
status=0
MOMENT_SYNC_BIN="$binary" timeout 300 "$venv/bin/python" -m pytest -q -p no:cacheprovider \
  -W error::pytest_lsp.LspSpecificationWarning || status=$?
# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
if [ "$status" -eq 5 ]; then
  echo "20-lsp: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
