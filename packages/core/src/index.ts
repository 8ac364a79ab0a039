/**
 * The waiter queue, cancellation, timeouts, errors and guards that the `@sync` primitives share.
 *
 * @module \@sync/core
 */
import type { WaitOptions } from "./options";
import { WaiterQueue as Queue, type Waiter } from "./waiter-queue";

export { InvalidStateError, TimeoutError } from "./errors";
export { Guard, type Acquirable } from "./guard";
export type { WaitOptions } from "./options";
export type { Waiter } from "./waiter-queue";
export { withTimeout } from "./with-timeout";

/**
 * The FIFO of pending waiters that every `@sync` primitive is built on, for a
 * primitive of your own: `wait(options)` queues a caller and wires its
 * `signal` and `timeout`; `shift()` takes the oldest off for you to settle.
 *
 * **Cancellation**: a waiter whose signal aborts, or whose timeout runs out,
 * leaves the queue at once (O(1)) and rejects with `signal.reason` or a
 * `TimeoutError`; then `onLeave` runs. A waiter whose signal has aborted is
 * never handed out by `shift()`. Once granted, an abort or a timeout does
 * nothing.
 *
 * @typeParam T - what a granted waiter resolves with.
 * @example A minimal fair lock
 * ```ts
 * class MiniLock {
 *   #locked = false;
 *   #waiters = new WaiterQueue<true>();
 *   acquire(options?: WaitOptions): Promise<true> {
 *     if (this.#locked || options?.signal?.aborted) return this.#waiters.wait(options); // leaves at once on abort or time-out
 *     this.#locked = true;
 *     return Promise.resolve(true);
 *   }
 *   release(): void {
 *     const next = this.#waiters.shift();
 *     if (next !== undefined) next.grant(true); // hand-off: stays locked, no newcomer overtakes
 *     else this.#locked = false;
 *   }
 * }
 * ```
 */
export interface WaiterQueue<T> {
  /** How many waiters are queued. */
  readonly length: number;
  /** Runs after an aborted or timed-out waiter has left the queue and rejected. */
  readonly onLeave?: (() => void) | undefined;
  /**
   * Queues a caller and returns the promise it awaits: resolved by
   * `grant()`, rejected by `fail()`, an abort (`signal.reason`) or a timeout
   * (`TimeoutError`). Malformed options, an aborted signal or `timeout: 0`
   * reject at once and queue nothing; it never throws.
   */
  wait(options?: WaitOptions): Promise<T>;
  /** Takes the oldest waiter off the queue (`undefined` when empty); settle it once with `grant()` or `fail()`. */
  shift(): Waiter<T> | undefined;
}

/** Makes an empty queue; `onLeave` runs after each waiter that an abort or a timeout takes out. */
export const WaiterQueue: new <T>(onLeave?: () => void) => WaiterQueue<T> = Queue;
