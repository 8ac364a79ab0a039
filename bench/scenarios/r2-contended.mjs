// (r2) Contended Redis lock: 4 processes × 8 tasks hold and release one lock
// for a fixed time, each hold spanning one `await null`. Throughput, the
// hand-off latency from a release to the next holder's code, the share of
// hand-offs that cross processes, and the fewest and most holds of one task.
import { size } from "../lib/harness.mjs";
import { handOffs, holdLoop, holdsPerTask } from "../lib/redis-harness.mjs";

export const group = "redis";
export const title = "Redis lock, contended: 4 processes × 8 tasks";
export const needs = "lock";
export const modes = ["plain"];
export const processes = 4;
export const metrics = [
  { key: "usPerHold", label: "µs per hold (1 / throughput)" },
  { key: "p50", label: "hand-off p50, µs" },
  { key: "p99", label: "hand-off p99, µs" },
  { key: "p50Cross", label: "hand-off p50 across processes, µs" },
  { key: "crossShare", label: "hand-offs across processes, %", better: "higher" },
  { key: "spread", label: "most / fewest holds of one task" },
  { key: "fewest", label: "fewest holds of one task", better: "higher" },
  { key: "most", label: "most holds of one task" },
];
const seconds = size(2, 0.25);
export const cases = [{ label: `4 processes × 8 tasks, ${seconds} s`, tasks: 8, seconds }];

export async function drive({ workers, clock, library }, { tasks, seconds }) {
  const start = clock() + 50_000;
  const end = start + seconds * 1e6;
  const holds = (await Promise.all(workers.map((worker) => worker.step("loop", { tasks, start, end })))).flat();
  return {
    usPerHold: (end - start) / holds.length,
    ...handOffs(holds, library.name),
    ...holdsPerTask(holds, workers.length, tasks),
  };
}

export const steps = {
  loop: (instance, args, _state, ctx) => holdLoop(instance.lock("r2"), args, ctx),
};
