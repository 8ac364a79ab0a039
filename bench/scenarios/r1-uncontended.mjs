// (r1) Uncontended Redis lock: one task in one process holds and releases,
// over and over; nobody else wants the lock.
import { check, size } from "../lib/harness.mjs";
import { sleep } from "../lib/redis-harness.mjs";

export const group = "redis";
export const title = "Redis lock, uncontended: hold + release";
export const needs = "lock";
export const modes = ["plain"];
export const processes = 1;
export const rounds = 7;
export const metrics = [{ key: "us", label: "µs per hold + release" }];
export const cases = [{ label: "2,000 cycles", cycles: size(2_000, 200) }];

export async function drive({ workers: [worker] }, { cycles }) {
  return worker.step("cycle", { cycles });
}

export const steps = {
  async cycle(instance, { cycles }, _state, { clock }) {
    const lock = instance.lock("r1");
    let count = 0;
    const start = clock();
    for (let i = 0; i < cycles; i++) {
      const handle = await lock.acquire();
      count++;
      await lock.release(handle);
    }
    const us = (clock() - start) / cycles;
    check(count === cycles, `${count} of ${cycles} holds`);
    await checkExclusion(lock);
    return { us };
  },
};

/**
 * While one caller holds, a second acquire stays pending for 20 ms (200
 * round trips on loopback); it is granted once the first releases.
 */
async function checkExclusion(lock) {
  let second = false;
  const first = await lock.acquire();
  const pending = lock.acquire().then((handle) => {
    second = true;
    return handle;
  });
  await sleep(20);
  check(!second, "a second acquire got in while the lock was held");
  await lock.release(first);
  await lock.release(await pending);
}
