// Turns the raw numbers of a run into ratios: each library's median cost
// relative to the floor and to the best peer of the same process, and checks
// @sync against the targets of issue 6.

/** Cost relative to the floor that @sync must stay within, per scenario. */
export const targets = {
  a: { metric: "ns", floor: 1.25 },
  b: { metric: "ns", floor: 1.25 },
  c: { metric: "ns", floor: 1.3 },
  d: { metric: "abortUs", floor: 1.25, growth: 1.5 },
  e: { metric: "bytes", floor: 1.3 },
  f: { metric: "ns", floor: 1.5 },
  g: { metric: "ns", floor: 1.5 },
  j: { metric: "ns", floor: 1.3 },
};

/** The scenario letter of a scenario file: `a-uncontended.mjs` → `a`. */
export const letter = (file) => file.slice(0, 1);

/**
 * One table per case and metric: rows with median, min, max, `× floor` and
 * `× best peer` (the best peer being the lowest median among the peers).
 */
export function tables(job) {
  const out = [];
  for (const testCase of job.cases) {
    for (const metric of job.metrics) {
      const rows = testCase.results.map((result) => ({ ...result, ...result.metrics[metric.key] }));
      const floor = rows.find((row) => row.role === "floor");
      const peers = rows.filter((row) => row.role === "peer");
      const best = peers.length > 0 ? peers.reduce((a, b) => (b.median < a.median ? b : a)) : undefined;
      for (const row of rows) {
        row.toFloor = floor ? row.median / floor.median : undefined;
        row.toBestPeer = best ? row.median / best.median : undefined;
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
  if (value === undefined || value === null || !Number.isFinite(value)) return "–";
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
