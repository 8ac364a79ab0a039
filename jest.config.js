// One jest project per package, on a shared base. Tests import packages by
// their public names (`@sync/lock`); those map to the sources, or with
// SYNC_TEST_DIST=1 to the built CommonJS bundles, so the same suites also
// check what is published.
import { readdirSync } from "node:fs";

const dist = process.env.SYNC_TEST_DIST === "1";
const packages = readdirSync(new URL("./packages", import.meta.url));

const base = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/../../tsconfig.json" }] },
  moduleNameMapper: {
    "^@sync/([a-z]+)$": dist ? "<rootDir>/../$1/dist/index.cjs" : "<rootDir>/../$1/src/index.ts",
  },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // Each package's coverage comes from its own tests only.
  collectCoverageFrom: ["<rootDir>/src/**/*.ts"],
};

/** @type {import('jest').Config} */
export default {
  projects: packages.map((name) => ({ ...base, displayName: name, rootDir: `<rootDir>/packages/${name}` })),
  collectCoverage: !dist,
  coverageReporters: ["text-summary", "lcov"],
  coverageThreshold: {
    "./packages/core/src/": { branches: 100, functions: 100, lines: 100, statements: 100 },
    ...Object.fromEntries(
      packages
        .filter((name) => name !== "core")
        .map((name) => [`./packages/${name}/src/`, { branches: 95, functions: 95, lines: 95, statements: 95 }]),
    ),
  },
};
