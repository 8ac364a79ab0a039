// @sesamecare-oss/redlock (the maintained fork of redlock 5, on ioredis):
// `redlock.acquire([resource], ttl)` resolves to a Lock, `lock.release()`
// gives it back. A waiter retries every `retryDelay` ± `retryJitter` ms. No
// cancellation of a waiting acquire, no fencing token, no semaphore.
import { packageId } from "../lib/versions.mjs";

const id = packageId("@sesamecare-oss/redlock");
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
      const { Redlock } = await import("@sesamecare-oss/redlock");
      const redlock = new Redlock([ioredis], { retryCount: -1, ...options });
      return {
        client: ioredis,
        lock: (resource) => ({
          acquire: () => redlock.acquire([`sesamecare:${resource}`], leaseMs),
          release: (lock) => lock.release(),
        }),
        close: async () => {},
      };
    },
  };
}

export default [
  variant("@sesamecare-oss/redlock", "retry 200 ± 100 ms (default)", {}),
  variant("@sesamecare-oss/redlock (1 ms retry)", "retry 1 ms, no jitter", { retryDelay: 1, retryJitter: 0 }),
];
