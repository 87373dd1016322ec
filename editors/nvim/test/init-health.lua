-- The init.lua of a user who set scrubs up one of the README's two ways, for :checkhealth scrubs.
-- Environment: SCRUBS_NVIM_PLUGIN (editors/nvim), SCRUBS_BIN, SCRUBS_NVIM_DIR (the case's project
-- folder), SCRUBS_NVIM_HEALTH_CASE (a key of test/health_cases.lua).
local plugin = assert(os.getenv("SCRUBS_NVIM_PLUGIN"))
local dir = assert(os.getenv("SCRUBS_NVIM_DIR"))
local case = assert(dofile(plugin .. "/test/health_cases.lua")[os.getenv("SCRUBS_NVIM_HEALTH_CASE")], "unknown case")
vim.opt.runtimepath:append(plugin)
if case.float then
  vim.g.health = { style = "float" }
end
local cmd = { case.binary == false and (dir .. "/no-such-dir/scrubs") or os.getenv("SCRUBS_BIN"), "lsp" }
if case.mode == "enable" then
  vim.lsp.config("scrubs", { cmd = cmd, settings = { scrubs = case.settings } })
  vim.lsp.enable("scrubs")
else
  require("scrubs").setup({ cmd = cmd, settings = case.settings })
end
