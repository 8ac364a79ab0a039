// Prints one closing line for `pnpm test`, counting both jest runs (on the
// sources and on the bundles): "tests: N passed, M failed".
import { readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
for (const run of ["src", "dist"]) {
  const result = JSON.parse(readFileSync(new URL(`../.tmp/jest-${run}.json`, import.meta.url), "utf8"));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
