-- The init.lua of the README's Neovim 0.11 "vim.lsp.enable('scrubs')" way, with paths from the test's environment.
vim.opt.runtimepath:append(os.getenv("SCRUBS_NVIM_PLUGIN"))
vim.lsp.config("scrubs", {
  cmd = { os.getenv("SCRUBS_BIN"), "lsp" },
  settings = { scrubs = { institution = "mayo", role = "nurse" } },
})
vim.lsp.enable("scrubs")
