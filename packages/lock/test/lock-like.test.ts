// The guarantees every lock-like class keeps (mutual exclusion, FIFO order,
// an abort or a timeout leaves the queue, hold() and run()), run once per
// class (an RWLock's writer view is one). A `Semaphore(1)` can join by
// adding a row to `subjects`.
import { getEventListeners } from "node:events";
import { Condition } from "@sync/condition";
import { Guard, InvalidStateError, TimeoutError, type WaitOptions } from "@sync/core";
import { Lock } from "@sync/lock";
import { RWLock } from "@sync/rwlock";
import { tick, track } from "../../../test/helpers";

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
}

const subjects: [string, () => Subject][] = [
  [
    "Lock",
    () => {
      const lock = new Lock();
      return { lock, queued: () => lock.waiters };
    },
  ],
  [
    "Condition",
    () => {
      const inner = new Lock();
      return { lock: new Condition(inner), queued: () => inner.waiters };
    },
  ],
  [
    "RWLock.writer",
    () => {
      const rw = new RWLock();
      return { lock: rw.writer, queued: () => rw.waiters };
    },
  ],
];

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe.each(subjects)("%s as a lock", (_name, make) => {
  let lock: LockLike;
  let queued: () => number;
  beforeEach(() => {
    ({ lock, queued } = make());
  });

  /** After a scenario: `queued() > 0` implies `locked()`. */
  function expectConsistent(): void {
    if (queued() > 0) expect(lock.locked()).toBe(true);
  }

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
    expect(lock.locked()).toBe(false);
    expect(queued()).toBe(0);
  });

  test("FIFO: waiters are granted in the order they called acquire()", async () => {
    const log: string[] = [];
    await lock.acquire();
    const names = ["w0", "w1", "w2", "w3"];
    for (const name of names) void lock.acquire().then(() => log.push(name));
    expect(queued()).toBe(4);
    for (const _ of names) {
      lock.release();
      await tick();
      expectConsistent();
    }
    expect(log).toEqual(names);
    expect(queued()).toBe(0);
  });

  test("an abort leaves the queue at once and the next waiter is served", async () => {
    const log: string[] = [];
    await lock.acquire();
    const controller = new AbortController();
    const reason = new Error("gave up");
    void lock.acquire().then(() => log.push("a"));
    void lock.acquire({ signal: controller.signal }).then(
      () => log.push("b"),
      (error: unknown) => log.push(error === reason ? "b aborted" : "b: wrong reason"),
    );
    void lock.acquire().then(() => log.push("c"));
    controller.abort(reason);
    expect(queued()).toBe(2);
    lock.release();
    await tick();
    lock.release();
    await tick();
    expect(log).toEqual(["b aborted", "a", "c"]);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expect(lock.locked()).toBe(true);
    expect(queued()).toBe(0);
  });

  test("a timeout leaves the queue with TimeoutError and the next waiter is served", async () => {
    const log: string[] = [];
    await lock.acquire();
    void lock.acquire({ timeout: 20 }).then(
      () => log.push("a"),
      (error: unknown) => log.push(error instanceof TimeoutError ? "a timed out" : "a: wrong error"),
    );
    void lock.acquire().then(() => log.push("b"));
    jest.advanceTimersByTime(20);
    expect(queued()).toBe(1);
    lock.release();
    await tick();
    expect(log).toEqual(["a timed out", "b"]);
    expect(jest.getTimerCount()).toBe(0);
  });

  test("an abort after the grant changes nothing: the caller holds the lock", async () => {
    await lock.acquire();
    const controller = new AbortController();
    const acquired = track(lock.acquire({ signal: controller.signal }));
    lock.release();
    controller.abort();
    await tick();
    expect(acquired.current).toEqual({ state: "fulfilled", value: true });
    expect(lock.locked()).toBe(true);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  test("tryAcquire() never overtakes a queued waiter", async () => {
    await lock.acquire();
    const next = track(lock.acquire());
    lock.release();
    expect(lock.tryAcquire()).toBe(false);
    await tick();
    expect(next.current.state).toBe("fulfilled");
    lock.release();
    expect(lock.tryAcquire()).toBe(true);
    expect(lock.locked()).toBe(true);
  });

  test("release() when unlocked throws InvalidStateError", () => {
    expect(() => lock.release()).toThrow(InvalidStateError);
    expect(lock.locked()).toBe(false);
  });

  describe("hold()", () => {
    test("`using` holds the lock for the block and releases it when the block exits", async () => {
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

    test("leaving a `using` block hands the lock to the next waiter", async () => {
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
      guard.release(); // hands the lock to the waiter
      await tick();
      expect(next.current.state).toBe("fulfilled");
      guard.release(); // does nothing
      guard[Symbol.dispose](); // nor does this
      expect(lock.locked()).toBe(true);
      const third = track(lock.acquire());
      await tick();
      expect(third.current.state).toBe("pending");
      if (next.current.state === "fulfilled") next.current.value.release();
      await tick();
      expect(third.current.state).toBe("fulfilled");
    });

    test("a hold that is aborted or times out gives no guard and holds nothing", async () => {
      const signal = AbortSignal.abort(new Error("late"));
      await expect(lock.hold({ signal })).rejects.toThrow("late");
      expect(lock.locked()).toBe(false);
      await lock.acquire();
      const held = track(lock.hold({ timeout: 5 }));
      jest.advanceTimersByTime(5);
      await tick();
      const outcome = held.current;
      expect(outcome.state === "rejected" && outcome.reason).toBeInstanceOf(TimeoutError);
      expect(queued()).toBe(0);
      lock.release();
      expect(lock.locked()).toBe(false);
    });
  });

  describe("run()", () => {
    test("runs fn holding the lock, returns its result and releases", async () => {
      const result = await lock.run(async () => {
        await tick(1);
        return lock.locked() ? "ran locked" : "ran unlocked";
      });
      expect(result).toBe("ran locked");
      expect(lock.locked()).toBe(false);
      expect(await lock.run(() => 42)).toBe(42);
    });

    test("releases when fn throws synchronously", async () => {
      await expect(
        lock.run(() => {
          throw new Error("sync failure");
        }),
      ).rejects.toThrow("sync failure");
      expect(lock.locked()).toBe(false);
    });

    test("releases when fn rejects", async () => {
      await expect(lock.run(() => Promise.reject(new Error("async failure")))).rejects.toThrow("async failure");
      expect(lock.locked()).toBe(false);
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
      expect(lock.locked()).toBe(true); // still the first holder's
      expect(queued()).toBe(0);
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
