#!/usr/bin/env bash
# Runs every test suite of the project, installing what the suites need from the registries.
# Each suite is a script in tests/suites/, run in name order; the first failure stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
start=$(date +%s)
failed=()
for suite in tests/suites/*.sh; do
  name=$(basename "$suite" .sh)
  echo "=== suite $name ==="
  t0=$(date +%s)
  if bash "$suite"; then
    echo "=== suite $name passed in $(( $(date +%s) - t0 ))s ==="
  else
    echo "=== suite $name FAILED after $(( $(date +%s) - t0 ))s ==="
    failed+=("$name")
  fi
done
echo "all suites finished in $(( $(date +%s) - start ))s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed suites: ${failed[*]}"
  exit 1
fi
