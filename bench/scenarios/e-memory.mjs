// (e) Memory per pending waiter: the heap after a full GC, before and after
// 100,000 acquire() calls queue on a held lock, divided by 100,000.
import { check, collectGarbage, heapUsed, settle, size } from "../lib/harness.mjs";

export const title = "Memory per pending waiter: 100,000 queued acquire() calls";
export const needs = "lock";
export const modes = ["plain"];
export const metrics = [{ key: "bytes", label: "bytes per waiter" }];
export const cases = [{ label: "100,000 waiters", n: size(100_000, 5_000) }];

export async function run(library, { n }) {
  const lock = library.lock();
  // What the caller keeps (the promises) is counted; the array is not.
  const keep = new Array(n).fill(undefined);
  let granted = 0;
  let release;
  let first;
  if (lock.acquire) first = await lock.acquire();
  else first = lock.run(() => new Promise((resolve) => (release = resolve)));
  const enter = () => granted++;
  await settle();
  collectGarbage();
  const before = heapUsed();

  if (lock.acquire) for (let i = 0; i < n; i++) keep[i] = lock.acquire();
  else for (let i = 0; i < n; i++) keep[i] = lock.run(enter);
  await settle();
  collectGarbage();
  const after = heapUsed();

  check(granted === 0, `${library.name}: a waiter got in while the lock was held`);
  if (lock.acquire) {
    for (const promise of keep) {
      promise.then((token) => {
        enter();
        lock.release(token);
      });
    }
    lock.release(first);
  } else {
    release();
  }
  await Promise.all(keep);
  await settle();
  check(granted === n, `${library.name}: ${granted} of ${n} waiters were granted`);
  return { bytes: (after - before) / n };
}
