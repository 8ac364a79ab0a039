// (r4) Fairness: one process holds a Redis lock; 200 waiters queue on it
// from 4 processes in turn (waiter k from process k mod 4), each only once
// the one before it is in: its first request answered, or a reply after it
// on the same connection. Then the holder releases and each waiter, once
// granted, releases at once. Inversions between arrival and grant order, and
// the time from the release until the last waiter's code ran.
import { check, size } from "../lib/harness.mjs";
import { setImmediate } from "node:timers";
import { inversions } from "../lib/redis-harness.mjs";

export const group = "redis";
export const title = "Redis lock, fairness: 200 waiters from 4 processes";
export const needs = "lock";
export const modes = ["plain"];
export const processes = 4;
export const metrics = [
  { key: "inversions", label: "pairs granted out of arrival order, %" },
  { key: "drainMs", label: "ms from the release to the last grant" },
];
const waiters = size(200, 20);
export const cases = [{ label: `${waiters} waiters`, waiters }];

export async function drive({ workers }, { waiters }) {
  await workers[0].step("hold");
  for (let k = 0; k < waiters; k++) await workers[k % workers.length].step("arrive", { k });
  const start = await workers[0].step("release");
  const grants = (await Promise.all(workers.map((worker) => worker.step("grants")))).flat();
  check(grants.length === waiters, `${grants.length} of ${waiters} waiters granted`);
  grants.sort((a, b) => a.at - b.at);
  const { share } = inversions(grants.map((grant) => grant.k));
  return { inversions: share, drainMs: (grants[grants.length - 1].at - start) / 1e3 };
}

export const steps = {
  async hold(instance, _args, state) {
    state.lock = instance.lock("r4");
    state.held = await state.lock.acquire();
  },
  async arrive(instance, { k }, state, { clock }) {
    state.lock ??= instance.lock("r4");
    state.grants ??= [];
    state.waiting ??= [];
    state.waiting.push(
      state.lock.acquire().then((handle) => {
        state.grants.push({ k, at: clock() });
        return state.lock.release(handle);
      }),
    );
    // The request went out before any later command on this connection: once
    // the PING is answered, the server has seen it.
    await new Promise((resolve) => setImmediate(resolve));
    await instance.client.ping();
  },
  async release(_instance, _args, state, { clock }) {
    const at = clock();
    await state.lock.release(state.held);
    return at;
  },
  async grants(_instance, _args, state) {
    await Promise.all(state.waiting ?? []);
    return state.grants ?? [];
  },
};
