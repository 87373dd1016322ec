-- The :checkhealth scrubs cases, read by init-health.lua (how the plugin is set up) and health.lua (the
-- project's files, and what the report must say). {dir} in a string is the case's project folder.
--   float     true: the report opens in a floating window (vim.g.health = { style = "float" })
--   mode      "setup": require("scrubs").setup(); "enable": vim.lsp.config + vim.lsp.enable("scrubs")
--   binary    false: cmd names a path where there is no binary
--   settings  the scrubs settings given to the plugin
--   toml      the project's scrubs.toml ({dir}/scrubs.toml; the draft is {dir}/posts/draft.md)
--   ok, error, warning  texts that must each be on a line of that kind
--   no_error  no ERROR line at all;  not_ok  texts no OK line may have
return {
  ["file"] = {
    mode = "setup",
    settings = { role = "student" },
    toml = 'institution = "umn"\nrole = "student"\n\n[rules]\nprofessionalism = "off"\n',
    ok = {
      'set up with require("scrubs").setup()',
      "from the plugin's config (cmd)",
      "version: scrubs ",
      "server answered initialize in ",
      "server checked a probe document in ",
      "institution: umn, from {dir}/scrubs.toml",
      "configuration valid (`scrubs check` accepts {dir}/scrubs.toml)",
    },
    info = { "checked for the buffer {dir}/posts/draft.md" },
    no_error = true,
    no_warning = true,
  },
  ["none"] = {
    mode = "setup",
    float = true,
    settings = {},
    ok = { "version: scrubs ", "server answered initialize in ", "configuration valid (`scrubs check` accepts the defaults)" },
    info = { "checked for the buffer {dir}/posts/draft.md", "no scrubs.toml in {dir}/posts or above" },
    warning = { "institution: none configured" },
    no_error = true,
  },
  ["plugin"] = {
    mode = "enable",
    settings = { institution = "mayo", role = "nurse" },
    toml = 'institution = "umn"\n',
    ok = {
      'set up with vim.lsp.enable("scrubs")',
      "version: scrubs ",
      "server answered initialize in ",
      "institution: mayo, from the plugin's settings (vim.lsp.config(",
      "configuration valid (`scrubs check` accepts {dir}/scrubs.toml and institution mayo)",
    },
    info = { "{dir}/scrubs.toml sets institution = umn; the plugin's setting wins over it" },
    no_error = true,
    no_warning = true,
  },
  ["broken"] = {
    mode = "setup",
    settings = { role = "nurse" },
    toml = 'institution = "mayo"\n[rules]\n"work-email" = 3\n',
    ok = { "version: scrubs ", "server answered initialize in " },
    error = {
      "config error: {dir}/scrubs.toml:3:",
      "invalid type: integer `3`, expected a string",
      "institution: none in effect: {dir}/scrubs.toml has errors (below), so the server uses the defaults",
    },
    not_ok = { "configuration valid", "institution: " },
  },
  ["unknown-institution"] = {
    mode = "setup",
    settings = { institution = "stolaf" },
    ok = { "version: scrubs ", "server answered initialize in " },
    error = {
      "institution: stolaf, from the plugin's settings",
      "config error: institution: unknown institution `stolaf`",
    },
    not_ok = { "configuration valid", "institution: " },
  },
  ["missing"] = {
    mode = "setup",
    binary = false,
    settings = { institution = "mayo" },
    toml = 'institution = "mayo"\n',
    error = {
      '"{dir}/no-such-dir/scrubs" is not executable',
      "the server cannot start: no working scrubs binary",
    },
    warning = { "the configuration was not validated: no working scrubs binary" },
    not_ok = { "server answered", "version:", "configuration valid" },
  },
}
