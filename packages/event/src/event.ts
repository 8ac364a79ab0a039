import { inspect, mayProceed, resolvedTrue, WaiterQueue, type WaitOptions } from "@sync/core";

/**
 * A flag that tasks can wait for: `asyncio.Event`. False at first; `set()`
 * makes it true and wakes every waiter, `clear()` makes it false again.
 *
 * Invariant: `waiters > 0` implies the flag is false.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * void loadConfig().then(() => ready.set());
 * await ready.wait({ timeout: 5_000 });
 * ```
 */
export class Event {
  #flag = false;
  #waiters = new WaiterQueue<true>();

  /**
   * Resolves `true` at once if the flag is set, else when `set()` is next
   * called.
   *
   * **Cancellation**: an abort or a timeout before `set()` removes this call
   * from the waiters and rejects with `signal.reason` or `TimeoutError`. Once
   * `set()` has been called, an abort changes nothing: the call resolves,
   * even if `clear()` followed. An aborted signal rejects even when the flag
   * is set.
   *
   * @throws (as rejections) `TypeError`/`RangeError` for malformed options.
   */
  wait(options?: WaitOptions): Promise<true> {
    if (this.#flag && mayProceed(options)) return resolvedTrue;
    return this.#waiters.wait(options);
  }

  /**
   * Sets the flag and wakes every waiter in the same step, so a `clear()`
   * right after does not stop them.
   */
  set(): void {
    if (this.#flag) return;
    this.#flag = true;
    for (let waiter; (waiter = this.#waiters.shift()) !== undefined;) waiter.grant(true);
  }

  /** Unsets the flag: later `wait()` calls wait for the next `set()`. */
  clear(): void {
    this.#flag = false;
  }

  /** The flag. */
  isSet(): boolean {
    return this.#flag;
  }

  /** How many callers are waiting for `set()`. */
  get waiters(): number {
    return this.#waiters.length;
  }

  /** `<Event [unset]>`, `<Event [set]>` or `<Event [unset, waiters:1]>`. */
  toString(): string {
    const waiters = this.#waiters.length;
    return `<Event [${this.#flag ? "set" : "unset"}${waiters > 0 ? `, waiters:${waiters}` : ""}]>`;
  }

  [inspect](): string {
    return this.toString();
  }
}
