// Lock's own cases. What every lock-like class does (exclusion, FIFO
// hand-off, cancellation, hold and run) is in lock-like.test.ts.
import { inspect } from "node:util";
import { Lock } from "@sync/lock";

describe("String() and util.inspect()", () => {
  test("show the state and the number of waiters in API.md's format", async () => {
    const lock = new Lock();
    const shown = (): string[] => [String(lock), inspect(lock)];
    expect(shown()).toEqual(["<Lock [unlocked]>", "<Lock [unlocked]>"]);
    await lock.acquire();
    expect(shown()).toEqual(["<Lock [locked]>", "<Lock [locked]>"]);
    const controller = new AbortController();
    void lock.acquire({ signal: controller.signal }).catch(() => {});
    expect(shown()).toEqual(["<Lock [locked, waiters:1]>", "<Lock [locked, waiters:1]>"]);
    void lock.acquire({ signal: controller.signal }).catch(() => {});
    expect(shown()).toEqual(["<Lock [locked, waiters:2]>", "<Lock [locked, waiters:2]>"]);
    expect(`${lock}`).toBe("<Lock [locked, waiters:2]>");
    expect(inspect({ lock })).toBe("{ lock: <Lock [locked, waiters:2]> }");
    controller.abort();
    expect(shown()).toEqual(["<Lock [locked]>", "<Lock [locked]>"]);
  });
});
