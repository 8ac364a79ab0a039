import { Guard, type WaitOptions } from "@sync/core";
import { check, count, grantFitting, hold, inspect, resolvedTrue, run, WaiterQueue } from "@sync/core/internal";

/** The options of a weighted wait: {@link WaitOptions} and how many permits. */
type PermitOptions = WaitOptions & { permits?: number | undefined };

/**
 * A fair counting semaphore: `asyncio.Semaphore`, with weighted acquires. It
 * holds `value` permits; `acquire()` takes one (or `permits`), waiting while
 * there are too few, and `release()` gives them back, straight to the oldest
 * waiters that fit.
 *
 * Invariants: `0 <= value <= Number.MAX_SAFE_INTEGER`; `waiters > 0` implies
 * the head waiter wants more than `value`, so a newcomer never takes permits
 * ahead of a queued waiter, and a large request is never starved by small
 * ones.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(4); // at most 4 downloads at a time
 * await Promise.all(urls.map((url) => slots.run(() => download(url))));
 * ```
 */
export class Semaphore {
  #value: number;
  // A waiter that leaves may have been blocking smaller ones behind it.
  #waiters = new WaiterQueue<true>(() => this.#wakeUp());
  readonly #bound: number;

  /**
   * @param value - the initial number of permits.
   * @throws `TypeError` if `value` is not a number; `RangeError` unless it is
   *   an integer from 0 to `Number.MAX_SAFE_INTEGER`.
   */
  constructor(value = 1) {
    this.#value = count(value, "value", 0);
    // A BoundedSemaphore never goes above its initial value. Asked through
    // the tag, not `instanceof`, so that importing Semaphore alone does not
    // bundle BoundedSemaphore.
    this.#bound = this[Symbol.toStringTag] === "BoundedSemaphore" ? value : Number.MAX_SAFE_INTEGER;
  }

  /**
   * Takes `options.permits` permits (1 by default): at once if that many are
   * free and nobody is queued, else when `release()` hands them over.
   * Resolves `true`.
   *
   * **Cancellation**: an abort or a timeout before the permits are granted
   * removes this call from the queue and rejects with `signal.reason` or
   * `TimeoutError`; `value` and the queue are as if the call was never made,
   * and the waiters behind it that now fit are granted. Once granted, an
   * abort changes nothing: the caller holds the permits. An aborted signal
   * rejects even when permits are free.
   *
   * @throws (as rejections) `TypeError`/`RangeError` for malformed options or
   *   `permits`; `RangeError` on a `BoundedSemaphore` for two or more permits
   *   above its initial value.
   */
  acquire(options?: PermitOptions): Promise<true> {
    try {
      const permits = options?.permits;
      const n = permits === undefined ? 1 : count(permits, "permits", 1);
      // More than the bound can never be granted (n <= value <= bound when free).
      const error =
        check(options) ?? (n > 1 && n > this.#bound ? new RangeError("permits exceed the bound") : undefined);
      if (error !== undefined) return Promise.reject(error);
      if (this.#value >= n && this.#waiters.length === 0) {
        this.#value -= n;
        return resolvedTrue;
      }
      return this.#waiters.wait(options, n);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Takes `n` permits and returns `true` if that many are free and nobody is
   * queued, else takes nothing and returns `false`.
   *
   * @throws `TypeError`/`RangeError` unless `n` is an integer >= 1.
   */
  tryAcquire(n = 1): boolean {
    count(n, "n", 1);
    if (this.#value < n || this.#waiters.length > 0) return false;
    this.#value -= n;
    return true;
  }

  /**
   * Gives `n` permits back: to the waiters at the head of the queue, in
   * order, as many as now fit (`waiters` drops by that many at once); the
   * rest adds to `value`.
   *
   * @throws `TypeError`/`RangeError` unless `n` is an integer >= 1;
   *   `RangeError` if `value` would exceed `Number.MAX_SAFE_INTEGER`, or on a
   *   `BoundedSemaphore` its initial value (before any hand-off). Nothing
   *   changes then.
   */
  release(n = 1): void {
    count(n, "n", 1);
    if (n > this.#bound - this.#value) {
      throw new RangeError(`${this[Symbol.toStringTag]} released too many times`);
    }
    this.#value += n;
    this.#wakeUp();
  }

  /** True if `acquire()` could not succeed at once. */
  locked(): boolean {
    return this.#value === 0 || this.#waiters.length > 0;
  }

  /** The number of free permits. */
  get value(): number {
    return this.#value;
  }

  /** How many callers are waiting for permits. */
  get waiters(): number {
    return this.#waiters.length;
  }

  /**
   * Takes `options.permits` permits and resolves to a {@link Guard} that
   * gives them all back once; made for `using _ = await semaphore.hold()`.
   *
   * **Cancellation**: as {@link acquire}; a rejected call holds nothing.
   */
  hold(options?: PermitOptions): Promise<Guard> {
    return hold(this, options);
  }

  /**
   * Takes `options.permits` permits, awaits `fn()`, gives them back in all
   * cases, and returns `fn`'s result.
   *
   * **Cancellation**: the options bound the acquire only.
   */
  run<R>(fn: () => R | PromiseLike<R>, options?: PermitOptions): Promise<R> {
    return run(this, fn, options);
  }

  /** The class name that `String()` shows. */
  get [Symbol.toStringTag](): string {
    return "Semaphore";
  }

  /** `<Semaphore [unlocked, value:3]>`, `<Semaphore [locked]>` or `<Semaphore [locked, value:1, waiters:2]>`. */
  toString(): string {
    const value = this.#value;
    const waiters = this.#waiters.length;
    return `<${this[Symbol.toStringTag]} [${this.locked() ? "locked" : "unlocked"}${value > 0 ? `, value:${value}` : ""}${waiters > 0 ? `, waiters:${waiters}` : ""}]>`;
  }

  [inspect](): string {
    return this.toString();
  }

  // asyncio's `_wake_up_next`, for many permits: the head waiters that fit
  // take theirs, in order.
  #wakeUp(): void {
    this.#value -= grantFitting(this.#waiters, this.#value, true);
  }
}

/**
 * A {@link Semaphore} that refuses to be released more often than it was
 * acquired: `asyncio.BoundedSemaphore`. Use it when an extra `release()` is a
 * bug you want to hear about.
 *
 * Invariant: `value` never exceeds the initial value.
 *
 * @example
 * ```ts
 * const pool = new BoundedSemaphore(2);
 * pool.release(); // throws RangeError: nothing was acquired
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  override get [Symbol.toStringTag](): string {
    return "BoundedSemaphore";
  }
}
