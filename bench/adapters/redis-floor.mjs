// The Redis floor: the least a lock over one Redis can do, without any of
// the fairness, cancellation round trip or fencing a library owes its users.
// Take: `SET key token NX PX`. Give back: a compare-and-delete script. Wait:
// the best a client can do without server help, tight polling (the next
// attempt as soon as the last one's reply is in). The semaphore is the same
// over a sorted set of holders scored by their deadline, from the server's
// clock. An abort stops the polling and rejects at once; an attempt that was
// in flight and succeeds is given back.
import { randomUUID } from "node:crypto";

const leaseMs = 30_000;

const compareAndDelete = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`;

// KEYS[1] the holders; ARGV: permits, token, lease ms. 1 if taken, 0 if full.
const takePermit = `
local time = redis.call("TIME")
local now = time[1] * 1000 + math.floor(time[2] / 1000)
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
if redis.call("ZCARD", KEYS[1]) < tonumber(ARGV[1]) then
  redis.call("ZADD", KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
  return 1
end
return 0`;

/**
 * Tight polling over `take(token)`, one attempt as soon as the last one's
 * reply is in; subclasses say how to take and give back. With a signal,
 * rejects at once on abort; an attempt in flight that then succeeds is
 * given back.
 */
class Polling {
  constructor(client, key, scripts) {
    this.client = client;
    this.key = key;
    this.scripts = scripts;
  }
  async acquire(signal) {
    const token = randomUUID();
    if (signal === undefined) {
      while (!(await this.take(token)));
      return token;
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      (async () => {
        while (!signal.aborted) {
          if (await this.take(token)) {
            if (signal.aborted) return this.release(token);
            signal.removeEventListener("abort", onAbort);
            return resolve(token);
          }
        }
      })().catch(reject);
    });
  }
}

/** EVALSHA of a script loaded at open, and EVAL if the server lost it. */
async function evalsha(client, script, ...args) {
  try {
    return await client.evalsha(script.sha, 1, ...args);
  } catch (error) {
    if (!String(error.message).startsWith("NOSCRIPT")) throw error;
    return client.eval(script.lua, 1, ...args);
  }
}

class FloorLock extends Polling {
  async take(token) {
    return (await this.client.set(this.key, token, "PX", leaseMs, "NX")) === "OK";
  }
  async release(token) {
    await evalsha(this.client, this.scripts.compareAndDelete, this.key, token);
  }
}

class FloorSemaphore extends Polling {
  constructor(client, key, permits, scripts) {
    super(client, key, scripts);
    this.permits = permits;
  }
  async take(token) {
    return (await evalsha(this.client, this.scripts.takePermit, this.key, this.permits, token, leaseMs)) === 1;
  }
  async release(token) {
    await this.client.zrem(this.key, token);
  }
}

export default [
  {
    name: "floor",
    role: "floor",
    settings: "tight polling",
    features: { lock: true, semaphore: true, cancel: true },
    async open({ ioredis }) {
      const load = async (lua) => ({ lua, sha: await ioredis.script("LOAD", lua) });
      const scripts = { compareAndDelete: await load(compareAndDelete), takePermit: await load(takePermit) };
      return {
        client: ioredis,
        lock: (name) => new FloorLock(ioredis, `floor:${name}`, scripts),
        semaphore: (name, permits) => new FloorSemaphore(ioredis, `floor:${name}`, permits, scripts),
        close: async () => {},
      };
    },
  },
];
