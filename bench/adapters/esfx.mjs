// @esfx: AsyncMutex, AsyncSemaphore and AsyncManualResetEvent. They cancel
// through esfx's own Cancelable protocol, so a small adapter turns the
// AbortSignal every other library gets into a Cancelable. AsyncBarrier
// lives in @esfx/async-barrier, which is not installed: the barrier is
// reported absent unless it is.
/* global AbortController */
import { AsyncManualResetEvent } from "@esfx/async-manualresetevent";
import { AsyncMutex } from "@esfx/async-mutex";
import { AsyncReaderWriterLock } from "@esfx/async-readerwriterlock";
import { AsyncSemaphore } from "@esfx/async-semaphore";
import { packageId } from "../lib/versions.mjs";

const AsyncBarrier = await import("@esfx/async-barrier").then(
  (module) => module.AsyncBarrier,
  () => undefined,
);

const packages = [
  "@esfx/async-mutex",
  "@esfx/async-semaphore",
  "@esfx/async-manualresetevent",
  "@esfx/async-readerwriterlock",
];
if (AsyncBarrier !== undefined) packages.push("@esfx/async-barrier");

// The well-known symbol of @esfx/cancelable's Cancelable protocol.
const cancelSignal = Symbol.for("@esfx/cancelable:Cancelable.cancelSignal");

/** An AbortSignal seen through esfx's Cancelable/CancelSignal protocol. */
class AbortCancelable {
  constructor(signal) {
    this.signal = signal;
  }
  [cancelSignal]() {
    return this;
  }
  get signaled() {
    return this.signal.aborted;
  }
  get reason() {
    return this.signal.reason;
  }
  subscribe(onSignaled) {
    const signal = this.signal;
    signal.addEventListener("abort", onSignaled);
    return { unsubscribe: () => signal.removeEventListener("abort", onSignaled) };
  }
}

/** A never-aborted signal shared by every call, as in @sync's {signal} variant. */
const sharedCancelable = new AbortCancelable(new AbortController().signal);

/** lock() resolves to a handle whose unlock() releases. */
class MutexLock {
  inner = new AsyncMutex();
  acquire(signal) {
    return this.inner.lock(signal === undefined ? undefined : new AbortCancelable(signal));
  }
  release(handle) {
    handle.unlock();
  }
}

/** lock(cancelable) with the shared, never-aborted signal on every call. */
class MutexLockWithSignal {
  inner = new AsyncMutex();
  acquire() {
    return this.inner.lock(sharedCancelable);
  }
  release(handle) {
    handle.unlock();
  }
}

/** wait() takes a permit, release() gives it back. */
class SemaphoreLock {
  constructor(value, cancelable) {
    this.inner = new AsyncSemaphore(value);
    this.cancelable = cancelable;
  }
  acquire() {
    return this.inner.wait(this.cancelable);
  }
  release() {
    this.inner.release();
  }
}

/** read() and write() resolve to a handle whose unlock() releases it. */
class ReadWrite {
  inner = new AsyncReaderWriterLock();
  read() {
    return this.inner.read();
  }
  write() {
    return this.inner.write();
  }
  releaseRead(handle) {
    handle.unlock();
  }
  releaseWrite(handle) {
    handle.unlock();
  }
}

/** signalAndWait() resolves once every participant has arrived. */
class Barrier {
  constructor(parties) {
    this.inner = new AsyncBarrier(parties);
  }
  wait() {
    return this.inner.signalAndWait();
  }
}

export default [
  {
    name: "@esfx",
    package: packages.map(packageId).join(", "),
    role: "peer",
    mode: "plain",
    lock: () => new MutexLock(),
    semaphore: (value) => new SemaphoreLock(value, undefined),
    cancellableLock: () => new MutexLock(),
    event: () => new AsyncManualResetEvent(),
    barrier: AsyncBarrier === undefined ? undefined : (parties) => new Barrier(parties),
    rwlock: () => new ReadWrite(),
  },
  {
    name: "@esfx {signal}",
    package: packages.map(packageId).join(", "),
    role: "peer",
    mode: "options",
    lock: () => new MutexLockWithSignal(),
    semaphore: (value) => new SemaphoreLock(value, sharedCancelable),
  },
];
