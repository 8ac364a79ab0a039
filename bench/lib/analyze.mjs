// Turns the raw numbers of a run into ratios: each library's median cost
// relative to the floor and to the best peer of the same process, and checks
// @sync against the targets of issue 6 (in-process) and issue 15 (Redis).

/** Cost relative to the floor that @sync must stay within, per scenario. */
export const targets = {
  a: { metric: "ns", floor: 1.25 },
  b: { metric: "ns", floor: 1.25 },
  c: { metric: "ns", floor: 1.3 },
  d: { metric: "abortUs", floor: 1.25, growth: 1.5 },
  e: { metric: "bytes", floor: 1.3 },
  f: { metric: "ns", floor: 1.5 },
  g: { metric: "ns", floor: 1.5 },
  h: { metric: "ns", floor: 1.3 },
  i: { metric: "ns", floor: 1.3 },
  j: { metric: "ns", floor: 1.3 },
};

/** The scenario id of a scenario file: `a-uncontended.mjs` → `a`, `r2-contended.mjs` → `r2`. */
export const letter = (file) => file.slice(0, file.indexOf("-"));

/**
 * One table per case and metric: rows with median, min, max, `× floor` and
 * `× best peer`. The best peer has the lowest median, or the highest for a
 * metric marked `better: "higher"`; a metric marked `better: "none"` (a
 * limit that must hold, not a score) has none. A library without the number
 * (a median of null) is not a candidate.
 */
export function tables(job) {
  const out = [];
  for (const testCase of job.cases) {
    for (const metric of job.metrics) {
      const rows = testCase.results.map((result) => ({ ...result, ...result.metrics[metric.key] }));
      const floor = rows.find((row) => row.role === "floor");
      const peers = rows.filter((row) => row.role === "peer" && row.median !== null && metric.better !== "none");
      const better = metric.better === "higher" ? (a, b) => a > b : (a, b) => a < b;
      const best = peers.length > 0 ? peers.reduce((a, b) => (better(b.median, a.median) ? b : a)) : undefined;
      for (const row of rows) {
        row.toFloor = floor && row.median !== null && floor.median !== null ? row.median / floor.median : undefined;
        row.toBestPeer = best && row.median !== null ? row.median / best.median : undefined;
      }
      out.push({ caseLabel: testCase.label, metric, rows, best: best?.name });
    }
  }
  return out;
}

/**
 * @sync's standing in one scenario (plain mode): its cost relative to the
 * floor against the target, whether it is ahead of every peer, and for (d)
 * the growth of the abort cost from the smallest to the largest N, and the
 * floor's own growth beside it (what Node's abort() itself grows by).
 */
export function verdict(job) {
  const target = targets[letter(job.file)];
  const all = tables(job).filter((table) => table.metric.key === target.metric);
  const last = all[all.length - 1];
  const sync = last.rows.find((row) => row.name === "@sync");
  const result = {
    toFloor: sync.toFloor,
    target: target.floor,
    meetsFloor: sync.toFloor <= target.floor,
    bestPeer: last.best,
    toBestPeer: sync.toBestPeer,
    ahead: sync.toBestPeer === undefined || sync.toBestPeer < 1,
  };
  if (target.growth !== undefined) {
    const first = all[0].rows.find((row) => row.name === "@sync");
    result.growth = sync.median / first.median;
    const floorFirst = all[0].rows.find((row) => row.role === "floor");
    const floorLast = last.rows.find((row) => row.role === "floor");
    result.floorGrowth = floorLast.median / floorFirst.median;
    result.growthTarget = target.growth;
    result.meetsGrowth = result.growth <= target.growth;
  }
  return result;
}

/** A number with about three significant digits. */
export function format(value) {
  if (value === Infinity) return "∞";
  if (value === undefined || value === null || !Number.isFinite(value)) return "–";
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * The targets of issue 15, per Redis scenario: each a check of @sync's
 * median in one metric against a bound, which may depend on the floor, the
 * best peer or the PING round trip of the same run. `chart` is the metric
 * each scenario's chart shows, `scale` its axis.
 */
export const redisTargets = {
  r1: {
    chart: "us",
    checks: [{ metric: "us", label: "time per cycle", bound: ({ floor }) => 1.2 * floor, bounds: "≤ 1.2× floor" }],
  },
  r2: {
    chart: "spread",
    checks: [
      { metric: "spread", label: "most / fewest holds of one task", bound: () => 2, bounds: "≤ 2" },
      { metric: "p50", label: "hand-off p50", bound: ({ ping }) => 2 * ping, bounds: "≤ 2 round trips", rtt: true },
      { metric: "p99", label: "hand-off p99", bound: ({ ping }) => 20 * ping, bounds: "≤ 20 round trips", rtt: true },
      {
        metric: "usPerHold",
        label: "µs per hold",
        bound: ({ floor }) => floor,
        bounds: "≤ floor (throughput ≥ floor)",
      },
    ],
  },
  r3: {
    chart: "perProcess",
    checks: [{ metric: "perProcess", label: "commands per second per process", bound: () => 1, bounds: "≤ 1" }],
  },
  r4: {
    chart: "drainMs",
    checks: [
      { metric: "inversions", label: "pairs out of order, %", bound: () => 0, bounds: "0" },
      { metric: "drainMs", label: "drain, ms", bound: ({ best }) => best / 2, bounds: "≤ ½ best peer" },
    ],
  },
  r5: {
    chart: "usPerHold",
    checks: [
      { metric: "peak", label: "most holders at once", bound: () => 8, bounds: "≤ 8" },
      { metric: "spread", label: "most / fewest holds of one task", bound: () => 1.5, bounds: "≤ 1.5" },
      {
        metric: "usPerHold",
        label: "µs per hold",
        bound: ({ floor }) => floor,
        bounds: "≤ floor (throughput ≥ floor)",
      },
    ],
  },
  r6: {
    chart: "worstUs",
    checks: [
      {
        metric: "worstUs",
        label: "abort to rejection, worst",
        bound: ({ ping }) => ping,
        bounds: "≤ 1 round trip",
        rtt: true,
      },
      { metric: "queueMs", label: "server queue dropped them, ms", bound: () => 50, bounds: "≤ 50 ms" },
    ],
  },
};

/**
 * @sync's standing in one Redis scenario: per target, its median, the bound
 * it must stay within (from the floor, the best peer or the round trip of
 * the same run), whether it does, and the best peer's and the floor's
 * medians beside it.
 */
export function redisVerdict(job) {
  const ping = job.server.pingUs.median;
  const all = tables(job);
  return redisTargets[letter(job.file)].checks.map((target) => {
    const table = all.find((candidate) => candidate.metric.key === target.metric);
    const row = (name) => table.rows.find((candidate) => candidate.name === name);
    const sync = row("@sync");
    const floor = table.rows.find((candidate) => candidate.role === "floor")?.median;
    const best = table.best === undefined ? undefined : row(table.best).median;
    const bound = target.bound({ floor, best, ping });
    const value = sync?.median ?? undefined;
    return {
      ...target,
      value,
      bound,
      met: value !== undefined && value !== null && value <= bound,
      floor,
      bestPeer: table.best,
      best,
      ping,
    };
  });
}
