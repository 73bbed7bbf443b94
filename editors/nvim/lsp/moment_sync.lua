-- moment-sync language server for Neovim >= 0.11: `vim.lsp.enable('moment_sync')`.
-- Override any field with `vim.lsp.config('moment_sync', { ... })` or `require('moment_sync').setup({ ... })`.
local workspace = require('moment_sync.workspace')

---@type vim.lsp.Config
return {
  cmd = { 'moment-sync', 'lsp', '--stdio' },
  filetypes = { 'typescript', 'typescriptreact', 'moment' },
  root_markers = workspace.ROOT_MARKERS,
  -- The server reads the `momentSync` section; an empty dict (not an empty list) when nothing is set.
  settings = { [workspace.SECTION] = vim.empty_dict() },
}
