//! Zed extension for scrubs: Zed only starts language servers that an extension declares, so this
//! declares `scrubs lsp` for Markdown and plain text and passes `lsp.scrubs` from Zed's settings.

use zed_extension_api::{self as zed, serde_json, settings::LspSettings, LanguageServerId, Result, Worktree};

const INSTALL_HINT: &str = "scrubs is not on your PATH. Install it with `cargo install --path .` in a clone of \
     the scrubs repository (or download the release binary), or set `lsp.scrubs.binary.path` in Zed's settings.";

struct Scrubs;

impl zed::Extension for Scrubs {
    fn new() -> Self {
        Scrubs
    }

    /// `lsp.scrubs.binary.path` (and `.arguments`, `.env`) from the settings, else `scrubs` on PATH.
    fn language_server_command(&mut self, id: &LanguageServerId, worktree: &Worktree) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(id.as_ref(), worktree).ok().and_then(|s| s.binary);
        let (path, arguments, env) = match binary {
            Some(b) => (b.path, b.arguments, b.env),
            None => (None, None, None),
        };
        let command = match path {
            Some(p) => p,
            None => worktree.which("scrubs").ok_or_else(|| INSTALL_HINT.to_string())?,
        };
        Ok(zed::Command {
            command,
            args: arguments.unwrap_or_else(|| vec!["lsp".into()]),
            env: env.map(|e| e.into_iter().collect()).unwrap_or_default(),
        })
    }

    /// `lsp.scrubs.initialization_options` if set, else `lsp.scrubs.settings`: the scrubs settings object.
    fn language_server_initialization_options(
        &mut self,
        id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<serde_json::Value>> {
        let s = LspSettings::for_worktree(id.as_ref(), worktree)?;
        Ok(s.initialization_options.or(s.settings))
    }

    /// `{"scrubs": lsp.scrubs.settings}`: Zed answers workspace/configuration for the section
    /// "scrubs" from it, and sends it in workspace/didChangeConfiguration when the settings change.
    fn language_server_workspace_configuration(
        &mut self,
        id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<serde_json::Value>> {
        let s = LspSettings::for_worktree(id.as_ref(), worktree)?;
        Ok(s.settings.map(|v| serde_json::json!({ "scrubs": v })))
    }
}

zed::register_extension!(Scrubs);
