-- :checkhealth scrubs in a real, headless Neovim: one case of test/health_cases.lua per run.
--
-- Run by .ci/editors/nvim-test.sh after test/init-health.lua set the plugin up:
--   nvim --headless -u test/init-health.lua -c "luafile test/health.lua"
-- Environment: SCRUBS_NVIM_PLUGIN, SCRUBS_NVIM_DIR (an empty scratch folder: the case's project),
-- SCRUBS_NVIM_HEALTH_CASE, SCRUBS_NVIM_TIMEOUT_MS (default 20000).
-- Writes the project (scrubs.toml, posts/draft.md), opens the draft as a user would, runs
-- :checkhealth scrubs, and asserts on the text of the health buffer.

local PLUGIN = assert(os.getenv("SCRUBS_NVIM_PLUGIN"), "SCRUBS_NVIM_PLUGIN is not set")
local DIR = assert(os.getenv("SCRUBS_NVIM_DIR"), "SCRUBS_NVIM_DIR is not set")
local NAME = assert(os.getenv("SCRUBS_NVIM_HEALTH_CASE"), "SCRUBS_NVIM_HEALTH_CASE is not set")
local TIMEOUT = tonumber(os.getenv("SCRUBS_NVIM_TIMEOUT_MS") or "20000")
local case = assert(dofile(PLUGIN .. "/test/health_cases.lua")[NAME], "no case " .. NAME)

local function out(fmt, ...)
  io.stdout:write(("[nvim-health %s] " .. fmt .. "\n"):format(NAME, ...))
  io.stdout:flush()
end

local function expand(s)
  return (s:gsub("{dir}", function()
    return DIR
  end))
end

local failures = {}
local function fail(fmt, ...)
  failures[#failures + 1] = fmt:format(...)
end

-- Headless Neovim turns an error message into an exception; collect what the user would see instead.
local notified = {}
vim.notify = function(msg, level)
  notified[#notified + 1] = ("%s: %s"):format(vim.log.levels[level or vim.log.levels.INFO] or tostring(level), msg)
end

local ok, err = xpcall(function()
  if case.toml then
    vim.fn.writefile(vim.split(case.toml, "\n", { plain = true }), DIR .. "/scrubs.toml")
  end
  vim.fn.mkdir(DIR .. "/posts", "p")
  local draft = DIR .. "/posts/draft.md"
  vim.fn.writefile({ "# Night shift", "", "A long night, and a good one." }, draft)
  vim.cmd("edit " .. vim.fn.fnameescape(draft))
  local bufnr = vim.api.nvim_get_current_buf()
  if case.binary ~= false then
    -- As a user would: the draft's server is up before they ask for a health check.
    local attached = vim.wait(TIMEOUT, function()
      return #vim.lsp.get_clients({ bufnr = bufnr, name = "scrubs" }) > 0
    end, 50)
    assert(attached, "no scrubs client attached to the draft")
  end

  vim.cmd("checkhealth scrubs")
  local hbuf = vim.api.nvim_get_current_buf()
  assert(hbuf ~= bufnr, ":checkhealth opened no buffer of its own")
  local lines = vim.api.nvim_buf_get_lines(hbuf, 0, -1, false)
  out("health buffer:\n%s", table.concat(lines, "\n"))

  -- "- ✅ OK text", "- ❌ ERROR text", "- ⚠️ WARNING text", "- text" (info); advice lines are indented.
  local by_kind = { OK = {}, ERROR = {}, WARNING = {}, INFO = {} }
  for _, line in ipairs(lines) do
    local rest = line:match("^%- (.*)$")
    if rest then
      local kind, text = rest:match("^[^%w]*(OK) (.*)$")
      if not kind then
        kind, text = rest:match("^[^%w]*(ERROR) (.*)$")
      end
      if not kind then
        kind, text = rest:match("^[^%w]*(WARNING) (.*)$")
      end
      if kind then
        table.insert(by_kind[kind], text)
      else
        table.insert(by_kind.INFO, rest)
      end
    end
  end
  local function has(kind, want)
    for _, text in ipairs(by_kind[kind]) do
      if text:find(want, 1, true) then
        return true
      end
    end
    return false
  end

  if #by_kind.OK + #by_kind.ERROR + #by_kind.WARNING == 0 then
    fail("the report has no OK, ERROR or WARNING line")
  end
  for kind, key in pairs({ OK = "ok", ERROR = "error", WARNING = "warning", INFO = "info" }) do
    for _, want in ipairs(case[key] or {}) do
      if not has(kind, expand(want)) then
        fail("no %s line with %q", kind, expand(want))
      end
    end
  end
  for _, unwanted in ipairs(case.not_ok or {}) do
    if has("OK", expand(unwanted)) then
      fail("an OK line has %q", expand(unwanted))
    end
  end
  if case.no_error and #by_kind.ERROR > 0 then
    fail("ERROR lines: %s", vim.inspect(by_kind.ERROR))
  end
  if case.no_warning and #by_kind.WARNING > 0 then
    fail("WARNING lines: %s", vim.inspect(by_kind.WARNING))
  end
  -- The probe server is gone: only the draft's own client is left.
  for _, client in ipairs(vim.lsp.get_clients()) do
    if not vim.tbl_contains(vim.lsp.get_buffers_by_client_id(client.id), bufnr) then
      fail("a client attached to no draft is still running: %s", client.name)
    end
  end
end, debug.traceback)

if not ok then
  fail("%s", tostring(err))
end
for _, n in ipairs(notified) do
  out("notified: %s", n)
end
for _, f in ipairs(failures) do
  out("FAIL %s", f)
end
out("%s", #failures == 0 and "ok" or ("%d failed"):format(#failures))
for _, client in ipairs(vim.lsp.get_clients()) do
  client:stop()
end
vim.wait(2000, function()
  return #vim.lsp.get_clients() == 0
end, 50)
if #failures > 0 then
  vim.cmd("cquit 1")
else
  vim.cmd("qall!")
end
