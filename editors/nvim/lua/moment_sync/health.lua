-- :checkhealth moment_sync — Neovim version, the server binary and its version, the workspace.
local workspace = require('moment_sync.workspace')

local M = {}

local INSTALL_ADVICE = {
  'Install it: `cargo install --path .` in the moment-sync repository (puts it in ~/.cargo/bin),',
  "or point the config at a build: require('moment_sync').setup({ cmd = { '/path/to/moment-sync', 'lsp', '--stdio' } })",
}

local function check_neovim()
  if vim.fn.has('nvim-0.11') == 1 then
    vim.health.ok('Neovim ' .. tostring(vim.version()))
  else
    vim.health.error('Neovim 0.11 or newer is needed (lsp/moment_sync.lua, vim.lsp.enable)')
  end
end

local function check_binary()
  local binary = workspace.binary()
  local path = binary and vim.fn.exepath(binary) or ''
  if path == '' then
    vim.health.error(('`%s` is not an executable file or a program on PATH'):format(tostring(binary)), INSTALL_ADVICE)
    return
  end
  local result = vim.system({ path, '--version' }, { text = true }):wait(5000)
  local version = vim.trim(result.stdout or '')
  if result.code == 0 and version ~= '' then
    vim.health.ok(('%s (%s)'):format(version, path))
  else
    local reason = vim.trim(result.stderr or '')
    vim.health.error(('`%s --version` failed (exit %s): %s'):format(path, tostring(result.code), reason), INSTALL_ADVICE)
  end
end

local function check_enabled()
  if vim.lsp.is_enabled(workspace.NAME) then
    vim.health.ok('the moment_sync language server is enabled')
  else
    vim.health.warn('the moment_sync language server is not enabled', {
      "call require('moment_sync').setup() or vim.lsp.enable('moment_sync')",
    })
  end
end

--- The roots to report: those of the running clients, else the one of the current directory.
local function roots()
  local found = {}
  for _, client in ipairs(vim.lsp.get_clients({ name = workspace.NAME })) do
    if client.root_dir and not vim.tbl_contains(found, client.root_dir) then
      table.insert(found, client.root_dir)
    end
  end
  if #found == 0 then
    table.insert(found, vim.fs.root(vim.fn.getcwd(), workspace.ROOT_MARKERS) or vim.fn.getcwd())
  end
  return found
end

---@param root string
local function check_root(root)
  local sides, err = workspace.sides(root)
  if not sides then
    vim.health.error(err)
    return
  end
  for _, side in ipairs(sides) do
    local message = ('%s: %s (%s)'):format(side.key, side.path, side.origin)
    if vim.fn.isdirectory(side.path) == 1 then
      vim.health.ok(message)
    else
      vim.health.warn(message .. ' does not exist', { ('set %s in .moment/sync.json or in setup({ settings = { ... } })'):format(side.key) })
    end
  end
end

function M.check()
  vim.health.start('Neovim')
  check_neovim()
  vim.health.start('server')
  check_binary()
  check_enabled()
  for _, root in ipairs(roots()) do
    vim.health.start('workspace ' .. root)
    check_root(root)
  end
end

return M
