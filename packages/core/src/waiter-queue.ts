/*
 * WaiterQueue: the FIFO of pending waits that every @sync primitive is built
 * on.
 *
 * Structure. A ring: an array whose capacity is a power of two, read from
 * `head` for `span` slots, wrapping at the end. Each pending call is one
 * `Waiter` node in one slot; the node knows its slot and its queue, and
 * keeps the resolve function of the promise its caller awaits. Removing a
 * waiter from the middle empties its slot and leaves a hole, which `shift()`
 * never sees (invariant 6). There are no links between nodes: with 100,000
 * waiters queued (the bench's scenario c), a doubly linked list of the same
 * nodes took 1.6 to 1.7 times as long as this ring, while a ring of nodes
 * and a ring of bare resolve functions measured the same, so the links
 * were the cost.
 *
 * Two kinds of node. A call with no signal and no finite timeout can only be
 * granted (or failed by its primitive), so its node is a plain `Waiter`:
 * three fields, and no reject function kept alive. A call with a signal or a
 * timeout gets a `CancellableWaiter`, which also keeps the reject function,
 * its timer, and its place in the watch of its signal.
 *
 * One listener per signal. However many waiters share one AbortSignal, the
 * signal gets a single listener: its `AbortWatch`, found through a WeakMap,
 * lists those waiters oldest first and abandons them all when the signal
 * aborts. A listener per waiter would make every `addEventListener` scan the
 * listeners already there (EventTarget refuses duplicates by searching its
 * list), so n calls sharing a request's signal would cost O(n^2), and Node
 * warns about a leak past 10 listeners. The WeakMap, not a Map, so that a
 * primitive dropped with waiters still queued is collected with them.
 *
 * Invariants.
 *   1. A node is in the queue if and only if its `queue` is that queue.
 *      Removal clears it, so a second removal does nothing and returns
 *      false.
 *   2. Whoever removes a waiter settles it, exactly once. Either the
 *      primitive grants it (`shift()`, then `grant()` or `fail()`), or an
 *      abort or timeout abandons it (`remove()`, then reject).
 *   3. Settling a cancellable waiter takes it out of its signal's watch and
 *      clears its timer; a watch left with no waiter removes its listener.
 *   4. When an abandoned waiter leaves, the queue's `onLeave` hook runs, so a
 *      wake-up meant for it goes to the next waiter.
 *   5. A watch is the listener of its signal, and in the WeakMap, if and
 *      only if it lists at least one waiter.
 *   6. While the queue is not empty, the first and the last slot of the
 *      span hold waiters: holes lie only between them. An empty queue has
 *      no span.
 *
 * Cost. `push`, `shift`, `remove`, `first`, `last` and `length` are O(1),
 * amortized where the ring grows or a removal steps over holes: each slot
 * is copied once per doubling and each hole stepped over once. Iteration is
 * O(span). A waiting call allocates one node and one promise; with a
 * signal, one WeakMap look-up, and a watch and a listener only for the
 * first waiter on that signal; with a finite timeout, one timer.
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
 *
 * Shapes. The first queue made keeps one instance of each class here for as
 * long as the class lives (`keepShape`, in shared.ts, says why): without it
 * a full collection while no waiter is pending throws away the code
 * compiled for them.
 */

import { TimeoutError } from "./errors";
import { refusal, type WaitOptions } from "./options";
import { keepShape } from "./shared";
import { arm, type Timed } from "./timer";

function noop(): void {}

// The ring's capacity when it is new or empty, and the largest it keeps
// while empty: a queue that once held many waiters gives the memory back
// when it drains, one that fills and drains by the hundred keeps its ring.
const MIN_CAPACITY = 16;
const MAX_IDLE_CAPACITY = 1024;

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
  /** @internal Where this waiter sits in its queue's ring; meaningful only while `queue` is set. */
  slot = 0;
  /** @internal The queue this waiter is in, or null (invariant 1). */
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
    // invariant 1: not queued means already granted or abandoned.
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

// `once`: on abort the signal drops the listener itself.
const once: AddEventListenerOptions = { once: true };

/**
 * The one abort listener of a signal: the waiters that wait with it, oldest
 * first, all abandoned when it aborts (invariant 5).
 */
class AbortWatch {
  #head: Watched | null = null;
  #tail: Watched | null = null;
  // A function rather than the watch itself as an EventListenerObject: Node
  // wraps an object listener in an async function, which costs a closure per
  // listener and a promise per abort.
  readonly #listener = (): void => this.#abort();

  constructor(readonly signal: AbortSignal) {}

  /** Lists `waiter` in the watch of `signal`, which it starts if there is none. */
  static add(signal: AbortSignal, waiter: Watched): void {
    let watch = watches.get(signal);
    if (watch === undefined) {
      watch = new AbortWatch(signal);
      watches.set(signal, watch);
      signal.addEventListener("abort", watch.#listener, once);
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
      if (!this.signal.aborted) this.signal.removeEventListener("abort", this.#listener);
    }
  }

  #abort(): void {
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
 * The FIFO of pending waiters that every `@sync` primitive is built on: a
 * ring of waiters with O(1) push, shift and removal of any waiter, which
 * wires each wait's `signal` and `timeout`.
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
  // The ring: `#span` slots from `#head` on (wrapping at the capacity, a
  // power of two) hold the queued waiters in order, and the holes that
  // removals left between them (invariant 6).
  #slots: (Waiter<T> | undefined)[] = new Array<Waiter<T> | undefined>(MIN_CAPACITY);
  #head = 0;
  #span = 0;
  #length = 0;

  /**
   * @param onLeave - runs after an abandoned (aborted or timed out) waiter
   *   has left the queue and rejected, so a primitive that wakes waiters
   *   without handing over (as asyncio does) can pass the wake-up on.
   */
  constructor(readonly onLeave?: () => void) {
    // One instance of each class of this file, kept with the first queue.
    keepShape(WaiterQueue, () => [
      new WaiterQueue(),
      new Waiter(),
      new CancellableWaiter(noop, noop),
      new AbortWatch(new AbortController().signal),
    ]);
  }

  /** How many waiters are queued. */
  get length(): number {
    return this.#length;
  }

  /** The oldest waiter, or `undefined` when the queue is empty. */
  get first(): Waiter<T> | undefined {
    // invariant 6: the head slot holds a waiter whenever one is queued.
    return this.#slots[this.#head];
  }

  /** The newest waiter, or `undefined` when the queue is empty. */
  get last(): Waiter<T> | undefined {
    return this.#length === 0 ? undefined : this.#slots[(this.#head + this.#span - 1) & (this.#slots.length - 1)];
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
   * **Cancellation**: before the grant, an abort or a timeout removes the
   * waiter in O(1), rejects, and runs `onLeave`. After the grant it changes
   * nothing: the waiter has left its signal's watch and its timer is
   * cleared.
   */
  wait(options?: WaitOptions): Promise<T> {
    const refused = refusal(options);
    if (refused !== undefined) return refused;
    const signal = options?.signal;
    const timeout = options?.timeout ?? Infinity;
    let resolve!: (value: T) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<T>((settle, refuse) => {
      resolve = settle;
      reject = refuse;
    });
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
    if (this.#span === this.#slots.length) this.#resize();
    const slot = (this.#head + this.#span) & (this.#slots.length - 1);
    this.#slots[slot] = waiter;
    waiter.slot = slot;
    waiter.queue = this;
    this.#span++;
    this.#length++;
  }

  /**
   * Takes the oldest waiter off the queue, or returns `undefined` when it is
   * empty. The caller must settle it (invariant 2).
   */
  shift(): Waiter<T> | undefined {
    // invariant 6: the head slot holds the oldest waiter, if any.
    const waiter = this.#slots[this.#head];
    if (waiter !== undefined) this.remove(waiter);
    return waiter;
  }

  /**
   * Takes `waiter` out in O(1). Returns false, and does nothing, if it is
   * not in this queue (invariant 1). The caller must settle it (invariant 2).
   */
  remove(waiter: Waiter<T>): boolean {
    if (waiter.queue !== this) return false;
    const slots = this.#slots;
    const mask = slots.length - 1;
    slots[waiter.slot] = undefined;
    waiter.queue = null;
    if (--this.#length === 0) {
      // Empty: forget the holes, and a ring that grew large, at once.
      this.#head = this.#span = 0;
      if (slots.length > MAX_IDLE_CAPACITY) this.#slots = new Array<Waiter<T> | undefined>(MIN_CAPACITY);
      return true;
    }
    // invariant 6: no hole at either end. Each hole is stepped over once,
    // so this is O(1) amortized whatever the queue's length.
    while (slots[this.#head] === undefined) {
      this.#head = (this.#head + 1) & mask;
      this.#span--;
    }
    while (slots[(this.#head + this.#span - 1) & mask] === undefined) this.#span--;
    return true;
  }

  /** The queued waiters, oldest first. */
  *[Symbol.iterator](): Iterator<Waiter<T>> {
    const slots = this.#slots;
    for (let i = 0; i < this.#span; i++) {
      const waiter = slots[(this.#head + i) & (slots.length - 1)];
      if (waiter !== undefined) yield waiter;
    }
  }

  // The ring is full: copy the waiters, oldest first, into a ring twice as
  // large, or as large as before when holes took half of it. Holes never
  // make a ring grow: it doubles only when waiters fill more than half of
  // it. O(n) after at least n/2 pushes since the last resize: O(1) amortized.
  #resize(): void {
    const old = this.#slots;
    const capacity = this.#length * 2 <= old.length ? old.length : old.length * 2;
    const slots = new Array<Waiter<T> | undefined>(capacity);
    let next = 0;
    for (let i = 0; i < this.#span; i++) {
      const waiter = old[(this.#head + i) & (old.length - 1)];
      if (waiter === undefined) continue;
      waiter.slot = next;
      slots[next++] = waiter;
    }
    this.#slots = slots;
    this.#head = 0;
    this.#span = next;
  }
}
