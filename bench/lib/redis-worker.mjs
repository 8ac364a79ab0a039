// One process of a Redis scenario: it holds this process's clients (one
// ioredis and one node-redis connection, as an app has), opens one library at
// a time on them, and runs the scenario's steps when the coordinator
// (`redis-child.mjs`) asks. argv: scenario file, server port, clock base, index.
import { setImmediate } from "node:timers";
import Redis from "ioredis";
import { createClient } from "redis";
import { redisLibraries } from "./redis-libraries.mjs";
import { summary } from "./harness.mjs";

const [file, port, base, index] = process.argv.slice(2);
const { steps } = await import(`../scenarios/${file}`);
const origin = BigInt(base);

/** Microseconds on the machine's monotonic clock, from the coordinator's origin: comparable across processes. */
const clock = () => Number(process.hrtime.bigint() - origin) / 1e3;

const ioredis = new Redis({ host: "127.0.0.1", port: Number(port) });
const nodeRedis = createClient({ url: `redis://127.0.0.1:${port}` });
nodeRedis.on("error", (error) => console.error(`worker ${index}: node-redis:`, error));
await nodeRedis.connect();
const env = { ioredis, nodeRedis };
const ctx = { clock, index: Number(index) };

let instance;
let state;

const ops = {
  async open({ library }) {
    const entry = redisLibraries.find((candidate) => candidate.name === library);
    instance = await entry.open(env);
    state = {};
  },
  async step({ name, args }) {
    return steps[name](instance, args, state, ctx);
  },
  async close() {
    await instance.close();
    instance = state = undefined;
  },
  /** Median and min–max of `count` sequential PING round trips, in µs. */
  async ping({ count }) {
    const times = [];
    for (let i = 0; i < count; i++) {
      const start = clock();
      await ioredis.ping();
      times.push(clock() - start);
    }
    return summary(times);
  },
  async exit() {
    ioredis.disconnect();
    await nodeRedis.close();
    setImmediate(() => process.exit(0));
  },
};

process.on("message", async ({ id, op, ...args }) => {
  try {
    process.send({ id, result: await ops[op](args) });
  } catch (error) {
    process.send({ id, error: error instanceof Error ? error.stack : String(error) });
  }
});
// The coordinator is gone (it failed, or was stopped): nothing more to do.
process.on("disconnect", () => process.exit(1));
process.send({ ready: true });
