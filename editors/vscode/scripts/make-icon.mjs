#!/usr/bin/env node
// Renders media/icon.svg to media/icon.png (128×128, the Marketplace icon) with headless Chromium
// through playwright-core (a dev dependency). Run after editing the SVG: `npm run icon`; commit both.
//   CHROMIUM  the Chromium binary (default /usr/bin/chromium; Debian: apt-get install chromium)
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const EXT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const svg = fs.readFileSync(path.join(EXT, "media", "icon.svg"), "utf8");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  const out = path.join(EXT, "media", "icon.png");
  await page.locator("svg").screenshot({ path: out, omitBackground: true });
  console.log(out);
} finally {
  await browser.close();
}
