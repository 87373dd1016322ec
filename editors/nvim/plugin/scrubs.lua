-- User commands. Nothing starts until require("scrubs").setup() or vim.lsp.enable("scrubs").
if vim.g.loaded_scrubs then
  return
end
vim.g.loaded_scrubs = true

vim.api.nvim_create_user_command("ScrubsFixAll", function()
  require("scrubs").fix_all()
end, { desc = "scrubs: apply every fix the server offers for this buffer" })
