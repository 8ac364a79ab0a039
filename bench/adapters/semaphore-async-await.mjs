// semaphore-async-await: Lock and Semaphore with acquire()/release().
// waitFor(ms) has a timeout, but never clears its timer once granted, so a
// run of 100,000 calls would leave 100,000 timers to slow down the libraries
// measured after it: its timeout variant is left out. No cancellation by
// signal, no event, no barrier.
import semaphoreAsyncAwait from "semaphore-async-await";
import { packageId } from "../lib/versions.mjs";

// A CommonJS module whose Semaphore is `exports.default`.
const { default: Semaphore, Lock } = semaphoreAsyncAwait;

/** acquire() resolves when a permit is taken; release() gives it back. */
class PermitLock {
  constructor(inner) {
    this.inner = inner;
  }
  acquire() {
    return this.inner.acquire();
  }
  release() {
    this.inner.release();
  }
}

export default [
  {
    name: "semaphore-async-await",
    package: packageId("semaphore-async-await"),
    role: "peer",
    mode: "plain",
    lock: () => new PermitLock(new Lock()),
    semaphore: (value) => new PermitLock(new Semaphore(value)),
  },
];
