// (r5) Redis Semaphore(8): 4 processes × 32 tasks hold and release one
// semaphore for a fixed time, each hold spanning one `await null`.
// Throughput, the fewest and most holds of one task, and the most holders
// at once, which must never exceed 8.
import { check, size } from "../lib/harness.mjs";
import { holdLoop, holdsPerTask, peakHolders } from "../lib/redis-harness.mjs";

export const group = "redis";
export const title = "Redis Semaphore(8): 4 processes × 32 tasks";
export const needs = "semaphore";
export const modes = ["plain"];
export const processes = 4;
export const metrics = [
  { key: "usPerHold", label: "µs per hold (1 / throughput)" },
  { key: "spread", label: "most / fewest holds of one task" },
  { key: "fewest", label: "fewest holds of one task", better: "higher" },
  { key: "most", label: "most holds of one task" },
  { key: "peak", label: "most holders at once", better: "none" },
];
const seconds = size(2, 0.25);
const permits = 8;
export const cases = [{ label: `4 processes × 32 tasks, ${seconds} s`, tasks: 32, seconds }];

export async function drive({ workers, clock, library }, { tasks, seconds }) {
  const start = clock() + 50_000;
  const end = start + seconds * 1e6;
  const holds = (await Promise.all(workers.map((worker) => worker.step("loop", { tasks, start, end })))).flat();
  const peak = peakHolders(holds);
  check(peak <= permits, `${library.name}: ${peak} holders of a Semaphore(${permits}) at once`);
  return { usPerHold: (end - start) / holds.length, ...holdsPerTask(holds, workers.length, tasks), peak };
}

export const steps = {
  loop: (instance, args, _state, ctx) => holdLoop(instance.semaphore("r5", permits), args, ctx),
};
