import { type Acquirable, Guard, type WaitOptions } from "@sync/core";
import { hold, run } from "@sync/core/internal";
import { tick, track } from "./helpers";
import { MiniLock } from "./mini-lock";

/** An Acquirable that logs each call and can be told to refuse. */
function spy(refuseWith?: unknown): Acquirable & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    acquire(options?: WaitOptions) {
      log.push(`acquire ${JSON.stringify(options)}`);
      return refuseWith === undefined ? Promise.resolve(true) : Promise.reject(refuseWith);
    },
    release() {
      log.push("release");
    },
  };
}

describe("Guard", () => {
  it("releases its owner on the first release() only", () => {
    const target = spy();
    const guard = new Guard(target);
    guard.release();
    guard.release();
    guard[Symbol.dispose]();
    expect(target.log).toEqual(["release"]);
  });

  it("releases on [Symbol.dispose]() and not again on release()", () => {
    const target = spy();
    const guard = new Guard(target);
    guard[Symbol.dispose]();
    guard.release();
    expect(target.log).toEqual(["release"]);
  });

  it("cannot release a hold that someone else took after it", async () => {
    // Actors: A holds the lock through a guard, B waits for it. Interleaving:
    // A releases (the lock passes straight to B), then A's guard is released
    // again by mistake. What would break: a guard that just called
    // lock.release() would free B's hold while B is inside.
    const lock = new MiniLock();
    const log: string[] = [];
    const a = await lock.hold();
    const b = lock.hold().then((guard) => (log.push("B holds"), guard));
    a.release();
    await tick();
    a.release();
    a[Symbol.dispose]();
    expect(log).toEqual(["B holds"]);
    expect([lock.locked(), lock.waiters]).toEqual([true, 0]);
    (await b).release();
    expect(lock.locked()).toBe(false);
  });

  it("is released at the end of a `using` block", async () => {
    const lock = new MiniLock();
    const log: string[] = [];
    {
      using _ = await lock.hold();
      log.push(`inside: ${lock.locked()}`);
    }
    log.push(`after: ${lock.locked()}`);
    expect(log).toEqual(["inside: true", "after: false"]);
  });

  it("is released when a `using` block throws, and only once when also released by hand", async () => {
    const lock = new MiniLock();
    const release = jest.spyOn(lock, "release");
    const body = async (): Promise<void> => {
      using guard = await lock.hold();
      guard.release(); // early release; `using` then does nothing more
      throw new Error("boom");
    };
    await expect(body()).rejects.toThrow("boom");
    expect(release).toHaveBeenCalledTimes(1);
    expect(lock.locked()).toBe(false);
  });

  it("keys its dispose method by Symbol.dispose where the runtime has it", () => {
    expect(typeof Symbol.dispose).toBe("symbol");
    expect(Object.getOwnPropertySymbols(Guard.prototype)).toEqual([Symbol.dispose]);
  });

  it('falls back to Symbol.for("Symbol.dispose") where Symbol.dispose is missing', () => {
    // A fresh copy of core, loaded while the runtime lacks Symbol.dispose, as
    // on Node 18 or an older browser; the real symbol is restored afterwards.
    const descriptor = Object.getOwnPropertyDescriptor(Symbol, "dispose")!;
    let isolated: typeof import("@sync/core") | undefined;
    expect(Reflect.deleteProperty(Symbol, "dispose")).toBe(true);
    try {
      expect(Symbol.dispose).toBeUndefined();
      jest.isolateModules(() => {
        isolated = jest.requireActual<typeof import("@sync/core")>("@sync/core");
      });
    } finally {
      Object.defineProperty(Symbol, "dispose", descriptor);
    }
    const { Guard: FallbackGuard } = isolated!;
    expect(FallbackGuard).not.toBe(Guard); // really a second copy
    expect(Object.getOwnPropertySymbols(FallbackGuard.prototype)).toEqual([Symbol.for("Symbol.dispose")]);
    const target = spy();
    const guard = new FallbackGuard(target) as unknown as Record<symbol, () => void>;
    guard[Symbol.for("Symbol.dispose")]!();
    guard[Symbol.for("Symbol.dispose")]!();
    expect(target.log).toEqual(["release"]);
    expect(Symbol.dispose).toBe(descriptor.value);
  });
});

describe("hold()", () => {
  it("acquires with the options given and resolves to a Guard", async () => {
    const target = spy();
    const guard = await hold(target, { timeout: 5 });
    expect(guard).toBeInstanceOf(Guard);
    guard.release();
    expect(target.log).toEqual(['acquire {"timeout":5}', "release"]);
  });

  it("gives no guard and holds nothing when the acquire rejects", async () => {
    const reason = new Error("aborted");
    const target = spy(reason);
    await expect(hold(target)).rejects.toBe(reason);
    expect(target.log).toEqual(["acquire undefined"]);
  });

  it("holds nothing when cancelled while waiting on a real primitive", async () => {
    const lock = new MiniLock();
    const first = await lock.hold();
    const controller = new AbortController();
    const p = track(lock.hold({ signal: controller.signal }));
    controller.abort("stop");
    await tick();
    expect(p.current).toEqual({ state: "rejected", reason: "stop" });
    first.release();
    expect([lock.locked(), lock.waiters]).toEqual([false, 0]);
  });
});

describe("run()", () => {
  it("acquires, awaits fn, releases and returns fn's result", async () => {
    const lock = new MiniLock();
    const log: string[] = [];
    const result = await run(lock, async () => {
      log.push(`fn: ${lock.locked()}`);
      await tick();
      return 42;
    });
    log.push(`after: ${lock.locked()}`);
    expect([result, log]).toEqual([42, ["fn: true", "after: false"]]);
  });

  it("returns a plain (non-promise) result of fn", async () => {
    const target = spy();
    await expect(run(target, () => "plain")).resolves.toBe("plain");
    expect(target.log).toEqual(["acquire undefined", "release"]);
  });

  it("releases and rejects when fn throws synchronously", async () => {
    const target = spy();
    const error = new Error("sync");
    await expect(
      run(target, () => {
        throw error;
      }),
    ).rejects.toBe(error);
    expect(target.log).toEqual(["acquire undefined", "release"]);
  });

  it("releases and rejects when fn's promise rejects", async () => {
    const lock = new MiniLock();
    const error = new Error("async");
    await expect(lock.run(() => Promise.reject(error))).rejects.toBe(error);
    expect(lock.locked()).toBe(false);
  });

  it("passes the options to the acquire", async () => {
    const target = spy();
    await run(target, () => undefined, { timeout: 7 });
    expect(target.log).toEqual(['acquire {"timeout":7}', "release"]);
  });

  it.each([
    ["undefined", undefined, "fn must be a function"],
    ["a string", "go", "fn must be a function"],
    ["a promise", Promise.resolve(1), "fn must be a function"],
  ])("rejects with TypeError, acquiring nothing, when fn is %s", async (_, fn, message) => {
    const target = spy();
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = run(target, fn as never);
    }).not.toThrow();
    await expect(p).rejects.toThrow(new TypeError(message));
    expect(target.log).toEqual([]);
  });

  it("does not call fn nor release when the acquire rejects", async () => {
    const reason = new Error("aborted");
    const target = spy(reason);
    const fn = jest.fn();
    await expect(run(target, fn)).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(target.log).toEqual(["acquire undefined"]);
  });

  it("serialises callers on a real primitive, in arrival order", async () => {
    const lock = new MiniLock();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name} in`);
      await tick();
      log.push(`${name} out`);
      return name;
    };
    const results = await Promise.all([lock.run(job("a")), lock.run(job("b")), lock.run(job("c"))]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["a in", "a out", "b in", "b out", "c in", "c out"]);
    expect([lock.locked(), lock.waiters]).toEqual([false, 0]);
  });
});
