/*
 * EventTests of CPython's Lib/test/test_asyncio/test_locks.py (main branch),
 * ported case by case under their CPython names.
 *
 * Translation: task cancellation -> AbortController, RuntimeError ->
 * InvalidStateError, repr() -> String(), asyncio.sleep(0) -> tick(), a task
 * -> a called async function, `ev._waiters` -> `ev.waiters`. Where asyncio
 * and API.md differ, API.md wins; the case says so in a one-line comment.
 *
 * Skipped (they do not apply):
 * - test_ctor_loop, test_ctor_noloop (older CPython versions): the `loop=`
 *   argument; there is no event loop to pass.
 */
import { Event } from "@sync/event";
import { tick, track } from "../../core/test/helpers";

/** asyncio's loop.call_soon: runs `fn` on a later microtask (a promise job, so jest's fake timers leave it alone). */
function callSoon(fn: () => void): void {
  void Promise.resolve().then(fn);
}

describe("EventTests", () => {
  test("test_repr", () => {
    const ev = new Event();
    expect(String(ev)).toBe("<Event [unset]>");

    ev.set();
    expect(String(ev)).toBe("<Event [set]>");

    // asyncio appends a mock to ev._waiters; here a real waiter on a cleared event.
    ev.clear();
    void ev.wait();
    expect(String(ev)).toBe("<Event [unset, waiters:1]>");
  });

  test("test_wait", async () => {
    const ev = new Event();
    expect(ev.isSet()).toBe(false);

    const result: number[] = [];

    const c = (n: number) => async (): Promise<void> => {
      if (await ev.wait()) result.push(n);
    };

    const t1 = track(c(1)());
    const t2 = track(c(2)());

    await tick();
    expect(result).toEqual([]);

    // asyncio gets [3, 1, 2]: t3's first step was scheduled before set() woke t1 and t2. Here t3 starts after set(), on
    // a set event, and its continuation queues behind those of the waiters that set() resolved.
    ev.set();
    const t3 = track(c(3)());
    await tick();
    expect(result).toEqual([1, 2, 3]);

    for (const t of [t1, t2, t3]) expect(t.current).toEqual({ state: "fulfilled", value: undefined });
  });

  test("test_wait_on_set", async () => {
    const ev = new Event();
    ev.set();

    const res = await ev.wait();
    expect(res).toBe(true);
  });

  test("test_wait_cancel", async () => {
    const ev = new Event();

    const controller = new AbortController();
    const cancelled = new Error("cancelled");
    const wait = ev.wait({ signal: controller.signal });
    callSoon(() => controller.abort(cancelled));
    await expect(wait).rejects.toBe(cancelled);
    expect(ev.waiters).toBe(0);
  });

  test("test_clear", () => {
    const ev = new Event();
    expect(ev.isSet()).toBe(false);

    ev.set();
    expect(ev.isSet()).toBe(true);

    ev.clear();
    expect(ev.isSet()).toBe(false);
  });

  test("test_clear_with_waiters", async () => {
    const ev = new Event();
    const result: number[] = [];

    async function c1(): Promise<boolean> {
      if (await ev.wait()) result.push(1);
      return true;
    }

    const t = track(c1());
    await tick();
    expect(result).toEqual([]);

    ev.set();
    ev.clear();
    expect(ev.isSet()).toBe(false);

    ev.set();
    ev.set();
    // asyncio still counts 1 waiter here (its future is done but not yet removed); set() here hands over, so 0 at once.
    expect(ev.waiters).toBe(0);

    await tick();
    expect(result).toEqual([1]);
    expect(ev.waiters).toBe(0);

    expect(t.current).toEqual({ state: "fulfilled", value: true });
  });
});
