import { type Guard, InvalidStateError, type WaitOptions } from "@sync/core";
import { check, hold, inspect, isInstance, resolvedTrue, run, WaiterQueue } from "@sync/core/internal";

/**
 * A fair mutual-exclusion lock for async code: `asyncio.Lock`.
 *
 * The lock is not owned by any particular caller: whoever acquired it may
 * release it, from any task. `release()` hands the lock straight to the
 * oldest waiter, so it stays locked and no newcomer can take it first.
 *
 * Invariants: `waiters > 0` implies `locked()`; waiters are granted in the
 * order they called `acquire()`.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * async function append(line: string) {
 *   using _ = await lock.hold();
 *   const text = await read(file);
 *   await write(file, text + line);
 * }
 * ```
 */
export class Lock {
  #locked = false;
  #waiters = new WaiterQueue<true>();

  /**
   * Waits until the lock is unlocked, then locks it. Resolves `true`.
   *
   * **Cancellation**: an abort or a timeout before the lock is granted
   * removes this call from the queue and rejects with `signal.reason` or
   * `TimeoutError`; the lock is as if the call was never made. Once granted,
   * an abort changes nothing: the promise resolves and the caller holds the
   * lock. An aborted signal rejects even when the lock is free.
   *
   * @throws (as rejections) `TypeError`/`RangeError` for malformed options.
   */
  acquire(options?: WaitOptions): Promise<true> {
    try {
      // invariant: waiters > 0 implies locked, so this never overtakes a waiter.
      if (!this.#locked && check(options) === undefined) {
        this.#locked = true;
        return resolvedTrue;
      }
      return this.#waiters.wait(options);
    } catch (error) {
      // An unbound `this`: rejected, as every error of a waiting call.
      return Promise.reject(error);
    }
  }

  /** Locks and returns `true` if that is possible without waiting, else returns `false`. */
  tryAcquire(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

  /**
   * Unlocks the lock, or hands it to the oldest waiter, in which case it
   * stays locked and `waiters` drops by one.
   *
   * @throws `InvalidStateError` if the lock is not locked.
   */
  release(): void {
    if (!this.#locked) throw new InvalidStateError("Lock is not acquired");
    const next = this.#waiters.shift();
    if (next !== undefined) next.grant(true);
    else this.#locked = false;
  }

  /** True while the lock is locked. */
  locked(): boolean {
    return this.#locked;
  }

  /** How many callers are waiting to acquire the lock. */
  get waiters(): number {
    return this.#waiters.length;
  }

  /**
   * Acquires the lock and resolves to a {@link Guard} that releases it once;
   * made for `using _ = await lock.hold()`.
   *
   * **Cancellation**: as {@link acquire}; a rejected call holds nothing.
   */
  hold(options?: WaitOptions): Promise<Guard> {
    return hold(this, options);
  }

  /**
   * Acquires the lock, awaits `fn()`, releases in all cases, and returns
   * `fn`'s result.
   *
   * **Cancellation**: the options bound the acquire only, as in
   * {@link acquire}; they do not interrupt `fn`.
   */
  run<R>(fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<R> {
    return run(this, fn, options);
  }

  /** `<Lock [unlocked]>`, `<Lock [locked]>` or `<Lock [locked, waiters:2]>`. */
  toString(): string {
    const waiters = this.#waiters.length;
    return `<Lock [${this.#locked ? "locked" : "unlocked"}${waiters > 0 ? `, waiters:${waiters}` : ""}]>`;
  }

  [inspect](): string {
    return this.toString();
  }

  /** The brand that `instanceof` looks for in another build's instances. */
  get "@sync/Lock"(): true {
    return true;
  }

  /** `instanceof`, across builds of `@sync/lock` (ESM and CommonJS in one app). */
  static [Symbol.hasInstance] = /* #__PURE__ */ isInstance("@sync/Lock");
}
