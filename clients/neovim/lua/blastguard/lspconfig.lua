-- An nvim-lspconfig entry for Blastguard (the shape of lspconfig's own server configurations).
--
--   local configs = require("lspconfig.configs")
--   if not configs.blastguard then
--     configs.blastguard = require("blastguard.lspconfig")
--   end
--   require("lspconfig").blastguard.setup({ settings = { blastguard = { ignore = { "TF402" } } } })
--
-- or, the same in one call: require("blastguard.lspconfig").register().setup({ ... })
local blastguard = require("blastguard")

local M = {
  default_config = {
    cmd = vim.deepcopy(blastguard.defaults.cmd),
    -- lspconfig compares filetypes exactly: "yaml.*" is spelled out.
    filetypes = blastguard.exact_filetypes(blastguard.defaults.filetypes),
    root_dir = function(fname)
      return blastguard.find_root(fname, blastguard.defaults.root_markers)
    end,
    single_file_support = true,
    -- No settings by default: Neovim would send an empty { blastguard = {} } as [].
    get_language_id = function(_, filetype)
      return filetype:sub(1, 5) == "yaml." and "yaml" or filetype
    end,
    commands = { ["blastguard.reviewBlock"] = blastguard.review_block },
  },
  docs = {
    description = [[
Blastguard: catches infrastructure changes that can take production down (deletes without a
snapshot, admin grants, open ports, public buckets, privileged pods) in Terraform, Kubernetes,
CloudFormation, GitHub Actions, Ansible, Docker Compose, IAM JSON and Python.

`blastguard lsp` publishes diagnostics (code = rule id), quick fixes and hovers. Settings
(section `blastguard`): enable, select, ignore, severity, exclude, ruleDirs, debounceMs,
maxFileSize, diffBase, preexistingSeverity, insertedBlockMinLines.]],
    default_config = {
      root_dir = [[root_pattern(".blastguard.yaml", ".git")]],
    },
  },
}

--- Add the entry to nvim-lspconfig (once) and return lspconfig's blastguard server.
function M.register()
  local configs = require("lspconfig.configs")
  if not configs.blastguard then
    configs.blastguard = {
      default_config = vim.deepcopy(M.default_config),
      docs = M.docs,
    }
  end
  return require("lspconfig").blastguard
end

return M
