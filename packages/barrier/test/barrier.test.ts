import { getEventListeners } from "node:events";
import { inspect } from "node:util";
import { InvalidStateError, TimeoutError } from "@sync/core";
import { Barrier, BrokenBarrierError } from "@sync/barrier";
import fc from "fast-check";
import { tick, track, type Tracked } from "../../core/test/helpers";

function listeners(signal: AbortSignal): number {
  return getEventListeners(signal, "abort").length;
}

/** What a tracked wait() came to: its position, "pending", or the error's name. */
function outcome(call: { readonly current: Tracked<number> }): number | string {
  const { current } = call;
  if (current.state === "fulfilled") return current.value;
  if (current.state === "pending") return "pending";
  return (current.reason as Error).name;
}

/** The invariants, seen through the public observers. */
function checkInvariants(barrier: Barrier): void {
  if (barrier.broken) {
    expect(barrier.nWaiting).toBe(0);
    expect(String(barrier)).toBe("<Barrier [broken]>");
  } else {
    expect(barrier.nWaiting).toBeLessThan(barrier.parties);
    expect(String(barrier)).toBe(`<Barrier [filling, waiters:${barrier.nWaiting}/${barrier.parties}]>`);
  }
}

afterEach(() => {
  jest.useRealTimers();
});

describe("cancellation", () => {
  test("an abort while filling takes the caller out: nWaiting drops, the state is kept", async () => {
    const barrier = new Barrier(3);
    const controller = new AbortController();
    const a = track(barrier.wait({ signal: controller.signal }));
    const b = track(barrier.wait());
    expect(listeners(controller.signal)).toBe(1);
    expect(barrier.nWaiting).toBe(2);

    controller.abort();
    // Synchronously gone, listener included.
    expect(barrier.nWaiting).toBe(1);
    expect(listeners(controller.signal)).toBe(0);
    expect(barrier.broken).toBe(false);
    await tick();
    expect(a.current).toEqual({ state: "rejected", reason: controller.signal.reason });
    expect(b.current).toEqual({ state: "pending" });
    expect(String(barrier)).toBe("<Barrier [filling, waiters:1/3]>");
    checkInvariants(barrier);
  });

  test("the promise rejects with whatever reason the signal aborts with", async () => {
    const barrier = new Barrier(2);
    const controller = new AbortController();
    const waiting = barrier.wait({ signal: controller.signal });
    const reason = new Error("user left");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(barrier.nWaiting).toBe(0);
  });

  test("a timeout while filling rejects with TimeoutError after exactly that long, and clears its timer", async () => {
    jest.useFakeTimers();
    const barrier = new Barrier(3);
    const first = track(barrier.wait());
    const timed = track(barrier.wait({ timeout: 100 }));
    expect(jest.getTimerCount()).toBe(1);

    jest.advanceTimersByTime(99);
    await tick();
    expect([outcome(first), outcome(timed), barrier.nWaiting]).toEqual(["pending", "pending", 2]);

    jest.advanceTimersByTime(1);
    expect(barrier.nWaiting).toBe(1);
    await tick();
    expect([outcome(first), outcome(timed)]).toEqual(["pending", "TimeoutError"]);
    expect((timed.current as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
    expect(jest.getTimerCount()).toBe(0);
    expect(barrier.broken).toBe(false);
    checkInvariants(barrier);
  });

  test("positions stay distinct and in arrival order after a caller left", async () => {
    const barrier = new Barrier(3);
    const controller = new AbortController();
    const left = track(barrier.wait({ signal: controller.signal })); // would have been 0
    const a = track(barrier.wait());
    controller.abort();
    const b = track(barrier.wait());
    expect(barrier.nWaiting).toBe(2);
    const c = track(barrier.wait());
    await tick();
    expect([left, a, b, c].map(outcome)).toEqual(["AbortError", 0, 1, 2]);
    checkInvariants(barrier);
  });

  test("race: a waiter aborts in the same turn as the last party arrives, just before it", async () => {
    // Actors: waiters A and B of a 3-party barrier, A with a signal; C arrives.
    // Interleaving: A's signal aborts, then C calls wait() in the same turn.
    // What would break: C releasing a cycle of two (A counted though it left),
    // or A resolving after it rejected. C must wait for a third party instead.
    const barrier = new Barrier(3);
    const controller = new AbortController();
    const a = track(barrier.wait({ signal: controller.signal }));
    const b = track(barrier.wait());
    controller.abort();
    const c = track(barrier.wait());
    await tick();
    expect([a, b, c].map(outcome)).toEqual(["AbortError", "pending", "pending"]);
    expect(barrier.nWaiting).toBe(2);
    const d = track(barrier.wait());
    await tick();
    expect([b, c, d].map(outcome)).toEqual([0, 1, 2]);
  });

  test("an abort after the release changes nothing: the caller resolves with its position", async () => {
    const barrier = new Barrier(2);
    const controller = new AbortController();
    const a = track(barrier.wait({ signal: controller.signal }));
    const b = track(barrier.wait()); // releases the cycle
    // The listener went at the release, before A resumes.
    expect(listeners(controller.signal)).toBe(0);
    controller.abort();
    await tick();
    expect([a, b].map(outcome)).toEqual([0, 1]);
    checkInvariants(barrier);
  });

  test("a timeout after the release changes nothing, and its timer is already gone", async () => {
    jest.useFakeTimers();
    const barrier = new Barrier(2);
    const a = track(barrier.wait({ timeout: 100 }));
    jest.advanceTimersByTime(50);
    const b = track(barrier.wait({ timeout: 100 })); // the last party sets no timer
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(100);
    await tick();
    expect([a, b].map(outcome)).toEqual([0, 1]);
  });

  test("an already aborted signal rejects, even for the caller that would have released the cycle", async () => {
    const barrier = new Barrier(3);
    const a = track(barrier.wait());
    const b = track(barrier.wait());
    const controller = new AbortController();
    controller.abort();
    await expect(barrier.wait({ signal: controller.signal })).rejects.toBe(controller.signal.reason);
    expect([barrier.nWaiting, listeners(controller.signal)]).toEqual([2, 0]);
    await tick();
    expect([a, b].map(outcome)).toEqual(["pending", "pending"]);
    const c = track(barrier.wait());
    await tick();
    expect([a, b, c].map(outcome)).toEqual([0, 1, 2]);
  });

  test("timeout: 0 succeeds only for the last party", async () => {
    jest.useFakeTimers();
    const barrier = new Barrier(3);
    await expect(barrier.wait({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    expect(barrier.nWaiting).toBe(0);
    const a = track(barrier.wait());
    await expect(barrier.wait({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    expect(barrier.nWaiting).toBe(1);
    const b = track(barrier.wait());
    await expect(barrier.wait({ timeout: 0 })).resolves.toBe(2);
    await tick();
    expect([a, b].map(outcome)).toEqual([0, 1]);
    expect(jest.getTimerCount()).toBe(0);
    // Barrier(1): every caller is the last party.
    await expect(new Barrier(1).wait({ timeout: 0 })).resolves.toBe(0);
  });

  test("timeout: Infinity is no timeout: no timer is set", async () => {
    jest.useFakeTimers();
    const barrier = new Barrier(2);
    const a = track(barrier.wait({ timeout: Infinity }));
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(2 ** 31);
    const b = track(barrier.wait());
    await tick();
    expect([a, b].map(outcome)).toEqual([0, 1]);
  });

  test.each([
    [{ timeout: -1 }, RangeError],
    [{ timeout: NaN }, RangeError],
    [{ timeout: "10" }, TypeError],
    [{ signal: "nope" }, TypeError],
    ["options", TypeError],
  ])("malformed options %p reject (never throw) with %p, even for the last party", async (options, error) => {
    const barrier = new Barrier(2);
    let promise: Promise<number> | undefined;
    expect(() => (promise = barrier.wait(options as never))).not.toThrow();
    await expect(promise).rejects.toBeInstanceOf(error);
    const a = track(barrier.wait());
    await expect(barrier.wait(options as never)).rejects.toBeInstanceOf(error);
    expect(barrier.nWaiting).toBe(1);
    barrier.reset();
    await tick();
    expect(outcome(a)).toBe("BrokenBarrierError");
  });

  test("one signal shared by several waiters: aborting it takes them all out", async () => {
    const barrier = new Barrier(4);
    const controller = new AbortController();
    const calls = [1, 2, 3].map(() => track(barrier.wait({ signal: controller.signal })));
    expect(listeners(controller.signal)).toBeGreaterThan(0);
    controller.abort();
    await tick();
    expect(calls.map(outcome)).toEqual(["AbortError", "AbortError", "AbortError"]);
    expect([barrier.nWaiting, listeners(controller.signal), barrier.broken]).toEqual([0, 0, false]);
  });

  test("reset() and abort() remove the listeners and timers of the callers they break", async () => {
    jest.useFakeTimers();
    const barrier = new Barrier(3);
    const controller = new AbortController();
    const calls = [
      track(barrier.wait({ signal: controller.signal, timeout: 1_000 })),
      track(barrier.wait({ signal: controller.signal, timeout: 1_000 })),
    ];
    expect([listeners(controller.signal) > 0, jest.getTimerCount()]).toEqual([true, 2]);
    barrier.reset();
    expect([listeners(controller.signal), jest.getTimerCount()]).toEqual([0, 0]);

    calls.push(track(barrier.wait({ signal: controller.signal, timeout: 1_000 })));
    barrier.abort();
    expect([listeners(controller.signal), jest.getTimerCount()]).toEqual([0, 0]);
    await tick();
    expect(calls.map(outcome)).toEqual(["BrokenBarrierError", "BrokenBarrierError", "BrokenBarrierError"]);
  });
});

describe("positions and cycles", () => {
  test("positions are 0 … parties-1 in arrival order, distinct in each cycle", async () => {
    const barrier = new Barrier(4);
    for (let cycle = 0; cycle < 3; cycle++) {
      const calls = [0, 1, 2, 3].map(() => track(barrier.wait()));
      await tick();
      expect(calls.map(outcome)).toEqual([0, 1, 2, 3]);
      checkInvariants(barrier);
    }
  });

  test("a release resolves the whole cycle in one step and the barrier is filling again at once", async () => {
    const barrier = new Barrier(3);
    const log: string[] = [];
    const a = barrier.wait().then((i) => void log.push(`A ${i}`));
    const b = barrier.wait().then((i) => void log.push(`B ${i}`));
    const c = barrier.wait().then((i) => void log.push(`C ${i}`));
    // Synchronously, before anyone resumes: empty and filling.
    expect([barrier.nWaiting, barrier.broken, String(barrier)]).toEqual([0, false, "<Barrier [filling, waiters:0/3]>"]);
    // All three were resolved in that step: their reactions run before one
    // queued just after it (a release deferred to a later turn would lose this).
    const marker = Promise.resolve().then(() => void log.push("marker"));
    await marker;
    expect(log).toEqual(["A 0", "B 1", "C 2", "marker"]);
    await Promise.all([a, b, c]);
  });

  test("a caller arriving right after a release joins the next cycle", async () => {
    // Actors: A and B fill a 2-party barrier; A, as soon as it resumes, and C
    // wait again. What would break: a newcomer counted into the cycle that was
    // just released (it would resolve at once, or be lost in a draining phase).
    const barrier = new Barrier(2);
    const log: string[] = [];
    const a = barrier.wait().then(async (i) => {
      log.push(`A ${i}`);
      log.push(`A again ${await barrier.wait()}`);
    });
    const b = barrier.wait().then((i) => void log.push(`B ${i}`));
    const c = barrier.wait().then((i) => void log.push(`C ${i}`)); // same turn as the release
    expect(barrier.nWaiting).toBe(1);
    await tick();
    // C came first in the new cycle, so it is 0 and A's second wait is 1.
    expect(log).toEqual(["A 0", "B 1", "C 0", "A again 1"]);
    expect(barrier.nWaiting).toBe(0);
    await Promise.all([a, b, c]);
  });

  test("released callers resolve with their position even if reset() or abort() follows before they resume", async () => {
    for (const breakIt of [(b: Barrier) => b.reset(), (b: Barrier) => b.abort()]) {
      const barrier = new Barrier(3);
      const calls = [track(barrier.wait()), track(barrier.wait())];
      const last = barrier.wait();
      const next = track(barrier.wait()); // waits in the next cycle
      breakIt(barrier);
      await tick();
      expect(await last).toBe(2);
      expect([...calls, next].map(outcome)).toEqual([0, 1, "BrokenBarrierError"]);
    }
  });

  test("Barrier(1) lets every caller through at once with position 0", async () => {
    const barrier = new Barrier(1);
    expect(await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()])).toEqual([0, 0, 0]);
    expect(barrier.nWaiting).toBe(0);
    checkInvariants(barrier);
  });

  test("reusable many times", async () => {
    const parties = 3;
    const barrier = new Barrier(parties);
    const rounds = 200;
    const seen: number[][] = [[], [], []];
    await Promise.all(
      [0, 1, 2].map(async (worker) => {
        for (let round = 0; round < rounds; round++) seen[worker]!.push(await barrier.wait());
      }),
    );
    // The workers re-arrive in the order they were released, so each keeps its position.
    expect(seen).toEqual([0, 1, 2].map((p) => Array(rounds).fill(p)));
    checkInvariants(barrier);
  });

  test("cycles with random arrivals and aborts keep positions distinct and in arrival order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.oneof(fc.constant("arrive" as const), fc.nat(10)), { maxLength: 40 }),
        async (parties, steps) => {
          const barrier = new Barrier(parties);
          const calls: { controller: AbortController; box: { readonly current: Tracked<number> } }[] = [];
          // The model: the ids waiting in the current cycle, and what each call should come to.
          let cycle: number[] = [];
          const expected = new Map<number, number | string>();
          for (const step of steps) {
            if (step === "arrive") {
              const id = calls.length;
              const controller = new AbortController();
              calls.push({ controller, box: track(barrier.wait({ signal: controller.signal })) });
              cycle.push(id);
              if (cycle.length === parties) {
                cycle.forEach((waiter, position) => expected.set(waiter, position));
                cycle = [];
              }
            } else if (calls.length > 0) {
              const id = step % calls.length;
              calls[id]!.controller.abort();
              if (cycle.includes(id)) {
                cycle = cycle.filter((w) => w !== id);
                expected.set(id, "AbortError");
              }
            }
            expect(barrier.nWaiting).toBe(cycle.length);
            checkInvariants(barrier);
          }
          await tick();
          calls.forEach(({ box }, id) => expect(outcome(box)).toBe(expected.get(id) ?? "pending"));
          barrier.reset();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("reset() and abort()", () => {
  test("reset() breaks the current waiters with BrokenBarrierError and returns to empty filling", async () => {
    const barrier = new Barrier(3);
    const calls = [track(barrier.wait()), track(barrier.wait())];
    barrier.reset();
    expect([barrier.nWaiting, barrier.broken, String(barrier)]).toEqual([0, false, "<Barrier [filling, waiters:0/3]>"]);
    await tick();
    expect(calls.map(outcome)).toEqual(["BrokenBarrierError", "BrokenBarrierError"]);
    const reason = (calls[0]!.current as { reason: unknown }).reason;
    expect(reason).toBeInstanceOf(BrokenBarrierError);
    expect(reason).toBeInstanceOf(InvalidStateError);
    expect(reason).toBeInstanceOf(Error);
    expect((reason as Error).message).toBe("Barrier reset");

    // Usable again at once: a full cycle passes.
    const again = [0, 1, 2].map(() => track(barrier.wait()));
    await tick();
    expect(again.map(outcome)).toEqual([0, 1, 2]);
  });

  test("abort() breaks current and future waits until reset()", async () => {
    const barrier = new Barrier(3);
    const before = track(barrier.wait());
    barrier.abort();
    expect([barrier.broken, barrier.nWaiting, String(barrier)]).toEqual([true, 0, "<Barrier [broken]>"]);
    await expect(barrier.wait()).rejects.toBeInstanceOf(BrokenBarrierError);
    await expect(barrier.wait()).rejects.toThrow("Barrier aborted");
    await expect(barrier.wait({ timeout: 0 })).rejects.toBeInstanceOf(BrokenBarrierError);
    await tick();
    expect(outcome(before)).toBe("BrokenBarrierError");
    expect(barrier.nWaiting).toBe(0);
    barrier.abort(); // aborting a broken barrier changes nothing
    expect(barrier.broken).toBe(true);

    barrier.reset();
    expect([barrier.broken, String(barrier)]).toEqual([false, "<Barrier [filling, waiters:0/3]>"]);
    const calls = [0, 1, 2].map(() => track(barrier.wait()));
    await tick();
    expect(calls.map(outcome)).toEqual([0, 1, 2]);
  });

  test("wait() on a broken barrier never throws synchronously", async () => {
    const barrier = new Barrier(2);
    barrier.abort();
    let promise: Promise<number> | undefined;
    expect(() => (promise = barrier.wait())).not.toThrow();
    await expect(promise).rejects.toBeInstanceOf(BrokenBarrierError);
  });

  test("BrokenBarrierError is named and catchable as an InvalidStateError", () => {
    const error = new BrokenBarrierError("x");
    expect(error.name).toBe("BrokenBarrierError");
    expect(String(error)).toBe("BrokenBarrierError: x");
    expect(error).toBeInstanceOf(InvalidStateError);
  });
});

describe("construction and observers", () => {
  test.each([1, 2, 3, 1_000])("new Barrier(%p) is valid", (parties) => {
    const barrier = new Barrier(parties);
    expect([barrier.parties, barrier.nWaiting, barrier.broken]).toEqual([parties, 0, false]);
  });

  test.each([0, -1, 1.5, NaN, Infinity, -Infinity])("parties of %p is a RangeError", (parties) => {
    expect(() => new Barrier(parties)).toThrow(RangeError);
  });

  test.each([undefined, "3", null, {}, 3n, true])("parties of %p is a TypeError", (parties) => {
    expect(() => new Barrier(parties as never)).toThrow(TypeError);
  });

  test("parties, nWaiting and broken are read-only", () => {
    const barrier = new Barrier(2) as unknown as Record<string, unknown>;
    expect(() => (barrier.parties = 5)).toThrow(TypeError);
    expect(() => (barrier.nWaiting = 5)).toThrow(TypeError);
    expect(() => (barrier.broken = true)).toThrow(TypeError);
  });

  test("String() and util.inspect show the exact formats of API.md", async () => {
    const barrier = new Barrier(3);
    expect(String(barrier)).toBe("<Barrier [filling, waiters:0/3]>");
    const calls = [barrier.wait(), barrier.wait()];
    expect(`${barrier}`).toBe("<Barrier [filling, waiters:2/3]>");
    expect(inspect(barrier)).toBe("<Barrier [filling, waiters:2/3]>");
    expect(inspect({ barrier })).toBe("{ barrier: <Barrier [filling, waiters:2/3]> }");
    calls.push(barrier.wait());
    expect(String(barrier)).toBe("<Barrier [filling, waiters:0/3]>");
    await Promise.all(calls);
    barrier.abort();
    expect(String(barrier)).toBe("<Barrier [broken]>");
    expect(inspect(barrier)).toBe("<Barrier [broken]>");
  });
});
