// redlock (the npm `latest`, 4.x, on ioredis): `redlock.lock(resource, ttl)`
// resolves to a Lock, `lock.unlock()` gives it back. A waiter retries every
// `retryDelay` ± `retryJitter` ms. No cancellation, no fencing token, no
// semaphore.
import { packageId } from "../lib/versions.mjs";

const id = packageId("redlock");
const leaseMs = 30_000;

/** One Redlock over the process's client; `retryCount: -1`: a waiter never gives up (the bench needs every grant). */
function variant(name, settings, options) {
  return {
    name,
    role: "peer",
    package: id,
    settings,
    features: { lock: true, semaphore: false, cancel: false },
    async open({ ioredis }) {
      const { default: Redlock } = await import("redlock");
      const redlock = new Redlock([ioredis], { retryCount: -1, ...options });
      return {
        client: ioredis,
        lock: (resource) => ({
          acquire: () => redlock.lock(`redlock:${resource}`, leaseMs),
          release: (lock) => lock.unlock(),
        }),
        close: async () => {},
      };
    },
  };
}

export default [
  variant("redlock", "retry 200 ± 100 ms (default)", {}),
  variant("redlock (1 ms retry)", "retry 1 ms, no jitter", { retryDelay: 1, retryJitter: 0 }),
];
