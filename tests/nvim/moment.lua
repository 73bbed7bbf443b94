-- End-to-end test of `.moment` files in a real Neovim with editors/nvim and the real server:
--   nvim --headless --clean -l tests/nvim/moment.lua
-- MOMENT_SYNC_BIN names the server binary. The exit status is the result; the last line reads
-- "nvim moment e2e: N passed, M failed".

local script = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p')
local repo = vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(script)))
local binary = vim.env.MOMENT_SYNC_BIN or vim.fs.joinpath(repo, 'target', 'release', 'moment-sync')
local TIMEOUT_MS = 20000

local SPEC = {
  'context "Sales" [Core]',
  '  aggregate "Order"',
  '    identity orderId: UUID',
  '    event OrderPlaced',
  '      orderId: UUID',
  '      total: Money',
}
local IMPLEMENTATION = {
  'export interface OrderPlaced {',
  '  readonly orderId: string;',
  '  readonly total: number;',
  '}',
}

local passed, failed = 0, 0

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

if vim.fn.executable(binary) == 0 then
  say(('nvim moment e2e: no server binary at %s'):format(binary))
  say('nvim moment e2e: 0 passed, 1 failed')
  os.exit(1)
end

local root = vim.fn.tempname()
local function write(path, lines)
  local file = vim.fs.joinpath(root, path)
  vim.fn.mkdir(vim.fs.dirname(file), 'p')
  vim.fn.writefile(lines, file)
  return file
end
write('.moment/sync.json', { '{ "spec": "spec" }' })
local spec = write('spec/sales.moment', SPEC)
write('src/domain/sales/order.types.ts', IMPLEMENTATION)

vim.opt.runtimepath:prepend(vim.fs.joinpath(repo, 'editors', 'nvim'))
vim.cmd('filetype on')
vim.lsp.set_log_level('warn')
vim.cmd.cd(root)
require('moment_sync').setup({ cmd = { binary, 'lsp', '--stdio' } })
vim.cmd.edit(spec)
local bufnr = vim.api.nvim_get_current_buf()

test('a .moment file has the moment filetype', function()
  expect(vim.bo[bufnr].filetype, 'moment', 'filetype')
end)

test('the server attaches to the .moment buffer', function()
  wait_for('the moment_sync client', function()
    return #vim.lsp.get_clients({ bufnr = bufnr, name = 'moment_sync' }) > 0
  end)
end)

test('drift shows on the spec field', function()
  local found
  wait_for('a changed-type diagnostic', function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == 'changed-type' then
        found = d
      end
    end
    return found ~= nil
  end)
  expect(found.lnum, 5, 'line of `total`')
  expect(found.col, 6, 'column of `total`')
  expect_match(found.message, 'implemented as `number` in src/domain/sales/order.types.ts', 'message')
end)

test('hover on the field shows the TypeScript projection', function()
  vim.api.nvim_win_set_cursor(0, { 6, 7 })
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', function(client)
    return vim.lsp.util.make_position_params(0, client.offset_encoding)
  end, TIMEOUT_MS)
  local text = ''
  for _, r in pairs(responses or {}) do
    if r.result then
      text = text .. table.concat(vim.lsp.util.convert_input_to_markdown_lines(r.result.contents), '\n')
    end
  end
  expect_match(text, 'readonly total: Money;', 'hover')
  expect_match(text, 'readonly total: number', 'hover')
end)

test('a syntax error shows as you type', function()
  vim.api.nvim_buf_set_lines(bufnr, 5, 6, false, { '      type: Money' })
  wait_for('a syntax diagnostic', function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == 'syntax' and d.message:find('reserved word') then
        return true
      end
    end
    return false
  end)
end)

say(('nvim moment e2e: %d passed, %d failed'):format(passed, failed))
vim.lsp.stop_client(vim.lsp.get_clients({ name = 'moment_sync' }))
vim.fn.delete(root, 'rf')
os.exit(failed == 0 and 0 or 1)
