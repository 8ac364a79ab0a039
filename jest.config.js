// One jest project per package, on a shared base. Tests import packages by
// their public names (`@sync/lock`); those map to the sources, or with
// SYNC_TEST_DIST=1 to the built CommonJS bundles, so the same suites also
// check what is published.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

const dist = process.env.SYNC_TEST_DIST === "1";
const packages = readdirSync(new URL("./packages", import.meta.url));

// `jest --selectProjects lock` runs some packages only: hold just those to
// their coverage thresholds, or jest fails for lack of the others' data.
const selected = process.argv.includes("--selectProjects")
  ? packages.filter((name) => process.argv.includes(name))
  : packages;
// The redis suites skip where redis-server is missing: no coverage to hold then.
const haveRedis = spawnSync("sh", ["-c", "command -v redis-server"]).status === 0;
const held = selected.filter((name) => name !== "redis" || haveRedis);
// @sync/redis: which reconnect paths run depends on when a dropped
// connection lands (the fault tests), so branches and functions vary a little.
const thresholds = (name) =>
  name === "core"
    ? { branches: 100, functions: 100, lines: 100, statements: 100 }
    : name === "redis"
      ? { branches: 90, functions: 90, lines: 95, statements: 95 }
      : { branches: 95, functions: 95, lines: 95, statements: 95 };

const base = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/../../tsconfig.json" }] },
  moduleNameMapper: {
    "^@sync/([a-z]+)$": dist ? "<rootDir>/../$1/dist/index.cjs" : "<rootDir>/../$1/src/index.ts",
    "^@sync/([a-z]+)/internal$": dist ? "<rootDir>/../$1/dist/internal.cjs" : "<rootDir>/../$1/src/internal.ts",
  },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
};

/** @type {import('jest').Config} */
export default {
  projects: packages.map((name) => ({ ...base, displayName: name, rootDir: `<rootDir>/packages/${name}` })),
  collectCoverage: !dist,
  collectCoverageFrom: ["packages/*/src/**/*.ts"],
  coverageReporters: ["text-summary", "lcov"],
  coverageThreshold: Object.fromEntries(held.map((name) => [`./packages/${name}/src/`, thresholds(name)])),
};
