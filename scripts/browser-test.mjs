// Runs test/browser/suite.js in a real headless Chromium against the built
// ESM bundles (run `pnpm build` first), which proves the runtime code needs
// nothing from Node. A tiny static server on 127.0.0.1 serves the page, its
// scripts and packages/*/dist/index.mjs; the page's import map points every
// `@sync/*` name at those bundles. Prints one line per test and then
// `browser: N passed, M failed`; exits non-zero on any failure, page error,
// failed request or when the whole run takes longer than the hard limit.
//
// Environment: SYNC_CHROMIUM overrides the browser path (default
// /usr/bin/chromium, Debian's `chromium` package); SYNC_BROWSER_LIMIT_MS the
// hard limit on the whole run (default 120 s).
/* global setTimeout, clearTimeout, window */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { chromium } from "playwright-core";

const root = new URL("../", import.meta.url);
const executablePath = process.env.SYNC_CHROMIUM ?? "/usr/bin/chromium";
const HARD_LIMIT_MS = Number(process.env.SYNC_BROWSER_LIMIT_MS ?? 120_000);
const PAGE = "/test/browser/index.html";

// What the server may serve: the page, its own scripts, and one ESM bundle
// per package. Anything else is a 404, which fails the run.
function servable() {
  const files = new Map([[PAGE, "test/browser/index.html"]]);
  for (const name of readdirSync(new URL("test/browser/", root))) {
    if (name.endsWith(".js")) files.set(`/test/browser/${name}`, `test/browser/${name}`);
  }
  for (const name of readdirSync(new URL("packages/", root))) {
    files.set(`/packages/${name}/dist/index.mjs`, `packages/${name}/dist/index.mjs`);
  }
  return files;
}

// The import map must name every package, so a new package cannot go untested.
function checkImportMap() {
  const html = readFileSync(new URL("test/browser/index.html", root), "utf8");
  const json = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (json === undefined) return ["test/browser/index.html has no import map"];
  const { imports } = JSON.parse(json);
  const problems = [];
  for (const name of readdirSync(new URL("packages/", root))) {
    const target = `/packages/${name}/dist/index.mjs`;
    if (imports[`@sync/${name}`] !== target) problems.push(`the import map must map @sync/${name} to ${target}`);
    if (!existsSync(new URL(`.${target}`, root)))
      problems.push(`${target.slice(1)} is missing: run \`pnpm build\` first`);
  }
  return problems;
}

function startServer(files) {
  const failedRequests = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    const file = files.get(path);
    if (file === undefined || !existsSync(new URL(file, root))) {
      failedRequests.push(`404 ${path}`);
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const type = file.endsWith(".html") ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8";
    response.writeHead(200, { "content-type": type, "cache-control": "no-store" });
    response.end(readFileSync(new URL(file, root)));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve({ server, failedRequests }));
  });
}

async function main() {
  const problems = checkImportMap();
  if (problems.length > 0) {
    for (const problem of problems) console.log(`  FAIL  ${problem}`);
    console.log(`browser: 0 passed, ${problems.length} failed`);
    return 1;
  }
  let browser;
  let server;
  let timer;
  let finished = false;
  const hardLimit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result after ${HARD_LIMIT_MS / 1000} s`)), HARD_LIMIT_MS);
  });
  try {
    const started = await startServer(servable());
    server = started.server;
    const { port } = server.address();
    const pageErrors = [];
    const run = async () => {
      browser = await chromium.launch({
        executablePath,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      // The hard limit may have struck during the launch: close what came too late.
      if (finished) await browser.close();
      console.log(`browser: Chromium ${browser.version()}`);
      const page = await browser.newPage();
      page.on("console", (message) => console.log(`  [console.${message.type()}] ${message.text()}`));
      page.on("pageerror", (error) => pageErrors.push(`page error: ${error.message}`));
      await page.goto(`http://127.0.0.1:${port}${PAGE}`);
      await page.waitForFunction(() => window.__syncBrowserTest?.done === true, null, {
        timeout: HARD_LIMIT_MS,
        polling: 50,
      });
      // Let a late error (a rejection nobody handled) surface before reading.
      await page.waitForTimeout(100);
      return page.evaluate(() => window.__syncBrowserTest);
    };
    const running = run();
    // If the hard limit wins, closing the browser below makes `running` reject: expected, not news.
    running.catch(() => {});
    const state = await Promise.race([running, hardLimit]);

    let passed = 0;
    let failed = 0;
    for (const result of state.results) {
      if (result.ok) {
        passed++;
        console.log(`  ok    ${result.name} (${result.ms} ms)`);
      } else {
        failed++;
        console.log(`  FAIL  ${result.name} (${result.ms} ms)\n        ${result.error}`);
      }
    }
    // Errors outside the tests fail the run too: each is one more failure.
    // (state.errors holds scripts that failed to load.)
    const others = [...new Set([...state.errors, ...pageErrors, ...started.failedRequests])];
    for (const error of others) {
      failed++;
      console.log(`  FAIL  ${error}`);
    }
    if (state.results.length === 0 && others.length === 0) {
      failed++;
      console.log("  FAIL  the page ran no test");
    }
    console.log(`browser: ${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  } catch (error) {
    console.log(`  FAIL  ${error instanceof Error ? error.message : String(error)}`);
    console.log("browser: 0 passed, 1 failed");
    return 1;
  } finally {
    finished = true;
    clearTimeout(timer);
    // Never leave a browser or a server behind, whatever happened above.
    await browser?.close().catch(() => {});
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

process.exitCode = await main();
// Everything is closed by now; should a stray handle keep Node alive, leave anyway.
setTimeout(() => process.exit(), 5_000).unref();
