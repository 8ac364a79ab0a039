/*
 * WaiterQueue: the FIFO of pending waits that every @sync primitive is built
 * on.
 *
 * Structure. An intrusive doubly linked list: each pending call is one
 * `Waiter` node that carries its own links (`prev`, `next`, `queue`) and the
 * resolve function of the promise its caller awaits. The queue itself holds
 * only `head`, `tail` and `length`. There is no array, so nothing is ever
 * spliced or searched.
 *
 * Two kinds of node. A call with no signal and no finite timeout can only be
 * granted (or failed by its primitive), so its node is a plain `Waiter`: four
 * fields, and no reject function kept alive. A call with a signal or a
 * timeout gets a `CancellableWaiter`, which also keeps the reject function,
 * its timer, and its place in the watch of its signal. A pending `acquire()`
 * thus costs a node of four fields besides its promise.
 *
 * One listener per signal. However many waiters share one AbortSignal, the
 * signal gets a single listener: its `AbortWatch`, found through a WeakMap,
 * lists those waiters oldest first and abandons them all when the signal
 * aborts. A listener per waiter would make every `addEventListener` scan the
 * listeners already there (EventTarget refuses duplicates by searching its
 * list), so n calls sharing a request's signal would cost O(n^2), and Node
 * warns about a leak past 10 listeners.
 *
 * Invariants.
 *   1. A node is in the queue if and only if its links are set (`queue` is
 *      non-null). Unlinking clears them, so a second removal does nothing
 *      and returns false.
 *   2. Whoever unlinks a waiter settles it, exactly once. Either the
 *      primitive grants it (`shift()`, then `grant()` or `fail()`), or an
 *      abort or timeout abandons it (`remove()`, then reject).
 *   3. Settling a cancellable waiter takes it out of its signal's watch and
 *      clears its timer; a watch left with no waiter removes its listener.
 *   4. When an abandoned waiter leaves, the queue's `onLeave` hook runs, so a
 *      wake-up meant for it goes to the next waiter.
 *   5. A watch is the listener of its signal, and in the WeakMap, if and
 *      only if it lists at least one waiter.
 *
 * Cost. `push`, `shift`, `remove`, `first`, `last` and `length` are O(1);
 * iteration is O(n). A waiting call allocates one node and one promise
 * (no closure: the executor is a shared function); with a signal, one
 * WeakMap look-up, and a watch and a listener only for the first waiter on
 * that signal; with a finite timeout, one timer.
 *
 * Who may call what. The primitive owns its queue: it adds waiters with
 * `wait()`, and grants them with `shift()` followed by `grant()` or `fail()`.
 * The watch of a waiter's signal and its timer are the only callers of
 * `abandon()` on a pending waiter in the primitives of this library.
 *
 * Why it is fair. Waiters are appended at the tail and granted from the head,
 * and a primitive hands what it releases straight to the head waiter instead
 * of making it available to whoever asks next, so a newcomer never overtakes
 * a waiter that is already queued.
 */

import { TimeoutError } from "./errors";
import { refusal, type WaitOptions } from "./options";
import { arm, type Timed } from "./timer";

function noop(): void {}

// `new Promise(executor)` runs its executor at once. This one shared executor
// hands the settle functions out through these two slots, so a waiting call
// allocates no closure; `wait()` reads them and empties them at once, so
// they keep no promise alive.
let capturedResolve: (value: never) => void = noop;
let capturedReject: (reason: unknown) => void = noop;

function capture(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

// A thenable that rejects whatever promise adopts it: how `fail()` rejects,
// so a plain waiter need not keep its reject function. Every `fail()` takes
// this one path, so waiters that a primitive fails together (a barrier's
// reset) reject in queue order.
function rejection(error: unknown): never {
  return { then: (_: unknown, reject: (reason: unknown) => void) => reject(error) } as never;
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
  /** @internal Settles the caller's promise. */
  resolve: (value: T) => void;

  /** @param resolve - settles the caller's promise; nothing when omitted. */
  constructor(resolve: (value: T) => void = noop) {
    this.resolve = resolve;
  }

  /**
   * Resolves the caller's promise with `value`. Call it once, on a waiter
   * taken off the queue (invariant 2).
   */
  grant(value: T): void {
    this.resolve(value);
  }

  /**
   * Rejects the caller's promise with `error` (a `reset()` or `abort()` of
   * the primitive). Call it once, on a waiter taken off the queue
   * (invariant 2).
   */
  fail(error: unknown): void {
    this.resolve(rejection(error));
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
    this.reject(reason); // invariants 2 and 3
    queue.onLeave?.(); // invariant 4
  }

  /**
   * Rejects an abandoned waiter: as {@link fail} for a plain waiter, which
   * no signal or timer can abandon anyway.
   */
  protected reject(reason: unknown): void {
    this.fail(reason);
  }
}

/**
 * A waiter that passed a signal or a finite timeout: it also keeps its
 * reject function, its timer and its links in the watch of its signal.
 */
class CancellableWaiter<T> extends Waiter<T> implements Watched, Timed {
  watch: AbortWatch | null = null;
  watchPrev: Watched | null = null;
  watchNext: Watched | null = null;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  readonly #reject: (reason: unknown) => void;

  constructor(resolve: (value: T) => void, reject: (reason: unknown) => void) {
    super(resolve);
    this.#reject = reject;
  }

  override grant(value: T): void {
    this.#disarm();
    super.grant(value);
  }

  override fail(error: unknown): void {
    this.#disarm();
    super.fail(error);
  }

  // An abort or a timeout rejects at once, so the caller sees its rejection
  // before whatever the primitive grants next in the same step.
  protected override reject(reason: unknown): void {
    this.#disarm();
    this.#reject(reason);
  }

  /** The timer's end: the timeout ran out before the grant. */
  expire(): void {
    this.abandon(new TimeoutError("timed out while waiting"));
  }

  // invariant 3
  #disarm(): void {
    this.watch?.remove(this);
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

/** What an {@link AbortWatch} lists: a cancellable waiter, whatever its `T`. */
interface Watched {
  watch: AbortWatch | null;
  watchPrev: Watched | null;
  watchNext: Watched | null;
  abandon(reason: unknown): void;
}

const watches = new WeakMap<AbortSignal, AbortWatch>();

/**
 * The one abort listener of a signal: the waiters that wait with it, oldest
 * first, all abandoned when it aborts (invariant 5).
 */
class AbortWatch implements EventListenerObject {
  #head: Watched | null = null;
  #tail: Watched | null = null;

  private constructor(readonly signal: AbortSignal) {}

  /** Lists `waiter` in the watch of `signal`, which it starts if there is none. */
  static add(signal: AbortSignal, waiter: Watched): void {
    let watch = watches.get(signal);
    if (watch === undefined) {
      watch = new AbortWatch(signal);
      watches.set(signal, watch);
      // `once`: on abort the signal drops the listener itself.
      signal.addEventListener("abort", watch, { once: true });
    }
    waiter.watch = watch;
    waiter.watchPrev = watch.#tail;
    if (watch.#tail === null) watch.#head = waiter;
    else watch.#tail.watchNext = waiter;
    watch.#tail = waiter;
  }

  /** Unlists `waiter`; the last one out stops the watch (invariant 5). */
  remove(waiter: Watched): void {
    const { watchPrev: prev, watchNext: next } = waiter;
    if (prev === null) this.#head = next;
    else prev.watchNext = next;
    if (next === null) this.#tail = prev;
    else next.watchPrev = prev;
    waiter.watch = waiter.watchPrev = waiter.watchNext = null;
    if (this.#head === null) {
      watches.delete(this.signal);
      if (!this.signal.aborted) this.signal.removeEventListener("abort", this);
    }
  }

  handleEvent(): void {
    const reason: unknown = this.signal.reason;
    // One at a time from the head: an `onLeave` hook may grant or abandon
    // other waiters of this signal, which then leave the list themselves.
    for (let waiter; (waiter = this.#head) !== null;) {
      this.remove(waiter);
      waiter.abandon(reason);
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

  /** The newest waiter, or `undefined` when the queue is empty. */
  get last(): Waiter<T> | undefined {
    return this.#tail ?? undefined;
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
   * nothing: the waiter has left its signal's watch and its timer is
   * cleared.
   */
  wait(options?: WaitOptions): Promise<T> {
    const refused = refusal(options);
    if (refused !== undefined) return refused;
    const signal = options?.signal;
    const timeout = options?.timeout ?? Infinity;
    const promise = new Promise<T>(capture);
    const resolve = capturedResolve as (value: T) => void;
    const reject = capturedReject;
    capturedResolve = capturedReject = noop;
    if (signal === undefined && timeout === Infinity) {
      this.push(new Waiter<T>(resolve));
      return promise;
    }
    const waiter = new CancellableWaiter<T>(resolve, reject);
    this.push(waiter);
    if (signal !== undefined) AbortWatch.add(signal, waiter);
    if (timeout !== Infinity) arm(waiter, timeout);
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
