-- Blastguard for Neovim 0.11+'s runtime lsp/ folder: with clients/neovim on 'runtimepath'
-- (or this file copied to ~/.config/nvim/lsp/blastguard.lua), `vim.lsp.enable("blastguard")`
-- starts `blastguard lsp` for these filetypes. Override any field with
-- vim.lsp.config("blastguard", { cmd = {...}, settings = { blastguard = {...} } }).
-- Self-contained on purpose (no require), so the file works on its own; tests/test_neovim.py
-- checks it against require("blastguard").defaults.
return {
  cmd = { "blastguard", "lsp" },
  filetypes = {
    "terraform", "terraform-vars", "hcl",
    "yaml", "yaml.ansible", "yaml.docker-compose", "yaml.cloudformation", "yaml.gitlab", "yaml.helm-values",
    "json", "python",
  },
  root_markers = { ".blastguard.yaml", ".git" },
  -- "Review inserted block" selects the block (the module is on 'runtimepath' with this file).
  commands = {
    ["blastguard.reviewBlock"] = function(command, ctx)
      return require("blastguard").review_block(command, ctx)
    end,
  },
  -- No settings: the server's defaults and the project's .blastguard.yaml. To change them,
  -- vim.lsp.config("blastguard", { settings = { blastguard = { ignore = { "TF402" } } } }) with
  -- the keys enable, select, ignore, severity, exclude, ruleDirs, debounceMs, maxFileSize,
  -- diffBase, preexistingSeverity, insertedBlockMinLines.
  -- (Leave a section out rather than writing it empty: Neovim sends an empty table as [].)
}
