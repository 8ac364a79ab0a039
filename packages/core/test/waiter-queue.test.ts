import { getEventListeners } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { InvalidStateError, TimeoutError, type Waiter, type WaitOptions } from "@sync/core";
import { check, grantFitting, resolvedTrue, WaiterQueue } from "@sync/core/internal";
import { tick, track, useFakeTimersPerTest } from "./helpers";
import { MiniLock } from "./mini-lock";

// 2^31 - 1 ms: the longest delay a timer takes before it overflows.
const MAX_TIMER_DELAY = 2 ** 31 - 1;

// `gc()` for the storage test, in a fresh context, without `--expose-gc`.
setFlagsFromString("--expose-gc");

useFakeTimersPerTest();

/** The id a waiter was queued with: tests queue each waiter with its id as its need. */
function idOf(waiter: Waiter<unknown> | undefined): number | undefined {
  return (waiter as { need?: number } | undefined)?.need;
}

/** The abort listeners on `signal` right now. */
function listeners(signal: AbortSignal): number {
  return getEventListeners(signal, "abort").length;
}

describe("WaiterQueue structure", () => {
  it("is empty at first: length 0, shift gives undefined", () => {
    const queue = new WaiterQueue<string>();
    expect([queue.length, queue.shift()]).toEqual([0, undefined]);
  });

  it("shifts waiters in the order they were queued (FIFO), tracking length", () => {
    const queue = new WaiterQueue<string>();
    for (const id of [1, 2, 3]) void queue.wait(undefined, id);
    const log: (number | undefined)[] = [queue.length];
    for (let i = 0; i < 4; i++) log.push(idOf(queue.shift()), queue.length);
    expect(log).toEqual([3, 1, 2, 2, 1, 3, 0, undefined, 0]);
  });

  it("keeps the order when a waiter leaves from the middle, the head or the tail", () => {
    const queue = new WaiterQueue<string>();
    const controllers = [1, 2, 3, 4, 5].map((id) => {
      const controller = new AbortController();
      queue.wait({ signal: controller.signal }, id).catch(() => undefined);
      return controller;
    });
    for (const i of [2, 0, 4]) controllers[i]!.abort();
    expect(queue.length).toBe(2);
    expect([idOf(queue.shift()), idOf(queue.shift()), queue.shift()]).toEqual([2, 4, undefined]);
  });
});

describe("WaiterQueue storage", () => {
  /** Numbers in [0, 1) from a seed, so a failure replays. */
  function random(seed: number): () => number {
    const values = fc.sample(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { seed, numRuns: 50_000 });
    let i = 0;
    return () => values[i++ % values.length]!;
  }

  it("keeps the order when waiters leave from the middle", () => {
    const queue = new WaiterQueue<number>();
    const controllers = Array.from({ length: 16 }, (_, i) => {
      const controller = new AbortController();
      queue.wait({ signal: controller.signal }, i + 1).catch(() => undefined);
      return controller;
    });
    for (const controller of controllers.slice(1, 10)) controller.abort(); // head and tail stay: 9 dead nodes inside
    void queue.wait(undefined, 17); // a full ring of 16 slots, 7 of them live: copied, not grown
    const shifted: (number | undefined)[] = [queue.length];
    for (let i = 0; i < 9; i++) shifted.push(idOf(queue.shift()));
    expect(shifted).toEqual([8, 1, 11, 12, 13, 14, 15, 16, 17, undefined]);
  });

  // The queue grows, skips and copies around the dead nodes that leaving
  // waiters leave, and shrinks as it drains; an array is the model of what
  // a FIFO with removal of any entry must show through shift() and length.
  it.each([1, 2, 3])("behaves as an array through growth, dead nodes, copies and shrinking (seed %i)", (seed) => {
    const next = random(seed);
    const queue = new WaiterQueue<number>();
    const model: number[] = [];
    const controllers = new Map<number, AbortController>();
    const problems: string[] = [];
    let id = 0;
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
            const controller = new AbortController();
            controllers.set(++id, controller);
            queue.wait({ signal: controller.signal }, id).catch(() => undefined);
            model.push(id);
          } else if (roll < push + shift) {
            const waiter = queue.shift();
            if (idOf(waiter) !== model.shift()) problems.push(`${step}: shift differs`);
            waiter?.grant(0);
          } else if (model.length > 0) {
            const [gone] = model.splice(Math.floor(next() * model.length), 1);
            controllers.get(gone!)!.abort();
          }
          if (queue.length !== model.length) problems.push(`${step}: length ${queue.length}, model ${model.length}`);
        }
      }
      while (model.length > 0) controllers.get(model.pop()!)!.abort();
      if (queue.length !== 0) problems.push(`${step}: not empty`);
    }
    expect(problems).toEqual([]);
  });

  // What broke: a queue that drained to a few waiters after a burst kept its
  // peak-size storage (8 MiB for one waiter after a million). Measured on
  // the heap.
  it("gives the memory back as it drains to one waiter", async () => {
    jest.useRealTimers();
    const gc = runInNewContext("gc") as () => void;
    // The heap once collections stop freeing anything: with async hooks on
    // (another suite's AsyncLocalStorage in this worker), settled promises
    // are freed a few turns later.
    const heap = async (): Promise<number> => {
      for (let last = Infinity; ;) {
        await new Promise((resolve) => setImmediate(resolve));
        gc();
        const used = process.memoryUsage().heapUsed;
        if (Math.abs(last - used) < 64 * 1024) return used;
        last = used;
      }
    };
    let queue: WaiterQueue<number> | undefined = new WaiterQueue<number>();
    const count = 2 ** 18;
    for (let id = 1; id <= count; id++) void queue.wait(undefined, id);
    for (let i = 1; i < count; i++) queue.shift()!.grant(0);
    expect(queue.length).toBe(1);
    const drained = await heap();
    queue = undefined;
    // What the drained queue kept: a few slots and one waiter, against
    // 2-4 MiB for its peak-size storage.
    expect(drained - (await heap())).toBeLessThan(512 * 1024);
  });
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
        const first = track(queue.wait(undefined, 1));
        const middle = track(queue.wait({ signal: controller.signal }, 2));
        const last = track(queue.wait(undefined, 3));
        expect([queue.length, listeners(controller.signal)]).toEqual([3, 1]);
        controller.abort(reason);
        expect([queue.length, listeners(controller.signal)]).toEqual([2, 0]);
        const [a, c] = [queue.shift(), queue.shift()];
        expect([idOf(a), idOf(c)]).toEqual([1, 3]);
        void [queue.wait(undefined, 1), queue.wait(undefined, 3)];
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

    // Race: aborts in the middle and at the tail leave dead nodes, and a
    // rebuild moves the live ones. Actors: 40 waiters with signals of their
    // own, aborts in the middle and at the tail, pushes until the dead nodes
    // outnumber the live (a rebuild), then aborts of moved waiters. An abort
    // that took out the wrong node would send the grants astray.
    it("aborts the right waiter after dead nodes and a rebuild", async () => {
      const queue = new WaiterQueue<number>();
      // Ten shifted waiters stay as dead nodes before the head, one waiter
      // staying queued (an empty queue holds no node).
      for (let i = 0; i < 11; i++) void queue.wait();
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
      const controllers = range(0, 40).map(wait); // 41 queued
      for (const id of [39, ...range(2, 34)]) controllers[id]!.abort(`abort ${id}`);
      expect(queue.length).toBe(8); // the first waiter, 0, 1 and 34–38, among 33 dead nodes
      // 25 pushes; the aborts below rebuild the array (dead nodes outnumber the live).
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
      expect(reason.message).toBe("timed out without waiting");
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
      ["a negative timeout", { timeout: -1 }, RangeError, "timeout must be >= 0"],
      ["a NaN timeout", { timeout: NaN }, RangeError, "timeout must be >= 0"],
      ["timeout: -Infinity", { timeout: -Infinity }, RangeError, "timeout must be >= 0"],
      ["a string timeout", { timeout: "10" }, TypeError, "timeout must be a number"],
      ["timeout: null", { timeout: null }, TypeError, "timeout must be a number"],
      [
        "a signal that is not an AbortSignal",
        { signal: { aborted: true } },
        TypeError,
        "signal must be an AbortSignal",
      ],
      ["signal: null", { signal: null }, TypeError, "signal must be an AbortSignal"],
      ["options that are a number", 100, TypeError, "options must be an object"],
      ["options that are a string", "fast", TypeError, "options must be an object"],
      ["options that are a function", () => 1, TypeError, "options must be an object"],
    ])("rejects (never throws) for %s, queueing nothing", async (_, options, type, message) => {
      const queue = new WaiterQueue<string>();
      void queue.wait(undefined, 7); // someone already waiting: the queue must stay as it is
      let p: ReturnType<typeof track> | undefined;
      expect(() => {
        p = track(queue.wait(options as WaitOptions));
      }).not.toThrow();
      expect([queue.length, jest.getTimerCount()]).toEqual([1, 0]);
      expect(idOf(queue.shift())).toBe(7);
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

    it("never grants a waiter whose signal has aborted, even from an earlier listener on that signal", async () => {
      // Actors: a holder that releases when the signal aborts (its listener
      // was added first), a waiter on the same signal, and one without.
      // Interleaving: the abort runs the holder's listener, which releases
      // before the queue's own listener has run. What broke: the aborted
      // waiter was granted the lock; API.md says an aborted signal rejects,
      // and asyncio never wakes a cancelled waiter. Now the grant skips it
      // and the lock goes to the next waiter.
      const lock = new MiniLock();
      const controller = new AbortController();
      const reason = new Error("stop");
      await lock.acquire();
      controller.signal.addEventListener("abort", () => lock.release());
      const p = track(lock.acquire({ signal: controller.signal }));
      const q = track(lock.acquire());
      controller.abort(reason);
      await tick();
      expect([p.current, q.current]).toEqual([
        { state: "rejected", reason },
        { state: "fulfilled", value: true },
      ]);
      // The holder's own listener stays: the queue's is gone.
      expect([lock.locked(), lock.waiters, listeners(controller.signal)]).toEqual([true, 0, 1]);
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
      readonly #waiters: WaiterQueue<true>;

      constructor(value: number, passWakeUp: boolean) {
        this.value = value;
        this.#waiters = new WaiterQueue<true>(passWakeUp ? () => this.#wakeUpNext() : undefined);
      }

      get waiters(): number {
        return this.#waiters.length;
      }

      acquire(n: number, options?: WaitOptions): Promise<true> {
        if (this.#waiters.length === 0 && this.value >= n && check(options) === undefined) {
          this.value -= n;
          return resolvedTrue;
        }
        return this.#waiters.wait(options, n);
      }

      release(n: number): void {
        this.value += n;
        this.#wakeUpNext();
      }

      #wakeUpNext(): void {
        this.value -= grantFitting(this.#waiters, this.value, true);
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
        log.push(`onLeave: length ${queue.length}`);
      });
      const controller = new AbortController();
      void queue.wait().then((v) => log.push(`granted ${v}`));
      queue.wait({ signal: controller.signal }).catch((r: unknown) => log.push(`rejected ${String(r)}`));
      queue.wait().catch((r: unknown) => log.push(`failed ${String(r)}`));
      queue.shift()!.grant("x");
      controller.abort("stop");
      queue.shift()!.fail("reset");
      await tick();
      expect(log).toEqual(["onLeave: length 1", "granted x", "rejected stop", "failed reset"]);
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

describe("requeue()", () => {
  // Race. Actors: waiters a (plain), b (signal S) and c (signal T, never
  // aborted); the user's listener on S, added before b's wait, takes every
  // waiter off and puts them back, as a Barrier's last party does when it
  // finds itself short. Interleaving: S aborts, the user's listener runs
  // before the queue's, so b is still queued but aborted. shift() must skip
  // b (rejected with S's reason), and requeue() put a and c back in order,
  // still cancellable.
  it("puts back, in order, waiters that shift() took off, skipping those whose signal has aborted", async () => {
    const queue = new WaiterQueue<string>();
    const s = new AbortController();
    const t = new AbortController();
    const log: string[] = [];
    s.signal.addEventListener("abort", () => {
      const taken = [];
      for (let waiter; (waiter = queue.shift()) !== undefined;) taken.push(waiter);
      for (const waiter of taken) queue.requeue(waiter);
      log.push(`requeued ${queue.length}`);
    });
    for (const [name, signal] of [["a"], ["b", s.signal], ["c", t.signal]] as const)
      queue.wait({ signal }).then(
        (value) => log.push(`${name} ${value}`),
        (reason: unknown) => log.push(`${name} ${String(reason)}`),
      );
    s.abort("stop");
    await tick();
    expect(log).toEqual(["requeued 2", "b stop"]);
    t.abort("gone"); // c is watched again: it leaves, and a is the one left
    await tick();
    expect([log[2], queue.length]).toEqual(["c gone", 1]);
    queue.shift()!.grant("granted");
    await tick();
    expect(log).toEqual(["requeued 2", "b stop", "c gone", "a granted"]);
  });
});

describe("grantFitting()", () => {
  it("grants from the head while each need fits, and stops at the first that does not", async () => {
    const queue = new WaiterQueue<string>();
    const log: string[] = [];
    for (const [name, need] of [
      ["a", 2],
      ["b", 3],
      ["c", 1],
    ] as const)
      void queue.wait(undefined, need).then((value) => log.push(`${name} ${value}`));
    expect([grantFitting(queue, 4, "yes"), queue.length]).toEqual([2, 2]);
    await tick();
    expect(log).toEqual(["a yes"]);
  });
});
