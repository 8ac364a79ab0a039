// (r6) Cancellation: one process holds a Redis lock while 1,000 waiters of
// the same process queue on it, each with its own AbortController; 500 of
// them, at random positions, abort, one after the other. The time from each
// abort to its rejection, until every abort has been seen, and (where the library keeps a
// queue on the server) until the server's queue has dropped them all. Then
// the holder releases: every other waiter is granted, no aborted one.
/* global AbortController */
import { check, pick, size } from "../lib/harness.mjs";
import { percentile, sleep } from "../lib/redis-harness.mjs";

export const group = "redis";
export const title = "Redis lock, cancellation: 500 of 1,000 queued waiters abort";
export const needs = "cancel";
export const modes = ["plain"];
export const processes = 1;
export const metrics = [
  { key: "worstUs", label: "µs from an abort to its rejection, worst" },
  { key: "p50Us", label: "µs from an abort to its rejection, p50" },
  { key: "allSeenUs", label: "µs from the first abort until every abort is seen" },
  { key: "queueMs", label: "ms until the server's queue has dropped them" },
];
export const cases = [{ label: "1,000 waiters, 500 abort", waiters: size(1_000, 100), aborts: size(500, 50) }];

export async function drive({ workers: [worker] }, testCase) {
  return worker.step("cancel", testCase);
}

export const steps = {
  async cancel(instance, { waiters, aborts }, _state, { clock }) {
    const lock = instance.lock("r6");
    const held = await lock.acquire();
    const reason = new Error("aborted by the bench");
    const controllers = [];
    const rejectedAt = new Array(waiters);
    const granted = [];
    const settled = [];
    for (let i = 0; i < waiters; i++) {
      const controller = new AbortController();
      controllers.push(controller);
      settled.push(
        lock.acquire(controller.signal).then(
          (handle) => {
            granted.push(i);
            return lock.release(handle);
          },
          (error) => {
            if (error === reason) rejectedAt[i] = clock();
            else throw error;
          },
        ),
      );
    }
    // Every waiter is queued on the server, or has made its first attempt.
    if (instance.waiters) while ((await instance.waiters("r6")) < waiters) await sleep(1);
    else await sleep(100);

    // One abort at a time, each awaited until its promise has rejected, so
    // that each latency is its own and not the rest of a loop of aborts.
    const victims = pick(aborts, waiters, waiters); // the same positions for every library
    const latencies = [];
    const first = clock();
    for (const i of victims) {
      const at = clock();
      controllers[i].abort(reason);
      await settled[i];
      check(rejectedAt[i] !== undefined, "an aborted waiter did not reject with the abort's reason");
      latencies.push(rejectedAt[i] - at);
    }
    const allSeenUs = clock() - first;
    latencies.sort((a, b) => a - b);
    let queueMs;
    if (instance.waiters) {
      while ((await instance.waiters("r6")) > waiters - aborts) await sleep(0);
      queueMs = (clock() - first) / 1e3;
    }

    check(granted.length === 0, `${granted.length} waiters granted while the lock was held`);
    await lock.release(held);
    await Promise.all(settled);
    const aborted = new Set(victims);
    check(granted.length === waiters - aborts, `${granted.length} of ${waiters - aborts} waiters granted`);
    check(
      granted.every((i) => !aborted.has(i)),
      "an aborted waiter was granted",
    );
    return { worstUs: latencies[latencies.length - 1], p50Us: percentile(latencies, 0.5), allSeenUs, queueMs };
  },
};
