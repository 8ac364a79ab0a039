// @sync/redis, imported from the built ESM bundle (run `pnpm build` first):
// one RedisSync per process over the process's client, `hold({ signal })`
// resolves to a Lease, `lease.release()` gives it back; `waiters()` reads
// the server's queue. Once through ioredis (the client of the floor and of
// most peers), once through node-redis.
/* global AbortController */
import { randomUUID } from "node:crypto";
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
      // instance did once (open its blocking connection, learn its
      // scripts' SHAs), a first wait is granted here and another cancelled.
      // A name of its own: the workers of a scenario warm up at once.
      const warm = sync.lock(`warm-up:${randomUUID()}`);
      const first = await warm.hold();
      const controller = new AbortController();
      const cancelled = warm.hold({ signal: controller.signal }).catch(() => {});
      const second = warm.hold();
      while ((await warm.waiters()) < 2);
      controller.abort();
      await cancelled;
      while ((await warm.waiters()) > 1);
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
