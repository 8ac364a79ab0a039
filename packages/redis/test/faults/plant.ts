// Planted bugs: proof that the fault suite fails when the library is wrong.
// A planting is a small patch applied to a copy of packages/redis/src under
// .tmp/ (git-ignored); the workers are bundled with that copy instead of
// @sync/redis (harness.ts). The package itself carries no hook.
// A patch whose text is no longer in the sources throws, so a planting
// cannot silently stop planting anything.
//
//   SYNC_FAULT_PLANT=<name> pnpm test:faults   runs the whole suite planted
// Imported by relative path; never published.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface Planting {
  description: string;
  /** File (under src/) -> [text to find, its replacement], each found exactly once. */
  edits: [file: string, find: string, replace: string][];
}

export const plantings: Record<string, Planting> = {
  "renew-noop": {
    description: "renewal turned off: the renew script answers 1 without touching the lease",
    edits: [["scripts.ts", '  "renew",\n  `\nlocal id', '  "renew",\n  `\nif true then return 1 end\nlocal id']],
  },
  "release-no-owner": {
    description: "release without the owner check: it removes whichever hold ends first, even from a lost lease",
    edits: [
      [
        "scripts.ts",
        "local removed = redis.call('ZREM', holders, ARGV[1])",
        "local removed = math.min(1, #redis.call('ZPOPMIN', holders))",
      ],
      ["lease.ts", "    if (this.lost) return (this.#released = Promise.resolve());\n", ""],
    ],
  },
  "loss-unreported": {
    description: "lease loss not reported: lease.signal never aborts",
    edits: [
      [
        "lease.ts",
        "    this.#lost = new LeaseLostError(message);\n    this.#controller?.abort(this.#lost);\n",
        "    void message;\n",
      ],
    ],
  },
  "grant-tail": {
    description: "grants go to the newest waiter instead of the oldest",
    edits: [
      ["scripts.ts", "local head = redis.call('ZPOPMIN', queue)[1]", "local head = redis.call('ZPOPMAX', queue)[1]"],
    ],
  },
  "token-stuck": {
    description: "the fencing counter is read, not incremented, by a grant",
    edits: [
      [
        "scripts.ts",
        "  token = redis.call('HINCRBY', meta, 'token', 1)\n",
        "  token = redis.call('HGET', meta, 'token')\n",
      ],
    ],
  },
};

const ROOT = resolve(__dirname, "../../../..");

/** Copies the sources to .tmp/plant-<name>/, applies the planting, and returns the copy's entry file. */
export function plant(name: string): string {
  const planting = plantings[name];
  if (planting === undefined) throw new Error(`no planting named ${name}: ${Object.keys(plantings).join(", ")}`);
  const dir = join(ROOT, ".tmp", `plant-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, "packages/redis/src"), join(dir, "src"), { recursive: true });
  for (const [file, find, replace] of planting.edits) {
    const path = join(dir, "src", file);
    if (!existsSync(path)) throw new Error(`planting ${name}: no file src/${file}`);
    const text = readFileSync(path, "utf8");
    const at = text.indexOf(find);
    if (at < 0 || text.indexOf(find, at + 1) >= 0) {
      throw new Error(`planting ${name}: the text to replace is not in src/${file} exactly once:\n${find}`);
    }
    writeFileSync(path, text.slice(0, at) + replace + text.slice(at + find.length));
  }
  return join(dir, "src", "index.ts");
}

/** The planted library the whole suite should use (SYNC_FAULT_PLANT), if any. */
export function plantedFromEnv(): string | undefined {
  const name = process.env.SYNC_FAULT_PLANT;
  return name ? plant(name) : undefined;
}
