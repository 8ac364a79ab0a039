// `pnpm demo`: runs every example in docs/examples, each under a heading.
//
// Each example is docs/examples/<name>.ts and exports
// `main(print = console.log): Promise<void>` with no side effects at import.
// The ones below are imported here; any other `<primitive>-<name>.ts` in the
// folder (lock-*, event-*, condition-*, rwlock-*, keyed-*, …) is found by listing the folder, so
// a new example needs no change here. Order: by primitive, then by name, then
// the crawler, which uses several primitives at once.
import { readdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import * as barrierPhases from "./barrier-phases";
import * as barrierPython from "./barrier-python";
import * as crawler from "./crawler";
import * as eventPython from "./event-python";
import * as semaphoreBounded from "./semaphore-bounded";
import * as semaphoreLimit from "./semaphore-limit";

type Print = (line: string) => void;

/** What every example exports. */
export interface Example {
  main(print?: Print): Promise<void>;
}

const primitives = ["lock", "event", "condition", "semaphore", "barrier", "rwlock", "keyed"];

// This file's folder: `__dirname` under CommonJS (as in jest), else the path
// this file was run with (ESM, as under `tsx docs/examples/demo.ts`).
const here = typeof __dirname === "string" ? __dirname : dirname(resolve(process.argv[1] ?? "docs/examples/demo.ts"));

const imported: Record<string, Example> = {
  "barrier-phases": barrierPhases,
  "barrier-python": barrierPython,
  "event-python": eventPython,
  "semaphore-bounded": semaphoreBounded,
  "semaphore-limit": semaphoreLimit,
};

/**
 * The examples in docs/examples, in the order the demo runs them: the name
 * and a loader for each.
 *
 * @throws (as a rejection, from the loader) `TypeError` if an example does not export `main`.
 */
export function examples(): [name: string, load: () => Promise<Example>][] {
  const names = new Set(Object.keys(imported));
  for (const file of readdirSync(here)) {
    const match = /^([a-z]+)-[a-z0-9-]+\.ts$/.exec(file);
    if (match && primitives.includes(match[1]!)) names.add(file.slice(0, -3));
  }
  const rank = (name: string): number => primitives.indexOf(name.slice(0, name.indexOf("-")));
  const sorted = [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return [
    ...sorted.map((name): [string, () => Promise<Example>] => [name, () => load(name)]),
    ["crawler", () => Promise.resolve(crawler)],
  ];
}

async function load(name: string): Promise<Example> {
  const module = imported[name] ?? ((await import(`./${name}.ts`)) as Partial<Example>);
  if (typeof module.main !== "function") throw new TypeError(`docs/examples/${name}.ts does not export main(print)`);
  return module as Example;
}

/**
 * Runs every example in order, each under a `=== name ===` heading, printing
 * through `print`.
 */
export async function main(print: Print = console.log): Promise<void> {
  let first = true;
  for (const [name, loadExample] of examples()) {
    if (!first) print("");
    first = false;
    print(`=== ${name} ===`);
    await (await loadExample()).main(print);
  }
}

// Run when executed (`tsx docs/examples/demo.ts`), not when a test imports this file.
const entry = process.argv[1];
if (entry !== undefined && /(^|[\\/])demo\.ts$/.test(entry)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
