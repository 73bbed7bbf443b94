#!/usr/bin/env bash
# Assembles the Neovim plugin as a stand-alone, lazy.nvim-ready repository layout:
# dist/moment-sync.nvim/{lua,lsp,doc,README.md,LICENSE} (lua/moment_sync, the `moment_sync` LSP
# config, the :help file), ready to be pushed as `moment-sync.nvim`. With `nvim` on PATH it
# also generates doc/tags and loads the plugin headlessly.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
src="$repo/editors/nvim"
out="$repo/dist/moment-sync.nvim"
rm -rf "$out"
mkdir -p "$out"
cp -R "$src/lua" "$src/lsp" "$src/doc" "$out/"
cp "$repo/LICENSE" "$out/LICENSE"
cat > "$out/README.md" <<'MD'
# moment-sync.nvim

The Neovim (>= 0.11) client of [moment-sync](https://github.com/moment-sync/moment-sync): drift
between a `.moment` spec and its TypeScript implementation, as diagnostics and quick fixes.

```lua
-- lazy.nvim
{ 'moment-sync/moment-sync.nvim', ft = { 'typescript', 'typescriptreact' }, opts = {} }
```

The `moment-sync` binary must be on `PATH` (`cargo install moment-sync`). See `:help moment_sync`.
MD
for f in lua/moment_sync/init.lua lsp/moment_sync.lua doc/moment_sync.txt; do
  [ -f "$out/$f" ] || { echo "package-nvim: $f missing" >&2; exit 1; }
done
grep -q '\*moment_sync.setup()\*' "$out/doc/moment_sync.txt"
if command -v nvim >/dev/null 2>&1; then
  nvim --headless --clean -u NONE \
    -c "set rtp^=$out" -c "helptags $out/doc" \
    -c "lua require('moment_sync')" -c 'qa!'
  grep -q '^moment_sync.setup()' "$out/doc/tags"
fi
echo "$out"
