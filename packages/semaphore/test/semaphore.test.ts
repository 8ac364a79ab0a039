import { getEventListeners } from "node:events";
import { inspect } from "node:util";
import { TimeoutError } from "@sync/core";
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";
import fc from "fast-check";
import { tick, track } from "../../../test/helpers";

const classes = [
  ["Semaphore", Semaphore],
  ["BoundedSemaphore", BoundedSemaphore],
] as const;

const pending = { state: "pending" } as const;
const granted = { state: "fulfilled", value: true } as const;

/** The class invariants, seen through the public observers. */
function checkInvariants(sem: Semaphore): void {
  expect(Number.isInteger(sem.value) && sem.value >= 0).toBe(true);
  if (sem.waiters > 0) expect(sem.value).toBe(0);
  expect(sem.locked()).toBe(sem.value === 0);
}

function listeners(signal: AbortSignal): number {
  return getEventListeners(signal, "abort").length;
}

afterEach(() => {
  jest.useRealTimers();
});

describe.each(classes)("%s: cancellation", (_name, Class) => {
  test("an abort while queued leaves the queue at once and rejects with signal.reason", async () => {
    const sem = new Class(1);
    await sem.acquire();
    const controller = new AbortController();
    const waiting = track(sem.acquire({ signal: controller.signal }));
    expect(sem.waiters).toBe(1);
    expect(listeners(controller.signal)).toBe(1);

    controller.abort();
    // Synchronously gone: no tick needed for the queue to shrink.
    expect(sem.waiters).toBe(0);
    expect(listeners(controller.signal)).toBe(0);
    await tick();
    expect(waiting.current).toEqual({ state: "rejected", reason: controller.signal.reason });
    checkInvariants(sem);

    // The state is as if the call was never made: the permit goes back to the counter.
    sem.release();
    expect(sem.value).toBe(1);
    checkInvariants(sem);
  });

  test("the promise rejects with whatever reason the signal aborts with", async () => {
    const sem = new Class(0);
    const controller = new AbortController();
    const waiting = sem.acquire({ signal: controller.signal });
    const reason = new Error("shutting down");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(sem.waiters).toBe(0);
  });

  test("a timeout while queued rejects with TimeoutError after exactly that long and clears its timer", async () => {
    jest.useFakeTimers();
    const sem = new Class(0);
    const waiting = track(sem.acquire({ timeout: 100 }));
    expect(jest.getTimerCount()).toBe(1);

    jest.advanceTimersByTime(99);
    await tick();
    expect(waiting.current).toEqual(pending);
    expect(sem.waiters).toBe(1);

    jest.advanceTimersByTime(1);
    expect(sem.waiters).toBe(0);
    await tick();
    expect(waiting.current.state).toBe("rejected");
    expect((waiting.current as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
    expect(jest.getTimerCount()).toBe(0);
    checkInvariants(sem);
  });

  test("a timer and a signal on one call: whichever comes first wins, and both are cleaned up", async () => {
    jest.useFakeTimers();
    const sem = new Class(0);
    const controller = new AbortController();
    const waiting = sem.acquire({ signal: controller.signal, timeout: 1_000 });
    expect([listeners(controller.signal), jest.getTimerCount()]).toEqual([1, 1]);
    controller.abort();
    expect([listeners(controller.signal), jest.getTimerCount()]).toEqual([0, 0]);
    await expect(waiting).rejects.toBe(controller.signal.reason);

    const controller2 = new AbortController();
    const timedOut = sem.acquire({ signal: controller2.signal, timeout: 10 });
    jest.advanceTimersByTime(10);
    expect([listeners(controller2.signal), jest.getTimerCount()]).toEqual([0, 0]);
    await expect(timedOut).rejects.toBeInstanceOf(TimeoutError);
    expect(sem.waiters).toBe(0);
  });

  test("an aborted middle waiter leaves; the others keep their FIFO order", async () => {
    const sem = new Class(1);
    await sem.acquire();
    const log: string[] = [];
    const controllerB = new AbortController();
    const enter = (name: string, signal?: AbortSignal): Promise<void> =>
      sem.acquire({ signal }).then(
        () => void log.push(`${name} acquired`),
        () => void log.push(`${name} aborted`),
      );
    const all = Promise.all([enter("A"), enter("B", controllerB.signal), enter("C")]);
    expect(sem.waiters).toBe(3);

    controllerB.abort();
    expect(sem.waiters).toBe(2);
    await tick();
    sem.release();
    await tick();
    sem.release();
    await all;
    expect(log).toEqual(["B aborted", "A acquired", "C acquired"]);
    expect(sem.value).toBe(0);
    checkInvariants(sem);
  });

  test("race: the head waiter aborts just before a release, so the permit passes to the next waiter", async () => {
    // Actors: holder H, waiters A (head) and B. Interleaving: in one synchronous
    // turn A's signal aborts and then H releases. What would break: a release
    // that still granted A (a permit lost on a caller that rejects), or one
    // that raised `value` while B waits (the next newcomer would barge ahead of B).
    const sem = new Class(1);
    await sem.acquire();
    const controllerA = new AbortController();
    const a = track(sem.acquire({ signal: controllerA.signal }));
    const b = track(sem.acquire());

    controllerA.abort();
    sem.release();
    expect(sem.value).toBe(0);
    expect(sem.waiters).toBe(0);
    await tick();
    expect(a.current).toEqual({ state: "rejected", reason: controllerA.signal.reason });
    expect(b.current).toEqual(granted);
    checkInvariants(sem);
  });

  test("race: the head waiter's timeout and a release fire at the same instant", async () => {
    // Actors: holder H, waiter A (head, timeout 100 ms), waiter B. Interleaving:
    // A's timer and H's release are due at t=100; A's timer was set first, so it
    // fires first. What would break: a timed-out A still holding a permit, or B
    // left waiting while the permit sits in the counter.
    jest.useFakeTimers();
    const sem = new Class(1);
    await sem.acquire();
    const a = track(sem.acquire({ timeout: 100 }));
    const b = track(sem.acquire());
    setTimeout(() => sem.release(), 100);

    jest.advanceTimersByTime(100);
    await tick();
    expect(a.current.state).toBe("rejected");
    expect(b.current).toEqual(granted);
    expect([sem.value, sem.waiters, jest.getTimerCount()]).toEqual([0, 0, 0]);
  });

  test("an abort after the grant changes nothing: the caller keeps the permit", async () => {
    const sem = new Class(1);
    await sem.acquire();
    const controller = new AbortController();
    const a = track(sem.acquire({ signal: controller.signal }));

    sem.release(); // hands the permit to A
    // The listener is removed at the grant, before A even resumes.
    expect(listeners(controller.signal)).toBe(0);
    controller.abort();
    await tick();
    expect(a.current).toEqual(granted);
    expect(sem.value).toBe(0);
    expect(sem.locked()).toBe(true);

    sem.release(); // A's release
    expect(sem.value).toBe(1);
    checkInvariants(sem);
  });

  test("a timeout after the grant changes nothing, and its timer is already gone", async () => {
    jest.useFakeTimers();
    const sem = new Class(1);
    await sem.acquire();
    const a = track(sem.acquire({ timeout: 100 }));
    jest.advanceTimersByTime(50);
    sem.release();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(100);
    await tick();
    expect(a.current).toEqual(granted);
    expect(sem.value).toBe(0);
  });

  test("an already aborted signal rejects even when a permit is free, and nothing changes", async () => {
    const sem = new Class(2);
    const controller = new AbortController();
    controller.abort();
    await expect(sem.acquire({ signal: controller.signal })).rejects.toBe(controller.signal.reason);
    await expect(sem.hold({ signal: controller.signal })).rejects.toBe(controller.signal.reason);
    const fn = jest.fn();
    await expect(sem.run(fn, { signal: controller.signal })).rejects.toBe(controller.signal.reason);
    expect(fn).not.toHaveBeenCalled();
    expect([sem.value, sem.waiters, listeners(controller.signal)]).toEqual([2, 0, 0]);
  });

  test("timeout: 0 succeeds when a permit is free, else rejects with TimeoutError without queueing", async () => {
    jest.useFakeTimers();
    const sem = new Class(1);
    await expect(sem.acquire({ timeout: 0 })).resolves.toBe(true);
    expect(sem.value).toBe(0);
    await expect(sem.acquire({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    expect([sem.value, sem.waiters, jest.getTimerCount()]).toEqual([0, 0, 0]);
  });

  test("timeout: Infinity is no timeout: no timer is set", async () => {
    jest.useFakeTimers();
    const sem = new Class(1);
    await sem.acquire();
    const a = track(sem.acquire({ timeout: Infinity }));
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(2 ** 31);
    sem.release();
    await tick();
    expect(a.current).toEqual(granted);
  });

  test.each([
    [{ timeout: -1 }, RangeError],
    [{ timeout: NaN }, RangeError],
    [{ timeout: "10" }, TypeError],
    [{ signal: {} }, TypeError],
    [5, TypeError],
  ])("malformed options %p reject (never throw) with %p and take nothing", async (options, error) => {
    const free = new Class(1);
    let promise: Promise<unknown> | undefined;
    expect(() => (promise = free.acquire(options as never))).not.toThrow();
    await expect(promise).rejects.toBeInstanceOf(error);
    await expect(free.hold(options as never)).rejects.toBeInstanceOf(error);
    expect([free.value, free.waiters]).toEqual([1, 0]);

    const busy = new Class(0);
    await expect(busy.acquire(options as never)).rejects.toBeInstanceOf(error);
    expect([busy.value, busy.waiters]).toEqual([0, 0]);
  });

  test("one signal shared by many waiters cancels them all; holders keep their permits", async () => {
    const sem = new Class(2);
    const controller = new AbortController();
    const { signal } = controller;
    const calls = [1, 2, 3, 4, 5].map(() => track(sem.acquire({ signal })));
    await tick();
    expect(calls.map((c) => c.current.state)).toEqual(["fulfilled", "fulfilled", "pending", "pending", "pending"]);
    // However many listeners the waiters share, they are all gone once the waiters are.
    expect(listeners(signal)).toBeGreaterThan(0);

    controller.abort();
    await tick();
    expect(calls.map((c) => c.current.state)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected", "rejected"]);
    expect([sem.value, sem.waiters, listeners(signal)]).toEqual([0, 0, 0]);
  });

  test("a shared signal still cancels the waiters left after one of them was granted", async () => {
    const sem = new Class(1);
    await sem.acquire();
    const controller = new AbortController();
    const { signal } = controller;
    const calls = [1, 2, 3].map(() => track(sem.acquire({ signal })));

    sem.release(); // to the first
    expect(listeners(signal)).toBeGreaterThan(0);
    controller.abort();
    await tick();
    expect(calls.map((c) => c.current.state)).toEqual(["fulfilled", "rejected", "rejected"]);
    expect([sem.value, sem.waiters, listeners(signal)]).toEqual([0, 0, 0]);
  });

  test("hold() that is aborted while queued gives no guard and holds nothing", async () => {
    const sem = new Class(1);
    const guard = await sem.hold();
    const controller = new AbortController();
    const held = sem.hold({ signal: controller.signal });
    controller.abort();
    await expect(held).rejects.toBe(controller.signal.reason);
    guard.release();
    expect(sem.value).toBe(1);
  });

  test("run(): the options bound the acquire only; an abort while fn runs does not interrupt it", async () => {
    const sem = new Class(1);
    const controller = new AbortController();
    const log: string[] = [];
    const result = await sem.run(async () => {
      controller.abort();
      await tick();
      log.push("fn finished");
      return 42;
    }, controller);
    expect(result).toBe(42);
    expect(log).toEqual(["fn finished"]);
    expect(sem.value).toBe(1);
  });
});

describe.each(classes)("%s: strict FIFO and no barging", (_name, Class) => {
  test("waiters are granted strictly in arrival order, one release each", async () => {
    const sem = new Class(1);
    await sem.acquire();
    const log: number[] = [];
    const all = Promise.all([0, 1, 2, 3, 4].map((i) => sem.acquire().then(() => void log.push(i))));
    for (let i = 0; i < 5; i++) {
      sem.release();
      await tick();
      expect(log).toEqual([0, 1, 2, 3, 4].slice(0, i + 1));
      checkInvariants(sem);
    }
    await all;
    expect(sem.waiters).toBe(0);
  });

  test("a newcomer's acquire() waits behind a queued waiter, even right after a release", async () => {
    const sem = new Class(1);
    await sem.acquire(); // H
    const log: string[] = [];
    const a = sem.acquire().then(() => void log.push("A"));
    const b = sem.acquire().then(() => void log.push("B"));

    sem.release(); // H hands its permit to A
    // Hand-off: still locked, and the newcomer N must queue behind B.
    expect([sem.value, sem.waiters, sem.locked()]).toEqual([0, 1, true]);
    const n = sem.acquire().then(() => void log.push("N"));
    expect(sem.waiters).toBe(2);
    await tick();
    expect(log).toEqual(["A"]);

    sem.release(); // A -> B
    sem.release(); // B -> N
    await Promise.all([a, b, n]);
    expect(log).toEqual(["A", "B", "N"]);
    expect([sem.value, sem.waiters]).toEqual([0, 0]);
  });

  test("tryAcquire() and acquire({ timeout: 0 }) never overtake a queued waiter", async () => {
    jest.useFakeTimers();
    const sem = new Class(1);
    await sem.acquire();
    const a = track(sem.acquire());
    const b = track(sem.acquire());
    expect(sem.tryAcquire()).toBe(false);

    sem.release(); // to A, in the same turn as the newcomers below
    expect(sem.tryAcquire()).toBe(false);
    await expect(sem.acquire({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    await tick();
    expect([a.current, b.current]).toEqual([granted, pending]);
    expect(sem.waiters).toBe(1);
    checkInvariants(sem);

    sem.release(); // to B
    await tick();
    expect(b.current).toEqual(granted);
    sem.release();
    expect(sem.tryAcquire()).toBe(true);
    expect(sem.value).toBe(0);
  });

  test("many concurrent holders released in any order: each release serves the oldest waiter", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 6 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
              fc.integer({ min: 0, max: 6 }),
            ),
          ),
        async ([n, order, extra]) => {
          const sem = new Class(n);
          const holders = await Promise.all(Array.from({ length: n }, () => sem.hold()));
          expect(sem.locked()).toBe(true);
          const log: number[] = [];
          const queued = Array.from({ length: extra }, (_, i) => sem.hold().then((g) => (log.push(i), g)));
          expect(sem.waiters).toBe(extra);

          for (const i of order) {
            holders[i]!.release();
            checkInvariants(sem);
          }
          await tick();
          // The first min(n, extra) waiters got the permits, in arrival order.
          expect(log).toEqual([...Array(Math.min(n, extra)).keys()]);
          expect(sem.waiters).toBe(Math.max(0, extra - n));
          expect(sem.value).toBe(Math.max(0, n - extra));

          // Each waiter, once served, releases in turn; the counter comes back to n.
          for (const next of queued) (await next).release();
          expect(log).toEqual([...Array(extra).keys()]);
          expect([sem.value, sem.waiters]).toEqual([n, 0]);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("a random mix of acquire, tryAcquire, release and abort matches a FIFO model", async () => {
    type Op = { kind: "acquire" } | { kind: "try" } | { kind: "release" } | { kind: "abort"; pick: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant({ kind: "acquire" as const }),
      fc.constant({ kind: "try" as const }),
      fc.constant({ kind: "release" as const }),
      fc.nat(20).map((pick) => ({ kind: "abort" as const, pick })),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.array(op, { maxLength: 40 }), async (initial, ops) => {
        const bounded = Class === BoundedSemaphore;
        const sem = new Class(initial);
        // The model: a counter and a FIFO of waiter ids; grants in hand-off order.
        let value = initial;
        const queue: number[] = [];
        const expected: string[] = [];
        const log: string[] = [];
        const calls: { controller: AbortController; id: number }[] = [];
        for (const step of ops) {
          if (step.kind === "acquire") {
            const id = calls.length;
            const controller = new AbortController();
            calls.push({ controller, id });
            sem.acquire({ signal: controller.signal }).then(
              () => void log.push(`granted ${id}`),
              () => void log.push(`aborted ${id}`),
            );
            if (queue.length === 0 && value > 0) {
              value--;
              expected.push(`granted ${id}`);
            } else queue.push(id);
          } else if (step.kind === "try") {
            const ok = queue.length === 0 && value > 0;
            expect(sem.tryAcquire()).toBe(ok);
            if (ok) value--;
          } else if (step.kind === "release") {
            const allowed = !bounded || value < initial;
            if (allowed) {
              sem.release();
              const next = queue.shift();
              if (next === undefined) value++;
              else expected.push(`granted ${next}`);
            } else {
              expect(() => sem.release()).toThrow(RangeError);
            }
          } else if (calls.length > 0) {
            const { controller, id } = calls[step.pick % calls.length]!;
            if (!controller.signal.aborted) {
              controller.abort();
              const at = queue.indexOf(id);
              if (at >= 0) {
                queue.splice(at, 1);
                expected.push(`aborted ${id}`);
              }
            }
          }
          await tick();
          expect(log).toEqual(expected);
          expect([sem.value, sem.waiters]).toEqual([value, queue.length]);
          checkInvariants(sem);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe.each(classes)("%s: observers and guards", (name, Class) => {
  test.each([undefined, 0, 1, 3, 1_000_000])("new %s(%p) is valid", (value) => {
    const sem = new Class(value);
    expect(sem.value).toBe(value ?? 1);
    expect(sem.waiters).toBe(0);
    expect(sem.locked()).toBe(value === 0);
  });

  test.each([-1, 1.5, NaN, Infinity, -Infinity, Number.MIN_VALUE])("a value of %p is a RangeError", (value) => {
    expect(() => new Class(value)).toThrow(RangeError);
  });

  test.each(["1", null, {}, true, 1n, [1]])("a value of %p is a TypeError", (value) => {
    expect(() => new Class(value as never)).toThrow(TypeError);
  });

  test("locked(), value and waiters follow acquire, release and abort", async () => {
    const sem = new Class(2);
    const seen = (): [number, number, boolean] => [sem.value, sem.waiters, sem.locked()];
    expect(seen()).toEqual([2, 0, false]);
    expect(await sem.acquire()).toBe(true);
    expect(seen()).toEqual([1, 0, false]);
    expect(sem.tryAcquire()).toBe(true);
    expect(seen()).toEqual([0, 0, true]);
    const controller = new AbortController();
    const a = track(sem.acquire({ signal: controller.signal }));
    const b = track(sem.acquire());
    expect(seen()).toEqual([0, 2, true]);
    controller.abort();
    expect(seen()).toEqual([0, 1, true]);
    sem.release();
    expect(seen()).toEqual([0, 0, true]);
    sem.release();
    expect(seen()).toEqual([1, 0, false]);
    sem.release();
    expect(seen()).toEqual([2, 0, false]);
    await tick();
    expect([a.current.state, b.current]).toEqual(["rejected", granted]);
  });

  test("String() and util.inspect show the exact formats of API.md", async () => {
    const sem = new Class(3);
    expect(String(sem)).toBe(`<${name} [unlocked, value:3]>`);
    await sem.acquire();
    await sem.acquire();
    expect(`${sem}`).toBe(`<${name} [unlocked, value:1]>`);
    await sem.acquire();
    expect(String(sem)).toBe(`<${name} [locked]>`);
    const waiting = [sem.acquire(), sem.acquire()];
    expect(String(sem)).toBe(`<${name} [locked, waiters:2]>`);
    expect(inspect(sem)).toBe(`<${name} [locked, waiters:2]>`);
    expect(inspect({ sem })).toBe(`{ sem: <${name} [locked, waiters:2]> }`);
    sem.release();
    expect(String(sem)).toBe(`<${name} [locked, waiters:1]>`);
    sem.release();
    sem.release();
    await Promise.all(waiting);
    expect(inspect(sem)).toBe(`<${name} [unlocked, value:1]>`);
  });

  test("hold() with `using` releases at the end of the block, even when it throws", async () => {
    const sem = new Class(1);
    {
      using _ = await sem.hold();
      expect(sem.value).toBe(0);
    }
    expect(sem.value).toBe(1);

    const failing = async (): Promise<void> => {
      using _ = await sem.hold();
      expect(sem.locked()).toBe(true);
      throw new Error("boom");
    };
    await expect(failing()).rejects.toThrow("boom");
    expect(sem.value).toBe(1);
  });

  test("a guard releases once: a second release cannot release someone else's permit", async () => {
    const sem = new Class(1);
    const first = await sem.hold();
    const next = track(sem.hold());
    first.release(); // hands the permit to `next`
    first.release(); // does nothing
    first[Symbol.dispose](); // does nothing either
    await tick();
    expect(next.current.state).toBe("fulfilled");
    expect([sem.value, sem.waiters, sem.locked()]).toEqual([0, 0, true]);
    (next.current as { value: { release(): void } }).value.release();
    expect(sem.value).toBe(1);
  });

  test("run() waits its turn, returns fn's result and releases in all cases", async () => {
    const sem = new Class(1);
    const log: string[] = [];
    const guard = await sem.hold();
    const ok = sem.run(async () => {
      log.push("ok runs");
      await tick();
      return "result";
    });
    const failing = sem.run(() => {
      log.push("failing runs");
      throw new Error("boom");
    });
    expect(sem.waiters).toBe(2);
    await tick();
    expect(log).toEqual([]);

    guard.release();
    await expect(ok).resolves.toBe("result");
    await expect(failing).rejects.toThrow("boom");
    expect(log).toEqual(["ok runs", "failing runs"]);
    expect([sem.value, sem.waiters]).toEqual([1, 0]);
  });

  test("run() with something that is not a function rejects with TypeError and takes nothing", async () => {
    const sem = new Class(1);
    await expect(sem.run("nope" as never)).rejects.toBeInstanceOf(TypeError);
    expect(sem.value).toBe(1);
  });

  test("acquire() resolves with true, on the fast path and after waiting", async () => {
    const sem = new Class(1);
    await expect(sem.acquire()).resolves.toBe(true);
    const later = sem.acquire();
    sem.release();
    await expect(later).resolves.toBe(true);
  });
});

describe("Semaphore only", () => {
  test("release() may raise the counter above its initial value (asyncio allows more releases than acquires)", () => {
    const sem = new Semaphore(1);
    sem.release();
    sem.release();
    expect(sem.value).toBe(3);
    expect(String(sem)).toBe("<Semaphore [unlocked, value:3]>");
  });
});

describe("BoundedSemaphore only", () => {
  test("is a Semaphore", () => {
    const sem = new BoundedSemaphore(2);
    expect(sem).toBeInstanceOf(Semaphore);
    expect(sem).toBeInstanceOf(BoundedSemaphore);
    expect(new Semaphore()).not.toBeInstanceOf(BoundedSemaphore);
  });

  test("a release above the initial value throws RangeError and leaves everything unchanged", async () => {
    const sem = new BoundedSemaphore(2);
    expect(() => sem.release()).toThrow(RangeError);
    expect([sem.value, sem.waiters, String(sem)]).toEqual([2, 0, "<BoundedSemaphore [unlocked, value:2]>"]);

    await sem.acquire();
    sem.release();
    expect(() => sem.release()).toThrow("BoundedSemaphore released too many times");
    expect(sem.value).toBe(2);
  });

  test("releases that hand a permit to a waiter never hit the bound", async () => {
    const sem = new BoundedSemaphore(1);
    await sem.acquire();
    const waiters = [track(sem.acquire()), track(sem.acquire())];
    sem.release();
    sem.release();
    await tick();
    expect(waiters.map((w) => w.current)).toEqual([granted, granted]);
    expect([sem.value, sem.waiters]).toEqual([0, 0]);
    sem.release();
    expect(() => sem.release()).toThrow(RangeError);
    expect(sem.value).toBe(1);
  });

  test("new BoundedSemaphore(0) is allowed: locked for good, and every release is a RangeError", async () => {
    jest.useFakeTimers();
    const sem = new BoundedSemaphore(0);
    expect([sem.value, sem.locked(), String(sem)]).toEqual([0, true, "<BoundedSemaphore [locked]>"]);
    expect(() => sem.release()).toThrow(RangeError);
    expect(sem.tryAcquire()).toBe(false);
    await expect(sem.acquire({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    const waiting = sem.acquire({ timeout: 5 });
    expect(String(sem)).toBe("<BoundedSemaphore [locked, waiters:1]>");
    // A queued waiter changes nothing: the counter is at its bound of 0.
    expect(() => sem.release()).toThrow(RangeError);
    expect(sem.waiters).toBe(1);
    jest.advanceTimersByTime(5);
    await expect(waiting).rejects.toBeInstanceOf(TimeoutError);
    expect([sem.value, sem.waiters]).toEqual([0, 0]);
  });
});
