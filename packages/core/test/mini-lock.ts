// A test-only primitive built on core, as API.md invites anyone to build one:
// the fair lock of WaiterQueue's own example, plus `hold`/`run` through
// core's shared bodies. Never published.
import { type Acquirable, type Guard, InvalidStateError, WaiterQueue, type WaitOptions } from "@sync/core";
import { check, hold, resolvedTrue, run } from "@sync/core/internal";

/**
 * A minimal fair lock with hand-off, made of a {@link WaiterQueue}: what the
 * core suites use to exercise waits, guards and `withTimeout` end to end.
 *
 * Invariant: `waiters > 0` implies `locked()`.
 *
 * @example
 * ```ts
 * const lock = new MiniLock();
 * await lock.run(() => work());
 * ```
 */
export class MiniLock implements Acquirable {
  #locked = false;
  readonly #waiters = new WaiterQueue<true>();

  /**
   * Locks at once if unlocked (and the options allow it), else waits.
   *
   * **Cancellation**: as `WaiterQueue.wait`; once granted, an abort changes
   * nothing.
   */
  acquire(options?: WaitOptions): Promise<true> {
    if (!this.#locked && check(options) === undefined) {
      this.#locked = true;
      return resolvedTrue;
    }
    return this.#waiters.wait(options);
  }

  /**
   * Hands the lock to the oldest waiter, or unlocks.
   *
   * @throws `InvalidStateError` if unlocked.
   */
  release(): void {
    if (!this.#locked) throw new InvalidStateError("MiniLock is not acquired");
    const next = this.#waiters.shift();
    if (next !== undefined) next.grant(true);
    else this.#locked = false;
  }

  /** True while locked. */
  locked(): boolean {
    return this.#locked;
  }

  /** Callers waiting now. */
  get waiters(): number {
    return this.#waiters.length;
  }

  /** Core's `hold` on this lock. */
  hold(options?: WaitOptions): Promise<Guard> {
    return hold(this, options);
  }

  /** Core's `run` on this lock. */
  run<R>(fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<R> {
    return run(this, fn, options);
  }
}
