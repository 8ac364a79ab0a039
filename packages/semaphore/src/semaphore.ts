import {
  Guard,
  hold,
  inspect,
  keepShape,
  mayProceed,
  resolvedTrue,
  run,
  WaiterQueue,
  type WaitOptions,
} from "@sync/core";

/**
 * A fair counting semaphore: `asyncio.Semaphore`. It holds `value` permits;
 * `acquire()` takes one, waiting while there is none, and `release()` gives
 * one back, straight to the oldest waiter if there is one.
 *
 * Invariants: `value >= 0`; `waiters > 0` implies `value === 0`, so a
 * newcomer never takes a permit ahead of a queued waiter.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(4); // at most 4 downloads at a time
 * await Promise.all(urls.map((url) => slots.run(() => download(url))));
 * ```
 */
export class Semaphore {
  #value: number;
  #waiters = new WaiterQueue<true>();

  /**
   * @param value - the initial number of permits.
   * @throws `TypeError` if `value` is not a number; `RangeError` unless it is
   *   an integer >= 0.
   */
  constructor(value = 1) {
    if (typeof value !== "number") throw new TypeError(`value must be a number, got ${typeof value}`);
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`value must be an integer >= 0, got ${value}`);
    this.#value = value;
    keepShape(Semaphore, () => new Semaphore());
  }

  /**
   * Takes a permit: at once if `value > 0`, else when a `release()` hands
   * one over. Resolves `true`.
   *
   * **Cancellation**: an abort or a timeout before a permit is granted
   * removes this call from the queue and rejects with `signal.reason` or
   * `TimeoutError`; `value` and the queue are as if the call was never made.
   * Once granted, an abort changes nothing: the caller holds the permit. An
   * aborted signal rejects even when a permit is free.
   *
   * @throws (as rejections) `TypeError`/`RangeError` for malformed options.
   */
  acquire(options?: WaitOptions): Promise<true> {
    // invariant: value > 0 implies no waiters, so this never overtakes one.
    if (this.#value > 0 && mayProceed(options)) {
      this.#value--;
      return resolvedTrue;
    }
    return this.#waiters.wait(options);
  }

  /** Takes a permit and returns `true` if one is free, else returns `false`. */
  tryAcquire(): boolean {
    if (this.#value === 0) return false;
    this.#value--;
    return true;
  }

  /**
   * Gives a permit back: to the oldest waiter if there is one (`value` stays
   * 0 and `waiters` drops by one), else `value` grows by one.
   */
  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next.grant(true);
    else this.#value++;
  }

  /** True if `acquire()` could not succeed at once. */
  locked(): boolean {
    return this.#value === 0;
  }

  /** The number of free permits. */
  get value(): number {
    return this.#value;
  }

  /** How many callers are waiting for a permit. */
  get waiters(): number {
    return this.#waiters.length;
  }

  /**
   * Takes a permit and resolves to a {@link Guard} that gives it back once;
   * made for `using _ = await semaphore.hold()`.
   *
   * **Cancellation**: as {@link acquire}; a rejected call holds nothing.
   */
  hold(options?: WaitOptions): Promise<Guard> {
    return hold(this, options);
  }

  /**
   * Takes a permit, awaits `fn()`, gives the permit back in all cases, and
   * returns `fn`'s result.
   *
   * **Cancellation**: the options bound the acquire only.
   */
  run<R>(fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<R> {
    return run(this, fn, options);
  }

  /** The class name that `String()` shows. */
  get [Symbol.toStringTag](): string {
    return "Semaphore";
  }

  /** `<Semaphore [unlocked, value:3]>`, `<Semaphore [locked]>` or `<Semaphore [locked, waiters:2]>`. */
  toString(): string {
    const waiters = this.#waiters.length;
    const state = this.#value === 0 ? "locked" : `unlocked, value:${this.#value}`;
    return `<${this[Symbol.toStringTag]} [${state}${waiters > 0 ? `, waiters:${waiters}` : ""}]>`;
  }

  [inspect](): string {
    return this.toString();
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
  readonly #bound: number;

  /**
   * @param value - the initial and largest number of permits.
   * @throws `TypeError` if `value` is not a number; `RangeError` unless it is
   *   an integer >= 0.
   */
  constructor(value = 1) {
    super(value);
    this.#bound = value;
    keepShape(BoundedSemaphore, () => new BoundedSemaphore());
  }

  /**
   * As {@link Semaphore.release}.
   *
   * @throws `RangeError` if it would raise `value` above the initial value;
   *   `value` is unchanged then.
   */
  override release(): void {
    if (this.value >= this.#bound) throw new RangeError("BoundedSemaphore released too many times");
    super.release();
  }

  override get [Symbol.toStringTag](): string {
    return "BoundedSemaphore";
  }
}
