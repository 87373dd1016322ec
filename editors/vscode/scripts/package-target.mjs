#!/usr/bin/env node
// Packages the extension into a .vsix.
//
//   node scripts/package-target.mjs <vsce-target> <path-to-scrubs-binary>
//   npm run package:target -- <vsce-target> <path-to-scrubs-binary>
//       copies the binary to server/scrubs (server/scrubs.exe for win32-*), makes it executable and
//       writes scrubs-<vsce-target>.vsix (an extension for that platform only, with its server inside).
//       This is what the release workflow runs, once per target, from editors/vscode.
//   node scripts/package-target.mjs            (npm run package)
//       writes scrubs.vsix for any platform, with whatever is in server/ (nothing: the extension then
//       uses scrubs.server.path or scrubs on PATH).
//
// Needs `npm ci` first (vsce and the build tools are dev dependencies). Prints the .vsix path.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const EXT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// The Marketplace shows README.md from the .vsix; its relative links and images are rewritten to these.
const REPO = "https://github.com/scrubs-health/scrubs";
const BASE_CONTENT = `${REPO}/blob/HEAD/editors/vscode`;
const BASE_IMAGES = `${REPO}/raw/HEAD/editors/vscode`;
// `vsce package --target` values, and the executable format each platform runs.
const TARGETS = {
  "win32-x64": "pe", "win32-arm64": "pe",
  "linux-x64": "elf", "linux-arm64": "elf", "linux-armhf": "elf",
  "alpine-x64": "elf", "alpine-arm64": "elf",
  "darwin-x64": "macho", "darwin-arm64": "macho",
};

function die(msg) {
  console.error(`package-target: ${msg}`);
  process.exit(1);
}

/** The executable format of a file, from its first bytes. */
function formatOf(file) {
  const fd = fs.openSync(file, "r");
  const b = Buffer.alloc(4);
  fs.readSync(fd, b, 0, 4, 0);
  fs.closeSync(fd);
  if (b[0] === 0x7f && b.toString("latin1", 1, 4) === "ELF") return "elf";
  if (b[0] === 0x4d && b[1] === 0x5a) return "pe";
  const magic = b.readUInt32BE(0);
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic)) return "macho";
  return "unknown";
}

const args = process.argv.slice(2);
if (args.length !== 0 && args.length !== 2) {
  die("usage: package-target.mjs [<vsce-target> <path-to-scrubs-binary>]");
}
const [target, binary] = args;
const vsceArgs = ["package", "--no-dependencies", "--baseContentUrl", BASE_CONTENT, "--baseImagesUrl", BASE_IMAGES];
let out;
if (target) {
  if (!(target in TARGETS)) die(`unknown target "${target}" (one of: ${Object.keys(TARGETS).join(", ")})`);
  const src = path.resolve(binary);
  if (!fs.existsSync(src) || !fs.statSync(src).isFile()) die(`no scrubs binary at ${src}`);
  const format = formatOf(src);
  const FORMAT = { elf: "an ELF (Linux) executable", pe: "a PE (Windows) executable", macho: "a Mach-O (macOS) executable", unknown: "not an executable" };
  if (format !== TARGETS[target]) die(`${src} is ${FORMAT[format]}, but ${target} needs ${FORMAT[TARGETS[target]]}`);
  // Only this target's server goes in (no binary left over from another target).
  const serverDir = path.join(EXT, "server");
  fs.rmSync(serverDir, { recursive: true, force: true });
  fs.mkdirSync(serverDir);
  const dest = path.join(serverDir, target.startsWith("win32-") ? "scrubs.exe" : "scrubs");
  fs.copyFileSync(src, dest);
  fs.chmodSync(dest, 0o755);
  out = `scrubs-${target}.vsix`;
  vsceArgs.push("--target", target);
} else {
  out = "scrubs.vsix";
}
vsceArgs.push("--out", out);

const vsce = path.join(EXT, "node_modules", ".bin", process.platform === "win32" ? "vsce.cmd" : "vsce");
if (!fs.existsSync(vsce)) die(`${vsce} is missing: run \`npm ci\` in editors/vscode first`);
fs.rmSync(path.join(EXT, out), { force: true });
const r = spawnSync(vsce, vsceArgs, { cwd: EXT, stdio: "inherit", shell: process.platform === "win32" });
if (r.status !== 0) die(`vsce ${vsceArgs.join(" ")} failed (exit ${r.status ?? r.signal})`);
if (!fs.existsSync(path.join(EXT, out))) die(`vsce made no ${out}`);
console.log(path.join(EXT, out));
