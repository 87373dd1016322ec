// The scrubs extension: a thin client that starts `scrubs lsp` for Markdown and plain-text files.
// Everything scrubs knows (rules, policies, fixes) lives in the server; this file only finds the
// binary (setting, then bundled, then PATH), passes the settings, asks the first-run question
// (firstRun.ts), and adds a few conveniences (status bar, commands).

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import {
  CodeActionKind,
  CodeActionRequest,
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";
import { chooseInstitution, maybeAskFirstRun } from "./firstRun";

const SECTION = "scrubs";
const FIX_ALL_KIND = "source.fixAll.scrubs";
const INSTALL_HINT =
  "To get it: install the scrubs extension for your computer from the VS Code Marketplace or Open VSX " +
  '(it carries the server inside), or run "cargo install scrubs", or set scrubs.server.path to a scrubs binary.';
const INSTALL_COMMAND = "cargo install scrubs";

let client: LanguageClient | undefined;
let outputChannel: vscode.OutputChannel;
let statusItem: vscode.StatusBarItem;

/** The settings object the server reads (initializationOptions, didChangeConfiguration, workspace/configuration). */
export function serverSettings(scope?: vscode.ConfigurationScope): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const settings: Record<string, unknown> = {};
  const institution = config.get<string | string[] | null>("institution");
  if (institution !== undefined && institution !== null && institution !== "" && !(Array.isArray(institution) && institution.length === 0)) {
    settings.institution = institution;
  }
  const role = config.get<string | null>("role");
  if (role) {
    settings.role = role;
  }
  const rules = config.get<Record<string, string>>("rules");
  if (rules && Object.keys(rules).length > 0) {
    settings.rules = rules;
  }
  const disclaimer: Record<string, string> = {};
  const text = config.get<string | null>("disclaimer.text");
  if (text) {
    disclaimer.text = text;
  }
  const placement = config.get<string | null>("disclaimer.placement");
  if (placement) {
    disclaimer.placement = placement;
  }
  if (Object.keys(disclaimer).length > 0) {
    settings.disclaimer = disclaimer;
  }
  return settings;
}

function isExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform === "win32") {
      return true;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function expandPath(p: string): string {
  let out = p.trim();
  if (out === "~" || out.startsWith("~/")) {
    out = path.join(os.homedir(), out.slice(1));
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder) {
    out = out.replace(/\$\{workspaceFolder\}/g, folder);
  }
  if (!path.isAbsolute(out) && folder) {
    out = path.join(folder, out);
  }
  return out;
}

function findOnPath(name: string): string | undefined {
  const exts = process.platform === "win32" ? (process.env.PATHEXT ?? ".EXE").split(";") : [""];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

type Resolved = { path: string; from: string } | { error: string };

/** The setting, then the binary bundled in the extension (server/scrubs), then PATH. */
export function resolveServer(context: vscode.ExtensionContext): Resolved {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string | null>("server.path");
  if (configured) {
    const p = expandPath(configured);
    if (isExecutable(p)) {
      return { path: p, from: "set in scrubs.server.path" };
    }
    return { error: `scrubs.server.path is set to "${configured}", but there is no executable there.` };
  }
  const exe = process.platform === "win32" ? "scrubs.exe" : "scrubs";
  const bundled = context.asAbsolutePath(path.join("server", exe));
  if (process.platform !== "win32" && fs.existsSync(bundled) && !isExecutable(bundled)) {
    // An unpacker that dropped the executable bit: put it back (the file is ours).
    try {
      fs.chmodSync(bundled, 0o755);
    } catch {
      // Reported below as "not bundled" if it still cannot run.
    }
  }
  if (isExecutable(bundled)) {
    return { path: bundled, from: "bundled with this extension" };
  }
  const onPath = findOnPath("scrubs");
  if (onPath) {
    return { path: onPath, from: "found on PATH" };
  }
  return { error: "scrubs could not find its language server (scrubs.server.path is not set, none is bundled with this extension, and there is no scrubs on your PATH)." };
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const resolved = resolveServer(context);
  if ("error" in resolved) {
    outputChannel.appendLine(`${resolved.error} ${INSTALL_HINT}`);
    updateStatus();
    const openSetting = "Open the scrubs.server.path setting";
    const copy = `Copy "${INSTALL_COMMAND}"`;
    const choice = await vscode.window.showErrorMessage(`${resolved.error} ${INSTALL_HINT}`, openSetting, copy);
    if (choice === openSetting) {
      await vscode.commands.executeCommand("workbench.action.openSettings", "scrubs.server.path");
    } else if (choice === copy) {
      await vscode.env.clipboard.writeText(INSTALL_COMMAND);
    }
    return;
  }
  outputChannel.appendLine(`Starting ${resolved.path} lsp (the server ${resolved.from}).`);

  const serverOptions: ServerOptions = {
    command: resolved.path,
    // No `transport`: TransportKind.stdio would append `--stdio`, which `scrubs lsp` does not take.
    // Without it the client talks over the process's stdin/stdout all the same.
    args: ["lsp"],
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "untitled", language: "markdown" },
      { scheme: "file", language: "plaintext" },
      { scheme: "untitled", language: "plaintext" },
    ],
    initializationOptions: () => serverSettings(),
    outputChannel,
    traceOutputChannel: outputChannel,
    middleware: {
      workspace: {
        // workspace/configuration: answer the "scrubs" section with the same object as above.
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, i) => {
            if (item.section === SECTION) {
              const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
              return serverSettings(scope);
            }
            return answers[i];
          });
        },
      },
    },
  };

  client = new LanguageClient("scrubs", "scrubs", serverOptions, clientOptions);
  client.onDidChangeState(() => updateStatus());
  try {
    await client.start();
  } catch (err) {
    outputChannel.appendLine(`The language server failed to start: ${err}`);
    void vscode.window.showErrorMessage(`scrubs: the language server failed to start (${err}). ${INSTALL_HINT}`);
  }
  updateStatus();
}

async function stopClient(): Promise<void> {
  const old = client;
  client = undefined;
  if (old) {
    try {
      await old.stop();
    } catch (err) {
      outputChannel.appendLine(`Stopping the language server: ${err}`);
    }
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stopClient();
  await startClient(context);
}

function isDraft(doc: vscode.TextDocument | undefined): boolean {
  return !!doc && (doc.languageId === "markdown" || doc.languageId === "plaintext");
}

function updateStatus(): void {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isDraft(editor.document)) {
    statusItem.hide();
    return;
  }
  if (!client || client.state !== State.Running) {
    statusItem.text = "$(circle-slash) scrubs";
    statusItem.tooltip = "The scrubs language server is not running. Click to see its output.";
    statusItem.command = "scrubs.showOutput";
    statusItem.show();
    return;
  }
  const findings = vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.source === "scrubs");
  const n = findings.length;
  if (n === 0) {
    statusItem.text = "$(check) scrubs";
    statusItem.tooltip = "scrubs: no findings in this file";
  } else {
    const errors = findings.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
    statusItem.text = `${errors > 0 ? "$(error)" : "$(warning)"} scrubs: ${n}`;
    statusItem.tooltip = `scrubs: ${n} finding${n === 1 ? "" : "s"} in this file. Click to open the Problems panel.`;
  }
  statusItem.command = "workbench.actions.view.problems";
  statusItem.show();
}

async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isDraft(editor.document)) {
    void vscode.window.showInformationMessage("scrubs: open a Markdown or plain-text draft first.");
    return;
  }
  if (!client || client.state !== State.Running) {
    void vscode.window.showErrorMessage("scrubs: the language server is not running.");
    return;
  }
  const doc = editor.document;
  const fullRange = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
  const diagnostics = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === "scrubs");
  const result = await client.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: client.code2ProtocolConverter.asUri(doc.uri) },
    range: client.code2ProtocolConverter.asRange(fullRange),
    context: {
      diagnostics: client.code2ProtocolConverter.asDiagnosticsSync(diagnostics),
      only: [FIX_ALL_KIND],
    },
  });
  let applied = 0;
  for (const item of result ?? []) {
    if (!("edit" in item) || !item.edit) {
      continue;
    }
    if (item.kind && !(item.kind === CodeActionKind.SourceFixAll || item.kind.startsWith(`${CodeActionKind.SourceFixAll}.`))) {
      continue;
    }
    const edit = await client.protocol2CodeConverter.asWorkspaceEdit(item.edit);
    if (await vscode.workspace.applyEdit(edit)) {
      applied++;
    }
  }
  if (applied === 0) {
    void vscode.window.showInformationMessage("scrubs: nothing to fix automatically in this file.");
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel("scrubs");
  statusItem = vscode.window.createStatusBarItem("scrubs.findings", vscode.StatusBarAlignment.Right, 100);
  statusItem.name = "scrubs findings";
  context.subscriptions.push(outputChannel, statusItem);

  context.subscriptions.push(
    vscode.commands.registerCommand("scrubs.restartServer", () => restart(context)),
    vscode.commands.registerCommand("scrubs.showOutput", () => outputChannel.show(true)),
    vscode.commands.registerCommand("scrubs.fixAll", fixAll),
    vscode.commands.registerCommand("scrubs.chooseInstitution", async () => {
      outputChannel.appendLine(await chooseInstitution(context, false));
    }),
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
    vscode.languages.onDidChangeDiagnostics(updateStatus),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration(SECTION)) {
        return;
      }
      if (e.affectsConfiguration(`${SECTION}.server.path`)) {
        await restart(context);
        return;
      }
      if (client && client.state === State.Running) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: serverSettings() },
        });
      }
    }),
  );

  // Not awaited: the server starts (and checks with what the draft says) while the question is open.
  void maybeAskFirstRun(context, (line) => outputChannel.appendLine(line)).catch((err) =>
    outputChannel.appendLine(`The first-run question failed: ${err}`),
  );
  await startClient(context);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
