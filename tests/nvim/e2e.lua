-- End-to-end test of editors/nvim against the real moment-sync server, in a real Neovim:
--   nvim --headless --clean -l tests/nvim/e2e.lua
-- MOMENT_SYNC_BIN names the server binary (default: target/release/moment-sync of this repository).
-- The exit status is the result; the last line reads "nvim e2e: N passed, M failed".

local script = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p')
local repo = vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(script)))
local binary = vim.env.MOMENT_SYNC_BIN or vim.fs.joinpath(repo, 'target', 'release', 'moment-sync')
local TIMEOUT_MS = 20000
local DEFAULT_SEVERITY = { vim.diagnostic.severity.INFO, vim.diagnostic.severity.WARN, vim.diagnostic.severity.ERROR }
local CATEGORY_TITLES = { 'clean apply', 'manageable drift', 'breaking' }

local SPEC = {
  'export interface Invoice {',
  '  readonly id: string;',
  '  readonly total: number;',
  '  readonly note?: string;',
  '}',
}
local IMPLEMENTATION = {
  'export interface Invoice {',
  '  readonly id: string;',
  '  readonly total: string;',
  '}',
}

-- A tiny workspace in a temp folder: the spec side and a drifted implementation side.
local function make_workspace()
  local root = vim.fn.tempname()
  local function write(path, lines)
    local file = vim.fs.joinpath(root, path)
    vim.fn.mkdir(vim.fs.dirname(file), 'p')
    vim.fn.writefile(lines, file)
    return file
  end
  write('generated/billing/invoice.types.ts', SPEC)
  return root, write('src/domain/billing/invoice.types.ts', IMPLEMENTATION)
end

local passed, failed = 0, 0

-- Each report line on stdout, on a line of its own (Neovim's messages go to stderr).
local function say(text)
  io.stdout:write('\n', text, '\n')
  io.stdout:flush()
end

local function test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    say('ok - ' .. name)
  else
    failed = failed + 1
    say('FAIL - ' .. name .. '\n' .. tostring(err))
  end
end

local function wait_for(what, predicate)
  if not vim.wait(TIMEOUT_MS, predicate, 50) then
    error('timed out after ' .. TIMEOUT_MS .. ' ms waiting for ' .. what, 2)
  end
end

local function expect(actual, expected, what)
  if actual ~= expected then
    error(('%s: expected %s, got %s'):format(what, vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

local function expect_match(text, pattern, what)
  if type(text) ~= 'string' or not text:find(pattern) then
    error(('%s: %s does not match %q'):format(what, vim.inspect(text), pattern), 2)
  end
end

local function drift_diagnostics(bufnr)
  return vim.tbl_filter(function(d)
    return d.source == 'moment-sync'
  end, vim.diagnostic.get(bufnr))
end

local function diagnostic_with_code(bufnr, code)
  for _, d in ipairs(drift_diagnostics(bufnr)) do
    if d.code == code then
      return d
    end
  end
end

--- Puts the cursor on the diagnostic with `code` and returns the diagnostic.
local function cursor_on(bufnr, code)
  local diagnostic = assert(diagnostic_with_code(bufnr, code), 'no ' .. code .. ' diagnostic')
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
  return diagnostic
end

local function codes(bufnr)
  local found = vim.tbl_map(function(d)
    return d.code
  end, drift_diagnostics(bufnr))
  table.sort(found)
  return table.concat(found, ',')
end

local function hover_text(bufnr)
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', function(client)
    return vim.lsp.util.make_position_params(0, client.offset_encoding)
  end, TIMEOUT_MS)
  local texts = {}
  for _, response in pairs(responses or {}) do
    local contents = response.result and response.result.contents
    if contents then
      table.insert(texts, table.concat(vim.lsp.util.convert_input_to_markdown_lines(contents), '\n'))
    end
  end
  return table.concat(texts, '\n')
end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

local function health_report()
  vim.cmd('silent checkhealth moment_sync')
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  vim.cmd('tabclose')
  return table.concat(lines, '\n')
end

local function server_log_tail()
  local log = vim.fn.filereadable(vim.lsp.get_log_path()) == 1 and vim.fn.readfile(vim.lsp.get_log_path()) or {}
  return table.concat(vim.list_slice(log, math.max(1, #log - 30)), '\n')
end

if vim.fn.executable(binary) == 0 then
  say(('nvim e2e: no server binary at %s (build it with `cargo build --release` or set MOMENT_SYNC_BIN)'):format(binary))
  say('nvim e2e: 0 passed, 1 failed')
  os.exit(1)
end

-- Setup: the plugin from editors/nvim, the server from `binary`, the drifted file opened.
vim.opt.runtimepath:prepend(vim.fs.joinpath(repo, 'editors', 'nvim'))
-- A container's server: no $USER and no git identity (the tests of decisions rely on it).
vim.env.USER, vim.env.USERNAME = nil, nil
vim.env.HOME = vim.fn.tempname()
vim.env.GIT_CONFIG_NOSYSTEM = '1'
vim.fn.mkdir(vim.env.HOME, 'p')
vim.lsp.set_log_level('warn')
local root, implementation = make_workspace()
vim.cmd.cd(root)
require('moment_sync').setup({ cmd = { binary, 'lsp', '--stdio' } })
vim.cmd.edit(implementation)
local bufnr = vim.api.nvim_get_current_buf()

local function finish()
  if failed > 0 then
    say('--- end of the LSP log (' .. vim.lsp.get_log_path() .. ') ---\n' .. server_log_tail())
  end
  say(('nvim e2e: %d passed, %d failed'):format(passed, failed))
  vim.lsp.stop_client(vim.lsp.get_clients({ name = 'moment_sync' }))
  vim.fn.delete(root, 'rf')
  os.exit(failed == 0 and 0 or 1)
end

-- The editor must agree with the CLI: the CLI's report on the untouched files is the reference.
-- changed-type is category 2 when consumption detection finds no consumer and 3 while consumers
-- are unknown (drift-model §6); both are accepted, as long as editor and CLI agree.
local cli = {} ---@type table<string, table> drift point by kind

test('the CLI reports the two drift points of the fixture', function()
  local result = vim.system({ binary, 'check', root, '--format', 'json' }, { text = true }):wait(TIMEOUT_MS)
  expect(result.code, 1, 'check exit status (drift found)')
  for _, point in ipairs(vim.json.decode(result.stdout).driftPoints) do
    cli[point.kind] = point
  end
  expect(vim.tbl_count(cli), 2, 'drift points')
  expect(cli['missing-member'].category, 1, 'missing optional member category')
  expect_match(tostring(cli['changed-type'].category), '^[23]$', 'changed type category')
  expect(cli['changed-type'].message, 'Invoice.total is `string` here but `number` in the spec', 'message')
end)

test('the server attaches to the TypeScript buffer with the workspace as root', function()
  wait_for('the moment_sync client', function()
    return #vim.lsp.get_clients({ bufnr = bufnr, name = 'moment_sync' }) > 0
  end)
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = 'moment_sync' })[1]
  expect(client.root_dir, root, 'root_dir')
end)

if failed > 0 then
  finish() -- without the CLI's reference or a client, every later test would only time out
end

test(':MomentSyncCheck puts the CLI report in the quickfix list', function()
  vim.cmd.MomentSyncCheck()
  wait_for('the quickfix list', function()
    return vim.fn.getqflist({ title = 1 }).title:find('^moment%-sync check') ~= nil
  end)
  vim.cmd('cclose')
  local outcome = cli['changed-type'].category == 3 and 'breaking' or 'drift'
  expect(vim.fn.getqflist({ title = 1 }).title, ('moment-sync check %s: %s'):format(root, outcome), 'title')
  local items = vim.fn.getqflist()
  expect(#items, 2, 'quickfix items')
  for _, item in ipairs(items) do
    local point = assert(cli[item.text:match('^(%S+)')], 'unexpected item ' .. item.text)
    expect(vim.api.nvim_buf_get_name(item.bufnr), implementation, 'file of ' .. point.kind)
    expect(item.lnum, point.implementation.line, 'line of ' .. point.kind)
    expect(item.col, point.implementation.column, 'column of ' .. point.kind)
    expect(item.type, ({ 'I', 'W', 'E' })[point.category], 'type of ' .. point.kind)
  end
end)

test('opening the drifted file shows one diagnostic per drift point, as the CLI reports them', function()
  wait_for('two moment-sync diagnostics', function()
    return #drift_diagnostics(bufnr) == 2
  end)
  expect(codes(bufnr), 'changed-type,missing-member', 'codes')
  -- What the user sees (docs/EDITORS.md quotes it): each diagnostic as `:lua vim.diagnostic.open_float()` lists it.
  for _, d in ipairs(drift_diagnostics(bufnr)) do
    say(('  %d:%d %s %s [%s]'):format(d.lnum + 1, d.col + 1, vim.diagnostic.severity[d.severity], d.message, d.code))
  end
  for kind, point in pairs(cli) do
    local diagnostic = diagnostic_with_code(bufnr, kind)
    expect(diagnostic.message, point.message, kind .. ' message')
    expect(diagnostic.severity, DEFAULT_SEVERITY[point.category], kind .. ' severity (category ' .. point.category .. ')')
    expect(diagnostic.lnum, point.implementation.line - 1, kind .. ' line')
    expect(diagnostic.col, point.implementation.column - 1, kind .. ' column')
  end
end)

test('a setting changed through setup() reaches the running server', function()
  require('moment_sync').setup({ settings = { severity = { ['1'] = 'hint' } } })
  wait_for('the category-1 diagnostic to become a hint', function()
    local missing = diagnostic_with_code(bufnr, 'missing-member')
    return missing ~= nil and missing.severity == vim.diagnostic.severity.HINT
  end)
  local changed = diagnostic_with_code(bufnr, 'changed-type')
  expect(changed.severity, DEFAULT_SEVERITY[cli['changed-type'].category], 'changed-type severity')
end)

test('hover on a drift point names its cascade category', function()
  cursor_on(bufnr, 'changed-type')
  local text = hover_text(bufnr)
  say('  hover:\n    ' .. text:gsub('\n', '\n    '))
  local category = cli['changed-type'].category
  expect_match(text, 'category ' .. category, 'hover')
  expect_match(text, CATEGORY_TITLES[category], 'hover')
end)

test('a code lens sums up the drift of the file', function()
  local worst = math.max(cli['changed-type'].category, cli['missing-member'].category)
  local expected = ('^2 drift points.*category %d'):format(worst)
  wait_for('a code lens matching ' .. expected, function()
    return vim.iter(vim.lsp.codelens.get(bufnr)):any(function(lens)
      return lens.command ~= nil and lens.command.title:find(expected) ~= nil
    end)
  end)
end)

test('"Show in spec" opens the spec at the member, through window/showDocument', function()
  cursor_on(bufnr, 'changed-type')
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      -- A CodeAction carries a Command table; a bare Command names its command in a string.
      local command = type(action.command) == 'table' and action.command.command or action.command
      return command == 'moment-sync.showSpec'
    end,
  })
  local spec = vim.fs.joinpath(root, cli['changed-type'].spec.path)
  wait_for('the spec file', function()
    return vim.api.nvim_buf_get_name(0) == spec
  end)
  expect(vim.api.nvim_win_get_cursor(0)[1], cli['changed-type'].spec.line, 'cursor line in the spec')
  vim.api.nvim_set_current_buf(bufnr)
end)

--- The titles of the code actions the server offers at the start of `diagnostic`.
local function action_titles(buf, diagnostic)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = diagnostic.user_data.lsp.range,
    context = { diagnostics = { diagnostic.user_data.lsp } },
  }
  local titles = {}
  for _, response in pairs(vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, TIMEOUT_MS) or {}) do
    for _, action in ipairs(response.result or {}) do
      table.insert(titles, action.title)
    end
  end
  return titles
end

test('the spec side shows hints worded for the spec, apart from the drift, and no "Show in spec"', function()
  -- "Show in spec" opened the spec; its missing member is a hint about the implementation.
  local spec = vim.fn.bufnr(vim.fs.joinpath(root, cli['missing-member'].spec.path))
  assert(spec > 0, 'the spec buffer')
  wait_for('a diagnostic in the spec', function()
    return diagnostic_with_code(spec, 'missing-member') ~= nil
  end)
  local note = diagnostic_with_code(spec, 'missing-member')
  expect(note.severity, vim.diagnostic.severity.HINT, 'severity in the spec')
  expect(note.message, '`Invoice.note` is not in the implementation yet (src/domain/billing/invoice.types.ts)', 'message')
  -- Counted apart: what the server marks as counted over all buffers is the CLI's drift points.
  local function counted(d)
    local data = d.user_data and d.user_data.lsp and d.user_data.lsp.data
    return d.source == 'moment-sync' and type(data) == 'table' and data.counted == true
  end
  expect(#vim.tbl_filter(counted, vim.diagnostic.get(nil)), vim.tbl_count(cli), 'counted diagnostics')
  expect(counted(note), false, 'the spec-side hint is counted')
  expect(#drift_diagnostics(spec), 1, 'diagnostics in the spec')
  local titles = action_titles(spec, note)
  say('spec-side code actions: ' .. table.concat(titles, ' | '))
  for _, title in ipairs(titles) do
    if title:find('in spec$') then
      error('"' .. title .. '" offered inside the spec: ' .. vim.inspect(titles))
    end
  end
  expect(vim.tbl_contains(titles, 'Show where the implementation lacks Invoice.note'), true, 'titles ' .. vim.inspect(titles))
end)

test('the quick fix, applied by vim.lsp.buf.code_action, removes its diagnostic', function()
  local changed = cursor_on(bufnr, 'changed-type')
  say('  code actions: ' .. table.concat(action_titles(bufnr, changed), ' | '))
  vim.lsp.buf.code_action({
    apply = true,
    context = { only = { 'quickfix' }, diagnostics = { changed.user_data.lsp } },
    filter = function(action)
      return action.title == cli['changed-type'].fixes[1].title
    end,
  })
  wait_for('the changed-type diagnostic to go', function()
    return diagnostic_with_code(bufnr, 'changed-type') == nil and #drift_diagnostics(bufnr) == 1
  end)
  expect(vim.api.nvim_buf_get_lines(bufnr, 2, 3, false)[1], '  readonly total: number;', 'fixed line')
end)

test(':MomentSyncFixAll applies the clean (category 1) fixes', function()
  vim.cmd.MomentSyncFixAll()
  wait_for('no moment-sync diagnostics', function()
    return #drift_diagnostics(bufnr) == 0
  end)
  expect(buffer_text(bufnr), table.concat(SPEC, '\n'), 'buffer after fix-all (the spec)')
end)

--- The actors of the decisions recorded in the workspace, oldest first.
local function recorded_actors()
  local log = vim.fs.joinpath(root, '.moment', 'sync-log.jsonl')
  local actors = {}
  for _, line in ipairs(vim.fn.filereadable(log) == 1 and vim.fn.readfile(log) or {}) do
    local ok, event = pcall(vim.json.decode, line)
    if ok and type(event) == 'table' and type(event.actor) == 'string' then
      table.insert(actors, event.actor)
    end
  end
  return actors
end

test('a type added to the spec is added at the end of the file, without a blank line', function()
  -- The spec is open ("Show in spec" opened it): the type is added there, unsaved.
  local spec = vim.fn.bufadd(vim.fs.joinpath(root, 'generated/billing/invoice.types.ts'))
  vim.fn.bufload(spec)
  local count = vim.api.nvim_buf_line_count(spec)
  vim.api.nvim_buf_set_lines(spec, count, count, false, { '', 'export interface Payment {', '  readonly id: string;', '}' })
  wait_for('a missing-type diagnostic', function()
    return diagnostic_with_code(bufnr, 'missing-type') ~= nil
  end)
  -- The cursor anywhere on the first line reaches the fix (not only column 1).
  vim.api.nvim_win_set_cursor(0, { 1, 10 })
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      return action.title:find('^Add `Payment`') ~= nil
    end,
  })
  wait_for('the missing-type diagnostic to go', function()
    return diagnostic_with_code(bufnr, 'missing-type') == nil
  end)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  expect(lines[#lines], '}', 'last line of the buffer')
  expect_match(buffer_text(bufnr), 'export interface Payment {\n  readonly id: string;\n}$', 'buffer end')
end)

test('without git user.name or $USER, decisions are recorded for the Neovim user', function()
  -- Acceptances are recorded when the fixed file is saved (the spec's change is still unsaved).
  vim.api.nvim_buf_call(bufnr, function()
    vim.cmd('silent write')
  end)
  wait_for('a recorded acceptance', function()
    return #recorded_actors() > 0
  end)
  expect(vim.iter(recorded_actors()):all(function(a)
    return a == 'Neovim user'
  end), true, 'actors ' .. vim.inspect(recorded_actors()))
end)

test('the code lens of a type only the implementation has runs, and `actor` from setup() is used', function()
  require('moment_sync').setup({ settings = { actor = 'Ann Editor' } })
  local count = vim.api.nvim_buf_line_count(bufnr)
  vim.api.nvim_buf_set_lines(bufnr, count, count, false, { '', 'export interface Draft {', '  readonly id: string;', '}' })
  wait_for('an extra-type diagnostic', function()
    return diagnostic_with_code(bufnr, 'extra-type') ~= nil
  end)
  local asked = {}
  vim.lsp.handlers['window/showMessageRequest'] = function(_, params)
    table.insert(asked, params)
    return { title = 'Reject this drift' }
  end
  local line = diagnostic_with_code(bufnr, 'extra-type').lnum
  local ok = vim.wait(TIMEOUT_MS, function()
    vim.lsp.codelens.refresh({ bufnr = bufnr })
    vim.wait(200)
    return vim.iter(vim.lsp.codelens.get(bufnr)):any(function(lens)
      return lens.range.start.line == line and lens.command ~= nil
    end)
  end, 50)
  if not ok then
    error(('no code lens on line %d: %s'):format(line, vim.inspect(vim.lsp.codelens.get(bufnr))))
  end
  vim.api.nvim_win_set_cursor(0, { line + 1, 0 })
  vim.lsp.codelens.run()
  wait_for('the extra-type diagnostic to go', function()
    return diagnostic_with_code(bufnr, 'extra-type') == nil
  end)
  expect(#asked, 1, 'messages asked')
  expect_match(asked[1].message, '`Draft`', 'message')
  local actors = recorded_actors()
  expect(actors[#actors], 'Ann Editor', 'actor of the rejection')
end)

test('bad settings and a failing check are explained', function()
  local ok, err = pcall(require('moment_sync').setup, { settings = { colour = 'red' } })
  expect(ok, false, 'setup with an unknown key')
  expect_match(err, 'unknown setting `colour` %(known: actor, codeLens, debounceMs, ', 'setup error')

  local broken = vim.fn.tempname()
  vim.fn.mkdir(vim.fs.joinpath(broken, '.moment'), 'p')
  vim.fn.writefile({ '{ "generated": "spec" }' }, vim.fs.joinpath(broken, '.moment', 'sync.json'))
  local notified = {}
  local notify = vim.notify
  vim.notify = function(message, level)
    table.insert(notified, { message = message, level = level })
  end
  vim.cmd.MomentSyncCheck(broken)
  local done = vim.wait(TIMEOUT_MS, function()
    return #notified > 0
  end, 50)
  vim.notify = notify
  vim.fn.delete(broken, 'rf')
  expect(done, true, 'a notification')
  expect(notified[1].level, vim.log.levels.ERROR, 'level')
  expect_match(notified[1].message, '^moment%-sync check failed %(exit 2%): .*unknown key `generated`', 'message')
end)

test(':checkhealth moment_sync reports OK', function()
  local report = health_report()
  expect_match(report, 'OK moment%-sync %d+%.%d+%.%d+', 'health')
  expect_match(report, 'OK generatedDir: ' .. vim.pesc(vim.fs.joinpath(root, 'generated')), 'health')
  expect_match(report, 'OK implementationDir: ' .. vim.pesc(vim.fs.joinpath(root, 'src/domain')), 'health')
  if report:find('ERROR') or report:find('WARNING') then
    error('health report has errors or warnings:\n' .. report)
  end
end)

finish()
