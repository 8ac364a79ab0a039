// Every package exports exactly what API.md lists: at run time (the module's
// names) and in the types (the TypeScript checker's view of src/index.ts,
// type-only exports included). An extra export fails as a missing one does.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import * as primitives from "@sync/primitives";

const packagesDir = join(__dirname, "..", "..");

/** API.md's table: the run-time names, then the type-only names, of each package. */
const contract: Record<string, { values: string[]; types: string[] }> = {
  core: {
    values: ["Guard", "InvalidStateError", "TimeoutError", "WaiterQueue", "withTimeout"],
    types: ["Acquirable", "WaitOptions", "Waiter"],
  },
  lock: { values: ["Lock"], types: [] },
  event: { values: ["Event"], types: [] },
  condition: { values: ["Condition"], types: [] },
  semaphore: { values: ["BoundedSemaphore", "Semaphore"], types: [] },
  barrier: { values: ["Barrier", "BrokenBarrierError"], types: [] },
  rwlock: { values: ["RWLock"], types: [] },
  keyed: { values: ["KeyedLock"], types: [] },
  // API-redis.md; not in the umbrella.
  redis: {
    values: ["LeaseLostError", "RedisSync"],
    types: ["Lease", "RedisBarrier", "RedisEvent", "RedisLock", "RedisSemaphore", "RedisSyncOptions"],
  },
};
const inUmbrella = Object.entries(contract).filter(([name]) => name !== "redis");
const umbrella = {
  values: inUmbrella.flatMap(([, { values }]) => values),
  types: inUmbrella.flatMap(([, { types }]) => types),
};
const sorted = (names: Iterable<string>): string[] => [...names].sort();

/** The names of a module namespace at run time. */
function runtimeNames(namespace: object): string[] {
  return sorted(Object.keys(namespace).filter((key) => key !== "default" && key !== "__esModule"));
}

/** Every name that src/index.ts of each package exports, values and types alike, as the compiler sees them. */
function typeNames(): Map<string, string[]> {
  const names = [...Object.keys(contract), "primitives"];
  const files = names.map((name) => join(packagesDir, name, "src", "index.ts"));
  const config = ts.readConfigFile(join(packagesDir, "..", "tsconfig.base.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, join(packagesDir, ".."));
  const program = ts.createProgram(files, { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  return new Map(
    names.map((name, i) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(files[i]!)!)!;
      return [name, sorted(checker.getExportsOfModule(symbol).map((exported) => exported.name))];
    }),
  );
}

test("the workspace has the packages of API.md", () => {
  const names = readdirSync(packagesDir).filter((name) => name !== "primitives");
  expect(sorted(names)).toEqual(sorted(Object.keys(contract)));
});

test.each(Object.entries(contract))("@sync/%s exports exactly its names at run time", async (name, { values }) => {
  const namespace = (await import(`@sync/${name}`)) as Record<string, unknown>;
  expect(runtimeNames(namespace)).toEqual(sorted(values));
  // The umbrella re-exports each as the same object (and nothing of @sync/redis).
  for (const key of values) {
    const same = (primitives as Record<string, unknown>)[key] === namespace[key];
    expect({ key, same }).toEqual({ key, same: name !== "redis" });
  }
});

test("@sync/primitives exports exactly the union at run time", () => {
  expect(runtimeNames(primitives)).toEqual(sorted(umbrella.values));
});

describe("in the types", () => {
  let exported: Map<string, string[]>;
  beforeAll(() => {
    exported = typeNames();
  });

  test.each(Object.entries(contract))("@sync/%s exports exactly its names", (name, { values, types }) => {
    expect(exported.get(name)).toEqual(sorted([...values, ...types]));
  });

  test("@sync/primitives exports exactly the union", () => {
    expect(exported.get("primitives")).toEqual(sorted([...umbrella.values, ...umbrella.types]));
  });
});
