-- The setup paths this Neovim does not take itself, driven by tests/test_neovim.py:
-- on 0.7, the 0.8+ (vim.lsp.start) and 0.11+ (vim.lsp.config / vim.lsp.enable) paths run
-- against recording stand-ins for those functions, and so does the nvim-lspconfig entry
-- (against a stand-in lspconfig.configs). Every Lua file of the client is compiled, and
-- lsp/blastguard.lua is compared with the module's defaults.
-- $BLASTGUARD_NVIM_TEST: {out, project (a folder with .git, sub/.blastguard.yaml, main.tf,
-- sub/main.tf, docker-compose.blastguard-test, notes.txt), client (clients/neovim)}.
-- Writes {checks = [{name, ok, detail}]} to `out`; `qa!` after, `cquit 1` on an error.

local params = {}
local out = { checks = {} }

local function check(name, ok, detail)
  table.insert(out.checks, { name = name, ok = ok and true or false, detail = detail and vim.inspect(detail) or vim.NIL })
end

local function same(name, got, want)
  check(name, vim.deep_equal(got, want), { got = got, want = want })
end

-- Replace fields of a table for the duration of fn, then put the old values back.
local function with(tbl, replacements, fn)
  local saved = {}
  for key, value in pairs(replacements) do
    saved[key] = { tbl[key] }
    tbl[key] = value
  end
  local ok, err = pcall(fn)
  for key, old in pairs(saved) do
    tbl[key] = old[1]
  end
  if not ok then
    error(err, 0)
  end
end

local function pretend_version(version)
  local real = vim.fn.has
  return function(feature)
    local wanted = feature:match("^nvim%-(%d+%.%d+)")
    if wanted then
      local major, minor = wanted:match("(%d+)%.(%d+)")
      local have_major, have_minor = version:match("(%d+)%.(%d+)")
      local newer = tonumber(have_major) > tonumber(major)
        or (tonumber(have_major) == tonumber(major) and tonumber(have_minor) >= tonumber(minor))
      return newer and 1 or 0
    end
    return real(feature)
  end
end

local function open(path, filetype)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  if filetype then
    vim.bo.filetype = filetype
  end
  return vim.api.nvim_get_current_buf()
end

local function wipe_all()
  vim.cmd("silent! %bwipeout!")
end

local function main()
  params = vim.fn.json_decode((assert(os.getenv("BLASTGUARD_NVIM_TEST"), "BLASTGUARD_NVIM_TEST unset")))
  vim.o.hidden = true
  local project, sub = params.project, params.project .. "/sub"

  -- Every Lua file of the client compiles.
  local files = vim.fn.globpath(params.client, "**/*.lua", false, true)
  check("the client has Lua files", #files >= 3, files)
  for _, file in ipairs(files) do
    local chunk, err = loadfile(file)
    check("compiles: " .. file, chunk ~= nil, err)
  end

  local bg = require("blastguard")
  same("this Neovim takes the start_client path", bg.api(), "start_client")

  -- lsp/blastguard.lua (0.11's runtime lsp/ folder) agrees with the module.
  local runtime = dofile(params.client .. "/lsp/blastguard.lua")
  same("lsp/blastguard.lua cmd", runtime.cmd, bg.defaults.cmd)
  same("lsp/blastguard.lua filetypes", runtime.filetypes, bg.exact_filetypes(bg.defaults.filetypes))
  same("lsp/blastguard.lua root_markers", runtime.root_markers, bg.defaults.root_markers)

  -- Filetype matching, roots, settings.
  for ft, want in pairs({ terraform = true, ["terraform-vars"] = true, hcl = true, yaml = true,
                          ["yaml.ansible"] = true, ["yaml.docker-compose"] = true, json = true, python = true,
                          ["yaml."] = false, yamlx = false, text = false, tf = false, [""] = false }) do
    same("matches " .. ft, bg.matches(ft, bg.defaults.filetypes), want)
  end
  same("root of main.tf", bg.find_root(project .. "/main.tf"), project)
  same("root of sub/main.tf (.blastguard.yaml)", bg.find_root(sub .. "/main.tf"), sub)
  same("root without a marker", bg.find_root(project .. "/main.tf", { "no-such-marker.blastguard" }), nil)
  same("fallback root is the file's folder", bg.root_for(sub .. "/main.tf", { "no-such-marker.blastguard" }), sub)
  same("empty settings", bg.normalize_settings(nil), {})
  same("empty section left out", bg.normalize_settings({ blastguard = {} }), {})
  same("empty severity left out", bg.normalize_settings({ severity = {}, ignore = {} }), { blastguard = { ignore = {} } })
  same("no init_options from an empty section", bg.config({ settings = { blastguard = {} } }).init_options, nil)
  same("explicit empty init_options left out", bg.config({ init_options = {} }).init_options, nil)
  same("section wrapped", bg.normalize_settings({ ignore = { "TF1" } }), { blastguard = { ignore = { "TF1" } } })
  same("wrapped kept", bg.normalize_settings({ blastguard = { enable = false } }), { blastguard = { enable = false } })
  local config = bg.config({ settings = { ignore = { "TF1" } } })
  same("init_options default to the section", config.init_options, { ignore = { "TF1" } })
  same("default cmd", config.cmd, { "blastguard", "lsp" })
  same("language id of yaml.ansible", config.get_language_id(0, "yaml.ansible"), "yaml")
  same("explicit init_options kept", bg.config({ settings = { a = 1 }, init_options = { b = 2 } }).init_options, { b = 2 })

  -- 0.8-0.10: vim.lsp.start from the FileType autocmd, one call per buffer, root per buffer.
  local starts = {}
  with(vim.fn, { has = pretend_version("0.10") }, function()
    with(vim.lsp, { start = function(cfg, opts)
      table.insert(starts, { config = cfg, opts = opts, current = vim.api.nvim_get_current_buf() })
      return 1000 + #starts
    end }, function()
      same("0.10 takes the start path", bg.api(), "start")
      same("setup returns start", bg.setup({ cmd = { "bg", "lsp" }, settings = { ignore = { "TF1" } } }), "start")
      same("one FileType autocmd", #vim.api.nvim_get_autocmds({ group = "blastguard" }), 1)
      bg.setup({ cmd = { "bg", "lsp" }, settings = { ignore = { "TF1" } } })
      same("setup twice: still one autocmd", #vim.api.nvim_get_autocmds({ group = "blastguard" }), 1)
      local tf = open(sub .. "/main.tf")
      local compose = open(project .. "/docker-compose.blastguard-test", "yaml.docker-compose")
      open(project .. "/notes.txt")
      same("vim.lsp.start called for main.tf and docker-compose.blastguard-test only", #starts, 2)
      if #starts == 2 then
        local first, second = starts[1], starts[2]
        same("start: name", first.config.name, "blastguard")
        same("start: cmd", first.config.cmd, { "bg", "lsp" })
        same("start: root of sub/main.tf", first.config.root_dir, sub)
        same("start: root of docker-compose.blastguard-test", second.config.root_dir, project)
        same("start: settings", first.config.settings, { blastguard = { ignore = { "TF1" } } })
        same("start: init_options", first.config.init_options, { ignore = { "TF1" } })
        same("start: bufnr option", first.opts.bufnr, tf)
        same("start: the buffer is current during the call", second.current, compose)
        same("start: no filetypes/root_markers in the client config",
          { first.config.filetypes, first.config.root_markers }, {})
        check("start: on_init set", type(first.config.on_init) == "function")
      end
    end)
  end)
  vim.api.nvim_del_augroup_by_name("blastguard")
  wipe_all()

  -- 0.11+: vim.lsp.config + vim.lsp.enable, no autocmd of ours.
  local configured, enabled = {}, {}
  with(vim.fn, { has = pretend_version("0.11") }, function()
    with(vim.lsp, {
      start = function() error("vim.lsp.start must not be called on 0.11") end,
      config = function(name, cfg) table.insert(configured, { name = name, config = cfg }) end,
      enable = function(name) table.insert(enabled, name) end,
    }, function()
      same("0.11 takes the config path", bg.api(), "config")
      same("setup returns config", bg.setup({ settings = { blastguard = { select = { "TF" } } } }), "config")
    end)
  end)
  same("vim.lsp.enable('blastguard')", enabled, { "blastguard" })
  same("vim.lsp.config called once", #configured, 1)
  if configured[1] then
    local cfg = configured[1].config
    same("config: name", configured[1].name, "blastguard")
    same("config: cmd", cfg.cmd, { "blastguard", "lsp" })
    same("config: exact filetypes", cfg.filetypes, bg.exact_filetypes(bg.defaults.filetypes))
    same("config: root_markers", cfg.root_markers, { ".blastguard.yaml", ".git" })
    same("config: settings", cfg.settings, { blastguard = { select = { "TF" } } })
    same("config: init_options", cfg.init_options, { select = { "TF" } })
    check("config: no name field (vim.lsp.config names it)", cfg.name == nil)
    local roots = {}
    cfg.root_dir(open(sub .. "/main.tf"), function(dir) table.insert(roots, dir) end)
    cfg.root_dir(open(project .. "/main.tf"), function(dir) table.insert(roots, dir) end)
    vim.cmd("enew")
    vim.bo.buftype = "nofile"
    cfg.root_dir(vim.api.nvim_get_current_buf(), function(dir) table.insert(roots, dir) end)
    same("config: root_dir per buffer, none for a scratch buffer", roots, { sub, project })
  end
  local has_group = pcall(vim.api.nvim_get_autocmds, { group = "blastguard" })
  same("no autocmd group on 0.11", has_group, false)
  wipe_all()

  -- nvim-lspconfig: the entry and register(), against a stand-in lspconfig.
  local configs = {}
  package.loaded["lspconfig.configs"] = configs
  package.loaded["lspconfig"] = setmetatable({}, { __index = function(_, name) return configs[name] end })
  local entry = require("blastguard.lspconfig")
  same("lspconfig: cmd", entry.default_config.cmd, { "blastguard", "lsp" })
  same("lspconfig: filetypes", entry.default_config.filetypes, bg.exact_filetypes(bg.defaults.filetypes))
  same("lspconfig: root_dir", entry.default_config.root_dir(sub .. "/main.tf"), sub)
  same("lspconfig: single file support", entry.default_config.single_file_support, true)
  check("lspconfig: docs", type(entry.docs.description) == "string")
  local server = entry.register()
  check("lspconfig: register() adds the entry", configs.blastguard ~= nil and server == configs.blastguard)
  same("lspconfig: registered cmd", configs.blastguard and configs.blastguard.default_config.cmd, { "blastguard", "lsp" })
  local again = entry.register()
  check("lspconfig: register() twice keeps the first", again == server)
  package.loaded["lspconfig.configs"], package.loaded["lspconfig"] = nil, nil
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  out.error = tostring(err)
end
local written, write_err = pcall(function()
  local file = assert(io.open(assert(params.out, "no output path"), "w"))
  file:write(vim.fn.json_encode(out))
  file:close()
end)
if ok and written then
  vim.cmd("qa!")
else
  io.stderr:write(tostring(err) .. "\n" .. tostring(write_err) .. "\n")
  vim.cmd("cquit 1")
end
