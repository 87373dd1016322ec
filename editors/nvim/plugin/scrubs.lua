-- User commands. Nothing starts until require("scrubs").setup() or vim.lsp.enable("scrubs").
if vim.g.loaded_scrubs then
  return
end
vim.g.loaded_scrubs = true

require("scrubs").create_commands()
