import type { WaitOptions } from "./options";

/**
 * Something a {@link Guard} can release: a lock, a semaphore, a condition.
 *
 * @example
 * ```ts
 * const target: Acquirable = new Semaphore(2);
 * await target.acquire();
 * target.release();
 * ```
 */
export interface Acquirable {
  acquire(options?: WaitOptions): Promise<unknown>;
  release(): void;
}

// A weighted acquire is released with the count it took; others ignore it.
type Releasable = { release(permits?: number): void };
type Weighted = { permits?: number } | undefined | null;

// Runtimes without explicit resource management lack `Symbol.dispose`. There
// the guard is keyed by `Symbol.for("Symbol.dispose")`, so a polyfill
// `Symbol.dispose ??= Symbol.for("Symbol.dispose")` makes `using` work
// whether it loads before or after this module. Typed as a symbol of its own
// so that the published types need no `esnext.disposable` lib.
const dispose: unique symbol = (Symbol.dispose ?? Symbol.for("Symbol.dispose")) as never;

// `[Symbol.dispose](): void` where the compiler's lib knows `Symbol.dispose`,
// nothing where it does not: a project without lib `esnext.disposable` still
// compiles the published types, and one with it may write `using`.
type Disposer = {
  [K in SymbolConstructor extends { readonly dispose: infer D extends symbol } ? D : never]: () => void;
};

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
  readonly #permits: number | undefined;

  /**
   * @param owner - what `release()` releases, once.
   * @param permits - passed to `owner.release()`: the permits of a weighted
   *   `Semaphore` hold.
   */
  constructor(owner: Acquirable, permits?: number) {
    this.#owner = owner;
    this.#permits = permits;
  }

  /**
   * Releases what this guard holds. A second call does nothing, so a guard
   * can never release a hold that someone else has taken since.
   */
  release(): void {
    const owner = this.#owner;
    if (owner === undefined) return;
    this.#owner = undefined;
    (owner as Releasable).release(this.#permits);
  }

  /** The same as {@link release}; what `using` calls. */
  [dispose](): void {
    this.release();
  }
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface Guard extends Disposer {}

/**
 * Acquires `target` and resolves to a {@link Guard} that releases it once:
 * the shared body of every primitive's `hold()`. A weighted acquire's
 * `options.permits` goes to the guard, which gives them all back.
 *
 * **Cancellation**: as `target.acquire(options)`; a rejected acquire gives no
 * guard and holds nothing. Never throws: every error is a rejection.
 */
export function hold(target: Acquirable, options?: WaitOptions): Promise<Guard> {
  try {
    const permits = (options as Weighted)?.permits;
    return target.acquire(options).then(() => new Guard(target, permits));
  } catch (error) {
    return Promise.reject(error);
  }
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
 */
export async function run<R>(target: Acquirable, fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<R> {
  if (typeof fn !== "function") throw new TypeError("fn must be a function");
  const permits = (options as Weighted)?.permits;
  await target.acquire(options);
  try {
    return await fn();
  } finally {
    (target as Releasable).release(permits);
  }
}
