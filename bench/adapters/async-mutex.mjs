// async-mutex: Mutex and Semaphore hand back a releaser function;
// withTimeout() wraps either one. No per-call cancellation (cancel() rejects
// every waiter), no event, no barrier.
import { Mutex, Semaphore, withTimeout } from "async-mutex";
import { packageId } from "../lib/versions.mjs";

const id = packageId("async-mutex");

/** acquire() resolves to a releaser; release(releaser) calls it. */
class MutexLock {
  inner = new Mutex();
  acquire() {
    return this.inner.acquire();
  }
  release(releaser) {
    releaser();
  }
}

/** Semaphore.acquire() resolves to [value, releaser]. */
class SemaphoreLock {
  constructor(inner) {
    this.inner = inner;
  }
  acquire() {
    return this.inner.acquire();
  }
  release([, releaser]) {
    releaser();
  }
}

/** Semaphore.acquire(weight) resolves to [value, releaser]; the releaser gives the weight back. */
class WeightedLock {
  inner;
  constructor(value) {
    this.inner = new Semaphore(value);
  }
  acquire(n) {
    return this.inner.acquire(n);
  }
  release([, releaser]) {
    releaser();
  }
}

/** withTimeout(mutex).acquire() resolves to the releaser, or rejects with E_TIMEOUT. */
class TimeoutLock {
  inner = withTimeout(new Mutex(), 60_000);
  acquire() {
    return this.inner.acquire();
  }
  release(releaser) {
    releaser();
  }
}

export default [
  {
    name: "async-mutex",
    package: id,
    role: "peer",
    mode: "plain",
    lock: () => new MutexLock(),
    semaphore: (value) => new SemaphoreLock(new Semaphore(value)),
    weighted: (value) => new WeightedLock(value),
  },
  {
    name: "async-mutex withTimeout",
    package: id,
    role: "peer",
    mode: "options",
    lock: () => new TimeoutLock(),
    semaphore: (value) => new SemaphoreLock(withTimeout(new Semaphore(value), 60_000)),
  },
];
