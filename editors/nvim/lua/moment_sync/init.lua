-- moment-sync for Neovim: settings, :MomentSyncCheck and :MomentSyncFixAll.
local workspace = require('moment_sync.workspace')

local M = {}

local FIX_ALL = 'source.fixAll.moment-sync'
local SOURCE = 'moment-sync'

--- The keys the server reads (the same as `.moment/sync.json`).
local SERVER_KEYS = {
  generatedDir = 'string',
  spec = 'string',
  implementationDir = 'string',
  include = 'table',
  exclude = 'table',
  severity = 'table',
  debounceMs = 'number',
  codeLens = 'boolean',
  logLevel = 'string',
  -- Editor-only: who decides (recorded with acceptances, rejections and skips).
  actor = 'string',
}

local QUICKFIX_TYPE = { 'I', 'W', 'E' }

---@param settings table
local function validate_settings(settings)
  for key, value in pairs(settings) do
    local expected = SERVER_KEYS[key]
    if not expected then
      local known = vim.tbl_keys(SERVER_KEYS)
      table.sort(known)
      error(('moment_sync.setup: unknown setting `%s` (known: %s)'):format(key, table.concat(known, ', ')), 3)
    end
    if type(value) ~= expected then
      error(('moment_sync.setup: setting `%s` must be a %s, got %s'):format(key, expected, type(value)), 3)
    end
  end
end

--- Sends the current settings to the running moment_sync clients.
local function push_settings()
  local settings = { [workspace.SECTION] = workspace.settings() }
  for _, client in ipairs(vim.lsp.get_clients({ name = workspace.NAME })) do
    client.settings = settings
    client:notify('workspace/didChangeConfiguration', { settings = settings })
  end
end

local function create_commands()
  vim.api.nvim_create_user_command('MomentSyncCheck', function(command)
    M.check(command.args ~= '' and vim.fn.fnamemodify(command.args, ':p') or nil)
  end, { nargs = '?', complete = 'dir', desc = 'moment-sync: check the workspace, results in the quickfix list' })
  vim.api.nvim_create_user_command('MomentSyncFixAll', function()
    M.fix_all()
  end, { desc = 'moment-sync: apply every category-1 (clean) fix in this buffer' })
end

--- Keeps the server's code lenses ("2 drift points · category 3") drawn in attached buffers; the
--- server sends none when the `codeLens` setting is false.
local function show_code_lenses()
  local group = vim.api.nvim_create_augroup('moment_sync_code_lens', { clear = true })
  vim.api.nvim_create_autocmd('LspAttach', {
    group = group,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if not client or client.name ~= workspace.NAME then
        return
      end
      local function refresh()
        vim.lsp.codelens.refresh({ bufnr = args.buf })
      end
      refresh()
      vim.api.nvim_clear_autocmds({ group = group, buffer = args.buf })
      vim.api.nvim_create_autocmd({ 'BufEnter', 'DiagnosticChanged' }, { group = group, buffer = args.buf, callback = refresh })
    end,
  })
end

--- Configures the client and the user commands; enables the server unless `enable = false`.
--- Called again, it merges the new options and pushes the settings to running servers.
---@param opts? { cmd?: string[], settings?: table, enable?: boolean }
function M.setup(opts)
  opts = opts or {}
  vim.validate('opts.cmd', opts.cmd, 'table', true)
  vim.validate('opts.settings', opts.settings, 'table', true)
  vim.validate('opts.enable', opts.enable, 'boolean', true)
  -- `.moment` specs (also in ftdetect/, which only runs when the plugin is on the runtime path
  -- before filetype detection starts).
  vim.filetype.add({ extension = { moment = 'moment' } })
  local config = { cmd = opts.cmd }
  if opts.settings then
    validate_settings(opts.settings)
    config.settings = { [workspace.SECTION] = next(opts.settings) and opts.settings or vim.empty_dict() }
  end
  vim.lsp.config(workspace.NAME, config)
  create_commands()
  show_code_lenses()
  push_settings()
  if opts.enable ~= false then
    vim.lsp.enable(workspace.NAME)
  end
end

--- Converts a 1-based character column of `path`:`lnum` to a 1-based byte column.
---@param lines table<string, string[]> cache of file lines by path
local function byte_col(lines, path, lnum, col)
  lines[path] = lines[path] or (vim.fn.filereadable(path) == 1 and vim.fn.readfile(path) or {})
  local line = lines[path][lnum]
  if not line then
    return col
  end
  local ok, index = pcall(vim.str_byteindex, line, 'utf-32', col - 1, false)
  return ok and index + 1 or col
end

--- The quickfix items of a `check --format json` report.
---@param report table
---@return table[]
local function quickfix_items(report)
  local lines = {}
  local items = {}
  for _, point in ipairs(report.driftPoints) do
    local location = point.implementation ~= vim.NIL and point.implementation or point.spec
    local item = {
      text = ('%s [category %d, %s] %s'):format(point.kind, point.category, point.direction, point.message),
      type = QUICKFIX_TYPE[point.category],
    }
    if location ~= vim.NIL then
      item.filename = vim.fs.joinpath(report.root, location.path)
      item.lnum = location.line
      item.col = byte_col(lines, item.filename, location.line, location.column)
    end
    table.insert(items, item)
  end
  return items
end

---@param root string
---@param result vim.SystemCompleted
local function show_check_result(root, result)
  if result.code ~= 0 and result.code ~= 1 then
    local reason = vim.trim(result.stderr or '')
    vim.notify(('moment-sync check failed (exit %d): %s'):format(result.code, reason), vim.log.levels.ERROR)
    return
  end
  local ok, report = pcall(vim.json.decode, result.stdout)
  if not ok or type(report) ~= 'table' or report.schemaVersion ~= 1 then
    vim.notify('moment-sync check printed no schema-1 JSON report: ' .. tostring(report), vim.log.levels.ERROR)
    return
  end
  local items = quickfix_items(report)
  local title = ('moment-sync check %s: %s'):format(root, report.outcome)
  vim.fn.setqflist({}, ' ', { title = title, items = items })
  if #items > 0 then
    vim.cmd('botright copen')
  end
  vim.notify(('%s (%d drift points)'):format(title, #items), #items > 0 and vim.log.levels.WARN or vim.log.levels.INFO)
end

--- Runs `moment-sync check ROOT --format json` and puts the drift points in the quickfix list.
---@param root? string default: the current buffer's project root
function M.check(root)
  root = root or workspace.root(0)
  if vim.fn.isdirectory(root) == 0 then
    vim.notify(('moment-sync: %s is not a folder'):format(root), vim.log.levels.ERROR)
    return
  end
  local binary = workspace.binary()
  if not binary or vim.fn.executable(binary) == 0 then
    vim.notify(('moment-sync: cannot run `%s`; see :checkhealth moment_sync'):format(tostring(binary)), vim.log.levels.ERROR)
    return
  end
  local command = { binary, 'check', root, '--format', 'json' }
  -- The folders set in the editor, so that the CLI looks at the same sides as the server.
  local settings = workspace.settings()
  for key, flag in pairs({ generatedDir = '--generated', implementationDir = '--implementation', spec = '--spec' }) do
    if type(settings[key]) == 'string' then
      vim.list_extend(command, { flag, settings[key] })
    end
  end
  vim.system(command, { text = true, cwd = root }, vim.schedule_wrap(function(result)
    show_check_result(root, result)
  end))
end

--- Applies the server's `source.fixAll.moment-sync` code action to the current buffer.
function M.fix_all()
  local bufnr = vim.api.nvim_get_current_buf()
  if #vim.lsp.get_clients({ bufnr = bufnr, name = workspace.NAME }) == 0 then
    vim.notify('moment-sync: no moment_sync server is attached to this buffer', vim.log.levels.WARN)
    return
  end
  local diagnostics = vim.tbl_map(function(diagnostic)
    return diagnostic.user_data.lsp
  end, vim.tbl_filter(function(diagnostic)
    return diagnostic.source == SOURCE and diagnostic.user_data ~= nil
  end, vim.diagnostic.get(bufnr)))
  vim.lsp.buf.code_action({
    apply = true,
    context = { only = { FIX_ALL }, diagnostics = diagnostics },
    range = { start = { 1, 0 }, ['end'] = { vim.api.nvim_buf_line_count(bufnr), 0 } },
  })
end

return M
