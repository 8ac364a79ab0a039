// (d) Cancellation scaling: N waiters, each with its own AbortSignal, queue
// on a held lock; 1,000 of them, at random positions (aborted front to
// back), abort; then the lock is released through the rest, each grantee releasing
// to the next.
/* global AbortController */
import { check, checkExclusion, collectYoung, now, pick, settle, size } from "../lib/harness.mjs";

export const title = "Cancellation: abort 1,000 of N queued waiters, release the rest";
export const needs = "cancellableLock";
export const modes = ["plain"];
// 1,000 aborts take 10–30 ms: too short a window for 7 rounds to give a
// steady median on a shared machine.
export const rounds = 21;
export const metrics = [
  { key: "abortUs", label: "µs per abort" },
  { key: "releaseNs", label: "ns per release" },
];
export const cases = size([1_000, 10_000, 100_000], [1_000, 10_000]).map((n) => ({
  label: `N = ${n.toLocaleString("en-US")}`,
  n,
  aborts: size(1_000, 200),
}));

export async function run(library, { n, aborts }) {
  const lock = library.cancellableLock();
  const first = await lock.acquire(new AbortController().signal);
  const reason = new Error("aborted by the bench");
  const controllers = new Array(n);
  const granted = [];
  let rejected = 0;
  for (let i = 0; i < n; i++) {
    const controller = new AbortController();
    controllers[i] = controller;
    lock.acquire(controller.signal).then(
      (token) => {
        granted.push(i);
        lock.release(token);
      },
      (error) => {
        if (error === reason) rejected++;
      },
    );
  }
  const victims = pick(aborts, n, n); // random positions, the same for every library
  await settle();

  // Each timed phase starts on a collected young generation, so it pays for
  // its own garbage and not for the scavenges that queueing N waiters left
  // due.
  collectYoung();
  let start = now();
  for (const i of victims) controllers[i].abort(reason);
  await settle();
  const abortMs = now() - start;
  check(rejected === aborts, `${library.name}: ${rejected} of ${aborts} aborted waiters rejected`);
  check(granted.length === 0, `${library.name}: a waiter was granted while the lock was held`);

  collectYoung();
  start = now();
  lock.release(first);
  await settle();
  const releaseMs = now() - start;
  check(granted.length === n - aborts, `${library.name}: ${granted.length} of ${n - aborts} waiters granted`);
  const aborted = new Set(victims);
  let fifo = true;
  for (let k = 0, expected = 0; k < granted.length; k++, expected++) {
    while (aborted.has(expected)) expected++;
    if (granted[k] !== expected) fifo = false;
  }
  check(fifo, `${library.name}: waiters were not granted in FIFO order, or an aborted one was granted`);
  await checkExclusion(
    { acquire: () => lock.acquire(new AbortController().signal), release: (token) => lock.release(token) },
    library.name,
  );
  // With N = 1,000 every waiter aborts: there is nothing to release through.
  return { abortUs: (abortMs * 1e3) / aborts, releaseNs: n > aborts ? (releaseMs * 1e6) / (n - aborts) : undefined };
}
