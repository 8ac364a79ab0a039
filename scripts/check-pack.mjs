// `pnpm check:pack`: checks what npm users would get, from the packed
// tarballs rather than from the workspace. Run `pnpm build` first.
//
// 1. `pnpm pack` every package into a temp dir outside the repo; the tarball
//    must hold package.json and the four dist files, and its @sync/*
//    dependencies must name real versions (no `workspace:` left).
// 2. publint (strict: warnings fail) on each tarball's contents.
// 3. @arethetypeswrong/cli on each tarball, profile "strict": node10,
//    node16 from CJS, node16 from ESM and bundler must all resolve to types
//    with no problem. attw loads only the tarball itself, but that does not
//    make imports of the other, unpublished @sync packages fail: its
//    "internal-resolution-error" check skips bare specifiers of other
//    packages ("probably a reference to something we'd have to npm install",
//    attw core, internalResolutionError.js), so no rule is ignored here.
//    Whether those cross-package types resolve is what step 5 checks.
// 4. A scratch consumer project `npm install`s all tarballs at once, with
//    `--offline` and an empty private cache: any request to the registry
//    would fail there, so @sync/* cannot come from it. Each @sync/* must be
//    installed once, at the top level, resolved from its tarball (checked in
//    package-lock.json, integrity included).
// 5. In the consumer: an ESM .mjs and a CommonJS .cjs file import every
//    primitive from its own package and from @sync/primitives and exercise
//    it; tsc (the repo's) type-checks consumer files under node16 and under
//    bundler resolution, strict and without skipLibCheck. The consumer files
//    carry `@ts-expect-error` lines, so types that were `any` would fail the
//    check, and a file with one deliberate type error must fail it.
//
// Exits non-zero on any failure; removes its temp dir in all cases (unless
// SYNC_CHECK_PACK_KEEP=1).
/* global AbortController, setTimeout -- used by exercise(), which runs in the consumer */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const distFiles = ["dist/index.cjs", "dist/index.d.mts", "dist/index.d.ts", "dist/index.mjs"];
// The four ways TypeScript resolves a package that attw's "strict" profile checks.
const resolutionKinds = ["node10", "node16-cjs", "node16-esm", "bundler"];

const failures = [];
const summary = [];
const fail = (message) => failures.push(message);

/** Runs `tasks` (functions returning promises), at most `limit` at a time. */
async function pool(tasks, limit) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** execFile that resolves with stdout/stderr and the exit code instead of throwing. */
async function exec(file, args, options = {}) {
  try {
    const { stdout, stderr } = await run(file, args, { maxBuffer: 64 * 1024 * 1024, ...options });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (typeof error.code !== "number") throw error;
    return { code: error.code, stdout: error.stdout ?? "", stderr: error.stderr ?? "" };
  }
}

const packages = readdirSync(join(root, "packages"))
  .filter((dir) => existsSync(join(root, "packages", dir, "package.json")))
  .map((dir) => {
    const path = join(root, "packages", dir);
    return { dir, path, manifest: JSON.parse(readFileSync(join(path, "package.json"), "utf8")) };
  })
  .filter(({ manifest }) => !manifest.private);

const missing = packages.flatMap(({ dir }) =>
  distFiles.filter((file) => !existsSync(join(root, "packages", dir, file))).map((file) => `packages/${dir}/${file}`),
);
if (missing.length > 0) {
  console.error(`check:pack: missing build output (run \`pnpm build\` first):\n  ${missing.join("\n  ")}`);
  process.exit(1);
}

async function main() {
  // 1. pack
  const packed = await pool(
    packages.map((pkg) => async () => {
      const { code, stdout, stderr } = await exec("pnpm", ["pack", "--json", "--pack-destination", tarballs], {
        cwd: pkg.path,
      });
      if (code !== 0) throw new Error(`pnpm pack failed in packages/${pkg.dir}:\n${stderr || stdout}`);
      const result = JSON.parse(stdout);
      return { ...pkg, tarball: result.filename, files: result.files.map((file) => file.path).sort() };
    }),
    2,
  );
  const versions = new Map(packed.map(({ manifest }) => [manifest.name, manifest.version]));
  for (const pkg of packed) {
    const { stdout: text } = await exec("tar", ["-xzOf", pkg.tarball, "package/package.json"]);
    pkg.packedManifest = JSON.parse(text);
    for (const file of [...distFiles, "package.json"]) {
      if (!pkg.files.includes(file)) fail(`${pkg.manifest.name}: ${file} is not in the tarball`);
    }
    const extra = pkg.files.filter(
      (file) =>
        !distFiles.includes(file) && !/^(package\.json|README\.md|LICEN[CS]E(\.md)?|CHANGELOG\.md)$/i.test(file),
    );
    if (extra.length > 0) fail(`${pkg.manifest.name}: unexpected files in the tarball: ${extra.join(", ")}`);
    for (const [name, range] of Object.entries(pkg.packedManifest.dependencies ?? {})) {
      if (range !== `^${versions.get(name)}`) {
        fail(`${pkg.manifest.name}: packed dependency ${name}@${range}, expected ^${versions.get(name)}`);
      }
    }
  }
  summary.push(
    `pack      ${packed.length} tarballs: ${packed.map((pkg) => `${pkg.manifest.name}@${pkg.manifest.version} (${pkg.files.length} files)`).join(", ")}`,
  );

  // 2. publint, on the tarball's contents (strict: warnings are errors)
  const suggestions = [];
  for (const pkg of packed) {
    const tarball = readFileSync(pkg.tarball);
    const { messages, pkg: lintedManifest } = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      level: "suggestion",
      strict: true,
    });
    for (const message of messages) {
      const text = `${pkg.manifest.name}: ${formatMessage(message, lintedManifest, { color: false })}`;
      if (message.type === "suggestion") suggestions.push(text);
      else fail(`publint ${message.type}: ${text}`);
    }
    pkg.publintErrors = messages.filter((message) => message.type !== "suggestion").length;
  }
  const clean = packed.filter((pkg) => pkg.publintErrors === 0).length;
  summary.push(`publint   ${clean}/${packed.length} without errors or warnings (strict)`);
  const codes = [...new Set(suggestions.map((text) => text.replace(/^[^:]+: /, "")))];
  for (const text of codes) {
    const count = suggestions.filter((line) => line.endsWith(text)).length;
    summary.push(`          suggestion (${count} packages): ${text}`);
  }

  // 3. attw, two at a time (each run loads TypeScript: seconds of CPU)
  const attw = await pool(
    packed.map((pkg) => async () => {
      const { code, stdout, stderr } = await exec(bin("attw"), [
        "--format",
        "json",
        "--profile",
        "strict",
        pkg.tarball,
      ]);
      let report;
      try {
        report = JSON.parse(stdout);
      } catch {
        return { pkg, error: `attw did not report (exit ${code}):\n${stderr || stdout}` };
      }
      return { pkg, code, report };
    }),
    Math.max(1, Math.min(2, availableParallelism())),
  );
  for (const { pkg, code, report, error } of attw) {
    const name = pkg.manifest.name;
    if (error !== undefined) {
      fail(`attw ${name}: ${error}`);
      continue;
    }
    const problems = report.analysis.problems ?? [];
    for (const problem of problems) fail(`attw ${name}: ${problem.kind} (${JSON.stringify(problem)})`);
    if (problems.length === 0 && code !== 0) fail(`attw ${name}: exit code ${code} without problems`);
    const entry = report.analysis.entrypoints?.["."];
    const cells = resolutionKinds.map((kind) => {
      const types = entry?.resolutions?.[kind]?.resolution;
      const ok =
        types?.isTypeScript === true && (types.fileName.endsWith(".d.ts") || types.fileName.endsWith(".d.mts"));
      if (!ok) fail(`attw ${name}: no types for "." under ${kind}`);
      return `${kind} ${ok ? types.fileName.replace(/^.*\/dist\//, "") : "MISSING"}`;
    });
    summary.push(
      `attw      ${name}: ${problems.length === 0 ? "no problems" : `${problems.length} problems`}; ${cells.join(", ")}`,
    );
  }

  // 4. a consumer project that installs every tarball at once
  const consumer = join(temp, "consumer");
  mkdirSync(consumer);
  const dependencies = Object.fromEntries(packed.map((pkg) => [pkg.manifest.name, `file:${pkg.tarball}`]));
  // Overrides pin the dependencies between @sync packages (`^0.0.0`) to the
  // same tarballs too, so none of them can be looked up in the registry.
  const overrides = Object.fromEntries(packed.map((pkg) => [pkg.manifest.name, `$${pkg.manifest.name}`]));
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({ name: "sync-consumer", private: true, dependencies, overrides }, null, 2),
  );
  const install = await exec(
    "npm",
    [
      "install",
      "--offline",
      "--cache",
      join(temp, "npm-cache"),
      "--no-audit",
      "--no-fund",
      "--no-update-notifier",
      "--ignore-scripts",
      "--loglevel",
      "http",
    ],
    { cwd: consumer, env: { ...process.env, npm_config_registry: "https://registry.npmjs.org/" } },
  );
  if (install.code !== 0) throw new Error(`npm install of the tarballs failed:\n${install.stderr}${install.stdout}`);
  const registryRequests = `${install.stdout}\n${install.stderr}`
    .split("\n")
    .filter((line) => /npm http (fetch|cache)/.test(line) && !/@file:|file:\//.test(line));
  for (const line of registryRequests) fail(`npm install touched the registry: ${line}`);
  const lock = JSON.parse(readFileSync(join(consumer, "package-lock.json"), "utf8"));
  const syncNodes = Object.entries(lock.packages).filter(([path]) => /(^|\/)node_modules\/@sync\//.test(path));
  for (const [path, node] of syncNodes) {
    const pkg = packed.find((candidate) => path === `node_modules/${candidate.manifest.name}`);
    if (pkg === undefined) {
      fail(`consumer: ${path} installed besides the top-level copy (a second copy of an @sync package)`);
      continue;
    }
    const integrity = `sha512-${createHash("sha512").update(readFileSync(pkg.tarball)).digest("base64")}`;
    if (node.resolved !== `file:${pkg.tarball}` && !node.resolved?.endsWith(`/${pkg.tarball.split("/").pop()}`)) {
      fail(`consumer: ${path} resolved from ${node.resolved}, not from its tarball`);
    }
    if (node.integrity !== undefined && node.integrity !== integrity) {
      fail(`consumer: ${path} integrity ${node.integrity} is not the tarball's`);
    }
  }
  if (syncNodes.length !== packed.length)
    fail(`consumer: ${syncNodes.length} @sync packages installed, expected ${packed.length}`);
  summary.push(
    `install   npm install --offline (empty cache): ${syncNodes.length} @sync packages, each once, each from its tarball; ${registryRequests.length} registry requests`,
  );

  // 5a. run time: ESM and CommonJS
  // @sync/redis stays out of the umbrella; it is checked on its own below.
  const own = packed
    .filter((pkg) => pkg.manifest.name !== "@sync/primitives" && pkg.manifest.name !== "@sync/redis")
    .map((pkg) => pkg.manifest.name);
  const program = (kind) => {
    const load =
      kind === "esm" ? (name) => `await import(${JSON.stringify(name)})` : (name) => `require(${JSON.stringify(name)})`;
    return [
      kind === "esm" ? 'import assert from "node:assert/strict";' : 'const assert = require("node:assert/strict");',
      `const own = [${own.map((name) => `[${JSON.stringify(name)}, ${load(name)}]`).join(", ")}];`,
      `const all = ${load("@sync/primitives")};`,
      `${exercise.toString()}`,
      `${runExercises.toString()}`,
      `const redis = ${load("@sync/redis")};`,
      "assert.throws(() => new redis.RedisSync({}), TypeError);",
      `assert.ok(new redis.LeaseLostError("x") instanceof all.InvalidStateError, "LeaseLostError is core's InvalidStateError");`,
      "runExercises(assert, own, all).then((lines) => console.log(lines.join('\\n')), (error) => { console.error(error); process.exitCode = 1; });",
      "",
    ].join("\n");
  };
  for (const [kind, file] of [
    ["esm", "exercise.mjs"],
    ["cjs", "exercise.cjs"],
  ]) {
    writeFileSync(join(consumer, file), program(kind));
    const result = await exec(process.execPath, [file], { cwd: consumer });
    if (result.code !== 0) {
      fail(`${kind} consumer (${file}) failed:\n${result.stderr || result.stdout}`);
      summary.push(`${kind.padEnd(10)}FAILED`);
    } else {
      summary.push(`${kind.padEnd(10)}${file}: ${result.stdout.trim().split("\n").join("; ")}`);
    }
  }

  // 5b. types: node16 (ESM and CJS files) and bundler, strict, libraries checked too
  writeFileSync(join(consumer, "types.mts"), typesSource);
  writeFileSync(join(consumer, "types.cts"), typesSource);
  writeFileSync(join(consumer, "types.ts"), typesSource);
  writeFileSync(join(consumer, "wrong.mts"), wrongSource);
  writeFileSync(join(consumer, "wrong.ts"), wrongSource);
  writeFileSync(join(consumer, "plain.mts"), plainSource);
  const base = ["--noEmit", "--strict", "--skipLibCheck", "false", "--target", "es2022", "--pretty", "false"];
  // `using` needs the esnext.disposable lib (TypeScript >= 5.2); DOM brings AbortSignal.
  const common = [...base, "--lib", "es2022,esnext.disposable,dom"];
  const modes = [
    {
      name: "node16",
      flags: ["--module", "node16", "--moduleResolution", "node16"],
      files: ["types.mts", "types.cts"],
      wrong: "wrong.mts",
    },
    {
      name: "bundler",
      flags: ["--module", "esnext", "--moduleResolution", "bundler"],
      files: ["types.ts"],
      wrong: "wrong.ts",
    },
  ];
  const tsc = await pool(
    modes.flatMap((mode) => [
      async () => ({
        mode,
        expect: "pass",
        ...(await exec(bin("tsc"), [...common, ...mode.flags, ...mode.files], { cwd: consumer })),
      }),
      async () => ({
        mode,
        expect: "fail",
        ...(await exec(bin("tsc"), [...common, ...mode.flags, mode.wrong], { cwd: consumer })),
      }),
    ]),
    2,
  );
  // Not a failure, but worth knowing: a consumer whose lib lacks
  // esnext.disposable (TypeScript's default for target es2022) and who checks
  // libraries (skipLibCheck false) without @types/node.
  const node16 = modes[0].flags;
  const noDisposable = await exec(bin("tsc"), [...base, "--lib", "es2022,dom", ...node16, "plain.mts"], {
    cwd: consumer,
  });
  tsc.push({ mode: { name: "node16, lib es2022,dom" }, expect: "note", ...noDisposable });
  for (const { mode, expect, code, stdout, stderr } of tsc) {
    const output = `${stdout}${stderr}`.trim();
    if (expect === "note") {
      const errors = output.split("\n").filter((line) => /error TS\d+/.test(line));
      const note = code === 0 ? "clean" : `${errors.length} errors, e.g. ${errors[0] ?? output}`;
      summary.push(`note      tsc ${mode.name} (no esnext.disposable), plain.mts: ${note}`);
    } else if (expect === "pass") {
      if (code !== 0) fail(`tsc ${mode.name} on ${mode.files.join(", ")} failed:\n${output}`);
      summary.push(`tsc       ${mode.name}: ${mode.files.join(", ")} ${code === 0 ? "type-check clean" : "FAILED"}`);
    } else {
      const errors = output.split("\n").filter((line) => /error TS\d+/.test(line));
      const caught =
        code !== 0 &&
        errors.length === 1 &&
        errors[0].startsWith(`${mode.wrong}(`) &&
        errors[0].includes("error TS2322: Type 'boolean' is not assignable to type 'string'");
      if (!caught)
        fail(
          `tsc ${mode.name} did not catch exactly the deliberate error in ${mode.wrong}:\n${output || "(no output)"}`,
        );
      summary.push(`tsc       ${mode.name}: deliberate error ${caught ? `caught: ${errors[0]}` : "NOT caught"}`);
    }
  }
}

/**
 * The behaviour every consumer checks, once with the exports of the
 * primitive's own package and once with those of @sync/primitives. Embedded
 * into the consumer's .mjs and .cjs files by `toString()`, so it uses nothing
 * from this module's scope.
 */
async function exercise(assert, api) {
  const { Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier, BrokenBarrierError } = api;
  const { InvalidStateError, TimeoutError, WaiterQueue, withTimeout } = api;
  const log = [];

  const lock = new Lock();
  assert.equal(await lock.acquire(), true);
  const second = lock.acquire().then(() => log.push("lock: second"));
  assert.equal(String(lock), "<Lock [locked, waiters:1]>");
  lock.release();
  assert.deepEqual([lock.locked(), lock.waiters], [true, 0]);
  await second;
  await assert.rejects(lock.acquire({ timeout: 1 }), TimeoutError);
  const aborted = new AbortController();
  const pending = lock.acquire({ signal: aborted.signal });
  aborted.abort(new Error("stop"));
  await assert.rejects(pending, { message: "stop" });
  lock.release();
  assert.throws(() => lock.release(), InvalidStateError);
  const guard = await lock.hold();
  guard[Symbol.dispose]();
  guard.release();
  assert.equal(await lock.run(async () => (lock.locked() ? "ran locked" : "ran unlocked")), "ran locked");
  assert.deepEqual([lock.locked(), String(lock)], [false, "<Lock [unlocked]>"]);

  const event = new Event();
  const woken = event.wait().then(() => log.push("event: woken"));
  assert.equal(event.waiters, 1);
  event.set();
  await woken;
  assert.deepEqual([event.isSet(), String(event)], [true, "<Event [set]>"]);
  event.clear();
  assert.equal(event.isSet(), false);

  const condition = new Condition(lock);
  let ready = false;
  await condition.acquire();
  const waiting = condition.waitFor(() => ready).then((value) => log.push(`condition: ${value}`));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual([condition.waiters, lock.locked()], [1, false]);
  await condition.acquire();
  ready = true;
  condition.notifyAll();
  condition.release();
  await waiting;
  assert.equal(lock.locked(), true);
  condition.release();
  assert.throws(() => condition.notify(), InvalidStateError);
  assert.throws(() => new Condition({}), TypeError);

  const semaphore = new Semaphore(2);
  await semaphore.acquire();
  assert.equal(semaphore.tryAcquire(), true);
  assert.deepEqual([semaphore.value, semaphore.locked()], [0, true]);
  semaphore.release();
  semaphore.release();
  assert.equal(String(semaphore), "<Semaphore [unlocked, value:2]>");
  const bounded = new BoundedSemaphore(1);
  assert.ok(bounded instanceof Semaphore);
  assert.throws(() => bounded.release(), RangeError);
  assert.throws(() => new Semaphore(-1), RangeError);

  const barrier = new Barrier(3);
  const positions = await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]);
  assert.deepEqual(positions, [0, 1, 2]);
  const broken = barrier.wait();
  barrier.abort();
  await assert.rejects(broken, BrokenBarrierError);
  assert.ok(new BrokenBarrierError() instanceof InvalidStateError);
  assert.deepEqual([barrier.broken, String(barrier)], [true, "<Barrier [broken]>"]);

  assert.equal(await withTimeout(async () => "in time", 1000), "in time");
  await assert.rejects(
    withTimeout(
      (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
      1,
    ),
    TimeoutError,
  );
  assert.equal(new WaiterQueue().length, 0);

  assert.deepEqual(log, ["lock: second", "event: woken", "condition: true"]);
  return Object.keys(api).length;
}

/**
 * Checks that @sync/primitives re-exports exactly the exports of the other
 * packages, as the same objects, then runs `exercise` on both. Embedded like
 * `exercise`.
 */
async function runExercises(assert, own, all) {
  const merged = {};
  for (const [name, exports] of own) {
    for (const [key, value] of Object.entries(exports)) {
      assert.ok(!(key in merged), `${key} is exported twice`);
      assert.equal(all[key], value, `@sync/primitives re-exports ${key} of ${name}`);
      merged[key] = value;
    }
  }
  assert.deepEqual(Object.keys(all).sort(), Object.keys(merged).sort());
  const lines = [];
  for (const [label, api] of [
    ["own packages", merged],
    ["@sync/primitives", all],
  ]) {
    const count = await exercise(assert, api);
    lines.push(`${label} ok (${count} exports)`);
  }
  return lines;
}

/** A consumer's TypeScript, checked as .mts and .cts (node16) and .ts (bundler). */
const typesSource = `import { Barrier, BrokenBarrierError } from "@sync/barrier";
import { Condition } from "@sync/condition";
import { InvalidStateError, TimeoutError, WaiterQueue, withTimeout, type Guard, type WaitOptions } from "@sync/core";
import { Event } from "@sync/event";
import { Lock } from "@sync/lock";
import * as all from "@sync/primitives";
import { LeaseLostError, RedisSync, type Lease, type RedisSemaphore } from "@sync/redis";
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";

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

export async function consumer(options: WaitOptions): Promise<number> {
  // The same classes from both places: #private makes two copies incompatible.
  const lock: all.Lock = new Lock();
  const same: Lock = new all.Lock();
  const acquired: true = await lock.acquire(options);
  {
    using _guard = await lock.hold({ timeout: 10 });
  }
  const guard: Guard = await same.hold();
  guard.release();
  const text: string = await lock.run(async () => "done");
  const condition = new Condition(lock);
  const count: number = await condition.waitFor(() => 1, { signal: new AbortController().signal });
  const semaphore: Semaphore = new BoundedSemaphore(2);
  const event: all.Event = new Event();
  const set: boolean = event.isSet();
  const position: number = await new Barrier(1).wait();
  const error: InvalidStateError = new BrokenBarrierError();
  const timeout: Error = new TimeoutError();
  const queue = new WaiterQueue();
  const later: string = await withTimeout(async (signal: AbortSignal) => (signal.aborted ? "late" : "early"), 5);
  // @ts-expect-error locked() is a boolean
  const wrong: string = lock.locked();
  // @ts-expect-error a Barrier needs its number of parties
  new Barrier();
  // @ts-expect-error there is no such method
  lock.acquireNow();
  // @ts-expect-error timeout is a number
  void lock.acquire({ timeout: "5" });
  // @ts-expect-error Event.wait() resolves true, not a number
  const waited: number = await new all.Event().wait();
  // @ts-expect-error a Condition takes a Lock, not a Semaphore
  new Condition(semaphore);
  void [acquired, text, count, set, error, timeout, queue, later, wrong, waited];
  return position + semaphore.value + all.Semaphore.length;
}
`;

/** A consumer that uses no `using`, for the lib probe. */
const plainSource = `import { Lock } from "@sync/primitives";

export const held: Promise<boolean> = new Lock().run(async () => true);
`;

/** One deliberate type error: tsc must report it, so the check can fail. */
const wrongSource = `import { Lock } from "@sync/primitives";

export const wrong: string = new Lock().locked();
`;

const temp = mkdtempSync(join(tmpdir(), "sync-check-pack-"));
const tarballs = join(temp, "tarballs");
mkdirSync(tarballs);
try {
  await main();
} catch (error) {
  fail(`unexpected error: ${error?.stack ?? error}`);
} finally {
  // SYNC_CHECK_PACK_KEEP=1 keeps the tarballs and the consumer, to debug a failure.
  if (process.env.SYNC_CHECK_PACK_KEEP === "1") console.log(`\nkept ${temp}`);
  else rmSync(temp, { recursive: true, force: true });
}

console.log("\ncheck:pack summary");
for (const line of summary) console.log(`  ${line}`);
if (failures.length > 0) {
  console.log(`\nFAILED (${failures.length}):`);
  for (const message of failures) console.log(`  - ${message.replaceAll("\n", "\n    ")}`);
  process.exit(1);
}
console.log("\nall packaging checks passed");
