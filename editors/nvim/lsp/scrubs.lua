-- Configuration for Neovim 0.11's vim.lsp.config / vim.lsp.enable("scrubs").
-- Override any field with vim.lsp.config("scrubs", { ... }), e.g.
--   vim.lsp.config("scrubs", { cmd = { "/path/to/scrubs", "lsp" }, settings = { scrubs = { institution = "mayo" } } })
return require("scrubs").config()
