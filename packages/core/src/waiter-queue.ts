/*
 * WaiterQueue: the FIFO of pending waits that every @sync primitive is built
 * on.
 *
 * Structure. An intrusive doubly linked list: each pending call is one
 * `Waiter` node that carries its own links (`prev`, `next`, `queue`), the
 * settle functions of the promise its caller awaits, and the signal and timer
 * that may abandon it. The queue itself holds only `head`, `tail` and
 * `length`. There is no array, so nothing is ever spliced or searched.
 *
 * Invariants.
 *   1. A node is in the queue if and only if its links are set (`queue` is
 *      non-null). Unlinking clears them, so a second removal does nothing
 *      and returns false.
 *   2. Whoever unlinks a waiter settles it, exactly once. Either the
 *      primitive grants it (`shift()`, then `grant()` or `fail()`), or an
 *      abort or timeout abandons it (`remove()`, then reject).
 *   3. Settling removes the abort listener and clears the timer.
 *   4. When an abandoned waiter leaves, the queue's `onLeave` hook runs, so a
 *      wake-up meant for it goes to the next waiter.
 *
 * Cost. `push`, `shift`, `remove`, `first` and `length` are O(1); iteration
 * is O(n). A waiting call allocates one node, one promise, and a timer only
 * if it has a finite timeout; the node itself is the abort listener (it has
 * `handleEvent`), so there is no closure per signal.
 *
 * Who may call what. The primitive owns its queue: it adds waiters with
 * `wait()`, and grants them with `shift()` followed by `grant()` or `fail()`.
 * The waiter's own abort listener and timer are the only callers of
 * `remove()` on a pending waiter in the primitives of this library.
 *
 * Why it is fair. Waiters are appended at the tail and granted from the head,
 * and a primitive hands what it releases straight to the head waiter instead
 * of making it available to whoever asks next, so a newcomer never overtakes
 * a waiter that is already queued.
 */

import { TimeoutError } from "./errors";
import { refusal, type WaitOptions } from "./options";

// Browsers and Node cap timers at 2^31 - 1 ms (about 24.8 days); a longer
// delay overflows and fires at once. Clamping it would fire early, so a
// longer timeout waits in steps of at most this long.
const MAX_TIMER_DELAY = 2_147_483_647;

function noop(): void {}

// Starts `waiter`'s timer for `ms`, in one step if the runtime allows it;
// `expire` then re-arms for the rest.
function arm<T>(waiter: Waiter<T>, ms: number): void {
  waiter.timer = setTimeout(expire, Math.min(ms, MAX_TIMER_DELAY), waiter, ms - MAX_TIMER_DELAY);
}

function expire<T>(waiter: Waiter<T>, rest: number): void {
  if (rest > 0) arm(waiter, rest);
  else waiter.abandon(new TimeoutError("timed out while waiting"));
}

/**
 * One pending call in a {@link WaiterQueue}. A primitive meets it when it
 * takes it off the queue with `shift()` and settles it with `grant()` or
 * `fail()`.
 *
 * @example
 * ```ts
 * const waiter = this.#waiters.shift();
 * if (waiter !== undefined) waiter.grant(true);
 * ```
 */
export class Waiter<T> {
  /** @internal The node before this one; meaningful only while `queue` is set. */
  prev: Waiter<T> | null = null;
  /** @internal The node after this one; meaningful only while `queue` is set. */
  next: Waiter<T> | null = null;
  /** @internal The queue this node is in, or null (invariant 1). */
  queue: WaiterQueue<T> | null = null;
  /** @internal */
  resolve: (value: T) => void = noop;
  /** @internal */
  reject: (reason: unknown) => void = noop;
  /** @internal */
  signal: AbortSignal | undefined = undefined;
  /** @internal */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;

  /**
   * Resolves the caller's promise with `value`. Call it once, on a waiter
   * taken off the queue (invariant 2).
   */
  grant(value: T): void {
    this.#disarm();
    this.resolve(value);
  }

  /**
   * Rejects the caller's promise with `error` (a `reset()` or `abort()` of
   * the primitive). Call it once, on a waiter taken off the queue
   * (invariant 2).
   */
  fail(error: unknown): void {
    this.#disarm();
    this.reject(error);
  }

  /**
   * Abandons the wait because its signal aborted or its timer ran out: if
   * the waiter is still queued, it leaves, rejects with `reason`, and the
   * queue's `onLeave` hook runs. Once granted, this does nothing.
   */
  abandon(reason: unknown): void {
    const queue = this.queue;
    // invariant 1: not linked means already granted or abandoned.
    if (queue === null) return;
    queue.remove(this);
    this.fail(reason); // invariants 2 and 3
    queue.onLeave?.(); // invariant 4
  }

  /** @internal The abort listener: the node is its own `EventListenerObject`. */
  handleEvent(): void {
    this.abandon((this.signal as AbortSignal).reason);
  }

  // invariant 3
  #disarm(): void {
    if (this.signal !== undefined) {
      this.signal.removeEventListener("abort", this);
      this.signal = undefined;
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

/**
 * The FIFO of pending waiters that every `@sync` primitive is built on: an
 * intrusive doubly linked list with O(1) push, shift and removal of any
 * waiter, which wires each wait's `signal` and `timeout`.
 *
 * Cancellation: a waiter whose signal aborts, or whose timeout runs out,
 * leaves the queue at once (O(1)) and rejects with `signal.reason` or a
 * {@link TimeoutError}; then `onLeave` runs. Once granted, an abort or a
 * timeout does nothing.
 *
 * @typeParam T - what a granted waiter resolves with.
 * @example A minimal fair lock
 * ```ts
 * class MiniLock {
 *   #locked = false;
 *   #waiters = new WaiterQueue<true>();
 *   acquire(options?: WaitOptions): Promise<true> {
 *     if (!this.#locked && mayProceed(options)) {
 *       this.#locked = true;
 *       return resolvedTrue;
 *     }
 *     return this.#waiters.wait(options);
 *   }
 *   release(): void {
 *     const next = this.#waiters.shift();
 *     if (next !== undefined) next.grant(true); // hand-off: stays locked
 *     else this.#locked = false;
 *   }
 * }
 * ```
 */
export class WaiterQueue<T> implements Iterable<Waiter<T>> {
  #head: Waiter<T> | null = null;
  #tail: Waiter<T> | null = null;
  #length = 0;

  /**
   * @param onLeave - runs after an abandoned (aborted or timed out) waiter
   *   has left the queue and rejected, so a primitive that wakes waiters
   *   without handing over (as asyncio does) can pass the wake-up on.
   */
  constructor(readonly onLeave?: () => void) {}

  /** How many waiters are queued. */
  get length(): number {
    return this.#length;
  }

  /** The oldest waiter, or `undefined` when the queue is empty. */
  get first(): Waiter<T> | undefined {
    return this.#head ?? undefined;
  }

  /**
   * Queues a new waiter and returns the promise its caller awaits. The
   * promise resolves when the primitive grants the waiter; it rejects with
   * `options.signal.reason` when the signal aborts first, and with a
   * {@link TimeoutError} when `options.timeout` runs out first.
   *
   * Nothing is queued, and the promise rejects at once, when the options are
   * malformed (`TypeError`, `RangeError`), the signal has already aborted, or
   * `timeout` is `0`.
   *
   * **Cancellation**: before the grant, an abort or a timeout unlinks the
   * waiter in O(1), rejects, and runs `onLeave`. After the grant it changes
   * nothing, and the listener and timer are already gone.
   */
  wait(options?: WaitOptions): Promise<T> {
    const refused = refusal(options);
    if (refused !== undefined) return refused;
    const waiter = new Waiter<T>();
    const promise = new Promise<T>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    this.push(waiter);
    if (options) {
      const { signal, timeout } = options;
      if (signal !== undefined) {
        waiter.signal = signal;
        signal.addEventListener("abort", waiter);
      }
      if (timeout !== undefined && timeout !== Infinity) {
        arm(waiter, timeout);
      }
    }
    return promise;
  }

  /**
   * Appends a waiter that is in no queue. {@link wait} does this for you;
   * use it only for a waiter that you settle yourself.
   *
   * @throws `TypeError` if the waiter is already in a queue.
   */
  push(waiter: Waiter<T>): void {
    if (waiter.queue !== null) throw new TypeError("waiter is already queued");
    waiter.queue = this;
    waiter.prev = this.#tail;
    if (this.#tail === null) this.#head = waiter;
    else this.#tail.next = waiter;
    this.#tail = waiter;
    this.#length++;
  }

  /**
   * Takes the oldest waiter off the queue, or returns `undefined` when it is
   * empty. The caller must settle it (invariant 2).
   */
  shift(): Waiter<T> | undefined {
    const waiter = this.#head;
    if (waiter === null) return undefined;
    this.remove(waiter);
    return waiter;
  }

  /**
   * Unlinks `waiter` in O(1). Returns false, and does nothing, if it is not
   * in this queue (invariant 1). The caller must settle it (invariant 2).
   */
  remove(waiter: Waiter<T>): boolean {
    if (waiter.queue !== this) return false;
    const { prev, next } = waiter;
    if (prev === null) this.#head = next;
    else prev.next = next;
    if (next === null) this.#tail = prev;
    else next.prev = prev;
    waiter.prev = waiter.next = waiter.queue = null;
    this.#length--;
    return true;
  }

  /** The queued waiters, oldest first. */
  *[Symbol.iterator](): Iterator<Waiter<T>> {
    for (let waiter = this.#head; waiter !== null; waiter = waiter.next) yield waiter;
  }
}
