// simple-redis-mutex (on node-redis): `lock(client, name, options)` resolves
// to a release function that carries a fencing token. A release is published
// on a channel that every waiting process subscribes to, and each of its
// waiters then tries again; a waiter also polls every `pollingInterval` ms.
// No cancellation, no semaphore.
import { packageId } from "../lib/versions.mjs";

const id = packageId("simple-redis-mutex");

/** No `failAfter`: a waiter never gives up; a 30 s lease as for every library. */
function variant(name, settings, polling) {
  return {
    name,
    role: "peer",
    package: id,
    settings,
    features: { lock: true, semaphore: false, cancel: false },
    async open({ nodeRedis }) {
      const { lock } = await import("simple-redis-mutex");
      const options = { timeout: 30_000, ...polling };
      return {
        client: nodeRedis,
        lock: (resource) => ({
          acquire: () => lock(nodeRedis, `bench:${resource}`, options),
          release: (release) => release(),
        }),
        close: async () => {},
      };
    },
  };
}

export default [
  variant("simple-redis-mutex", "pub/sub, polling 10 s (default)", {}),
  variant("simple-redis-mutex (1 ms polling)", "pub/sub, polling 1 ms", { pollingInterval: 1 }),
];
