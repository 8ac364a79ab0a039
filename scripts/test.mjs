// `pnpm test` after the build: jest on the sources (with coverage and its
// thresholds), then the same suites on the built bundles (SYNC_TEST_DIST=1),
// and one closing line that counts both runs: "tests: N passed, M failed".
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const jest = new URL("../node_modules/jest/bin/jest.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "sync-test-"));
const extra = process.argv.slice(2);

let passed = 0;
let failed = 0;
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
  } catch {
    ok = false; // jest did not get as far as writing its results
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
