// Regression tests for the edges a reviewer found in core (issue 11). Each
// opens with what broke before the fix.
import { getEventListeners } from "node:events";
import { InvalidStateError, TimeoutError, withTimeout, type WaitOptions } from "@sync/core";
import { check, grantFitting, hold, isInstance, reasonOf, WaiterQueue } from "@sync/core/internal";
import { tick, track } from "./helpers";
import { MiniLock } from "./mini-lock";

function listeners(signal: AbortSignal): number {
  return getEventListeners(signal, "abort").length;
}

describe("an aborted waiter is never granted", () => {
  it("grantFitting() skips and rejects a waiter whose signal aborted, granting those behind", async () => {
    // Actors: a waiter on signal S, one without, and an earlier listener on
    // S that grants from the queue. What broke: the aborted waiter was
    // granted because its own abort listener had not run yet.
    const queue = new WaiterQueue<true>();
    const controller = new AbortController();
    let used = -1;
    controller.signal.addEventListener("abort", () => (used = grantFitting(queue, 5, true)));
    const a = track(queue.wait({ signal: controller.signal }, 2));
    const b = track(queue.wait(undefined, 3));
    controller.abort("stop");
    await tick();
    expect([used, a.current, b.current, queue.length]).toEqual([
      3,
      { state: "rejected", reason: "stop" },
      { state: "fulfilled", value: true },
      0,
    ]);
  });
});

describe("an error during an abort does not stop the others", () => {
  // Actors: three waiters on one signal, in two queues; the first queue's
  // onLeave throws. What broke: the abort loop stopped at the throw, so the
  // other waiters stayed queued and one of them later got the lock.
  function setUp(): { log: string[]; controller: AbortController; queues: WaiterQueue<true>[] } {
    const log: string[] = [];
    const controller = new AbortController();
    const failing = new WaiterQueue<true>(() => {
      throw new Error("hook failed");
    });
    const other = new WaiterQueue<true>();
    for (const [queue, name] of [
      [failing, "a"],
      [other, "b"],
      [failing, "c"],
    ] as const) {
      queue.wait({ signal: controller.signal }).catch((reason: unknown) => log.push(`${name} ${String(reason)}`));
    }
    return { log, controller, queues: [failing, other] };
  }

  afterEach(() => {
    delete (globalThis as { reportError?: unknown }).reportError;
    jest.restoreAllMocks();
  });

  it("aborts every waiter of the signal, then reports the first error through reportError", async () => {
    const reported: unknown[] = [];
    (globalThis as { reportError?: unknown }).reportError = (error: unknown) => reported.push(error);
    const { log, controller, queues } = setUp();
    controller.abort("stop");
    await tick();
    expect(log).toEqual(["a stop", "b stop", "c stop"]);
    expect(queues.map((queue) => queue.length)).toEqual([0, 0]);
    expect([reported.length, (reported[0] as Error).message, listeners(controller.signal)]).toEqual([
      1,
      "hook failed",
      0,
    ]);
  });

  it("rethrows it from a microtask where there is no reportError", async () => {
    const tasks: (() => void)[] = [];
    jest.spyOn(globalThis, "queueMicrotask").mockImplementation((task) => void tasks.push(task));
    const { log, controller } = setUp();
    controller.abort("stop");
    jest.restoreAllMocks();
    await tick();
    expect(log).toEqual(["a stop", "b stop", "c stop"]);
    expect(tasks).toHaveLength(1);
    expect(() => tasks[0]!()).toThrow("hook failed");
  });
});

describe("options that misbehave reject, never throw", () => {
  // What broke: reading a throwing getter, or a fake AbortSignal's
  // `aborted`, threw out of acquire() synchronously.
  const throwing = {
    get signal(): AbortSignal {
      throw new Error("getter");
    },
  };
  const fake = Object.create(AbortSignal.prototype) as AbortSignal;

  it.each([
    ["a getter that throws", throwing, Error, "getter"],
    ["a fake AbortSignal (its getters throw)", { signal: fake }, TypeError, "AbortSignal"],
    ["an object that is no signal", { signal: { aborted: false } }, TypeError, "signal must be an AbortSignal"],
  ])("with %s", async (_, options, type, message) => {
    const queue = new WaiterQueue<true>();
    const lock = new MiniLock();
    await lock.acquire();
    for (const call of [() => queue.wait(options as WaitOptions), () => lock.acquire(options as WaitOptions)]) {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = call())).not.toThrow();
      // By name: Node makes the fake signal's TypeError in its own realm.
      await expect(promise).rejects.toMatchObject({ name: type.name, message: expect.stringContaining(message) });
    }
    expect([queue.length, lock.waiters]).toEqual([0, 0]);
  });

  it("rejects for an unbound this", async () => {
    const { wait } = new WaiterQueue<true>();
    for (const call of [() => wait.call(undefined as never), () => hold(undefined as never)]) {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = call())).not.toThrow();
      await expect(promise).rejects.toThrow(TypeError);
    }
  });
});

describe("signals that are not this realm's AbortSignal", () => {
  /** A signal as a polyfill makes it: an EventTarget with `aborted` and no `reason`. */
  class PolyfillSignal extends EventTarget {
    aborted = false;
    abort(): void {
      this.aborted = true;
      this.dispatchEvent(new Event("abort"));
    }
  }

  it("accepts a real AbortSignal whose prototype is another realm's", async () => {
    // What broke: `instanceof AbortSignal` refused an iframe's signal, even
    // on a free lock. Another realm's signal fails `instanceof` as this one does.
    const controller = new AbortController();
    Object.setPrototypeOf(
      controller.signal,
      Object.create(EventTarget.prototype, {
        aborted: Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted")!,
        reason: Object.getOwnPropertyDescriptor(AbortSignal.prototype, "reason")!,
      }),
    );
    expect(controller.signal instanceof AbortSignal).toBe(false);
    const lock = new MiniLock();
    await expect(lock.acquire({ signal: controller.signal })).resolves.toBe(true);
    const p = track(lock.acquire({ signal: controller.signal }));
    controller.abort("stop");
    await tick();
    expect([p.current, lock.waiters]).toEqual([{ state: "rejected", reason: "stop" }, 0]);
  });

  it("rejects with an AbortError for a polyfilled signal without reason, aborted before or while waiting", async () => {
    // What broke: an already-aborted polyfilled signal was ignored and the
    // lock taken; an abort while waiting rejected with undefined.
    const lock = new MiniLock();
    const before = new PolyfillSignal();
    before.abort();
    const early = track(lock.acquire({ signal: before as unknown as AbortSignal })); // the lock is free
    expect(lock.locked()).toBe(false);
    await lock.acquire();
    expect(check({ signal: before as unknown as AbortSignal })).toBeInstanceOf(DOMException);
    expect(reasonOf(AbortSignal.abort(null))).toBeNull();
    const during = new PolyfillSignal();
    const late = track(lock.acquire({ signal: during as unknown as AbortSignal }));
    during.abort();
    await tick();
    for (const p of [early, late]) {
      const { state, reason } = p.current as { state: string; reason: DOMException };
      expect([state, reason instanceof DOMException, reason.name]).toEqual(["rejected", true, "AbortError"]);
    }
    expect([lock.locked(), lock.waiters]).toEqual([true, 0]);
  });
});

describe("errors recognise instances of another build", () => {
  // What broke: `instanceof TimeoutError` was false for an error made by
  // the other build (ESM vs CommonJS) of @sync/core. An object carrying the
  // brand stands for the other build here; the dist test loads both builds.
  it.each([
    ["TimeoutError", TimeoutError],
    ["InvalidStateError", InvalidStateError],
  ])("%s", (name, ErrorClass) => {
    const foreign = Object.create(Object.create(Error.prototype, { [`@sync/${name}`]: { value: true } }));
    class Sub extends (ErrorClass as typeof TimeoutError) {}
    expect([foreign instanceof ErrorClass, foreign instanceof Sub, new ErrorClass() instanceof Sub]).toEqual([
      true,
      false,
      false,
    ]);
    expect([new Sub() instanceof ErrorClass, new Sub() instanceof Sub, {} instanceof ErrorClass]).toEqual([
      true,
      true,
      false,
    ]);
    expect((5 as unknown) instanceof (ErrorClass as never as () => void)).toBe(false);
    const key = `@sync/${name}`;
    expect([
      (new ErrorClass() as unknown as Record<string, unknown>)[key],
      isInstance(key).call(ErrorClass, foreign),
    ]).toEqual([true, true]);
  });
});

describe("withTimeout shares the queue's one listener per signal", () => {
  it("adds one listener for eleven concurrent calls on one signal, and removes it with the last", async () => {
    // What broke: one listener per call; eleven calls sharing a request's
    // signal printed Node's MaxListenersExceededWarning.
    const controller = new AbortController();
    const lock = new MiniLock();
    await lock.acquire();
    const calls = Array.from({ length: 11 }, () =>
      track(withTimeout((signal) => lock.acquire({ signal }), 1_000, { signal: controller.signal })),
    );
    expect(listeners(controller.signal)).toBe(1);
    controller.abort("stop");
    await tick();
    expect(calls.map((p) => p.current)).toEqual(calls.map(() => ({ state: "rejected", reason: "stop" })));
    expect([listeners(controller.signal), lock.waiters]).toEqual([0, 0]);
  });
});
