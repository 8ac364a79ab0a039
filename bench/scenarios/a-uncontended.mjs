// (a) Uncontended Lock: one task acquires and releases, 1,000,000 times.
import { check, checkExclusion, now, size } from "../lib/harness.mjs";

export const title = "Uncontended Lock: acquire + release";
export const needs = "lock";
export const modes = ["plain", "options"];
// The cost per operation does not depend on it: a slow library may do fewer.
export const scalable = "pairs";
export const metrics = [{ key: "ns", label: "ns per acquire + release" }];
export const cases = [{ label: "1,000,000 pairs", pairs: size(1_000_000, 20_000) }];

export async function run(library, { pairs }) {
  const lock = library.lock();
  let inside = 0;
  let count = 0;
  const start = now();
  if (lock.acquire) {
    for (let i = 0; i < pairs; i++) {
      const token = await lock.acquire();
      inside++;
      count++;
      inside--;
      lock.release(token);
    }
  } else {
    const body = () => {
      inside++;
      count++;
      inside--;
    };
    for (let i = 0; i < pairs; i++) await lock.run(body);
  }
  const elapsed = now() - start;
  check(count === pairs && inside === 0, `${library.name}: ${count} of ${pairs} critical sections ran`);
  await checkExclusion(lock, library.name);
  return { ns: (elapsed * 1e6) / pairs };
}
