/*
 * CPython's Lib/test/test_asyncio/test_locks.py ported to @sync/semaphore:
 * every case of SemaphoreTests, and the Semaphore and BoundedSemaphore parts
 * of LockTests. Source: python/cpython at
 * 97ac8662af77033354a9e9b747d5e80fa2df664c; test_acquire_fifo_order_4 comes
 * from the Python 3.13 version of the file.
 *
 * Translation: task cancellation -> AbortController, `wait_for` -> `timeout`,
 * RuntimeError -> InvalidStateError, ValueError -> RangeError, repr ->
 * String(), `async with sem` -> `using _ = await sem.hold()`,
 * `asyncio.sleep(0)` -> tick(), longer sleeps -> jest fake timers, private
 * `_value` / `_waiters` -> the public `value` / `waiters`. Calling an async
 * function starts it at once where `create_task` starts it on the next turn;
 * the `sleep(0)` that follows in each case makes that difference invisible,
 * except where a comment says so. Where API.md differs from asyncio (a
 * release hands the permit straight to the first waiter, so a later abort
 * changes nothing), a one-line comment says so.
 *
 * Skipped, because they do not apply:
 * - test_lock_doesnt_accept_loop_parameter: there is no event loop, so no
 *   `loop` parameter to refuse.
 */
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";
import { tick, track } from "../../core/test/helpers";

function fulfilled<T>(value: T): { state: "fulfilled"; value: T } {
  return { state: "fulfilled", value };
}

describe("LockTests (Semaphore and BoundedSemaphore)", () => {
  test.each([
    ["Semaphore", Semaphore],
    ["BoundedSemaphore", BoundedSemaphore],
  ] as const)("test_lock_by_with_statement (%s)", async (_name, Class) => {
    const lock = new Class();
    await tick();
    expect(lock.locked()).toBe(false);
    // `with await lock` is a TypeError in asyncio; `using` on the semaphore itself (not on a guard) is one here.
    expect(() => {
      using _ = lock as unknown as Disposable;
    }).toThrow(TypeError);
    expect(lock.locked()).toBe(false);
    expect(lock.value).toBe(1);
  });
});

describe("SemaphoreTests", () => {
  test("test_initial_value_zero", () => {
    const sem = new Semaphore(0);
    expect(sem.locked()).toBe(true);
  });

  test("test_repr", async () => {
    const sem = new Semaphore();
    expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");

    await sem.acquire();
    expect(String(sem)).toBe("<Semaphore [locked]>");

    // Real waiters instead of mocks appended to `_waiters`.
    const first = track(sem.acquire());
    expect(String(sem)).toBe("<Semaphore [locked, waiters:1]>");

    const second = track(sem.acquire());
    expect(String(sem)).toBe("<Semaphore [locked, waiters:2]>");

    sem.release();
    sem.release();
    await tick();
    expect([first.current, second.current]).toEqual([fulfilled(true), fulfilled(true)]);
    expect(String(sem)).toBe("<Semaphore [locked]>");
  });

  test("test_semaphore", async () => {
    const sem = new Semaphore();
    expect(sem.value).toBe(1);

    // asyncio raises TypeError for `await sem`; a semaphore is not a thenable, so awaiting it acquires nothing.
    expect("then" in sem).toBe(false);
    expect(await (sem as unknown as Promise<unknown>)).toBe(sem);

    expect(sem.locked()).toBe(false);
    expect(sem.value).toBe(1);
  });

  test("test_semaphore_value", () => {
    expect(() => new Semaphore(-1)).toThrow(RangeError);
  });

  test("test_acquire", async () => {
    const sem = new Semaphore(3);
    const result: number[] = [];

    expect(await sem.acquire()).toBe(true);
    expect(await sem.acquire()).toBe(true);
    expect(sem.locked()).toBe(false);

    const c = async (n: number): Promise<boolean> => {
      await sem.acquire();
      result.push(n);
      return true;
    };

    const t1 = track(c(1));
    const t2 = track(c(2));
    const t3 = track(c(3));

    await tick();
    expect(result).toEqual([1]);
    expect(sem.locked()).toBe(true);
    expect(sem.waiters).toBe(2);
    expect(sem.value).toBe(0);

    const t4 = track(c(4));

    sem.release();
    sem.release();
    expect(sem.value).toBe(0);

    await tick();
    expect(sem.value).toBe(0);
    expect(result).toHaveLength(3);
    expect(sem.locked()).toBe(true);
    expect(sem.waiters).toBe(1);
    expect(sem.value).toBe(0);

    expect(t1.current).toEqual(fulfilled(true));
    // Hand-off in FIFO order: exactly t2 and t3 got the permits (asyncio only says two of t2, t3, t4).
    expect([t2.current, t3.current, t4.current]).toEqual([fulfilled(true), fulfilled(true), { state: "pending" }]);
    expect(result).toEqual([1, 2, 3]);

    // cleanup locked semaphore
    sem.release();
    await tick();
    expect(t4.current).toEqual(fulfilled(true));
    expect(result).toEqual([1, 2, 3, 4]);
    expect(sem.waiters).toBe(0);
  });

  test("test_acquire_cancel", async () => {
    const sem = new Semaphore();
    await sem.acquire();

    const controller = new AbortController();
    const acquire = sem.acquire({ signal: controller.signal });
    controller.abort();
    await expect(acquire).rejects.toBe(controller.signal.reason);
    expect(controller.signal.reason).toMatchObject({ name: "AbortError" });
    expect(sem.waiters).toBe(0);
    expect(sem.value).toBe(0);
  });

  test("test_acquire_cancel_before_awoken", async () => {
    const sem = new Semaphore(0);

    const controllers = [1, 2, 3, 4].map(() => new AbortController());
    const [t1, t2, t3, t4] = controllers.map((c) => track(sem.acquire({ signal: c.signal })));

    await tick();

    controllers[0]!.abort();
    controllers[1]!.abort();
    sem.release();

    await tick();
    await tick();
    expect(t1!.current.state).toBe("rejected");
    expect(t2!.current.state).toBe("rejected");
    expect(t3!.current).toEqual(fulfilled(true));
    expect(t4!.current).toEqual({ state: "pending" });

    // Cleanup in the original; here it also shows that aborting t3 after its grant changes nothing.
    controllers[2]!.abort();
    controllers[3]!.abort();
    await tick();
    expect(t3!.current).toEqual(fulfilled(true));
    expect(t4!.current.state).toBe("rejected");
    expect(sem.waiters).toBe(0);
    expect(sem.value).toBe(0);
  });

  test("test_acquire_hang", async () => {
    const sem = new Semaphore(0);

    const controller = new AbortController();
    const t1 = track(sem.acquire({ signal: controller.signal }));
    const t2 = track(sem.acquire());
    await tick();

    controller.abort();
    sem.release();
    await tick();
    await tick();
    expect(sem.locked()).toBe(true);
    expect(t1.current.state).toBe("rejected");
    expect(t2.current).toEqual(fulfilled(true));
    expect(sem.waiters).toBe(0);
  });

  test("test_acquire_no_hang", async () => {
    const sem = new Semaphore(1);
    const controller2 = new AbortController();
    const log: string[] = [];

    async function c1(): Promise<void> {
      {
        using _ = await sem.hold();
        await tick(1);
      }
      controller2.abort();
      log.push("c1 aborted c2");
    }

    async function c2(): Promise<void> {
      using _ = await sem.hold({ signal: controller2.signal });
      log.push("c2 holds");
    }

    const [r1, r2] = await Promise.allSettled([c1(), c2()]);
    expect(r1).toEqual({ status: "fulfilled", value: undefined });
    // API.md: c1's release handed c2 the permit before the abort, so c2 keeps it (asyncio cancels c2).
    expect(r2).toEqual({ status: "fulfilled", value: undefined });
    expect(log).toEqual(["c1 aborted c2", "c2 holds"]);

    jest.useFakeTimers();
    try {
      await expect(sem.acquire({ timeout: 1_000 })).resolves.toBe(true);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  test("test_release_not_acquired", () => {
    const sem = new BoundedSemaphore();

    expect(() => sem.release()).toThrow(RangeError);
    expect(sem.value).toBe(1);
  });

  test("test_release_no_waiters", async () => {
    const sem = new Semaphore();
    await sem.acquire();
    expect(sem.locked()).toBe(true);

    sem.release();
    expect(sem.locked()).toBe(false);
  });

  test("test_acquire_fifo_order", async () => {
    jest.useFakeTimers();
    try {
      const sem = new Semaphore(1);
      const result: string[] = [];
      const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

      async function coro(tag: string): Promise<void> {
        await sem.acquire();
        result.push(`${tag}_1`);
        await sleep(10);
        sem.release();

        await sem.acquire();
        result.push(`${tag}_2`);
        await sleep(10);
        sem.release();
      }

      const group = Promise.all([coro("c1"), coro("c2"), coro("c3")]);
      await jest.runAllTimersAsync();
      await group;

      expect(result).toEqual(["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]);
      expect(sem.value).toBe(1);
      expect(sem.waiters).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  test("test_acquire_fifo_order_2", async () => {
    const sem = new Semaphore(1);
    const result: number[] = [];

    async function c1(): Promise<boolean> {
      await sem.acquire();
      result.push(1);
      return true;
    }

    async function c2(): Promise<boolean> {
      await sem.acquire();
      result.push(2);
      sem.release();
      await sem.acquire();
      result.push(4);
      return true;
    }

    async function c3(): Promise<boolean> {
      await sem.acquire();
      result.push(3);
      return true;
    }

    const tasks = [c1(), c2(), c3()];

    await tick();

    sem.release();
    sem.release();

    expect(await Promise.all(tasks)).toEqual([true, true, true]);
    expect(result).toEqual([1, 2, 3, 4]);
    expect(sem.value).toBe(0);
    expect(sem.waiters).toBe(0);
  });

  test("test_acquire_fifo_order_3", async () => {
    const sem = new Semaphore(0);
    const result: number[] = [];
    const controller1 = new AbortController();

    async function c(n: number, signal?: AbortSignal): Promise<boolean> {
      await sem.acquire({ signal });
      result.push(n);
      return true;
    }

    const tasks = [c(1, controller1.signal), c(2), c(3)];

    await tick();

    controller1.abort();

    await tick();

    sem.release();
    sem.release();

    const settled = await Promise.allSettled(tasks);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(result).toEqual([2, 3]);
    expect(sem.value).toBe(0);
    expect(sem.waiters).toBe(0);
  });

  test("test_acquire_fifo_order_4", async () => {
    // Test that releases wake up several waiting callers in FIFO order.
    const sem = new Semaphore(0);
    const result: number[] = [];
    let t4: Promise<boolean> | undefined;

    async function c1(): Promise<boolean> {
      // First task immediately waits for the semaphore. It will be woken by c2.
      expect(sem.value).toBe(0);
      await sem.acquire();
      // c2 and c3 have taken the other two permits by now.
      expect(sem.value).toBe(0);
      // Create a fourth task; `create_task` starts it on a later turn, so does this.
      t4 = Promise.resolve().then(c4);
      result.push(1);
      return true;
    }

    async function c2(): Promise<boolean> {
      // The second task begins by releasing the semaphore three times, for c1, c2 and c3.
      sem.release();
      sem.release();
      sem.release();
      expect(sem.value).toBe(2);
      // Hand-off: c1 already holds its permit and two are free, so not locked (asyncio still counts c1's waiter).
      expect(sem.locked()).toBe(false);
      await sem.acquire();
      result.push(2);
      return true;
    }

    async function c3(): Promise<boolean> {
      await sem.acquire();
      expect(sem.locked()).toBe(true);
      result.push(3);
      return true;
    }

    async function c4(): Promise<boolean> {
      result.push(4);
      return true;
    }

    const tasks = [c1(), c2(), c3()];

    await tick();
    // Every permit was handed out without waiting (asyncio still has three waiters here, value 2).
    expect(sem.value).toBe(0);
    expect(sem.waiters).toBe(0);
    await tick();

    expect(await Promise.all([...tasks, t4!])).toEqual([true, true, true, true]);
    expect(result).toEqual([1, 2, 3, 4]);
  });
});
