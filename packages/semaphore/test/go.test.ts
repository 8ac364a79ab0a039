/*
 * Go's golang.org/x/sync/semaphore tests (semaphore/semaphore_test.go) ported
 * to the weighted acquire of @sync/semaphore. Source: golang/sync at
 * ec11c4a93de22cde2abe2bf74d70791033c2464c.
 *
 * Translation: `semaphore.NewWeighted(n)` -> `new Semaphore(n)` (a Weighted
 * starts full: `size` permits free), `Acquire(ctx, n)` -> `acquire({ permits:
 * n, signal })`, `TryAcquire(n)` -> `tryAcquire(n)`, `Release(n)` ->
 * `release(n)`, a cancelled context -> an aborted AbortController,
 * `context.WithTimeout` -> `timeout`, goroutines -> async tasks,
 * `time.Sleep` -> jest fake timers, `runtime.GOMAXPROCS(0)` -> 4.
 *
 * Where API.md differs from Go, a comment says so:
 * - Go panics when more is released than held; a plain Semaphore may grow
 *   past its start (asyncio's), so the panic is BoundedSemaphore's RangeError.
 * - Go returns at once from a request larger than the semaphore's size,
 *   without queueing, and waits only for its context. Here a
 *   BoundedSemaphore rejects it at once with RangeError (it could never be
 *   granted), and a plain Semaphore, which can grow, queues it like any
 *   other request.
 * - `Acquire(ctx, 0)` is valid in Go; here `permits` is an integer >= 1, so
 *   the hammer's task i takes i + 1 permits instead of i.
 */
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";
import { tick, track, useFakeTimersPerTest } from "../../core/test/helpers";

/** The GOMAXPROCS of these ports. */
const PROCS = 4;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

useFakeTimersPerTest();

/**
 * HammerWeighted: `loops` times, takes `n` permits, sleeps 0–1 ms (a spread
 * fixed by `seed` instead of Go's rand), gives them back. `held` counts the
 * permits out, and every grant checks it against `size`.
 */
async function hammerWeighted(
  sem: Semaphore,
  n: number,
  loops: number,
  seed: number,
  held: { now: number; max: number },
  size: number,
): Promise<void> {
  for (let i = 0; i < loops; i++) {
    await sem.acquire({ permits: n });
    held.now += n;
    held.max = Math.max(held.max, held.now);
    if (held.now > size) throw new Error(`${held.now} permits held out of ${size}`);
    await sleep((seed * 7 + i * 3) % 2);
    held.now -= n;
    sem.release(n);
  }
}

test("TestWeighted", async () => {
  const n = PROCS;
  const loops = 1000 / n;
  const sem = new Semaphore(n);
  const held = { now: 0, max: 0 };
  const tasks = Array.from({ length: n }, (_, i) => hammerWeighted(sem, i + 1, loops, i, held, n));
  const all = track(Promise.all(tasks));
  await jest.runAllTimersAsync();
  expect(all.current.state).toBe("fulfilled");
  expect(held).toEqual({ now: 0, max: n });
  expect(sem.value).toBe(n);
  expect(sem.waiters).toBe(0);
});

describe("TestWeightedPanic", () => {
  // Go panics on a release of an unacquired Weighted; BoundedSemaphore throws.
  test("release of an unacquired BoundedSemaphore throws RangeError", () => {
    const w = new BoundedSemaphore(1);
    expect(() => w.release(1)).toThrow(RangeError);
    expect(w.value).toBe(1);
  });

  test.each([
    ["0", 0, RangeError],
    ["-1", -1, RangeError],
    ["1.5", 1.5, RangeError],
    ["NaN", NaN, RangeError],
    ["Infinity", Infinity, RangeError],
    ['"1"', "1", TypeError],
  ] as const)("a weight of %s: release and tryAcquire throw, acquire rejects", async (_shown, n, Error) => {
    const w = new Semaphore(2);
    expect(() => w.release(n as never)).toThrow(Error);
    expect(() => w.tryAcquire(n as never)).toThrow(Error);
    await expect(w.acquire({ permits: n as never })).rejects.toThrow(Error);
    expect([w.value, w.waiters]).toEqual([2, 0]);
  });
});

test("TestWeightedTryAcquire", async () => {
  const sem = new Semaphore(2);
  const tries: boolean[] = [];
  await sem.acquire({ permits: 1 });
  tries.push(sem.tryAcquire(1));
  tries.push(sem.tryAcquire(1));

  sem.release(2);

  tries.push(sem.tryAcquire(1));
  await sem.acquire({ permits: 1 });
  tries.push(sem.tryAcquire(1));

  expect(tries).toEqual([true, false, true, false]);
});

test("TestWeightedAcquire", async () => {
  const sem = new Semaphore(2);
  const tryAcquire = async (n: number): Promise<boolean> => {
    const attempt = track(sem.acquire({ permits: n, timeout: 10 }));
    await jest.advanceTimersByTimeAsync(10);
    return attempt.current.state === "fulfilled";
  };

  const tries: boolean[] = [];
  await sem.acquire({ permits: 1 });
  tries.push(await tryAcquire(1));
  tries.push(await tryAcquire(1));

  sem.release(2);

  tries.push(await tryAcquire(1));
  await sem.acquire({ permits: 1 });
  tries.push(await tryAcquire(1));

  expect(tries).toEqual([true, false, true, false]);
  expect(jest.getTimerCount()).toBe(0);
});

describe("TestWeightedDoesntBlockIfTooBig", () => {
  const n = 2;

  /** n * 3 tasks that each take 1 permit, sleep 1 ms and give it back. */
  function smallTasks(sem: Semaphore): Promise<unknown> {
    return Promise.all(
      Array.from({ length: n * 3 }, async () => {
        await sem.acquire({ permits: 1 });
        await sleep(1);
        sem.release(1);
      }),
    );
  }

  test("BoundedSemaphore: the too-big request rejects at once and blocks nobody", async () => {
    const sem = new BoundedSemaphore(n);
    const controller = new AbortController();
    const big = track(sem.acquire({ permits: n + 1, signal: controller.signal }));
    await tick();
    expect(big.current).toEqual({ state: "rejected", reason: expect.any(RangeError) });
    expect(sem.waiters).toBe(0);

    const small = track(smallTasks(sem));
    await jest.runAllTimersAsync();
    expect(small.current.state).toBe("fulfilled");
    expect(sem.value).toBe(n);
  });

  test("Semaphore: the too-big request queues; once its signal aborts, nobody is blocked", async () => {
    // A plain Semaphore can grow, so the request waits at the head and the
    // small ones wait behind it (head-of-line blocking) until Go's deferred
    // cancel() runs.
    const sem = new Semaphore(n);
    const controller = new AbortController();
    const big = track(sem.acquire({ permits: n + 1, signal: controller.signal }));
    const small = track(smallTasks(sem));
    await jest.advanceTimersByTimeAsync(5);
    expect([big.current.state, small.current.state, sem.value, sem.waiters]).toEqual([
      "pending",
      "pending",
      n,
      n * 3 + 1,
    ]);

    controller.abort();
    await jest.runAllTimersAsync();
    expect(big.current).toEqual({ state: "rejected", reason: controller.signal.reason });
    expect(small.current.state).toBe("fulfilled");
    expect([sem.value, sem.waiters]).toEqual([n, 0]);
  });
});

test("TestLargeAcquireDoesntStarve", async () => {
  // n tasks each hold one permit and, every 1 ms, give it back and ask for
  // it again; a request for all n must get in regardless.
  const n = PROCS;
  const sem = new Semaphore(n);
  let running = true;
  const workers: Promise<void>[] = [];
  for (let i = n; i > 0; i--) {
    await sem.acquire({ permits: 1 });
    workers.push(
      (async () => {
        try {
          while (running) {
            await sleep(1);
            sem.release(1);
            await sem.acquire({ permits: 1 });
          }
        } finally {
          sem.release(1);
        }
      })(),
    );
  }

  const large = track(sem.acquire({ permits: n }));
  // Every worker gives its permit back within 1 ms; from then on the large
  // request is at the head and the workers queue behind it.
  await jest.advanceTimersByTimeAsync(1);
  expect(large.current.state).toBe("fulfilled");
  expect([sem.value, sem.waiters]).toEqual([0, n]);

  running = false;
  sem.release(n);
  await Promise.all(workers);
  expect([sem.value, sem.waiters]).toEqual([n, 0]);
});

describe("TestAllocCancelDoesntStarve", () => {
  // golang/go#37852: a cancelled head waiter must wake the ones behind it.
  // Go runs cancel() and Acquire(_, 1) concurrently; both orders are tried.
  async function blockedBigRequest(): Promise<{
    sem: Semaphore;
    controller: AbortController;
    big: ReturnType<typeof track<true>>;
  }> {
    const sem = new Semaphore(10);
    // Block off a portion of the semaphore so that Acquire(_, 10) can eventually succeed.
    await sem.acquire({ permits: 1 });
    const controller = new AbortController();
    const big = track(sem.acquire({ permits: 10, signal: controller.signal }));
    // The Acquire(_, 10) call blocks: TryAcquire(1) fails while anyone is queued.
    expect(sem.tryAcquire(1)).toBe(false);
    expect([sem.value, sem.waiters]).toEqual([9, 1]);
    return { sem, controller, big };
  }

  test("Acquire(_, 1) queued first, then cancel()", async () => {
    const { sem, controller, big } = await blockedBigRequest();
    const one = track(sem.acquire({ permits: 1 }));
    await tick();
    expect(one.current.state).toBe("pending");

    controller.abort();
    // The leaving head unblocks the waiter behind it, in the same step.
    expect([sem.value, sem.waiters]).toEqual([8, 0]);
    await tick();
    expect(big.current).toEqual({ state: "rejected", reason: controller.signal.reason });
    expect(one.current).toEqual({ state: "fulfilled", value: true });
    sem.release(1);
    expect(sem.value).toBe(9);
  });

  test("cancel() first, then Acquire(_, 1)", async () => {
    const { sem, controller, big } = await blockedBigRequest();
    controller.abort();
    await expect(sem.acquire({ permits: 1 })).resolves.toBe(true);
    await tick();
    expect(big.current).toEqual({ state: "rejected", reason: controller.signal.reason });
    sem.release(1);
    expect([sem.value, sem.waiters]).toEqual([9, 0]);
  });
});

test("TestWeightedAcquireCanceled", async () => {
  // https://go.dev/issue/63615
  const sem = new Semaphore(2);
  const controller = new AbortController();
  await sem.acquire({ permits: 1 });
  const two = track(sem.acquire({ permits: 2, signal: controller.signal }));
  // Synchronize with the Acquire(2): it is queued.
  expect(sem.tryAcquire(1)).toBe(false);
  // Now cancel, and then release the permit.
  controller.abort();
  sem.release(1);
  await tick();
  // Since the abort happens before enough permits are free, this acquire must fail.
  expect(two.current).toEqual({ state: "rejected", reason: controller.signal.reason });
  // There must always be two permits after the release of the one held at the start.
  expect(sem.tryAcquire(2)).toBe(true);
  // And an aborted signal refuses even where no wait would be needed.
  sem.release(2);
  await expect(sem.acquire({ permits: 1, signal: controller.signal })).rejects.toBe(controller.signal.reason);
  expect([sem.value, sem.waiters]).toEqual([2, 0]);
});
