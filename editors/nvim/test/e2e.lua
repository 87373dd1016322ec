-- End-to-end test of the scrubs Neovim plugin in a real, headless Neovim.
--
-- Run by .ci/editors/nvim-test.sh after an init.lua (test/init-*.lua) loaded the plugin the way the
-- README says:  nvim --headless -u test/init-setup.lua -c "luafile test/e2e.lua"
-- Environment: SCRUBS_NVIM_PLUGIN (editors/nvim), SCRUBS_NVIM_MODE (a label), SCRUBS_NVIM_DIR (a
-- scratch folder for the draft), SCRUBS_NVIM_TIMEOUT_MS (default 20000).

local MODE = os.getenv("SCRUBS_NVIM_MODE") or "?"
local PLUGIN = assert(os.getenv("SCRUBS_NVIM_PLUGIN"), "SCRUBS_NVIM_PLUGIN is not set")
local DIR = assert(os.getenv("SCRUBS_NVIM_DIR"), "SCRUBS_NVIM_DIR is not set")
local TIMEOUT = tonumber(os.getenv("SCRUBS_NVIM_TIMEOUT_MS") or "20000")

local DRAFT = {
  "# Night shift 🌙",
  "",
  "As a nurse at Mayo Clinic, I see a lot of sunrises.",
  "",
  "Contact me at jane.doe@mayo.edu.",
}
local DISCLAIMER = "*The views expressed on this blog are my own and do not reflect the views of my employer.*"

local function out(fmt, ...)
  io.stdout:write(("[nvim-e2e %s] " .. fmt .. "\n"):format(MODE, ...))
  io.stdout:flush()
end

local passed, failed, skipped = 0, 0, 0

--- Runs the steps in order; the first failure stops the rest (they build on each other).
local function run(steps)
  for _, s in ipairs(steps) do
    local ok, err = xpcall(s[2], debug.traceback)
    if ok and err == "skip" then
      skipped = skipped + 1
      out("skip %s", s[1])
    elseif ok then
      passed = passed + 1
      out("ok   %s", s[1])
    else
      failed = failed + 1
      out("FAIL %s\n%s", s[1], tostring(err))
      local log = vim.lsp.get_log_path()
      out("messages:\n%s", vim.fn.execute("messages"))
      out("LSP log: %s", log)
      break
    end
  end
end

local function wait_for(what, cond)
  local ok = vim.wait(TIMEOUT, cond, 50)
  if not ok then
    error(("timed out after %d ms waiting for %s"):format(TIMEOUT, what), 2)
  end
end

local function eq(want, got, what)
  if not vim.deep_equal(want, got) then
    error(("%s:\n  want %s\n  got  %s"):format(what, vim.inspect(want), vim.inspect(got)), 2)
  end
end

--- The buffer text inside a diagnostic's range.
local function text_of(bufnr, d)
  return table.concat(vim.api.nvim_buf_get_text(bufnr, d.lnum, d.col, d.end_lnum, d.end_col, {}), "\n")
end

local function scrubs_diagnostics(bufnr)
  return vim.tbl_filter(function(d)
    return d.source == "scrubs"
  end, vim.diagnostic.get(bufnr))
end

local function find(diags, code)
  for _, d in ipairs(diags) do
    if d.code == code then
      return d
    end
  end
end

local draft = DIR .. "/night-shift.md"
vim.fn.writefile(DRAFT, draft)
local bufnr

run({
  {
    "the plugin's help is there (:help scrubs)",
    function()
      vim.cmd("helptags " .. vim.fn.fnameescape(PLUGIN .. "/doc"))
      vim.cmd("help scrubs")
      local name = vim.api.nvim_buf_get_name(0)
      assert(name:match("scrubs%.txt$"), "':help scrubs' opened " .. name)
      vim.cmd("helpclose")
    end,
  },
  {
    "the server starts for a Markdown draft",
    function()
      vim.cmd("edit " .. vim.fn.fnameescape(draft))
      bufnr = vim.api.nvim_get_current_buf()
      eq("markdown", vim.bo[bufnr].filetype, "filetype")
      wait_for("a scrubs client attached to the draft", function()
        return #vim.lsp.get_clients({ bufnr = bufnr, name = "scrubs" }) > 0
      end)
      local client = vim.lsp.get_clients({ bufnr = bufnr, name = "scrubs" })[1]
      wait_for("the server to initialize", function()
        return client.initialized
      end)
      out("server: %s %s", (client.server_info or {}).name or "?", (client.server_info or {}).version or "")
    end,
  },
  {
    "diagnostics: disclaimer/missing covers \"As a nurse at Mayo Clinic\"",
    function()
      wait_for("scrubs diagnostics", function()
        return find(scrubs_diagnostics(bufnr), "disclaimer/missing") ~= nil
      end)
      local diags = scrubs_diagnostics(bufnr)
      for _, d in ipairs(diags) do
        out("  %s:%d:%d %s [%s] %q", vim.diagnostic.severity[d.severity], d.lnum + 1, d.col + 1, d.code, d.source, text_of(bufnr, d))
      end
      local d = find(diags, "disclaimer/missing")
      eq(vim.diagnostic.severity.WARN, d.severity, "disclaimer/missing severity")
      local covered = text_of(bufnr, d)
      assert(covered:find("As a nurse at Mayo Clinic", 1, true), ("the range covers %q"):format(covered))
      local email = find(diags, "work-email/institutional-address")
      assert(email, "work-email/institutional-address is reported")
      assert(text_of(bufnr, email):find("jane.doe@mayo.edu", 1, true), "the work address is inside its range")
    end,
  },
  {
    "hover (K) on the finding quotes the policy",
    function()
      local d = find(scrubs_diagnostics(bufnr), "disclaimer/missing")
      local client = vim.lsp.get_clients({ bufnr = bufnr, name = "scrubs" })[1]
      local line = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, true)[1]
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(bufnr) },
        position = { line = d.lnum, character = vim.str_utfindex(line, client.offset_encoding or "utf-16", d.col + 3) },
      }
      local res = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", params, TIMEOUT)
      local value
      for _, r in pairs(res or {}) do
        if r.result and r.result.contents then
          value = r.result.contents.value or r.result.contents
        end
      end
      assert(type(value) == "string", "no hover: " .. vim.inspect(res))
      assert(value:find("disclaimer/missing", 1, true), "the hover names the rule:\n" .. value)
      assert(value:find("\n> ", 1, true), "the hover quotes a policy clause:\n" .. value)
    end,
  },
  {
    "code actions: the disclaimer quick fix, applied with vim.lsp.buf.code_action()",
    function()
      local d = find(scrubs_diagnostics(bufnr), "disclaimer/missing")
      -- The cursor on "nurse", inside the finding, as a person would put it.
      local line = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, true)[1]
      vim.api.nvim_win_set_cursor(0, { d.lnum + 1, line:find("nurse", 1, true) + 1 })
      -- The menu vim.lsp.buf.code_action() shows goes through vim.ui.select: pick the entry that
      -- reads like the disclaimer fix, as the user would.
      local shown
      local orig_select = vim.ui.select
      vim.ui.select = function(items, opts, on_choice)
        shown = {}
        local pick
        for i, item in ipairs(items) do
          local label = opts.format_item and opts.format_item(item) or tostring(item)
          shown[#shown + 1] = label
          if not pick and label:lower():find("disclaimer", 1, true) then
            pick = i
          end
        end
        out("  code actions shown: %s", vim.inspect(shown))
        if pick then
          on_choice(items[pick], pick)
        else
          on_choice(nil, nil)
        end
      end
      local tick = vim.api.nvim_buf_get_changedtick(bufnr)
      vim.lsp.buf.code_action()
      wait_for("the code-action menu", function()
        return shown ~= nil
      end)
      vim.ui.select = orig_select
      local found = false
      for _, label in ipairs(shown) do
        found = found or label:lower():find("disclaimer", 1, true) ~= nil
      end
      assert(found, "no disclaimer fix among " .. vim.inspect(shown))
      wait_for("the fix to change the buffer", function()
        return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick
      end)
    end,
  },
  {
    "the buffer ends with the disclaimer paragraph",
    function()
      local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, true)
      while #lines > 0 and lines[#lines] == "" do
        table.remove(lines)
      end
      local want = vim.list_extend(vim.deepcopy(DRAFT), { "", DISCLAIMER })
      eq(want, lines, "buffer after the fix")
      vim.cmd("silent write")
      local on_disk = vim.fn.readfile(draft)
      while #on_disk > 0 and on_disk[#on_disk] == "" do
        table.remove(on_disk)
      end
      eq(want, on_disk, "file after :write")
    end,
  },
  {
    "the disclaimer finding is gone, the others stay",
    function()
      wait_for("disclaimer/missing to go", function()
        return find(scrubs_diagnostics(bufnr), "disclaimer/missing") == nil
      end)
      assert(find(scrubs_diagnostics(bufnr), "work-email/institutional-address"), "the work address is still flagged")
    end,
  },
  {
    ":ScrubsFixAll adds the disclaimer to a second draft",
    function()
      local second = DIR .. "/second-draft.md"
      vim.fn.writefile(DRAFT, second)
      vim.cmd("edit " .. vim.fn.fnameescape(second))
      local buf2 = vim.api.nvim_get_current_buf()
      wait_for("the second draft's disclaimer finding", function()
        return find(scrubs_diagnostics(buf2), "disclaimer/missing") ~= nil
      end)
      vim.cmd("ScrubsFixAll")
      wait_for("the disclaimer in the second draft", function()
        return vim.tbl_contains(vim.api.nvim_buf_get_lines(buf2, 0, -1, true), DISCLAIMER)
      end)
      wait_for("disclaimer/missing to go from the second draft", function()
        return find(scrubs_diagnostics(buf2), "disclaimer/missing") == nil
      end)
      vim.cmd("silent write")
      vim.cmd("buffer " .. bufnr)
    end,
  },
  {
    "new settings reach the server (rules: work-email off)",
    function()
      require("scrubs").update_settings({ institution = "mayo", role = "nurse", rules = { ["work-email"] = "off" } })
      wait_for("work-email findings to go", function()
        return find(scrubs_diagnostics(bufnr), "work-email/institutional-address") == nil
      end)
      eq({}, scrubs_diagnostics(bufnr), "findings left in the first draft")
    end,
  },
  {
    "pictures: a GPS-tagged photo and a screenshot of a patient list are both flagged",
    function()
      -- ward.jpg and census.png are made by .ci/editors/make-pictures.sh.
      assert(vim.fn.filereadable(DIR .. "/ward.jpg") == 1, "no ward.jpg (make-pictures.sh did not run)")
      local path = DIR .. "/pictures.md"
      vim.fn.writefile({
        "The view from the unit tonight ![the view](ward.jpg)",
        "",
        "Our board: ![board](census.png)",
      }, path)
      vim.cmd("edit " .. vim.fn.fnameescape(path))
      local buf = vim.api.nvim_get_current_buf()
      wait_for("the picture findings (the text once it is recognised)", function()
        local d = scrubs_diagnostics(buf)
        return find(d, "media/image-metadata") ~= nil and find(d, "phi/text-in-image") ~= nil
      end)
      local meta = find(scrubs_diagnostics(buf), "media/image-metadata")
      eq("![the view](ward.jpg)", text_of(buf, meta), "the metadata finding's range")
      assert(meta.message:find("GPS position", 1, true), meta.message)
      local ocr = find(scrubs_diagnostics(buf), "phi/text-in-image")
      eq("![board](census.png)", text_of(buf, ocr), "the text-in-image finding's range")
      eq(vim.diagnostic.severity.ERROR, ocr.severity, "phi/text-in-image severity")
      assert(ocr.message:find("00482913", 1, true), ocr.message)
      vim.cmd("buffer " .. bufnr)
    end,
  },
  {
    "no binary: setup() says how to install scrubs",
    function()
      if MODE ~= "setup" then
        return "skip" -- Neovim itself reports a missing binary for vim.lsp.enable
      end
      local messages = {}
      local orig_notify = vim.notify
      vim.notify = function(msg, level)
        messages[#messages + 1] = { msg = msg, level = level }
      end
      require("scrubs").setup({ cmd = { DIR .. "/no-such-dir/scrubs", "lsp" } })
      local third = DIR .. "/third-draft.md"
      vim.fn.writefile(DRAFT, third)
      vim.cmd("edit " .. vim.fn.fnameescape(third))
      vim.notify = orig_notify
      local found = false
      for _, m in ipairs(messages) do
        out("  notified: %s", m.msg)
        found = found or (m.level == vim.log.levels.ERROR and m.msg:find("cargo install --path .", 1, true) ~= nil)
      end
      assert(found, "no error message with the install command")
    end,
  },
})

out("%d passed, %d failed, %d skipped", passed, failed, skipped)
for _, client in ipairs(vim.lsp.get_clients()) do
  client:stop()
end
vim.wait(2000, function()
  return #vim.lsp.get_clients() == 0
end, 50)
if failed > 0 or passed == 0 then
  vim.cmd("cquit 1")
else
  vim.cmd("qall!")
end
