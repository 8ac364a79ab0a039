import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as primitives from "@sync/primitives";
import type { Acquirable, WaitOptions } from "@sync/primitives";

// Every workspace package but the umbrella itself and @sync/redis (which
// needs a Redis client, and stays out of it), read from disk so that a
// package added later is checked too.
const workspace = readdirSync(join(__dirname, "..", "..")).sort();
const names = workspace.filter((name) => name !== "primitives" && name !== "redis");

async function load(name: string): Promise<Record<string, unknown>> {
  return (await import(`@sync/${name}`)) as Record<string, unknown>;
}

/** The public names of a module namespace (what `export *` passes on). */
function publicNames(namespace: object): string[] {
  return Object.keys(namespace)
    .filter((key) => key !== "default" && key !== "__esModule")
    .sort();
}

test("the workspace has the packages of API.md", () => {
  expect(workspace).toEqual(["barrier", "condition", "core", "event", "lock", "primitives", "redis", "semaphore"]);
});

test("@sync/redis stays out of the umbrella", async () => {
  const redis = (await import("@sync/redis")) as Record<string, unknown>;
  for (const key of publicNames(redis))
    expect({ key, inUmbrella: key in primitives }).toEqual({ key, inUmbrella: false });
});

test.each(names)(
  "every public name of @sync/%s is re-exported by @sync/primitives as the same object",
  async (name) => {
    const namespace = await load(name);
    const keys = publicNames(namespace);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const same = (primitives as Record<string, unknown>)[key] === namespace[key];
      expect({ key, same }).toEqual({ key, same: true });
    }
  },
);

test("@sync/primitives exports exactly the union of the packages' names, with no name claimed twice", async () => {
  const owners = new Map<string, string[]>();
  for (const name of names) {
    for (const key of publicNames(await load(name))) owners.set(key, [...(owners.get(key) ?? []), name]);
  }
  // `export *` silently drops a name that two packages export, so a clash would vanish from the umbrella.
  expect([...owners].filter(([, from]) => from.length > 1)).toEqual([]);
  expect(publicNames(primitives)).toEqual([...owners.keys()].sort());
});

test("the names API.md lists are all there", () => {
  const listed = [
    "WaiterQueue",
    "Guard",
    "TimeoutError",
    "InvalidStateError",
    "withTimeout",
    "Lock",
    "Event",
    "Condition",
    "Semaphore",
    "BoundedSemaphore",
    "Barrier",
    "BrokenBarrierError",
  ];
  expect(listed.filter((key) => typeof (primitives as Record<string, unknown>)[key] !== "function")).toEqual([]);
  // The type-only exports: this file would not compile without them.
  const options: WaitOptions = { timeout: 1 };
  const acquirable: Acquirable = new primitives.Lock();
  expect([options.timeout, typeof acquirable.release]).toEqual([1, "function"]);
});
