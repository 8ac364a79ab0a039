import { BrokenBarrierError } from "@sync/barrier";
import { InvalidStateError, type WaitOptions } from "@sync/core";
import { inspect } from "./core";
import type { Lease } from "./lease";
import type { Engine, Place } from "./redis-sync";
import * as lua from "./scripts";

/**
 * A fair mutex shared by every process that uses the same server, prefix and
 * name. Made by `sync.lock(name)`.
 *
 * @example
 * ```ts
 * const lock = sync.lock("invoice:42");
 * await lock.run(async (lease) => {
 *   await db.update(invoice, { fencingToken: lease.token, signal: lease.signal });
 * });
 * ```
 */
export interface RedisLock {
  /**
   * Waits until the lock is free and nobody queued before this call, then
   * holds it: resolves to a {@link Lease}. `timeout: 0` tries once (one round
   * trip) and never queues.
   *
   * **Cancellation**: an abort or a timeout before the grant rejects at once
   * with `signal.reason` or `TimeoutError`, and one round trip takes the call
   * out of the server's queue; a grant that crossed it is released and passes
   * to the next waiter. After the grant, an abort changes nothing.
   *
   * @throws (as rejections) `TypeError`/`RangeError` for malformed options;
   *   `InvalidStateError` once the `RedisSync` is closed (or closes while
   *   this call waits); the server's error, if any.
   */
  hold(options?: WaitOptions): Promise<Lease>;
  /**
   * Holds the lock, calls `fn(lease)`, releases in all cases, and returns
   * `fn`'s result. `fn` should pass `lease.signal` on to what it does.
   *
   * **Cancellation**: the options bound the wait only, as in {@link hold}.
   *
   * @throws (as rejections) `TypeError` if `fn` is not a function (nothing is
   *   held then); what {@link hold} throws; what `fn` throws.
   */
  run<R>(fn: (lease: Lease) => R | PromiseLike<R>, options?: WaitOptions): Promise<R>;
  /** True while someone, in any process, holds the lock. One round trip. */
  locked(): Promise<boolean>;
  /** How many callers, in all processes, wait for the lock. One round trip. */
  waiters(): Promise<number>;
}

/**
 * A fair counting semaphore shared by every process that uses the same
 * server, prefix and name: at most `permits` leases at once. Made by
 * `sync.semaphore(name, permits)`; the first call on the server fixes the
 * count, a later call with another count rejects with `InvalidStateError`.
 *
 * @example
 * ```ts
 * const api = sync.semaphore("partner-api", 10);
 * const body = await api.run(() => fetch(url).then((r) => r.text()), { timeout: 30_000 });
 * ```
 */
export interface RedisSemaphore {
  /**
   * Waits until a permit is free and nobody queued before this call, then
   * holds one: resolves to a {@link Lease}. `timeout: 0` tries once.
   *
   * **Cancellation**: as {@link RedisLock.hold}.
   *
   * @throws (as rejections) as {@link RedisLock.hold}, and
   *   `InvalidStateError` if the server has this semaphore with another
   *   count.
   */
  hold(options?: WaitOptions): Promise<Lease>;
  /** As {@link RedisLock.run}. */
  run<R>(fn: (lease: Lease) => R | PromiseLike<R>, options?: WaitOptions): Promise<R>;
  /** Permits free now (`permits` minus leases held). One round trip. */
  available(): Promise<number>;
  /** How many callers, in all processes, wait for a permit. One round trip. */
  waiters(): Promise<number>;
  /** The count this object was made with. */
  readonly permits: number;
}

/**
 * A flag shared by every process that uses the same server, prefix and name:
 * `asyncio.Event` across processes. Made by `sync.event(name)`.
 *
 * @example
 * ```ts
 * const ready = sync.event("migrations-done");
 * await ready.wait({ timeout: 60_000 }); // in every worker
 * await ready.set(); // in the one that ran the migrations
 * ```
 */
export interface RedisEvent {
  /**
   * Resolves `true` at once if the flag is set, else when `set()` is called
   * anywhere. `timeout: 0` checks once.
   *
   * **Cancellation**: an abort or a timeout before the wake-up rejects at
   * once and takes the call off the server's list; after it, nothing changes.
   *
   * @throws (as rejections) `TypeError`/`RangeError` for malformed options;
   *   `InvalidStateError` once the `RedisSync` is closed.
   */
  wait(options?: WaitOptions): Promise<true>;
  /** Sets the flag and wakes every waiter in every process. */
  set(): Promise<void>;
  /** Unsets the flag. */
  clear(): Promise<void>;
  /** The flag, as the server has it. One round trip. */
  isSet(): Promise<boolean>;
}

/**
 * A reusable barrier shared by every process that uses the same server,
 * prefix and name: `asyncio.Barrier` across processes. Made by
 * `sync.barrier(name, parties)`.
 *
 * @example
 * ```ts
 * const epoch = sync.barrier("epoch", 4);
 * const position = await epoch.wait({ timeout: 10_000 }); // 0 … 3
 * ```
 */
export interface RedisBarrier {
  /**
   * Waits until `parties` callers, in any processes, wait; then all resolve,
   * each with a distinct position `0 … parties-1` in the server's arrival
   * order, and the barrier fills again for the next cycle. `timeout: 0`
   * succeeds only for the caller that completes a cycle.
   *
   * **Cancellation**: an abort or a timeout while the barrier fills rejects
   * at once and takes this caller out of the cycle (one round trip).
   *
   * @throws (as rejections) `BrokenBarrierError` if the barrier is broken,
   *   or is reset or aborted while this call waits; `InvalidStateError` if
   *   the server has this barrier with another count, or the `RedisSync` is
   *   closed; `TypeError`/`RangeError` for malformed options.
   */
  wait(options?: WaitOptions): Promise<number>;
  /** Back to an empty, filling barrier: current waiters reject with `BrokenBarrierError`. */
  reset(): Promise<void>;
  /** Breaks the barrier: current and later `wait()`s reject with `BrokenBarrierError` until `reset()`. */
  abort(): Promise<void>;
  /** How many callers wait for the barrier to fill. One round trip. */
  nWaiting(): Promise<number>;
  /** True after `abort()`, until `reset()`. One round trip. */
  broken(): Promise<boolean>;
  /** The count this object was made with. */
  readonly parties: number;
}

function checkName(name: unknown): string {
  if (typeof name !== "string") throw new TypeError(`name must be a string, got ${typeof name}`);
  if (name === "") throw new RangeError("name must not be empty");
  return name;
}

function checkCount(value: unknown, what: string): number {
  if (typeof value !== "number") throw new TypeError(`${what} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${what} must be an integer >= 1, got ${value}`);
  return value;
}

/** The counts behind the queries: {holders, queued, flag, broken}. */
interface Counts {
  holders: number;
  queued: number;
  flag: boolean;
  broken: boolean;
}

// The lock and the semaphore: one set of scripts, a lock has one permit.
class Permits implements RedisLock, RedisSemaphore {
  readonly #engine: Engine;
  readonly #place: Place;
  readonly permits: number;

  constructor(engine: Engine, place: Place, permits: number) {
    this.#engine = engine;
    this.#place = place;
    this.permits = permits;
  }

  hold(options?: WaitOptions): Promise<Lease> {
    const engine = this.#engine;
    this.#place.count = String(this.permits);
    return engine
      .wait(
        this.#place,
        options,
        lua.acquire,
        (id, mode) => [id, this.permits, engine.lease, mode],
        (stored) => this.#mismatch(stored),
      )
      .then((outcome) => {
        const grant = engine.hold(this.#place, outcome);
        return engine.replicas === 0 ? grant : this.#replicated(grant);
      });
  }

  /** `grant` once `replicas` replicas have it; released, and an error, if they do not in time. */
  async #replicated(grant: Lease): Promise<Lease> {
    const engine = this.#engine;
    const acked = Number(
      await engine.scripts.connection.send(["WAIT", String(engine.replicas), String(Math.ceil(engine.lease / 3))]),
    );
    if (acked >= engine.replicas) return grant;
    await grant.release();
    throw new InvalidStateError(`the grant reached ${acked} of ${engine.replicas} replicas in time`);
  }

  async run<R>(fn: (lease: Lease) => R | PromiseLike<R>, options?: WaitOptions): Promise<R> {
    if (typeof fn !== "function") throw new TypeError(`fn must be a function, got ${typeof fn}`);
    const lease = await this.hold(options);
    try {
      return await fn(lease);
    } finally {
      await lease.release();
    }
  }

  async locked(): Promise<boolean> {
    return (await this.#counts()).holders >= this.permits;
  }

  async available(): Promise<number> {
    return Math.max(0, this.permits - (await this.#counts()).holders);
  }

  async waiters(): Promise<number> {
    return (await this.#counts()).queued;
  }

  #counts(): Promise<Counts> {
    return counts(this.#engine, this.#place, "permits", this.permits, (stored) => this.#mismatch(stored));
  }

  #mismatch(stored: string): Error {
    return new InvalidStateError(`${this} has ${stored} permits on the server`);
  }

  toString(): string {
    return this.#place.kind === "lock"
      ? `<RedisLock ${JSON.stringify(this.#place.name)}>`
      : `<RedisSemaphore ${JSON.stringify(this.#place.name)} permits:${this.permits}>`;
  }

  [inspect](): string {
    return this.toString();
  }
}

async function counts(
  engine: Engine,
  place: Place,
  field: string,
  count: number | string,
  mismatch: (stored: string) => Error,
): Promise<Counts> {
  const [holders, queued, flag, broken] = (await engine.run(place, lua.inspect, [field, count])) as [
    unknown,
    unknown,
    unknown,
    unknown,
  ];
  if (holders === "count") throw mismatch(String(queued));
  return { holders: Number(holders), queued: Number(queued), flag: flag === "1", broken: broken === "1" };
}

class Event implements RedisEvent {
  readonly #engine: Engine;
  readonly #place: Place;

  constructor(engine: Engine, place: Place) {
    this.#engine = engine;
    this.#place = place;
  }

  wait(options?: WaitOptions): Promise<true> {
    const engine = this.#engine;
    return engine
      .wait(
        this.#place,
        options,
        lua.eventWait,
        (id, mode) => [id, engine.lease, mode],
        (stored) => new InvalidStateError(stored),
      )
      .then(() => true);
  }

  async set(): Promise<void> {
    await this.#engine.run(this.#place, lua.eventSet, []);
  }

  async clear(): Promise<void> {
    await this.#engine.run(this.#place, lua.eventClear, []);
  }

  async isSet(): Promise<boolean> {
    return (await counts(this.#engine, this.#place, "", "", (stored) => new InvalidStateError(stored))).flag;
  }

  toString(): string {
    return `<RedisEvent ${JSON.stringify(this.#place.name)}>`;
  }

  [inspect](): string {
    return this.toString();
  }
}

class Barrier implements RedisBarrier {
  readonly #engine: Engine;
  readonly #place: Place;
  readonly parties: number;

  constructor(engine: Engine, place: Place, parties: number) {
    this.#engine = engine;
    this.#place = place;
    this.parties = parties;
  }

  wait(options?: WaitOptions): Promise<number> {
    const engine = this.#engine;
    return engine
      .wait(
        this.#place,
        options,
        lua.barrierWait,
        (id, mode) => [id, this.parties, engine.lease, mode],
        (stored) => this.#mismatch(stored),
      )
      .then(({ payload }) => {
        if (payload === "abort") throw new BrokenBarrierError("Barrier aborted");
        if (payload === "reset") throw new BrokenBarrierError("Barrier reset");
        return Number(payload);
      });
  }

  reset(): Promise<void> {
    return this.#break("reset");
  }

  abort(): Promise<void> {
    return this.#break("abort");
  }

  async #break(how: "reset" | "abort"): Promise<void> {
    const [status, stored] = (await this.#engine.run(this.#place, lua.barrierBreak, [this.parties, how])) as [
      string,
      unknown,
    ];
    if (status === "count") throw this.#mismatch(String(stored));
  }

  async nWaiting(): Promise<number> {
    return (await this.#counts()).queued;
  }

  async broken(): Promise<boolean> {
    return (await this.#counts()).broken;
  }

  #counts(): Promise<Counts> {
    return counts(this.#engine, this.#place, "parties", this.parties, (stored) => this.#mismatch(stored));
  }

  #mismatch(stored: string): Error {
    return new InvalidStateError(`${this} has ${stored} parties on the server`);
  }

  toString(): string {
    return `<RedisBarrier ${JSON.stringify(this.#place.name)} parties:${this.parties}>`;
  }

  [inspect](): string {
    return this.toString();
  }
}

export function lock(engine: Engine, name: unknown): RedisLock {
  return new Permits(engine, engine.place("lock", checkName(name)), 1);
}

export function semaphore(engine: Engine, name: unknown, permits: unknown): RedisSemaphore {
  const checked = checkName(name);
  return new Permits(engine, engine.place("semaphore", checked), checkCount(permits, "permits"));
}

export function event(engine: Engine, name: unknown): RedisEvent {
  return new Event(engine, engine.place("event", checkName(name)));
}

export function barrier(engine: Engine, name: unknown, parties: unknown): RedisBarrier {
  const checked = checkName(name);
  return new Barrier(engine, engine.place("barrier", checked), checkCount(parties, "parties"));
}
