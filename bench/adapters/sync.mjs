// @sync, imported from the built ESM bundles (run `pnpm build` first), plus
// the variants that pass a signal or a timeout on every call.
// BENCH_SYNC=/path/to/bundle.mjs measures another build instead, e.g. one
// made from an older commit; BENCH_BASE=/path/to/bundle.mjs measures one
// beside @sync, as "@sync (base)", to compare before and after a change in
// one run.
/* global AbortController */

/**
 * The adapters for one build of @sync: `suffix` names it in the tables, and
 * `role` is "sync" for the build under test and "base" for the one it is
 * compared with.
 */
function adapters({ Barrier, Event, KeyedLock, Lock, RWLock, Semaphore }, suffix, role) {
  // An older build may lack RWLock, KeyedLock or weights: absent from those
  // scenarios. Weights show as a Semaphore(2) that one tryAcquire(2) locks.
  const probe = new Semaphore(2);
  probe.tryAcquire(2);
  const weights = probe.locked();

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

  /** The two views of an RWLock, as the scenario calls them. */
  class ReadWrite {
    inner = new RWLock();
    reader = this.inner.reader;
    writer = this.inner.writer;
    read() {
      return this.reader.acquire();
    }
    write() {
      return this.writer.acquire();
    }
    releaseRead() {
      this.reader.release();
    }
    releaseWrite() {
      this.writer.release();
    }
  }

  /** run(key, fn), and whether no key is held. */
  class Keyed {
    inner = new KeyedLock();
    run(key, fn) {
      return this.inner.run(key, fn);
    }
    idle() {
      return this.inner.size === 0;
    }
  }

  return [
    {
      name: `@sync${suffix}`,
      role,
      mode: "plain",
      lock: () => new Lock(),
      semaphore: (value) => new Counting(value),
      weighted: weights ? (value) => new Weighted(value) : undefined,
      cancellableLock: () => new Cancellable(),
      event: () => new Event(),
      barrier: (parties) => new Barrier(parties),
      positions: true,
      rwlock: RWLock && (() => new ReadWrite()),
      keyed: KeyedLock && (() => new Keyed()),
    },
    {
      name: `@sync${suffix} {signal}`,
      role,
      mode: "options",
      lock: () => new WithSignal(new Lock()),
      semaphore: (value) => new WithSignal(new Semaphore(value)),
    },
    {
      name: `@sync${suffix} {timeout}`,
      role,
      mode: "options",
      lock: () => new WithTimeout(new Lock()),
      semaphore: (value) => new WithTimeout(new Semaphore(value)),
    },
  ];
}

export default [
  ...adapters(await import(process.env.BENCH_SYNC ?? "@sync/primitives"), "", "sync"),
  ...(process.env.BENCH_BASE ? adapters(await import(process.env.BENCH_BASE), " (base)", "base") : []),
];
