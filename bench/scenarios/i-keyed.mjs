// (i) KeyedLock: 100 tasks, each 1,000 times locks one of 10,000 keys (a
// seeded PRNG picks it, so every library faces the same keys), `await null`
// inside, and releases. Asserts what it measures: no key is ever held twice,
// every section ran, and no key is left locked.
import { check, now, random, size } from "../lib/harness.mjs";

export const title = "KeyedLock: 100 tasks × 1,000 over 10,000 keys";
export const needs = "keyed";
export const modes = ["plain"];
export const scalable = "rounds";
export const metrics = [{ key: "ns", label: "ns per locked section" }];
export const cases = [{ label: "100 tasks × 1,000, 10,000 keys", tasks: 100, rounds: size(1_000, 50), keys: 10_000 }];

export async function run(library, { tasks, rounds, keys }) {
  const lock = library.keyed();
  const held = new Uint8Array(keys);
  let twice = 0;
  let count = 0;
  async function task(seed) {
    const next = random(seed);
    for (let i = 0; i < rounds; i++) {
      const key = Math.floor(next() * keys);
      await lock.run(key, async () => {
        if (held[key]++ !== 0) twice++;
        await null;
        held[key]--;
        count++;
      });
    }
  }
  const all = new Array(tasks);
  const start = now();
  for (let t = 0; t < tasks; t++) all[t] = task(t + 1);
  await Promise.all(all);
  const elapsed = now() - start;
  check(twice === 0, `${library.name}: ${twice} times a key was held twice`);
  check(count === tasks * rounds, `${library.name}: ${count} of ${tasks * rounds} sections ran`);
  check(lock.idle(), `${library.name}: keys are left locked after every section ended`);
  return { ns: (elapsed * 1e6) / count };
}
