// `pnpm test:browser` (after `pnpm build`): runs test/browser/suite.js in a
// headless Chromium against the built ESM bundles, which proves the runtime
// code needs nothing from Node. A static server on 127.0.0.1 serves the page,
// its scripts and packages/*/dist/*.mjs, and writes into the page an import
// map built from every package's `exports` (so each package and subpath is
// mapped, new ones too). Prints one line per test, then `browser: N passed,
// M failed`; a page error or a failed request is a failure too.
// SYNC_CHROMIUM overrides the browser (default /usr/bin/chromium, Debian's).
/* global window */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, normalize } from "node:path";
import { chromium } from "playwright-core";

const root = new URL("..", import.meta.url).pathname;
const LIMIT_MS = 120_000;

/** `@sync/name[/subpath]` -> the URL of its ESM bundle, for every package in packages/. */
function importMap() {
  const imports = {};
  for (const dir of readdirSync(join(root, "packages"))) {
    const path = join(root, "packages", dir, "package.json");
    if (!existsSync(path)) continue;
    const { name, exports } = JSON.parse(readFileSync(path, "utf8"));
    for (const [subpath, target] of Object.entries(exports)) {
      const file = target.import?.default;
      if (file !== undefined) imports[join(name, subpath)] = join(`/packages/${dir}`, file);
    }
  }
  return `<script type="importmap">${JSON.stringify({ imports })}</script>`;
}

const failedRequests = [];
const server = createServer((request, response) => {
  const path = normalize(new URL(request.url, "http://127.0.0.1").pathname);
  const file = join(root, path);
  const allowed = /^\/(test\/browser\/[\w.-]+\.(js|html)|packages\/[\w-]+\/dist\/[\w.-]+\.mjs)$/.test(path);
  if (!allowed || !existsSync(file)) {
    failedRequests.push(`404 ${path}`);
    response.writeHead(404).end();
    return;
  }
  const html = path.endsWith(".html");
  const body = html ? readFileSync(file, "utf8").replace("<!-- import map -->", importMap()) : readFileSync(file);
  response.writeHead(200, { "content-type": html ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8" });
  response.end(body);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));

let browser;
let passed = 0;
let failed = 0;
const errors = []; // outside the tests: page errors, scripts that failed to load, a time-out
try {
  browser = await chromium.launch({
    executablePath: process.env.SYNC_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  console.log(`browser: Chromium ${browser.version()}`);
  const page = await browser.newPage();
  page.on("console", (message) => console.log(`  [console.${message.type()}] ${message.text()}`));
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/test/browser/index.html`);
  await page.waitForFunction(() => window.__syncBrowserTest?.done === true, null, { timeout: LIMIT_MS });
  const state = await page.evaluate(() => window.__syncBrowserTest);
  for (const result of state.results) {
    console.log(
      `  ${result.ok ? "ok  " : "FAIL"}  ${result.name} (${result.ms} ms)${result.ok ? "" : `\n        ${result.error}`}`,
    );
    if (result.ok) passed++;
    else failed++;
  }
  errors.push(...state.errors);
  if (state.results.length === 0) errors.push("the page ran no test");
} catch (error) {
  errors.push(String(error?.message ?? error));
} finally {
  await browser?.close();
  server.close();
}
errors.push(...failedRequests);
for (const error of errors) console.log(`  FAIL  ${error}`);
console.log(`browser: ${passed} passed, ${failed + errors.length} failed`);
process.exitCode = failed + errors.length === 0 ? 0 : 1;
