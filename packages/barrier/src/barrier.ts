import { InvalidStateError, type WaitOptions } from "@sync/core";
import { check, count, inspect, isInstance, WaiterQueue } from "@sync/core/internal";

/**
 * What a {@link Barrier.wait} rejects with when the barrier is broken by
 * `abort()`, or reset while the call waits: `asyncio.BrokenBarrierError`.
 *
 * @example
 * ```ts
 * try {
 *   await barrier.wait();
 * } catch (error) {
 *   if (!(error instanceof BrokenBarrierError)) throw error;
 * }
 * ```
 */
export class BrokenBarrierError extends InvalidStateError {
  override name = "BrokenBarrierError";

  /** The brand that `instanceof` looks for in another build's instances. */
  get "@sync/BrokenBarrierError"(): true {
    return true;
  }

  /** `instanceof`, across builds of `@sync/barrier` (ESM and CommonJS in one app). */
  static override [Symbol.hasInstance] = /* #__PURE__ */ isInstance("@sync/BrokenBarrierError");
}

/**
 * A reusable barrier: `asyncio.Barrier`. Callers of `wait()` wait until
 * `parties` of them are waiting, then all go on together.
 *
 * The last caller to arrive releases the cycle: every waiter of the cycle is
 * resolved in that same step and the barrier is filling again at once, so a
 * caller arriving next joins the next cycle. asyncio needs `draining` and
 * `resetting` states because its woken tasks resume later; a hand-off needs
 * none.
 *
 * Invariants: while filling, `nWaiting < parties`; while broken, nobody
 * waits.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3);
 * await Promise.all([worker(barrier), worker(barrier), worker(barrier)]);
 * async function worker(b: Barrier) {
 *   await prepare();
 *   const position = await b.wait(); // 0, 1 or 2
 *   if (position === 0) console.log("all prepared");
 * }
 * ```
 */
export class Barrier {
  readonly #parties: number;
  #broken = false;
  #waiters = new WaiterQueue<number>();

  /**
   * @param parties - how many callers each cycle lets through together.
   * @throws `TypeError` if `parties` is not a number; `RangeError` unless it
   *   is an integer from 1 to `Number.MAX_SAFE_INTEGER`.
   */
  constructor(parties: number) {
    this.#parties = count(parties, "parties", 1);
  }

  /**
   * Waits until `parties` callers are waiting, then resolves all of them
   * together, each with a different position in `0 … parties-1`, in the
   * order they arrived.
   *
   * **Cancellation**: an abort or a timeout while the barrier fills takes
   * this caller out: `nWaiting` drops by one and the barrier is otherwise
   * unchanged. Once the cycle is released, an abort, a `reset()` or an
   * `abort()` changes nothing: the call resolves with its position. An
   * aborted signal rejects even for the caller that would release the cycle;
   * `timeout: 0` succeeds only for that caller.
   *
   * @throws (as rejections) `BrokenBarrierError` if the barrier is broken, or
   *   becomes broken or is reset while this call waits;
   *   `TypeError`/`RangeError` for malformed options.
   */
  wait(options?: WaitOptions): Promise<number> {
    try {
      const error = check(options) ?? (this.#broken ? new BrokenBarrierError("Barrier aborted") : undefined);
      if (error !== undefined) return Promise.reject(error);
      const waiters = this.#waiters;
      if (waiters.length + 1 < this.#parties) return waiters.wait(options);
      // The last party, unless a waiter whose signal has aborted but whose
      // listener has not run yet (an earlier listener on that signal called
      // wait()) is among them: it is no party. shift() skips and rejects
      // such a waiter; if that leaves the cycle short, the others go back.
      const party = [];
      for (let waiter; (waiter = waiters.shift()) !== undefined;) party.push(waiter);
      if (party.length + 1 < this.#parties) {
        for (const waiter of party) waiters.requeue(waiter);
        return waiters.wait(options);
      }
      // Release the whole cycle in this one step. Positions are handed out
      // now, so they stay distinct when someone left early.
      for (let position = 0; position < party.length; position++) party[position]!.grant(position);
      return Promise.resolve(party.length);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Returns the barrier to an empty, filling state: callers waiting now
   * reject with `BrokenBarrierError`; a broken barrier works again.
   */
  reset(): void {
    this.#broken = false;
    this.#breakWaiters("Barrier reset");
  }

  /**
   * Breaks the barrier: callers waiting now, and every later `wait()`,
   * reject with `BrokenBarrierError` until `reset()`.
   */
  abort(): void {
    this.#broken = true;
    this.#breakWaiters("Barrier aborted");
  }

  /** How many callers each cycle lets through. */
  get parties(): number {
    return this.#parties;
  }

  /** How many callers are waiting for the barrier to fill. */
  get nWaiting(): number {
    return this.#waiters.length;
  }

  /** True after `abort()`, until `reset()`. */
  get broken(): boolean {
    return this.#broken;
  }

  /** `<Barrier [filling, waiters:2/3]>` or `<Barrier [broken]>`. */
  toString(): string {
    return this.#broken
      ? "<Barrier [broken]>"
      : `<Barrier [filling, waiters:${this.#waiters.length}/${this.#parties}]>`;
  }

  [inspect](): string {
    return this.toString();
  }

  #breakWaiters(message: string): void {
    for (let waiter; (waiter = this.#waiters.shift()) !== undefined;) waiter.fail(new BrokenBarrierError(message));
  }
}
