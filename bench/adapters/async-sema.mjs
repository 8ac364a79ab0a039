// async-sema: Sema(n) with acquire()/release(); no cancellation, timeout,
// event or barrier.
import { Sema } from "async-sema";
import { packageId } from "../lib/versions.mjs";

/** acquire() resolves to a token that release(token) gives back. */
class SemaLock {
  constructor(value) {
    this.inner = new Sema(value);
  }
  acquire() {
    return this.inner.acquire();
  }
  release(token) {
    this.inner.release(token);
  }
}

export default [
  {
    name: "async-sema",
    package: packageId("async-sema"),
    role: "peer",
    mode: "plain",
    lock: () => new SemaLock(1),
    semaphore: (value) => new SemaLock(value),
  },
];
