// `pnpm check:pack` (after `pnpm build`): checks what npm users get, from the
// tarballs of every package in packages/ (found here, so a new one is covered).
//
// 1. `pnpm pack` each package; `publint run --strict` and `attw --profile
//    strict` (node10, node16 CJS and ESM, bundler) on each tarball.
// 2. A scratch consumer installs all tarballs with `npm install --offline`
//    and an empty cache (so nothing can come from the registry, and a
//    `workspace:` range left in a tarball fails), then
//    - imports every package as ESM and requires it as CommonJS: the same
//      export names both ways, @sync/primitives re-exporting the very objects
//      of the packages, and a Lock that hands over, aborts and times out;
//    - compiles a TypeScript consumer, strict and with skipLibCheck false,
//      under node16 (.mts and .cts), node10 and bundler resolution, with the lib of a
//      browser project (ES2022 and DOM, no @types/node), and a `using` block
//      with esnext.disposable; `@ts-expect-error` lines fail the compile if
//      the types were `any`.
// Exits 1 on any failure. SYNC_CHECK_PACK_KEEP=1 keeps the scratch folder.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const temp = mkdtempSync(join(tmpdir(), "sync-check-pack-"));
const failures = [];

/** Runs a command; records a failure with its output unless it exits 0. Returns its stdout. */
function run(what, command, args, cwd = temp) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  const ok = result.status === 0;
  console.log(`${ok ? "ok  " : "FAIL"}  ${what}`);
  if (!ok) failures.push(`${what}:\n${result.stdout}${result.stderr}${result.error ?? ""}`.trim());
  return result.stdout;
}

/** load.mjs: loads each package named on its command line both ways, then uses a Lock from both builds. */
const loadSource = `import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const loaded = [];
for (const name of process.argv.slice(2)) {
  const esm = await import(name);
  const cjs = require(name);
  assert.ok(Object.keys(esm).length > 0, name + " exports nothing");
  assert.deepEqual(Object.keys(esm).sort(), Object.keys(cjs).sort(), name + ": ESM and CommonJS export the same names");
  loaded.push([name, esm, cjs]);
}
const umbrella = loaded.find(([name]) => name === "@sync/primitives");
for (const build of [1, 2]) {
  for (const [key, value] of Object.entries(umbrella[build])) {
    const owners = loaded.filter(([name, ...api]) => name !== "@sync/primitives" && api[build - 1][key] === value);
    assert.equal(owners.length, 1, "@sync/primitives re-exports " + key + " of exactly one package");
  }
  const { Lock, TimeoutError } = umbrella[build];
  const lock = new Lock();
  await lock.acquire();
  const next = lock.acquire();
  lock.release();
  assert.deepEqual([lock.locked(), lock.waiters], [true, 0]);
  await next;
  await assert.rejects(lock.acquire({ timeout: 1 }), TimeoutError);
  const controller = new AbortController();
  const aborted = lock.acquire({ signal: controller.signal });
  controller.abort(new Error("stop"));
  await assert.rejects(aborted, { message: "stop" });
  lock.release();
  assert.equal(await lock.run(async () => lock.locked()), true);
  assert.equal(String(lock), "<Lock [unlocked]>");
}
// @sync/redis stays out of the umbrella; without a server, its constructor's
// check and its error class are what a load can show.
const redis = loaded.find(([name]) => name === "@sync/redis");
for (const build of redis ? [1, 2] : []) {
  assert.throws(() => new redis[build].RedisSync({}), TypeError);
  assert.ok(new redis[build].LeaseLostError("lost") instanceof umbrella[build].InvalidStateError);
}
`;

/** The TypeScript consumer, after one namespace import per package. */
const typesSource = `import { Condition, Lock, Semaphore, TimeoutError, type Guard, type WaitOptions } from "@sync/primitives";

export async function use(options: WaitOptions): Promise<number> {
  const lock = new Lock();
  const acquired: true = await lock.acquire(options);
  const guard: Guard = await lock.hold({ timeout: 10 });
  guard.release();
  const text: string = await lock.run(async () => "done");
  const count: number = await new Condition(lock).waitFor(() => 1, { signal: new AbortController().signal });
  const error: Error = new TimeoutError();
  // @ts-expect-error locked() is a boolean
  const wrong: string = lock.locked();
  // @ts-expect-error timeout is a number
  void lock.acquire({ timeout: "5" });
  // @ts-expect-error a Condition takes a Lock, not a Semaphore
  new Condition(new Semaphore());
  void [acquired, text, error, wrong];
  return count;
}
`;

/** \`using\` a guard and \`await using\` a lease, for a project whose lib has esnext.disposable. */
const usingSource = `import { Lock } from "@sync/lock";
import { LeaseLostError, RedisSync, type Lease, type RedisSemaphore } from "@sync/redis";
import { InvalidStateError } from "@sync/core";

export async function fenced(sync: RedisSync): Promise<number> {
  const lost: InvalidStateError = new LeaseLostError("lost");
  const api: RedisSemaphore = sync.semaphore("api", 2);
  await using lease = await sync.lock("invoice").hold({ timeout: 10 });
  const held: Lease = lease;
  // @ts-expect-error permits is a number
  sync.semaphore("api", "2");
  // @ts-expect-error a lease's token is a number
  const token: string = held.token;
  void [lost, token];
  return held.token + api.permits;
}

export async function held(lock: Lock): Promise<boolean> {
  using _guard = await lock.hold();
  // @ts-expect-error hold() resolves a Guard, not a boolean
  const wrong: boolean = await lock.hold();
  return lock.locked() && !wrong;
}
`;

const packages = readdirSync(join(root, "packages"))
  .map((dir) => join(root, "packages", dir))
  .filter((path) => existsSync(join(path, "package.json")))
  .map((path) => ({ path, ...JSON.parse(readFileSync(join(path, "package.json"), "utf8")) }))
  .filter((pkg) => !pkg.private);
const names = packages.map((pkg) => pkg.name);

try {
  // 1. pack, publint, attw
  mkdirSync(join(temp, "tarballs"));
  for (const pkg of packages) {
    const packed = run(
      `pnpm pack ${pkg.name}`,
      "pnpm",
      ["pack", "--json", "--pack-destination", join(temp, "tarballs")],
      pkg.path,
    );
    pkg.tarball = packed && JSON.parse(packed).filename;
    if (!pkg.tarball) continue;
    run(`publint ${pkg.name}`, bin("publint"), ["run", pkg.tarball, "--strict"]);
    run(`attw ${pkg.name}`, bin("attw"), [pkg.tarball, "--profile", "strict", "--format", "ascii"]);
  }
  // 2. the consumer
  if (packages.some((pkg) => !pkg.tarball)) throw "no consumer check: not every package packed";
  const consumer = join(temp, "consumer");
  mkdirSync(consumer);
  const tarballs = Object.fromEntries(packages.map((pkg) => [pkg.name, `file:${pkg.tarball}`]));
  // The overrides send the @sync packages' own dependencies on each other to the tarballs too.
  const manifest = { name: "consumer", private: true, dependencies: tarballs, overrides: tarballs };
  writeFileSync(join(consumer, "package.json"), JSON.stringify(manifest, null, 2));
  const npm = ["install", "--offline", "--cache", join(temp, "cache"), "--no-audit", "--no-fund", "--ignore-scripts"];
  run(`npm install --offline of ${names.length} tarballs`, "npm", npm, consumer);

  writeFileSync(join(consumer, "load.mjs"), loadSource);
  run("ESM import and CommonJS require of every package", process.execPath, ["load.mjs", ...names], consumer);

  // One namespace import per package, so a package whose types do not resolve fails.
  const imports = names.map((name, i) => `import * as package${i} from "${name}";\n`).join("");
  const source = `${imports}${typesSource}export const all = [${names.map((_, i) => `package${i}`).join(", ")}];\n`;
  for (const file of ["consumer.mts", "consumer.cts", "consumer.ts"]) writeFileSync(join(consumer, file), source);
  const tsc = ["--noEmit", "--strict", "--skipLibCheck", "false", "--target", "es2022", "--lib", "es2022,dom"];
  const node16 = ["--module", "node16", "--moduleResolution", "node16", "consumer.mts", "consumer.cts"];
  run("tsc node16 (consumer.mts, consumer.cts)", bin("tsc"), [...tsc, ...node16], consumer);
  const node10 = ["--module", "commonjs", "--moduleResolution", "node10", "consumer.ts"];
  run("tsc node10 (consumer.ts)", bin("tsc"), [...tsc, ...node10], consumer);
  const bundler = ["--module", "esnext", "--moduleResolution", "bundler", "consumer.ts"];
  run("tsc bundler (consumer.ts)", bin("tsc"), [...tsc, ...bundler], consumer);
  writeFileSync(join(consumer, "using.ts"), usingSource);
  const disposable = [...tsc.slice(0, -1), "es2022,esnext.disposable,dom", ...bundler.slice(0, -1), "using.ts"];
  run("tsc bundler with esnext.disposable (using.ts)", bin("tsc"), disposable, consumer);
} catch (error) {
  failures.push(error?.stack ?? error);
} finally {
  if (process.env.SYNC_CHECK_PACK_KEEP === "1") console.log(`kept ${temp}`);
  else rmSync(temp, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.log(`\ncheck:pack: ${failures.length} failed\n\n${failures.join("\n\n")}`);
  process.exit(1);
}
console.log(`\ncheck:pack: ${names.length} packages passed (${names.join(", ")})`);
