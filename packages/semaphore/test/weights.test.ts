// Weighted acquire (API.md, "Weighted acquire"): the BoundedSemaphore rules,
// tryAcquire(n), guards and run() with permits, validation of n, the async
// context of a granted caller, and the cancellation races of a weighted
// queue. The basic cases are in weighted.test.ts; the ports of Go and tokio
// in go.test.ts and tokio.test.ts.
import { AsyncLocalStorage } from "node:async_hooks";
import { TimeoutError } from "@sync/core";
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";
import { tick, track } from "../../core/test/helpers";

const classes = [
  ["Semaphore", Semaphore],
  ["BoundedSemaphore", BoundedSemaphore],
] as const;

const pending = { state: "pending" } as const;
const granted = { state: "fulfilled", value: true } as const;

/** value, waiters and locked() in one comparable array. */
function state(sem: Semaphore): [number, number, boolean] {
  return [sem.value, sem.waiters, sem.locked()];
}

afterEach(() => {
  jest.useRealTimers();
});

describe("BoundedSemaphore: release(n) checks the bound before any hand-off", () => {
  test("a release that would go above the start throws RangeError and hands nothing over", async () => {
    const sem = new BoundedSemaphore(3);
    expect(sem.tryAcquire(3)).toBe(true);
    const a = track(sem.acquire({ permits: 2 }));
    const b = track(sem.acquire({ permits: 1 }));
    // 0 + 4 > 3: refused, although handing 3 of them over would end at 1.
    expect(() => sem.release(4)).toThrow(RangeError);
    expect(state(sem)).toEqual([0, 2, true]);
    await tick();
    expect([a.current, b.current]).toEqual([pending, pending]);

    sem.release(3);
    expect(state(sem)).toEqual([0, 0, true]);
    await tick();
    expect([a.current, b.current]).toEqual([granted, granted]);
  });

  test("a release up to the start is fine; one permit more is refused with the message of release()", () => {
    const sem = new BoundedSemaphore(4);
    expect(sem.tryAcquire(3)).toBe(true);
    expect(() => sem.release(4)).toThrow("BoundedSemaphore released too many times");
    expect(sem.value).toBe(1);
    sem.release(3);
    expect(sem.value).toBe(4);
    expect(() => sem.release(1)).toThrow(RangeError);
    expect(sem.value).toBe(4);
  });
});

describe("BoundedSemaphore: a request above the start", () => {
  test.each([
    ["acquire", (sem: Semaphore, o: object) => sem.acquire(o)],
    ["hold", (sem: Semaphore, o: object) => sem.hold(o)],
    ["run", (sem: Semaphore, o: object) => sem.run(() => "ran", o)],
  ] as const)(
    "%s() of 2 or more permits that can never be granted rejects at once with RangeError",
    async (_, call) => {
      const sem = new BoundedSemaphore(2);
      const controller = new AbortController();
      const outcome = track(call(sem, { permits: 3, signal: controller.signal }) as Promise<unknown>);
      await tick();
      expect(outcome.current).toEqual({ state: "rejected", reason: expect.any(RangeError) });
      expect(state(sem)).toEqual([2, 0, false]);
    },
  );

  test("bad options and an aborted signal are checked first", async () => {
    const sem = new BoundedSemaphore(2);
    const controller = new AbortController();
    controller.abort();
    await expect(sem.acquire({ permits: 3, signal: controller.signal })).rejects.toBe(controller.signal.reason);
    await expect(sem.acquire({ permits: 3, timeout: -1 })).rejects.toThrow("timeout must be >= 0");
    await expect(sem.acquire({ permits: 3, signal: {} as AbortSignal })).rejects.toThrow(TypeError);
    expect(state(sem)).toEqual([2, 0, false]);
  });

  test("BoundedSemaphore(0): two permits reject, one permit waits as asyncio's does", async () => {
    const sem = new BoundedSemaphore(0);
    await expect(sem.acquire({ permits: 2 })).rejects.toThrow(RangeError);
    const one = track(sem.acquire({ permits: 1 }));
    const plain = track(sem.acquire());
    await tick();
    expect([one.current, plain.current]).toEqual([pending, pending]);
    expect(state(sem)).toEqual([0, 2, true]);
  });

  test("a request of exactly the start waits for it", async () => {
    const sem = new BoundedSemaphore(3);
    expect(sem.tryAcquire(1)).toBe(true);
    const all = track(sem.acquire({ permits: 3 }));
    await tick();
    expect(all.current).toEqual(pending);
    sem.release(1);
    await tick();
    expect(all.current).toEqual(granted);
    expect(state(sem)).toEqual([0, 0, true]);
  });

  test("a plain Semaphore may grow, so there a large request waits", async () => {
    const sem = new Semaphore(2);
    const big = track(sem.acquire({ permits: 5 }));
    await tick();
    expect(big.current).toEqual(pending);
    expect(state(sem)).toEqual([2, 1, true]);
    sem.release(3);
    expect(state(sem)).toEqual([0, 0, true]);
    await tick();
    expect(big.current).toEqual(granted);
  });
});

describe.each(classes)("%s: weights", (_name, Class) => {
  test("while a large request waits at the head, value shows the free permits and nobody behind takes them", async () => {
    const sem = new Class(4);
    expect(sem.tryAcquire(2)).toBe(true);
    const head = track(sem.acquire({ permits: 3 }));
    const small = track(sem.acquire({ permits: 1 }));
    const plain = track(sem.acquire());
    await tick();
    expect([head.current, small.current, plain.current]).toEqual([pending, pending, pending]);
    // acquire() could not succeed at once: locked() although 2 are free.
    expect(state(sem)).toEqual([2, 3, true]);

    sem.release(1);
    // 3 for the head, then nothing left for the two behind it.
    expect(state(sem)).toEqual([0, 2, true]);
    sem.release(2);
    expect(state(sem)).toEqual([0, 0, true]);
    await tick();
    expect([head.current, small.current, plain.current]).toEqual([granted, granted, granted]);
  });

  test("release(n) hands permits to as many head waiters as fit, in order; waiters drops by that many at once", async () => {
    const sem = new Class(6);
    expect(sem.tryAcquire(6)).toBe(true);
    const log: string[] = [];
    const calls = [1, 2, 3, 1].map((n, i) => sem.acquire({ permits: n }).then(() => log.push(`#${i} (${n})`)));
    sem.release(6);
    // 1 + 2 + 3 fit; the fourth waits.
    expect(state(sem)).toEqual([0, 1, true]);
    await tick();
    expect(log).toEqual(["#0 (1)", "#1 (2)", "#2 (3)"]);
    sem.release(1);
    await Promise.all(calls);
    expect(log).toEqual(["#0 (1)", "#1 (2)", "#2 (3)", "#3 (1)"]);
  });

  test("tryAcquire(n) is all or nothing", () => {
    const sem = new Class(3);
    expect(sem.tryAcquire(4)).toBe(false);
    expect(sem.value).toBe(3);
    expect(sem.tryAcquire(2)).toBe(true);
    expect(sem.tryAcquire(2)).toBe(false);
    expect(sem.value).toBe(1);
    expect(sem.tryAcquire(1)).toBe(true);
    expect(sem.value).toBe(0);
  });

  test("tryAcquire(n) returns false whenever anyone is queued, even if n would fit", async () => {
    const sem = new Class(5);
    expect(sem.tryAcquire(2)).toBe(true);
    const head = track(sem.acquire({ permits: 4 }));
    expect(sem.tryAcquire(1)).toBe(false);
    expect(sem.tryAcquire()).toBe(false);
    expect(state(sem)).toEqual([3, 1, true]);
    sem.release(1);
    await tick();
    expect(head.current).toEqual(granted);
    expect(sem.tryAcquire(1)).toBe(false);
    sem.release(4);
    expect(sem.tryAcquire(1)).toBe(true);
  });

  test("the guard of hold({ permits: n }) gives all n back, once", async () => {
    const sem = new Class(5);
    const guard = await sem.hold({ permits: 3 });
    expect(sem.value).toBe(2);
    guard.release();
    expect(sem.value).toBe(5);
    guard.release();
    expect(sem.value).toBe(5);
    {
      using _ = await sem.hold({ permits: 5 });
      expect(sem.value).toBe(0);
    }
    expect(sem.value).toBe(5);
  });

  test("a guard's release hands its n permits to the waiters", async () => {
    const sem = new Class(4);
    const guard = await sem.hold({ permits: 4 });
    const a = track(sem.acquire({ permits: 3 }));
    const b = track(sem.acquire({ permits: 1 }));
    guard.release();
    expect(state(sem)).toEqual([0, 0, true]);
    guard.release();
    expect(state(sem)).toEqual([0, 0, true]);
    await tick();
    expect([a.current, b.current]).toEqual([granted, granted]);
  });

  test("run(fn, { permits: n }) holds n while fn runs and gives them back, also when fn throws", async () => {
    const sem = new Class(4);
    await expect(sem.run(() => sem.value, { permits: 3 })).resolves.toBe(1);
    expect(sem.value).toBe(4);
    const failure = new Error("job failed");
    await expect(
      sem.run(
        () => {
          throw failure;
        },
        { permits: 4 },
      ),
    ).rejects.toBe(failure);
    expect(state(sem)).toEqual([4, 0, false]);
  });

  test("run(fn, { permits: n }) waits its turn behind the head", async () => {
    const sem = new Class(4);
    expect(sem.tryAcquire(3)).toBe(true);
    const log: string[] = [];
    const head = sem.run(() => log.push("head (2)"), { permits: 2 });
    const behind = sem.run(() => log.push("behind (1)"), { permits: 1 });
    await tick();
    expect(log).toEqual([]);
    sem.release(1);
    await Promise.all([head, behind]);
    expect(log).toEqual(["head (2)", "behind (1)"]);
    // Two of the three taken at the start are still out.
    expect(sem.value).toBe(2);
  });

  test("permits: undefined means one", async () => {
    const sem = new Class(2);
    await sem.acquire({ permits: undefined });
    expect(sem.value).toBe(1);
  });
});

describe.each(classes)("%s: validation of n", (_name, Class) => {
  const bad = [
    ["0", 0, RangeError],
    ["-1", -1, RangeError],
    ["1.5", 1.5, RangeError],
    ["NaN", NaN, RangeError],
    ["Infinity", Infinity, RangeError],
    ['"2"', "2", TypeError],
    ["null", null, TypeError],
  ] as const;

  test.each(bad)("permits: %s rejects from acquire(), hold() and run(), never throws", async (_shown, n, Error) => {
    const sem = new Class(2);
    let fnCalls = 0;
    const calls = [
      () => sem.acquire({ permits: n as never }),
      () => sem.hold({ permits: n as never }),
      () => sem.run(() => fnCalls++, { permits: n as never }),
    ];
    for (const call of calls) {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = call())).not.toThrow();
      await expect(promise).rejects.toThrow(Error);
    }
    expect(fnCalls).toBe(0);
    expect(state(sem)).toEqual([2, 0, false]);
  });

  test.each(bad)("n = %s throws from tryAcquire(n) and release(n)", (_shown, n, Error) => {
    const sem = new Class(2);
    expect(sem.tryAcquire(1)).toBe(true);
    expect(() => sem.tryAcquire(n as never)).toThrow(Error);
    expect(() => sem.release(n as never)).toThrow(Error);
    expect(state(sem)).toEqual([1, 0, false]);
  });

  test("a bad n of a waiting call changes nothing for those already queued", async () => {
    const sem = new Class(2);
    expect(sem.tryAcquire(2)).toBe(true);
    const queued = track(sem.acquire({ permits: 2 }));
    await expect(sem.acquire({ permits: 0 })).rejects.toThrow(RangeError);
    expect(state(sem)).toEqual([0, 1, true]);
    sem.release(2);
    await tick();
    expect(queued.current).toEqual(granted);
  });
});

describe("async context", () => {
  // A weighted release grants several callers in one step, from the
  // releaser's context: each must resume in its own.
  test.each(classes)(
    "%s: code after await acquire({ permits }), hold() and inside run() runs in the caller's context",
    async (_name, Class) => {
      const als = new AsyncLocalStorage<string>();
      const sem = new Class(6);
      expect(sem.tryAcquire(6)).toBe(true);
      const seen: string[] = [];
      const tasks = [
        als.run("a", async () => {
          await sem.acquire({ permits: 1 });
          seen.push(`a after acquire: ${als.getStore()}`);
        }),
        als.run("b", async () => {
          using _ = await sem.hold({ permits: 2 });
          seen.push(`b after hold: ${als.getStore()}`);
        }),
        als.run("c", async () => {
          await sem.run(() => seen.push(`c in run: ${als.getStore()}`), { permits: 3 });
          seen.push(`c after run: ${als.getStore()}`);
        }),
      ];
      als.run("releaser", () => sem.release(6));
      await Promise.all(tasks);
      // The order of the lines depends on how many turns each call takes; the stores do not.
      expect(seen.sort()).toEqual(["a after acquire: a", "b after hold: b", "c after run: c", "c in run: c"]);
    },
  );
});

describe.each(classes)("%s: cancellation of weighted waiters", (_name, Class) => {
  test("abort at the grant: a waiter granted by release(n) keeps its permits whatever its signal does next", async () => {
    const sem = new Class(4);
    expect(sem.tryAcquire(4)).toBe(true);
    const controller = new AbortController();
    const a = track(sem.acquire({ permits: 3, signal: controller.signal }));
    const b = track(sem.acquire({ permits: 1 }));
    sem.release(4);
    controller.abort();
    expect(state(sem)).toEqual([0, 0, true]);
    await tick();
    expect([a.current, b.current]).toEqual([granted, granted]);
    sem.release(3);
    sem.release(1);
    expect(state(sem)).toEqual([4, 0, false]);
  });

  test("abort of the head waiter grants at once those behind it that fit; the rest keep waiting", async () => {
    const sem = new Class(4);
    expect(sem.tryAcquire(2)).toBe(true);
    const controller = new AbortController();
    const head = track(sem.acquire({ permits: 3, signal: controller.signal }));
    const b = track(sem.acquire({ permits: 1 }));
    const c = track(sem.acquire({ permits: 1 }));
    const d = track(sem.acquire({ permits: 2 }));
    expect(state(sem)).toEqual([2, 4, true]);

    controller.abort();
    // b and c fit in the 2 free permits; d waits for 2 more.
    expect(state(sem)).toEqual([0, 1, true]);
    await tick();
    expect([head.current, b.current, c.current, d.current]).toEqual([
      { state: "rejected", reason: controller.signal.reason },
      granted,
      granted,
      pending,
    ]);
    sem.release(2);
    await tick();
    expect(d.current).toEqual(granted);
  });

  test("an abort of a waiter behind the head changes nothing for the others", async () => {
    const sem = new Class(4);
    expect(sem.tryAcquire(2)).toBe(true);
    const controller = new AbortController();
    const head = track(sem.acquire({ permits: 3 }));
    const middle = track(sem.acquire({ permits: 1, signal: controller.signal }));
    const last = track(sem.acquire({ permits: 1 }));
    controller.abort();
    expect(state(sem)).toEqual([2, 2, true]);
    sem.release(2);
    // 3 for the head, 1 for the last.
    expect(state(sem)).toEqual([0, 0, true]);
    await tick();
    expect([head.current, middle.current, last.current]).toEqual([
      granted,
      { state: "rejected", reason: controller.signal.reason },
      granted,
    ]);
  });

  test("a head that times out unblocks the ones behind it", async () => {
    jest.useFakeTimers();
    const sem = new Class(4);
    expect(sem.tryAcquire(4)).toBe(true);
    const head = track(sem.acquire({ permits: 3, timeout: 10 }));
    const b = track(sem.acquire({ permits: 2 }));
    const c = track(sem.acquire({ permits: 1 }));
    jest.advanceTimersByTime(5);
    sem.release(2);
    expect(state(sem)).toEqual([2, 3, true]);

    jest.advanceTimersByTime(5);
    expect(state(sem)).toEqual([0, 1, true]);
    await tick();
    expect(head.current.state).toBe("rejected");
    expect((head.current as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
    expect([b.current, c.current]).toEqual([granted, pending]);
    expect(jest.getTimerCount()).toBe(0);
  });

  test("timeout of the head in a multi-release: a release(n) that comes first grants it and clears its timer", async () => {
    // Actors: a head waiting for 3 with a 10 ms timeout, two waiters of 1
    // behind it, and a release(4) due at the same instant, scheduled first.
    // Interleaving: the release runs, then the head's timer would fire.
    // What broke without the fix: a granted head still timed out, its
    // permits lost, or its timer kept alive.
    jest.useFakeTimers();
    const sem = new Class(4);
    expect(sem.tryAcquire(4)).toBe(true);
    setTimeout(() => sem.release(4), 10);
    const head = track(sem.acquire({ permits: 3, timeout: 10 }));
    const b = track(sem.acquire({ permits: 1 }));
    const c = track(sem.acquire({ permits: 1 }));
    jest.advanceTimersByTime(10);
    expect(state(sem)).toEqual([0, 1, true]);
    expect(jest.getTimerCount()).toBe(0);
    await tick();
    expect([head.current, b.current, c.current]).toEqual([granted, granted, pending]);
  });

  test("timeout of the head in a multi-release: a timer that comes first lets the release(n) serve those behind", async () => {
    // As above, with the head's timer scheduled before the release: the head
    // leaves, and the release(4) goes to the two behind it.
    jest.useFakeTimers();
    const sem = new Class(4);
    expect(sem.tryAcquire(4)).toBe(true);
    const head = track(sem.acquire({ permits: 3, timeout: 10 }));
    setTimeout(() => sem.release(4), 10);
    const b = track(sem.acquire({ permits: 1 }));
    const c = track(sem.acquire({ permits: 1 }));
    jest.advanceTimersByTime(10);
    expect(state(sem)).toEqual([2, 0, false]);
    await tick();
    expect(head.current.state).toBe("rejected");
    expect((head.current as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
    expect([b.current, c.current]).toEqual([granted, granted]);
  });

  test("timeout: 0 refuses a weighted request that would wait, also behind a queue where it would fit", async () => {
    const sem = new Class(4);
    expect(sem.tryAcquire(2)).toBe(true);
    await expect(sem.acquire({ permits: 3, timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(sem.acquire({ permits: 2, timeout: 0 })).resolves.toBe(true);
    sem.release(2);
    const head = track(sem.acquire({ permits: 4 }));
    await expect(sem.acquire({ permits: 1, timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    expect(state(sem)).toEqual([2, 1, true]);
    sem.release(2);
    await tick();
    expect(head.current).toEqual(granted);
  });
});
