--- :checkhealth scrubs
---
--- Reports, for the buffer you were in when you ran it (or the current folder):
---   - how the plugin is set up (require("scrubs").setup() or vim.lsp.enable("scrubs"));
---   - the scrubs binary it starts (from the plugin's `cmd`, or found on PATH) and `scrubs --version`;
---   - the server starting and answering: a separate server is started, sent `initialize`, a probe
---     document and `shutdown`, each with a timeout; what it shows the user (window/showMessage) is
---     reported too;
---   - the institution in effect and where it comes from (the plugin's settings, a scrubs.toml, or none);
---   - any configuration error, as `scrubs check` reports it for that scrubs.toml and institution.
---
--- The timeout for each step is vim.g.scrubs_health_timeout_ms (default 10000).
local M = {}

local health = vim.health
local INSTALL_ADVICE = {
  "With Mason: :MasonInstall scrubs",
  "Or from a clone of the scrubs repository: cargo install --path .",
  'Or give its full path: require("scrubs").setup({ cmd = { "/path/to/scrubs", "lsp" } })',
}

local function timeout_ms()
  return tonumber(vim.g.scrubs_health_timeout_ms) or 10000
end

--- The configuration the editor uses, and how it was given.
---@return table config, string? how
local function resolve_config()
  local scrubs = require("scrubs")
  if scrubs._config then
    return scrubs._config, 'require("scrubs").setup()'
  end
  local enabled = false
  if vim.lsp.is_enabled then
    enabled = vim.lsp.is_enabled("scrubs")
  elseif type(vim.lsp._enabled_configs) == "table" then
    enabled = vim.lsp._enabled_configs.scrubs ~= nil
  end
  if enabled then
    local ok, config = pcall(function()
      return vim.lsp.config.scrubs
    end)
    if ok and type(config) == "table" then
      return config, 'vim.lsp.enable("scrubs")'
    end
  end
  return scrubs.config(), nil
end

--- The buffer the user was in before :checkhealth opened its own (in a new tab, a split or a float).
---@return integer? bufnr
local function user_buffer()
  local current = vim.api.nvim_get_current_buf()
  local candidates = {}
  local prevwin = vim.fn.winnr("#")
  if prevwin > 0 then
    candidates[#candidates + 1] = vim.api.nvim_win_get_buf(vim.fn.win_getid(prevwin))
  end
  local prevtab = vim.fn.tabpagenr("#")
  if prevtab > 0 then
    local tab = vim.api.nvim_list_tabpages()[prevtab]
    if tab then
      candidates[#candidates + 1] = vim.api.nvim_win_get_buf(vim.api.nvim_tabpage_get_win(tab))
    end
  end
  local alt = vim.fn.bufnr("#")
  if alt > 0 then
    candidates[#candidates + 1] = alt
  end
  for _, b in ipairs(candidates) do
    if
      b ~= current
      and vim.api.nvim_buf_is_valid(b)
      and vim.bo[b].buftype == ""
      and vim.api.nvim_buf_get_name(b) ~= ""
    then
      return b
    end
  end
end

--- The institution ids of a settings value ("mayo" or { "mayo", "umn" }).
---@return string[]
local function ids(value)
  if type(value) == "string" then
    return { value }
  elseif type(value) == "table" then
    return vim.tbl_filter(function(v)
      return type(v) == "string"
    end, value)
  end
  return {}
end

--- The top-level `institution = ...` of a scrubs.toml: a string or an array of strings (one line or
--- several). Only read for the report; `scrubs check` is what validates the file.
---@param path string
---@return string[]? ids nil when the file sets none
function M.read_institution(path)
  local ok, lines = pcall(vim.fn.readfile, path)
  if not ok then
    return nil
  end
  local value
  for _, line in ipairs(lines) do
    if value then
      value = value .. " " .. line
      if line:find("]", 1, true) then
        break
      end
    else
      if line:match("^%s*%[") then
        break -- the first table: top-level keys end here
      end
      local v = line:match("^%s*institution%s*=%s*(.*)$")
      if v then
        value = v
        if not v:match("^%[") or v:find("]", 1, true) then
          break
        end
      end
    end
  end
  if not value then
    return nil
  end
  local out = {}
  for q, id in value:gmatch("([\"'])(.-)%1") do
    out[#out + 1] = id
  end
  return out
end

--- `scrubs check` on an empty draft with this configuration: exit 0 when the config and institution
--- are valid, 2 with one "scrubs: error: ..." line per problem.
---@return { ok: boolean, errors: string[], command: string }
local function validate(exe, config_file, institutions, cwd, dir)
  local args = {
    exe,
    "check",
    "--no-judgement",
    "--color",
    "never",
    "--stdin-filename",
    dir .. "/scrubs-checkhealth.md",
  }
  if config_file then
    vim.list_extend(args, { "--config", config_file })
  end
  for _, id in ipairs(institutions) do
    vim.list_extend(args, { "--institution", id })
  end
  args[#args + 1] = "-"
  local ok, res = pcall(function()
    return vim.system(args, { cwd = cwd, stdin = "", text = true }):wait(timeout_ms())
  end)
  local command = table.concat(args, " ")
  if not ok then
    return { ok = false, errors = { "could not run `" .. command .. "`: " .. tostring(res) }, command = command }
  end
  local errors = {}
  for line in ((res.stderr or "") .. "\n"):gmatch("(.-)\n") do
    local e = line:match("^scrubs: error: (.*)$")
    if e then
      errors[#errors + 1] = e
    elseif #errors > 0 and line ~= "" and not line:match("^scrubs: ") then
      errors[#errors] = errors[#errors] .. " " .. vim.trim(line) -- a message on several lines
    end
  end
  if res.code ~= 0 and res.code ~= 1 and #errors == 0 then
    errors[1] = ("`%s` exited with status %s: %s"):format(command, tostring(res.code), vim.trim(res.stderr or ""))
  end
  return { ok = res.code ~= 2 and #errors == 0, errors = errors, command = command }
end

--- Starts the server, sends initialize, opens a probe document, waits for its diagnostics, shuts down.
---@return table report
local function probe_server(cmd, root, dir, settings)
  local timeout = timeout_ms()
  local r = { messages = {} }
  local probe_uri = vim.uri_from_fname(dir .. "/scrubs-checkhealth-probe.md")
  local state = {}
  local dispatchers = {
    notification = function(method, params)
      if method == "window/showMessage" and type(params) == "table" then
        table.insert(r.messages, { type = params.type, message = params.message })
      elseif method == "textDocument/publishDiagnostics" and type(params) == "table" and params.uri == probe_uri then
        state.diagnostics = params.diagnostics or {}
      end
    end,
    server_request = function(method, params)
      if method == "workspace/configuration" then
        local out = {}
        for i, item in ipairs((params or {}).items or {}) do
          out[i] = item.section == "scrubs" and settings or vim.NIL
        end
        return out
      end
      return vim.NIL
    end,
    on_exit = function(code, signal)
      state.exited = { code = code, signal = signal }
    end,
  }
  local ok, rpc = pcall(vim.lsp.rpc.start, cmd, dispatchers, { cwd = root or dir })
  if not ok then
    r.start_error = tostring(rpc)
    return r
  end
  local workspace = root and { { uri = vim.uri_from_fname(root), name = vim.fs.basename(root) } } or vim.NIL
  local t0 = vim.uv.hrtime()
  rpc.request("initialize", {
    processId = vim.fn.getpid(),
    clientInfo = { name = "scrubs :checkhealth" },
    rootUri = root and vim.uri_from_fname(root) or vim.NIL,
    workspaceFolders = workspace,
    initializationOptions = settings,
    capabilities = {
      workspace = { configuration = true, workspaceFolders = true },
      window = { showMessage = vim.empty_dict() },
      textDocument = { publishDiagnostics = vim.empty_dict() },
    },
  }, function(err, result)
    state.init = { err = err, result = result }
  end)
  vim.wait(timeout, function()
    return state.init ~= nil or state.exited ~= nil
  end, 10)
  r.init_ms = (vim.uv.hrtime() - t0) / 1e6
  if not state.init then
    r.init_error = state.exited
        and ("the server exited (code %s, signal %s) before it answered initialize"):format(
          tostring(state.exited.code),
          tostring(state.exited.signal)
        )
      or ("no answer to initialize in %d ms"):format(timeout)
  elseif state.init.err then
    r.init_error = "initialize failed: " .. vim.inspect(state.init.err)
  else
    r.server_info = (state.init.result or {}).serverInfo or {}
    rpc.notify("initialized", vim.empty_dict())
    rpc.notify("textDocument/didOpen", {
      textDocument = {
        uri = probe_uri,
        languageId = "markdown",
        version = 1,
        text = "A probe from :checkhealth scrubs.\n",
      },
    })
    local t1 = vim.uv.hrtime()
    vim.wait(timeout, function()
      return state.diagnostics ~= nil or state.exited ~= nil
    end, 10)
    r.check_ms = (vim.uv.hrtime() - t1) / 1e6
    r.diagnostics = state.diagnostics
    -- Whatever the server still shows after its first publish (errors found in `initialized`).
    vim.wait(100, function()
      return state.exited ~= nil
    end, 10)
    rpc.notify("textDocument/didClose", { textDocument = { uri = probe_uri } })
    local done = false
    rpc.request("shutdown", vim.NIL, function()
      done = true
    end)
    vim.wait(timeout, function()
      return done or state.exited ~= nil
    end, 10)
    r.shutdown = done
    if not state.exited then
      rpc.notify("exit", vim.NIL)
    end
  end
  vim.wait(2000, function()
    return state.exited ~= nil
  end, 10)
  if not state.exited then
    rpc.terminate()
  end
  r.exited = state.exited
  return r
end

function M.check()
  local scrubs = require("scrubs")
  local bufnr = user_buffer()
  local fname = bufnr and vim.api.nvim_buf_get_name(bufnr) or nil
  local dir = fname and vim.fs.dirname(fname) or assert(vim.uv.cwd())
  if vim.fn.isdirectory(dir) ~= 1 then
    dir = assert(vim.uv.cwd())
  end

  -- Setup ---------------------------------------------------------------------------------------
  health.start("scrubs: setup")
  if vim.fn.has("nvim-0.10") ~= 1 then
    health.error("Neovim 0.10 or newer is needed (this is " .. tostring(vim.version()) .. ")")
  end
  local config, how = resolve_config()
  if how then
    health.ok("set up with " .. how)
  else
    health.warn("the plugin is loaded but not set up: the server starts for no buffer", {
      'Call require("scrubs").setup({ settings = { institution = "..." } }) in your init.lua,',
      'or, on Neovim 0.11+, vim.lsp.enable("scrubs") (see :help scrubs-setup).',
      "The checks below use the defaults.",
    })
  end
  health.info("checked for " .. (fname and ("the buffer " .. fname) or ("the folder " .. dir)))
  local running = vim.lsp.get_clients({ name = "scrubs" })
  for _, client in ipairs(running) do
    health.info(("running: client %d, root %s"):format(client.id, client.root_dir or "(none)"))
  end

  -- Binary --------------------------------------------------------------------------------------
  health.start("scrubs: binary")
  local cmd = config.cmd
  local exe
  if type(cmd) ~= "table" or type(cmd[1]) ~= "string" then
    health.warn("cmd is not a list of strings (" .. type(cmd) .. "): the binary cannot be checked")
  else
    local name = cmd[1]
    local path = vim.fn.exepath(name)
    if path == "" then
      health.error(("%q is not executable: scrubs is not installed, or not where cmd says"):format(name), INSTALL_ADVICE)
    else
      exe = path
      local from
      if name:find("[/\\]") then
        from = "from the plugin's config (cmd)"
      else
        from = "found on PATH"
        local mason = vim.fs.normalize(vim.fn.stdpath("data") .. "/mason/")
        if vim.startswith(vim.fs.normalize(path), mason) then
          from = from .. " (installed by Mason)"
        end
      end
      health.ok(("binary: %s, %s"):format(path, from))
      local ok, res = pcall(function()
        return vim.system({ path, "--version" }, { text = true }):wait(timeout_ms())
      end)
      local version = ok and res.code == 0 and vim.trim(res.stdout or "") or ""
      if version ~= "" then
        health.ok("version: " .. version:gsub("\n", "; "))
      else
        exe = nil
        health.error(
          ("`%s --version` failed: %s"):format(path, ok and vim.trim((res.stderr or "") .. " (exit " .. tostring(res.code) .. ")") or tostring(res)),
          INSTALL_ADVICE
        )
      end
    end
  end

  -- Where the editor's server runs, and its settings --------------------------------------------
  local markers = config.root_markers or scrubs.defaults.root_markers
  local root
  if type(config.root_dir) == "string" then
    root = config.root_dir
  else
    root = vim.fs.root(fname or dir, markers)
    if not root and how == 'require("scrubs").setup()' and fname then
      root = dir -- setup() falls back to the file's folder
    end
  end
  local settings = scrubs.clean_settings((config.settings or {}).scrubs)
  local config_file = vim.fs.find("scrubs.toml", { upward = true, path = dir, type = "file" })[1]
  local server_reads = root and vim.fs.normalize(root .. "/scrubs.toml") or nil
  local file_applies = config_file ~= nil and server_reads ~= nil and vim.fs.normalize(config_file) == server_reads

  -- Server --------------------------------------------------------------------------------------
  health.start("scrubs: server")
  local cli_errors = {}
  if not exe then
    health.error("the server cannot start: no working scrubs binary (see above)")
  else
    local server_cmd = vim.list_extend({ exe }, vim.list_slice(cmd, 2))
    health.info(("started `%s` in %s (workspace root: %s)"):format(table.concat(server_cmd, " "), root or dir, root or "none"))
    local r = probe_server(server_cmd, root, dir, settings)
    if r.start_error then
      health.error("the server did not start: " .. r.start_error)
    elseif r.init_error then
      health.error("the server did not answer: " .. r.init_error, {
        "Run it by hand to see what it prints: " .. table.concat(server_cmd, " "),
        "Neovim's LSP log: " .. vim.lsp.get_log_path(),
      })
    else
      health.ok(
        ("server answered initialize in %d ms: %s %s"):format(r.init_ms, r.server_info.name or "?", r.server_info.version or "")
      )
      if r.diagnostics then
        health.ok(("server checked a probe document in %d ms (%d findings)"):format(r.check_ms, #r.diagnostics))
      else
        health.error(("server sent no diagnostics for a probe document in %d ms"):format(timeout_ms()))
      end
      if not r.shutdown then
        health.warn("the server did not answer shutdown")
      end
    end
    r.messages = r.messages or {}
    M._server_messages = r.messages
  end

  -- Institution and configuration ---------------------------------------------------------------
  health.start("scrubs: institution and configuration")
  local plugin_ids = ids(settings.institution)
  local file_ids = config_file and M.read_institution(config_file) or nil
  local check
  if exe then
    check = validate(exe, file_applies and config_file or nil, plugin_ids, root or dir, file_applies and vim.fs.dirname(config_file) or dir)
    cli_errors = check.errors
  end
  local file_broken = check ~= nil and file_applies and vim.iter(check.errors):any(function(e)
    return vim.startswith(e, config_file)
  end)

  if config_file and not file_applies then
    health.warn(
      ("%s is not read by the server: it reads scrubs.toml at the workspace root only (%s)"):format(
        config_file,
        server_reads or "there is no workspace root"
      ),
      { "Move scrubs.toml to the project's root, or set root_markers / root_dir so that its folder is the root." }
    )
  elseif config_file then
    health.info("config file: " .. config_file)
  else
    health.info("no scrubs.toml in " .. dir .. " or above")
  end

  local unknown_institution = check ~= nil and vim.iter(check.errors):any(function(e)
    return vim.startswith(e, "institution:")
  end)
  if #plugin_ids > 0 then
    local where = how == 'vim.lsp.enable("scrubs")'
        and 'vim.lsp.config("scrubs", { settings = { scrubs = { institution = ... } } })'
      or 'require("scrubs").setup({ settings = { institution = ... } })'
    local line = ("institution: %s, from the plugin's settings (%s)"):format(table.concat(plugin_ids, ", "), where)
    if unknown_institution then
      health.error(line .. ", which scrubs does not know (see the config error below)")
    else
      health.ok(line)
    end
    if file_applies and file_ids and #file_ids > 0 and not vim.deep_equal(file_ids, plugin_ids) then
      health.info(("%s sets institution = %s; the plugin's setting wins over it"):format(config_file, table.concat(file_ids, ", ")))
    end
  elseif file_applies and file_broken then
    health.error(
      ("institution: none in effect: %s has errors (below), so the server uses the defaults"):format(config_file)
    )
  elseif file_applies and file_ids and #file_ids > 0 then
    local line = ("institution: %s, from %s"):format(table.concat(file_ids, ", "), config_file)
    if unknown_institution then
      health.error(line .. ", which scrubs does not know (see the config error below)")
    else
      health.ok(line)
    end
  else
    health.warn(
      "institution: none configured: scrubs infers it from the draft (\"As a nurse at Mayo Clinic\") or applies the generic pack",
      {
        'Set the policy that applies to you: require("scrubs").setup({ settings = { institution = "mayo" } })',
        'or institution = "mayo" in a scrubs.toml at the project root. Known: mayo, mgh, msk, umn (`scrubs policies`).',
      }
    )
  end

  if not check then
    health.warn("the configuration was not validated: no working scrubs binary")
  elseif check.ok then
    health.ok(
      ("configuration valid (`scrubs check` accepts %s)"):format(
        table.concat(
          vim.list_extend(
            file_applies and { config_file } or {},
            #plugin_ids > 0 and { "institution " .. table.concat(plugin_ids, ", ") } or {}
          ),
          " and "
        ):gsub("^$", "the defaults")
      )
    )
  else
    for _, e in ipairs(check.errors) do
      health.error("config error: " .. e, { "Fix it, then run :checkhealth scrubs again. `scrubs check` reports the same." })
    end
  end

  -- What the server itself showed, unless `scrubs check` said it already.
  for _, m in ipairs(M._server_messages or {}) do
    local said = vim.iter(cli_errors):any(function(e)
      return m.message:find(e, 1, true) ~= nil
    end)
    if not said then
      if m.type == 1 then
        health.error("the server reported: " .. m.message)
      elseif m.type == 2 then
        health.warn("the server reported: " .. m.message)
      else
        health.info("the server said: " .. m.message)
      end
    end
  end
  M._server_messages = nil
end

return M
