// async-rwlock: readLock() and writeLock() resolve once granted; unlock()
// releases whichever is held.
import asyncRwlock from "async-rwlock";
import { packageId } from "../lib/versions.mjs";

const { RWLock } = asyncRwlock;

class ReadWrite {
  inner = new RWLock();
  read() {
    return this.inner.readLock();
  }
  write() {
    return this.inner.writeLock();
  }
  releaseRead() {
    this.inner.unlock();
  }
  releaseWrite() {
    this.inner.unlock();
  }
}

export default [
  {
    name: "async-rwlock",
    package: packageId("async-rwlock"),
    role: "peer",
    mode: "plain",
    rwlock: () => new ReadWrite(),
  },
];
