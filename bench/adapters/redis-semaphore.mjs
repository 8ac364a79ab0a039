// redis-semaphore (on ioredis): a Mutex or Semaphore object per hold, as its
// README does: `acquire(signal?)`, then `release()`. A waiter retries every
// `retryInterval` ms; `acquire()` takes an AbortSignal. No fencing token.
import { packageId } from "../lib/versions.mjs";

const id = packageId("redis-semaphore");

/** `acquireTimeout: Infinity`: a waiter never gives up (the bench needs every grant); a 30 s lease as for every library. */
function variant(name, settings, retry) {
  return {
    name,
    role: "peer",
    package: id,
    settings,
    features: { lock: true, semaphore: true, cancel: true },
    async open({ ioredis }) {
      const { Mutex, Semaphore } = await import("redis-semaphore");
      const options = { lockTimeout: 30_000, acquireTimeout: Infinity, ...retry };
      /** acquire(signal) resolves to the held object, release(held) releases it. */
      const holds = (make) => ({
        async acquire(signal) {
          const held = make();
          await held.acquire(signal);
          return held;
        },
        release: (held) => held.release(),
      });
      return {
        client: ioredis,
        lock: (name) => holds(() => new Mutex(ioredis, `redis-semaphore:${name}`, options)),
        semaphore: (name, permits) => holds(() => new Semaphore(ioredis, `redis-semaphore:${name}`, permits, options)),
        close: async () => {},
      };
    },
  };
}

export default [
  variant("redis-semaphore", "retry 10 ms (default)", {}),
  variant("redis-semaphore (1 ms retry)", "retry 1 ms", { retryInterval: 1 }),
];
