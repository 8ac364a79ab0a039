// Real child processes contending for one lock: exclusion, FIFO order and
// rising tokens across processes, and what happens when a process dies while
// it holds or while it waits.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { build } from "esbuild";
import { describeRedis, eventually, kinds, useRedis } from "./harness";

const root = join(__dirname, "..", "..", "..");
// The child, bundled once per run (with the package from its sources, or
// from dist under SYNC_TEST_DIST=1) so that each process starts in a blink.
// It lands under node_modules, where `redis` and `ioredis` resolve.
const childScript = join(__dirname, "..", "node_modules", ".cache", `child-${process.pid}.mjs`);
beforeAll(async () => {
  await build({
    entryPoints: [join(__dirname, "fixtures", "child.ts")],
    outfile: childScript,
    bundle: true,
    platform: "node",
    format: "esm",
    external: ["redis", "ioredis"],
    tsconfig: join(root, "tsconfig.json"),
    logLevel: "error",
  });
});
afterAll(() => rmSync(childScript, { force: true }));

interface Child {
  process: ChildProcessWithoutNullStreams;
  events: Record<string, unknown>[];
  /** Resolves with the first event of this kind (already seen or to come). */
  next(event: string): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function start(url: string, kind: string, mode: string, name: string, lease: number): Child {
  const child = spawn(process.execPath, [childScript, url, kind, mode, name, String(lease)], {
    cwd: root,
    env: process.env,
  });
  const events: Record<string, unknown>[] = [];
  const waiting: [string, (event: Record<string, unknown>) => void][] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    const event = JSON.parse(line) as Record<string, unknown>;
    events.push(event);
    for (const [i, [name, resolve]] of [...waiting.entries()].reverse()) {
      if (name === event.event) {
        waiting.splice(i, 1);
        resolve(event);
      }
    }
  });
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      if (code !== 0 && code !== null) console.error(stderr);
      resolve(code);
    }),
  );
  return {
    process: child,
    events,
    exited,
    next: (event) => {
      const seen = events.find((e) => e.event === event);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiting.push([event, resolve]);
        void exited.then(() => reject(new Error(`child exited before "${event}": ${stderr}`)));
      });
    },
  };
}

describeRedis.each(kinds)("processes (%s)", (kind) => {
  const redis = useRedis(kind);
  const children: Child[] = [];
  const spawnChild = (mode: string, name: string, lease: number): Child => {
    const child = start(redis.server.url, kind, mode, name, lease);
    children.push(child);
    return child;
  };
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.process.kill("SIGKILL");
      await child.exited;
    }
  });

  test("four processes contend: one at a time, in the order they asked, with rising tokens", async () => {
    const sync = await redis.sync();
    const lock = sync.lock("contend");
    const first = await lock.hold();
    const contenders = Array.from({ length: 4 }, () => spawnChild("contend", "contend", 2_000));
    await Promise.all(contenders.map((child) => child.next("ready")));
    for (const [i, child] of contenders.entries()) {
      child.process.stdin.write("go\n");
      await eventually(async () => (await lock.waiters()) === i + 1, 10_000);
    }
    await first.release();
    const granted = await Promise.all(contenders.map((child) => child.next("granted")));
    expect(await Promise.all(contenders.map((child) => child.exited))).toEqual([0, 0, 0, 0]);
    expect(granted.map((event) => event.token)).toEqual([1, 2, 3, 4].map((i) => first.token + i));
    expect(granted.map((event) => event.inside)).toEqual([1, 1, 1, 1]);
    expect(await lock.locked()).toBe(false);
  }, 30_000);

  test("a holder that dies: its lease runs out and the next waiter is granted within about `lease`", async () => {
    const lease = 400;
    const holder = spawnChild("hold", "die-holding", lease);
    const { token } = await holder.next("granted");
    const sync = await redis.sync({ lease });
    const waiting = sync.lock("die-holding").hold();
    await eventually(async () => (await sync.lock("die-holding").waiters()) === 1);
    const killed = performance.now();
    holder.process.kill("SIGKILL");
    const next = await waiting;
    const after = performance.now() - killed;
    expect(next.token).toBe(Number(token) + 1);
    // The dead lease had at most `lease` left; the waiter's process reaps at
    // its end (a bound with room for a loaded machine).
    expect(after).toBeLessThan(2 * lease);
    await next.release();
  }, 30_000);

  test("a waiter that dies leaves the queue within `lease`: it never stalls the ones behind it", async () => {
    // Long enough that a live child starved of CPU on a loaded machine keeps
    // its heartbeat in time.
    const lease = 1_000;
    const sync = await redis.sync({ lease });
    const lock = sync.lock("die-waiting");
    const held = await lock.hold();
    const dead = spawnChild("queue", "die-waiting", lease);
    await dead.next("asking");
    await eventually(async () => (await lock.waiters()) === 1, 10_000);
    const behind = (await redis.sync({ lease })).lock("die-waiting").hold();
    await eventually(async () => (await lock.waiters()) === 2);
    dead.process.kill("SIGKILL");
    await dead.exited;
    const killed = performance.now();
    await eventually(async () => (await lock.waiters()) === 1, 2_000);
    expect(performance.now() - killed).toBeLessThan(2 * lease);
    await held.release();
    const next = await behind;
    expect(next.token).toBe(held.token + 1); // the dead waiter was never granted
    await next.release();
  }, 30_000);
});
