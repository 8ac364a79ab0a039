// (b) Contended Lock: 100 tasks, each 2,000 times acquire, `await null`,
// release; the lock is handed from task to task.
import { check, checkExclusion, now, size } from "../lib/harness.mjs";

export const title = "Contended Lock: 100 tasks × 2,000";
export const needs = "lock";
export const modes = ["plain", "options"];
// The cost per operation does not depend on it: a slow library may do fewer.
export const scalable = "rounds";
export const metrics = [{ key: "ns", label: "ns per acquire + release" }];
export const cases = [{ label: "100 tasks × 2,000", tasks: 100, rounds: size(2_000, 100) }];

export async function run(library, { tasks, rounds }) {
  const lock = library.lock();
  let inside = 0;
  let count = 0;
  let overlaps = 0;
  async function task() {
    for (let i = 0; i < rounds; i++) {
      const token = await lock.acquire();
      if (++inside !== 1) overlaps++;
      await null;
      if (inside !== 1) overlaps++;
      inside--;
      count++;
      lock.release(token);
    }
  }
  // p-limit has no acquire: the same critical section runs through run(fn).
  const section = async () => {
    if (++inside !== 1) overlaps++;
    await null;
    if (inside !== 1) overlaps++;
    inside--;
    count++;
  };
  async function limitedTask() {
    for (let i = 0; i < rounds; i++) await lock.run(section);
  }
  const all = new Array(tasks);
  const start = now();
  for (let t = 0; t < tasks; t++) all[t] = lock.acquire ? task() : limitedTask();
  await Promise.all(all);
  const elapsed = now() - start;
  check(overlaps === 0, `${library.name}: ${overlaps} times two tasks were inside the lock`);
  check(count === tasks * rounds, `${library.name}: ${count} of ${tasks * rounds} critical sections ran`);
  await checkExclusion(lock, library.name);
  return { ns: (elapsed * 1e6) / count };
}
