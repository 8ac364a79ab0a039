/*
 * Soak: what the model tests cannot see. They check each primitive's
 * semantics step by step under fake timers; this drives a million mixed
 * operations through every primitive at once, from 64 concurrent tasks, with
 * real timers and random aborts and timeouts, and then checks for leaks:
 *
 *   - every waiting call settled, with a value or an expected error, and no
 *     primitive ever had more holders than it allows;
 *   - every primitive is back at rest (unlocked, full, no waiters);
 *   - no abort listener is left on the signals the calls used;
 *   - no timer is left (a forgotten timer would also keep the process alive);
 *   - the heap, after GC, grew by less than SOAK_HEAP_LIMIT_MB (default 2)
 *     from a baseline taken after a warm-up.
 *
 * `pnpm soak` runs `node --import tsx --expose-gc scripts/soak.ts` (tsx maps
 * @sync/* to the sources through tsconfig.json, no build needed);
 * SOAK_OPS=100000 makes it short (CI).
 */
import { getEventListeners } from "node:events";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
  Semaphore,
  TimeoutError,
  withTimeout,
  type WaitOptions,
} from "@sync/primitives";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("soak: run it with node --expose-gc");
const totalOps = Number(process.env.SOAK_OPS ?? 1_000_000);
if (!Number.isInteger(totalOps) || totalOps <= 0) throw new Error("soak: SOAK_OPS must be a positive integer");
const heapLimit = Number(process.env.SOAK_HEAP_LIMIT_MB ?? 2) * 2 ** 20;

const pick = (n: number): number => Math.floor(Math.random() * n);

/** The reason the soak aborts with, so its aborts can be told from any other error. */
class SoakAbort extends Error {}

const lock = new Lock();
const cond = new Condition();
const event = new Event();
const sem = new Semaphore(3);
const bounded = new BoundedSemaphore(2);
const barrier = new Barrier(3);
let items = 0;

const counts = { created: 0, fulfilled: 0, timedOut: 0, aborted: 0, broken: 0, aborts: 0, nudges: 0 };
const problems: string[] = [];
const problem = (message: string): void => void (problems.length < 20 && problems.push(message));

// Signals: a few long-lived ones that never abort, and fresh ones that the
// aborter may abort while their call waits. A fixed-size sample of the fresh
// ones is kept to look for leftover listeners at the end.
const shared = Array.from({ length: 8 }, () => new AbortController());
const live: AbortController[] = [];
const sample: AbortController[] = [];
const fresh = (): AbortSignal => {
  const controller = new AbortController();
  live.push(controller);
  if (live.length > 4096) live.splice(0, 2048);
  if (sample.length < 512) sample.push(controller);
  else if (pick(64) === 0) sample[pick(512)] = controller;
  return controller.signal;
};
const options = (): WaitOptions | undefined => {
  const r = Math.random();
  if (r < 0.4) return undefined;
  if (r < 0.6) return { signal: shared[pick(shared.length)]!.signal };
  if (r < 0.75) return { signal: fresh() };
  if (r < 0.88) return { timeout: pick(4) };
  // A timeout far beyond the run: a timer a settled call failed to clear would still be pending at the end.
  if (r < 0.92) return { signal: fresh(), timeout: 60_000 };
  return { signal: fresh(), timeout: 1 + pick(5) };
};

/** Counts a waiting call and how it settled; resolves undefined on an expected rejection. */
const watch = async <T>(promise: Promise<T>): Promise<T | undefined> => {
  counts.created++;
  try {
    const value = await promise;
    counts.fulfilled++;
    return value;
  } catch (error) {
    if (error instanceof TimeoutError) counts.timedOut++;
    else if (error instanceof SoakAbort) counts.aborted++;
    else if (error instanceof BrokenBarrierError) counts.broken++;
    else problem(`unexpected error: ${String(error)}`);
    return undefined;
  }
};
const settled = (): number => counts.fulfilled + counts.timedOut + counts.aborted + counts.broken;

const pause = async (): Promise<void> => {
  const r = Math.random();
  if (r < 0.5) return;
  if (r < 0.9) await Promise.resolve();
  else await new Promise((resolve) => setImmediate(resolve));
};

/** The body of a holder: counts itself in, checks the bound, pauses, counts itself out. */
const inside = { lock: 0, sem: 0, bounded: 0 };
const hold = async (name: keyof typeof inside, bound: number): Promise<void> => {
  if (++inside[name] > bound) problem(`${name}: ${inside[name]} holders, at most ${bound} allowed`);
  await pause();
  inside[name]--;
};

const operations: [weight: number, run: () => Promise<unknown>][] = [
  [10, () => watch(lock.run(() => hold("lock", 1), options()))],
  [
    6,
    async () => {
      const guard = await watch(lock.hold(options()));
      if (guard === undefined) return;
      await hold("lock", 1);
      guard.release();
      guard.release(); // a second release does nothing
    },
  ],
  [8, () => watch(sem.run(() => hold("sem", 3), options()))],
  [
    6,
    async () => {
      if ((await watch(bounded.acquire(options()))) === undefined) return;
      await hold("bounded", 2);
      bounded.release();
    },
  ],
  [8, () => watch(event.wait(options()))],
  [3, async () => (Math.random() < 0.5 ? event.set() : event.clear())],
  // Condition: consumers wait for an item, producers add one and notify.
  [
    7,
    () =>
      watch(
        cond.run(async () => {
          try {
            if (Math.random() < 0.5) await cond.waitFor(() => items > 0, options());
            else while (items === 0) await cond.wait(options());
          } finally {
            // Resolved or rejected, a wait comes back holding the lock.
            if (!cond.locked()) problem(`condition: back from waiting without the lock`);
          }
          if (items <= 0) problem(`condition: took an item when there were ${items}`);
          items--;
        }),
      ),
  ],
  [7, () => watch(cond.run(() => (items++, Math.random() < 0.8 ? cond.notify() : cond.notifyAll())))],
  [5, () => watch(barrier.wait(options()))],
  [1, async () => (Math.random() < 0.2 ? barrier.abort() : barrier.reset())],
  [
    6,
    () =>
      watch(
        withTimeout(
          (signal) =>
            Math.random() < 0.5
              ? lock.run(() => hold("lock", 1), { signal })
              : sem.run(() => hold("sem", 3), { signal }),
          pick(4),
          Math.random() < 0.3 ? { signal: fresh() } : undefined,
        ),
      ),
  ],
  // The aborter: aborts one of the newest fresh signals, whose calls are the likeliest to wait still.
  [
    8,
    async () => {
      const controller = live[live.length - 1 - pick(Math.min(64, live.length))];
      if (controller === undefined || controller.signal.aborted) return;
      counts.aborts++;
      controller.abort(new SoakAbort());
    },
  ],
];
const table = operations.flatMap(([weight, run]) => Array<() => Promise<unknown>>(weight).fill(run));

/** Runs `n` operations from 64 tasks. */
async function drive(n: number): Promise<void> {
  let done = 0;
  let lastSettled = -1;
  let stalled = 0;
  // When every task waits on what only another operation would release (an
  // event nobody sets, a barrier short of parties, a condition nobody
  // notifies), a pulse wakes them. If that does not help for 2 s, a waiter
  // is lost: fail.
  const pulse = setInterval(() => {
    if (!cond.locked() && items > 0 && cond.waiters > 0) problem(`condition: lost wake-up, ${items} items left`);
    if (settled() !== lastSettled) {
      lastSettled = settled();
      stalled = 0;
      return;
    }
    counts.nudges++;
    event.set();
    barrier.reset();
    if (!cond.locked() && cond.waiters > 0) void cond.run(() => ((items += cond.waiters), cond.notifyAll()));
    if (++stalled > 400) {
      const pending = counts.created - settled();
      console.log(`soak: FAIL: no progress for 2 s, ${pending} calls pending: ${String(lock)} ${String(cond)}`);
      process.exit(1);
    }
  }, 5);
  const worker = async (): Promise<void> => {
    while (done++ < n) await table[pick(table.length)]!();
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  clearInterval(pulse);
}

/** Brings every primitive to rest, then collects garbage and returns the heap used. */
async function rest(): Promise<number> {
  event.set();
  event.clear();
  barrier.reset();
  live.length = 0;
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc!();
  }
  return process.memoryUsage().heapUsed;
}

const warmUp = Math.min(50_000, Math.max(10_000, Math.floor(totalOps / 10)));
await drive(warmUp);
const baseline = await rest();
const started = performance.now();
await drive(totalOps);
const seconds = (performance.now() - started) / 1000;
const final = await rest();

if (counts.created !== settled()) problem(`${counts.created - settled()} of ${counts.created} calls never settled`);
const atRest: [Lock | Condition | Semaphore | Event | Barrier, boolean][] = [
  [lock, !lock.locked() && lock.waiters === 0],
  [sem, sem.value === 3 && sem.waiters === 0],
  [bounded, bounded.value === 2 && bounded.waiters === 0],
  [event, event.waiters === 0],
  [cond, !cond.locked() && cond.waiters === 0],
  [barrier, !barrier.broken && barrier.nWaiting === 0],
];
for (const [primitive, ok] of atRest) if (!ok) problem(`not at rest: ${String(primitive)}`);
const listeners = [...shared, ...sample].reduce((sum, c) => sum + getEventListeners(c.signal, "abort").length, 0);
if (listeners > 0) problem(`${listeners} abort listeners left on the signals`);
const timers = process.getActiveResourcesInfo().filter((name) => name === "Timeout" || name === "Immediate").length;
if (timers > 0) problem(`${timers} timers still pending`);
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(2)} MB`;
if (final - baseline > heapLimit) problem(`the heap grew by ${mb(final - baseline)}, more than ${mb(heapLimit)}`);

const n = (value: number): string => value.toLocaleString("en");
console.log(
  `soak: ${n(totalOps)} operations (+ ${n(warmUp)} warm-up) in ${seconds.toFixed(1)} s; ` +
    `${n(counts.created)} waiting calls: ${n(counts.fulfilled)} fulfilled, ${n(counts.timedOut)} TimeoutError, ` +
    `${n(counts.aborted)} aborted (${n(counts.aborts)} aborts), ${n(counts.broken)} BrokenBarrierError; ` +
    `${counts.nudges} nudges; listeners left ${listeners}, timers left ${timers}; ` +
    `heap ${mb(baseline)} -> ${mb(final)} (limit +${mb(heapLimit)})`,
);
if (problems.length > 0) {
  console.log(`soak: FAIL\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
console.log("soak: every check passed");
