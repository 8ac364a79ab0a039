// Event shares one queued waiter, and one promise, among callers that pass
// no signal and no timeout and arrive one after another. These cases check
// that nobody can tell, except by the cost: `waiters` counts callers, set()
// wakes callers in the order they came, and abort semantics are unchanged.
import { Event } from "@sync/event";
import { tick, track } from "../../core/test/helpers";

describe("callers without signal or timeout share a waiter", () => {
  it("counts every caller in waiters and String()", () => {
    const event = new Event();
    for (let i = 0; i < 3; i++) void event.wait();
    void event.wait({ timeout: Infinity, signal: undefined });
    expect([event.waiters, String(event)]).toEqual([4, "<Event [unset, waiters:4]>"]);
  });

  it("wakes mixed callers in the order they came", async () => {
    // Actors: plain callers a, b, d, f and callers with a signal c, e.
    // Interleaving: all wait, then one set(). What would break: one promise
    // for all plain callers, resolved before the others, would wake a, b,
    // d, f first and c, e after them.
    const event = new Event();
    const { signal } = new AbortController();
    const log: string[] = [];
    for (const [name, options] of [
      ["a", undefined],
      ["b", undefined],
      ["c", { signal }],
      ["d", undefined],
      ["e", { signal }],
      ["f", {}],
    ] as const) {
      void event.wait(options).then(() => log.push(name));
    }
    event.set();
    await tick();
    expect(log).toEqual(["a", "b", "c", "d", "e", "f"]);
    expect(event.waiters).toBe(0);
  });

  it("drops waiters by one when a caller with a signal aborts between plain ones", async () => {
    const event = new Event();
    const controller = new AbortController();
    const before = track(event.wait());
    const leaving = track(event.wait({ signal: controller.signal }));
    const after = track(event.wait());
    controller.abort("stop");
    expect(event.waiters).toBe(2);
    event.set();
    event.clear(); // set() then clear() still wakes everyone who waited
    await tick();
    expect([before.current, leaving.current, after.current]).toEqual([
      { state: "fulfilled", value: true },
      { state: "rejected", reason: "stop" },
      { state: "fulfilled", value: true },
    ]);
    expect([event.waiters, event.isSet()]).toEqual([0, false]);
  });

  it("starts a new shared waiter after set() and clear()", async () => {
    const event = new Event();
    const first = track(event.wait());
    event.set();
    event.clear();
    const second = track(event.wait());
    await tick();
    expect([first.current.state, second.current.state, event.waiters]).toEqual(["fulfilled", "pending", 1]);
    event.set();
    await tick();
    expect([second.current.state, event.waiters]).toEqual(["fulfilled", 0]);
  });

  it("rejects malformed options without counting the caller", async () => {
    const event = new Event();
    const p = track(event.wait({ timeout: -1 }));
    expect(event.waiters).toBe(0);
    await tick();
    expect((p.current as { reason: unknown }).reason).toBeInstanceOf(RangeError);
  });
});
