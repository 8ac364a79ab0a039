import { type Acquirable, type Guard, InvalidStateError, type WaitOptions } from "@sync/core";
import { check, hold, inspect, reasonOf, resolvedTrue, run } from "@sync/core/internal";
import { Lock } from "@sync/lock";

/** A key of a {@link KeyedLock}: a string or a finite number, compared as `Map` keys are. */
export type Key = string | number;

// The one global order: numbers before strings, numbers ascending, strings
// by code units. Every multi-key call takes its keys in it, so two calls that
// share keys queue for them in the same order and never hold one each.
function order(a: Key, b: Key): number {
  if (typeof a !== typeof b) return typeof a === "number" ? -1 : 1;
  // The keys are deduplicated first: never equal here.
  return a < b ? -1 : 1;
}

/**
 * The keys of a call, checked, deduplicated (as a Map compares keys: 0 and
 * -0 are one) and in the global order.
 *
 * @throws `TypeError` for a key that is not a string or a number,
 *   `RangeError` for one that is not finite.
 */
function keyList(keys: unknown): Key[] {
  const list: unknown[] = Array.isArray(keys) ? [...new Set(keys)] : [keys];
  for (const key of list) {
    if (typeof key === "string") continue;
    if (typeof key !== "number") throw new TypeError(`key must be a string or a number, got ${typeof key}`);
    if (!Number.isFinite(key)) throw new RangeError(`key must be a finite number, got ${key}`);
  }
  return (list as Key[]).sort(order);
}

/**
 * A fair lock per key: callers that name the same key take turns, first in,
 * first out; callers with different keys never wait for each other.
 *
 * Design. A `Map` from each key in use to its fair {@link Lock}, made when a
 * second caller names a held key (a key held by one caller and wanted by
 * nobody else needs no queue, so it maps to `null`), and dropped as soon as
 * the key has no holder and no waiter: an app that locks millions of
 * distinct keys keeps only those in use. A multi-key call deduplicates its
 * keys, sorts them in one global order and takes them one by one, so no two
 * calls can each hold a key the other waits for. Every wait is a `Lock`'s:
 * FIFO, hand-off, cancellation and no lost wake-up per key come from it, and
 * the code after a granted wait runs in its caller's async context, never
 * in a releaser's.
 *
 * Invariants:
 *   1. A key is in the map if and only if it is held; its value is `null`
 *      or a locked Lock whose queue holds the key's waiters. So `size` is
 *      the number of keys held or waited for (a waiter implies a holder).
 *   2. A call holds its keys in the global order: while it waits for a key,
 *      it holds only keys that come before it.
 *   3. A call that rejects holds no key.
 *
 * @example
 * ```ts
 * const accounts = new KeyedLock();
 * async function transfer(from: string, to: string, amount: number) {
 *   using _ = await accounts.hold([from, to]); // no deadlock with transfer(to, from)
 *   await move(from, to, amount);
 * }
 * ```
 */
export class KeyedLock {
  // invariant 1
  readonly #locks = new Map<Key, Lock | null>();

  /**
   * Waits for each key, then holds them all; `keys` is one key or an array
   * of keys (deduplicated, taken in the global order: numbers before
   * strings, numbers ascending, strings by code units). Resolves `true`.
   *
   * **Cancellation**: the signal and the timeout bound the whole call. An
   * abort or a timeout before every key is granted releases the keys already
   * taken (handing each to its next waiter), leaves the queue the call is in
   * and rejects with `signal.reason` or `TimeoutError`: the call holds
   * nothing. A signal that aborts between two keys stops the call there,
   * even if the next key is free. Once every key is granted, an abort
   * changes nothing. An aborted signal rejects even when every key is free.
   *
   * @throws (as rejections) `TypeError` for a key that is not a string or a
   *   number, `RangeError` for one that is not finite, `TypeError`/`RangeError`
   *   for malformed options.
   */
  acquire(keys: Key | readonly Key[], options?: WaitOptions): Promise<true> {
    try {
      return this.#acquire(keyList(keys), options);
    } catch (error) {
      // A bad key, or an unbound `this`: rejected, as every error of a waiting call.
      return Promise.reject(error);
    }
  }

  #acquire(keys: readonly Key[], options: WaitOptions | undefined): Promise<true> {
    if (check(options) === undefined && this.#tryAll(keys)) return resolvedTrue;
    // A malformed option, an aborted signal, or `timeout: 0` with a key held.
    const error = check(options, true);
    return error === undefined ? this.#acquireEach(keys, options) : Promise.reject(error);
  }

  // Takes the keys one by one (invariant 2), waiting where one is held.
  async #acquireEach(keys: readonly Key[], options: WaitOptions | undefined): Promise<true> {
    const signal = options?.signal;
    const timeout = options?.timeout;
    const deadline = timeout === undefined || timeout === Infinity ? undefined : performance.now() + timeout;
    let taken = 0;
    try {
      for (; taken < keys.length; taken++) {
        const key = keys[taken]!;
        const locks = this.#locks;
        if (!locks.has(key)) {
          // Free: taken in the same step, with no await, so the call queues
          // for its first held key at once; but a signal that aborted since
          // the last grant stops the call here.
          if (signal?.aborted) throw reasonOf(signal);
          locks.set(key, null);
          continue;
        }
        let lock = locks.get(key);
        if (!lock) {
          // The first waiter of a held key: a Lock, locked for its holder.
          lock = new Lock();
          lock.tryAcquire();
          locks.set(key, lock);
        }
        // Each key gets what is left of the one timeout.
        await lock.acquire(
          deadline === undefined ? options : { signal, timeout: Math.max(0, deadline - performance.now()) },
        );
      }
    } catch (error) {
      // invariant 3: let go of what was taken.
      this.#releaseEach(keys, taken);
      throw error;
    }
    return true;
  }

  /**
   * Takes every key and returns `true` if none of them is held (all or
   * nothing, without waiting), else returns `false` and takes none.
   *
   * @throws `TypeError` for a key that is not a string or a number;
   *   `RangeError` for one that is not finite.
   */
  tryAcquire(keys: Key | readonly Key[]): boolean {
    return this.#tryAll(keyList(keys));
  }

  #tryAll(keys: readonly Key[]): boolean {
    const locks = this.#locks;
    // invariant 1: a key in the map is held.
    for (const key of keys) if (locks.has(key)) return false;
    for (const key of keys) locks.set(key, null);
    return true;
  }

  /**
   * Releases each key: to its oldest waiter if it has one, else the key is
   * dropped.
   *
   * @throws `InvalidStateError` if any of the keys is not held (nothing is
   *   released then); `TypeError`/`RangeError` for a bad key.
   */
  release(keys: Key | readonly Key[]): void {
    this.#release(keyList(keys));
  }

  #release(keys: readonly Key[]): void {
    for (const key of keys)
      if (!this.#locks.has(key)) throw new InvalidStateError(`KeyedLock key ${key} is not acquired`);
    this.#releaseEach(keys, keys.length);
  }

  // Releases the first `count` keys, each to its next waiter, or drops it
  // (invariant 1).
  #releaseEach(keys: readonly Key[], count: number): void {
    const locks = this.#locks;
    for (let i = 0; i < count; i++) {
      const key = keys[i]!;
      const lock = locks.get(key);
      if (lock) {
        lock.release();
        if (lock.locked()) continue;
      }
      locks.delete(key);
    }
  }

  /**
   * Acquires the keys and resolves to a {@link Guard} that releases every
   * key of the call, once.
   *
   * **Cancellation**: as {@link acquire}; a rejected call holds nothing.
   */
  hold(keys: Key | readonly Key[], options?: WaitOptions): Promise<Guard> {
    return hold(KeyedLock.#call(this, keys), options);
  }

  /**
   * Acquires the keys, awaits `fn()`, releases them in all cases, and
   * returns `fn`'s result.
   *
   * **Cancellation**: the options bound the acquire only, as in
   * {@link acquire}; they do not interrupt `fn`.
   *
   * @throws (as rejections) `TypeError` if `fn` is not a function; the errors
   *   of {@link acquire}.
   */
  run<R>(keys: Key | readonly Key[], fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<R> {
    return run(KeyedLock.#call(this, keys), fn, options);
  }

  // What hold() and run() acquire and release: the keys of one call, fixed
  // when `hold()` or `run()` acquires them, at once (a caller that changes
  // its array later changes nothing). A bad key, or an unbound `this`, makes
  // acquire() throw, which hold() and run() turn into a rejection.
  static #call(keyed: KeyedLock, keys: unknown): Acquirable {
    let list: readonly Key[];
    return {
      acquire: (options) => keyed.#acquire((list = keyList(keys)), options),
      release: () => keyed.#release(list),
    };
  }

  /** True while `key` is held. */
  locked(key: Key): boolean {
    return this.#locks.has(key);
  }

  /** How many callers wait for `key` now; 0 for a key nobody uses. */
  waiters(key: Key): number {
    return this.#locks.get(key)?.waiters ?? 0;
  }

  /** How many keys are held or waited for now. */
  get size(): number {
    return this.#locks.size;
  }

  /** `<KeyedLock [keys:3, waiters:5]>`: keys in use, and callers waiting over all of them. */
  toString(): string {
    let waiters = 0;
    for (const lock of this.#locks.values()) if (lock) waiters += lock.waiters;
    return `<KeyedLock [keys:${this.#locks.size}, waiters:${waiters}]>`;
  }

  [inspect](): string {
    return this.toString();
  }
}
