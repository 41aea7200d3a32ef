-- Blastguard for Neovim: starts `blastguard lsp` for Terraform, YAML, JSON and Python buffers.
--
--   require("blastguard").setup({
--     cmd = { "blastguard", "lsp" },                          -- the server command (default)
--     filetypes = { "terraform", "yaml", "yaml.*", ... },     -- default: M.defaults.filetypes
--     settings = { blastguard = { ignore = { "TF402" } } },   -- or the `blastguard` section itself
--     init_options = nil,                                     -- default: the `blastguard` section
--     root_markers = { ".blastguard.yaml", ".git" },          -- nearest folder holding one is the root
--     root_dir = nil,                                         -- a folder: one root for every buffer
--   })
--
-- Server settings (the `blastguard` section; defaults in server/blastguard/lsp/settings.py):
--   enable, select, ignore, severity, exclude, ruleDirs, debounceMs, maxFileSize, and
--   diffBase = "HEAD"               compare each file with this git revision ("" turns it off):
--                                   findings the change introduces say so, pre-existing ones
--                                   are lowered, destructive changes show on the changed lines
--   preexistingSeverity = "hint"    "hint", "information" or "hidden"
--   insertedBlockMinLines = 3       a paste or accepted suggestion of at least this many lines is
--                                   a block: its findings name it and offer "Review inserted
--                                   block" (the blastguard.reviewBlock command below, which
--                                   selects it in Visual mode) and "Show what this block destroys"
--
-- Any other key (on_attach, capabilities, handlers, flags, ...) goes to the client config as is.
-- The API is chosen by version:
--   0.11+      vim.lsp.config("blastguard", ...) + vim.lsp.enable("blastguard")
--   0.8-0.10   vim.lsp.start from a FileType autocmd (reuses one client per root)
--   0.7        vim.lsp.start_client + vim.lsp.buf_attach_client from a FileType autocmd
--              (one client per root, kept here)
-- A filetype ending in ".*" ("yaml.*") matches every compound filetype with that prefix
-- (yaml.ansible, yaml.docker-compose, ...). On 0.11+, where vim.lsp.enable compares filetypes
-- exactly, it is expanded to M.compound_filetypes.

local M = {}

M.name = "blastguard"

-- Compound YAML filetypes that Neovim or common plugins set; what "yaml.*" stands for where
-- filetypes are compared exactly (vim.lsp.enable, nvim-lspconfig).
M.compound_filetypes = {
  ["yaml.*"] = { "yaml.ansible", "yaml.docker-compose", "yaml.cloudformation", "yaml.gitlab", "yaml.helm-values" },
}

M.defaults = {
  cmd = { "blastguard", "lsp" },
  -- terraform-vars: .tfvars on Neovim 0.9+ (0.7 and 0.8 call them terraform).
  filetypes = { "terraform", "terraform-vars", "hcl", "yaml", "yaml.*", "json", "python" },
  root_markers = { ".blastguard.yaml", ".git" },
}

local uv = vim.uv or vim.loop

local function has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

--- Which client API setup() uses on this Neovim: "config" (0.11+), "start" (0.8+) or "start_client".
function M.api()
  if has("0.11") and vim.lsp.config ~= nil and vim.lsp.enable ~= nil then
    return "config"
  elseif has("0.8") and vim.lsp.start ~= nil then
    return "start"
  end
  return "start_client"
end

--- filetypes with every "prefix.*" replaced by the compound filetypes it stands for.
function M.exact_filetypes(filetypes)
  local out, seen = {}, {}
  local function add(ft)
    if not seen[ft] then
      seen[ft] = true
      table.insert(out, ft)
    end
  end
  for _, ft in ipairs(filetypes or M.defaults.filetypes) do
    if ft:sub(-2) == ".*" then
      for _, compound in ipairs(M.compound_filetypes[ft] or {}) do
        add(compound)
      end
    else
      add(ft)
    end
  end
  return out
end

--- Does filetype `ft` match one of `filetypes` ("yaml.*" matches "yaml.ansible", not "yaml")?
function M.matches(ft, filetypes)
  if ft == nil or ft == "" then
    return false
  end
  for _, pattern in ipairs(filetypes) do
    if pattern == ft then
      return true
    end
    if pattern:sub(-2) == ".*" then
      local prefix = pattern:sub(1, -2) -- "yaml."
      if ft:sub(1, #prefix) == prefix and #ft > #prefix then
        return true
      end
    end
  end
  return false
end

--- The nearest folder at or above `path` (a file or a folder) holding one of `markers`, or nil.
function M.find_root(path, markers)
  markers = markers or M.defaults.root_markers
  if path == nil or path == "" then
    return nil
  end
  path = vim.fn.fnamemodify(path, ":p")
  local stat = uv.fs_stat(path)
  local dir = (stat and stat.type == "directory") and path or vim.fn.fnamemodify(path, ":h")
  dir = dir:gsub("(.)/+$", "%1")
  while dir and dir ~= "" do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return nil
    end
    dir = parent
  end
  return nil
end

--- The root for a buffer's file: the nearest marked folder, else the file's own folder.
function M.root_for(fname, markers)
  return M.find_root(fname, markers) or vim.fn.fnamemodify(fname, ":p:h")
end

local function root_of(config, fname)
  if type(config.root_dir) == "string" then
    return (vim.fn.fnamemodify(config.root_dir, ":p"):gsub("(.)/+$", "%1"))
  end
  return M.root_for(fname, config.root_markers)
end

-- Neovim encodes an empty Lua table as a JSON array, and the server takes `[]` for an object
-- as a bad value (ignoring every setting). An empty section or an empty `severity` means the
-- defaults, so they are left out rather than sent as [].
local function drop_empty_objects(section)
  if type(section) ~= "table" or next(section) == nil then
    return nil
  end
  local out = {}
  for key, value in pairs(section) do
    if not (key == "severity" and type(value) == "table" and next(value) == nil) then
      out[key] = value
    end
  end
  if next(out) == nil then
    return nil
  end
  return out
end

--- Settings as the server reads them from workspace/configuration: { blastguard = {...} }.
--- Accepts the section itself too ({ ignore = {...} }).
function M.normalize_settings(settings)
  settings = settings or {}
  if next(settings) == nil then
    return {}
  end
  local out = {}
  if settings[M.name] == nil then
    out[M.name] = drop_empty_objects(settings)
  else
    for key, value in pairs(settings) do
      out[key] = value
    end
    out[M.name] = drop_empty_objects(settings[M.name])
  end
  return out
end

local function language_id(_, filetype)
  -- The server goes by the file's path and content; this only keeps the ids conventional.
  if filetype:sub(1, 5) == "yaml." then
    return "yaml"
  end
  return filetype
end

local function client_supports_configuration(client)
  local caps = client.config and client.config.capabilities
  if caps == nil then
    caps = vim.lsp.protocol.make_client_capabilities()
  end
  return caps.workspace ~= nil and caps.workspace.configuration == true
end

-- Neovim 0.7 does not answer workspace/configuration (it does not announce it), so the settings
-- go in a workspace/didChangeConfiguration notification once the server is up (unless they
-- already went as initializationOptions).
local function push_settings(client, sent_at_init)
  local settings = client.config and client.config.settings
  if settings ~= nil and next(settings) ~= nil and not sent_at_init and not client_supports_configuration(client) then
    local params = { settings = settings }
    if has("0.11") then
      client:notify("workspace/didChangeConfiguration", params) -- methods take self from 0.11 on
    else
      client.notify("workspace/didChangeConfiguration", params)
    end
  end
end

--- The client config setup() starts the server with (without root_dir, which is per buffer).
function M.config(opts)
  opts = opts or {}
  local config = {}
  for key, value in pairs(opts) do
    if key ~= "root_markers" and key ~= "filetypes" then
      config[key] = value
    end
  end
  config.name = M.name
  config.cmd = opts.cmd or vim.deepcopy(M.defaults.cmd)
  config.filetypes = vim.deepcopy(opts.filetypes or M.defaults.filetypes)
  config.root_markers = vim.deepcopy(opts.root_markers or M.defaults.root_markers)
  config.settings = M.normalize_settings(opts.settings)
  local sent_at_init = false
  if type(opts.init_options) == "table" and next(opts.init_options) == nil then
    config.init_options = nil -- {} would go as []
  end
  if opts.init_options == nil and config.settings[M.name] ~= nil then
    -- The server reads the same keys from initializationOptions: the first diagnostics are
    -- then already computed with the user's settings.
    config.init_options = vim.deepcopy(config.settings[M.name])
    sent_at_init = true
  end
  config.get_language_id = opts.get_language_id or language_id
  -- Client-side commands that code actions name (Neovim looks here before asking the server).
  config.commands = vim.tbl_extend("keep", opts.commands or {}, { ["blastguard.reviewBlock"] = M.review_block })
  local user_on_init = opts.on_init
  config.on_init = function(client, result)
    push_settings(client, sent_at_init)
    if user_on_init then
      return user_on_init(client, result)
    end
  end
  return config
end

local function buffer_file(bufnr)
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or name:match("^%a[%w+.-]*://") then
    return nil -- unnamed, or not a file on disk (fugitive://, oil://, ...)
  end
  return name
end

local function client_config_for(config, root)
  local client_config = {}
  for key, value in pairs(config) do
    if key ~= "filetypes" and key ~= "root_markers" then
      client_config[key] = value
    end
  end
  client_config.root_dir = root
  return client_config
end

-- 0.7: one client per root, started here and attached to each buffer under it.
local clients_by_root = {}

local function attach_start_client(bufnr, config)
  local fname = buffer_file(bufnr)
  if fname == nil then
    return nil
  end
  local root = root_of(config, fname)
  local id = clients_by_root[root]
  -- get_client_by_id also finds a client still initializing (client_is_stopped would not, so it
  -- would start a second one for the next buffer); on_exit below forgets an exited one.
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    local client_config = client_config_for(config, root)
    local user_on_exit = config.on_exit
    client_config.on_exit = function(code, signal, client_id)
      if clients_by_root[root] == client_id then
        clients_by_root[root] = nil
      end
      if user_on_exit then
        user_on_exit(code, signal, client_id)
      end
    end
    id = vim.lsp.start_client(client_config)
    if id == nil then
      return nil
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

-- 0.8-0.10: vim.lsp.start reuses the client with the same name and root_dir.
local function attach_start(bufnr, config)
  local fname = buffer_file(bufnr)
  if fname == nil then
    return nil
  end
  local client_config = client_config_for(config, root_of(config, fname))
  local id
  -- 0.8 attaches to the current buffer (it has no bufnr option): make it the current one.
  vim.api.nvim_buf_call(bufnr, function()
    id = vim.lsp.start(client_config, { bufnr = bufnr })
  end)
  return id
end

--- The server's `blastguard.reviewBlock` command (from the "Review inserted block" code action):
--- shows the buffer of `arguments[1]` (a uri) and selects `arguments[2]` (an LSP range) in
--- Visual mode, linewise when the range covers whole lines. Returns true when it selected.
function M.review_block(command, ctx)
  local args = command and command.arguments or {}
  local uri, range = args[1], args[2]
  if type(uri) ~= "string" or type(range) ~= "table" or range.start == nil or range["end"] == nil then
    return false
  end
  local bufnr = vim.uri_to_bufnr(uri)
  vim.fn.bufload(bufnr)
  local win = vim.fn.bufwinid(bufnr)
  if win ~= -1 then
    vim.api.nvim_set_current_win(win)
  else
    vim.api.nvim_set_current_buf(bufnr)
  end
  local client = ctx and ctx.client_id and vim.lsp.get_client_by_id(ctx.client_id)
  local utf16 = not (client and client.offset_encoding == "utf-8")
  local function byte_col(position)
    local line = vim.api.nvim_buf_get_lines(bufnr, position.line, position.line + 1, false)[1] or ""
    local ok, col = pcall(vim.str_byteindex, line, position.character, utf16)
    return ok and col or #line
  end
  local last = vim.api.nvim_buf_line_count(bufnr)
  local first_line = math.min(range.start.line + 1, last)
  -- A range ending at column 0 of a later line ends with the line before it: whole lines.
  local linewise = range.start.character == 0 and range["end"].character == 0 and range["end"].line > range.start.line
  local end_line, end_col
  if linewise then
    end_line, end_col = math.min(range["end"].line, last), 0
  else
    end_line, end_col = math.min(range["end"].line + 1, last), math.max(byte_col(range["end"]) - 1, 0)
  end
  if vim.fn.mode():sub(1, 1):lower() == "v" or vim.fn.mode() == "\22" then
    vim.cmd("normal! \27") -- leave any Visual mode first
  end
  vim.api.nvim_win_set_cursor(0, { first_line, linewise and 0 or byte_col(range.start) })
  vim.cmd("normal! " .. (linewise and "V" or "v"))
  vim.api.nvim_win_set_cursor(0, { end_line, end_col })
  return true
end

M._augroup = nil

--- Start (or reuse) the client for `bufnr` if its filetype is one of the configured ones.
--- Used by the FileType autocmd on 0.7-0.10; returns the client id or nil.
function M.attach(bufnr, config)
  config = config or M._config
  if config == nil or not M.matches(vim.bo[bufnr].filetype, config.filetypes) then
    return nil
  end
  if M.api() == "start_client" then
    return attach_start_client(bufnr, config)
  end
  return attach_start(bufnr, config)
end

--- Set up Blastguard for the buffers of the configured filetypes (see the top of this file).
function M.setup(opts)
  local config = M.config(opts)
  M._config = config
  local api = M.api()
  if api == "config" then
    local lsp_config = {}
    for key, value in pairs(config) do
      lsp_config[key] = value
    end
    lsp_config.name = nil
    lsp_config.filetypes = M.exact_filetypes(config.filetypes)
    -- The same root as on older versions: the nearest marked folder, else the file's folder;
    -- buffers that are not files on disk get no client.
    lsp_config.root_dir = function(bufnr, on_dir)
      local fname = buffer_file(bufnr)
      if fname ~= nil then
        on_dir(root_of(config, fname))
      end
    end
    vim.lsp.config(M.name, lsp_config)
    vim.lsp.enable(M.name)
    return api
  end
  M._augroup = vim.api.nvim_create_augroup("blastguard", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = M._augroup,
    pattern = "*",
    callback = function(args)
      M.attach(args.buf, config)
    end,
    desc = "Start or attach the Blastguard language server",
  })
  -- Buffers already open when setup() runs (a lazily loaded plugin).
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      M.attach(bufnr, config)
    end
  end
  return api
end

--- The running Blastguard clients (all roots).
function M.clients()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local out = {}
  for _, client in ipairs(get()) do
    if client.name == M.name then
      table.insert(out, client)
    end
  end
  return out
end

return M
