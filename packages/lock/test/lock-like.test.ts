// The guarantees every lock-like class keeps, written once and run for each:
// Lock, Condition (through its lock), Semaphore(1), BoundedSemaphore(1) and
// an RWLock's writer view.
// Mutual exclusion, FIFO hand-off, no barging, cancellation (abort, timeout,
// already aborted, timeout 0, malformed options), hold() and run(). What
// only one class does (String(), a Semaphore's counter, a Condition's
// notifications) stays in that class's own test file.
import { getEventListeners } from "node:events";
import { Condition } from "@sync/condition";
import { Guard, InvalidStateError, TimeoutError, type WaitOptions } from "@sync/core";
import { Lock } from "@sync/lock";
import { RWLock } from "@sync/rwlock";
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";
import { tick, track, trackLogged, useFakeTimersPerTest } from "../../core/test/helpers";

interface LockLike {
  acquire(options?: WaitOptions): Promise<true>;
  tryAcquire(): boolean;
  release(): void;
  locked(): boolean;
  hold(options?: WaitOptions): Promise<Guard>;
  run<R>(fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<R>;
}

interface Subject {
  lock: LockLike;
  /** How many callers wait to acquire (for a Condition: its lock's queue, not its notification queue). */
  queued(): number;
  /** The class invariants, through public observers. */
  check(): void;
  /** What release() on a free one throws (a Semaphore instead counts up: see semaphore.test.ts). */
  overRelease?: [new (message?: string) => Error, string];
}

function semaphore(sem: Semaphore, overRelease?: Subject["overRelease"]): Subject {
  return {
    lock: sem,
    queued: () => sem.waiters,
    check() {
      expect(Number.isInteger(sem.value) && sem.value >= 0).toBe(true);
      if (sem.waiters > 0) expect(sem.value).toBe(0);
      expect(sem.locked()).toBe(sem.value === 0);
    },
    overRelease,
  };
}

function mutex(lock: LockLike, inner: Lock): Subject {
  return {
    lock,
    queued: () => inner.waiters,
    check() {
      if (inner.waiters > 0) expect(lock.locked()).toBe(true);
      expect(lock.locked()).toBe(inner.locked());
    },
    overRelease: [InvalidStateError, "Lock is not acquired"],
  };
}

const subjects: [string, () => Subject][] = [
  [
    "Lock",
    () => {
      const lock = new Lock();
      return mutex(lock, lock);
    },
  ],
  [
    "Condition",
    () => {
      const inner = new Lock();
      return mutex(new Condition(inner), inner);
    },
  ],
  ["Semaphore(1)", () => semaphore(new Semaphore(1))],
  [
    "BoundedSemaphore(1)",
    () => semaphore(new BoundedSemaphore(1), [RangeError, "BoundedSemaphore released too many times"]),
  ],
  [
    "RWLock.writer",
    () => {
      const rw = new RWLock();
      return {
        lock: rw.writer,
        queued: () => rw.waiters,
        check() {
          expect(rw.readers).toBe(0); // only the writer view is used here
          if (rw.waiters > 0) expect(rw.writing).toBe(true);
          expect(rw.writer.locked()).toBe(rw.writing);
        },
        overRelease: [InvalidStateError, "RWLock is not write-locked"],
      };
    },
  ],
];

const granted = { state: "fulfilled", value: true } as const;
const listeners = (signal: AbortSignal): number => getEventListeners(signal, "abort").length;

useFakeTimersPerTest();

describe.each(subjects)("%s as a lock", (_name, make) => {
  let lock: LockLike;
  let queued: () => number;
  let check: () => void;
  let subject: Subject;
  beforeEach(() => {
    subject = make();
    ({ lock, queued, check } = subject);
  });
  afterEach(() => {
    check();
  });

  /** Queues `acquire()` calls named by `names`; each logs its name when granted, `<name> rejected` if not. */
  function queue(log: string[], names: string[], options: Record<string, WaitOptions> = {}) {
    return Object.fromEntries(names.map((name) => [name, trackLogged(lock.acquire(options[name]), log, name)]));
  }

  describe("acquire and release", () => {
    test("a free one locks at once, synchronously, and acquire() resolves true", async () => {
      expect([lock.locked(), queued()]).toEqual([false, 0]);
      const acquired = track(lock.acquire());
      expect(lock.locked()).toBe(true); // before any tick
      await tick();
      expect(acquired.current).toEqual(granted);
      expect(queued()).toBe(0);
      lock.release();
      expect(lock.locked()).toBe(false);
    });

    test("mutual exclusion: at most one caller is inside at any time", async () => {
      const log: string[] = [];
      let inside = 0;
      async function worker(name: string): Promise<void> {
        await lock.acquire();
        try {
          inside++;
          log.push(`${name} in (${inside} inside)`);
          await tick(3); // yields to the others while holding the lock
          log.push(`${name} out`);
        } finally {
          inside--;
          lock.release();
        }
      }
      await Promise.all(["a", "b", "c"].map(worker));
      expect(log).toEqual(["a in (1 inside)", "a out", "b in (1 inside)", "b out", "c in (1 inside)", "c out"]);
      expect([lock.locked(), queued()]).toEqual([false, 0]);
    });

    test("FIFO: waiters are granted strictly in the order they called acquire()", async () => {
      const log: string[] = [];
      await lock.acquire();
      const names = ["w0", "w1", "w2", "w3", "w4"];
      queue(log, names);
      expect(queued()).toBe(5);
      for (let i = 0; i < names.length; i++) {
        lock.release();
        await tick();
        expect(log).toEqual(names.slice(0, i + 1));
        check();
      }
      expect(queued()).toBe(0);
      lock.release();
      expect(lock.locked()).toBe(false);
    });

    test("release() is a hand-off: with waiters queued it stays locked and the queue shrinks by one", async () => {
      const log: string[] = [];
      await lock.acquire();
      queue(log, ["a", "b"]);
      lock.release();
      // Before any tick: a owns it already, it never was free.
      expect([lock.locked(), queued()]).toEqual([true, 1]);
      await tick();
      expect(log).toEqual(["a"]);
      lock.release();
      expect([lock.locked(), queued()]).toEqual([true, 0]);
      await tick();
      expect(log).toEqual(["a", "b"]);
      lock.release();
      expect(lock.locked()).toBe(false);
    });

    test("a newcomer's acquire() never overtakes a queued waiter", async () => {
      // Actors: A holds, B is queued, C calls acquire() in the same
      // synchronous step as A's release(). If release() freed the lock and
      // left B to take it later, C's fast path would find it free and win.
      const log: string[] = [];
      await lock.acquire();
      queue(log, ["B"]);
      lock.release();
      queue(log, ["C"]);
      expect(queued()).toBe(1); // C is queued, B holds
      await tick();
      expect(log).toEqual(["B"]);
      lock.release();
      await tick();
      expect(log).toEqual(["B", "C"]);
      lock.release();
      expect(lock.locked()).toBe(false);
    });

    test("tryAcquire() and acquire({ timeout: 0 }) never overtake a queued waiter", async () => {
      // Actors: A holds, B is queued; right after A's release(), C tries both.
      // Both must fail: the lock went to B.
      const log: string[] = [];
      await lock.acquire();
      queue(log, ["B"]);
      expect(lock.tryAcquire()).toBe(false);
      lock.release();
      expect(lock.tryAcquire()).toBe(false);
      await expect(lock.acquire({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
      await tick();
      expect(log).toEqual(["B"]);
      expect([lock.locked(), queued()]).toEqual([true, 0]);
      lock.release();
      expect(lock.tryAcquire()).toBe(true);
    });

    test("tryAcquire() takes a free one and returns true, returns false on a taken one", () => {
      expect(lock.tryAcquire()).toBe(true);
      expect(lock.locked()).toBe(true);
      expect(lock.tryAcquire()).toBe(false);
      expect([lock.locked(), queued()]).toEqual([true, 0]);
      lock.release();
      expect(lock.locked()).toBe(false);
    });

    test("it is not owned: another caller may release it", async () => {
      async function holder(): Promise<void> {
        await lock.acquire();
      }
      await holder();
      lock.release(); // not the caller that acquired it
      expect(lock.locked()).toBe(false);
    });
  });

  describe("cancellation", () => {
    test("abort before the grant: leaves the queue at once, rejects with signal.reason, the next is served", async () => {
      const log: string[] = [];
      await lock.acquire();
      const controller = new AbortController();
      const reason = new Error("no longer needed");
      const calls = queue(log, ["a", "b"], { a: { signal: controller.signal } });
      expect([queued(), listeners(controller.signal)]).toEqual([2, 1]);
      controller.abort(reason);
      expect([queued(), listeners(controller.signal)]).toEqual([1, 0]); // at once, before any tick
      await tick();
      expect(calls.a!.current).toEqual({ state: "rejected", reason });
      lock.release();
      await tick();
      expect(log).toEqual(["a rejected", "b"]);
      expect([lock.locked(), queued()]).toEqual([true, 0]);
    });

    test("abort without a reason rejects with the signal's default AbortError", async () => {
      await lock.acquire();
      const controller = new AbortController();
      const acquired = track(lock.acquire({ signal: controller.signal }));
      controller.abort();
      await tick();
      expect(acquired.current).toEqual({ state: "rejected", reason: controller.signal.reason });
      expect((controller.signal.reason as Error).name).toBe("AbortError");
      expect(queued()).toBe(0);
    });

    test("abort after the grant changes nothing: the listener went at the grant, the caller holds it", async () => {
      await lock.acquire();
      const controller = new AbortController();
      const acquired = track(lock.acquire({ signal: controller.signal }));
      lock.release(); // hands it to the waiter
      expect(listeners(controller.signal)).toBe(0);
      controller.abort(); // too late
      await tick();
      expect(acquired.current).toEqual(granted);
      expect([lock.locked(), queued()]).toEqual([true, 0]);
      lock.release();
      expect(lock.locked()).toBe(false);
    });

    test("abort of the head waiter right before release() passes it to the next waiter", async () => {
      // Actors: A holds; B (head) and C wait. In one synchronous step B's
      // signal aborts and A releases. A lost wake-up would leave it granted
      // to B (who gave up), or free with C still queued (a newcomer would
      // then barge ahead of C).
      const log: string[] = [];
      await lock.acquire();
      const controller = new AbortController();
      queue(log, ["B", "C"], { B: { signal: controller.signal } });
      controller.abort();
      lock.release();
      expect([lock.locked(), queued()]).toEqual([true, 0]);
      await tick();
      expect(log).toEqual(["B rejected", "C"]);
      lock.release();
      expect(lock.locked()).toBe(false);
    });

    test("abort at the grant: right after release() it is too late, the head waiter holds it", async () => {
      // Actors: A holds; B (head) and C wait. A releases, then B's signal
      // aborts in the same step. B was granted already, so it keeps the lock
      // (and must release it); C keeps waiting.
      const log: string[] = [];
      await lock.acquire();
      const controller = new AbortController();
      queue(log, ["B", "C"], { B: { signal: controller.signal } });
      lock.release();
      controller.abort();
      await tick();
      expect(log).toEqual(["B"]);
      expect([lock.locked(), queued()]).toEqual([true, 1]);
      lock.release();
      await tick();
      expect(log).toEqual(["B", "C"]);
    });

    test("abort of a middle waiter keeps the order of the others", async () => {
      const log: string[] = [];
      await lock.acquire();
      const controller = new AbortController();
      queue(log, ["a", "b", "c"], { b: { signal: controller.signal } });
      controller.abort();
      expect(queued()).toBe(2);
      for (let i = 0; i < 2; i++) {
        lock.release();
        await tick();
      }
      expect(log).toEqual(["b rejected", "a", "c"]);
      expect(queued()).toBe(0);
      lock.release();
      expect(lock.locked()).toBe(false);
    });

    test("abort of the only waiter, then release(), frees it: as if the call was never made", async () => {
      await lock.acquire();
      const controller = new AbortController();
      const acquired = track(lock.acquire({ signal: controller.signal }));
      controller.abort();
      lock.release();
      expect([lock.locked(), queued()]).toEqual([false, 0]);
      await tick();
      expect(acquired.current.state).toBe("rejected");
    });

    test("timeout: rejects with TimeoutError after that many ms, not before, and the next is served", async () => {
      const log: string[] = [];
      await lock.acquire();
      const calls = queue(log, ["a", "b"], { a: { timeout: 100 } });
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(99);
      await tick();
      expect([log, queued()]).toEqual([[], 2]);
      jest.advanceTimersByTime(1);
      expect(queued()).toBe(1); // at once
      await tick();
      expect(log).toEqual(["a rejected"]);
      const outcome = calls.a!.current;
      expect(outcome.state === "rejected" && outcome.reason).toBeInstanceOf(TimeoutError);
      lock.release();
      await tick();
      expect(log).toEqual(["a rejected", "b"]);
      expect(jest.getTimerCount()).toBe(0);
    });

    test("the head waiter's timeout and a release() due at the same instant: the next waiter gets it", async () => {
      // Actors: A holds; B (head, timeout 100 ms) and C wait. B's timer and
      // A's release are both due at t=100; B's was set first, so it fires
      // first. What would break: a timed-out B still holding it, or C left
      // waiting while it is free.
      await lock.acquire();
      const b = track(lock.acquire({ timeout: 100 }));
      const c = track(lock.acquire());
      setTimeout(() => lock.release(), 100);
      jest.advanceTimersByTime(100);
      await tick();
      expect(b.current.state).toBe("rejected");
      expect(c.current).toEqual(granted);
      expect([lock.locked(), queued(), jest.getTimerCount()]).toEqual([true, 0, 0]);
    });

    test("timeout after the grant changes nothing, and the timer is cleared at the grant", async () => {
      await lock.acquire();
      const acquired = track(lock.acquire({ timeout: 100 }));
      jest.advanceTimersByTime(50);
      lock.release();
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(1_000);
      await tick();
      expect(acquired.current).toEqual(granted);
      expect(lock.locked()).toBe(true);
    });

    test("timeout: 0 succeeds on a free one and rejects at once on a taken one, queueing nothing", async () => {
      expect(await lock.acquire({ timeout: 0 })).toBe(true);
      expect(lock.locked()).toBe(true);
      const refused = track(lock.acquire({ timeout: 0 }));
      expect([queued(), jest.getTimerCount()]).toEqual([0, 0]);
      await tick();
      const outcome = refused.current;
      expect(outcome.state === "rejected" && outcome.reason).toBeInstanceOf(TimeoutError);
      expect(lock.locked()).toBe(true);
    });

    test("timeout: Infinity is no timeout: no timer is set", async () => {
      await lock.acquire();
      const acquired = track(lock.acquire({ timeout: Infinity }));
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(2 ** 40);
      lock.release();
      await tick();
      expect(acquired.current).toEqual(granted);
    });

    test("a timeout longer than the timer limit waits, it does not fire at once", async () => {
      await lock.acquire();
      const acquired = track(lock.acquire({ timeout: 2 ** 40 }));
      jest.advanceTimersByTime(1_000);
      await tick();
      expect([acquired.current.state, queued()]).toEqual(["pending", 1]);
      lock.release();
      await tick();
      expect(acquired.current).toEqual(granted);
    });

    test("an already-aborted signal rejects acquire, hold and run even when free, and changes nothing", async () => {
      const reason = new Error("cancelled before");
      const signal = AbortSignal.abort(reason);
      await expect(lock.acquire({ signal })).rejects.toBe(reason);
      await expect(lock.hold({ signal })).rejects.toBe(reason);
      const fn = jest.fn();
      await expect(lock.run(fn, { signal })).rejects.toBe(reason);
      expect(fn).not.toHaveBeenCalled();
      expect(lock.locked()).toBe(false);
      await lock.acquire();
      await expect(lock.acquire({ signal })).rejects.toBe(reason);
      expect([queued(), listeners(signal)]).toEqual([0, 0]);
    });

    test.each<[string, unknown, ErrorConstructor]>([
      ["a negative timeout", { timeout: -1 }, RangeError],
      ["a NaN timeout", { timeout: NaN }, RangeError],
      ["a string timeout", { timeout: "10" }, TypeError],
      ["a signal that is not an AbortSignal", { signal: { aborted: false } }, TypeError],
      ["options that are not an object", 5, TypeError],
    ])("malformed options (%s) reject, never throw, free or taken, and change nothing", async (_, options, error) => {
      const bad = options as WaitOptions;
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = lock.acquire(bad))).not.toThrow();
      await expect(promise).rejects.toBeInstanceOf(error);
      await expect(lock.hold(bad)).rejects.toBeInstanceOf(error);
      expect(lock.locked()).toBe(false);
      await lock.acquire();
      const refused = lock.acquire(bad);
      expect(queued()).toBe(0);
      await expect(refused).rejects.toBeInstanceOf(error);
      expect([lock.locked(), jest.getTimerCount()]).toEqual([true, 0]);
    });

    test("null or undefined options are no options", async () => {
      expect(await lock.acquire(undefined)).toBe(true);
      lock.release();
      expect(await lock.acquire(null as unknown as WaitOptions)).toBe(true);
      expect(lock.locked()).toBe(true);
    });

    test("the fast path adds no listener; a queued call removes its listener and timer when granted", async () => {
      const { signal } = new AbortController();
      await lock.acquire({ signal });
      expect(listeners(signal)).toBe(0);
      const acquired = track(lock.acquire({ signal, timeout: 50 }));
      expect([listeners(signal), jest.getTimerCount()]).toEqual([1, 1]);
      lock.release();
      expect([listeners(signal), jest.getTimerCount()]).toEqual([0, 0]);
      await tick();
      expect(acquired.current).toEqual(granted);
    });

    test("a call that times out removes its abort listener; one that aborts clears its timer", async () => {
      await lock.acquire();
      const first = new AbortController();
      const timedOut = lock.acquire({ signal: first.signal, timeout: 10 });
      jest.advanceTimersByTime(10);
      expect([listeners(first.signal), jest.getTimerCount()]).toEqual([0, 0]);
      await expect(timedOut).rejects.toBeInstanceOf(TimeoutError);
      const second = new AbortController();
      const aborted = lock.acquire({ signal: second.signal, timeout: 1_000 });
      second.abort();
      expect([listeners(second.signal), jest.getTimerCount()]).toEqual([0, 0]);
      await expect(aborted).rejects.toBe(second.signal.reason);
      expect(queued()).toBe(0);
    });

    test("one signal shared by several waiters aborts them all and only them; a holder keeps it", async () => {
      const log: string[] = [];
      const controller = new AbortController();
      const { signal } = controller;
      const holder = track(lock.acquire({ signal }));
      queue(log, ["a", "b", "c", "d"], { a: { signal }, c: { signal }, d: { signal } });
      lock.release(); // to a, whose listener goes; c and d still share theirs
      expect(listeners(signal)).toBeGreaterThan(0);
      controller.abort();
      expect(queued()).toBe(1);
      lock.release();
      await tick();
      expect(holder.current).toEqual(granted);
      expect(log).toEqual(["a", "c rejected", "d rejected", "b"]);
      expect([lock.locked(), queued(), listeners(signal)]).toEqual([true, 0, 0]);
    });
  });

  describe("hold()", () => {
    test("`using` holds it for the block and releases it when the block exits", async () => {
      const log: string[] = [];
      {
        using guard = await lock.hold();
        expect(guard).toBeInstanceOf(Guard);
        log.push(`inside: ${lock.locked()}`);
      }
      log.push(`after: ${lock.locked()}`);
      expect(log).toEqual(["inside: true", "after: false"]);
    });

    test("`using` releases when the block throws", async () => {
      async function failing(): Promise<void> {
        using _ = await lock.hold();
        throw new Error("boom");
      }
      await expect(failing()).rejects.toThrow("boom");
      expect(lock.locked()).toBe(false);
    });

    test("leaving a `using` block hands it to the next waiter", async () => {
      const log: string[] = [];
      async function worker(name: string): Promise<void> {
        using _ = await lock.hold();
        log.push(`${name} in`);
        await tick(2);
        log.push(`${name} out`);
      }
      await Promise.all([worker("a"), worker("b")]);
      expect(log).toEqual(["a in", "a out", "b in", "b out"]);
      expect(lock.locked()).toBe(false);
    });

    test("a guard releases once only: a second release() cannot free someone else's hold", async () => {
      const guard = await lock.hold();
      const next = track(lock.hold());
      guard.release(); // hands it to the waiter
      await tick();
      expect(next.current.state).toBe("fulfilled");
      guard.release(); // does nothing
      guard[Symbol.dispose](); // nor does this
      expect([lock.locked(), queued()]).toEqual([true, 0]);
      const third = track(lock.acquire());
      await tick();
      expect(third.current.state).toBe("pending");
      if (next.current.state === "fulfilled") next.current.value.release();
      await tick();
      expect(third.current).toEqual(granted);
    });

    test("a hold that is aborted or times out while queued gives no guard and holds nothing", async () => {
      const guard = await lock.hold();
      const controller = new AbortController();
      const aborted = lock.hold({ signal: controller.signal });
      controller.abort();
      await expect(aborted).rejects.toBe(controller.signal.reason);
      const timed = lock.hold({ timeout: 5 });
      jest.advanceTimersByTime(5);
      await expect(timed).rejects.toBeInstanceOf(TimeoutError);
      expect(queued()).toBe(0);
      guard.release();
      expect(lock.locked()).toBe(false);
    });
  });

  describe("run()", () => {
    test("runs fn holding it, returns fn's result and releases", async () => {
      const result = await lock.run(async () => {
        await tick(1);
        return lock.locked() ? "ran locked" : "ran unlocked";
      });
      expect(result).toBe("ran locked");
      expect(lock.locked()).toBe(false);
      expect(await lock.run(() => 42)).toBe(42);
    });

    test("waits its turn, and releases when fn throws synchronously or rejects", async () => {
      const log: string[] = [];
      const guard = await lock.hold();
      const throwing = lock.run(() => {
        log.push("throwing runs");
        throw new Error("sync failure");
      });
      const rejecting = lock.run(() => {
        log.push("rejecting runs");
        return Promise.reject(new Error("async failure"));
      });
      expect(queued()).toBe(2);
      await tick();
      expect(log).toEqual([]);
      guard.release();
      await expect(throwing).rejects.toThrow("sync failure");
      await expect(rejecting).rejects.toThrow("async failure");
      expect(log).toEqual(["throwing runs", "rejecting runs"]);
      expect([lock.locked(), queued()]).toEqual([false, 0]);
    });

    test("serialises concurrent calls in FIFO order", async () => {
      const log: string[] = [];
      const body = (name: string) => async () => {
        log.push(`${name} start`);
        await tick(2);
        log.push(`${name} end`);
        return name;
      };
      const results = await Promise.all([lock.run(body("a")), lock.run(body("b")), lock.run(body("c"))]);
      expect(results).toEqual(["a", "b", "c"]);
      expect(log).toEqual(["a start", "a end", "b start", "b end", "c start", "c end"]);
      expect(lock.locked()).toBe(false);
    });

    test("the options bound the acquire: aborted while waiting, fn is never called", async () => {
      await lock.acquire();
      const controller = new AbortController();
      const fn = jest.fn(() => "ran");
      const ran = track(lock.run(fn, { signal: controller.signal }));
      controller.abort();
      await tick();
      expect(ran.current.state).toBe("rejected");
      expect(fn).not.toHaveBeenCalled();
      expect([lock.locked(), queued()]).toEqual([true, 0]); // still the first holder's
    });

    test("an abort once fn runs does not interrupt it", async () => {
      const controller = new AbortController();
      const result = await lock.run(
        async () => {
          controller.abort();
          await tick(1);
          return "finished";
        },
        { signal: controller.signal },
      );
      expect(result).toBe("finished");
      expect(lock.locked()).toBe(false);
    });

    test("a non-function rejects with TypeError and acquires nothing", async () => {
      await expect(lock.run("not a function" as never)).rejects.toBeInstanceOf(TypeError);
      expect(lock.locked()).toBe(false);
    });
  });
});

describe.each(subjects.filter(([, make]) => make().overRelease !== undefined))(
  "%s released when free",
  (_name, make) => {
    test("throws its error and changes nothing; it still works after", async () => {
      const { lock, queued, overRelease } = make();
      const [type, message] = overRelease!;
      expect(() => lock.release()).toThrow(type);
      expect(() => lock.release()).toThrow(message);
      expect([lock.locked(), queued()]).toEqual([false, 0]);
      const acquired = track(lock.acquire());
      await tick();
      expect(acquired.current).toEqual(granted);
      lock.release();
      expect(() => lock.release()).toThrow(type);
      expect(lock.locked()).toBe(false);
    });
  },
);
