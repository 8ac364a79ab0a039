import { type Guard, InvalidStateError, type WaitOptions } from "@sync/core";
import { check, count, hold, inspect, run, WaiterQueue } from "@sync/core/internal";
import { Lock } from "@sync/lock";

/**
 * A condition variable: `asyncio.Condition`. Tasks holding its lock wait
 * for a notification that some state they share has changed; a task that
 * changes it calls `notify()`.
 *
 * Invariants: every `wait()` settles (resolves or rejects) with the lock
 * held by its caller; a notification goes only to a waiter still queued.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * const queue: Job[] = [];
 * async function take(): Promise<Job> {
 *   using _ = await cond.hold();
 *   await cond.waitFor(() => queue.length > 0);
 *   return queue.shift()!;
 * }
 * async function put(job: Job) {
 *   using _ = await cond.hold();
 *   queue.push(job);
 *   cond.notify();
 * }
 * ```
 */
export class Condition {
  readonly #lock: Lock;
  #waiters = new WaiterQueue<true>();

  /**
   * @param lock - the lock to use, shared with other conditions if you like;
   *   a new `Lock` when `undefined` or `null`.
   * @throws `TypeError` if `lock` is anything else than a `Lock`.
   */
  constructor(lock?: Lock | null) {
    if (lock === undefined || lock === null) lock = new Lock();
    else if (!(lock instanceof Lock)) throw new TypeError("lock must be a Lock");
    this.#lock = lock;
  }

  /** Acquires the underlying lock: {@link Lock.acquire}. */
  acquire(options?: WaitOptions): Promise<true> {
    return this.#lock.acquire(options);
  }

  /** {@link Lock.tryAcquire} of the underlying lock. */
  tryAcquire(): boolean {
    return this.#lock.tryAcquire();
  }

  /**
   * Releases the underlying lock: {@link Lock.release}.
   *
   * @throws `InvalidStateError` if the lock is not locked.
   */
  release(): void {
    this.#lock.release();
  }

  /** True while the underlying lock is locked. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /** {@link Lock.hold} of the underlying lock. */
  hold(options?: WaitOptions): Promise<Guard> {
    return hold(this, options);
  }

  /** {@link Lock.run} of the underlying lock. */
  run<R>(fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<R> {
    return run(this, fn, options);
  }

  /**
   * Releases the lock, waits for a notification, re-acquires the lock and
   * resolves `true`. The caller must hold the lock.
   *
   * **Cancellation**: an abort or a timeout before the notification takes
   * this call off the queue (no notification is ever spent on it), then
   * re-acquires the lock, which cannot be cancelled, and only then rejects
   * with `signal.reason` or `TimeoutError`. So when the rejection is seen the
   * lock is held, as after every `wait()`, and the caller's `finally` that
   * releases it stays right. After the notification, an abort changes
   * nothing: the call re-acquires and resolves. An aborted signal or
   * `timeout: 0` rejects at once, without releasing the lock.
   *
   * @throws (as rejections) `InvalidStateError` if the lock is not held;
   *   `TypeError`/`RangeError` for malformed options.
   */
  async wait(options?: WaitOptions): Promise<true> {
    if (!this.#lock.locked()) throw new InvalidStateError("cannot wait on un-acquired lock");
    const error = check(options, true);
    if (error !== undefined) throw error;
    this.#lock.release();
    try {
      await this.#waiters.wait(options);
    } finally {
      // Whatever ended the wait, the caller's code after it (and its finally
      // that releases) assumes the lock is held: take it back first. Passing
      // no options makes this step impossible to cancel.
      await this.#lock.acquire();
    }
    return true;
  }

  /**
   * Waits until `predicate()` is truthy and resolves its last value. It is
   * called first at once, then after each notification, always with the
   * lock held. The caller must hold the lock.
   *
   * **Cancellation**: the signal and timeout bound the whole call. An abort
   * or a timeout while waiting rejects as {@link wait} does, with the lock
   * held. One that comes after a notification lets that round finish: if the
   * predicate is then truthy, the call resolves.
   *
   * @throws (as rejections) `TypeError` if `predicate` is not a function or
   *   the options are malformed; `RangeError` for a bad timeout;
   *   `InvalidStateError` if the lock is not held (checked before the
   *   predicate is called).
   */
  async waitFor<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    if (typeof predicate !== "function") throw new TypeError(`predicate must be a function, got ${typeof predicate}`);
    if (!this.#lock.locked()) throw new InvalidStateError("cannot wait on un-acquired lock");
    const error = check(options);
    if (error !== undefined) throw error;
    let result = predicate();
    const timeout = options?.timeout;
    const deadline = timeout === undefined || timeout === Infinity ? undefined : performance.now() + timeout;
    while (!result) {
      // Each round gets what is left of the one timeout, so the timeout
      // bounds the whole call and not each wait.
      const round =
        deadline === undefined
          ? options
          : { signal: options?.signal, timeout: Math.max(0, deadline - performance.now()) };
      await this.wait(round);
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes at most `n` waiters, oldest first; `waiters` drops by the number
   * woken at once. Each re-acquires the lock once the caller releases it.
   *
   * @throws `TypeError` if `n` is not a number; `RangeError` unless it is
   *   `Infinity` or an integer from 0 to `Number.MAX_SAFE_INTEGER`;
   *   `InvalidStateError` if the lock is not held.
   */
  notify(n = 1): void {
    if (n !== Infinity) count(n, "n", 0);
    if (!this.#lock.locked()) throw new InvalidStateError("cannot notify on un-acquired lock");
    // `n` counts down to 0; Infinity stays Infinity.
    for (let waiter; n-- > 0 && (waiter = this.#waiters.shift()) !== undefined;) waiter.grant(true);
  }

  /**
   * Wakes every waiter.
   *
   * @throws `InvalidStateError` if the lock is not held.
   */
  notifyAll(): void {
    this.notify(Infinity);
  }

  /** How many callers are waiting for a notification. */
  get waiters(): number {
    return this.#waiters.length;
  }

  /** `<Condition [unlocked]>` or `<Condition [locked, waiters:1]>`. */
  toString(): string {
    const waiters = this.#waiters.length;
    return `<Condition [${this.#lock.locked() ? "locked" : "unlocked"}${waiters > 0 ? `, waiters:${waiters}` : ""}]>`;
  }

  [inspect](): string {
    return this.toString();
  }
}
