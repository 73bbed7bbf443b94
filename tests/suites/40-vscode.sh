#!/usr/bin/env bash
# VS Code extension: clean install from the lockfile, lint, type check, unit tests, bundle, package.
set -euo pipefail
cd "$(dirname "$0")/../../editors/vscode"
npm ci --no-audit --no-fund
npm run lint
npm run typecheck
npm test
npm run build
rm -f ./*.vsix
npm run package
ls -l ./*.vsix
