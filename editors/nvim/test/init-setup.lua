-- The init.lua of the README's "require('scrubs').setup()" way, with paths from the test's environment.
vim.opt.runtimepath:append(os.getenv("SCRUBS_NVIM_PLUGIN"))
require("scrubs").setup({
  cmd = { os.getenv("SCRUBS_BIN"), "lsp" },
  settings = { institution = "mayo", role = "nurse" },
})
