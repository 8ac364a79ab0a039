import { InvalidStateError } from "@sync/core";

/**
 * The reason of `lease.signal` when a lease is lost: a renewal found it gone
 * (it expired, or the server lost it), or its local deadline passed without
 * a confirmed renewal, or its `RedisSync` was closed. A lost lease stays
 * lost: it is never re-acquired behind the holder's back.
 *
 * @example
 * ```ts
 * await lock.run(async (lease) => {
 *   await copyFile(src, dst, { signal: lease.signal });
 * }); // rejects with LeaseLostError if the lease was lost meanwhile
 * ```
 */
export class LeaseLostError extends InvalidStateError {
  override name = "LeaseLostError";
}

/**
 * One grant of a {@link RedisLock} or {@link RedisSemaphore}, held until
 * `release()` or until it is lost. While held, it is renewed every
 * `lease / 3`.
 *
 * @example
 * ```ts
 * {
 *   await using lease = await lock.hold({ timeout: 5_000 });
 *   await db.update(row, { fencingToken: lease.token, signal: lease.signal });
 * } // released here
 * ```
 */
export interface Lease extends AsyncDisposer {
  /** The fencing token: greater than every token granted before for the same name, by anyone. */
  readonly token: number;
  /** Aborts with a {@link LeaseLostError} when the lease is lost. */
  readonly signal: AbortSignal;
  /** True once `signal` has aborted. */
  readonly lost: boolean;
  /**
   * Gives the hold back (to the oldest waiter, if any). A second call, or a
   * call on a lost lease, does nothing on the server: it can never release
   * someone else's hold.
   *
   * @throws (as a rejection) the server's error if the release could not be
   *   sent; the lease is then released locally and expires on the server.
   */
  release(): Promise<void>;
  // `[Symbol.asyncDispose]()`, from AsyncDisposer: `release()`, for `await using`.
}

// Runtimes without explicit resource management lack `Symbol.asyncDispose`;
// as core's Guard does, fall back to the registered symbol a polyfill uses.
// Typed as a symbol of its own so that the published types need no
// `esnext.disposable` lib.
const asyncDispose: unique symbol = (Symbol.asyncDispose ?? Symbol.for("Symbol.asyncDispose")) as never;

// `[Symbol.asyncDispose](): Promise<void>` where the compiler's lib knows
// `Symbol.asyncDispose`, nothing where it does not: a project without lib
// `esnext.disposable` still compiles the published types, and one with it
// may write `await using`.
type AsyncDisposer = {
  [K in SymbolConstructor extends { readonly asyncDispose: infer D extends symbol } ? D : never]: () => Promise<void>;
};

/** What a {@link Grant} needs from its `RedisSync`. */
export interface Holder {
  /** Sends the release script for `grant`. */
  release(grant: Grant): Promise<unknown>;
  /** Forgets `grant`: no more renewals. */
  forget(grant: Grant): void;
}

/**
 * A held grant, as its `RedisSync` tracks it: the lease, its local deadline
 * and its state. `RedisSync` renews it, calls {@link watch} at every
 * renewal round and {@link lose}. Its `AbortController` is made when
 * `signal` is first read: most holds never read it.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface below
export class Grant implements Lease {
  readonly #holder: Holder;
  #controller: AbortController | undefined;
  /** The reason, once lost. */
  #lost: LeaseLostError | undefined;
  /** Set by {@link watch} when the deadline comes before the next renewal round. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deadline = 0;
  #released: Promise<void> | undefined;

  /**
   * @param id - the hold id on the server.
   * @param token - the fencing token.
   * @param keys - the primitive's keys, for the scripts.
   * @param span - how long after a confirmed renewal was sent the lease
   *   counts as held locally: the lease minus the safety margin.
   * @param since - `performance.now()` when the request that gave or last
   *   extended the lease was sent.
   */
  constructor(
    holder: Holder,
    readonly id: string,
    readonly token: number,
    readonly keys: readonly string[],
    readonly span: number,
    since: number,
  ) {
    this.#holder = holder;
    this.extend(since);
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#lost !== undefined) this.#controller.abort(this.#lost);
    }
    return this.#controller.signal;
  }

  get lost(): boolean {
    return this.#lost !== undefined;
  }

  /** True until released or lost. */
  get live(): boolean {
    return this.#released === undefined && this.#lost === undefined;
  }

  /** A renewal sent at `since` was confirmed: the local deadline moves to `since + span`. */
  extend(since: number): void {
    if (!this.live || since + this.span <= this.#deadline) return;
    this.#deadline = since + this.span;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * A renewal round at `now`, the next one due within `period`: loses the
   * lease if its deadline has passed, and sets a timer for the deadline if
   * it may come before the next round (a renewal failed). A lease renewed
   * in time needs no timer: its deadline stays more than a round ahead.
   */
  watch(now: number, period: number): void {
    if (!this.live) return;
    const expire = (): void => this.lose("lease expired locally: no confirmed renewal in time");
    if (this.#deadline <= now) return expire();
    if (this.#timer === undefined && this.#deadline < now + 1.5 * period)
      this.#timer = setTimeout(expire, this.#deadline - now);
  }

  /** The lease is lost: `signal` aborts; nothing is sent to the server. */
  lose(message: string): void {
    if (!this.live) return;
    clearTimeout(this.#timer);
    this.#holder.forget(this);
    this.#lost = new LeaseLostError(message);
    this.#controller?.abort(this.#lost);
  }

  release(): Promise<void> {
    if (this.#released !== undefined) return this.#released;
    if (this.lost) return (this.#released = Promise.resolve());
    clearTimeout(this.#timer);
    this.#holder.forget(this);
    return (this.#released = this.#holder.release(this).then(() => undefined));
  }

  [asyncDispose](): Promise<void> {
    return this.release();
  }

  toString(): string {
    return `<Lease token:${this.token}${this.lost ? " lost" : this.#released ? " released" : ""}>`;
  }
}

// The method above is keyed by `asyncDispose`, which is
// `Symbol.asyncDispose` wherever that exists; this tells TypeScript so.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface Grant extends AsyncDisposer {}
