import { getEventListeners } from "node:events";
import { inspect } from "node:util";
import { InvalidStateError, TimeoutError, type WaitOptions } from "@sync/core";
import { Lock } from "@sync/lock";
import { tick, track } from "../../../test/helpers";

/** Checks the class invariant through public observers: `waiters > 0` implies `locked()`. */
function expectConsistent(lock: Lock): void {
  if (lock.waiters > 0) expect(lock.locked()).toBe(true);
}

/** Queues `acquire()` calls named by `names`, each logging `name` once granted. */
function queue(lock: Lock, log: string[], names: string[], options: Record<string, WaitOptions> = {}) {
  return Object.fromEntries(
    names.map((name) => [
      name,
      track(
        lock.acquire(options[name]).then(
          (value) => {
            log.push(name);
            return value;
          },
          (reason: unknown) => {
            log.push(`${name} rejected`);
            throw reason;
          },
        ),
      ),
    ]),
  );
}

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe("acquire and release", () => {
  test("a new lock is unlocked; acquire() locks it at once and resolves true", async () => {
    const lock = new Lock();
    expect(lock.locked()).toBe(false);
    expect(lock.waiters).toBe(0);
    const acquired = track(lock.acquire());
    expect(lock.locked()).toBe(true); // synchronously, before any tick
    await tick();
    expect(acquired.current).toEqual({ state: "fulfilled", value: true });
    expect(lock.waiters).toBe(0);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test("release() is a hand-off: with waiters queued the lock stays locked and waiters drops by one", async () => {
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    queue(lock, log, ["a", "b"]);
    expect(lock.waiters).toBe(2);

    lock.release();
    // Before any tick: a already owns the lock, it never was unlocked.
    expect(lock.locked()).toBe(true);
    expect(lock.waiters).toBe(1);
    await tick();
    expect(log).toEqual(["a"]);

    lock.release();
    expect(lock.locked()).toBe(true);
    expect(lock.waiters).toBe(0);
    await tick();
    expect(log).toEqual(["a", "b"]);

    lock.release();
    expect(lock.locked()).toBe(false);
    expectConsistent(lock);
  });

  test("waiters are granted strictly first in, first out", async () => {
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    const names = ["w0", "w1", "w2", "w3", "w4"];
    queue(lock, log, names);
    for (let i = 0; i < names.length; i++) {
      lock.release();
      await tick();
      expectConsistent(lock);
    }
    expect(log).toEqual(names);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test("a newcomer's acquire() never overtakes a queued waiter", async () => {
    // Actors: A holds the lock, B is queued, C calls acquire() in the same
    // synchronous step as A's release(). If release() unlocked the lock and
    // left B to take it later, C's fast path would find it free and win.
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    queue(lock, log, ["B"]);
    lock.release();
    queue(lock, log, ["C"]);
    expect(lock.waiters).toBe(1); // C is queued, B owns the lock
    await tick();
    expect(log).toEqual(["B"]);
    lock.release();
    await tick();
    expect(log).toEqual(["B", "C"]);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test("a newcomer's tryAcquire() never overtakes a queued waiter", async () => {
    // Actors: A holds the lock, B is queued; right after A's release(), C
    // tries tryAcquire(). It must fail: the lock went to B.
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    queue(lock, log, ["B"]);
    lock.release();
    expect(lock.tryAcquire()).toBe(false);
    await tick();
    expect(log).toEqual(["B"]);
    expect(lock.locked()).toBe(true);
    expect(lock.waiters).toBe(0);
  });

  test("tryAcquire() locks a free lock and returns true, returns false on a locked one", () => {
    const lock = new Lock();
    expect(lock.tryAcquire()).toBe(true);
    expect(lock.locked()).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    expect(lock.locked()).toBe(true);
    expect(lock.waiters).toBe(0);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test("release() on an unlocked lock throws InvalidStateError and changes nothing", async () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(new InvalidStateError("Lock is not acquired"));
    expect(lock.locked()).toBe(false);
    expect(lock.waiters).toBe(0);
    // The lock still works as before.
    const log: string[] = [];
    queue(lock, log, ["a"]);
    await tick();
    expect(log).toEqual(["a"]);
    lock.release();
    expect(() => lock.release()).toThrow(InvalidStateError);
    expect(lock.locked()).toBe(false);
  });

  test("a lock is not owned: whoever holds it may be released by another caller", async () => {
    const lock = new Lock();
    const log: string[] = [];
    async function holder(): Promise<void> {
      await lock.acquire();
      log.push("holder acquired");
    }
    await holder();
    lock.release(); // not the caller that acquired it
    log.push("released by another");
    expect(log).toEqual(["holder acquired", "released by another"]);
    expect(lock.locked()).toBe(false);
  });
});

describe("cancellation", () => {
  test("abort before grant: the waiter leaves the queue and rejects with signal.reason", async () => {
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    const controller = new AbortController();
    const reason = new Error("no longer needed");
    const calls = queue(lock, log, ["a", "b"], { a: { signal: controller.signal } });
    expect(lock.waiters).toBe(2);
    controller.abort(reason);
    expect(lock.waiters).toBe(1); // at once, before any tick
    await tick();
    expect(calls.a!.current).toEqual({ state: "rejected", reason });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    lock.release();
    await tick();
    expect(log).toEqual(["a rejected", "b"]);
    expect(lock.locked()).toBe(true);
    expect(lock.waiters).toBe(0);
  });

  test("abort without a reason rejects with the signal's default AbortError", async () => {
    const lock = new Lock();
    await lock.acquire();
    const controller = new AbortController();
    const acquired = track(lock.acquire({ signal: controller.signal }));
    controller.abort();
    await tick();
    expect(acquired.current).toEqual({ state: "rejected", reason: controller.signal.reason });
    expect((controller.signal.reason as Error).name).toBe("AbortError");
    expect(lock.waiters).toBe(0);
  });

  test("abort after grant changes nothing: the call resolves and the caller holds the lock", async () => {
    const lock = new Lock();
    await lock.acquire();
    const controller = new AbortController();
    const acquired = track(lock.acquire({ signal: controller.signal }));
    lock.release(); // hands the lock to the waiter
    controller.abort(); // too late
    await tick();
    expect(acquired.current).toEqual({ state: "fulfilled", value: true });
    expect(lock.locked()).toBe(true);
    expect(lock.waiters).toBe(0);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test("abort of the head waiter right before release() passes the lock to the next waiter", async () => {
    // Actors: A holds the lock; B (head) and C wait. In one synchronous step
    // B's signal aborts and A releases. A lost wake-up would leave the lock
    // granted to B (who gave up) or unlocked with C still queued.
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    const controller = new AbortController();
    queue(lock, log, ["B", "C"], { B: { signal: controller.signal } });
    controller.abort();
    lock.release();
    expect(lock.locked()).toBe(true);
    expect(lock.waiters).toBe(0);
    await tick();
    expect(log).toEqual(["B rejected", "C"]);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test("abort of the head waiter right after release() is too late: the head waiter holds the lock", async () => {
    // Actors: A holds the lock; B (head) and C wait. A releases, then B's
    // signal aborts in the same step. B was already granted, so it keeps the
    // lock (and must release it); C keeps waiting.
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    const controller = new AbortController();
    queue(lock, log, ["B", "C"], { B: { signal: controller.signal } });
    lock.release();
    controller.abort();
    await tick();
    expect(log).toEqual(["B"]);
    expect(lock.locked()).toBe(true);
    expect(lock.waiters).toBe(1);
    lock.release();
    await tick();
    expect(log).toEqual(["B", "C"]);
  });

  test("abort of a middle waiter keeps the order of the others", async () => {
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    const controller = new AbortController();
    queue(lock, log, ["a", "b", "c"], { b: { signal: controller.signal } });
    controller.abort();
    expect(lock.waiters).toBe(2);
    for (let i = 0; i < 2; i++) {
      lock.release();
      await tick();
    }
    expect(log).toEqual(["b rejected", "a", "c"]);
    expect(lock.waiters).toBe(0);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test("abort of the only waiter, then release(), unlocks the lock", async () => {
    const lock = new Lock();
    await lock.acquire();
    const controller = new AbortController();
    const acquired = track(lock.acquire({ signal: controller.signal }));
    controller.abort();
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(lock.waiters).toBe(0);
    await tick();
    expect(acquired.current.state).toBe("rejected");
  });

  test("timeout: rejects with TimeoutError after that many ms, not before, and leaves the queue", async () => {
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    const calls = queue(lock, log, ["a", "b"], { a: { timeout: 100 } });
    jest.advanceTimersByTime(99);
    await tick();
    expect(log).toEqual([]);
    expect(lock.waiters).toBe(2);
    jest.advanceTimersByTime(1);
    expect(lock.waiters).toBe(1);
    await tick();
    expect(log).toEqual(["a rejected"]);
    const outcome = calls.a!.current;
    expect(outcome.state === "rejected" && outcome.reason).toBeInstanceOf(TimeoutError);
    lock.release();
    await tick();
    expect(log).toEqual(["a rejected", "b"]);
    expect(jest.getTimerCount()).toBe(0);
  });

  test("timeout after grant changes nothing, and the timer is cleared at the grant", async () => {
    const lock = new Lock();
    await lock.acquire();
    const acquired = track(lock.acquire({ timeout: 100 }));
    expect(jest.getTimerCount()).toBe(1);
    lock.release();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(1_000);
    await tick();
    expect(acquired.current).toEqual({ state: "fulfilled", value: true });
    expect(lock.locked()).toBe(true);
  });

  test("timeout: 0 succeeds on a free lock and rejects at once on a locked one, queueing nothing", async () => {
    const lock = new Lock();
    expect(await lock.acquire({ timeout: 0 })).toBe(true);
    expect(lock.locked()).toBe(true);
    const refused = track(lock.acquire({ timeout: 0 }));
    expect(lock.waiters).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    await tick();
    const outcome = refused.current;
    expect(outcome.state === "rejected" && outcome.reason).toBeInstanceOf(TimeoutError);
    expect(lock.locked()).toBe(true);
  });

  test("timeout: Infinity is no timeout: no timer is set", async () => {
    const lock = new Lock();
    await lock.acquire();
    const acquired = track(lock.acquire({ timeout: Infinity }));
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(2 ** 40);
    lock.release();
    await tick();
    expect(acquired.current).toEqual({ state: "fulfilled", value: true });
  });

  test("a timeout longer than the timer limit waits, it does not fire at once", async () => {
    const lock = new Lock();
    await lock.acquire();
    const acquired = track(lock.acquire({ timeout: 2 ** 40 }));
    jest.advanceTimersByTime(1_000);
    await tick();
    expect(acquired.current.state).toBe("pending");
    expect(lock.waiters).toBe(1);
    lock.release();
    await tick();
    expect(acquired.current.state).toBe("fulfilled");
  });

  test("an already-aborted signal rejects with its reason even on a free lock, and changes nothing", async () => {
    const lock = new Lock();
    const reason = new Error("cancelled before");
    const signal = AbortSignal.abort(reason);
    await expect(lock.acquire({ signal })).rejects.toBe(reason);
    expect(lock.locked()).toBe(false);
    await lock.acquire();
    await expect(lock.acquire({ signal })).rejects.toBe(reason);
    expect(lock.waiters).toBe(0);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  test.each<[string, unknown, ErrorConstructor]>([
    ["a negative timeout", { timeout: -1 }, RangeError],
    ["a NaN timeout", { timeout: NaN }, RangeError],
    ["a string timeout", { timeout: "10" }, TypeError],
    ["a signal that is not an AbortSignal", { signal: { aborted: false } }, TypeError],
    ["options that are not an object", 5, TypeError],
  ])("malformed options (%s) reject, free or locked, and change nothing", async (_, options, error) => {
    const lock = new Lock();
    const bad = options as WaitOptions;
    await expect(lock.acquire(bad)).rejects.toBeInstanceOf(error);
    expect(lock.locked()).toBe(false);
    await lock.acquire();
    const refused = lock.acquire(bad);
    expect(lock.waiters).toBe(0);
    await expect(refused).rejects.toBeInstanceOf(error);
    expect(lock.locked()).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  test("null or undefined options are no options", async () => {
    const lock = new Lock();
    expect(await lock.acquire(undefined)).toBe(true);
    lock.release();
    expect(await lock.acquire(null as unknown as WaitOptions)).toBe(true);
    expect(lock.locked()).toBe(true);
  });

  test("the fast path adds no listener; a queued call removes its listener when granted", async () => {
    const lock = new Lock();
    const controller = new AbortController();
    const { signal } = controller;
    await lock.acquire({ signal });
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    const acquired = track(lock.acquire({ signal, timeout: 50 }));
    expect(getEventListeners(signal, "abort").length).toBeGreaterThan(0);
    expect(jest.getTimerCount()).toBe(1);
    lock.release();
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
    await tick();
    expect(acquired.current.state).toBe("fulfilled");
  });

  test("a call that times out removes its abort listener; one that aborts clears its timer", async () => {
    const lock = new Lock();
    await lock.acquire();
    const first = new AbortController();
    const timedOut = track(lock.acquire({ signal: first.signal, timeout: 10 }));
    jest.advanceTimersByTime(10);
    expect(getEventListeners(first.signal, "abort")).toHaveLength(0);
    const second = new AbortController();
    const aborted = track(lock.acquire({ signal: second.signal, timeout: 10 }));
    second.abort();
    expect(jest.getTimerCount()).toBe(0);
    expect(getEventListeners(second.signal, "abort")).toHaveLength(0);
    await tick();
    expect([timedOut.current.state, aborted.current.state]).toEqual(["rejected", "rejected"]);
    expect(lock.waiters).toBe(0);
  });

  test("one signal shared by several waiters aborts them all, and only them", async () => {
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    const controller = new AbortController();
    const { signal } = controller;
    queue(lock, log, ["a", "b", "c"], { a: { signal }, c: { signal } });
    controller.abort();
    expect(lock.waiters).toBe(1);
    lock.release();
    await tick();
    expect(log).toEqual(["a rejected", "c rejected", "b"]);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });
});

describe("String() and util.inspect()", () => {
  test("show the state and the number of waiters in API.md's format", async () => {
    const lock = new Lock();
    const shown = (): string[] => [String(lock), inspect(lock)];
    expect(shown()).toEqual(["<Lock [unlocked]>", "<Lock [unlocked]>"]);
    await lock.acquire();
    expect(shown()).toEqual(["<Lock [locked]>", "<Lock [locked]>"]);
    const controller = new AbortController();
    void lock.acquire({ signal: controller.signal }).catch(() => {});
    expect(shown()).toEqual(["<Lock [locked, waiters:1]>", "<Lock [locked, waiters:1]>"]);
    void lock.acquire({ signal: controller.signal }).catch(() => {});
    expect(shown()).toEqual(["<Lock [locked, waiters:2]>", "<Lock [locked, waiters:2]>"]);
    expect(`${lock}`).toBe("<Lock [locked, waiters:2]>");
    expect(inspect({ lock })).toBe("{ lock: <Lock [locked, waiters:2]> }");
    controller.abort();
    expect(shown()).toEqual(["<Lock [locked]>", "<Lock [locked]>"]);
  });
});
