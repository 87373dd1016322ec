// The first-run question: whose social-media policy applies? Asked once, when a draft is opened and
// no institution is configured anywhere (no scrubs.institution at any scope, no scrubs.toml in the
// workspace folder). The answer is an ordinary setting (or a scrubs.toml), so it can be changed later
// like any other; "scrubs: Choose your institution's policy" asks again on demand.

import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";

const SECTION = "scrubs";
/** globalState key: the question was answered or dismissed, so it is not asked again on its own. */
export const FIRST_RUN_KEY = "scrubs.firstRun.asked";
/** The server's own pack for "no particular employer" (src/packs/generic.toml): HIPAA privacy, a generic disclaimer. */
export const GENERIC = "generic";

/** Display names of the built-in packs (the `name` in src/packs/<id>.toml). */
const NAMES: Record<string, string> = {
  mayo: "Mayo Clinic",
  mgh: "Mass General",
  msk: "Memorial Sloan Kettering",
  umn: "University of Minnesota",
};

type Answer =
  | { kind: "institution"; id: string }
  | { kind: "toml" };

interface AnswerItem extends vscode.QuickPickItem {
  answer: Answer;
}

/** The institution ids the settings accept, from package.json's enum (the packs), without "generic". */
export function packIds(context: vscode.ExtensionContext): string[] {
  const props = context.extension?.packageJSON?.contributes?.configuration?.properties ?? {};
  const anyOf: Array<{ enum?: string[] }> = props["scrubs.institution"]?.anyOf ?? [];
  const ids = anyOf.find((a) => Array.isArray(a.enum))?.enum ?? Object.keys(NAMES);
  return ids.filter((id) => id !== GENERIC);
}

/** The workspace folder of the active draft, else the first one. */
function currentFolder(): vscode.WorkspaceFolder | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return (doc && vscode.workspace.getWorkspaceFolder(doc.uri)) ?? vscode.workspace.workspaceFolders?.[0];
}

/** True when an institution is set: scrubs.institution at any scope, or a scrubs.toml in the folder. */
export function institutionConfigured(folder: vscode.WorkspaceFolder | undefined): boolean {
  const inspected = vscode.workspace.getConfiguration(SECTION, folder?.uri).inspect("institution");
  const set = (v: unknown) => v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);
  if (
    inspected &&
    [inspected.globalValue, inspected.workspaceValue, inspected.workspaceFolderValue,
      inspected.globalLanguageValue, inspected.workspaceLanguageValue, inspected.workspaceFolderLanguageValue].some(set)
  ) {
    return true;
  }
  return !!folder && folder.uri.scheme === "file" && fs.existsSync(path.join(folder.uri.fsPath, "scrubs.toml"));
}

function institutionItems(context: vscode.ExtensionContext): AnswerItem[] {
  const items: AnswerItem[] = packIds(context).map((id) => ({
    label: NAMES[id] ?? id,
    description: id,
    detail: `Check drafts against ${NAMES[id] ?? id}'s social-media policy.`,
    answer: { kind: "institution", id },
  }));
  items.push({
    label: "Generic (no institution)",
    description: GENERIC,
    detail: "My employer is not listed: check patient privacy (HIPAA) and use a generic disclaimer.",
    answer: { kind: "institution", id: GENERIC },
  });
  return items;
}

/** The minimal scrubs.toml (see the README's configuration section and src/config.rs). */
export function scrubsToml(institution: string): string {
  return [
    "# scrubs: the social-media policy the drafts in this folder are checked against.",
    "# Everyone who opens this folder gets these settings; a writer's own editor settings win over them.",
    "# Every key: https://github.com/scrubs-health/scrubs#configuration",
    "",
    `institution = "${institution}"          # mayo | mgh | msk | umn | generic, or a list: ["mayo", "umn"]`,
    '# role = "nurse"                # "physician" turns on the not-medical-advice notice',
    "",
    "# [rules]",
    '# professionalism = "off"       # per rule or category: error | warning | information | hint | off',
    "",
  ].join("\n");
}

async function pick<T extends vscode.QuickPickItem>(items: T[], title: string, placeHolder: string): Promise<T | undefined> {
  // ignoreFocusOut: a notification or a click elsewhere must not count as "dismissed".
  return vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true, matchOnDescription: true });
}

/**
 * Asks which policy applies and saves the answer. Returns a line for the output channel.
 * `firstRun`: asked on its own (then remembered, answered or not); otherwise run as a command.
 */
export async function chooseInstitution(context: vscode.ExtensionContext, firstRun: boolean): Promise<string> {
  const folder = currentFolder();
  const items = institutionItems(context);
  if (folder && folder.uri.scheme === "file") {
    items.push({
      label: "A scrubs.toml in this folder",
      description: "scrubs.toml",
      detail: `Write the choice into ${path.join(folder.name, "scrubs.toml")}, shared with everyone who opens the folder.`,
      answer: { kind: "toml" },
    });
  }
  const title = "scrubs: whose social-media policy applies to your posts?";
  // Remembered as soon as it is shown: answered, dismissed, or left open when the window closes, it
  // is not asked again on its own. (Saved now rather than after the answer so that the state has
  // reached storage by the time the window reloads.)
  const remembered = firstRun ? context.globalState.update(FIRST_RUN_KEY, true) : Promise.resolve();
  const chosen = await pick(items, title, "Your employer (type to filter)");
  await remembered;
  if (!chosen) {
    return firstRun
      ? 'First-run question dismissed; not asked again (run "scrubs: Choose your institution\'s policy" to answer it).'
      : "Choose your institution's policy: cancelled.";
  }

  if (chosen.answer.kind === "toml") {
    const inToml = await pick(institutionItems(context), "scrubs: which policy goes in scrubs.toml?", "Your employer");
    if (!inToml || inToml.answer.kind !== "institution") {
      return "scrubs.toml not written (no policy chosen).";
    }
    const file = path.join(folder!.uri.fsPath, "scrubs.toml");
    let note: string;
    if (fs.existsSync(file)) {
      note = `${file} exists already; opened it, unchanged.`;
    } else {
      fs.writeFileSync(file, scrubsToml(inToml.answer.id));
      note = `Wrote ${file} (institution = "${inToml.answer.id}").`;
    }
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc, { preview: false });
    return note;
  }

  const id = chosen.answer.id;
  const scopes: Array<vscode.QuickPickItem & { target: vscode.ConfigurationTarget }> = [
    {
      label: "User settings",
      detail: "For every folder you open in this editor.",
      target: vscode.ConfigurationTarget.Global,
    },
  ];
  if (vscode.workspace.workspaceFolders?.length) {
    scopes.push({
      label: "This workspace",
      detail: "Only for the folder open now (saved in its .vscode/settings.json).",
      target: vscode.ConfigurationTarget.Workspace,
    });
  }
  const scope =
    scopes.length === 1 ? scopes[0] : await pick(scopes, `scrubs: where should "${chosen.label}" be saved?`, "Save the choice in");
  if (!scope) {
    return `Policy not saved (no place chosen for "${id}").`;
  }
  await vscode.workspace.getConfiguration(SECTION).update("institution", id, scope.target);
  return `scrubs.institution = "${id}" saved in ${scope.label.toLowerCase()}.`;
}

/** Asks the first-run question if it is due: never asked, and no institution configured. */
export async function maybeAskFirstRun(context: vscode.ExtensionContext, log: (line: string) => void): Promise<void> {
  if (context.globalState.get<boolean>(FIRST_RUN_KEY)) {
    return;
  }
  if (institutionConfigured(currentFolder())) {
    return;
  }
  log(await chooseInstitution(context, true));
}
