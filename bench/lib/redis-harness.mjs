// Helpers of the Redis scenarios: waiting, percentiles, and what a list of
// holds (who held, from when to when, on the machine's monotonic clock)
// says about exclusion, hand-offs and fairness.
import { createConnection } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { check } from "./harness.mjs";

export { sleep };

/** The value below which `fraction` of the sorted `values` lie. */
export function percentile(sorted, fraction) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/**
 * Holds of one lock from every process, as `{ process, task, from, to }`
 * (µs): from when the holder's code ran to when it called release. Checks
 * that no two overlap, and returns the hand-offs: the time from a release to
 * the next holder's code (p50, p99, and p50 of those that crossed
 * processes), and the share of them that crossed processes.
 */
export function handOffs(holds, name) {
  const sorted = [...holds].sort((a, b) => a.from - b.from);
  const latencies = [];
  const crossing = [];
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    const hold = sorted[i];
    check(
      hold.from >= previous.to,
      `${name}: two holders at once (${hold.process}/${hold.task} and ${previous.process}/${previous.task})`,
    );
    latencies.push(hold.from - previous.to);
    if (hold.process !== previous.process) crossing.push(hold.from - previous.to);
  }
  latencies.sort((a, b) => a - b);
  crossing.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    p50Cross: percentile(crossing, 0.5),
    crossShare: latencies.length === 0 ? undefined : (crossing.length / latencies.length) * 100,
  };
}

/** The most holders at any one moment (a release at the same instant as a grant counts first). */
export function peakHolders(holds) {
  const events = [];
  for (const hold of holds) events.push([hold.from, 1], [hold.to, -1]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let active = 0;
  let peak = 0;
  for (const [, delta] of events) peak = Math.max(peak, (active += delta));
  return peak;
}

/** Fewest and most holds of one task, over `tasks` tasks in each of `processes` processes. */
export function holdsPerTask(holds, processes, tasks) {
  const counts = new Map();
  for (let p = 0; p < processes; p++) for (let t = 0; t < tasks; t++) counts.set(`${p}/${t}`, 0);
  for (const hold of holds) counts.set(`${hold.process}/${hold.task}`, counts.get(`${hold.process}/${hold.task}`) + 1);
  const values = [...counts.values()];
  const fewest = Math.min(...values);
  const most = Math.max(...values);
  return { fewest, most, spread: most / fewest };
}

/** Pairs out of order between two sequences of the same ids, as a share of all pairs (%). */
export function inversions(order) {
  let count = 0;
  for (let i = 0; i < order.length; i++) for (let j = i + 1; j < order.length; j++) if (order[i] > order[j]) count++;
  const pairs = (order.length * (order.length - 1)) / 2;
  return { count, share: pairs === 0 ? 0 : (count / pairs) * 100 };
}

/**
 * Runs `tasks` tasks that hold and release `primitive` over and over from
 * `start` until `end` (µs on `clock`), each hold spanning one `await null`.
 * Resolves to the holds whose holder's code ran before `end`; a grant after
 * it is released without counting.
 */
export async function holdLoop(primitive, { tasks, start, end }, { clock, index }) {
  await sleep(Math.max(0, (start - clock()) / 1e3));
  const holds = [];
  const task = async (t) => {
    while (clock() < end) {
      const handle = await primitive.acquire();
      const from = clock();
      await null;
      const to = clock();
      await primitive.release(handle);
      if (from >= end) break;
      holds.push({ process: index, task: t, from, to });
    }
  };
  await Promise.all(Array.from({ length: tasks }, (_, t) => task(t)));
  return holds;
}

/**
 * Counts, through MONITOR on a raw connection, the commands clients send to
 * the server on `port` (not those a script runs inside it, and not INFO, the
 * bench's own). Resolves once MONITOR is on.
 */
export function monitorCommands(port) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let sent = 0;
    let rest = "";
    socket.setEncoding("utf8");
    socket.once("error", reject);
    socket.once("connect", () => socket.write("MONITOR\r\n"));
    socket.on("data", (chunk) => {
      const lines = (rest + chunk).split("\r\n");
      rest = lines.pop();
      for (const line of lines) {
        if (line === "+OK") resolve({ sent: () => sent, stop: () => socket.destroy() });
        // +1700000000.123456 [0 127.0.0.1:50864] "set" "key" …, or [0 lua] inside a script
        else if (!line.includes(" lua] ") && !/^\+\S+ \[[^\]]*\] "info"/i.test(line)) sent++;
      }
    });
  });
}
