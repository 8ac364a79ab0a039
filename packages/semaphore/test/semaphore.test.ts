// Semaphore's own cases: several permits, the counter, the bound. What every
// lock-like class does (with one permit) is in ../../lock/test/lock-like.test.ts.
import { inspect } from "node:util";
import { TimeoutError } from "@sync/core";
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";
import fc from "fast-check";
import { tick, track } from "../../core/test/helpers";

const classes = [
  ["Semaphore", Semaphore],
  ["BoundedSemaphore", BoundedSemaphore],
] as const;

const granted = { state: "fulfilled", value: true } as const;

/** The class invariants, seen through the public observers. */
function checkInvariants(sem: Semaphore): void {
  expect(Number.isInteger(sem.value) && sem.value >= 0).toBe(true);
  if (sem.waiters > 0) expect(sem.value).toBe(0);
  expect(sem.locked()).toBe(sem.value === 0);
}

afterEach(() => {
  jest.useRealTimers();
});

describe.each(classes)("%s: several permits", (_name, Class) => {
  test("many concurrent holders released in any order: each release serves the oldest waiter", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 6 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
              fc.integer({ min: 0, max: 6 }),
            ),
          ),
        async ([n, order, extra]) => {
          const sem = new Class(n);
          const holders = await Promise.all(Array.from({ length: n }, () => sem.hold()));
          expect(sem.locked()).toBe(true);
          const log: number[] = [];
          const queued = Array.from({ length: extra }, (_, i) => sem.hold().then((g) => (log.push(i), g)));
          expect(sem.waiters).toBe(extra);

          for (const i of order) {
            holders[i]!.release();
            checkInvariants(sem);
          }
          await tick();
          // The first min(n, extra) waiters got the permits, in arrival order.
          expect(log).toEqual([...Array(Math.min(n, extra)).keys()]);
          expect(sem.waiters).toBe(Math.max(0, extra - n));
          expect(sem.value).toBe(Math.max(0, n - extra));

          // Each waiter, once served, releases in turn; the counter comes back to n.
          for (const next of queued) (await next).release();
          expect(log).toEqual([...Array(extra).keys()]);
          expect([sem.value, sem.waiters]).toEqual([n, 0]);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("a random mix of acquire, tryAcquire, release and abort matches a FIFO model", async () => {
    type Op = { kind: "acquire" } | { kind: "try" } | { kind: "release" } | { kind: "abort"; pick: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant({ kind: "acquire" as const }),
      fc.constant({ kind: "try" as const }),
      fc.constant({ kind: "release" as const }),
      fc.nat(20).map((pick) => ({ kind: "abort" as const, pick })),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.array(op, { maxLength: 40 }), async (initial, ops) => {
        const bounded = Class === BoundedSemaphore;
        const sem = new Class(initial);
        // The model: a counter and a FIFO of waiter ids; grants in hand-off order.
        let value = initial;
        const queue: number[] = [];
        const expected: string[] = [];
        const log: string[] = [];
        const calls: { controller: AbortController; id: number }[] = [];
        for (const step of ops) {
          if (step.kind === "acquire") {
            const id = calls.length;
            const controller = new AbortController();
            calls.push({ controller, id });
            sem.acquire({ signal: controller.signal }).then(
              () => void log.push(`granted ${id}`),
              () => void log.push(`aborted ${id}`),
            );
            if (queue.length === 0 && value > 0) {
              value--;
              expected.push(`granted ${id}`);
            } else queue.push(id);
          } else if (step.kind === "try") {
            const ok = queue.length === 0 && value > 0;
            expect(sem.tryAcquire()).toBe(ok);
            if (ok) value--;
          } else if (step.kind === "release") {
            const allowed = !bounded || value < initial;
            if (allowed) {
              sem.release();
              const next = queue.shift();
              if (next === undefined) value++;
              else expected.push(`granted ${next}`);
            } else {
              expect(() => sem.release()).toThrow(RangeError);
            }
          } else if (calls.length > 0) {
            const { controller, id } = calls[step.pick % calls.length]!;
            if (!controller.signal.aborted) {
              controller.abort();
              const at = queue.indexOf(id);
              if (at >= 0) {
                queue.splice(at, 1);
                expected.push(`aborted ${id}`);
              }
            }
          }
          await tick();
          expect(log).toEqual(expected);
          expect([sem.value, sem.waiters]).toEqual([value, queue.length]);
          checkInvariants(sem);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe.each(classes)("%s: observers and guards", (name, Class) => {
  test.each([undefined, 0, 1, 3, 1_000_000])("new %s(%p) is valid", (value) => {
    const sem = new Class(value);
    expect(sem.value).toBe(value ?? 1);
    expect(sem.waiters).toBe(0);
    expect(sem.locked()).toBe(value === 0);
  });

  test.each([-1, 1.5, NaN, Infinity, -Infinity, Number.MIN_VALUE])("a value of %p is a RangeError", (value) => {
    expect(() => new Class(value)).toThrow(RangeError);
  });

  test.each(["1", null, {}, true, 1n, [1]])("a value of %p is a TypeError", (value) => {
    expect(() => new Class(value as never)).toThrow(TypeError);
  });

  test("locked(), value and waiters follow acquire, release and abort", async () => {
    const sem = new Class(2);
    const seen = (): [number, number, boolean] => [sem.value, sem.waiters, sem.locked()];
    expect(seen()).toEqual([2, 0, false]);
    expect(await sem.acquire()).toBe(true);
    expect(seen()).toEqual([1, 0, false]);
    expect(sem.tryAcquire()).toBe(true);
    expect(seen()).toEqual([0, 0, true]);
    const controller = new AbortController();
    const a = track(sem.acquire({ signal: controller.signal }));
    const b = track(sem.acquire());
    expect(seen()).toEqual([0, 2, true]);
    controller.abort();
    expect(seen()).toEqual([0, 1, true]);
    sem.release();
    expect(seen()).toEqual([0, 0, true]);
    sem.release();
    expect(seen()).toEqual([1, 0, false]);
    sem.release();
    expect(seen()).toEqual([2, 0, false]);
    await tick();
    expect([a.current.state, b.current]).toEqual(["rejected", granted]);
  });

  test("String() and util.inspect show the exact formats of API.md", async () => {
    const sem = new Class(3);
    expect(String(sem)).toBe(`<${name} [unlocked, value:3]>`);
    await sem.acquire();
    await sem.acquire();
    expect(`${sem}`).toBe(`<${name} [unlocked, value:1]>`);
    await sem.acquire();
    expect(String(sem)).toBe(`<${name} [locked]>`);
    const waiting = [sem.acquire(), sem.acquire()];
    expect(String(sem)).toBe(`<${name} [locked, waiters:2]>`);
    expect(inspect(sem)).toBe(`<${name} [locked, waiters:2]>`);
    expect(inspect({ sem })).toBe(`{ sem: <${name} [locked, waiters:2]> }`);
    sem.release();
    expect(String(sem)).toBe(`<${name} [locked, waiters:1]>`);
    sem.release();
    sem.release();
    await Promise.all(waiting);
    expect(inspect(sem)).toBe(`<${name} [unlocked, value:1]>`);
  });
});

describe("Semaphore only", () => {
  test("release() may raise the counter above its initial value (asyncio allows more releases than acquires)", () => {
    const sem = new Semaphore(1);
    sem.release();
    sem.release();
    expect(sem.value).toBe(3);
    expect(String(sem)).toBe("<Semaphore [unlocked, value:3]>");
  });
});

describe("BoundedSemaphore only", () => {
  test("is a Semaphore", () => {
    const sem = new BoundedSemaphore(2);
    expect(sem).toBeInstanceOf(Semaphore);
    expect(sem).toBeInstanceOf(BoundedSemaphore);
    expect(new Semaphore()).not.toBeInstanceOf(BoundedSemaphore);
  });

  test("a release above the initial value throws RangeError and leaves everything unchanged", async () => {
    const sem = new BoundedSemaphore(2);
    expect(() => sem.release()).toThrow(RangeError);
    expect([sem.value, sem.waiters, String(sem)]).toEqual([2, 0, "<BoundedSemaphore [unlocked, value:2]>"]);

    await sem.acquire();
    sem.release();
    expect(() => sem.release()).toThrow("BoundedSemaphore released too many times");
    expect(sem.value).toBe(2);
  });

  test("releases that hand a permit to a waiter never hit the bound", async () => {
    const sem = new BoundedSemaphore(1);
    await sem.acquire();
    const waiters = [track(sem.acquire()), track(sem.acquire())];
    sem.release();
    sem.release();
    await tick();
    expect(waiters.map((w) => w.current)).toEqual([granted, granted]);
    expect([sem.value, sem.waiters]).toEqual([0, 0]);
    sem.release();
    expect(() => sem.release()).toThrow(RangeError);
    expect(sem.value).toBe(1);
  });

  test("new BoundedSemaphore(0) is allowed: locked for good, and every release is a RangeError", async () => {
    jest.useFakeTimers();
    const sem = new BoundedSemaphore(0);
    expect([sem.value, sem.locked(), String(sem)]).toEqual([0, true, "<BoundedSemaphore [locked]>"]);
    expect(() => sem.release()).toThrow(RangeError);
    expect(sem.tryAcquire()).toBe(false);
    await expect(sem.acquire({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    const waiting = sem.acquire({ timeout: 5 });
    expect(String(sem)).toBe("<BoundedSemaphore [locked, waiters:1]>");
    // A queued waiter changes nothing: the counter is at its bound of 0.
    expect(() => sem.release()).toThrow(RangeError);
    expect(sem.waiters).toBe(1);
    jest.advanceTimersByTime(5);
    await expect(waiting).rejects.toBeInstanceOf(TimeoutError);
    expect([sem.value, sem.waiters]).toEqual([0, 0]);
  });
});
