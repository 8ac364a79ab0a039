import type { WaitOptions } from "@sync/core";
import { check, inspect, resolvedTrue, WaiterQueue } from "@sync/core/internal";

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
  // Callers that pass no signal and no timeout can only be woken all
  // together, so those that arrive one after another share one queued waiter
  // and its promise: `#group`, while that waiter is the newest. A caller
  // with a signal or timeout gets a waiter of its own and ends the group, so
  // set() still wakes callers in the order they came. `#count` counts
  // callers, not waiters; an abandoned waiter was one caller.
  #waiters = new WaiterQueue<true>(() => this.#count--);
  #group: Promise<true> | undefined;
  #count = 0;

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
    try {
      // `timeout: 0` fails only a call that would wait.
      const error = check(options, !this.#flag);
      if (error !== undefined) return Promise.reject(error);
      if (this.#flag) return resolvedTrue;
      this.#count++;
      if (options?.signal !== undefined || (options?.timeout ?? Infinity) !== Infinity) {
        this.#group = undefined;
        return this.#waiters.wait(options);
      }
      return (this.#group ??= this.#waiters.wait());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sets the flag and wakes every waiter in the same step, so a `clear()`
   * right after does not stop them.
   */
  set(): void {
    if (this.#flag) return;
    this.#flag = true;
    this.#count = 0;
    this.#group = undefined;
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
    return this.#count;
  }

  /** `<Event [unset]>`, `<Event [set]>` or `<Event [unset, waiters:1]>`. */
  toString(): string {
    const waiters = this.#count;
    return `<Event [${this.#flag ? "set" : "unset"}${waiters > 0 ? `, waiters:${waiters}` : ""}]>`;
  }

  [inspect](): string {
    return this.toString();
  }
}
