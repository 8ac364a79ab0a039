// @sync/redis, imported from the built ESM bundle (run `pnpm build` first):
// one RedisSync per process over the process's client, `hold({ signal })`
// resolves to a Lease, `lease.release()` gives it back; `waiters()` reads
// the server's queue. Once through ioredis (the client of the floor and of
// most peers), once through node-redis.
import { packageId } from "../lib/versions.mjs";

const id = packageId("@sync/redis");

/** A lock or semaphore of `sync` as the scenarios use it. */
function holds(primitive) {
  return {
    acquire: (signal) => primitive.hold(signal === undefined ? undefined : { signal }),
    release: (lease) => lease.release(),
  };
}

function variant(name, client) {
  return {
    name,
    role: "sync",
    package: id,
    settings: "defaults (30 s lease)",
    features: { lock: true, semaphore: true, cancel: true },
    async open(env) {
      const { RedisSync } = await import("@sync/redis");
      const sync = new RedisSync(env[client], { prefix: "bench:" });
      // An app keeps its RedisSync for the life of the process; the bench
      // makes one per run. So that a run does not pay for what a long-lived
      // instance did once, a first wait opens its blocking connection here.
      const warm = sync.lock("warm-up");
      const first = await warm.hold();
      const second = warm.hold();
      await first.release();
      await (await second).release();
      return {
        client: env[client],
        lock: (resource) => holds(sync.lock(resource)),
        semaphore: (resource, permits) => holds(sync.semaphore(resource, permits)),
        waiters: (resource) => sync.lock(resource).waiters(),
        close: () => sync.close(),
      };
    },
  };
}

export default [variant("@sync", "ioredis"), variant("@sync (node-redis)", "nodeRedis")];
