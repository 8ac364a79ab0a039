// await-semaphore: Mutex and Semaphore whose acquire() resolves to a
// releaser; no cancellation, timeout, event or barrier.
import awaitSemaphore from "await-semaphore";
import { packageId } from "../lib/versions.mjs";

const { Mutex, Semaphore } = awaitSemaphore;

/** acquire() resolves to a releaser; release(releaser) calls it. */
class ReleaserLock {
  constructor(inner) {
    this.inner = inner;
  }
  acquire() {
    return this.inner.acquire();
  }
  release(releaser) {
    releaser();
  }
}

export default [
  {
    name: "await-semaphore",
    package: packageId("await-semaphore"),
    role: "peer",
    mode: "plain",
    lock: () => new ReleaserLock(new Mutex()),
    semaphore: (value) => new ReleaserLock(new Semaphore(value)),
  },
];
