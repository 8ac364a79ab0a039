// Shared helpers of the bench: sizes, checks, timing, statistics and the
// seeded random numbers that make every library face the same positions.
import { performance } from "node:perf_hooks";
import { setImmediate } from "node:timers";
import { getHeapStatistics } from "node:v8";

/** BENCH_QUICK=1: small sizes and 2 rounds, a smoke check that still runs every assertion. */
export const QUICK = process.env.BENCH_QUICK === "1";

/**
 * JSON that keeps an infinity (as the string "Infinity"): a ratio over a
 * task that never got a hold is infinite, and plain JSON would make it null.
 */
export const toJSON = (value) => JSON.stringify(value, (_, v) => (v === Infinity ? "Infinity" : v));
export const fromJSON = (text) => JSON.parse(text, (_, v) => (v === "Infinity" ? Infinity : v));

/** Picks the full or the quick value of a size. */
export const size = (full, quick) => (QUICK ? quick : full);

/**
 * The assertion every scenario makes about what it measures: a broken
 * exclusion, limit or wake-up stops the bench instead of giving a number.
 */
export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** Milliseconds since an arbitrary origin, with sub-microsecond resolution. */
export const now = () => performance.now();

/**
 * Lets every pending promise reaction run: a macrotask comes only after the
 * microtask queue is empty, and `process.nextTick` work (await-semaphore
 * schedules with it) runs before it too.
 */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A full collection, before a heap is measured. */
export function collectGarbage() {
  if (typeof globalThis.gc !== "function") throw new Error("run node with --expose-gc");
  globalThis.gc();
  globalThis.gc();
}

/**
 * Collects the young generation only, twice, so that what survives is
 * promoted: the scavenges that one run's allocations left due are paid
 * before the next run is timed, and one library's garbage is not charged
 * to the next. Unlike a full GC it leaves the shapes and the compiled code
 * alone, as a running app has them, which the timed run would otherwise
 * spend time rebuilding (Node's own abort path included).
 */
export function collectYoung() {
  if (typeof globalThis.gc !== "function") throw new Error("run node with --expose-gc");
  globalThis.gc({ type: "minor" });
  globalThis.gc({ type: "minor" });
}

/** Bytes in use on the V8 heap (call after {@link collectGarbage}). */
export const heapUsed = () => getHeapStatistics().used_heap_size;

/** mulberry32: a small seeded PRNG, so abort positions are the same for every library. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct integers in `[0, n)`, in increasing order. */
export function pick(count, n, seed) {
  const next = random(seed);
  const chosen = new Set();
  while (chosen.size < count) chosen.add(Math.floor(next() * n));
  return [...chosen].sort((a, b) => a - b);
}

/** Median, minimum and maximum of a list of numbers. */
export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/**
 * Proves that `lock` excludes: while one caller holds it, a second acquire
 * stays pending, and it is granted once the first releases. Run once per
 * measured run, after the timed part, for every lock-like adapter.
 */
export async function checkExclusion(lock, name) {
  let second = false;
  if (lock.acquire) {
    const first = await lock.acquire();
    const pending = lock.acquire().then((token) => {
      second = true;
      return token;
    });
    await settle();
    check(!second, `${name}: a second acquire got in while the lock was held`);
    lock.release(first);
    const token = await pending;
    check(second, `${name}: release did not grant the waiting acquire`);
    lock.release(token);
  } else {
    let release;
    const first = lock.run(() => new Promise((resolve) => (release = resolve)));
    const pending = lock.run(() => (second = true));
    await settle();
    check(!second, `${name}: a second run got in while the first held the lock`);
    release();
    await Promise.all([first, pending]);
    check(second, `${name}: the second run never ran`);
  }
}
