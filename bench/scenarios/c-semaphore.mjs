// (c) Semaphore(8) limiting 100,000 jobs that all start at once.
import { check, now, size } from "../lib/harness.mjs";

export const title = "Semaphore(8): 100,000 jobs started at once";
export const needs = "semaphore";
export const modes = ["plain", "options"];
// A library whose run would take longer than the budget does fewer jobs. This
// understates its cost where it grows with the queue (a peer that adds one
// listener per call to a shared signal): the table says how many it did.
export const scalable = "jobs";
export const budgetMs = 3_000;
export const metrics = [{ key: "ns", label: "ns per job" }];
export const cases = [{ label: "100,000 jobs", jobs: size(100_000, 5_000), limit: 8 }];

export async function run(library, { jobs, limit }) {
  const semaphore = library.semaphore(limit);
  let active = 0;
  let peak = 0;
  let done = 0;
  const body = async () => {
    if (++active > peak) peak = active;
    await null;
    active--;
    done++;
  };
  async function job() {
    const token = await semaphore.acquire();
    try {
      await body();
    } finally {
      semaphore.release(token);
    }
  }
  const all = new Array(jobs);
  const start = now();
  if (semaphore.acquire) for (let i = 0; i < jobs; i++) all[i] = job();
  else for (let i = 0; i < jobs; i++) all[i] = semaphore.run(body);
  await Promise.all(all);
  const elapsed = now() - start;
  check(peak === limit, `${library.name}: ${peak} jobs ran at once, the limit is ${limit}`);
  check(done === jobs && active === 0, `${library.name}: ${done} of ${jobs} jobs ran`);
  return { ns: (elapsed * 1e6) / jobs };
}
