import type { WaitOptions } from "./options";

/**
 * Something a {@link Guard} can release: a lock, a semaphore, a condition.
 *
 * @example
 * ```ts
 * const target: Acquirable = new Semaphore(2);
 * using _ = await hold(target);
 * ```
 */
export interface Acquirable {
  acquire(options?: WaitOptions): Promise<unknown>;
  release(): void;
}

// Runtimes without explicit resource management lack `Symbol.dispose`. There
// the guard is keyed by `Symbol.for("Symbol.dispose")`, so a polyfill
// `Symbol.dispose ??= Symbol.for("Symbol.dispose")` makes `using` work
// whether it loads before or after this module.
const dispose = (Symbol.dispose ?? Symbol.for("Symbol.dispose")) as typeof Symbol.dispose;

/**
 * What `hold()` resolves to: proof of one acquisition, released once. Use it
 * with `using` so the release cannot be forgotten, or call `release()`.
 *
 * @example
 * ```ts
 * {
 *   using _ = await lock.hold();
 *   await writeFile(path, data); // released when the block exits, even on throw
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface below
export class Guard {
  #owner: Acquirable | undefined;

  /** @param owner - what `release()` releases, once. */
  constructor(owner: Acquirable) {
    this.#owner = owner;
  }

  /**
   * Releases what this guard holds. A second call does nothing, so a guard
   * can never release a hold that someone else has taken since.
   */
  release(): void {
    const owner = this.#owner;
    if (owner === undefined) return;
    this.#owner = undefined;
    owner.release();
  }

  /** The same as {@link release}; what `using` calls. */
  [dispose](): void {
    this.release();
  }
}

// The method above is keyed by `dispose`, which is `Symbol.dispose` wherever
// that exists; this tells TypeScript so, and makes `Guard` a `Disposable`.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface Guard extends Disposable {}

/**
 * Acquires `target` and resolves to a {@link Guard} that releases it once:
 * the shared body of every primitive's `hold()`.
 *
 * **Cancellation**: as `target.acquire(options)`; a rejected acquire gives no
 * guard and holds nothing.
 *
 * @example
 * ```ts
 * hold(options?: WaitOptions): Promise<Guard> {
 *   return hold(this, options);
 * }
 * ```
 */
export function hold(target: Acquirable, options?: WaitOptions): Promise<Guard> {
  return target.acquire(options).then(() => new Guard(target));
}

/**
 * Acquires `target`, awaits `fn()`, releases in all cases and returns `fn`'s
 * result: the shared body of every primitive's `run()`.
 *
 * **Cancellation**: the options bound the acquire only; once `fn` runs, an
 * abort does not interrupt it (pass the signal into `fn` for that).
 *
 * @throws `TypeError` (as a rejection) if `fn` is not a function; nothing is
 *   acquired then.
 * @example
 * ```ts
 * const rows = await run(lock, () => db.query("select 1"));
 * ```
 */
export async function run<R>(target: Acquirable, fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<R> {
  if (typeof fn !== "function") throw new TypeError(`fn must be a function, got ${typeof fn}`);
  await target.acquire(options);
  try {
    return await fn();
  } finally {
    target.release();
  }
}
