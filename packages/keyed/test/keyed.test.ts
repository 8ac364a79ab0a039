import { AsyncLocalStorage } from "node:async_hooks";
import { getEventListeners } from "node:events";
import { inspect } from "node:util";
import { Guard, InvalidStateError, TimeoutError, type WaitOptions } from "@sync/core";
import { KeyedLock } from "@sync/keyed";

type Key = string | number;
import { tick, track, trackLogged, useFakeTimersPerTest } from "../../core/test/helpers";

/** Queues acquire() calls, each logging its name once granted or rejected. */
function queue(keyed: KeyedLock, log: string[], calls: [name: string, keys: Key | Key[], options?: WaitOptions][]) {
  return Object.fromEntries(
    calls.map(([name, keys, options]) => [name, trackLogged(keyed.acquire(keys, options), log, name)]),
  );
}

useFakeTimersPerTest();

describe("cancellation", () => {
  test("multi-key abort mid-way: the keys already taken are released (to their waiters) and the call holds nothing", async () => {
    const keyed = new KeyedLock();
    const log: string[] = [];
    keyed.tryAcquire("b");
    const controller = new AbortController();
    const calls = queue(keyed, log, [["ab", ["b", "a"], { signal: controller.signal }]]);
    await tick();
    // It took "a" (first in the order) and waits for "b".
    expect([keyed.locked("a"), keyed.waiters("b"), keyed.size]).toEqual([true, 1, 2]);
    queue(keyed, log, [["a", "a"]]);
    expect(keyed.waiters("a")).toBe(1);

    controller.abort(new Error("gone"));
    await tick();
    expect(log).toEqual(["ab rejected", "a"]); // "a" went to its next waiter
    expect(calls.ab!.current).toEqual({ state: "rejected", reason: new Error("gone") });
    expect(String(keyed)).toBe("<KeyedLock [keys:2, waiters:0]>");
    keyed.release(["a", "b"]);
    expect(keyed.size).toBe(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  test("multi-key timeout mid-way releases what it took; the timeout bounds the whole call", async () => {
    const keyed = new KeyedLock();
    const log: string[] = [];
    keyed.tryAcquire(1);
    keyed.tryAcquire(2);
    queue(keyed, log, [["123", [3, 2, 1], { timeout: 100 }]]);
    jest.advanceTimersByTime(60);
    keyed.release(1); // granted to the call at 60 ms; 40 ms are left for key 2
    await tick();
    expect([keyed.locked(1), keyed.waiters(2)]).toEqual([true, 1]);
    jest.advanceTimersByTime(39);
    await tick();
    expect(log).toEqual([]);
    jest.advanceTimersByTime(1);
    await tick();
    expect(log).toEqual(["123 rejected"]);
    expect([keyed.locked(1), keyed.locked(3), keyed.size]).toEqual([false, false, 1]);
    expect(jest.getTimerCount()).toBe(0);
  });

  test("abort of the head waiter of a key: the next waiter of that key is first in line", async () => {
    const keyed = new KeyedLock();
    const log: string[] = [];
    keyed.tryAcquire("k");
    const controller = new AbortController();
    queue(keyed, log, [
      ["1", "k", { signal: controller.signal }],
      ["2", "k"],
    ]);
    controller.abort("stop");
    await tick();
    expect(keyed.waiters("k")).toBe(1);
    keyed.release("k");
    await tick();
    expect(log).toEqual(["1 rejected", "2"]);
    keyed.release("k");
    expect(keyed.size).toBe(0);
  });

  test("abort at the grant: a key handed over by release() stays with the caller whose signal aborts in the same step", async () => {
    const keyed = new KeyedLock();
    const log: string[] = [];
    keyed.tryAcquire("k");
    const controller = new AbortController();
    const calls = queue(keyed, log, [["1", "k", { signal: controller.signal }]]);
    keyed.release("k");
    controller.abort("too late");
    await tick();
    expect(calls["1"]!.current).toEqual({ state: "fulfilled", value: true });
    expect(String(keyed)).toBe("<KeyedLock [keys:1, waiters:0]>");
  });

  test("a signal that aborts between two keys stops the call there, even though the next key is free", async () => {
    const keyed = new KeyedLock();
    const log: string[] = [];
    keyed.tryAcquire("a");
    const controller = new AbortController();
    queue(keyed, log, [["ab", ["a", "b"], { signal: controller.signal }]]);
    keyed.release("a"); // granted "a"; "b" is free
    controller.abort("stop"); // before the call resumes
    await tick();
    expect(log).toEqual(["ab rejected"]);
    expect(keyed.size).toBe(0);
  });

  test("an aborted signal rejects even when every key is free, and nothing is taken or made", async () => {
    const keyed = new KeyedLock();
    const controller = new AbortController();
    controller.abort("already");
    await expect(keyed.acquire(["a", "b"], { signal: controller.signal })).rejects.toBe("already");
    await expect(keyed.hold("a", { signal: controller.signal })).rejects.toBe("already");
    expect(keyed.size).toBe(0);
  });

  test("timeout: 0 takes free keys, and rejects at once holding nothing when one is held", async () => {
    const keyed = new KeyedLock();
    await expect(keyed.acquire(["a", "b"], { timeout: 0 })).resolves.toBe(true);
    await expect(keyed.acquire(["c", "b"], { timeout: 0 })).rejects.toThrow(TimeoutError);
    expect([keyed.locked("c"), keyed.size]).toEqual([false, 2]);
  });

  test("malformed options reject (never throw) and change nothing", async () => {
    const keyed = new KeyedLock();
    keyed.tryAcquire("a");
    await expect(keyed.acquire("a", { timeout: -1 })).rejects.toThrow(RangeError);
    await expect(keyed.acquire("b", { signal: {} } as never)).rejects.toThrow(TypeError);
    await expect(keyed.acquire("b", 5 as never)).rejects.toThrow(TypeError);
    expect(String(keyed)).toBe("<KeyedLock [keys:1, waiters:0]>");
  });
});

describe("keys", () => {
  test.each([
    [null, TypeError],
    [undefined, TypeError],
    [{}, TypeError],
    [Symbol("k"), TypeError],
    [1n, TypeError],
    [NaN, RangeError],
    [Infinity, RangeError],
    [-Infinity, RangeError],
  ])("%p is not a key: waiting calls reject, the others throw; nothing changes", async (bad, type) => {
    const keyed = new KeyedLock();
    await expect(keyed.acquire(bad as never)).rejects.toThrow(type);
    await expect(keyed.acquire(["a", bad] as never)).rejects.toThrow(type);
    await expect(keyed.hold(bad as never)).rejects.toThrow(type);
    await expect(keyed.run(bad as never, () => 1)).rejects.toThrow(type);
    expect(() => keyed.tryAcquire(["a", bad] as never)).toThrow(type);
    expect(() => keyed.release(bad as never)).toThrow(type);
    expect(keyed.size).toBe(0);
  });

  test("keys compare as Map keys: 0 and -0 are one key, 1 and '1' two", async () => {
    const keyed = new KeyedLock();
    await keyed.acquire([0, "1", 1, -0]);
    expect([keyed.size, keyed.locked(-0), keyed.locked("1")]).toEqual([3, true, true]);
    expect(keyed.tryAcquire(-0)).toBe(false);
    keyed.release([0, 1, "1"]);
    expect(keyed.size).toBe(0);
  });

  test("several keys are taken one by one in the global order: numbers before strings, numbers ascending, strings by code units", async () => {
    const keyed = new KeyedLock();
    const keys: Key[] = ["b", 10, "B", 2, "a", -1, "é", "Z", 2, "b"];
    for (const key of keys) keyed.tryAcquire(key); // all held, so the call waits for each in turn
    const taken: Key[] = [];
    const call = track(keyed.acquire(keys));
    for (const key of [-1, 2, 10, "B", "Z", "a", "b", "é"]) {
      await tick();
      // The call waits for exactly this key now.
      const waiting = [-1, 2, 10, "B", "Z", "a", "b", "é"].filter((k) => keyed.waiters(k) > 0);
      expect(waiting).toEqual([key]);
      taken.push(key);
      keyed.release(key);
    }
    await tick();
    expect(call.current.state).toBe("fulfilled");
    expect(taken).toEqual([-1, 2, 10, "B", "Z", "a", "b", "é"]);
    expect(keyed.size).toBe(8);
  });

  test("two calls with the same keys in opposite orders never deadlock (async-lock's [a, b] / [b, a])", async () => {
    const keyed = new KeyedLock();
    const log: string[] = [];
    const body = (name: string) => async () => {
      log.push(`${name} in`);
      await tick(3);
      log.push(`${name} out`);
    };
    await Promise.all([keyed.run(["a", "b"], body("1")), keyed.run(["b", "a"], body("2"))]);
    expect(log).toEqual(["1 in", "1 out", "2 in", "2 out"]);
    expect(keyed.size).toBe(0);
  });

  test("an empty array holds nothing and resolves at once", async () => {
    const keyed = new KeyedLock();
    await expect(keyed.acquire([])).resolves.toBe(true);
    expect(keyed.tryAcquire([])).toBe(true);
    keyed.release([]);
    await expect(keyed.run([], () => "ran")).resolves.toBe("ran");
    expect(keyed.size).toBe(0);
  });
});

describe("per key, a fair Lock", () => {
  test("FIFO and hand-off per key; other keys never wait", async () => {
    const keyed = new KeyedLock();
    const log: string[] = [];
    await keyed.acquire("k");
    queue(keyed, log, [
      ["1", "k"],
      ["2", "k"],
      ["other", "j"],
    ]);
    await tick();
    expect(log).toEqual(["other"]);
    keyed.release("k");
    expect([keyed.locked("k"), keyed.waiters("k")]).toEqual([true, 1]); // a hand-off
    expect(keyed.tryAcquire("k")).toBe(false);
    await tick();
    keyed.release("k");
    await tick();
    expect(log).toEqual(["other", "1", "2"]);
  });

  test("a multi-key call queued for a key is served in its turn among single-key callers", async () => {
    const keyed = new KeyedLock();
    const log: string[] = [];
    keyed.tryAcquire("b");
    queue(keyed, log, [
      ["1", "b"],
      ["ab", ["a", "b"]],
      ["3", "b"],
      ["a", "a"],
    ]);
    for (let i = 0; i < 2; i++) {
      await tick();
      keyed.release("b");
    }
    await tick();
    expect(log).toEqual(["1", "ab"]);
    keyed.release(["a", "b"]);
    await tick();
    expect(log).toEqual(["1", "ab", "a", "3"]);
  });

  test("tryAcquire is all or nothing", () => {
    const keyed = new KeyedLock();
    expect(keyed.tryAcquire("b")).toBe(true);
    expect(keyed.tryAcquire(["a", "b", "c"])).toBe(false);
    expect([keyed.locked("a"), keyed.locked("c"), keyed.size]).toEqual([false, false, 1]);
    expect(keyed.tryAcquire(["a", "c"])).toBe(true);
    expect(keyed.size).toBe(3);
  });

  test("release: InvalidStateError, nothing released, if any key is not held", () => {
    const keyed = new KeyedLock();
    keyed.tryAcquire(["a", "b"]);
    expect(() => keyed.release(["a", "c", "b"])).toThrow(InvalidStateError);
    expect(() => keyed.release("c")).toThrow("KeyedLock key c is not acquired");
    expect([keyed.locked("a"), keyed.locked("b"), keyed.size]).toEqual([true, true, 2]);
    keyed.release(["b", "a", "a"]);
    expect(keyed.size).toBe(0);
  });
});

describe("size, waiters and String()", () => {
  test("a key's Lock is made on first use and dropped when it has no holder and no waiter", async () => {
    const keyed = new KeyedLock();
    expect([keyed.size, keyed.waiters("x"), keyed.locked("x")]).toEqual([0, 0, false]);
    await keyed.acquire("x");
    const second = track(keyed.acquire("x"));
    const third = track(keyed.acquire("y"));
    expect([keyed.size, keyed.waiters("x")]).toEqual([2, 1]);
    keyed.release("x");
    await tick();
    expect([second.current.state, third.current.state, keyed.size]).toEqual(["fulfilled", "fulfilled", 2]);
    keyed.release("x");
    keyed.release("y");
    expect(keyed.size).toBe(0);
  });

  test("size goes back to 0 after many distinct keys", async () => {
    const keyed = new KeyedLock();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => keyed.run([i % 37, `k${i % 101}`], () => tick(1))));
    expect(String(keyed)).toBe("<KeyedLock [keys:0, waiters:0]>");
  });

  test("String() and util.inspect: keys in use and waiters over all keys", async () => {
    const keyed = new KeyedLock();
    expect(String(keyed)).toBe("<KeyedLock [keys:0, waiters:0]>");
    keyed.tryAcquire(["a", "b", "c"]);
    for (const key of ["a", "a", "b", "c", "c"]) void keyed.acquire(key);
    expect(String(keyed)).toBe("<KeyedLock [keys:3, waiters:5]>");
    expect(inspect(keyed)).toBe("<KeyedLock [keys:3, waiters:5]>");
    expect(() => {
      (keyed as unknown as { size: number }).size = 0;
    }).toThrow(TypeError);
  });
});

describe("hold() and run()", () => {
  test("the guard releases every key of the call, once", async () => {
    const keyed = new KeyedLock();
    const keys = ["a", "b"];
    const guard = await keyed.hold(keys);
    expect(guard).toBeInstanceOf(Guard);
    keys.push("c"); // changing the array afterwards changes nothing
    guard.release();
    expect(keyed.size).toBe(0);
    await keyed.acquire("a");
    guard.release(); // does not release the hold taken since
    expect(keyed.locked("a")).toBe(true);
  });

  test("using releases at the end of the block", async () => {
    const keyed = new KeyedLock();
    {
      using _ = await keyed.hold([1, 2]);
      expect(keyed.size).toBe(2);
    }
    expect(keyed.size).toBe(0);
  });

  test("run releases on success and on throw; fn that is not a function rejects, taking nothing", async () => {
    const keyed = new KeyedLock();
    await expect(keyed.run("a", () => keyed.locked("a"))).resolves.toBe(true);
    await expect(
      keyed.run(["a", "b"], () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await expect(keyed.run("a", 5 as never)).rejects.toThrow(TypeError);
    expect(keyed.size).toBe(0);
  });
});

describe("async context", () => {
  // async-lock runs every queued callback in the releaser's context; here the
  // code after each await (and inside run) sees its own caller's store.
  test.each([
    ["acquire", (k: KeyedLock, keys: Key[]) => k.acquire(keys).then(() => k.release(keys))],
    ["hold", (k: KeyedLock, keys: Key[]) => k.hold(keys).then((g) => g.release())],
    ["run", (k: KeyedLock, keys: Key[]) => k.run(keys, () => undefined)],
  ] as const)("%s resumes in its caller's AsyncLocalStorage context", async (_, take) => {
    jest.useRealTimers();
    const als = new AsyncLocalStorage<string>();
    const keyed = new KeyedLock();
    keyed.tryAcquire(["a", "b"]);
    const seen: string[] = [];
    const callers = ["1", "2", "3", "4", "5"].map((name, i) =>
      als.run(name, async () => {
        await take(keyed, i % 2 === 0 ? ["a", "b"] : ["b"]);
        seen.push(`${name}:${als.getStore()}`);
      }),
    );
    als.run("releaser", () => keyed.release(["a", "b"]));
    await Promise.all(callers);
    expect(seen.sort()).toEqual(["1:1", "2:2", "3:3", "4:4", "5:5"]);
    expect(keyed.size).toBe(0);
  });
});
