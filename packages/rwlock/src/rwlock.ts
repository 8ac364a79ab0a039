import { type Guard, InvalidStateError, type WaitOptions } from "@sync/core";
import { check, grantFitting, hold, inspect, resolvedTrue, run, WaiterQueue } from "@sync/core/internal";

// The lock is a batch of MAX permits, as tokio's RwLock is: a read needs one,
// a write needs all of them, so "no writer beside anyone" is just "permits
// never go below 0". MAX is so large that no program holds that many reads.
const MAX = Number.MAX_SAFE_INTEGER;

/**
 * One side of an {@link RWLock}: `rw.reader` or `rw.writer`. Each behaves as
 * a `Lock` does (guards, cancellation, errors), on the one queue of its
 * RWLock.
 */
export interface RWLockView {
  /**
   * Waits for a read (`reader`) or the write (`writer`), then takes it.
   * Resolves `true`. A read is granted at once only when no writer holds the
   * lock and nobody is queued; a write only when nobody holds it and nobody
   * is queued.
   *
   * **Cancellation**: an abort or a timeout before the grant removes this
   * call from the queue and rejects with `signal.reason` or `TimeoutError`;
   * the waiters behind it are served at once if they now can be (reads
   * queued behind a departed writer, say), so the lock is as if the call was
   * never made. Once granted, an abort changes nothing: the caller holds
   * what it was given. An aborted signal rejects even when the lock is free.
   *
   * @throws (as rejections) `TypeError`/`RangeError` for malformed options.
   */
  acquire(options?: WaitOptions): Promise<true>;
  /** Takes a read (or the write) and returns `true` if that is possible without waiting, else `false`. */
  tryAcquire(): boolean;
  /**
   * Gives a read (or the write) back; the lock then serves the head of its
   * queue: a write if nobody holds the lock, else every read at the head.
   *
   * @throws `InvalidStateError` if no read is held (`reader`), or the lock is
   *   not write-held (`writer`); nothing changes then.
   */
  release(): void;
  /** True if {@link acquire} could not succeed at once. */
  locked(): boolean;
  /**
   * Acquires and resolves to a {@link Guard} that releases once.
   *
   * **Cancellation**: as {@link acquire}; a rejected call holds nothing.
   */
  hold(options?: WaitOptions): Promise<Guard>;
  /**
   * Acquires, awaits `fn()`, releases in all cases, and returns `fn`'s result.
   *
   * **Cancellation**: the options bound the acquire only, as in
   * {@link acquire}; they do not interrupt `fn`.
   *
   * @throws (as a rejection) `TypeError` if `fn` is not a function.
   */
  run<R>(fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<R>;
}

/**
 * A fair reader-writer lock for async code: any number of readers at once,
 * or one writer. Take it through its two Lock-like views, `rw.reader` and
 * `rw.writer` (as Python's `aiorwlock` does).
 *
 * Design. One FIFO queue holds both kinds of waiter, and the lock is a batch
 * of MAX permits: a read needs 1, a write needs MAX (tokio's `RwLock` over
 * its `batch_semaphore`), on core's queue of waiters with needs. The head
 * of the queue is granted while its need fits in the free permits, in
 * order, and a waiter that does not fit blocks everyone behind it
 * (head-of-line blocking). So a read queued behind a writer waits even
 * while other readers hold the lock, and a writer is never starved
 * (write-preferring, as tokio and Web Locks); a release or a departure
 * hands the lock straight to the head, so no newcomer gets ahead.
 * `downgrade()` gives back all permits but one.
 *
 * Invariants:
 *   1. `free` is MAX (unlocked), MAX - readers (read-held), or 0 (write-held).
 *   2. `waiters > 0` implies the head waiter's need exceeds `free`: the
 *      lock is held, and nobody behind the head is granted before it.
 *   3. After every release, downgrade and departure, the heads that fit
 *      have been granted (invariant 2 holds again).
 *
 * Not reentrant: a reader that asks for a second read while a writer is
 * queued waits behind that writer, which waits for the first read: forever.
 *
 * @example
 * ```ts
 * const rw = new RWLock();
 * const read = (key: string) => rw.reader.run(() => cache.get(key));
 * async function refresh() {
 *   using _ = await rw.writer.hold();
 *   cache = await load();
 * }
 * ```
 */
export class RWLock {
  // The two views: one class whose methods reach the lock's private state.
  static readonly #View = class implements RWLockView {
    readonly #rw: RWLock;
    readonly #need: number;

    constructor(rw: RWLock, need: number) {
      this.#rw = rw;
      this.#need = need;
    }

    acquire(options?: WaitOptions): Promise<true> {
      try {
        const rw = this.#rw;
        const need = this.#need;
        // invariant 2: with nobody queued this overtakes no one.
        if (rw.#queue.length === 0 && rw.#free >= need && check(options) === undefined) {
          rw.#free -= need;
          return resolvedTrue;
        }
        return rw.#queue.wait(options, need);
      } catch (error) {
        // An unbound `this`: rejected, as every error of a waiting call.
        return Promise.reject(error);
      }
    }

    tryAcquire(): boolean {
      const rw = this.#rw;
      if (rw.#queue.length > 0 || rw.#free < this.#need) return false;
      rw.#free -= this.#need;
      return true;
    }

    release(): void {
      const rw = this.#rw;
      const free = rw.#free;
      if (this.#need === MAX ? free !== 0 : free === 0 || free === MAX) {
        throw new InvalidStateError(`RWLock is not ${this.#need === MAX ? "write" : "read"}-locked`);
      }
      // A read gives its permit back, a write all of them (free was 0).
      rw.#wake(free + this.#need);
    }

    locked(): boolean {
      return this.#rw.#queue.length > 0 || this.#rw.#free < this.#need;
    }

    hold(options?: WaitOptions): Promise<Guard> {
      return hold(this, options);
    }

    run<R>(fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<R> {
      return run(this, fn, options);
    }
  };

  // Free permits (invariant 1).
  #free = MAX;
  // invariant 3: a waiter that leaves re-runs the grant rule.
  readonly #queue = new WaiterQueue<true>(() => this.#wake(this.#free));

  readonly #reader: RWLockView = new RWLock.#View(this, 1);
  readonly #writer: RWLockView = new RWLock.#View(this, MAX);

  /** The read side: shared with other readers, never with a writer. */
  get reader(): RWLockView {
    return this.#reader;
  }

  /** The write side: exclusive. */
  get writer(): RWLockView {
    return this.#writer;
  }

  /**
   * The writer becomes one reader in one step, and the reads at the head of
   * the queue are granted with it; a writer at the head keeps waiting.
   *
   * @throws `InvalidStateError` if the lock is not write-held.
   */
  downgrade(): void {
    if (this.#free !== 0) throw new InvalidStateError("RWLock is not write-locked");
    this.#wake(MAX - 1);
  }

  /** How many reads are held now. */
  get readers(): number {
    return this.#free === 0 ? 0 : MAX - this.#free;
  }

  /** True while a writer holds the lock. */
  get writing(): boolean {
    return this.#free === 0;
  }

  /** How many callers wait, readers and writers. */
  get waiters(): number {
    return this.#queue.length;
  }

  // Sets the free permits to `free`, then grants the head while its need
  // fits, in queue order, and stops at the first that does not: a read
  // behind a queued writer waits (invariant 3).
  #wake(free: number): void {
    this.#free = free - grantFitting(this.#queue, free, true);
  }

  /** `<RWLock [unlocked]>`, `<RWLock [read:2]>` or `<RWLock [write, waiters:3]>`. */
  toString(): string {
    const waiters = this.#queue.length;
    const free = this.#free;
    const state = free === MAX ? "unlocked" : free === 0 ? "write" : `read:${MAX - free}`;
    return `<RWLock [${state}${waiters > 0 ? `, waiters:${waiters}` : ""}]>`;
  }

  [inspect](): string {
    return this.toString();
  }
}
