// Writes the results of a full run into docs/performance.md (between its
// `<!-- results:… -->` markers; the prose around them is written by hand)
// and draws one SVG chart per scenario into docs/performance/.
//
//   node report.mjs   regenerates both from bench/results.json
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import { format, letter, tables, targets, verdict } from "./lib/analyze.mjs";

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
  const blocks = { machine: machine(results), summary: summary(results) };
  for (const job of results.jobs) {
    const id = letter(job.file);
    blocks[`${id}-${job.mode}`] = section(job);
    if (job.mode === "plain") writeFileSync(new URL(`${id}.svg`, charts), chart(job));
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

function machine(results) {
  const date = results.date.slice(0, 10);
  return (
    `Measured ${date} on ${results.cpu} (${results.platform}), Node ${results.node} (V8 ${results.v8}); ` +
    `${results.jobs[0]?.rounds ?? "?"} rounds per library after one warm-up run; the whole bench took ` +
    `${Math.round(results.seconds)} s.`
  );
}

/** The table of ratios: @sync and the best peer against the floor, per scenario. */
function summary(results) {
  const lines = [
    "| scenario | @sync × floor | target | best peer | best peer × floor | @sync × best peer |",
    "| --- | ---: | ---: | --- | ---: | ---: |",
  ];
  for (const job of results.jobs.filter((job) => job.mode === "plain")) {
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
  await writeReport(JSON.parse(readFileSync(new URL("results.json", import.meta.url), "utf8")));
  console.log("wrote docs/performance.md and docs/performance/*.svg from bench/results.json");
}
