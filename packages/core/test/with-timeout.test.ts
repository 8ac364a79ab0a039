import { getEventListeners } from "node:events";
import { TimeoutError, withTimeout } from "@sync/core";
import { tick, track, useFakeTimersPerTest } from "./helpers";
import { MiniLock } from "./mini-lock";

const MAX_TIMER_DELAY = 2 ** 31 - 1;

useFakeTimersPerTest();

function listeners(signal: AbortSignal): number {
  return getEventListeners(signal, "abort").length;
}

/** A lock that is held, so that an acquire through it waits. */
async function heldLock(): Promise<MiniLock> {
  const lock = new MiniLock();
  await lock.acquire();
  return lock;
}

describe("withTimeout()", () => {
  it("resolves with the operation's value, passing it a live signal", async () => {
    const seen: AbortSignal[] = [];
    const value = await withTimeout(async (signal) => {
      seen.push(signal);
      await tick();
      return "done";
    }, 100);
    expect(value).toBe("done");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(AbortSignal);
    expect(seen[0]!.aborted).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("resolves with a plain value returned by the operation", async () => {
    await expect(withTimeout(() => 7, 100)).resolves.toBe(7);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("times out with TimeoutError at exactly ms when the operation honours its signal", async () => {
    const lock = await heldLock();
    const p = track(withTimeout((signal) => lock.acquire({ signal }), 100));
    expect([lock.waiters, jest.getTimerCount()]).toEqual([1, 1]);
    jest.advanceTimersByTime(99);
    await tick();
    expect(p.current).toEqual({ state: "pending" });
    jest.advanceTimersByTime(1);
    expect(lock.waiters).toBe(0); // the waiter left in the timer callback
    await tick();
    const { reason } = p.current as { reason: Error };
    expect(reason).toBeInstanceOf(TimeoutError);
    expect([reason.name, reason.message]).toEqual(["TimeoutError", "timed out after 100 ms"]);
    expect([jest.getTimerCount(), lock.locked()]).toEqual([0, true]);
  });

  it("keeps what was granted just before the time-out (it waits for the operation, as wait_for does)", async () => {
    // Actors: the operation acquires a held lock, then keeps working; the
    // holder releases at 50 ms; the time-out comes at 100 ms while the
    // operation still runs. What would break: a withTimeout that raced the
    // operation would reject and leak the lock the operation holds.
    const lock = await heldLock();
    const log: string[] = [];
    const p = track(
      withTimeout(async (signal) => {
        await lock.acquire({ signal });
        log.push("acquired");
        await new Promise((resolve) => setTimeout(resolve, 200)); // ignores the signal
        lock.release();
        return `aborted: ${signal.aborted}`;
      }, 100),
    );
    jest.advanceTimersByTime(50);
    lock.release();
    await tick();
    jest.advanceTimersByTime(100);
    await tick();
    expect(p.current).toEqual({ state: "pending" });
    jest.advanceTimersByTime(100);
    await tick();
    expect(log).toEqual(["acquired"]);
    expect(p.current).toEqual({ state: "fulfilled", value: "aborted: true" });
    expect([lock.locked(), lock.waiters, jest.getTimerCount()]).toEqual([false, 0, 0]);
  });

  it.each([
    ["an Error", new Error("stop")],
    ["a string", "stop"],
  ])("rejects with the outer signal's reason (%s) when it aborts first", async (_, reason) => {
    const lock = await heldLock();
    const outer = new AbortController();
    const p = track(withTimeout((signal) => lock.acquire({ signal }), 1_000, { signal: outer.signal }));
    expect([listeners(outer.signal), jest.getTimerCount()]).toEqual([1, 1]);
    outer.abort(reason);
    expect(lock.waiters).toBe(0);
    await tick();
    expect(p.current).toEqual({ state: "rejected", reason });
    expect((p.current as { reason: unknown }).reason).toBe(reason);
    expect([listeners(outer.signal), jest.getTimerCount()]).toEqual([0, 0]);
  });

  it("rejects with an already-aborted outer signal's reason without calling the operation", async () => {
    const reason = new Error("before");
    const operation = jest.fn();
    const outer = AbortSignal.abort(reason);
    await expect(withTimeout(operation, 100, { signal: outer })).rejects.toBe(reason);
    expect(operation).not.toHaveBeenCalled();
    expect([listeners(outer), jest.getTimerCount()]).toEqual([0, 0]);
  });

  it("removes the timer and the outer listener when the operation resolves", async () => {
    const outer = new AbortController();
    await expect(withTimeout(() => Promise.resolve(1), 100, { signal: outer.signal })).resolves.toBe(1);
    expect([listeners(outer.signal), jest.getTimerCount()]).toEqual([0, 0]);
  });

  it("removes the timer and the outer listener when the operation rejects", async () => {
    const outer = new AbortController();
    const error = new Error("failed");
    await expect(withTimeout(() => Promise.reject(error), 100, { signal: outer.signal })).rejects.toBe(error);
    expect([listeners(outer.signal), jest.getTimerCount()]).toEqual([0, 0]);
  });

  it("removes the timer and the outer listener when the operation throws synchronously", async () => {
    const outer = new AbortController();
    const error = new Error("sync");
    const p = withTimeout(
      () => {
        throw error;
      },
      100,
      { signal: outer.signal },
    );
    await expect(p).rejects.toBe(error);
    expect([listeners(outer.signal), jest.getTimerCount()]).toEqual([0, 0]);
  });

  it("removes the outer listener after a time-out", async () => {
    const lock = await heldLock();
    const outer = new AbortController();
    const p = track(withTimeout((signal) => lock.acquire({ signal }), 10, { signal: outer.signal }));
    jest.advanceTimersByTime(10);
    await tick();
    expect((p.current as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
    expect([listeners(outer.signal), jest.getTimerCount()]).toEqual([0, 0]);
    outer.abort("late"); // nothing left to reach
    await tick();
    expect((p.current as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
  });

  it("starts no timer for ms: Infinity, yet still follows the outer signal", async () => {
    const lock = await heldLock();
    const outer = new AbortController();
    const p = track(withTimeout((signal) => lock.acquire({ signal }), Infinity, { signal: outer.signal }));
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10 * MAX_TIMER_DELAY);
    await tick();
    expect(p.current).toEqual({ state: "pending" });
    outer.abort("stop");
    await tick();
    expect(p.current).toEqual({ state: "rejected", reason: "stop" });
    expect(listeners(outer.signal)).toBe(0);
  });

  it("times out at once for ms: 0 when the operation waits", async () => {
    const lock = await heldLock();
    const p = track(withTimeout((signal) => lock.acquire({ signal }), 0));
    jest.advanceTimersByTime(0);
    await tick();
    expect((p.current as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
    expect(lock.waiters).toBe(0);
  });

  it("does not time out early for ms over the timer limit", async () => {
    const lock = await heldLock();
    const ms = 2 * MAX_TIMER_DELAY + 3;
    const p = track(withTimeout((signal) => lock.acquire({ signal }), ms));
    jest.advanceTimersByTime(ms - 1);
    await tick();
    expect([p.current, jest.getTimerCount()]).toEqual([{ state: "pending" }, 1]);
    jest.advanceTimersByTime(1);
    await tick();
    expect((p.current as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
    expect([lock.waiters, jest.getTimerCount()]).toEqual([0, 0]);
  });

  it.each([
    ["operation is not a function", "op", 100, undefined, TypeError, "operation must be a function"],
    ["ms is negative", () => 1, -1, undefined, RangeError, "ms must be >= 0"],
    ["ms is NaN", () => 1, NaN, undefined, RangeError, "ms must be >= 0"],
    ["ms is a string", () => 1, "100", undefined, TypeError, "ms must be a number"],
    ["ms is missing", () => 1, undefined, undefined, TypeError, "ms must be a number"],
    ["the signal is not an AbortSignal", () => 1, 100, { signal: "x" }, TypeError, "signal must be an AbortSignal"],
    ["the options are not an object", () => 1, 100, 5, TypeError, "options must be an object"],
  ])("rejects (never throws) when %s, calling nothing", async (_, operation, ms, options, type, message) => {
    const spy = typeof operation === "function" ? jest.fn(operation) : operation;
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = withTimeout(spy as never, ms as never, options as never);
    }).not.toThrow();
    await expect(p).rejects.toThrow(new type(message));
    if (typeof spy === "function") expect(spy).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it("accepts null options as none", async () => {
    await expect(withTimeout(() => "ok", 100, null as never)).resolves.toBe("ok");
  });
});
