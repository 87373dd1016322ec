--- scrubs for Neovim: starts `scrubs lsp` for Markdown and plain-text buffers.
---
--- Two ways to use it (see :help scrubs):
---   require("scrubs").setup({ cmd = { "scrubs", "lsp" }, settings = { institution = "mayo" } })
--- or, on Neovim 0.11+, with this folder on 'runtimepath':
---   vim.lsp.config("scrubs", { settings = { scrubs = { institution = "mayo" } } })
---   vim.lsp.enable("scrubs")
---
--- The server does all the work: diagnostics, hover, and quick fixes as plain workspace edits, so the
--- built-in vim.lsp.buf.code_action() applies them. This module only starts it and adds a command.
local M = {}

--- The code-action kind of the server's "fix everything in this file" action.
M.FIX_ALL_KIND = "source.fixAll.scrubs"

M.defaults = {
  --- The command that starts the server.
  cmd = { "scrubs", "lsp" },
  --- Filetypes to check.
  filetypes = { "markdown", "text" },
  --- Files that mark a project's root (the first one found upward from the buffer's file).
  root_markers = { "scrubs.toml", ".git" },
  --- The scrubs settings object: institution, role, rules, disclaimer = { text, placement }.
  settings = {},
}

--- A copy of a settings table fit for JSON: empty tables dropped (Lua cannot tell an empty object from
--- an empty list, and vim.json encodes {} as []), an empty result as {}.
---@param t table?
---@return table
function M.clean_settings(t)
  local out = {}
  for k, v in pairs(t or {}) do
    if type(v) == "table" and not (vim.islist or vim.tbl_islist)(v) then
      v = M.clean_settings(v)
    end
    if type(v) ~= "table" or next(v) ~= nil then
      out[k] = v
    end
  end
  return next(out) ~= nil and out or vim.empty_dict()
end

--- The configuration shared by setup() and lsp/scrubs.lua, as a vim.lsp.Config.
--- `settings` is the scrubs settings object (not wrapped in { scrubs = ... }).
---@param opts? { cmd?: string[], filetypes?: string[], root_markers?: string[], settings?: table }
---@return vim.lsp.Config
function M.config(opts)
  opts = vim.tbl_deep_extend("force", {}, M.defaults, opts or {})
  return {
    name = "scrubs",
    cmd = opts.cmd,
    filetypes = opts.filetypes,
    root_markers = opts.root_markers,
    -- Answers workspace/configuration for the section "scrubs", and is sent in
    -- workspace/didChangeConfiguration as { settings = { scrubs = ... } }.
    settings = { scrubs = M.clean_settings(opts.settings) },
    -- The same object goes in initializationOptions, read from the final config so that
    -- vim.lsp.config("scrubs", { settings = ... }) overrides reach it too.
    before_init = function(params, config)
      params.initializationOptions = M.clean_settings((config.settings or {}).scrubs)
    end,
  }
end

local function command_name(cmd)
  return type(cmd) == "table" and cmd[1] or nil
end

local augroup = vim.api.nvim_create_augroup("scrubs", { clear = true })
local warned = false

--- Starts (or attaches) the server for one buffer.
---@param bufnr integer
---@param config vim.lsp.Config
local function start(bufnr, config)
  if vim.bo[bufnr].buftype ~= "" then
    return
  end
  local exe = command_name(config.cmd)
  if exe and vim.fn.executable(exe) ~= 1 then
    if not warned then
      warned = true
      vim.notify(
        ("scrubs: %q is not executable. Install it with :MasonInstall scrubs, or with `cargo install --path .` "
          .. "in a clone of the scrubs repository (or download the release binary) and set cmd in "
          .. "require('scrubs').setup(). :checkhealth scrubs tells what is missing."):format(exe),
        vim.log.levels.ERROR
      )
    end
    return
  end
  local fname = vim.api.nvim_buf_get_name(bufnr)
  local root
  if fname ~= "" then
    root = vim.fs.root(bufnr, config.root_markers) or vim.fs.dirname(fname)
  end
  local client_config = vim.tbl_extend("force", {}, config, { root_dir = root })
  client_config.root_markers = nil
  client_config.filetypes = nil
  vim.lsp.start(client_config, { bufnr = bufnr })
end

--- Defines :ScrubsFixAll (plugin/scrubs.lua does at startup; setup() again, for plugin managers that put
--- this folder on 'runtimepath' after startup).
function M.create_commands()
  vim.api.nvim_create_user_command("ScrubsFixAll", function()
    M.fix_all()
  end, { desc = "scrubs: apply every fix the server offers for this buffer", force = true })
end

--- Starts the server for the configured filetypes, now and for every buffer opened later.
---@param opts? { cmd?: string[], filetypes?: string[], root_markers?: string[], settings?: table }
function M.setup(opts)
  M.create_commands()
  local config = M.config(opts)
  M._config = config
  vim.api.nvim_clear_autocmds({ group = augroup })
  vim.api.nvim_create_autocmd("FileType", {
    group = augroup,
    pattern = config.filetypes,
    callback = function(args)
      start(args.buf, config)
    end,
    desc = "Start the scrubs language server",
  })
  -- Buffers already open when setup() runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      start(bufnr, config)
    end
  end
end

--- The scrubs clients attached to a buffer.
---@param bufnr? integer
---@return vim.lsp.Client[]
function M.clients(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr or 0, name = "scrubs" })
end

--- Applies every fix the server offers for the current buffer (the source.fixAll.scrubs action).
function M.fix_all()
  vim.lsp.buf.code_action({
    context = { only = { M.FIX_ALL_KIND }, diagnostics = {} },
    apply = true,
    range = { start = { 1, 0 }, ["end"] = { vim.api.nvim_buf_line_count(0), 0 } },
    filter = function(action)
      return action.kind ~= nil and vim.startswith(action.kind, "source.fixAll")
    end,
  })
end

--- Replaces the settings of the running servers and tells them (workspace/didChangeConfiguration).
---@param settings table the scrubs settings object
function M.update_settings(settings)
  for _, client in ipairs(vim.lsp.get_clients({ name = "scrubs" })) do
    client.settings = vim.tbl_extend("force", client.settings or {}, { scrubs = M.clean_settings(settings) })
    client:notify("workspace/didChangeConfiguration", { settings = { scrubs = client.settings.scrubs } })
  end
end

return M
