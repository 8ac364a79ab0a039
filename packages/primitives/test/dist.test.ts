// Smoke test of what is published: for every package, a fresh `node` loads
// the BUILT bundle, once as ESM (`import` of dist/index.mjs) and once as
// CommonJS (`require` of dist/index.cjs), and drives a real behaviour
// through it. `@sync/*` imports inside the bundles resolve as they will for
// users, through node_modules and each package's `exports` map. This test
// never builds: run `pnpm build` first.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as source from "@sync/primitives";

const root = resolve(__dirname, "../../..");
// What the source exports (with SYNC_TEST_DIST=1, the CommonJS bundle seen
// through the module interop, which adds `default`).
const sourceExports = Object.keys(source)
  .filter((key) => key !== "default")
  .sort();

// Spawning node on a machine shared with other jobs can be slow.
jest.setTimeout(30_000);

type Format = "esm" | "cjs";
const bundleFile: Record<Format, string> = { esm: "index.mjs", cjs: "index.cjs" };

/** The path of a built bundle; fails with what to do when it is missing. */
function built(name: string, format: Format): string {
  const path = join(root, "packages", name, "dist", bundleFile[format]);
  if (!existsSync(path)) {
    throw new Error(
      `${relative(root, path)} is missing: run \`pnpm build\` first (this test checks the built bundles and does not build them)`,
    );
  }
  return path;
}

/**
 * Runs `body` in a fresh node against the built bundles: `m` is the package
 * under test, `core` and `lock` are @sync/core and @sync/lock loaded from
 * their own dist (the same files the package's `@sync/*` imports reach,
 * so `instanceof` across packages is checked too). Returns what `body`
 * returns, through JSON, plus the timers still pending at the end.
 */
function runBuilt(name: string, format: Format, body: string): unknown {
  const [m, core, lock] = [built(name, format), built("core", format), built("lock", format)];
  const program = `
    const tick = async () => { for (let i = 0; i < 10; i++) await null; };
    const check = async (m, core, lock) => { ${body} };
    const report = (result) => console.log(JSON.stringify({
      result,
      pendingTimers: process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length,
    }));`;
  const script =
    format === "esm"
      ? `import * as m from ${JSON.stringify(pathToFileURL(m).href)};
         import * as core from ${JSON.stringify(pathToFileURL(core).href)};
         import * as lock from ${JSON.stringify(pathToFileURL(lock).href)};
         ${program}
         report(await check(m, core, lock));`
      : `const m = require(${JSON.stringify(m)});
         const core = require(${JSON.stringify(core)});
         const lock = require(${JSON.stringify(lock)});
         ${program}
         check(m, core, lock).then(report, (error) => { console.error(error); process.exitCode = 1; });`;
  const args = format === "esm" ? ["--input-type=module", "-e", script] : ["-e", script];
  const output = execFileSync(process.execPath, args, {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(output) as unknown;
}

const checks: Record<string, { body: string; expected: Record<string, unknown> }> = {
  core: {
    body: `
      const queue = new m.WaiterQueue();
      const log = [];
      for (const name of ["a", "b", "c"]) queue.wait().then((value) => log.push(name + ":" + value));
      const controller = new AbortController();
      const leaving = queue.wait({ signal: controller.signal }).catch((reason) => reason);
      controller.abort("stop");
      const lengthAfterAbort = queue.length;
      for (let waiter; (waiter = queue.shift()) !== undefined; ) waiter.grant("ok");
      const refused = await queue.wait({ timeout: 0 }).catch((error) => error);
      await tick();
      return {
        log,
        lengthAfterAbort,
        leftWith: await leaving,
        timeoutError: [refused instanceof m.TimeoutError, refused instanceof Error, refused.name],
        invalidState: new m.InvalidStateError("x") instanceof m.InvalidStateError,
        withTimeout: await m.withTimeout(async (signal) => "aborted: " + signal.aborted, 60_000),
        guardDisposes: typeof m.Guard.prototype[Symbol.dispose],
      };`,
    expected: {
      log: ["a:ok", "b:ok", "c:ok"],
      lengthAfterAbort: 3,
      leftWith: "stop",
      timeoutError: [true, true, "TimeoutError"],
      invalidState: true,
      withTimeout: "aborted: false",
      guardDisposes: "function",
    },
  },
  lock: {
    body: `
      const l = new m.Lock();
      const log = [];
      await l.acquire();
      const second = l.acquire().then(() => log.push("second holds"));
      const queued = String(l);
      l.release();
      const handedOver = [l.locked(), l.waiters];
      await second;
      // A queued call with a long timer that then aborts: its timer must go.
      const controller = new AbortController();
      const aborted = l.acquire({ signal: controller.signal, timeout: 60_000 }).catch((reason) => reason);
      controller.abort("stop");
      const refused = await l.acquire({ timeout: 0 }).catch((error) => error);
      l.release();
      let invalid;
      try { l.release(); } catch (error) { invalid = error; }
      const guard = await l.hold();
      const held = l.locked();
      guard[Symbol.dispose]();
      guard.release();
      return {
        queued, handedOver, log, held, after: String(l), aborted: await aborted,
        refused: [refused instanceof core.TimeoutError, refused.name],
        invalid: [invalid instanceof core.InvalidStateError, invalid.name, invalid.message],
      };`,
    expected: {
      queued: "<Lock [locked, waiters:1]>",
      handedOver: [true, 0],
      log: ["second holds"],
      held: true,
      after: "<Lock [unlocked]>",
      aborted: "stop",
      refused: [true, "TimeoutError"],
      invalid: [true, "InvalidStateError", "Lock is not acquired"],
    },
  },
  event: {
    body: `
      const event = new m.Event();
      const log = [];
      const woken = event.wait().then((value) => log.push("woken " + value));
      const waiting = [event.waiters, String(event)];
      event.set();
      event.clear(); // too late to stop the waiter: set() woke it already
      await woken;
      const refused = await event.wait({ timeout: 0 }).catch((error) => error);
      return { waiting, log, isSet: event.isSet(), refused: [refused instanceof core.TimeoutError, refused.name] };`,
    expected: {
      waiting: [1, "<Event [unset, waiters:1]>"],
      log: ["woken true"],
      isSet: false,
      refused: [true, "TimeoutError"],
    },
  },
  semaphore: {
    body: `
      const sem = new m.Semaphore(2);
      const values = [sem.value];
      await sem.acquire();
      values.push(sem.value);
      await sem.acquire();
      values.push(sem.value);
      const third = sem.acquire();
      const queued = [sem.waiters, sem.locked()];
      sem.release();
      const handedOver = [sem.value, sem.waiters];
      await third;
      sem.release();
      sem.release();
      values.push(sem.value);
      const bounded = new m.BoundedSemaphore(1);
      let tooMany;
      try { bounded.release(); } catch (error) { tooMany = error; }
      return {
        values, queued, handedOver,
        bounded: [bounded instanceof m.Semaphore, tooMany instanceof RangeError, bounded.value, String(bounded)],
      };`,
    expected: {
      values: [2, 1, 0, 2],
      queued: [1, true],
      handedOver: [0, 0],
      bounded: [true, true, 1, "<BoundedSemaphore [unlocked, value:1]>"],
    },
  },
  condition: {
    body: `
      const cond = new m.Condition(new lock.Lock()); // a Lock from @sync/lock's own bundle
      let invalid;
      try { cond.notify(); } catch (error) { invalid = error; }
      const log = [];
      await cond.acquire();
      const waiting = cond.wait().then((value) => log.push("notified " + value));
      const released = [cond.waiters, cond.locked()];
      await cond.acquire();
      cond.notify();
      const afterNotify = cond.waiters;
      cond.release();
      await waiting;
      const heldAgain = cond.locked();
      cond.release();
      let notALock;
      try { new m.Condition({}); } catch (error) { notALock = error; }
      return {
        released, afterNotify, log, heldAgain, after: String(cond),
        invalid: [invalid instanceof core.InvalidStateError, invalid.name],
        notALock: notALock instanceof TypeError,
      };`,
    expected: {
      released: [1, false],
      afterNotify: 0,
      log: ["notified true"],
      heldAgain: true,
      after: "<Condition [unlocked]>",
      invalid: [true, "InvalidStateError"],
      notALock: true,
    },
  },
  barrier: {
    body: `
      const barrier = new m.Barrier(3);
      const first = [barrier.wait(), barrier.wait()];
      const filling = [barrier.nWaiting, String(barrier)];
      const last = await barrier.wait();
      const positions = [...(await Promise.all(first)), last];
      const after = String(barrier);
      const broken = barrier.wait();
      barrier.abort();
      const error = await broken.catch((reason) => reason);
      return {
        filling, positions, after,
        broken: [error instanceof m.BrokenBarrierError, error instanceof core.InvalidStateError, error.name, barrier.broken],
      };`,
    expected: {
      filling: [2, "<Barrier [filling, waiters:2/3]>"],
      positions: [0, 1, 2],
      after: "<Barrier [filling, waiters:0/3]>",
      broken: [true, true, "BrokenBarrierError", true],
    },
  },
  primitives: {
    body: `
      const l = new m.Lock();
      await l.acquire();
      const second = l.acquire();
      l.release();
      const handedOver = [l.locked(), l.waiters];
      await second;
      l.release();
      const sem = new m.Semaphore(3);
      await sem.acquire();
      const event = new m.Event();
      event.set();
      const barrier = new m.Barrier(2);
      const positions = await Promise.all([barrier.wait(), barrier.wait()]);
      let invalid;
      try { l.release(); } catch (error) { invalid = error; }
      const refused = await new m.Event().wait({ timeout: 0 }).catch((error) => error);
      return {
        handedOver, value: sem.value, isSet: event.isSet(), positions,
        errors: [invalid instanceof m.InvalidStateError, refused instanceof m.TimeoutError],
        sameClasses: [m.InvalidStateError === core.InvalidStateError, m.Lock === lock.Lock],
        exports: Object.keys(m).sort(),
      };`,
    expected: {
      handedOver: [true, 0],
      value: 2,
      isSet: true,
      positions: [0, 1],
      errors: [true, true],
      sameClasses: [true, true],
      exports: sourceExports,
    },
  },
  // Not in the umbrella. Its tests with a server run on this bundle too
  // (SYNC_TEST_DIST=1); this checks the bundle without one.
  redis: {
    body: `
      let refused;
      try { new m.RedisSync({}); } catch (error) { refused = error; }
      const lost = new m.LeaseLostError("lost");
      return {
        refused: [refused instanceof TypeError, refused.message],
        lost: [lost instanceof core.InvalidStateError, lost.name],
        exports: Object.keys(m).sort(),
      };`,
    expected: {
      refused: [true, "client must be a node-redis or ioredis client"],
      lost: [true, "LeaseLostError"],
      exports: ["LeaseLostError", "RedisSync"],
    },
  },
};

describe.each(Object.keys(checks))("@sync/%s", (name) => {
  const { body, expected } = checks[name]!;
  const results: Partial<Record<Format, unknown>> = {};

  it.each<Format>(["esm", "cjs"])("works through the built %s bundle", (format) => {
    const output = runBuilt(name, format, body);
    expect(output).toEqual({ result: expected, pendingTimers: 0 });
    results[format] = output;
  });

  it("gives the same results through both bundles", () => {
    expect(results.esm).toBeDefined();
    expect(results.cjs).toEqual(results.esm);
  });
});

describe("the bundles", () => {
  it("cover every package in the repository", () => {
    expect(Object.keys(checks).sort()).toEqual(readdirSync(join(root, "packages")).sort());
  });

  it("@sync/primitives exports everything API.md lists", () => {
    expect(sourceExports).toEqual(
      expect.arrayContaining([
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
      ]),
    );
  });

  it("a missing bundle fails with a message that says to run `pnpm build`", () => {
    expect(() => runBuilt("no-such-package", "esm", "return 1;")).toThrow(
      "packages/no-such-package/dist/index.mjs is missing: run `pnpm build` first",
    );
  });
});
