import { getEventListeners } from "node:events";
import fc from "fast-check";
import {
  InvalidStateError,
  mayProceed,
  resolvedTrue,
  TimeoutError,
  Waiter,
  WaiterQueue,
  type WaitOptions,
} from "@sync/core";
import { tick, track } from "./helpers";
import { MiniLock } from "./mini-lock";

// 2^31 - 1 ms: the longest delay a timer takes before it overflows.
const MAX_TIMER_DELAY = 2 ** 31 - 1;

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

/** Waiters pushed by hand, named so that a queue's order reads as a list. */
function named<T>(...names: string[]): { waiters: Waiter<T>[]; order: (queue: WaiterQueue<T>) => string[] } {
  const waiters = names.map(() => new Waiter<T>());
  const nameOf = new Map(waiters.map((waiter, i) => [waiter, names[i]!]));
  return { waiters, order: (queue) => [...queue].map((waiter) => nameOf.get(waiter)!) };
}

/** The abort listeners on `signal` right now. */
function listeners(signal: AbortSignal): number {
  return getEventListeners(signal, "abort").length;
}

describe("WaiterQueue structure", () => {
  it("is empty at first: length 0, no first, nothing to iterate, shift gives undefined", () => {
    const queue = new WaiterQueue<string>();
    expect(queue.length).toBe(0);
    expect(queue.first).toBeUndefined();
    expect([...queue]).toEqual([]);
    expect(queue.shift()).toBeUndefined();
    expect(queue.length).toBe(0);
  });

  it("shifts waiters in the order they were pushed (FIFO)", () => {
    const queue = new WaiterQueue<string>();
    const {
      waiters: [a, b, c],
    } = named<string>("a", "b", "c");
    queue.push(a!);
    queue.push(b!);
    queue.push(c!);
    const log: (Waiter<string> | undefined)[] = [];
    for (let i = 0; i < 4; i++) log.push(queue.shift());
    expect(log).toEqual([a, b, c, undefined]);
    expect(queue.length).toBe(0);
    expect(queue.first).toBeUndefined();
  });

  it("tracks length, first and iteration order as waiters come and go", () => {
    const queue = new WaiterQueue<string>();
    const {
      waiters: [a, b, c],
      order,
    } = named<string>("a", "b", "c");
    const log: [number, string | undefined, string[]][] = [];
    const observe = (): void => {
      log.push([queue.length, queue.first === undefined ? undefined : order(queue)[0], order(queue)]);
    };
    queue.push(a!);
    observe();
    queue.push(b!);
    observe();
    queue.push(c!);
    observe();
    queue.shift();
    observe();
    queue.push(a!); // a shifted waiter may be queued again
    observe();
    expect(log).toEqual([
      [1, "a", ["a"]],
      [2, "a", ["a", "b"]],
      [3, "a", ["a", "b", "c"]],
      [2, "b", ["b", "c"]],
      [3, "b", ["b", "c", "a"]],
    ]);
    expect(queue.first).toBe(b);
  });

  it.each([
    ["the head", "a", ["b", "c", "d"]],
    ["a middle waiter", "b", ["a", "c", "d"]],
    ["another middle waiter", "c", ["a", "b", "d"]],
    ["the tail", "d", ["a", "b", "c"]],
  ])("removes %s and keeps the others linked in order", (_, removed, left) => {
    const queue = new WaiterQueue<string>();
    const names = ["a", "b", "c", "d"];
    const { waiters, order } = named<string>(...names);
    for (const waiter of waiters) queue.push(waiter);
    expect(queue.remove(waiters[names.indexOf(removed)]!)).toBe(true);
    expect(order(queue)).toEqual(left);
    expect(queue.length).toBe(3);
    // The links around the gap hold both ways: a new tail goes after the
    // last one left, and shifting walks the list from the head.
    const e = new Waiter<string>();
    queue.push(e);
    const shifted = [];
    for (let waiter; (waiter = queue.shift()) !== undefined;) shifted.push(waiter);
    expect(shifted).toEqual([...left.map((name) => waiters[names.indexOf(name)]), e]);
    expect(queue.length).toBe(0);
  });

  it("removes the only waiter, leaving an empty queue that works again", () => {
    const queue = new WaiterQueue<string>();
    const a = new Waiter<string>();
    const b = new Waiter<string>();
    queue.push(a);
    expect(queue.remove(a)).toBe(true);
    expect([queue.length, queue.first, [...queue]]).toEqual([0, undefined, []]);
    queue.push(b);
    expect([queue.length, queue.first, [...queue]]).toEqual([1, b, [b]]);
  });

  it("removes head and tail in turn down to empty, keeping both ends right", () => {
    const queue = new WaiterQueue<string>();
    const {
      waiters: [a, b, c],
      order,
    } = named<string>("a", "b", "c");
    queue.push(a!);
    queue.push(b!);
    queue.push(c!);
    const log: string[][] = [];
    queue.remove(c!); // tail
    log.push(order(queue));
    queue.remove(a!); // head
    log.push(order(queue));
    queue.push(c!);
    log.push(order(queue));
    queue.remove(b!); // head again
    log.push(order(queue));
    queue.remove(c!); // the only one
    log.push(order(queue));
    expect(log).toEqual([["a", "b"], ["b"], ["b", "c"], ["c"], []]);
    expect(queue.length).toBe(0);
  });

  it("returns false, and changes nothing, on a second removal", () => {
    const queue = new WaiterQueue<string>();
    const {
      waiters: [a, b],
      order,
    } = named<string>("a", "b");
    queue.push(a!);
    queue.push(b!);
    expect([queue.remove(a!), queue.remove(a!)]).toEqual([true, false]);
    expect(order(queue)).toEqual(["b"]);
    expect(queue.length).toBe(1);
  });

  it("returns false for a waiter that was never queued", () => {
    const queue = new WaiterQueue<string>();
    const a = new Waiter<string>();
    queue.push(a);
    expect(queue.remove(new Waiter<string>())).toBe(false);
    expect([...queue]).toEqual([a]);
  });

  it("returns false, and leaves both queues as they were, for a waiter of another queue", () => {
    const mine = new WaiterQueue<string>();
    const theirs = new WaiterQueue<string>();
    const {
      waiters: [a, b],
      order,
    } = named<string>("a", "b");
    mine.push(a!);
    theirs.push(b!);
    expect(mine.remove(b!)).toBe(false);
    expect([order(mine), mine.length, order(theirs), theirs.length]).toEqual([["a"], 1, ["b"], 1]);
    expect(theirs.remove(b!)).toBe(true);
  });

  it("lets a waiter pushed by hand, with no promise behind it, be granted, failed or abandoned", () => {
    const onLeave = jest.fn();
    const queue = new WaiterQueue<string>(onLeave);
    const [a, b, c] = [new Waiter<string>(), new Waiter<string>(), new Waiter<string>()];
    for (const waiter of [a, b, c]) queue.push(waiter);
    expect(() => {
      queue.shift()!.grant("nobody listens");
      queue.shift()!.fail(new Error("nobody listens"));
      c.abandon(new Error("nobody listens"));
    }).not.toThrow();
    expect([queue.length, onLeave.mock.calls.length]).toEqual([0, 1]);
  });

  it("throws TypeError when pushing a waiter that is already queued, here or elsewhere", () => {
    const mine = new WaiterQueue<string>();
    const theirs = new WaiterQueue<string>();
    const {
      waiters: [a, b],
      order,
    } = named<string>("a", "b");
    mine.push(a!);
    mine.push(b!);
    expect(() => mine.push(a!)).toThrow(new TypeError("waiter is already queued"));
    expect(() => theirs.push(b!)).toThrow(TypeError);
    expect([order(mine), mine.length, theirs.length]).toEqual([["a", "b"], 2, 0]);
  });
});

describe("WaiterQueue ring", () => {
  /** Numbers in [0, 1) from a seed, so a failure replays. */
  function random(seed: number): () => number {
    const values = fc.sample(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { seed, numRuns: 50_000 });
    let i = 0;
    return () => values[i++ % values.length]!;
  }

  it("keeps the order when a push finds the ring full of holes left by removals from the middle", () => {
    const queue = new WaiterQueue<number>();
    const waiters = Array.from({ length: 16 }, () => new Waiter<number>()); // 16: a new ring's capacity
    for (const waiter of waiters) queue.push(waiter);
    for (const waiter of waiters.slice(1, 9)) queue.remove(waiter); // head and tail stay: 8 holes inside
    const newcomer = new Waiter<number>();
    queue.push(newcomer);
    waiters.push(newcomer);
    // Compared by index: two waiters can look alike field by field.
    const at = (waiter: Waiter<number> | undefined) => (waiter === undefined ? undefined : waiters.indexOf(waiter));
    const expected = [0, 9, 10, 11, 12, 13, 14, 15, 16];
    expect([[...queue].map(at), queue.length, at(queue.first), at(queue.last)]).toEqual([expected, 9, 0, 16]);
    const shifted: (number | undefined)[] = [];
    for (let i = 0; i < 10; i++) shifted.push(at(queue.shift()));
    expect(shifted).toEqual([...expected, undefined]);
  });

  // The ring wraps, grows, compacts the holes that removals leave and
  // shrinks when it drains; an array is the model of what a FIFO with
  // removal of any entry must show through the public observers.
  it.each([1, 2, 3])(
    "behaves as an array through growth, wrap-around, holes, compaction and draining (seed %i)",
    (seed) => {
      const next = random(seed);
      const queue = new WaiterQueue<number>();
      const model: Waiter<number>[] = [];
      const problems: string[] = [];
      const check = (step: number, whole: boolean): void => {
        if (queue.length !== model.length) problems.push(`${step}: length ${queue.length}, model ${model.length}`);
        if (queue.first !== model[0]) problems.push(`${step}: first differs`);
        if (queue.last !== model[model.length - 1]) problems.push(`${step}: last differs`);
        if (whole && [...queue].some((waiter, i) => waiter !== model[i])) problems.push(`${step}: order differs`);
      };
      // Phases: fill past the idle capacity, churn with removals from the
      // middle, drain to empty; twice, so the drained ring is used again.
      const phases: [steps: number, push: number, shift: number][] = [
        [3000, 0.8, 0.1],
        [3000, 0.34, 0.33],
        [4000, 0.1, 0.3],
      ];
      let step = 0;
      for (let round = 0; round < 2; round++) {
        for (const [steps, push, shift] of phases) {
          for (let i = 0; i < steps; i++, step++) {
            const roll = next();
            if (roll < push) {
              const waiter = new Waiter<number>();
              queue.push(waiter);
              model.push(waiter);
            } else if (roll < push + shift) {
              const waiter = queue.shift();
              if (waiter !== model.shift()) problems.push(`${step}: shift differs`);
            } else if (model.length > 0) {
              const [waiter] = model.splice(Math.floor(next() * model.length), 1);
              if (!queue.remove(waiter!)) problems.push(`${step}: remove returned false`);
            }
            check(step, step % 97 === 0);
          }
          check(step, true);
        }
        while (model.length > 0) queue.remove(model.pop()!);
        check(step, true);
      }
      expect(problems).toEqual([]);
    },
  );
});

describe("WaiterQueue.wait()", () => {
  it("queues a waiter that resolves with what grant() gives it", async () => {
    const queue = new WaiterQueue<string>();
    const p = track(queue.wait());
    expect(queue.length).toBe(1);
    const waiter = queue.shift()!;
    expect(queue.length).toBe(0);
    waiter.grant("yours");
    await tick();
    expect(p.current).toEqual({ state: "fulfilled", value: "yours" });
  });

  it("grants in FIFO order through a primitive: a newcomer never overtakes", async () => {
    const lock = new MiniLock();
    const log: string[] = [];
    await lock.acquire();
    for (const name of ["a", "b", "c"]) void lock.acquire().then(() => log.push(name));
    lock.release();
    void lock.acquire().then(() => log.push("late")); // arrives after a hand-off
    for (let i = 0; i < 4; i++) {
      await tick();
      lock.release();
    }
    await tick();
    expect(log).toEqual(["a", "b", "c", "late"]);
    expect([lock.locked(), lock.waiters]).toEqual([false, 0]);
    expect(() => lock.release()).toThrow(InvalidStateError);
  });

  describe("with a signal", () => {
    it("rejects with the reason, queues nothing and adds no listener, if already aborted", async () => {
      const queue = new WaiterQueue<string>();
      const controller = new AbortController();
      const reason = new Error("gone");
      controller.abort(reason);
      const p = track(queue.wait({ signal: controller.signal }));
      expect([queue.length, listeners(controller.signal), jest.getTimerCount()]).toEqual([0, 0, 0]);
      await tick();
      expect(p.current).toEqual({ state: "rejected", reason });
      expect((p.current as { reason: unknown }).reason).toBe(reason);
    });

    it("rejects an already-aborted call even when it also has a timeout, starting no timer", async () => {
      const queue = new WaiterQueue<string>();
      const reason = new Error("gone");
      const p = track(queue.wait({ signal: AbortSignal.abort(reason), timeout: 50 }));
      expect([queue.length, jest.getTimerCount()]).toEqual([0, 0]);
      await tick();
      expect(p.current).toEqual({ state: "rejected", reason });
    });

    it.each([
      ["an Error", new Error("stop")],
      ["a string", "stop"],
      ["a number", 42],
      ["null", null],
      ["a plain object", { why: "stop" }],
    ])(
      "leaves the queue at once when aborted while waiting, and rejects with the very reason (%s)",
      async (_, reason) => {
        // Actors: three waiters; the middle one's signal aborts. Interleaving:
        // all queued, then abort() runs synchronously. What would break: a
        // queue that only marks the waiter and drops it on a later shift() would
        // still count it here, and a grant could be spent on it.
        const queue = new WaiterQueue<string>();
        const controller = new AbortController();
        const first = track(queue.wait());
        const middle = track(queue.wait({ signal: controller.signal }));
        const last = track(queue.wait());
        const [a, , c] = [...queue];
        expect([queue.length, listeners(controller.signal)]).toEqual([3, 1]);
        controller.abort(reason);
        expect([queue.length, [...queue]]).toEqual([2, [a, c]]);
        expect(listeners(controller.signal)).toBe(0);
        await tick();
        expect([first.current, middle.current, last.current]).toEqual([
          { state: "pending" },
          { state: "rejected", reason },
          { state: "pending" },
        ]);
        expect((middle.current as { reason: unknown }).reason).toBe(reason);
      },
    );

    it("keeps the default AbortError reason of abort() without an argument", async () => {
      const queue = new WaiterQueue<string>();
      const controller = new AbortController();
      const p = track(queue.wait({ signal: controller.signal }));
      controller.abort();
      await tick();
      expect(p.current).toEqual({ state: "rejected", reason: controller.signal.reason });
      expect((controller.signal.reason as Error).name).toBe("AbortError");
    });

    // Race: an abort finds its waiter through the slot it was given, and the
    // ring's growth and compaction move waiters to other slots. Actors: 40
    // waiters with signals of their own, aborts inside the ring and at its
    // tail, pushes until the ring is full and half holes (it compacts), then
    // aborts of moved waiters. Without the slots rewritten on resize, those
    // aborts would empty someone else's slot and the grants would go astray.
    it("aborts the right waiter after the ring has wrapped, grown and compacted", async () => {
      const queue = new WaiterQueue<number>();
      // Move the head off slot 0, one waiter staying queued (an empty queue
      // starts again at 0), so the next waiters wrap around.
      for (let i = 0; i < 11; i++) queue.push(new Waiter<number>());
      for (let i = 0; i < 10; i++) queue.shift();
      const log: string[] = [];
      const wait = (id: number) => {
        const controller = new AbortController();
        queue.wait({ signal: controller.signal }).then(
          (value) => log.push(`${id} granted ${value}`),
          (reason: unknown) => log.push(`${id} ${String(reason)}`),
        );
        return controller;
      };
      const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
      const controllers = range(0, 40).map(wait); // 41 queued: the ring grows 16 -> 32 -> 64
      for (const id of [39, ...range(2, 34)]) controllers[id]!.abort(`abort ${id}`);
      expect(queue.length).toBe(8); // the first waiter, 0, 1 and 34–38, with 32 holes between
      // 24 pushes fill the 64 slots with 32 waiters: the 25th push compacts.
      controllers.push(...range(40, 65).map(wait));
      expect(queue.length).toBe(33);
      for (const id of [0, 35, 40, 64]) controllers[id]!.abort(`abort ${id}`);
      await tick();
      const aborted = log.splice(0).sort();
      expect(aborted).toEqual([39, ...range(2, 34), 0, 35, 40, 64].map((id) => `${id} abort ${id}`).sort());
      queue.shift()!.grant(-1); // the waiter that held the head off slot 0
      let position = 0;
      for (let waiter; (waiter = queue.shift()) !== undefined;) waiter.grant(position++);
      await tick();
      const expected = [1, 34, 36, 37, 38, ...range(41, 64)];
      expect(log).toEqual(expected.map((id, i) => `${id} granted ${i}`));
      expect(controllers.map((controller) => listeners(controller.signal))).toEqual(controllers.map(() => 0));
    });

    it("lets waiters share one signal: one abort takes all of them out", async () => {
      const queue = new WaiterQueue<string>();
      const controller = new AbortController();
      const log: string[] = [];
      for (const name of ["a", "b"])
        queue.wait({ signal: controller.signal }).catch((r: unknown) => log.push(`${name} ${String(r)}`));
      const other = track(queue.wait());
      controller.abort("stop");
      expect([queue.length, listeners(controller.signal)]).toEqual([1, 0]);
      await tick();
      expect(log).toEqual(["a stop", "b stop"]);
      expect(other.current).toEqual({ state: "pending" });
    });
  });

  describe("with a timeout", () => {
    it("rejects with TimeoutError at exactly the timeout, not a millisecond before", async () => {
      const queue = new WaiterQueue<string>();
      const p = track(queue.wait({ timeout: 100 }));
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(99);
      await tick();
      expect([p.current, queue.length]).toEqual([{ state: "pending" }, 1]);
      jest.advanceTimersByTime(1);
      expect(queue.length).toBe(0); // it left in the timer callback itself
      await tick();
      const { reason } = p.current as { reason: Error };
      expect(reason).toBeInstanceOf(TimeoutError);
      expect(reason).toBeInstanceOf(Error);
      expect([reason.name, reason.message]).toEqual(["TimeoutError", "timed out while waiting"]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it("takes only the timed-out waiter out, whatever its place", async () => {
      const queue = new WaiterQueue<string>();
      const log: string[] = [];
      for (const [name, timeout] of [
        ["a", 300],
        ["b", 100],
        ["c", 200],
      ] as const)
        queue.wait({ timeout }).catch((r: unknown) => log.push(`${name} ${(r as Error).name}`));
      jest.advanceTimersByTime(100);
      const afterB = queue.length;
      jest.advanceTimersByTime(100);
      const afterC = queue.length;
      queue.shift()!.grant("a wins");
      jest.advanceTimersByTime(1000);
      await tick();
      expect([afterB, afterC, queue.length]).toEqual([2, 1, 0]);
      expect(log).toEqual(["b TimeoutError", "c TimeoutError"]);
    });

    it("rejects timeout: 0 at once with TimeoutError, without queueing or starting a timer", async () => {
      const queue = new WaiterQueue<string>();
      const controller = new AbortController();
      const p = track(queue.wait({ timeout: 0, signal: controller.signal }));
      expect([queue.length, jest.getTimerCount(), listeners(controller.signal)]).toEqual([0, 0, 0]);
      await tick();
      const { reason } = p.current as { reason: Error };
      expect(reason).toBeInstanceOf(TimeoutError);
      expect(reason.message).toBe("timed out without waiting (timeout: 0)");
    });

    it("treats timeout: Infinity as no timeout: no timer, waits for ever", async () => {
      const queue = new WaiterQueue<string>();
      const p = track(queue.wait({ timeout: Infinity }));
      expect([queue.length, jest.getTimerCount()]).toEqual([1, 0]);
      jest.advanceTimersByTime(10 * MAX_TIMER_DELAY);
      await tick();
      expect(p.current).toEqual({ state: "pending" });
      queue.shift()!.grant("late");
      await tick();
      expect(p.current).toEqual({ state: "fulfilled", value: "late" });
    });

    it.each([
      ["just over the timer limit", MAX_TIMER_DELAY + 1],
      ["2^31 ms", 2 ** 31],
      ["three times the limit and a bit", 3 * MAX_TIMER_DELAY + 12_345],
    ])("does not fire early for a timeout %s", async (_, timeout) => {
      // What would break: runtimes run a longer delay at once (Node warns and
      // uses 1 ms), and clamping it to the limit fires it before `timeout`.
      const queue = new WaiterQueue<string>();
      const p = track(queue.wait({ timeout }));
      jest.advanceTimersByTime(1);
      await tick();
      expect(p.current).toEqual({ state: "pending" });
      jest.advanceTimersByTime(timeout - 2);
      await tick();
      expect([p.current, queue.length, jest.getTimerCount()]).toEqual([{ state: "pending" }, 1, 1]);
      jest.advanceTimersByTime(1);
      await tick();
      expect((p.current as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
      expect([queue.length, jest.getTimerCount()]).toEqual([0, 0]);
    });

    it("clears a long timeout's current timer when granted between its steps", async () => {
      const queue = new WaiterQueue<string>();
      const p = track(queue.wait({ timeout: 2 * MAX_TIMER_DELAY + 10 }));
      jest.advanceTimersByTime(MAX_TIMER_DELAY + 5); // into the second step
      expect(jest.getTimerCount()).toBe(1);
      queue.shift()!.grant("in time");
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(2 * MAX_TIMER_DELAY);
      await tick();
      expect(p.current).toEqual({ state: "fulfilled", value: "in time" });
    });
  });

  describe("with malformed options", () => {
    it.each([
      ["a negative timeout", { timeout: -1 }, RangeError, "timeout must be >= 0, got -1"],
      ["a NaN timeout", { timeout: NaN }, RangeError, "timeout must be >= 0, got NaN"],
      ["timeout: -Infinity", { timeout: -Infinity }, RangeError, "timeout must be >= 0, got -Infinity"],
      ["a string timeout", { timeout: "10" }, TypeError, "timeout must be a number, got string"],
      ["timeout: null", { timeout: null }, TypeError, "timeout must be a number, got object"],
      [
        "a signal that is not an AbortSignal",
        { signal: { aborted: true } },
        TypeError,
        "signal must be an AbortSignal",
      ],
      ["signal: null", { signal: null }, TypeError, "signal must be an AbortSignal"],
      ["options that are a number", 100, TypeError, "options must be an object, got number"],
      ["options that are a string", "fast", TypeError, "options must be an object, got string"],
      ["options that are a function", () => 1, TypeError, "options must be an object, got function"],
    ])("rejects (never throws) for %s, queueing nothing", async (_, options, type, message) => {
      const queue = new WaiterQueue<string>();
      void queue.wait(); // someone already waiting: the queue must stay as it is
      const before = [...queue];
      let p: ReturnType<typeof track> | undefined;
      expect(() => {
        p = track(queue.wait(options as WaitOptions));
      }).not.toThrow();
      expect([[...queue], queue.length, jest.getTimerCount()]).toEqual([before, 1, 0]);
      await tick();
      const { reason } = p!.current as { reason: Error };
      expect(reason).toBeInstanceOf(type);
      expect(reason.message).toBe(message);
    });

    it.each([
      ["null", null],
      ["undefined", undefined],
      ["an empty object", {}],
      ["explicit undefined fields", { signal: undefined, timeout: undefined }],
    ])("treats %s options as none: the call waits", async (_, options) => {
      const queue = new WaiterQueue<string>();
      const p = track(queue.wait(options as WaitOptions));
      expect([queue.length, jest.getTimerCount()]).toEqual([1, 0]);
      queue.shift()!.grant("ok");
      await tick();
      expect(p.current).toEqual({ state: "fulfilled", value: "ok" });
    });
  });

  describe("once settled by the primitive", () => {
    it("ignores a later abort and timeout after grant(): resolves with the grant", async () => {
      const onLeave = jest.fn();
      const queue = new WaiterQueue<string>(onLeave);
      const controller = new AbortController();
      const p = track(queue.wait({ signal: controller.signal, timeout: 100 }));
      expect([listeners(controller.signal), jest.getTimerCount()]).toEqual([1, 1]);
      queue.shift()!.grant("granted");
      // invariant 3: settling removed the listener and cleared the timer.
      expect([listeners(controller.signal), jest.getTimerCount()]).toEqual([0, 0]);
      controller.abort(new Error("too late"));
      jest.advanceTimersByTime(1000);
      await tick();
      expect(p.current).toEqual({ state: "fulfilled", value: "granted" });
      expect(onLeave).not.toHaveBeenCalled();
    });

    it("ignores a later abort and timeout after fail(): rejects with the failure", async () => {
      const onLeave = jest.fn();
      const queue = new WaiterQueue<string>(onLeave);
      const controller = new AbortController();
      const p = track(queue.wait({ signal: controller.signal, timeout: 100 }));
      const failure = new Error("reset");
      queue.shift()!.fail(failure);
      expect([listeners(controller.signal), jest.getTimerCount()]).toEqual([0, 0]);
      controller.abort(new Error("too late"));
      jest.advanceTimersByTime(1000);
      await tick();
      expect(p.current).toEqual({ state: "rejected", reason: failure });
      expect(onLeave).not.toHaveBeenCalled();
    });

    it("does nothing on abandon() of a granted waiter", async () => {
      const onLeave = jest.fn();
      const queue = new WaiterQueue<string>(onLeave);
      const p = track(queue.wait());
      const other = track(queue.wait());
      const waiter = queue.shift()!;
      waiter.grant("mine");
      waiter.abandon(new Error("late"));
      await tick();
      expect(p.current).toEqual({ state: "fulfilled", value: "mine" });
      expect([queue.length, other.current]).toEqual([1, { state: "pending" }]);
      expect(onLeave).not.toHaveBeenCalled();
    });

    it("lets abandon() reject a queued waiter directly, once", async () => {
      const onLeave = jest.fn();
      const queue = new WaiterQueue<string>(onLeave);
      const p = track(queue.wait());
      const waiter = queue.first!;
      waiter.abandon("first");
      waiter.abandon("second");
      await tick();
      expect([p.current, queue.length, onLeave.mock.calls.length]).toEqual([
        { state: "rejected", reason: "first" },
        0,
        1,
      ]);
    });

    it("grants a waiter from an earlier listener on its own signal, and then ignores that abort", async () => {
      // Actors: a holder that releases when the signal aborts (its listener
      // was added first), and a waiter on the same signal. Interleaving: the
      // abort runs the holder's listener, which hands the lock to the waiter
      // and so removes the waiter's listener mid-dispatch. What would break:
      // if the waiter's listener still ran, it would find no signal, throw,
      // or abandon a granted waiter and leak the lock.
      const lock = new MiniLock();
      const controller = new AbortController();
      await lock.acquire();
      controller.signal.addEventListener("abort", () => lock.release());
      const p = track(lock.acquire({ signal: controller.signal }));
      controller.abort(new Error("stop"));
      await tick();
      expect(p.current).toEqual({ state: "fulfilled", value: true });
      expect([lock.locked(), lock.waiters]).toEqual([true, 0]);
    });
  });

  describe("onLeave", () => {
    /**
     * A test-only weighted semaphore in the asyncio style: `acquire(n)` takes
     * `n` permits, strictly first come first served, so a head that wants
     * more than is free holds up smaller requests behind it. When that head
     * leaves, the permits it was waiting for are free for the next in line:
     * the wake-up that `onLeave` passes on, as asyncio's `_wake_up_next()`
     * does for a cancelled waiter.
     */
    class WeightedSemaphore {
      value: number;
      readonly #wants = new Map<Waiter<true>, number>();
      readonly #waiters: WaiterQueue<true>;

      constructor(value: number, passWakeUp: boolean) {
        this.value = value;
        this.#waiters = new WaiterQueue<true>(passWakeUp ? () => this.#wakeUpNext() : undefined);
      }

      get waiters(): number {
        return this.#waiters.length;
      }

      acquire(n: number, options?: WaitOptions): Promise<true> {
        if (this.#waiters.length === 0 && this.value >= n && mayProceed(options)) {
          this.value -= n;
          return resolvedTrue;
        }
        const before = this.#waiters.length;
        const promise = this.#waiters.wait(options);
        // WaiterQueue has no `last`: walking to it is O(n), fine in a test.
        if (this.#waiters.length > before) this.#wants.set([...this.#waiters].at(-1)!, n);
        return promise;
      }

      release(n: number): void {
        this.value += n;
        this.#wakeUpNext();
      }

      #wakeUpNext(): void {
        for (let head; (head = this.#waiters.first) !== undefined && this.#want(head) <= this.value;) {
          this.value -= this.#want(head);
          this.#waiters.shift()!.grant(true);
        }
      }

      #want(waiter: Waiter<true>): number {
        return this.#wants.get(waiter)!;
      }
    }

    it.each([
      ["its signal aborts", (c: AbortController) => c.abort("stop"), "stop"],
      ["it times out", () => jest.advanceTimersByTime(100), "TimeoutError"],
    ])("passes the wake-up to the next waiter when the head leaves because %s", async (_, leave, why) => {
      // Actors: A holds 2 of 3 permits; B wants 3 (head, blocked); C wants 1
      // and waits behind B although 1 permit is free. Interleaving: B leaves.
      // What would break without the hook: C would sleep until A releases,
      // with a permit free: a lost wake-up.
      const log: string[] = [];
      const sem = new WeightedSemaphore(3, true);
      await sem.acquire(2);
      const controller = new AbortController();
      sem
        .acquire(3, { signal: controller.signal, timeout: 100 })
        .catch((r: unknown) => log.push(`B left: ${r instanceof TimeoutError ? r.name : String(r)}`));
      void sem.acquire(1).then(() => log.push("C granted"));
      expect([sem.value, sem.waiters]).toEqual([1, 2]);
      leave(controller);
      expect([sem.value, sem.waiters]).toEqual([0, 0]); // handed to C in the same step
      await tick();
      expect(log).toEqual([`B left: ${why}`, "C granted"]);
    });

    it("shows what breaks without it: the next waiter sleeps although it could go", async () => {
      const log: string[] = [];
      const sem = new WeightedSemaphore(3, false);
      await sem.acquire(2);
      const controller = new AbortController();
      sem.acquire(3, { signal: controller.signal }).catch(() => log.push("B left"));
      void sem.acquire(1).then(() => log.push("C granted"));
      controller.abort();
      await tick();
      expect(log).toEqual(["B left"]);
      expect([sem.value, sem.waiters]).toEqual([1, 1]);
    });

    it("runs after the abandoned waiter has left, and not for a grant or fail", async () => {
      const log: string[] = [];
      const queue: WaiterQueue<string> = new WaiterQueue<string>(() => {
        log.push(`onLeave: length ${queue.length}, leaver queued: ${[...queue].includes(leaver!)}`);
      });
      const controller = new AbortController();
      void queue.wait().then((v) => log.push(`granted ${v}`));
      queue.wait({ signal: controller.signal }).catch((r: unknown) => log.push(`rejected ${String(r)}`));
      queue.wait().catch((r: unknown) => log.push(`failed ${String(r)}`));
      const leaver = [...queue][1];
      queue.shift()!.grant("x");
      controller.abort("stop");
      queue.shift()!.fail("reset");
      await tick();
      expect(log).toEqual(["onLeave: length 1, leaver queued: false", "granted x", "rejected stop", "failed reset"]);
    });

    it("is optional: a queue without it abandons waiters just the same", async () => {
      const queue = new WaiterQueue<string>();
      expect(queue.onLeave).toBeUndefined();
      const p = track(queue.wait({ timeout: 5 }));
      jest.advanceTimersByTime(5);
      await tick();
      expect((p.current as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
    });
  });
});

describe("settling order", () => {
  // Actors: a primitive failing its whole queue at once (a barrier's reset),
  // with plain waiters and a cancellable one (it has a signal) in between.
  // A cancellable waiter used to reject through its reject function and a
  // plain one through a thenable, one microtask later, so the middle waiter
  // saw its rejection first: the queue's order was lost.
  it("fail() rejects waiters failed together in queue order, whatever their kind", async () => {
    const queue = new WaiterQueue<true>();
    const log: string[] = [];
    const controller = new AbortController();
    for (const [name, options] of [
      ["a", undefined],
      ["b", { signal: controller.signal }],
      ["c", undefined],
    ] as const) {
      queue.wait(options).catch((error: Error) => log.push(`${name}: ${error.message}`));
    }
    for (let waiter; (waiter = queue.shift()) !== undefined;) waiter.fail(new Error("reset"));
    await tick();
    expect(log).toEqual(["a: reset", "b: reset", "c: reset"]);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  // Actors: a waiter that aborts, then a release that grants the next one in
  // the same step. The caller must see the abort's rejection before the next
  // grant's resolution, in the order the two happened.
  it("an abort's rejection is seen before a grant made after it", async () => {
    const queue = new WaiterQueue<true>();
    const log: string[] = [];
    const controller = new AbortController();
    queue.wait({ signal: controller.signal }).catch(() => log.push("a aborted"));
    void queue.wait().then(() => log.push("b granted"));
    controller.abort();
    queue.shift()!.grant(true);
    await tick();
    expect(log).toEqual(["a aborted", "b granted"]);
  });
});
