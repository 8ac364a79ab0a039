// (j) weighted Semaphore(16): 100,000 jobs started at once, each asking for
// 1–8 permits.
import { check, now, size } from "../lib/harness.mjs";

export const title = "weighted Semaphore(16): 100,000 jobs of 1–8 permits started at once";
export const needs = "weighted";
export const modes = ["plain"];
// As (c): a peer whose queue costs O(n) per grant does fewer jobs in the budget.
export const scalable = "jobs";
export const budgetMs = 3_000;
export const metrics = [{ key: "ns", label: "ns per job" }];
export const cases = [{ label: "100,000 jobs", jobs: size(100_000, 5_000), limit: 16 }];

/** Job i's request: 1–8 permits, the same sequence for every library. */
const permitsOf = (i) => 1 + ((i * 5 + (i >> 3)) & 7);

export async function run(library, { jobs, limit }) {
  const semaphore = library.weighted(limit);
  let held = 0;
  let peak = 0;
  let done = 0;
  // FIFO with head-of-line blocking: grants come in the order of the calls.
  let next = 0;
  let outOfOrder = 0;
  async function job(i, n) {
    const token = await semaphore.acquire(n);
    if (i !== next++) outOfOrder++;
    held += n;
    if (held > peak) peak = held;
    try {
      await null;
    } finally {
      held -= n;
      done++;
      semaphore.release(token, n);
    }
  }
  const all = new Array(jobs);
  const start = now();
  for (let i = 0; i < jobs; i++) all[i] = job(i, permitsOf(i));
  await Promise.all(all);
  const elapsed = now() - start;
  check(peak <= limit, `${library.name}: ${peak} permits held at once, the limit is ${limit}`);
  // With head-of-line blocking a waiting head needs more than is free, so
  // more than limit - 8 are held: the limit is used, not just respected.
  check(peak > limit - 8, `${library.name}: at most ${peak} of ${limit} permits were ever held`);
  check(outOfOrder === 0, `${library.name}: ${outOfOrder} of ${jobs} grants out of FIFO order`);
  check(done === jobs && held === 0, `${library.name}: ${done} of ${jobs} jobs ran`);
  return { ns: (elapsed * 1e6) / jobs };
}
