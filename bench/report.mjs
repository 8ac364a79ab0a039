// Writes the results of a full run into docs/performance.md (between its
// `<!-- results:… -->` markers; the prose around them is written by hand)
// and draws one SVG chart per scenario into docs/performance/.
//
//   node report.mjs   regenerates both from bench/results.json
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import { format, letter, redisTargets, redisVerdict, tables, targets, verdict } from "./lib/analyze.mjs";
import { fromJSON } from "./lib/harness.mjs";

const docs = new URL("../docs/", import.meta.url);
const charts = new URL("performance/", docs);

/** Writes `text` to `url` as the repository's Prettier settings format it. */
export async function writeFormatted(url, text) {
  const path = fileURLToPath(url);
  const options = await prettier.resolveConfig(path);
  writeFileSync(url, await prettier.format(text, { ...options, filepath: path }));
}

/** Regenerates docs/performance.md's tables and the charts from `results`. */
export async function writeReport(results) {
  mkdirSync(charts, { recursive: true });
  const local = results.jobs.filter((job) => job.group !== "redis");
  const redis = results.jobs.filter((job) => job.group === "redis");
  const blocks = { machine: machine(results, local), summary: summary(local) };
  for (const job of local) {
    const id = letter(job.file);
    blocks[`${id}-${job.mode}`] = section(job);
    if (job.mode === "plain") writeFileSync(new URL(`${id}.svg`, charts), chart(job));
  }
  if (redis.length > 0) {
    blocks["redis-machine"] = redisMachine(results, redis);
    blocks["redis-summary"] = redisSummary(redis);
    for (const job of redis) {
      blocks[`${letter(job.file)}-${job.mode}`] = redisSection(job);
      writeFileSync(new URL(`${letter(job.file)}.svg`, charts), redisChart(job));
    }
  }
  const path = new URL("performance.md", docs);
  let text = readFileSync(path, "utf8");
  for (const [name, body] of Object.entries(blocks)) {
    const pattern = new RegExp(`(<!-- results:${name} -->\\n)[\\s\\S]*?(<!-- /results:${name} -->)`);
    if (!pattern.test(text)) throw new Error(`docs/performance.md has no <!-- results:${name} --> block`);
    text = text.replace(pattern, (_, open, close) => `${open}${body}\n${close}`);
  }
  await writeFormatted(path, text);
}

function machine(results, jobs) {
  const date = results.date.slice(0, 10);
  return (
    `Measured ${date} on ${results.cpu} (${results.platform}), Node ${results.node} (V8 ${results.v8}); ` +
    `${jobs[0]?.rounds ?? "?"} rounds per library after one warm-up run; the whole bench took ` +
    `${Math.round(results.seconds)} s.`
  );
}

/** The table of ratios: @sync and the best peer against the floor, per scenario. */
function summary(jobs) {
  const lines = [
    "| scenario | @sync × floor | target | best peer | best peer × floor | @sync × best peer |",
    "| --- | ---: | ---: | --- | ---: | ---: |",
  ];
  for (const job of jobs.filter((job) => job.mode === "plain")) {
    const v = verdict(job);
    const id = letter(job.file);
    const all = tables(job).filter((table) => table.metric.key === targets[id].metric);
    const last = all[all.length - 1];
    const best = last.rows.find((row) => row.name === v.bestPeer);
    const target =
      `≤ ${v.target}×` +
      (v.growthTarget === undefined
        ? ""
        : `, growth ≤ ${v.growthTarget}× (is ${format(v.growth)}×, floor ${format(v.floorGrowth)}×)`) +
      (v.meetsFloor && v.meetsGrowth !== false ? " ✓" : " ✗");
    lines.push(
      `| (${id}) ${job.title} | ${format(v.toFloor)}× | ${target} | ${v.bestPeer ?? "none has it"} | ` +
        `${best ? `${format(best.toFloor)}×` : "–"} | ${v.bestPeer ? `${format(v.toBestPeer)}×` : "–"} |`,
    );
  }
  return lines.join("\n");
}

/** One scenario in one mode: a table per case and metric. */
function section(job) {
  const out = [];
  if (job.absent.length > 0) out.push(`Absent (the library has no such feature): ${job.absent.join(", ")}.`, "");
  for (const table of tables(job)) {
    out.push(`${table.caseLabel}, ${table.metric.label} (median of ${job.rounds}, min–max):`, "");
    out.push("| library | median | min–max | × floor | × best peer |", "| --- | ---: | ---: | ---: | ---: |");
    for (const row of table.rows) {
      const name = row.name + (row.scaled === undefined ? "" : ` (run at ${row.scaled.toLocaleString("en-US")})`);
      out.push(
        `| ${row.name === "@sync" || row.name.startsWith("@sync ") ? `**${name}**` : name} | ${format(row.median)} | ` +
          `${format(row.min)}–${format(row.max)} | ${format(row.toFloor)}× | ${format(row.toBestPeer)}× |`,
      );
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}

/** Where and with what the Redis scenarios ran, and every library with its settings. */
function redisMachine(results, jobs) {
  const pings = jobs.map((job) => job.server.pingUs.median);
  const loads = jobs.flatMap((job) => job.server.load);
  const rounds = [...new Set(jobs.map((job) => job.rounds))].sort((a, b) => a - b);
  const libraries = new Map();
  for (const job of jobs) for (const row of job.cases[0].results) libraries.set(row.name, row);
  const lines = [
    `Measured ${jobs[0].date.slice(0, 10)} on ${results.cpu} (${results.platform}), Node ${results.node}, ` +
      `redis-server ${jobs[0].server.version} on loopback, started by the bench for each scenario; a PING round trip ` +
      `took ${format(Math.min(...pings))}–${format(Math.max(...pings))} µs (median per scenario), with the ` +
      `machine's 1-minute load average at ${format(Math.min(...loads))}–${format(Math.max(...loads))}. ` +
      `${rounds.length > 1 ? `${rounds.slice(0, -1).join(", ")} or ${rounds.at(-1)}` : rounds[0]} rounds per library ` +
      `after one warm-up run; the Redis scenarios took ` +
      `${Math.round(jobs.reduce((sum, job) => sum + job.seconds, 0))} s.`,
    "",
    "| library | package | settings |",
    "| --- | --- | --- |",
  ];
  for (const row of libraries.values()) {
    lines.push(`| ${row.name === "@sync" ? "**@sync**" : row.name} | ${row.package ?? "–"} | ${row.settings ?? "–"} |`);
  }
  return lines.join("\n");
}

/** @sync against each target of issue 15, with the floor and the best peer beside it. */
function redisSummary(jobs) {
  const lines = [
    "| scenario | measure | @sync | target | floor | best peer |",
    "| --- | --- | ---: | --- | ---: | --- |",
  ];
  for (const job of jobs) {
    for (const check of redisVerdict(job)) {
      const inRtt = (value) => (check.rtt && value !== undefined ? ` (${format(value / check.ping)} RTT)` : "");
      lines.push(
        `| (${letter(job.file)}) | ${check.label} | ${format(check.value)}${inRtt(check.value)} | ` +
          `${check.bounds}: ${format(check.bound)} ${check.met ? "✓" : "✗"} | ${format(check.floor)}${inRtt(check.floor)} | ` +
          `${check.bestPeer === undefined ? "–" : `${format(check.best)}${inRtt(check.best)} (${check.bestPeer})`} |`,
      );
    }
  }
  return lines.join("\n");
}

/** One Redis scenario: a row per library, a column per metric (median, min–max), ratios for the charted one. */
function redisSection(job) {
  const out = [];
  if (job.absent.length > 0) out.push(`Absent (the library has no such feature): ${job.absent.join(", ")}.`, "");
  const all = tables(job);
  const charted = all.find((table) => table.metric.key === redisTargets[letter(job.file)].chart);
  out.push(`${job.cases[0].label}, median of ${job.rounds} (min–max):`, "");
  out.push(
    `| library | ${all.map((table) => table.metric.label).join(" | ")} | × floor | × best peer |`,
    `| --- | ${all.map(() => "---:").join(" | ")} | ---: | ---: |`,
  );
  charted.rows.forEach((row, index) => {
    const cells = all.map((table) => {
      const cell = table.rows[index];
      return cell.median === null ? "–" : `${format(cell.median)} (${format(cell.min)}–${format(cell.max)})`;
    });
    const name = row.role === "sync" ? `**${row.name}**` : row.name;
    out.push(`| ${name} | ${cells.join(" | ")} | ${format(row.toFloor)}× | ${format(row.toBestPeer)}× |`);
  });
  return out.join("\n");
}

/**
 * A horizontal bar chart of one metric of a Redis scenario, in its own unit
 * on a log scale (median, whiskers min–max), with @sync's target as a
 * dashed line. A zero is drawn at the left edge, an infinity at the right.
 */
function redisChart(job) {
  const id = letter(job.file);
  const key = redisTargets[id].chart;
  const table = tables(job).find((candidate) => candidate.metric.key === key);
  const target = redisVerdict(job).find((check) => check.metric === key);
  const rows = table.rows.filter((row) => row.median !== null);
  const finite = rows.flatMap((row) => [row.min, row.max, row.median]).filter((v) => v > 0 && Number.isFinite(v));
  if (target && target.bound > 0) finite.push(target.bound);
  const lo = Math.min(...finite) / 2;
  const hi = Math.max(...finite) * 2;
  const left = 300;
  const width = 800;
  const top = 46;
  const bar = 22;
  const height = top + rows.length * bar + 40;
  const clamp = (value) => Math.min(hi, Math.max(lo, value));
  const x = (value) =>
    left + ((Math.log(clamp(value)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (width - left - 60);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">(${id}) ${escape(job.title)}</text>`,
    `<text x="10" y="36" fill="#555">${escape(table.metric.label)} (log scale; median, whiskers min–max${
      target ? `; dashed: @sync's target, ${escape(target.bounds)}` : ""
    })</text>`,
  ];
  for (let exponent = Math.floor(Math.log10(lo)); exponent <= Math.ceil(Math.log10(hi)); exponent++) {
    const tick = 10 ** exponent;
    if (tick < lo || tick > hi) continue;
    parts.push(
      `<line x1="${x(tick)}" y1="${top - 4}" x2="${x(tick)}" y2="${height - 30}" stroke="#e5e5e5"/>`,
      `<text x="${x(tick)}" y="${height - 14}" text-anchor="middle" fill="#555">${format(tick)}</text>`,
    );
  }
  rows.forEach((row, i) => {
    const y = top + i * bar;
    parts.push(
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escape(row.name)}</text>`,
      `<rect x="${x(lo)}" y="${y + 4}" width="${Math.max(1, x(row.median) - x(lo))}" height="${bar - 8}" fill="${colors[row.role]}"/>`,
      `<line x1="${x(row.min)}" y1="${y + bar / 2}" x2="${x(row.max)}" y2="${y + bar / 2}" stroke="#333"/>`,
      `<text x="${x(row.max) + 6}" y="${y + 15}" fill="#333">${format(row.median)}</text>`,
    );
  });
  if (target && target.bound > 0) {
    parts.push(
      `<line x1="${x(target.bound)}" y1="${top - 4}" x2="${x(target.bound)}" y2="${height - 30}" stroke="#c62828" stroke-dasharray="4 3"/>`,
    );
  }
  parts.push("</svg>", "");
  return parts.join("\n");
}

const colors = { floor: "#9e9e9e", reference: "#cfcfcf", sync: "#1565c0", peer: "#ef8a3c" };

function escape(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A horizontal bar chart of each library's median cost relative to the
 * floor, on a log scale, with min–max whiskers and the target as a dashed
 * line. For (d), one group of bars per N.
 */
function chart(job) {
  const id = letter(job.file);
  const target = targets[id];
  const groups = tables(job).filter((table) => table.metric.key === target.metric);
  const rows = groups.flatMap((table) =>
    table.rows.map((row) => ({
      label: groups.length > 1 ? `${row.name}, ${table.caseLabel}` : row.name,
      role: row.role,
      value: row.toFloor,
      low: row.toFloor * (row.min / row.median),
      high: row.toFloor * (row.max / row.median),
    })),
  );
  const left = 250;
  const width = 760;
  const top = 46;
  const bar = 22;
  const height = top + rows.length * bar + 40;
  const lo = Math.min(0.5, ...rows.map((row) => row.low));
  const hi = Math.max(2, target.floor * 1.1, ...rows.map((row) => row.high));
  const x = (value) => left + ((Math.log(value) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (width - left - 20);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">(${id}) ${escape(job.title)}</text>`,
    `<text x="10" y="36" fill="#555">${escape(target.metric === "bytes" ? "bytes" : "cost")} relative to the floor (log scale; median, whiskers min–max; dashed: target ${target.floor}×)</text>`,
  ];
  for (const tick of [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500]) {
    if (tick < lo || tick > hi) continue;
    parts.push(
      `<line x1="${x(tick)}" y1="${top - 4}" x2="${x(tick)}" y2="${height - 30}" stroke="#e5e5e5"/>`,
      `<text x="${x(tick)}" y="${height - 14}" text-anchor="middle" fill="#555">${tick}×</text>`,
    );
  }
  rows.forEach((row, i) => {
    const y = top + i * bar;
    const kind = row.role === "sync" ? "sync" : row.role;
    parts.push(
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escape(row.label)}</text>`,
      `<rect x="${x(lo)}" y="${y + 4}" width="${Math.max(1, x(row.value) - x(lo))}" height="${bar - 8}" fill="${colors[kind]}"/>`,
      `<line x1="${x(row.low)}" y1="${y + bar / 2}" x2="${x(row.high)}" y2="${y + bar / 2}" stroke="#333"/>`,
      `<text x="${Math.min(width - 40, x(row.high) + 6)}" y="${y + 15}" fill="#333">${format(row.value)}×</text>`,
    );
  });
  parts.push(
    `<line x1="${x(target.floor)}" y1="${top - 4}" x2="${x(target.floor)}" y2="${height - 30}" stroke="#c62828" stroke-dasharray="4 3"/>`,
    `<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${height - 30}" stroke="#333"/>`,
    "</svg>",
    "",
  );
  return parts.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeReport(fromJSON(readFileSync(new URL("results.json", import.meta.url), "utf8")));
  console.log("wrote docs/performance.md and docs/performance/*.svg from bench/results.json");
}
