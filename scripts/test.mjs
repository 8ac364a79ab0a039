// `pnpm test` after the build: jest on the sources (with coverage and its
// thresholds), then the same suites on the built bundles (SYNC_TEST_DIST=1),
// and one closing line that counts both runs: "tests: N passed, M failed"
// (and one more when the @sync/redis tests were skipped for lack of a server).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const jest = new URL("../node_modules/jest/bin/jest.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "sync-test-"));
const extra = process.argv.slice(2);

// Without redis-server the @sync/redis suites skip (with SYNC_REQUIRE_REDIS=1
// they fail instead); one line at the end says so, with the count.
const haveRedis = spawnSync("sh", ["-c", "command -v redis-server"]).status === 0;
let passed = 0;
let failed = 0;
let redisSkipped = 0;
let ok = true;
for (const [name, env, flags] of [
  ["sources", {}, []],
  ["bundles", { SYNC_TEST_DIST: "1" }, ["--coverage=false"]],
]) {
  console.log(`\n=== jest on the ${name}`);
  const outputFile = join(dir, `${name}.json`);
  const run = spawnSync(process.execPath, [jest, ...flags, "--json", `--outputFile=${outputFile}`, ...extra], {
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  ok &&= run.status === 0;
  try {
    const result = JSON.parse(readFileSync(outputFile, "utf8"));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    let skipped = 0;
    for (const file of result.testResults) {
      if (!/[\\/]packages[\\/]redis[\\/]/.test(file.name)) continue;
      skipped += file.assertionResults.filter((test) => test.status === "pending").length;
    }
    redisSkipped = Math.max(redisSkipped, skipped);
  } catch {
    ok = false; // jest did not get as far as writing its results
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`tests: ${passed} passed, ${failed} failed`);
if (!haveRedis && redisSkipped > 0) {
  console.log(
    `!!! ${redisSkipped} @sync/redis tests SKIPPED in each run: redis-server is not on PATH ` +
      "(apt-get install redis-server, or brew install redis, to run them)",
  );
}
process.exit(ok && failed === 0 ? 0 : 1);
