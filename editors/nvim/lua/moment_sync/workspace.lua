-- Where things are: the server binary, the project root and the two sides of a workspace.
local M = {}

M.NAME = 'moment_sync'
M.SECTION = 'momentSync'
M.ROOT_MARKERS = { '.moment', 'generated', '.git' }

--- The resolved client config (lsp/moment_sync.lua merged with vim.lsp.config overrides).
---@return vim.lsp.Config
local function config()
  return vim.lsp.config[M.NAME] or {}
end

--- The program of the configured `cmd`, e.g. "moment-sync".
---@return string?
function M.binary()
  local cmd = config().cmd
  return type(cmd) == 'table' and cmd[1] or nil
end

--- The `momentSync` settings sent to the server.
---@return table
function M.settings()
  local settings = config().settings or {}
  return settings[M.SECTION] or {}
end

--- The project root of a buffer: its moment_sync client's root, else the nearest ancestor with a
--- root marker, else the current directory.
---@param bufnr integer
---@return string
function M.root(bufnr)
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = M.NAME })[1]
  if client and client.root_dir then
    return client.root_dir
  end
  return vim.fs.root(bufnr, M.ROOT_MARKERS) or vim.fn.getcwd()
end

--- Reads `.moment/sync.json` under `root`: the table (empty when absent) or nil and an error.
---@param root string
---@return table?, string?
local function sync_json(root)
  local path = vim.fs.joinpath(root, '.moment', 'sync.json')
  if vim.fn.filereadable(path) == 0 then
    return {}
  end
  local ok, decoded = pcall(vim.json.decode, table.concat(vim.fn.readfile(path), '\n'))
  if not ok or type(decoded) ~= 'table' then
    return nil, ('%s is not a JSON object: %s'):format(path, ok and 'wrong type' or decoded)
  end
  return decoded
end

--- `generated`, or `.moment/generated/typescript/src` when only that exists.
---@param root string
---@return string
local function default_generated_dir(root)
  local fallback = '.moment/generated/typescript/src'
  local has = function(dir)
    return vim.fn.isdirectory(vim.fs.joinpath(root, dir)) == 1
  end
  return (not has('generated') and has(fallback)) and fallback or 'generated'
end

---@class moment_sync.Side
---@field key string the setting key
---@field path string absolute folder
---@field origin string where the folder came from

--- The spec and implementation folders of `root`: from the editor settings, else
--- `.moment/sync.json`, else the defaults.
---@param root string
---@return moment_sync.Side[]? sides, string? err
function M.sides(root)
  local sync, err = sync_json(root)
  if not sync then
    return nil, err
  end
  local settings = M.settings()
  local function side(key, default)
    if type(settings[key]) == 'string' then
      return { key = key, path = vim.fs.joinpath(root, settings[key]), origin = 'editor setting' }
    elseif type(sync[key]) == 'string' then
      return { key = key, path = vim.fs.joinpath(root, sync[key]), origin = '.moment/sync.json' }
    end
    return { key = key, path = vim.fs.joinpath(root, default), origin = 'default' }
  end
  return { side('generatedDir', default_generated_dir(root)), side('implementationDir', 'src/domain') }
end

return M
