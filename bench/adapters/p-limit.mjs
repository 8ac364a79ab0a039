// p-limit: a concurrency limiter, limit(fn), so it has no acquire/release:
// the scenarios run their critical section through run(fn). No per-call
// cancellation (clearQueue() drops every waiter), no event, no barrier.
import pLimit from "p-limit";
import { packageId } from "../lib/versions.mjs";

/** run(fn): fn runs while holding one of the limiter's slots. */
class Limiter {
  constructor(concurrency) {
    this.run = pLimit(concurrency);
  }
}

export default [
  {
    name: "p-limit",
    package: packageId("p-limit"),
    role: "peer",
    mode: "plain",
    lock: () => new Limiter(1),
    semaphore: (value) => new Limiter(value),
  },
];
