-- End-to-end run of the Neovim client, driven by tests/test_neovim.py:
--   nvim --headless --clean --cmd "set rtp^=clients/neovim" -c "luafile tests/neovim/e2e.lua"
-- with $BLASTGUARD_NVIM_TEST holding a JSON object:
--   cmd        the server command given to require("blastguard").setup
--   settings, init_options   optional, given to setup as they are
--   files      absolute paths to open, in order
--   fix        optional {path, rule, line}: request code actions there, apply the preferred fix
--   review     optional {path, line, lines}: insert `lines` before `line` in one change, wait for a
--              finding naming the inserted block, run its "Review inserted block" action (the
--              client-side command) and its "Show what this block destroys" (on the server)
--   timeout_ms how long to wait for diagnostics
--   out        where to write the JSON result
-- It always writes `out` and quits: `qa!` when the script ran to its end, `cquit 1` on an error.

local params = {}
local out = { notifications = {}, messages = {}, files = {} }

local function write_out()
  local file = assert(io.open(assert(params.out, "no output path"), "w"))
  file:write(vim.fn.json_encode(out))
  file:close()
end

local function blastguard_diagnostics(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == "blastguard" then
      table.insert(found, d)
    end
  end
  table.sort(found, function(a, b)
    if a.lnum ~= b.lnum then
      return a.lnum < b.lnum
    end
    return tostring(a.code) < tostring(b.code)
  end)
  return found
end

local function summary(bufnr)
  local rows = {}
  for _, d in ipairs(blastguard_diagnostics(bufnr)) do
    table.insert(rows, { rule = d.code, line = d.lnum + 1, col = d.col + 1, severity = d.severity })
  end
  return rows
end

local function client_for(bufnr)
  for _, client in ipairs(require("blastguard").clients()) do
    if vim.lsp.buf_is_attached(bufnr, client.id) then
      return client
    end
  end
  return nil
end

local function review(buffers, published)
  local spec = params.review
  local target
  for _, buffer in ipairs(buffers) do
    if buffer.path == spec.path then
      target = buffer
    end
  end
  assert(target, "review.path is not one of the opened files")
  local client = assert(client_for(target.bufnr), "no blastguard client on the buffer")
  vim.api.nvim_set_current_buf(target.bufnr)
  local before = published[target.uri] or 0
  vim.api.nvim_buf_set_lines(target.bufnr, spec.line - 1, spec.line - 1, false, spec.lines)
  local in_block
  out.review_waited = vim.wait(params.timeout_ms, function()
    if (published[target.uri] or 0) <= before then
      return false
    end
    for _, d in ipairs(blastguard_diagnostics(target.bufnr)) do
      if d.message:find("in a block inserted at", 1, true) then
        in_block = d
        return true
      end
    end
    return false
  end, 20)
  assert(in_block, "no finding names the inserted block: " .. vim.inspect(summary(target.bufnr)))
  out.block_diagnostics = {}
  for _, d in ipairs(blastguard_diagnostics(target.bufnr)) do
    if d.message:find("in a block inserted at", 1, true) then
      table.insert(out.block_diagnostics, { rule = d.code, line = d.lnum + 1, message = d.message })
    end
  end
  local range = {
    start = { line = in_block.lnum, character = in_block.col },
    ["end"] = { line = in_block.end_lnum, character = in_block.end_col },
  }
  local responses = vim.lsp.buf_request_sync(target.bufnr, "textDocument/codeAction", {
    textDocument = { uri = target.uri }, range = range,
    context = { diagnostics = {}, only = { "quickfix" } },
  }, 10000)
  local actions = {}
  for _, action in ipairs((responses and responses[client.id] or {}).result or {}) do
    actions[action.title] = action
  end
  local review_action, report_action
  for title, action in pairs(actions) do
    if title:find("^Review inserted block") then
      review_action = action
    elseif title == "Show what this block destroys" then
      report_action = action
    end
  end
  out.review_actions = vim.tbl_keys(actions)
  assert(review_action and report_action, "no review actions among " .. vim.inspect(out.review_actions))

  -- As vim.lsp.buf.code_action applies a command: the client's own handler first.
  local command = review_action.command
  local handler = client.commands[command.command] or vim.lsp.commands[command.command]
  assert(handler, "no client-side handler for " .. command.command)
  vim.cmd("normal! gg")
  handler(command, { bufnr = target.bufnr, client_id = client.id, method = "workspace/executeCommand" })
  out.review_mode = vim.fn.mode()
  out.review_selection = { vim.fn.line("v"), vim.fn.line(".") }
  vim.cmd("normal! \27")

  -- Not a client command: it goes to the server, which answers with the report and shows it.
  local report = report_action.command
  assert(client.commands[report.command] == nil and vim.lsp.commands[report.command] == nil)
  local answer = client.request_sync("workspace/executeCommand",
    { command = report.command, arguments = report.arguments }, 10000, target.bufnr)
  assert(answer and answer.err == nil, "workspace/executeCommand: " .. vim.inspect(answer))
  out.report = answer.result
  vim.wait(2000, function()
    return #out.messages > 0
  end, 20)
end

local function main()
  params = vim.fn.json_decode((assert(os.getenv("BLASTGUARD_NVIM_TEST"), "BLASTGUARD_NVIM_TEST unset")))
  vim.o.hidden = true
  vim.notify = function(msg, level)
    table.insert(out.notifications, { message = tostring(msg), level = level })
  end
  local version = vim.version()
  out.nvim = string.format("%d.%d.%d", version.major, version.minor, version.patch)

  -- Count the diagnostics published for each document: a publish is the complete set.
  local published = {}
  local publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
  vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
    if result ~= nil and result.uri ~= nil then
      published[result.uri] = (published[result.uri] or 0) + 1
    end
    return publish(err, result, ctx, config)
  end

  -- Messages the server shows (0.7 writes window/showMessage out without vim.notify).
  out.messages = {}
  local show = vim.lsp.handlers["window/showMessage"]
  vim.lsp.handlers["window/showMessage"] = function(err, result, ctx, config)
    if result ~= nil then
      table.insert(out.messages, { type = result.type, message = result.message })
    end
    return show(err, result, ctx, config)
  end

  local blastguard = require("blastguard")
  out.api = blastguard.setup({ cmd = params.cmd, settings = params.settings, init_options = params.init_options })

  local buffers = {}
  for _, path in ipairs(params.files) do
    vim.cmd("edit " .. vim.fn.fnameescape(path))
    local bufnr = vim.api.nvim_get_current_buf()
    table.insert(buffers, { bufnr = bufnr, path = path, uri = vim.uri_from_bufnr(bufnr) })
  end

  local started = vim.loop.hrtime()
  out.waited = vim.wait(params.timeout_ms, function()
    for _, buffer in ipairs(buffers) do
      if not published[buffer.uri] then
        return false
      end
    end
    return true
  end, 20)
  out.wait_ms = math.floor((vim.loop.hrtime() - started) / 1e6)

  local roots = {}
  for _, client in ipairs(blastguard.clients()) do
    table.insert(roots, client.config.root_dir)
  end
  out.client_roots = roots
  for _, buffer in ipairs(buffers) do
    local client = client_for(buffer.bufnr)
    out.files[buffer.path] = {
      filetype = vim.bo[buffer.bufnr].filetype,
      client = client and client.name or vim.NIL,
      diagnostics = summary(buffer.bufnr),
    }
  end

  if params.review ~= nil and params.review ~= vim.NIL then
    review(buffers, published)
  end
  local fix = params.fix
  if fix == nil or fix == vim.NIL then
    return
  end
  local target
  for _, buffer in ipairs(buffers) do
    if buffer.path == fix.path then
      target = buffer
    end
  end
  assert(target, "fix.path is not one of the opened files")
  local diagnostic
  for _, d in ipairs(blastguard_diagnostics(target.bufnr)) do
    if d.code == fix.rule and d.lnum + 1 == fix.line then
      diagnostic = d
    end
  end
  assert(diagnostic, string.format("no %s diagnostic on line %d", fix.rule, fix.line))
  local client = assert(client_for(target.bufnr), "no blastguard client on the buffer")

  -- The diagnostic as the server sent it (the files are ASCII, so byte columns are UTF-16 ones).
  local range = {
    start = { line = diagnostic.lnum, character = diagnostic.col },
    ["end"] = { line = diagnostic.end_lnum, character = diagnostic.end_col },
  }
  local lsp = (diagnostic.user_data and diagnostic.user_data.lsp) or {}
  local request = {
    textDocument = { uri = target.uri },
    range = range,
    context = {
      diagnostics = { {
        range = range, severity = diagnostic.severity, code = diagnostic.code, source = diagnostic.source,
        message = diagnostic.message, data = lsp.data,
      } },
      only = { "quickfix" },
    },
  }
  local responses, err = vim.lsp.buf_request_sync(target.bufnr, "textDocument/codeAction", request, 10000)
  assert(responses, "textDocument/codeAction: " .. tostring(err))
  local response = responses[client.id] or {}
  assert(response.error == nil, "textDocument/codeAction error: " .. vim.inspect(response.error))
  out.actions = {}
  local chosen
  for _, action in ipairs(response.result or {}) do
    table.insert(out.actions, { title = action.title, kind = action.kind, isPreferred = action.isPreferred == true })
    if chosen == nil and action.isPreferred and action.edit ~= nil then
      chosen = action
    end
  end
  assert(chosen, "no preferred quick fix among " .. vim.inspect(out.actions))
  out.applied = chosen.title
  local published_before = published[target.uri] or 0
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  out.lines_after_fix = vim.api.nvim_buf_get_lines(target.bufnr, 0, -1, false)

  -- The server hears of the edit (didChange) and publishes again without the fixed finding.
  out.republished = vim.wait(params.timeout_ms, function()
    if (published[target.uri] or 0) <= published_before then
      return false
    end
    for _, d in ipairs(blastguard_diagnostics(target.bufnr)) do
      if d.code == fix.rule and d.lnum + 1 == fix.line then
        return false
      end
    end
    return true
  end, 20)
  out.diagnostics_after_fix = summary(target.bufnr)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  out.error = tostring(err)
end
local written, write_err = pcall(write_out)
if not written then
  io.stderr:write("could not write the result: " .. tostring(write_err) .. "\n")
end
if ok and written then
  vim.cmd("qa!")
else
  io.stderr:write(tostring(err) .. "\n")
  vim.cmd("cquit 1")
end
