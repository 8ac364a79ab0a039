import { getEventListeners } from "node:events";
import { inspect } from "node:util";
import { TimeoutError, type WaitOptions } from "@sync/core";
import { Event } from "@sync/event";
import { tick, track, trackLogged, useFakeTimersPerTest } from "../../core/test/helpers";

/** Starts `event.wait(options)`, logging `name` when it resolves and `name rejected` when it rejects. */
function waitLogged(event: Event, log: string[], name: string, options?: WaitOptions) {
  return trackLogged(event.wait(options), log, name);
}

/** The class invariant, through public observers: `waiters > 0` implies the flag is false. */
function expectConsistent(event: Event): void {
  if (event.waiters > 0) expect(event.isSet()).toBe(false);
}

useFakeTimersPerTest();

describe("wait, set and clear", () => {
  test("a new event is unset and has no waiters", () => {
    const event = new Event();
    expect(event.isSet()).toBe(false);
    expect(event.waiters).toBe(0);
  });

  test("set() wakes every waiter, oldest first, and waiters drops to 0 at once", async () => {
    const event = new Event();
    const log: string[] = [];
    const calls = ["a", "b", "c"].map((name) => waitLogged(event, log, name));
    await tick();
    expect(log).toEqual([]);
    expect(event.waiters).toBe(3);
    expectConsistent(event);
    event.set();
    expect(event.waiters).toBe(0);
    expect(event.isSet()).toBe(true);
    await tick();
    expect(log).toEqual(["a", "b", "c"]);
    for (const call of calls) expect(call.current).toEqual({ state: "fulfilled", value: true });
  });

  test("set() followed at once by clear() still wakes every waiter", async () => {
    // Actors: two waiters, and a caller that runs set() then clear() in one
    // synchronous step. If set() only raised the flag and let waiters check
    // it when they resume, they would find it cleared and wait forever.
    const event = new Event();
    const log: string[] = [];
    waitLogged(event, log, "a");
    waitLogged(event, log, "b");
    event.set();
    event.clear();
    expect(event.isSet()).toBe(false);
    expect(event.waiters).toBe(0);
    await tick();
    expect(log).toEqual(["a", "b"]);
    // A waiter that arrives after the clear() waits for the next set().
    waitLogged(event, log, "late");
    await tick();
    expect(log).toEqual(["a", "b"]);
    expect(event.waiters).toBe(1);
    event.set();
    await tick();
    expect(log).toEqual(["a", "b", "late"]);
  });

  test("wait() on a set event resolves at once and queues nothing", async () => {
    const event = new Event();
    event.set();
    const first = event.wait();
    const second = event.wait();
    expect(event.waiters).toBe(0);
    const tracked = [track(first), track(second)];
    await tick(1);
    expect(tracked.map((t) => t.current)).toEqual([
      { state: "fulfilled", value: true },
      { state: "fulfilled", value: true },
    ]);
    expect(event.isSet()).toBe(true);
  });

  test("clear() makes later calls wait for the next set()", async () => {
    const event = new Event();
    event.set();
    event.clear();
    const waiting = track(event.wait());
    await tick();
    expect(waiting.current.state).toBe("pending");
    expect(event.waiters).toBe(1);
    event.set();
    await tick();
    expect(waiting.current.state).toBe("fulfilled");
  });

  test("set() on a set event and clear() on a clear one change nothing", async () => {
    const event = new Event();
    event.clear();
    expect(event.isSet()).toBe(false);
    const log: string[] = [];
    waitLogged(event, log, "a");
    event.clear();
    expect(event.waiters).toBe(1);
    event.set();
    event.set();
    expect(event.isSet()).toBe(true);
    await tick();
    expect(log).toEqual(["a"]);
  });

  test("waiters counts the callers waiting now", async () => {
    const event = new Event();
    const controller = new AbortController();
    const counts: number[] = [event.waiters];
    void event.wait().catch(() => {});
    counts.push(event.waiters);
    void event.wait({ signal: controller.signal }).catch(() => {});
    counts.push(event.waiters);
    void event.wait({ timeout: 10 }).catch(() => {});
    counts.push(event.waiters);
    controller.abort();
    counts.push(event.waiters);
    jest.advanceTimersByTime(10);
    counts.push(event.waiters);
    event.set();
    counts.push(event.waiters);
    expect(counts).toEqual([0, 1, 2, 3, 2, 1, 0]);
  });
});

describe("cancellation", () => {
  test("abort before set(): the waiter leaves, rejects with signal.reason; the others are still woken", async () => {
    const event = new Event();
    const log: string[] = [];
    const controller = new AbortController();
    const reason = new Error("stop waiting");
    waitLogged(event, log, "a");
    const b = waitLogged(event, log, "b", { signal: controller.signal });
    waitLogged(event, log, "c");
    controller.abort(reason);
    expect(event.waiters).toBe(2);
    await tick();
    expect(b.current).toEqual({ state: "rejected", reason });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    event.set();
    await tick();
    expect(log).toEqual(["b rejected", "a", "c"]);
  });

  test("abort after set() changes nothing, even when clear() followed", async () => {
    const event = new Event();
    const controller = new AbortController();
    const waiting = track(event.wait({ signal: controller.signal }));
    event.set();
    event.clear();
    controller.abort();
    await tick();
    expect(waiting.current).toEqual({ state: "fulfilled", value: true });
    expect(event.waiters).toBe(0);
  });

  test("timeout: the waiter rejects with TimeoutError after that many ms, not before", async () => {
    const event = new Event();
    const log: string[] = [];
    const waiting = waitLogged(event, log, "a", { timeout: 50 });
    jest.advanceTimersByTime(49);
    await tick();
    expect(log).toEqual([]);
    jest.advanceTimersByTime(1);
    await tick();
    expect(log).toEqual(["a rejected"]);
    const outcome = waiting.current;
    expect(outcome.state === "rejected" && outcome.reason).toBeInstanceOf(TimeoutError);
    expect(event.waiters).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  test("a set() before the timeout clears the timer; the call resolves", async () => {
    const event = new Event();
    const waiting = track(event.wait({ timeout: 50 }));
    expect(jest.getTimerCount()).toBe(1);
    event.set();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(100);
    await tick();
    expect(waiting.current).toEqual({ state: "fulfilled", value: true });
  });

  test("timeout: 0 resolves on a set event and rejects at once on an unset one", async () => {
    const event = new Event();
    const refused = track(event.wait({ timeout: 0 }));
    expect(event.waiters).toBe(0);
    await tick();
    const outcome = refused.current;
    expect(outcome.state === "rejected" && outcome.reason).toBeInstanceOf(TimeoutError);
    event.set();
    expect(await event.wait({ timeout: 0 })).toBe(true);
  });

  test("an already-aborted signal rejects with its reason, even on a set event", async () => {
    const event = new Event();
    const reason = new Error("already cancelled");
    const signal = AbortSignal.abort(reason);
    await expect(event.wait({ signal })).rejects.toBe(reason);
    expect(event.waiters).toBe(0);
    event.set();
    await expect(event.wait({ signal })).rejects.toBe(reason);
    expect(event.isSet()).toBe(true);
  });

  test.each<[string, unknown, ErrorConstructor]>([
    ["a negative timeout", { timeout: -5 }, RangeError],
    ["a NaN timeout", { timeout: NaN }, RangeError],
    ["a boolean timeout", { timeout: true }, TypeError],
    ["a signal that is not an AbortSignal", { signal: "abort" }, TypeError],
    ["options that are not an object", "fast", TypeError],
  ])("malformed options (%s) reject, set or unset, and queue nothing", async (_, options, error) => {
    const event = new Event();
    const bad = options as WaitOptions;
    await expect(event.wait(bad)).rejects.toBeInstanceOf(error);
    expect(event.waiters).toBe(0);
    event.set();
    await expect(event.wait(bad)).rejects.toBeInstanceOf(error);
    expect(jest.getTimerCount()).toBe(0);
  });

  test("listeners and timers are removed once the call settles", async () => {
    const event = new Event();
    const controller = new AbortController();
    const { signal } = controller;
    const woken = track(event.wait({ signal, timeout: 100 }));
    const timedOut = track(event.wait({ signal, timeout: 10 }));
    // How many listeners a signal gets is the queue's business; that some
    // are there while calls wait, and none once all have settled, is not.
    expect(getEventListeners(signal, "abort").length).toBeGreaterThan(0);
    expect(jest.getTimerCount()).toBe(2);
    jest.advanceTimersByTime(10);
    expect(getEventListeners(signal, "abort").length).toBeGreaterThan(0); // `woken` still waits
    expect(jest.getTimerCount()).toBe(1);
    event.set();
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
    // The fast path adds nothing.
    const fast = track(event.wait({ signal, timeout: 100 }));
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
    await tick();
    expect([woken.current.state, timedOut.current.state, fast.current.state]).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
  });
});

describe("String() and util.inspect()", () => {
  test("show the flag and the number of waiters in API.md's format", () => {
    const event = new Event();
    const shown = (): string[] => [String(event), inspect(event)];
    expect(shown()).toEqual(["<Event [unset]>", "<Event [unset]>"]);
    const controller = new AbortController();
    void event.wait({ signal: controller.signal }).catch(() => {});
    expect(shown()).toEqual(["<Event [unset, waiters:1]>", "<Event [unset, waiters:1]>"]);
    void event.wait({ signal: controller.signal }).catch(() => {});
    expect(shown()).toEqual(["<Event [unset, waiters:2]>", "<Event [unset, waiters:2]>"]);
    controller.abort();
    event.set();
    expect(shown()).toEqual(["<Event [set]>", "<Event [set]>"]);
    expect(inspect([event])).toBe("[ <Event [set]> ]");
  });
});
