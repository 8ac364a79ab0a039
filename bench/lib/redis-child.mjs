// One Redis scenario in one process, the coordinator: it starts a
// `redis-server` of its own, forks the scenario's worker processes
// (`redis-worker.mjs`), measures the PING round trip, and runs every library
// in rounds interleaved across libraries (A B C, A B C …), on an emptied
// server each time. The scenario's `drive()` runs here and tells the workers
// which of its `steps` to run. Writes the raw numbers as JSON to argv[4], in
// the shape `child.mjs` writes, plus the server and the round trip.
import { fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { clearTimeout, setTimeout } from "node:timers";
import Redis from "ioredis";
import { QUICK, summary, toJSON } from "./harness.mjs";
import { redisLibraries } from "./redis-libraries.mjs";
// The Redis tests' own server starter (TypeScript): run.mjs starts this
// process under `node --import tsx`.
import { startRedis } from "../../packages/redis/test/redis-server.ts";

const [file, mode, output] = process.argv.slice(2);
const scenario = await import(`../scenarios/${file}`);
const rounds = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : (scenario.rounds ?? 5)));
// Quick mode checks every assertion once; a full run warms each library up first.
const warmups = QUICK ? 0 : 1;
// A run that takes longer than this is stuck: the bench stops instead of waiting for ever.
const runLimitMs = 180_000;

// BENCH_LIBRARIES="floor,@sync": only these libraries, for a look at a few.
const chosen = process.env.BENCH_LIBRARIES?.split(",");
const present = redisLibraries.filter(
  (library) => library.features[scenario.needs] && (chosen === undefined || chosen.includes(library.name)),
);
const absent = redisLibraries
  .filter((library) => library.role === "peer" && !library.features[scenario.needs])
  .map((library) => library.name);

const base = process.hrtime.bigint();
const clock = () => Number(process.hrtime.bigint() - base) / 1e3;

/** A worker process and a promise-returning call into it. */
function startWorker(index, port) {
  const child = fork(new URL("redis-worker.mjs", import.meta.url), [file, String(port), String(base), String(index)], {
    // Not this process's flags: a worker needs neither tsx nor a callable GC.
    execArgv: [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map();
  let next = 0;
  let ready;
  const started = new Promise((resolve, reject) => {
    ready = resolve;
    child.once("exit", (code) => reject(new Error(`worker ${index} exited with ${code}`)));
  });
  child.on("message", (message) => {
    if (message.ready) return ready();
    const { resolve, reject } = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) reject(new Error(`worker ${index}: ${message.error}`));
    else resolve(message.result);
  });
  child.on("exit", (code) => {
    for (const { reject } of pending.values()) reject(new Error(`worker ${index} exited with ${code}`));
  });
  const call = (op, args = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      child.send({ id, op, ...args });
    });
  return { index, child, started, call, step: (name, args) => call("step", { name, args }) };
}

/** Rejects after `ms`, so a stuck run stops the bench with a message. */
function limit(promise, ms, what) {
  let timer;
  const stuck = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, stuck]).finally(() => clearTimeout(timer));
}

/** Median and min–max of a metric's samples; none where the library has no such number (null). */
function measured(values) {
  if (values.includes(null)) return { median: null, min: null, max: null, samples: values };
  return { ...summary(values), samples: values };
}

const server = await startRedis();
const admin = new Redis({ host: "127.0.0.1", port: server.port });
const workers = [];
try {
  for (let i = 0; i < (scenario.processes ?? 1); i++) workers.push(startWorker(i, server.port));
  await Promise.all(workers.map((worker) => worker.started));
  const version = /redis_version:(\S+)/.exec(await admin.info("server"))[1];
  // The machine is shared: the 1-minute load average, before and after, says how busy it was.
  const load = [loadavg()[0]];
  const pings = [];
  const measurePing = async () => pings.push((await workers[0].call("ping", { count: QUICK ? 200 : 1_000 })).median);
  await measurePing();

  const ctx = { workers, admin, port: server.port, clock };
  const cases = [];
  for (const testCase of scenario.cases) {
    const samples = present.map(() => Object.fromEntries(scenario.metrics.map(({ key }) => [key, []])));
    for (let round = -warmups; round < rounds; round++) {
      for (const [index, library] of present.entries()) {
        const t0 = clock();
        await admin.flushall();
        await Promise.all(workers.map((worker) => worker.call("open", { library: library.name })));
        const result = await limit(
          scenario.drive({ ...ctx, library }, testCase),
          runLimitMs,
          `(${file}) ${library.name}`,
        );
        await Promise.all(workers.map((worker) => worker.call("close")));
        if (process.env.BENCH_TRACE) console.error(`  ${library.name}: ${((clock() - t0) / 1e3).toFixed(0)} ms`);
        if (round < 0) continue;
        for (const { key } of scenario.metrics) samples[index][key].push(result[key] ?? null);
      }
      // The round trip, once per round, so that it is read under the same conditions.
      if (round >= 0) await measurePing();
    }
    cases.push({
      label: testCase.label,
      results: present.map((library, index) => ({
        name: library.name,
        role: library.role,
        package: library.package,
        settings: library.settings,
        metrics: Object.fromEntries(scenario.metrics.map(({ key }) => [key, measured(samples[index][key])])),
      })),
    });
  }
  writeFileSync(
    output,
    toJSON({
      file,
      mode,
      group: "redis",
      title: scenario.title,
      metrics: scenario.metrics,
      absent,
      rounds,
      cases,
      server: { version, pingUs: { ...summary(pings), samples: pings }, load: [...load, loadavg()[0]] },
    }),
  );
} finally {
  await Promise.allSettled(workers.map((worker) => limit(worker.call("exit"), 5_000, "exit")));
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill();
  admin.disconnect();
  await server.stop();
}
