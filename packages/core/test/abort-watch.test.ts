// WaiterQueue's performance mechanics: one abort listener per signal however
// many waiters share it, plain waiters that keep no reject function, and
// `last`. Behaviour must be exactly that of a listener per waiter.
import { getEventListeners } from "node:events";
import { TimeoutError, WaiterQueue } from "@sync/core";
import { tick, track, useFakeTimersPerTest } from "./helpers";

useFakeTimersPerTest();

function listeners(signal: AbortSignal): number {
  return getEventListeners(signal, "abort").length;
}

describe("one listener per signal", () => {
  it("adds one listener for any number of waiters on a signal, and removes it with the last", () => {
    const queue = new WaiterQueue<string>();
    const { signal } = new AbortController();
    const log: [number, number][] = [];
    for (let i = 0; i < 20; i++) void queue.wait({ signal });
    log.push([queue.length, listeners(signal)]);
    for (let i = 0; i < 19; i++) queue.shift()!.grant("go");
    log.push([queue.length, listeners(signal)]);
    queue.shift()!.grant("go");
    log.push([queue.length, listeners(signal)]);
    void queue.wait({ signal }); // a new waiter on the same signal listens again
    log.push([queue.length, listeners(signal)]);
    expect(log).toEqual([
      [20, 1],
      [1, 1],
      [0, 0],
      [1, 1],
    ]);
  });

  it.each([
    ["the head", 0, ["b", "c"]],
    ["a middle waiter", 1, ["a", "c"]],
    ["the tail", 2, ["a", "b"]],
  ])("lets %s of a shared signal time out, and an abort then takes exactly the others", async (_, who, left) => {
    // Actors: a, b, c share one signal; one of them also has a timeout.
    // Interleaving: the timeout fires first, then the signal aborts. What
    // would break: a watch that lost its links when one waiter left would
    // abort too few waiters, or reject the one that already timed out twice.
    const queue = new WaiterQueue<string>();
    const controller = new AbortController();
    const log: string[] = [];
    ["a", "b", "c"].forEach((name, i) => {
      const options = i === who ? { signal: controller.signal, timeout: 5 } : { signal: controller.signal };
      queue.wait(options).catch((reason: unknown) => {
        log.push(`${name} ${reason instanceof TimeoutError ? "timed out" : String(reason)}`);
      });
    });
    jest.advanceTimersByTime(5);
    expect([queue.length, listeners(controller.signal)]).toEqual([2, 1]);
    controller.abort("stop");
    expect([queue.length, listeners(controller.signal)]).toEqual([0, 0]);
    await tick();
    expect(log).toEqual([`${"abc"[who]} timed out`, ...left.map((name) => `${name} stop`)]);
  });

  it("aborts waiters of different queues on one signal in the order they came", async () => {
    const first = new WaiterQueue<string>();
    const second = new WaiterQueue<string>();
    const controller = new AbortController();
    const log: string[] = [];
    const wait = (queue: WaiterQueue<string>, name: string): void => {
      queue.wait({ signal: controller.signal }).catch(() => log.push(name));
    };
    wait(first, "1a");
    wait(second, "2a");
    wait(first, "1b");
    expect(listeners(controller.signal)).toBe(1);
    controller.abort();
    await tick();
    expect(log).toEqual(["1a", "2a", "1b"]);
    expect([first.length, second.length]).toEqual([0, 0]);
  });

  it("finishes an abort when onLeave hands out to the waiters behind, on the same signal or not", async () => {
    // Actors: a, b, c share a signal, d has none; the queue's onLeave grants
    // the head. Interleaving: the abort abandons a, whose onLeave shifts:
    // b and c, aborted already, are skipped (rejected, never granted) and
    // d gets the grant; b and c leave the watch mid-abort. What would break:
    // walking a list that changes under the walk would stop early or visit
    // b and c twice; granting b would hand the lock to an aborted waiter.
    const queue: WaiterQueue<string> = new WaiterQueue<string>(() => queue.shift()?.grant("handed over"));
    const controller = new AbortController();
    const [a, b, c] = [0, 1, 2].map(() => track(queue.wait({ signal: controller.signal })));
    const d = track(queue.wait());
    controller.abort("stop");
    await tick();
    expect([a!.current, b!.current, c!.current, d.current]).toEqual([
      { state: "rejected", reason: "stop" },
      { state: "rejected", reason: "stop" },
      { state: "rejected", reason: "stop" },
      { state: "fulfilled", value: "handed over" },
    ]);
    expect([queue.length, listeners(controller.signal)]).toEqual([0, 0]);
  });

  it("clears the timer of a waiter that has a timeout and no signal", async () => {
    const queue = new WaiterQueue<string>();
    const p = track(queue.wait({ timeout: 50 }));
    expect(jest.getTimerCount()).toBe(1);
    queue.shift()!.grant("in time");
    expect(jest.getTimerCount()).toBe(0);
    await tick();
    expect(p.current).toEqual({ state: "fulfilled", value: "in time" });
  });
});

describe("plain waiters", () => {
  it("reject through fail() with the very error, though they keep no reject function", async () => {
    const queue = new WaiterQueue<string>();
    const error = new Error("reset");
    const log: string[] = [];
    queue.wait().catch((reason: unknown) => log.push(reason === error ? "rejected with the error" : "wrong"));
    queue.wait({}).then((value) => log.push(value));
    queue.shift()!.fail(error);
    queue.shift()!.grant("granted");
    await tick();
    // fail() on a plain waiter rejects one microtask later than a grant.
    expect(log).toEqual(["granted", "rejected with the error"]);
  });
});
