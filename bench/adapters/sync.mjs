// @sync, imported from the built ESM bundles (run `pnpm build` first), plus
// the variants that pass a signal or a timeout on every call.
// BENCH_SYNC=/path/to/bundle.mjs measures another build instead, e.g. one
// made from an older commit, to compare before and after a change.
/* global AbortController */
const { Barrier, Event, Lock, Semaphore } = await import(process.env.BENCH_SYNC ?? "@sync/primitives");

/** A never-aborted signal shared by every call, as a request-scoped signal is. */
const sharedSignal = new AbortController().signal;

/** Calls `acquire({ signal })` on every acquire. */
class WithSignal {
  constructor(inner) {
    this.inner = inner;
  }
  acquire() {
    return this.inner.acquire({ signal: sharedSignal });
  }
  release() {
    this.inner.release();
  }
}

/** Calls `acquire({ timeout })` on every acquire, with a timeout that never runs out here. */
class WithTimeout {
  constructor(inner) {
    this.inner = inner;
  }
  acquire() {
    return this.inner.acquire({ timeout: 60_000 });
  }
  release() {
    this.inner.release();
  }
}

/**
 * A Semaphore as (c) drives it: (c) hands `release()` the token that
 * `acquire()` resolved with (`true`, for @sync), which `release(n)` would
 * take for a count of permits and refuse.
 */
class Counting {
  constructor(value) {
    this.inner = new Semaphore(value);
  }
  acquire() {
    return this.inner.acquire();
  }
  release() {
    this.inner.release();
  }
}

/** `acquire({ permits })` and `release(n)` for the weighted scenario. */
class Weighted {
  constructor(value) {
    this.inner = new Semaphore(value);
  }
  acquire(n) {
    return this.inner.acquire({ permits: n });
  }
  release(_, n) {
    this.inner.release(n);
  }
}

/** `acquire(signal)` for the cancellation scenario: the lock's own `{ signal }`. */
class Cancellable {
  inner = new Lock();
  acquire(signal) {
    return this.inner.acquire({ signal });
  }
  release() {
    this.inner.release();
  }
}

export default [
  {
    name: "@sync",
    role: "sync",
    mode: "plain",
    lock: () => new Lock(),
    semaphore: (value) => new Counting(value),
    weighted: (value) => new Weighted(value),
    cancellableLock: () => new Cancellable(),
    event: () => new Event(),
    barrier: (parties) => new Barrier(parties),
    positions: true,
  },
  {
    name: "@sync {signal}",
    role: "sync",
    mode: "options",
    lock: () => new WithSignal(new Lock()),
    semaphore: (value) => new WithSignal(new Semaphore(value)),
  },
  {
    name: "@sync {timeout}",
    role: "sync",
    mode: "options",
    lock: () => new WithTimeout(new Lock()),
    semaphore: (value) => new WithTimeout(new Semaphore(value)),
  },
];
