// (h) RWLock: 100 tasks, each 1,000 times a read (90%) or a write (10%),
// chosen by a seeded PRNG so every library faces the same sequence; inside,
// `await null`. Asserts what it measures: never a writer beside anyone, and
// every section ran.
import { check, now, random, size } from "../lib/harness.mjs";

export const title = "RWLock: 100 tasks × 1,000, 90% reads";
export const needs = "rwlock";
export const modes = ["plain"];
export const scalable = "rounds";
export const metrics = [{ key: "ns", label: "ns per acquire + release" }];
export const cases = [{ label: "100 tasks × 1,000, 90% reads", tasks: 100, rounds: size(1_000, 50) }];

export async function run(library, { tasks, rounds }) {
  const lock = library.rwlock();
  let readers = 0;
  let writers = 0;
  let count = 0;
  let overlaps = 0;
  async function task(seed) {
    const next = random(seed);
    for (let i = 0; i < rounds; i++) {
      if (next() < 0.9) {
        const token = await lock.read();
        readers++;
        if (writers !== 0) overlaps++;
        await null;
        if (writers !== 0) overlaps++;
        readers--;
        count++;
        lock.releaseRead(token);
      } else {
        const token = await lock.write();
        if (++writers !== 1 || readers !== 0) overlaps++;
        await null;
        if (writers !== 1 || readers !== 0) overlaps++;
        writers--;
        count++;
        lock.releaseWrite(token);
      }
    }
  }
  const all = new Array(tasks);
  const start = now();
  for (let t = 0; t < tasks; t++) all[t] = task(t + 1);
  await Promise.all(all);
  const elapsed = now() - start;
  check(overlaps === 0, `${library.name}: ${overlaps} times a writer was beside someone`);
  check(count === tasks * rounds, `${library.name}: ${count} of ${tasks * rounds} sections ran`);
  return { ns: (elapsed * 1e6) / count };
}
