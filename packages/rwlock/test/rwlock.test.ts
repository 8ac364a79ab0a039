import { AsyncLocalStorage } from "node:async_hooks";
import { getEventListeners } from "node:events";
import { inspect } from "node:util";
import { Guard, InvalidStateError, TimeoutError, type WaitOptions } from "@sync/core";
import { RWLock } from "@sync/rwlock";
import { tick, track, trackLogged, useFakeTimersPerTest } from "../../core/test/helpers";

type Side = "reader" | "writer";

/** Checks the class invariants through public observers. */
function expectConsistent(rw: RWLock): void {
  // Never a writer beside anyone.
  if (rw.writing) expect(rw.readers).toBe(0);
  // waiters > 0 implies the lock is held (the head does not fit).
  if (rw.waiters > 0) expect(rw.writing || rw.readers > 0).toBe(true);
}

/** Queues acquire() calls, `r…` names on the reader and `w…` names on the writer, each logging once granted. */
function queue(rw: RWLock, log: string[], names: string[], options: Record<string, WaitOptions> = {}) {
  return Object.fromEntries(
    names.map((name) => {
      const side: Side = name.startsWith("w") ? "writer" : "reader";
      return [name, trackLogged(rw[side].acquire(options[name]), log, name)];
    }),
  );
}

useFakeTimersPerTest();

describe("cancellation", () => {
  test("abort of the head waiter: a writer queued behind readers leaves, and the reads behind it are granted at once", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    rw.reader.tryAcquire();
    const controller = new AbortController();
    const calls = queue(rw, log, ["w1", "r2", "r3", "w4", "r5"], { w1: { signal: controller.signal } });
    expect(String(rw)).toBe("<RWLock [read:1, waiters:5]>");

    controller.abort(new Error("gone"));
    // Synchronously: r2 and r3 join the reader that holds; w4 now heads the queue.
    expect([rw.readers, rw.waiters]).toEqual([3, 2]);
    await tick();
    expect(log).toEqual(["w1 rejected", "r2", "r3"]);
    expect(calls.w1!.current).toEqual({ state: "rejected", reason: new Error("gone") });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expectConsistent(rw);
  });

  test("abort of the head writer while a writer holds: nobody is granted, the next in line is the new head", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    rw.writer.tryAcquire();
    const controller = new AbortController();
    queue(rw, log, ["w1", "r2"], { w1: { signal: controller.signal } });
    controller.abort("stop");
    await tick();
    expect(log).toEqual(["w1 rejected"]);
    expect(String(rw)).toBe("<RWLock [write, waiters:1]>");
    rw.writer.release();
    await tick();
    expect(log).toEqual(["w1 rejected", "r2"]);
  });

  test("timeout of a queued writer unblocks the readers behind it", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    await rw.reader.acquire();
    const calls = queue(rw, log, ["w1", "r2", "r3"], { w1: { timeout: 50 } });
    jest.advanceTimersByTime(49);
    await tick();
    expect(log).toEqual([]);
    jest.advanceTimersByTime(1);
    await tick();
    expect(log).toEqual(["w1 rejected", "r2", "r3"]);
    expect((calls.w1!.current as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
    expect(String(rw)).toBe("<RWLock [read:3]>");
    expect(jest.getTimerCount()).toBe(0);
  });

  test("abort at the grant: a waiter granted by release() keeps the lock although its signal aborts in the same step", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    rw.writer.tryAcquire();
    const controller = new AbortController();
    const calls = queue(rw, log, ["w1", "r2"], { w1: { signal: controller.signal, timeout: 10 } });
    rw.writer.release();
    controller.abort("too late");
    jest.advanceTimersByTime(10);
    await tick();
    expect(calls.w1!.current).toEqual({ state: "fulfilled", value: true });
    expect(String(rw)).toBe("<RWLock [write, waiters:1]>");
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  test("reads granted together by one release stay granted when a shared signal aborts at once", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    rw.writer.tryAcquire();
    const controller = new AbortController();
    const signal = controller.signal;
    queue(rw, log, ["r1", "r2", "w3"], { r1: { signal }, r2: { signal }, w3: { signal } });
    rw.writer.release();
    controller.abort("stop");
    await tick();
    expect(log).toEqual(["r1", "r2", "w3 rejected"]);
    expect(String(rw)).toBe("<RWLock [read:2]>");
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  test("a read behind a writer on the same signal is not granted when the writer leaves: both reject, the rest is served", async () => {
    // The writer's departure re-runs the grant rule while the read's abort
    // listener entry has not run yet; core skips a waiter whose signal has
    // aborted, so the read rejects instead of taking the lock.
    const rw = new RWLock();
    const log: string[] = [];
    rw.reader.tryAcquire();
    const controller = new AbortController();
    const signal = controller.signal;
    queue(rw, log, ["w1", "r2", "r3"], { w1: { signal }, r2: { signal } });
    controller.abort("stop");
    await tick();
    expect(log).toEqual(["w1 rejected", "r2 rejected", "r3"]);
    expect(String(rw)).toBe("<RWLock [read:2]>");
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  test("a waiter in the middle leaves without disturbing the order of the others", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    rw.writer.tryAcquire();
    const controller = new AbortController();
    queue(rw, log, ["w1", "w2", "r3"], { w2: { signal: controller.signal } });
    controller.abort("stop");
    await tick();
    expect(rw.waiters).toBe(2);
    rw.writer.release();
    await tick();
    rw.writer.release();
    await tick();
    expect(log).toEqual(["w2 rejected", "w1", "r3"]);
    expect(String(rw)).toBe("<RWLock [read:1]>");
  });

  test.each<Side>(["reader", "writer"])(
    "%s: an aborted signal rejects even when the lock is free, and changes nothing",
    async (side) => {
      const rw = new RWLock();
      const controller = new AbortController();
      controller.abort("already");
      await expect(rw[side].acquire({ signal: controller.signal })).rejects.toBe("already");
      await expect(rw[side].hold({ signal: controller.signal })).rejects.toBe("already");
      expect(String(rw)).toBe("<RWLock [unlocked]>");
    },
  );

  test("timeout: 0 succeeds when the lock is free and rejects at once, queueing nothing, when it is not", async () => {
    const rw = new RWLock();
    await expect(rw.reader.acquire({ timeout: 0 })).resolves.toBe(true);
    await expect(rw.writer.acquire({ timeout: 0 })).rejects.toThrow(TimeoutError);
    await expect(rw.reader.acquire({ timeout: 0 })).resolves.toBe(true);
    expect(String(rw)).toBe("<RWLock [read:2]>");
  });

  test.each<Side>(["reader", "writer"])(
    "%s: malformed options reject (never throw) and change nothing",
    async (side) => {
      const rw = new RWLock();
      rw.writer.tryAcquire();
      await expect(rw[side].acquire({ timeout: -1 })).rejects.toThrow(RangeError);
      await expect(rw[side].acquire({ timeout: "1" } as never)).rejects.toThrow(TypeError);
      await expect(rw[side].acquire({ signal: {} } as never)).rejects.toThrow(TypeError);
      await expect(rw[side].acquire(5 as never)).rejects.toThrow(TypeError);
      expect(String(rw)).toBe("<RWLock [write]>");
    },
  );

  test("a timed out reader leaves, and the writer ahead of it is not disturbed", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    rw.reader.tryAcquire();
    queue(rw, log, ["w1", "r2"], { r2: { timeout: 5 } });
    jest.advanceTimersByTime(5);
    await tick();
    expect(log).toEqual(["r2 rejected"]);
    rw.reader.release();
    await tick();
    expect(log).toEqual(["r2 rejected", "w1"]);
    expect(String(rw)).toBe("<RWLock [write]>");
  });
});

describe("the grant rule", () => {
  test("reads share the lock; a write excludes everyone", async () => {
    const rw = new RWLock();
    await rw.reader.acquire();
    await rw.reader.acquire();
    expect([rw.readers, rw.writing, String(rw)]).toEqual([2, false, "<RWLock [read:2]>"]);
    expect(rw.writer.tryAcquire()).toBe(false);
    rw.reader.release();
    rw.reader.release();
    await rw.writer.acquire();
    expect([rw.readers, rw.writing, String(rw)]).toEqual([0, true, "<RWLock [write]>"]);
    expect(rw.reader.tryAcquire()).toBe(false);
    expect(rw.writer.tryAcquire()).toBe(false);
    rw.writer.release();
    expect(String(rw)).toBe("<RWLock [unlocked]>");
  });

  test("a read queued behind a writer waits even while other readers hold the lock (write-preferring)", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    rw.reader.tryAcquire();
    queue(rw, log, ["w1", "r2"]);
    expect(rw.reader.tryAcquire()).toBe(false);
    expect(rw.reader.locked()).toBe(true);
    await tick();
    expect(log).toEqual([]);
    rw.reader.release();
    await tick();
    expect(log).toEqual(["w1"]);
    rw.writer.release();
    await tick();
    expect(log).toEqual(["w1", "r2"]);
  });

  test("when the writer releases, every consecutive read at the head is granted together, up to the next writer", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    rw.writer.tryAcquire();
    queue(rw, log, ["r1", "r2", "r3", "w4", "r5"]);
    rw.writer.release();
    expect([rw.readers, rw.waiters]).toEqual([3, 2]); // at once, a hand-off
    await tick();
    expect(log).toEqual(["r1", "r2", "r3"]);
    for (let i = 0; i < 3; i++) rw.reader.release();
    await tick();
    expect(log).toEqual(["r1", "r2", "r3", "w4"]);
    rw.writer.release();
    await tick();
    expect(log).toEqual(["r1", "r2", "r3", "w4", "r5"]);
    expectConsistent(rw);
  });

  test("a writer at the head waits for the last reader, and nobody overtakes it", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    rw.reader.tryAcquire();
    rw.reader.tryAcquire();
    queue(rw, log, ["w1", "w2"]);
    rw.reader.release();
    await tick();
    expect(log).toEqual([]);
    expect(rw.writer.tryAcquire()).toBe(false);
    rw.reader.release();
    await tick();
    expect(log).toEqual(["w1"]);
    expect(String(rw)).toBe("<RWLock [write, waiters:1]>");
  });

  test("a newcomer never overtakes the queue: a free read is refused while a writer is queued", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    rw.writer.tryAcquire();
    queue(rw, log, ["w1"]);
    rw.writer.release(); // w1 holds now
    queue(rw, log, ["r2", "w3", "r4"]);
    rw.writer.release();
    await tick();
    expect(log).toEqual(["w1", "r2"]);
    rw.reader.release();
    await tick();
    rw.writer.release();
    await tick();
    expect(log).toEqual(["w1", "r2", "w3", "r4"]);
  });
});

describe("release errors", () => {
  test("reader.release() without a read held: InvalidStateError, nothing changes", () => {
    const rw = new RWLock();
    expect(() => rw.reader.release()).toThrow(InvalidStateError);
    expect(() => rw.reader.release()).toThrow("RWLock is not read-locked");
    rw.writer.tryAcquire();
    expect(() => rw.reader.release()).toThrow(InvalidStateError);
    expect(String(rw)).toBe("<RWLock [write]>");
  });

  test("writer.release() when not write-held: InvalidStateError, nothing changes", () => {
    const rw = new RWLock();
    expect(() => rw.writer.release()).toThrow("RWLock is not write-locked");
    rw.reader.tryAcquire();
    expect(() => rw.writer.release()).toThrow(InvalidStateError);
    expect(String(rw)).toBe("<RWLock [read:1]>");
  });
});

describe("locked() of a view", () => {
  test("true exactly when its acquire() could not succeed at once", () => {
    const rw = new RWLock();
    expect([rw.reader.locked(), rw.writer.locked()]).toEqual([false, false]);
    rw.reader.tryAcquire();
    expect([rw.reader.locked(), rw.writer.locked()]).toEqual([false, true]);
    void rw.writer.acquire();
    expect([rw.reader.locked(), rw.writer.locked()]).toEqual([true, true]);
    rw.reader.release(); // the queued writer takes it
    expect([rw.reader.locked(), rw.writer.locked(), rw.writing]).toEqual([true, true, true]);
  });
});

describe("downgrade()", () => {
  test("the writer becomes one reader, and the reads at the head are granted with it; a writer after them waits", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    await rw.writer.acquire();
    queue(rw, log, ["r1", "r2", "w3", "r4"]);
    rw.downgrade();
    expect([rw.writing, rw.readers, rw.waiters]).toEqual([false, 3, 2]);
    await tick();
    expect(log).toEqual(["r1", "r2"]);
    rw.reader.release(); // the downgraded read
    rw.reader.release();
    rw.reader.release();
    await tick();
    expect(log).toEqual(["r1", "r2", "w3"]);
  });

  test("with a writer at the head, downgrade() grants nobody", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    rw.writer.tryAcquire();
    queue(rw, log, ["w1", "r2"]);
    rw.downgrade();
    await tick();
    expect(log).toEqual([]);
    expect(String(rw)).toBe("<RWLock [read:1, waiters:2]>");
    rw.reader.release();
    await tick();
    expect(log).toEqual(["w1"]);
  });

  test("InvalidStateError when the lock is not write-held; nothing changes", () => {
    const rw = new RWLock();
    expect(() => rw.downgrade()).toThrow(InvalidStateError);
    rw.reader.tryAcquire();
    expect(() => rw.downgrade()).toThrow("RWLock is not write-locked");
    expect(String(rw)).toBe("<RWLock [read:1]>");
  });
});

describe("observers and String()", () => {
  test("String() and util.inspect show the forms of API.md", async () => {
    const rw = new RWLock();
    expect(String(rw)).toBe("<RWLock [unlocked]>");
    rw.reader.tryAcquire();
    rw.reader.tryAcquire();
    expect(inspect(rw)).toBe("<RWLock [read:2]>");
    rw.reader.release();
    rw.reader.release();
    rw.writer.tryAcquire();
    void rw.reader.acquire();
    void rw.writer.acquire();
    void rw.reader.acquire();
    expect(String(rw)).toBe("<RWLock [write, waiters:3]>");
    expect([rw.readers, rw.writing, rw.waiters]).toEqual([0, true, 3]);
    expect(inspect(rw)).toBe("<RWLock [write, waiters:3]>");
    for (const name of ["readers", "writing", "waiters"] as const) {
      expect(() => {
        (rw as unknown as Record<string, number>)[name] = 0;
      }).toThrow(TypeError);
    }
  });

  test("the two views are fixed, distinct objects", () => {
    const rw = new RWLock();
    expect(rw.reader).toBe(rw.reader);
    expect(rw.reader).not.toBe(rw.writer);
    expect(() => {
      (rw as unknown as Record<string, unknown>).reader = null;
    }).toThrow(TypeError);
  });
});

describe("hold() and run()", () => {
  test.each<Side>(["reader", "writer"])("%s.hold(): a guard that releases once, with using", async (side) => {
    const rw = new RWLock();
    {
      using guard = await rw[side].hold();
      expect(guard).toBeInstanceOf(Guard);
      expect(String(rw)).toBe(side === "reader" ? "<RWLock [read:1]>" : "<RWLock [write]>");
      rw[side].tryAcquire(); // a second read, or nothing for the writer
    }
    expect(String(rw)).toBe(side === "reader" ? "<RWLock [read:1]>" : "<RWLock [unlocked]>");
  });

  test("a guard released twice does not release a hold taken since", async () => {
    const rw = new RWLock();
    const guard = await rw.writer.hold();
    guard.release();
    await rw.writer.acquire();
    guard.release();
    expect(String(rw)).toBe("<RWLock [write]>");
  });

  test.each<Side>(["reader", "writer"])("%s.run(): releases on success and on throw", async (side) => {
    const rw = new RWLock();
    await expect(rw[side].run(() => String(rw))).resolves.toBe(
      side === "reader" ? "<RWLock [read:1]>" : "<RWLock [write]>",
    );
    await expect(
      rw[side].run(() => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await expect(rw[side].run(5 as never)).rejects.toThrow(TypeError);
    expect(String(rw)).toBe("<RWLock [unlocked]>");
  });

  test("readers run together, writers alone", async () => {
    const rw = new RWLock();
    const log: string[] = [];
    let active = 0;
    const body = (name: string) => async () => {
      active++;
      log.push(`${name} in, ${active} active, ${String(rw)}`);
      await tick(2);
      active--;
    };
    await Promise.all([
      rw.reader.run(body("r1")),
      rw.reader.run(body("r2")),
      rw.writer.run(body("w3")),
      rw.reader.run(body("r4")),
    ]);
    expect(log).toEqual([
      "r1 in, 1 active, <RWLock [read:2, waiters:2]>",
      "r2 in, 2 active, <RWLock [read:2, waiters:2]>",
      "w3 in, 1 active, <RWLock [write, waiters:1]>",
      "r4 in, 1 active, <RWLock [read:1]>",
    ]);
  });
});

describe("not reentrant", () => {
  test("a reader asking for a second read while a writer is queued waits behind that writer", async () => {
    const rw = new RWLock();
    await rw.reader.acquire();
    const writer = track(rw.writer.acquire());
    const second = track(rw.reader.acquire({ timeout: 1_000 }));
    jest.advanceTimersByTime(1_000);
    await tick();
    // The deadlock, broken only by the timeout: the writer still waits for the first read.
    expect([writer.current.state, second.current.state]).toEqual(["pending", "rejected"]);
    expect(String(rw)).toBe("<RWLock [read:1, waiters:1]>");
  });
});

describe("async context", () => {
  // Each caller sets its own store, then waits; the code after its await
  // must see its own store, never that of the caller whose release granted it.
  test.each([
    ["reader.acquire", (rw: RWLock) => rw.reader.acquire().then(() => rw.reader.release())],
    ["writer.acquire", (rw: RWLock) => rw.writer.acquire().then(() => rw.writer.release())],
    ["reader.hold", (rw: RWLock) => rw.reader.hold().then((g) => g.release())],
    ["writer.hold", (rw: RWLock) => rw.writer.hold().then((g) => g.release())],
    ["reader.run", (rw: RWLock) => rw.reader.run(() => undefined)],
    ["writer.run", (rw: RWLock) => rw.writer.run(() => undefined)],
  ] as const)("%s resumes in its caller's AsyncLocalStorage context", async (_, take) => {
    jest.useRealTimers();
    const als = new AsyncLocalStorage<string>();
    const rw = new RWLock();
    rw.writer.tryAcquire();
    const seen: (string | undefined)[] = [];
    const callers = ["a", "b", "c", "d", "e"].map((name) =>
      als.run(name, async () => {
        await take(rw);
        seen.push(`${name}:${als.getStore()}`);
        if (name === "a") {
          await rw.reader.run(() => undefined);
          seen.push(`${name} again:${als.getStore()}`);
        }
      }),
    );
    als.run("releaser", () => rw.writer.release());
    await Promise.all(callers);
    expect(seen.sort()).toEqual(["a again:a", "a:a", "b:b", "c:c", "d:d", "e:e"]);
  });
});
