// `pnpm test:faults`: the fault suite, apart from `pnpm test` (it takes
// minutes and kills processes). One file at a time: the timing claims of a
// scenario leave a margin for a busy machine, not for a second scenario.
/** @type {import('jest').Config} */
export default {
  rootDir: "../../../..",
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
  moduleNameMapper: { "^@sync/([a-z]+)$": "<rootDir>/packages/$1/src/index.ts" },
  testMatch: ["<rootDir>/packages/redis/test/faults/*.fault.ts"],
  maxWorkers: 1,
  testTimeout: 90_000,
};
