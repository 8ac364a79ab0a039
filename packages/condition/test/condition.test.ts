import { getEventListeners } from "node:events";
import { inspect } from "node:util";
import { Condition } from "@sync/condition";
import { InvalidStateError, TimeoutError, type WaitOptions } from "@sync/core";
import { Lock } from "@sync/lock";
import { tick, track, useFakeTimersPerTest } from "../../core/test/helpers";

/** A condition on an explicit lock, so tests can also see the lock's own queue. */
function make(): { lock: Lock; cond: Condition } {
  const lock = new Lock();
  return { lock, cond: new Condition(lock) };
}

/**
 * A task that takes the lock, waits with `options`, logs how the wait ended
 * and whether the lock was held when it saw that, then releases.
 */
async function waiter(cond: Condition, log: string[], name: string, options?: WaitOptions): Promise<void> {
  await cond.acquire();
  try {
    await cond.wait(options);
    log.push(`${name} woken (locked: ${cond.locked()})`);
  } catch (error) {
    const what = error instanceof TimeoutError ? "timed out" : `rejected (${String(error)})`;
    log.push(`${name} ${what} (locked: ${cond.locked()})`);
  } finally {
    cond.release();
  }
}

function rejectionOf(tracked: { readonly current: { state: string; reason?: unknown } }): unknown {
  expect(tracked.current.state).toBe("rejected");
  return tracked.current.reason;
}

useFakeTimersPerTest();

describe("constructor", () => {
  test.each([
    ["no argument", () => new Condition()],
    ["undefined", () => new Condition(undefined)],
    ["null", () => new Condition(null)],
  ])("%s gives a new Lock of its own", async (_, build) => {
    const cond = build();
    const other = build();
    expect(cond.locked()).toBe(false);
    await cond.acquire();
    expect(cond.locked()).toBe(true);
    expect(other.locked()).toBe(false);
  });

  test("a Lock argument is shared: locking one shows on the other", async () => {
    const { lock, cond } = make();
    await lock.acquire();
    expect(cond.locked()).toBe(true);
    expect(cond.tryAcquire()).toBe(false);
    cond.release();
    expect(lock.locked()).toBe(false);
  });

  test.each<[string, unknown]>([
    ["a plain object", {}],
    ["a lock-like object", { acquire() {}, release() {}, locked: () => false }],
    ["a Condition", new Condition()],
    ["a string", "lock"],
    ["a number", 0],
    ["false", false],
  ])("%s is a TypeError", (_, argument) => {
    expect(() => new Condition(argument as Lock)).toThrow(TypeError);
  });

  test("several conditions can share one lock and keep their own waiters", async () => {
    const lock = new Lock();
    const notEmpty = new Condition(lock);
    const notFull = new Condition(lock);
    const log: string[] = [];
    track(waiter(notEmpty, log, "consumer"));
    track(waiter(notFull, log, "producer"));
    await tick();
    expect([notEmpty.waiters, notFull.waiters]).toEqual([1, 1]);
    expect(lock.locked()).toBe(false);

    await notFull.acquire(); // the same lock as notEmpty's
    expect(notEmpty.locked()).toBe(true);
    notEmpty.notify();
    expect([notEmpty.waiters, notFull.waiters]).toEqual([0, 1]);
    notEmpty.release();
    await tick();
    expect(log).toEqual(["consumer woken (locked: true)"]);

    await lock.acquire();
    notFull.notifyAll();
    lock.release();
    await tick();
    expect(log).toEqual(["consumer woken (locked: true)", "producer woken (locked: true)"]);
    expect(lock.locked()).toBe(false);
  });
});

describe("without the lock", () => {
  test("notify() and notifyAll() throw InvalidStateError", () => {
    const cond = new Condition();
    expect(() => cond.notify()).toThrow(new InvalidStateError("cannot notify on un-acquired lock"));
    expect(() => cond.notify(3)).toThrow(InvalidStateError);
    expect(() => cond.notifyAll()).toThrow(InvalidStateError);
    expect(cond.locked()).toBe(false);
  });

  test("wait() rejects with InvalidStateError, never throws, and queues nothing", async () => {
    const cond = new Condition();
    const waiting = cond.wait();
    expect(waiting).toBeInstanceOf(Promise);
    await expect(waiting).rejects.toThrow(new InvalidStateError("cannot wait on un-acquired lock"));
    // Checked before the options, too.
    await expect(cond.wait({ timeout: -1 })).rejects.toBeInstanceOf(InvalidStateError);
    expect(cond.waiters).toBe(0);
    expect(cond.locked()).toBe(false);
  });

  test("waitFor() rejects with InvalidStateError and never calls the predicate", async () => {
    const cond = new Condition();
    const truthy = jest.fn(() => true);
    const falsy = jest.fn(() => false);
    await expect(cond.waitFor(truthy)).rejects.toBeInstanceOf(InvalidStateError);
    await expect(cond.waitFor(falsy)).rejects.toBeInstanceOf(InvalidStateError);
    expect(truthy).not.toHaveBeenCalled();
    expect(falsy).not.toHaveBeenCalled();
    expect(cond.waiters).toBe(0);
  });
});

describe("wait", () => {
  test("releases the lock while waiting and holds it again when it resolves true", async () => {
    const { lock, cond } = make();
    const log: string[] = [];
    await cond.acquire();
    const waiting = track(cond.wait());
    expect(lock.locked()).toBe(false); // released synchronously
    expect(cond.waiters).toBe(1);

    // Another task can now take the lock and notify.
    await lock.acquire();
    log.push("notifier has the lock");
    cond.notify();
    expect(cond.waiters).toBe(0);
    await tick();
    expect(waiting.current.state).toBe("pending"); // needs the lock back first
    expect(lock.waiters).toBe(1);
    lock.release();
    log.push("notifier released");
    await tick();
    expect(waiting.current).toEqual({ state: "fulfilled", value: true });
    expect(log).toEqual(["notifier has the lock", "notifier released"]);
    expect(lock.locked()).toBe(true);
    cond.release();
    expect(lock.locked()).toBe(false);
  });

  test("notify(n) wakes the oldest n; waiters drops by n at once", async () => {
    const cond = new Condition();
    const log: string[] = [];
    for (const name of ["a", "b", "c", "d"]) track(waiter(cond, log, name));
    await tick();
    expect(cond.waiters).toBe(4);
    await cond.acquire();
    cond.notify(2);
    expect(cond.waiters).toBe(2);
    cond.release();
    await tick();
    expect(log).toEqual(["a woken (locked: true)", "b woken (locked: true)"]);
    expect(cond.locked()).toBe(false);

    await cond.acquire();
    cond.notify(0);
    expect(cond.waiters).toBe(2);
    cond.notify();
    expect(cond.waiters).toBe(1);
    cond.notify(10); // more than are waiting
    expect(cond.waiters).toBe(0);
    cond.release();
    await tick();
    expect(log.slice(2)).toEqual(["c woken (locked: true)", "d woken (locked: true)"]);
  });

  test("notifyAll() wakes every waiter, in order", async () => {
    const cond = new Condition();
    const log: string[] = [];
    for (const name of ["a", "b", "c"]) track(waiter(cond, log, name));
    await tick();
    await cond.acquire();
    cond.notifyAll();
    expect(cond.waiters).toBe(0);
    cond.notifyAll(); // nobody left: does nothing
    cond.release();
    await tick();
    expect(log).toEqual(["a woken (locked: true)", "b woken (locked: true)", "c woken (locked: true)"]);
  });

  test("notify(n) never spends a notification on a waiter that left", async () => {
    // Actors: waiters a, b, c, d; b's signal aborts, then (same step) the
    // notifier calls notify(2). Spending one of the two on b would wake only
    // a and leave c waiting for a notification that was sent.
    const cond = new Condition();
    const log: string[] = [];
    const controller = new AbortController();
    track(waiter(cond, log, "a"));
    track(waiter(cond, log, "b", { signal: controller.signal }));
    track(waiter(cond, log, "c"));
    track(waiter(cond, log, "d"));
    await tick();
    await cond.acquire();
    controller.abort(new Error("gone"));
    expect(cond.waiters).toBe(3);
    cond.notify(2);
    expect(cond.waiters).toBe(1);
    cond.release();
    await tick();
    expect(log).toEqual([
      "b rejected (Error: gone) (locked: true)",
      "a woken (locked: true)",
      "c woken (locked: true)",
    ]);
    expect(cond.waiters).toBe(1); // d
  });

  test.each<[string, unknown, ErrorConstructor]>([
    ["a string", "1", TypeError],
    ["null", null, TypeError],
    ["a bigint", 1n, TypeError],
    ["a negative number", -1, RangeError],
    ["a fraction", 1.5, RangeError],
    ["NaN", NaN, RangeError],
    ["-Infinity", -Infinity, RangeError],
  ])("notify(%s) throws and changes nothing", async (_, n, error) => {
    const cond = new Condition();
    const log: string[] = [];
    track(waiter(cond, log, "a"));
    await tick();
    await cond.acquire();
    expect(() => cond.notify(n as number)).toThrow(error);
    expect(cond.waiters).toBe(1);
    expect(cond.locked()).toBe(true);
    cond.release();
    await tick();
    expect(log).toEqual([]);
  });

  test("an already-aborted signal rejects at once without releasing the lock", async () => {
    const { lock, cond } = make();
    await cond.acquire();
    const next = track(lock.acquire()); // someone waits for the lock
    const reason = new Error("already");
    await expect(cond.wait({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(lock.locked()).toBe(true);
    expect(next.current.state).toBe("pending");
    expect(lock.waiters).toBe(1);
    expect(cond.waiters).toBe(0);
  });

  test("timeout: 0 rejects at once with TimeoutError without releasing the lock", async () => {
    const { lock, cond } = make();
    await cond.acquire();
    const next = track(lock.acquire());
    await expect(cond.wait({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    await tick();
    expect(lock.locked()).toBe(true);
    expect(next.current.state).toBe("pending");
    expect(cond.waiters).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  test.each<[string, unknown, ErrorConstructor]>([
    ["a negative timeout", { timeout: -1 }, RangeError],
    ["a string timeout", { timeout: "1" }, TypeError],
    ["a bad signal", { signal: new EventTarget() }, TypeError],
    ["non-object options", 1, TypeError],
  ])("malformed options (%s) reject without releasing the lock", async (_, options, error) => {
    const { lock, cond } = make();
    await cond.acquire();
    await expect(cond.wait(options as WaitOptions)).rejects.toBeInstanceOf(error);
    expect(lock.locked()).toBe(true);
    expect(cond.waiters).toBe(0);
  });

  test("aborted while waiting: leaves the queue at once, re-acquires, then rejects with the lock held", async () => {
    const { lock, cond } = make();
    const log: string[] = [];
    const controller = new AbortController();
    const task = track(waiter(cond, log, "A", { signal: controller.signal }));
    await tick();
    expect(cond.waiters).toBe(1);
    controller.abort(new Error("stop"));
    expect(cond.waiters).toBe(0);
    await tick();
    expect(log).toEqual(["A rejected (Error: stop) (locked: true)"]);
    expect(task.current.state).toBe("fulfilled");
    expect(lock.locked()).toBe(false); // A's finally released
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  test("aborted while another task holds the lock: the rejection waits for the lock", async () => {
    // Actors: A waits on the condition; B takes the lock; A's signal aborts
    // while B holds it. A must not see the rejection until it holds the lock
    // again, or A's finally would release B's lock.
    const { lock, cond } = make();
    const log: string[] = [];
    const controller = new AbortController();
    track(waiter(cond, log, "A", { signal: controller.signal }));
    await tick();
    await lock.acquire();
    log.push("B holds the lock");
    controller.abort(new Error("stop"));
    expect(cond.waiters).toBe(0); // left the notification queue at once
    await tick();
    expect(lock.waiters).toBe(1); // ...and waits for the lock
    log.push("B releases");
    lock.release();
    expect(lock.locked()).toBe(true); // handed to A
    await tick();
    expect(log).toEqual(["B holds the lock", "B releases", "A rejected (Error: stop) (locked: true)"]);
    expect(lock.locked()).toBe(false);
    expect(lock.waiters).toBe(0);
  });

  test("timed out while waiting: rejects with TimeoutError, lock held, once the holder releases", async () => {
    const { lock, cond } = make();
    const log: string[] = [];
    track(waiter(cond, log, "A", { timeout: 100 }));
    await tick();
    await lock.acquire();
    jest.advanceTimersByTime(99);
    expect(cond.waiters).toBe(1);
    jest.advanceTimersByTime(1);
    expect(cond.waiters).toBe(0);
    await tick();
    expect(log).toEqual([]);
    lock.release();
    await tick();
    expect(log).toEqual(["A timed out (locked: true)"]);
    expect(lock.locked()).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });

  test("a timeout during the re-acquire after a notification changes nothing: resolves true", async () => {
    const { lock, cond } = make();
    const log: string[] = [];
    track(waiter(cond, log, "A", { timeout: 100 }));
    await tick();
    await lock.acquire();
    cond.notify();
    expect(jest.getTimerCount()).toBe(0); // the timer went with the notification
    jest.advanceTimersByTime(1_000);
    await tick();
    expect(log).toEqual([]);
    lock.release();
    await tick();
    expect(log).toEqual(["A woken (locked: true)"]);
  });

  test("an abort during the re-acquire after a notification changes nothing: resolves true", async () => {
    const { lock, cond } = make();
    const log: string[] = [];
    const controller = new AbortController();
    track(waiter(cond, log, "A", { signal: controller.signal }));
    await tick();
    await lock.acquire();
    cond.notify();
    await tick();
    controller.abort();
    lock.release();
    await tick();
    expect(log).toEqual(["A woken (locked: true)"]);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  test("notify() right after an abort wakes the next waiter instead", async () => {
    const cond = new Condition();
    const log: string[] = [];
    const controller = new AbortController();
    track(waiter(cond, log, "a", { signal: controller.signal }));
    track(waiter(cond, log, "b"));
    await tick();
    await cond.acquire();
    controller.abort(new Error("x"));
    cond.notify();
    cond.release();
    await tick();
    expect(log).toEqual(["a rejected (Error: x) (locked: true)", "b woken (locked: true)"]);
    expect(cond.waiters).toBe(0);
  });
});

describe("waitFor", () => {
  test("resolves the predicate's last value, calling it with the lock held after each notification", async () => {
    const cond = new Condition();
    const values: unknown[] = [0, "", { item: 1 }];
    const seen: string[] = [];
    const predicate = (): unknown => {
      seen.push(`called (locked: ${cond.locked()})`);
      return values.shift();
    };
    await cond.acquire();
    const result = track(cond.waitFor(predicate));
    for (let round = 0; round < 2; round++) {
      await tick();
      await cond.acquire();
      cond.notify();
      cond.release();
    }
    await tick();
    expect(result.current).toEqual({ state: "fulfilled", value: { item: 1 } });
    expect(seen).toEqual(["called (locked: true)", "called (locked: true)", "called (locked: true)"]);
    expect(cond.locked()).toBe(true);
  });

  test("a truthy predicate resolves at once, without releasing the lock", async () => {
    const { lock, cond } = make();
    await cond.acquire();
    const next = track(lock.acquire());
    expect(await cond.waitFor(() => 7)).toBe(7);
    expect(next.current.state).toBe("pending");
    expect(lock.locked()).toBe(true);
  });

  test("a predicate that is not a function is a TypeError", async () => {
    const cond = new Condition();
    await cond.acquire();
    await expect(cond.waitFor(true as never)).rejects.toBeInstanceOf(TypeError);
    expect(cond.locked()).toBe(true);
  });

  test("a predicate that throws rejects with its error, with the lock held", async () => {
    const cond = new Condition();
    await cond.acquire();
    let calls = 0;
    const waiting = track(
      cond.waitFor(() => {
        if (++calls > 1) throw new Error("bad state");
        return false;
      }),
    );
    await tick();
    await cond.acquire();
    cond.notify();
    cond.release();
    await tick();
    expect(rejectionOf(waiting)).toEqual(new Error("bad state"));
    expect(cond.locked()).toBe(true);
  });

  test("the timeout bounds the whole call, not each round", async () => {
    // The waiter is notified at 60 ms with the predicate still false. A
    // per-round timeout would restart at 100 ms and reject at 160 ms.
    const cond = new Condition();
    await cond.acquire();
    const predicate = jest.fn(() => false);
    const waiting = track(cond.waitFor(predicate, { timeout: 100 }));
    await tick();
    jest.advanceTimersByTime(60);
    await cond.acquire();
    cond.notify();
    cond.release();
    await tick();
    expect(predicate).toHaveBeenCalledTimes(2);
    expect(cond.waiters).toBe(1);
    jest.advanceTimersByTime(39);
    await tick();
    expect(waiting.current.state).toBe("pending");
    jest.advanceTimersByTime(1);
    await tick();
    expect(rejectionOf(waiting)).toBeInstanceOf(TimeoutError);
    expect(cond.locked()).toBe(true);
    expect(cond.waiters).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  test("the signal bounds the whole call: an abort in a later round rejects with its reason, lock held", async () => {
    const cond = new Condition();
    await cond.acquire();
    const controller = new AbortController();
    const waiting = track(cond.waitFor(() => false, { signal: controller.signal }));
    await tick();
    await cond.acquire();
    cond.notify();
    cond.release();
    await tick();
    expect(cond.waiters).toBe(1); // second round
    const reason = new Error("enough");
    controller.abort(reason);
    await tick();
    expect(rejectionOf(waiting)).toBe(reason);
    expect(cond.locked()).toBe(true);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  test("an abort after a notification lets the round finish: a truthy predicate resolves", async () => {
    const cond = new Condition();
    let ready = false;
    await cond.acquire();
    const controller = new AbortController();
    const waiting = track(cond.waitFor(() => ready, { signal: controller.signal }));
    await tick();
    await cond.acquire();
    ready = true;
    cond.notify();
    controller.abort();
    cond.release();
    await tick();
    expect(waiting.current).toEqual({ state: "fulfilled", value: true });
    expect(cond.locked()).toBe(true);
  });

  test("an abort after a notification with a falsy predicate rejects after that round, lock held", async () => {
    const cond = new Condition();
    await cond.acquire();
    const controller = new AbortController();
    const predicate = jest.fn(() => false);
    const waiting = track(cond.waitFor(predicate, { signal: controller.signal }));
    await tick();
    await cond.acquire();
    cond.notify();
    controller.abort();
    cond.release();
    await tick();
    expect(predicate).toHaveBeenCalledTimes(2); // the round finished
    expect(rejectionOf(waiting)).toBe(controller.signal.reason);
    expect(cond.locked()).toBe(true);
    expect(cond.waiters).toBe(0);
  });

  test("timeout: 0 resolves a truthy predicate, rejects a falsy one at once, never releasing the lock", async () => {
    const { lock, cond } = make();
    await cond.acquire();
    const next = track(lock.acquire());
    expect(await cond.waitFor(() => "yes", { timeout: 0 })).toBe("yes");
    await expect(cond.waitFor(() => false, { timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    await tick();
    expect(next.current.state).toBe("pending");
    expect(lock.locked()).toBe(true);
    expect(cond.waiters).toBe(0);
  });

  test("an already-aborted signal rejects at once, before the predicate is called", async () => {
    const { lock, cond } = make();
    await cond.acquire();
    const predicate = jest.fn(() => true);
    const reason = new Error("no");
    await expect(cond.waitFor(predicate, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(predicate).not.toHaveBeenCalled();
    expect(lock.locked()).toBe(true);
  });

  test("malformed options reject before the predicate is called", async () => {
    const cond = new Condition();
    await cond.acquire();
    const predicate = jest.fn(() => true);
    await expect(cond.waitFor(predicate, { timeout: NaN })).rejects.toBeInstanceOf(RangeError);
    await expect(cond.waitFor(predicate, { signal: {} as AbortSignal })).rejects.toBeInstanceOf(TypeError);
    expect(predicate).not.toHaveBeenCalled();
    expect(cond.locked()).toBe(true);
  });

  test("timeout: Infinity and null options mean no bound", async () => {
    const cond = new Condition();
    await cond.acquire();
    let ready = false;
    const infinite = track(cond.waitFor(() => ready, { timeout: Infinity }));
    await cond.acquire(); // the first call released it
    const nulled = track(cond.waitFor(() => ready, null as unknown as WaitOptions));
    await tick();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(2 ** 40);
    await cond.acquire();
    ready = true;
    cond.notifyAll();
    cond.release();
    await tick();
    expect(infinite.current).toEqual({ state: "fulfilled", value: true });
    expect(nulled.current.state).toBe("pending"); // its turn with the lock comes next
    cond.release(); // the first waiter is done with the lock
    await tick();
    expect(nulled.current).toEqual({ state: "fulfilled", value: true });
    expect(cond.locked()).toBe(true);
  });
});

describe("the lock's members", () => {
  test("acquire, tryAcquire, release, locked, hold and run act on the underlying lock", async () => {
    const { lock, cond } = make();
    expect(await cond.acquire()).toBe(true);
    expect(lock.locked()).toBe(true);
    expect(cond.tryAcquire()).toBe(false);
    cond.release();
    expect(lock.locked()).toBe(false);
    expect(cond.tryAcquire()).toBe(true);
    expect(() => lock.release()).not.toThrow();
    expect(() => cond.release()).toThrow(InvalidStateError);
    {
      using _ = await cond.hold();
      expect(lock.locked()).toBe(true);
    }
    expect(lock.locked()).toBe(false);
    expect(await cond.run(() => lock.locked())).toBe(true);
    expect(lock.locked()).toBe(false);
  });
});

describe("String() and util.inspect()", () => {
  test("show the lock's state and the number of waiters in API.md's format", async () => {
    const cond = new Condition();
    const shown = (): string[] => [String(cond), inspect(cond)];
    expect(shown()).toEqual(["<Condition [unlocked]>", "<Condition [unlocked]>"]);
    await cond.acquire();
    expect(shown()).toEqual(["<Condition [locked]>", "<Condition [locked]>"]);
    void cond.wait();
    expect(shown()).toEqual(["<Condition [unlocked, waiters:1]>", "<Condition [unlocked, waiters:1]>"]);
    await cond.acquire();
    expect(shown()).toEqual(["<Condition [locked, waiters:1]>", "<Condition [locked, waiters:1]>"]);
    void cond.wait();
    await cond.acquire();
    expect(shown()).toEqual(["<Condition [locked, waiters:2]>", "<Condition [locked, waiters:2]>"]);
    expect(inspect({ cond })).toBe("{ cond: <Condition [locked, waiters:2]> }");
  });
});
