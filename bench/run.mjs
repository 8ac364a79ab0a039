// The bench: runs every scenario in its own process: the in-process ones
// (a–g) in `node --expose-gc`, once with plain calls and, for (a)–(c), once
// more with a signal or timeout on every call; the Redis ones (r1–r6) each
// against a redis-server of its own, with worker processes. It prints the
// ratios and, on a full run, saves the numbers to results.json and
// regenerates docs/performance.md and its charts.
//
//   BENCH_QUICK=1      small sizes and 2 rounds (1 for Redis): a smoke check of every assertion
//   BENCH_ONLY=a,d     only these scenarios (they replace theirs in results.json);
//                      `redis` or `local` selects a whole group
//   BENCH_ROUNDS=9     measured rounds per library (default 7; 5 for most Redis scenarios)
//   SYNC_REQUIRE_REDIS=1  fail, instead of skipping the Redis scenarios, when redis-server is missing
//   BENCH_BASE=/path/to/bundle.mjs  measure that build of @sync beside this one, as "@sync (base)"
//                      (in-process scenarios; nothing is written)
//
// It imports @sync from the built bundles: `pnpm bench` builds first.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromJSON, QUICK, toJSON } from "./lib/harness.mjs";
import { format, letter, redisVerdict, tables, verdict } from "./lib/analyze.mjs";
import { writeFormatted, writeReport } from "./report.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const only = process.env.BENCH_ONLY?.split(",");
const group = (file) => (file.startsWith("r") ? "redis" : "local");
let files = readdirSync(join(here, "scenarios"))
  .filter((file) => file.endsWith(".mjs"))
  .filter((file) => only === undefined || only.includes(letter(file)) || only.includes(group(file)))
  .sort();
const haveRedis = () => spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
if (files.some((file) => group(file) === "redis") && !haveRedis()) {
  const message = "redis-server is not on PATH: the Redis scenarios (r1–r6) cannot run (apt-get install redis-server)";
  if (process.env.SYNC_REQUIRE_REDIS === "1") throw new Error(`SYNC_REQUIRE_REDIS=1 but ${message}`);
  console.error(`\n!!! ${message}; SKIPPED.\n`);
  files = files.filter((file) => group(file) !== "redis");
}

const scratch = mkdtempSync(join(tmpdir(), "sync-bench-"));
const jobs = [];
const started = Date.now();
try {
  for (const file of files) {
    const { modes } = await import(`./scenarios/${file}`);
    // The Redis coordinator starts its server with the Redis tests' own
    // starter, a TypeScript module: tsx loads it.
    const child =
      group(file) === "redis" ? ["--import", "tsx", join(here, "lib/redis-child.mjs")] : [join(here, "lib/child.mjs")];
    for (const mode of modes) {
      const output = join(scratch, `${file}.${mode}.json`);
      process.stderr.write(`(${letter(file)}) ${file} [${mode}] …\n`);
      const started = Date.now();
      execFileSync(process.execPath, ["--expose-gc", ...child, file, mode, output], {
        stdio: ["ignore", "inherit", "inherit"],
      });
      const job = fromJSON(readFileSync(output, "utf8"));
      if (job.group === "redis")
        Object.assign(job, { date: new Date().toISOString(), seconds: (Date.now() - started) / 1000 });
      jobs.push(job);
      print(job);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const seconds = (Date.now() - started) / 1000;
const results = {
  date: new Date().toISOString(),
  node: process.version,
  v8: process.versions.v8,
  platform: `${process.platform} ${process.arch}`,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? "unknown"}`,
  quick: QUICK,
  seconds,
  jobs,
};

console.log(`\n@sync against the targets (plain calls), ${results.cpu}, Node ${results.node}, ${seconds.toFixed(0)} s`);
for (const job of jobs.filter((job) => job.mode === "plain" && job.group !== "redis")) {
  const v = verdict(job);
  const growth =
    v.growth === undefined
      ? ""
      : `, growth ${format(v.growth)}× (target ≤ ${v.growthTarget}×; the floor's ${format(v.floorGrowth)}×)`;
  console.log(
    `  (${letter(job.file)}) ${format(v.toFloor)}× floor (target ≤ ${v.target}×) ${v.meetsFloor ? "met" : "MISSED"}` +
      `, ${v.bestPeer ? `${format(v.toBestPeer)}× best peer (${v.bestPeer}) ${v.ahead ? "ahead" : "BEHIND"}` : "no peer"}` +
      growth,
  );
}

const redisJobs = jobs.filter((job) => job.group === "redis");
if (redisJobs.length > 0) {
  console.log(`\n@sync/redis against the targets, redis-server ${redisJobs[0].server.version}`);
  for (const job of redisJobs) {
    const ping = job.server.pingUs.median;
    console.log(`  (${letter(job.file)}) PING ${format(ping)} µs`);
    for (const check of redisVerdict(job)) {
      const rtt = check.rtt ? ` (${format(check.value / ping)} round trips)` : "";
      console.log(
        `    ${check.label}: ${format(check.value)}${rtt}, target ${check.bounds} = ${format(check.bound)} ` +
          `${check.met ? "met" : "MISSED"}; floor ${format(check.floor)}, best peer ${format(check.best)} (${check.bestPeer ?? "none"})`,
      );
    }
  }
}

// A run beside a base build is a comparison, not results to publish.
if (!QUICK && process.env.BENCH_BASE === undefined) {
  // A partial run (BENCH_ONLY) replaces its scenarios in the last full results.
  if (only !== undefined) {
    const last = existsSync(join(here, "results.json"))
      ? fromJSON(readFileSync(join(here, "results.json"), "utf8"))
      : { jobs: [], seconds };
    const fresh = new Set(jobs.map((job) => `${job.file} ${job.mode}`));
    results.jobs = last.jobs.map((job) => jobs.find((j) => `${j.file} ${j.mode}` === `${job.file} ${job.mode}`) ?? job);
    results.jobs.push(
      ...jobs.filter((job) => !last.jobs.some((j) => `${j.file} ${j.mode}` === `${job.file} ${job.mode}`)),
    );
    results.seconds = last.seconds;
    // The in-process results keep the date of the run that measured them.
    if (jobs.every((job) => job.group === "redis")) results.date = last.date ?? results.date;
    results.partial = [...fresh];
  }
  await writeFormatted(new URL("results.json", import.meta.url), toJSON(results));
  await writeReport(results);
  console.log("wrote bench/results.json, docs/performance.md and docs/performance/*.svg");
}

function print(job) {
  const took =
    job.seconds === undefined ? "" : `, ${job.seconds.toFixed(1)} s, PING ${format(job.server.pingUs.median)} µs`;
  console.log(`\n(${letter(job.file)}) ${job.title} [${job.mode}]${took}`);
  if (job.absent.length > 0) console.log(`  absent: ${job.absent.join(", ")}`);
  for (const table of tables(job)) {
    console.log(`  ${table.caseLabel}, ${table.metric.label}:`);
    for (const row of table.rows) {
      const name = row.scaled === undefined ? row.name : `${row.name} [${row.scaled}]`;
      console.log(
        `    ${name.padEnd(30)} ${format(row.median).padStart(8)}  (${format(row.min)}–${format(row.max)})`.padEnd(58) +
          `  ${format(row.toFloor).padStart(6)}× floor  ${format(row.toBestPeer).padStart(6)}× best peer`,
      );
    }
  }
}
