/*
 * WaiterQueue: the FIFO of pending waits that every @sync primitive is built
 * on.
 *
 * Structure. A ring of `Waiter` nodes in arrival order (an array whose
 * capacity is a power of two, read from `head`). Each pending call is one
 * node; it knows its queue, what it needs (one permit, or several), and the
 * resolve function of the promise its caller awaits. A waiter that leaves
 * from the middle only clears its `queue` and stays in the ring as a dead
 * node until the head passes it or the ring is copied (invariant 6). There
 * are no links between nodes: an array of nodes costs what an array of
 * resolve functions costs, a linked list of the same nodes far more
 * (docs/performance.md). A ring, not an array that is rebuilt: a steady
 * queue then allocates nothing for its storage.
 *
 * Two kinds of node. A call with no signal and no finite timeout can only be
 * granted (or failed by its primitive), so its node is a plain `Waiter`. A
 * call with a signal or a timeout gets a `CancellableWaiter`, which also
 * keeps the reject function, its timer, and its place in the watch of its
 * signal.
 *
 * One listener per signal. However many waiters share one AbortSignal, the
 * signal gets a single listener: its `AbortWatch`, found through a WeakMap,
 * links those waiters oldest first and abandons them all when the signal
 * aborts. Links rather than a Set: a Set's table reallocates under a steady
 * add and delete. A listener per waiter would make every `addEventListener`
 * scan the listeners already there (EventTarget refuses duplicates by
 * searching its list), so n calls sharing a request's signal would cost
 * O(n^2), and Node warns about a leak past 10 listeners. `withTimeout` uses
 * the same watch. The WeakMap, not a Map, so that a primitive dropped with
 * waiters still queued is collected with them.
 *
 * Needs. Each waiter needs a number of units (1 unless the primitive says
 * otherwise). `grantFitting(queue, available, value)` serves the head while
 * its need fits in what is left, and stops at the first that does not: a
 * weighted Semaphore's permits, a reader-writer lock's batch (a read needs
 * 1, a write all of them), as tokio's batch semaphore does. Stopping there
 * (head-of-line blocking) is what keeps a large request from starving.
 *
 * Invariants.
 *   1. A node is in the queue if and only if its `queue` is that queue.
 *      Removal clears it, so a second removal does nothing.
 *   2. Whoever removes a waiter settles it, exactly once. Either the
 *      primitive grants it (`shift()` then `grant()` or `fail()`, or
 *      `grantFitting()`), or an abort or timeout abandons it.
 *   3. Settling a cancellable waiter takes it out of its signal's watch and
 *      clears its timer; a watch left with no waiter removes its listener.
 *   4. When an abandoned waiter leaves, the queue's `onLeave` hook runs, so a
 *      wake-up meant for it goes to the next waiter. A waiter whose signal
 *      has aborted is never granted: the grant skips it and rejects it, and
 *      the one behind it gets what it would have had (no hook: the grant is
 *      already under way).
 *   5. A watch is the listener of its signal, and in the WeakMap, if and
 *      only if it lists at least one entry.
 *   6. The head slot holds a live waiter whenever one is queued, and the
 *      ring's capacity is at most four times the waiters queued (or its
 *      smallest, 16): a queue that drained after a burst gives the memory
 *      back.
 *
 * Cost. `wait`, `shift`, a removal and `length` are O(1), amortized where
 * the head steps over dead nodes (each once) or the ring is copied: a copy
 * takes the live waiters only, after at least a quarter of the ring's
 * capacity in pushes or removals since the last. A waiting call allocates
 * one node and one promise; with a signal, one WeakMap look-up, and a watch
 * and a listener only for the first waiter on that signal; with a finite
 * timeout, one timer.
 *
 * Who may call what. The primitive owns its queue: it adds waiters with
 * `wait()`, and grants them with `shift()` (or `grantFitting()`). Only the
 * watch of a waiter's signal and its timer abandon a pending waiter.
 *
 * Only what every primitive needs is a method: `grantFitting()` is a
 * function over `shift()`, so that a bundle carries it only where a
 * primitive calls it. `requeue()` puts back waiters that `shift()` took off
 * (a Barrier's last party that finds the cycle short).
 *
 * Why it is fair. Waiters are appended at the tail and granted from the head,
 * and a primitive hands what it releases straight to the head waiter instead
 * of making it available to whoever asks next, so a newcomer never overtakes
 * a waiter that is already queued.
 */

import { TimeoutError } from "./errors";
import { check, type WaitOptions } from "./options";
import { reasonOf, report } from "./shared";
import { arm, type Timed } from "./timer";

// The ring's smallest capacity.
const MIN_CAPACITY = 16;

// A thenable that rejects whatever promise adopts it: how `fail()` rejects,
// so a plain waiter need not keep its reject function. Every `fail()` takes
// this one path, so waiters that a primitive fails together (a barrier's
// reset) reject in queue order.
function rejection(error: unknown): never {
  return { then: (_: unknown, reject: (reason: unknown) => void) => reject(error) } as never;
}

/**
 * One pending call, as a primitive sees it once `shift()` has taken it off
 * the queue: settle it exactly once, with `grant()` or `fail()`.
 *
 * @example
 * ```ts
 * const waiter = this.#waiters.shift();
 * if (waiter !== undefined) waiter.grant(true);
 * ```
 */
export interface Waiter<T> {
  /** Resolves the caller's promise with `value`. */
  grant(value: T): void;
  /** Rejects the caller's promise with `error` (a `reset()` or `abort()` of the primitive). */
  fail(error: unknown): void;
}

/** A queued call: see the design notes at the top of this file. */
class Pending<T> implements Waiter<T> {
  declare queue: WaiterQueue<T> | null;
  declare readonly resolve: (value: T) => void;
  declare readonly need: number;

  constructor(queue: WaiterQueue<T>, resolve: (value: T) => void, need: number) {
    this.queue = queue;
    this.resolve = resolve;
    this.need = need;
  }

  grant(value: T): void {
    this.resolve(value);
  }

  fail(error: unknown): void {
    this.grant(rejection(error));
  }

  /** The reason to reject with instead of a grant: its signal has aborted (invariant 4). */
  aborted(): unknown {
    return undefined;
  }
}

/**
 * A waiter that passed a signal or a finite timeout: it also keeps its
 * reject function, its timer and the watch of its signal.
 */
class CancellablePending<T> extends Pending<T> implements Watched, Timed {
  // Declared, so that every node has one shape whichever it uses.
  watch: AbortWatch | undefined;
  prior: Watched | undefined;
  later: Watched | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  declare readonly refuse: (reason: unknown) => void;

  constructor(queue: WaiterQueue<T>, resolve: (value: T) => void, need: number, refuse: (reason: unknown) => void) {
    super(queue, resolve, need);
    this.refuse = refuse;
  }

  override grant(value: T): void {
    this.#disarm();
    super.grant(value);
  }

  /**
   * Abandons the wait because its signal aborted or its timer ran out: it
   * leaves, rejects with `reason`, and `onLeave` runs.
   */
  abandon(reason: unknown): void {
    // Queued: a settled waiter has left its watch and its timer (invariant 3).
    const queue = this.queue!;
    queue.remove(this);
    this.reject(reason); // invariants 2 and 3
    queue.onLeave?.(); // invariant 4
  }

  override aborted(): unknown {
    const signal = this.watch?.signal;
    return signal?.aborted ? reasonOf(signal) : undefined;
  }

  // An abort or a timeout rejects at once, so the caller sees its rejection
  // before whatever the primitive grants next in the same step.
  reject(reason: unknown): void {
    this.#disarm();
    this.refuse(reason);
  }

  /** The timer's end: the timeout ran out before the grant. */
  expire(): void {
    this.abandon(new TimeoutError("timed out while waiting"));
  }

  // invariant 3
  #disarm(): void {
    unwatch(this);
    clearTimeout(this.timer);
  }
}

/** What an {@link AbortWatch} lists: a cancellable waiter, or a `withTimeout` call. */
export interface Watched {
  watch: AbortWatch | undefined;
  // Neighbours in the watch's list, oldest first.
  prior?: Watched | undefined;
  later?: Watched | undefined;
  abandon(reason: unknown): void;
}

const watches = new WeakMap<AbortSignal, AbortWatch>();

/**
 * The one abort listener of a signal: a linked list of the entries that
 * wait with it, oldest first, all abandoned when it aborts (invariant 5).
 */
class AbortWatch {
  first: Watched | undefined;
  last: Watched | undefined;
  // A function rather than the watch itself as an EventListenerObject: Node
  // wraps an object listener in an async function, which costs a closure per
  // listener and a promise per abort.
  readonly listener = (): void => {
    const reason = reasonOf(this.signal);
    let failure: { error: unknown } | undefined;
    // From the head, one at a time: an `onLeave` hook may grant or abandon
    // other entries of this signal, which then leave the list themselves.
    // One that throws must not keep the others queued: go on, report after.
    for (let entry; (entry = this.first) !== undefined;) {
      unwatch(entry);
      try {
        entry.abandon(reason);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) report(failure.error);
  };

  declare readonly signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.signal = signal;
  }
}

/** Lists `entry` in the watch of `signal`, which it starts if there is none. */
export function watch(signal: AbortSignal, entry: Watched): void {
  let watch = watches.get(signal);
  if (watch === undefined) {
    watches.set(signal, (watch = new AbortWatch(signal)));
    signal.addEventListener("abort", watch.listener, { once: true });
  }
  entry.watch = watch;
  entry.prior = watch.last;
  if (watch.last === undefined) watch.first = entry;
  else watch.last.later = entry;
  watch.last = entry;
}

/** Unlists `entry` from its watch, if any; the last one out stops the watch (invariant 5). */
export function unwatch(entry: Watched): void {
  const watch = entry.watch;
  if (watch === undefined) return;
  const { prior, later } = entry;
  if (prior === undefined) watch.first = later;
  else prior.later = later;
  if (later === undefined) watch.last = prior;
  else later.prior = prior;
  entry.watch = entry.prior = entry.later = undefined;
  if (watch.first === undefined) {
    watches.delete(watch.signal);
    watch.signal.removeEventListener("abort", watch.listener);
  }
}

/**
 * The FIFO of pending waiters that every `@sync` primitive is built on: a
 * queue with O(1) append, shift and removal of any waiter, which wires each
 * wait's `signal` and `timeout`.
 *
 * **Cancellation**: a waiter whose signal aborts, or whose timeout runs out,
 * leaves the queue at once (O(1)) and rejects with `signal.reason` or a
 * {@link TimeoutError}; then `onLeave` runs. A waiter whose signal has
 * aborted is never handed out by `shift()`, even before its abort listener
 * has run. Once granted, an abort or a timeout does nothing.
 *
 * @typeParam T - what a granted waiter resolves with.
 * @example A minimal fair lock
 * ```ts
 * class MiniLock {
 *   #locked = false;
 *   #waiters = new WaiterQueue<true>();
 *   acquire(options?: WaitOptions): Promise<true> {
 *     if (this.#locked || this.#waiters.length > 0) return this.#waiters.wait(options);
 *     this.#locked = true;
 *     return Promise.resolve(true);
 *   }
 *   release(): void {
 *     const next = this.#waiters.shift();
 *     if (next !== undefined) next.grant(true); // hand-off: stays locked
 *     else this.#locked = false;
 *   }
 * }
 * ```
 */
export class WaiterQueue<T> {
  // A ring (capacity a power of two): `#span` slots from `#head` on hold the
  // waiters in arrival order, among dead nodes that left from the middle.
  // The head slot is live whenever a waiter is queued (invariant 6).
  #ring: (Pending<T> | undefined)[] = new Array<Pending<T> | undefined>(MIN_CAPACITY);
  #head = 0;
  #span = 0;
  #length = 0;

  /**
   * @param onLeave - runs after an aborted or timed-out waiter has left the
   *   queue and rejected, so a primitive can pass on what that waiter was
   *   blocking (a weighted Semaphore grants the waiters behind it that now
   *   fit; Event counts its callers).
   */
  declare readonly onLeave: (() => void) | undefined;

  constructor(onLeave?: () => void) {
    this.onLeave = onLeave;
  }

  /** How many waiters are queued. */
  get length(): number {
    return this.#length;
  }

  /**
   * Queues a new waiter and returns the promise its caller awaits. The
   * promise resolves when the primitive grants the waiter; it rejects with
   * `options.signal.reason` when the signal aborts first, and with a
   * {@link TimeoutError} when `options.timeout` runs out first.
   *
   * Nothing is queued, and the promise rejects at once, when the options are
   * malformed (`TypeError`, `RangeError`), the signal has already aborted, or
   * `timeout` is `0`. It never throws.
   *
   * **Cancellation**: before the grant, an abort or a timeout removes the
   * waiter in O(1), rejects, and runs `onLeave`. After the grant it changes
   * nothing: the waiter has left its signal's watch and its timer is
   * cleared.
   *
   * @param need - what the waiter needs of `grantFitting()`'s `available`
   *   (internal to `@sync`; 1 by default).
   */
  wait(options?: WaitOptions, need = 1): Promise<T> {
    try {
      const error = check(options, true);
      if (error !== undefined) return Promise.reject(error);
      const signal = options?.signal;
      const timeout = options?.timeout ?? Infinity;
      let resolve!: (value: T) => void;
      let reject!: (reason: unknown) => void;
      const promise = new Promise<T>((settle, refuse) => {
        resolve = settle;
        reject = refuse;
      });
      if (signal === undefined && timeout === Infinity) {
        this.#push(new Pending<T>(this, resolve, need));
        return promise;
      }
      const node = new CancellablePending<T>(this, resolve, need, reject);
      this.#push(node);
      if (signal !== undefined) watch(signal, node);
      if (timeout !== Infinity) arm(node, timeout);
      return promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Takes the oldest waiter off the queue, or returns `undefined` when it is
   * empty. The caller must settle it (invariant 2). A waiter whose signal
   * has aborted is rejected and skipped instead (invariant 4).
   *
   * @param room - internal to `@sync`: takes the head only if its need is at
   *   most this.
   */
  shift(room = Infinity): Pending<T> | undefined {
    for (let node; (node = this.#ring[this.#head]) !== undefined && node.need <= room;) {
      const reason = node.aborted();
      this.remove(node);
      if (reason === undefined) return node;
      (node as CancellablePending<T>).reject(reason);
    }
    return undefined;
  }

  /**
   * Queues again, at the tail, a waiter that `shift()` took off and that is
   * not settled yet: its signal and timer still watch it. Internal to
   * `@sync`.
   */
  requeue(node: Pending<T>): void {
    node.queue = this;
    this.#push(node);
  }

  /** Takes a queued `node` out in O(1) amortized; the caller settles it (invariant 2). */
  remove(node: Pending<T>): void {
    node.queue = null; // invariant 1
    const ring = this.#ring;
    const mask = ring.length - 1;
    this.#length--;
    // invariant 6: step the head over dead nodes, each once.
    while (this.#span > 0 && ring[this.#head]!.queue !== this) {
      ring[this.#head] = undefined;
      this.#head = (this.#head + 1) & mask;
      this.#span--;
    }
    if (ring.length > MIN_CAPACITY && this.#length * 4 <= ring.length) this.#resize(ring.length / 2);
  }

  // Appends `node`, whose `queue` is this queue.
  #push(node: Pending<T>): void {
    let ring = this.#ring;
    if (this.#span === ring.length) {
      // Full: compact into a ring as large, or twice as large when live
      // waiters fill more than half of it.
      this.#resize(this.#length * 2 < ring.length ? ring.length : ring.length * 2);
      ring = this.#ring;
    }
    ring[(this.#head + this.#span++) & (ring.length - 1)] = node;
    this.#length++;
  }

  // Copies the live waiters, oldest first, into a new ring of `capacity`.
  // O(span), after at least a quarter of the old capacity of pushes or
  // removals since the last resize: O(1) amortized.
  #resize(capacity: number): void {
    const old = this.#ring;
    const ring = new Array<Pending<T> | undefined>(capacity);
    let next = 0;
    for (let i = 0; i < this.#span; i++) {
      const node = old[(this.#head + i) & (old.length - 1)]!;
      if (node.queue === this) ring[next++] = node;
    }
    this.#ring = ring;
    this.#head = 0;
    this.#span = next;
  }
}

/**
 * Grants `value` to waiters from the head of `queue`, in order, while the
 * need of each fits in what is left of `available`, and stops at the first
 * that does not (head-of-line blocking). Returns the total need granted, for
 * the primitive to take off what it has. A waiter whose signal has aborted
 * is rejected and skipped (invariant 4).
 */
export function grantFitting<T>(queue: WaiterQueue<T>, available: number, value: T): number {
  let used = 0;
  for (let node; (node = queue.shift(available - used)) !== undefined; node.grant(value)) used += node.need;
  return used;
}
