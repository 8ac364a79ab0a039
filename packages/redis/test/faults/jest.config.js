// `pnpm test:faults`: the fault suite, apart from `pnpm test` (it takes
// minutes and kills processes). Two files at a time (lock, semaphore,
// plantings): each scenario mostly waits for leases to run out, and its
// timing claims leave a margin for a busy machine.
/** @type {import('jest').Config} */
export default {
  rootDir: "../../../..",
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
  moduleNameMapper: { "^@sync/([a-z]+)$": "<rootDir>/packages/$1/src/index.ts" },
  testMatch: ["<rootDir>/packages/redis/test/faults/*.fault.ts"],
  maxWorkers: 2,
  testTimeout: 90_000,
};
