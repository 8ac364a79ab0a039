// The browser suite: every primitive, imported from its ESM bundle through
// the page's import map, in a real browser. Real small timeouts are fine
// here. Run it with `pnpm build && pnpm test:browser`.
/* global document, window, AbortController, AbortSignal, DOMException, performance */

import * as primitives from "@sync/primitives";
import { Barrier, BrokenBarrierError } from "@sync/barrier";
import { Condition } from "@sync/condition";
import { Guard, InvalidStateError, TimeoutError, WaiterQueue, withTimeout } from "@sync/core";
import { Event } from "@sync/event";
import { KeyedLock } from "@sync/keyed";
import { Lock } from "@sync/lock";
import { LeaseLostError, RedisSync } from "@sync/redis";
import { RWLock } from "@sync/rwlock";
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";
import { assert, equal, rejects, runAll, sleep, test, throws, tick, track } from "./harness.js";

// `using` is new syntax: a browser that cannot parse it fails this import
// only, and the guard tests then dispose by hand.
const usingModule = await import("./using.js").catch(() => undefined);
// The key Guard's dispose method lives under: the polyfill's key where the
// runtime has no Symbol.dispose (see packages/core/src/guard.ts).
const disposeKey = typeof Symbol.dispose === "symbol" ? Symbol.dispose : Symbol.for("Symbol.dispose");
const disposeName = typeof Symbol.dispose === "symbol" ? "Symbol.dispose" : 'Symbol.for("Symbol.dispose")';

const isReason = (reason) => (error) => error === reason;

test("exports: every package and subpath of the import map loads; @sync/primitives re-exports, once", async () => {
  // The import map is written by scripts/browser-test.mjs from every package's exports, so a new package loads here too.
  const { imports } = JSON.parse(document.querySelector('script[type="importmap"]').textContent);
  const loaded = await Promise.all(Object.keys(imports).map(async (name) => [name, await import(name)]));
  for (const [name, exports] of loaded) assert(Object.keys(exports).length > 0, `${name} exports nothing`);
  for (const [key, value] of Object.entries(primitives)) {
    const owners = loaded.filter(([name, exports]) => name !== "@sync/primitives" && exports[key] === value);
    // One copy of each class: @sync/primitives re-exports, it does not bundle a second.
    assert(owners.length >= 1, `@sync/primitives re-exports ${key} from its package`);
  }
});

test("Lock: FIFO hand-off, exclusion and String()", async () => {
  const lock = new Lock();
  const log = [];
  equal(String(lock), "<Lock [unlocked]>");
  equal(await lock.acquire(), true);
  equal(String(lock), "<Lock [locked]>");
  track(lock.acquire(), "a", log);
  track(lock.acquire(), "b", log);
  equal(String(lock), "<Lock [locked, waiters:2]>");
  lock.release();
  // Hand-off: still locked, and the waiter has already left the queue.
  equal([lock.locked(), lock.waiters], [true, 1]);
  assert(!lock.tryAcquire(), "tryAcquire() cannot overtake a waiter");
  await tick();
  equal(log, ["a ok"]);
  lock.release();
  await tick();
  equal(log, ["a ok", "b ok"]);
  lock.release();
  equal([lock.locked(), lock.waiters, String(lock)], [false, 0, "<Lock [unlocked]>"]);
  assert(lock.tryAcquire(), "tryAcquire() on a free lock");
  lock.release();
});

test("Lock: release() of an unlocked lock throws InvalidStateError", () => {
  const lock = new Lock();
  const error = throws(() => lock.release(), InvalidStateError);
  equal([error.message, String(error)], ["Lock is not acquired", "InvalidStateError: Lock is not acquired"]);
  assert(!lock.locked(), "still unlocked");
});

test("Lock: run() returns fn's result and releases in all cases", async () => {
  const lock = new Lock();
  equal(
    await lock.run(async () => {
      assert(lock.locked(), "locked while fn runs");
      return 42;
    }),
    42,
  );
  assert(!lock.locked(), "released after fn resolved");
  await rejects(
    lock.run(async () => {
      throw new SyntaxError("from fn");
    }),
    SyntaxError,
  );
  assert(!lock.locked(), "released after fn rejected");
  await rejects(lock.run(42), TypeError, "fn not a function");
  assert(!lock.locked(), "nothing acquired for a bad fn");
});

test("Event: set() wakes every waiter, even if clear() follows", async () => {
  const event = new Event();
  const log = [];
  equal(String(event), "<Event [unset]>");
  track(event.wait(), "a", log);
  equal(String(event), "<Event [unset, waiters:1]>");
  track(event.wait(), "b", log);
  event.set();
  event.clear();
  equal([event.isSet(), event.waiters], [false, 0]);
  await tick();
  equal(log, ["a ok", "b ok"]);
  event.set();
  equal([String(event), await event.wait()], ["<Event [set]>", true]);
});

test("Condition: wait() releases the lock, notify() wakes the oldest, String()", async () => {
  const cond = new Condition();
  const log = [];
  equal(String(cond), "<Condition [unlocked]>");
  const waiter = async (name) => {
    await cond.acquire();
    try {
      await cond.wait();
      log.push(`${name} woke holding the lock: ${cond.locked()}`);
    } finally {
      cond.release();
    }
  };
  const all = Promise.all([waiter("a"), waiter("b")]);
  await tick();
  equal([cond.waiters, cond.locked()], [2, false]);
  await cond.acquire();
  equal(String(cond), "<Condition [locked, waiters:2]>");
  cond.notify();
  equal(cond.waiters, 1);
  cond.release();
  await tick();
  equal(log, ["a woke holding the lock: true"]);
  await cond.acquire();
  cond.notifyAll();
  cond.release();
  await all;
  equal(log, ["a woke holding the lock: true", "b woke holding the lock: true"]);
  equal([String(cond), cond.waiters], ["<Condition [unlocked]>", 0]);
});

test("Condition: misuse and a shared lock", async () => {
  const lock = new Lock();
  const first = new Condition(lock);
  const second = new Condition(lock);
  throws(() => new Condition({}), TypeError, "a lock that is not a Lock");
  throws(() => first.notify(), InvalidStateError, "notify() without the lock");
  throws(() => first.notifyAll(), InvalidStateError, "notifyAll() without the lock");
  await rejects(first.wait(), InvalidStateError, "wait() without the lock");
  await rejects(
    first.waitFor(() => true),
    InvalidStateError,
    "waitFor() without the lock",
  );
  await first.acquire();
  assert(lock.locked() && second.locked(), "both conditions see the shared lock");
  second.release();
  assert(!lock.locked(), "released through the other condition");
});

test("Condition: waitFor() resolves the predicate's value; its timeout bounds the call", async () => {
  const cond = new Condition();
  let ready = 0;
  const consumer = cond.run(() => cond.waitFor(() => ready > 0 && `ready ${ready}`));
  await tick();
  await cond.acquire();
  cond.notify(); // predicate still false: it waits again
  cond.release();
  await tick();
  equal(cond.waiters, 1);
  await cond.acquire();
  ready = 1;
  cond.notify();
  cond.release();
  equal(await consumer, "ready 1");

  await cond.acquire();
  const start = performance.now();
  await rejects(
    cond.waitFor(() => false, { timeout: 20 }),
    TimeoutError,
  );
  const elapsed = performance.now() - start;
  assert(elapsed >= 15, `timed out after ${elapsed} ms, before 20 ms`);
  assert(cond.locked(), "the lock is held when the rejection is seen");
  cond.release();
});

test("Condition: a cancelled wait() re-acquires the lock before it rejects", async () => {
  // Actors: the waiter (cancelled) and main, who takes the lock meanwhile.
  // The waiter must not reject until it holds the lock again.
  const cond = new Condition();
  const controller = new AbortController();
  const log = [];
  await cond.acquire();
  cond.wait({ signal: controller.signal }).then(
    () => log.push("resolved"),
    (error) => log.push(`rejected "${error}", holding the lock: ${cond.locked()}`),
  );
  equal([cond.locked(), cond.waiters], [false, 1]);
  await cond.acquire();
  controller.abort("stop");
  equal(cond.waiters, 0);
  await tick();
  equal(log, []);
  cond.release();
  await tick();
  equal(log, ['rejected "stop", holding the lock: true']);
  cond.release();
});

test("Condition: a notified wait() keeps its notification when aborted afterwards", async () => {
  const cond = new Condition();
  const controller = new AbortController();
  const log = [];
  await cond.acquire();
  track(cond.wait({ signal: controller.signal }), "wait", log);
  await cond.acquire();
  cond.notify();
  controller.abort(new Error("too late"));
  cond.release();
  await tick();
  equal(log, ["wait ok"]);
  assert(cond.locked(), "the woken waiter holds the lock");
  cond.release();
});

test("Semaphore: counter, hand-off and String()", async () => {
  throws(() => new Semaphore(-1), RangeError, "negative value");
  throws(() => new Semaphore(1.5), RangeError, "fractional value");
  throws(() => new Semaphore("2"), TypeError, "string value");
  const sem = new Semaphore(3);
  const log = [];
  equal([sem.value, sem.locked(), String(sem)], [3, false, "<Semaphore [unlocked, value:3]>"]);
  for (let i = 0; i < 3; i++) equal(await sem.acquire(), true);
  equal([sem.value, sem.locked(), String(sem)], [0, true, "<Semaphore [locked]>"]);
  track(sem.acquire(), "a", log);
  track(sem.acquire(), "b", log);
  equal(String(sem), "<Semaphore [locked, waiters:2]>");
  sem.release();
  equal([sem.value, sem.waiters], [0, 1]);
  assert(!sem.tryAcquire(), "tryAcquire() cannot overtake a waiter");
  await tick();
  equal(log, ["a ok"]);
  sem.release();
  sem.release();
  await tick();
  equal(log, ["a ok", "b ok"]);
  equal([sem.value, sem.waiters], [1, 0]);
  equal(Object.prototype.toString.call(sem), "[object Semaphore]");
  const unbounded = new Semaphore(0);
  unbounded.release();
  equal(unbounded.value, 1);
});

test("BoundedSemaphore: release() above the initial value throws RangeError", async () => {
  const bounded = new BoundedSemaphore(2);
  assert(bounded instanceof Semaphore, "a BoundedSemaphore is a Semaphore");
  equal(String(bounded), "<BoundedSemaphore [unlocked, value:2]>");
  throws(() => bounded.release(), RangeError);
  equal(bounded.value, 2);
  await bounded.acquire();
  bounded.release();
  equal(bounded.value, 2);
  const zero = new BoundedSemaphore(0);
  equal(String(zero), "<BoundedSemaphore [locked]>");
  throws(() => zero.release(), RangeError);
  equal(zero.value, 0);
});

test("Barrier: cycles, positions, reuse and String()", async () => {
  throws(() => new Barrier(0), RangeError);
  throws(() => new Barrier("3"), TypeError);
  const barrier = new Barrier(3);
  equal([barrier.parties, String(barrier)], [3, "<Barrier [filling, waiters:0/3]>"]);
  const first = [barrier.wait(), barrier.wait()];
  equal([barrier.nWaiting, String(barrier)], [2, "<Barrier [filling, waiters:2/3]>"]);
  const last = barrier.wait();
  // Released in that step: filling again at once, and a newcomer joins the next cycle.
  equal(String(barrier), "<Barrier [filling, waiters:0/3]>");
  const next = barrier.wait();
  equal(barrier.nWaiting, 1);
  equal(await Promise.all([...first, last]), [0, 1, 2]);
  const nextCycle = [barrier.wait(), barrier.wait()];
  equal(await Promise.all([next, ...nextCycle]), [0, 1, 2]);
});

test("Barrier: abort() breaks it, reset() mends it; BrokenBarrierError", async () => {
  const barrier = new Barrier(2);
  const waiting = barrier.wait();
  barrier.abort();
  const error = await rejects(waiting, BrokenBarrierError);
  assert(error instanceof InvalidStateError && error instanceof Error, "BrokenBarrierError extends InvalidStateError");
  equal([barrier.broken, String(barrier)], [true, "<Barrier [broken]>"]);
  await rejects(barrier.wait(), BrokenBarrierError, "wait() on a broken barrier");
  barrier.reset();
  equal([barrier.broken, String(barrier)], [false, "<Barrier [filling, waiters:0/2]>"]);
  const reset = barrier.wait();
  barrier.reset();
  await rejects(reset, BrokenBarrierError, "reset while waiting");
  equal(await Promise.all([barrier.wait(), barrier.wait()]), [0, 1]);
});

test("Barrier: a cancelled caller leaves; timeout: 0 succeeds only for the last party", async () => {
  const barrier = new Barrier(3);
  const controller = new AbortController();
  const a = barrier.wait();
  const b = barrier.wait({ signal: controller.signal });
  controller.abort("gone");
  await rejects(b, isReason("gone"));
  equal(barrier.nWaiting, 1);
  equal(await Promise.all([a, barrier.wait(), barrier.wait()]), [0, 1, 2]);

  const pair = new Barrier(2);
  await rejects(pair.wait({ timeout: 0 }), TimeoutError, "would have to wait");
  const first = pair.wait();
  equal(await pair.wait({ timeout: 0 }), 1);
  equal(await first, 0);
});

test("AbortController: a queued waiter leaves at once and the next one is served", async () => {
  const lock = new Lock();
  const controller = new AbortController();
  const log = [];
  await lock.acquire();
  const aborted = track(lock.acquire({ signal: controller.signal }), "a", log);
  track(lock.acquire(), "b", log);
  equal(lock.waiters, 2);
  controller.abort("user left");
  equal(lock.waiters, 1);
  await rejects(aborted, isReason("user left"));
  lock.release();
  await tick();
  equal(log, ["a user left", "b ok"]);
  equal([lock.locked(), lock.waiters], [true, 0]);
  lock.release();

  // abort() with no reason rejects with the browser's own AbortError.
  const sem = new Semaphore(0);
  const plain = new AbortController();
  const waiting = sem.acquire({ signal: plain.signal });
  plain.abort();
  await rejects(waiting, (error) => error instanceof DOMException && error.name === "AbortError");
  equal([sem.value, sem.waiters], [0, 0]);
});

test("AbortSignal: an already aborted signal rejects and changes nothing, even where the call could succeed", async () => {
  const signal = AbortSignal.abort("no");
  const lock = new Lock();
  await rejects(lock.acquire({ signal }), isReason("no"));
  assert(!lock.locked(), "the free lock was not taken");
  const sem = new Semaphore(2);
  await rejects(sem.acquire({ signal }), isReason("no"));
  equal(sem.value, 2);
  const event = new Event();
  event.set();
  await rejects(event.wait({ signal }), isReason("no"));
  const barrier = new Barrier(1);
  await rejects(barrier.wait({ signal }), isReason("no"));
  const cond = new Condition();
  await cond.acquire();
  await rejects(cond.wait({ signal }), isReason("no"));
  assert(cond.locked(), "the condition's lock was never released");
  cond.release();
});

test("timeout: a real 20 ms timeout, timeout: 0 and Infinity", async () => {
  const lock = new Lock();
  const log = [];
  await lock.acquire();
  const start = performance.now();
  await rejects(lock.acquire({ timeout: 20 }), TimeoutError);
  const elapsed = performance.now() - start;
  assert(elapsed >= 15, `timed out after ${elapsed} ms, before 20 ms`);
  equal([lock.locked(), lock.waiters], [true, 0]);
  await rejects(lock.acquire({ timeout: 0 }), TimeoutError, "timeout: 0 on a locked lock");
  equal(lock.waiters, 0);
  lock.release();
  equal(await lock.acquire({ timeout: 0 }), true);
  track(lock.acquire({ timeout: Infinity }), "infinity", log);
  await sleep(30);
  equal(log, []);
  lock.release();
  await tick();
  equal(log, ["infinity ok"]);
  lock.release();

  const event = new Event();
  await rejects(event.wait({ timeout: 20 }), TimeoutError);
  equal(event.waiters, 0);
});

test("options: malformed options reject (never throw) with TypeError or RangeError", async () => {
  const cases = [
    [{ timeout: -1 }, RangeError],
    [{ timeout: NaN }, RangeError],
    [{ timeout: "5" }, TypeError],
    [{ signal: {} }, TypeError],
    ["fast", TypeError],
  ];
  const lock = new Lock();
  const cond = new Condition();
  await cond.acquire();
  for (const [options, expected] of cases) {
    const label = JSON.stringify(options);
    let calls;
    try {
      calls = [
        lock.acquire(options),
        new Semaphore(1).acquire(options),
        new Event().wait(options),
        new Barrier(2).wait(options),
        cond.wait(options),
      ];
    } catch (error) {
      throw new Error(`${label}: threw instead of rejecting: ${error}`);
    }
    for (const call of calls) await rejects(call, expected, label);
  }
  assert(!lock.locked(), "the lock was never taken");
  assert(cond.locked(), "the condition's lock was never released");
  cond.release();
});

test("withTimeout: times out, passes results through, follows an outer signal", async () => {
  const lock = new Lock();
  await lock.acquire();
  await rejects(
    withTimeout((signal) => lock.acquire({ signal }), 20),
    TimeoutError,
  );
  equal(lock.waiters, 0);
  lock.release();
  equal(
    await withTimeout(async (signal) => {
      await lock.acquire({ signal });
      lock.release();
      return "done";
    }, 1_000),
    "done",
  );
  await lock.acquire();
  const outer = new AbortController();
  const waiting = withTimeout((signal) => lock.acquire({ signal }), 1_000, { signal: outer.signal });
  outer.abort("outer");
  await rejects(waiting, isReason("outer"));
  equal(lock.waiters, 0);
  lock.release();
  await rejects(withTimeout("not a function", 10), TypeError);
  await rejects(
    withTimeout(async () => 1, -1),
    RangeError,
  );
  await rejects(
    withTimeout(async () => 1, 10, { signal: AbortSignal.abort("before") }),
    isReason("before"),
  );
});

test("cleanup: every listener and timer a call adds is gone when it settles", async () => {
  // The abort listeners now on watched signals. One added with `once` is
  // dropped by the signal itself when it aborts, without a
  // removeEventListener call, so a listener of our own records that.
  const active = new Set();
  const timers = new Set();
  const { setTimeout, clearTimeout } = window;
  const watch = (signal) => {
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = (type, listener, options) => {
      if (type === "abort" && !active.has(listener)) {
        active.add(listener);
        if (typeof options === "object" && options?.once) add("abort", () => active.delete(listener), { once: true });
      }
      add(type, listener, options);
    };
    signal.removeEventListener = (type, listener, options) => {
      if (type === "abort") active.delete(listener);
      remove(type, listener, options);
    };
    return signal;
  };
  window.setTimeout = (fn, ms, ...args) => {
    const id = setTimeout(
      (...values) => {
        timers.delete(id);
        fn(...values);
      },
      ms,
      ...args,
    );
    timers.add(id);
    return id;
  };
  window.clearTimeout = (id) => {
    timers.delete(id);
    clearTimeout(id);
  };
  try {
    const lock = new Lock();
    await lock.acquire();
    const granted = lock.acquire({ signal: watch(new AbortController().signal), timeout: 1_000 });
    equal([active.size, timers.size], [1, 1], "while queued");
    lock.release();
    await granted;
    equal([active.size, timers.size], [0, 0], "after the grant");

    const controller = new AbortController();
    const aborted = lock.acquire({ signal: watch(controller.signal), timeout: 1_000 });
    controller.abort("x");
    await rejects(aborted, isReason("x"));
    equal([active.size, timers.size], [0, 0], "after the abort");

    const timedOut = lock.acquire({ signal: watch(new AbortController().signal), timeout: 5 });
    await rejects(timedOut, TimeoutError);
    equal([active.size, timers.size], [0, 0], "after the time-out");

    const outer = watch(new AbortController().signal);
    lock.release();
    await withTimeout((signal) => lock.acquire({ signal }), 1_000, { signal: outer });
    equal([active.size, timers.size], [0, 0], "after withTimeout settled");
    lock.release();
  } finally {
    window.setTimeout = setTimeout;
    window.clearTimeout = clearTimeout;
  }
});

if (usingModule !== undefined) {
  test("Guard: `using` releases at the end of the block, and on throw", async () => {
    for (const primitive of [new Lock(), new Semaphore(1), new Condition()]) {
      const log = [];
      await usingModule.holdForOneBlock(primitive, log);
      equal(log, ["inside: true", "after: false"], String(primitive));
      await rejects(usingModule.throwInsideBlock(primitive), (error) => error.message === "boom");
      assert(!primitive.locked(), `${primitive} released after a throw`);
    }
  });
} else {
  test("Guard: no `using` syntax in this browser; disposing by hand instead", async () => {
    const lock = new Lock();
    const guard = await lock.hold();
    guard[disposeKey]();
    assert(!lock.locked(), "released by the dispose method");
  });
}

test(`Guard: [${disposeName}]() and release() release once, never someone else's hold`, async () => {
  const lock = new Lock();
  const guard = await lock.hold();
  assert(guard instanceof Guard, "hold() resolves to a Guard");
  equal(typeof guard[disposeKey], "function");
  guard[disposeKey]();
  assert(!lock.locked(), "released");
  await lock.acquire(); // someone else's hold
  guard.release();
  guard[disposeKey]();
  assert(lock.locked(), "a second release did nothing");
  lock.release();
  const sem = new Semaphore(1);
  const permit = await sem.hold({ timeout: 20 });
  equal(sem.value, 0);
  permit.release();
  permit.release();
  equal(sem.value, 1);
  const controller = new AbortController();
  await lock.acquire();
  const refused = lock.hold({ signal: controller.signal });
  controller.abort("no guard");
  await rejects(refused, isReason("no guard"));
  equal([lock.locked(), lock.waiters], [true, 0]);
  lock.release();
});

test("errors: classes, names, String() and one shared InvalidStateError", () => {
  for (const [ErrorClass, Base] of [
    [TimeoutError, Error],
    [InvalidStateError, Error],
    [BrokenBarrierError, InvalidStateError],
  ]) {
    const error = new ErrorClass("message");
    assert(error instanceof ErrorClass && error instanceof Base, `${ErrorClass.name} extends ${Base.name}`);
    equal([error.name, String(error)], [ErrorClass.name, `${ErrorClass.name}: message`]);
  }
  // Thrown by @sync/semaphore, @sync/condition and @sync/lock, caught as @sync/core's class.
  throws(() => new Condition().notify(), InvalidStateError);
  throws(() => new Condition().notify(), primitives.InvalidStateError);
  const error = throws(() => new Condition().release(), InvalidStateError);
  equal(error.message, "Lock is not acquired");
});

test("WaiterQueue: O(1) FIFO with signal and timeout, for primitives of your own", async () => {
  const queue = new WaiterQueue();
  const controller = new AbortController();
  const log = [];
  track(queue.wait(), "a", log);
  track(queue.wait({ signal: controller.signal }), "b", log);
  track(queue.wait({ timeout: 20 }), "c", log);
  equal(queue.length, 3);
  controller.abort("b left");
  equal(queue.length, 2);
  queue.shift().grant(true);
  await sleep(30);
  equal(log, ["b b left", "a ok", "c TimeoutError"]);
  equal(queue.length, 0);
});

test("RWLock: readers share, a queued writer blocks later readers, a writer that times out lets them in", async () => {
  const rw = new RWLock();
  const log = [];
  await rw.reader.acquire();
  track(rw.writer.acquire({ timeout: 20 }), "writer", log).catch(() => {});
  track(rw.reader.acquire(), "reader", log);
  equal(String(rw), "<RWLock [read:1, waiters:2]>");
  equal([rw.reader.locked(), rw.writer.locked()], [true, true]);
  await sleep(40);
  equal(log, ["writer TimeoutError", "reader ok"]);
  equal(String(rw), "<RWLock [read:2]>");
  rw.reader.release();
  rw.reader.release();
  throws(() => rw.reader.release(), InvalidStateError);
  await rw.writer.acquire();
  equal(rw.writing, true);
  rw.downgrade();
  equal([rw.writing, rw.readers], [false, 1]);
  rw.reader.release();
  equal(String(rw), "<RWLock [unlocked]>");
});

test("KeyedLock: keys in one order, no deadlock, abort mid-way gives back what it took", async () => {
  const keyed = new KeyedLock();
  const log = [];
  await Promise.all([
    keyed.run(["a", "b"], async () => {
      log.push("ab in");
      await tick();
      log.push("ab out");
    }),
    keyed.run(["b", "a"], async () => {
      log.push("ba in");
      await tick();
      log.push("ba out");
    }),
  ]);
  equal(log, ["ab in", "ab out", "ba in", "ba out"]);
  keyed.tryAcquire("z");
  const controller = new AbortController();
  const call = keyed.acquire(["z", 1], { signal: controller.signal });
  await tick();
  equal([keyed.locked(1), keyed.waiters("z"), keyed.size], [true, 1, 2]);
  controller.abort("stop");
  await rejects(call, (error) => error === "stop");
  equal([keyed.locked(1), keyed.size, String(keyed)], [false, 1, "<KeyedLock [keys:1, waiters:0]>"]);
  keyed.release("z");
  equal(keyed.size, 0);
});

test("@sync/redis: its bundle loads without Node (it needs a Redis client, which a page has not)", () => {
  throws(() => new RedisSync({}), TypeError);
  assert(new LeaseLostError("lost") instanceof InvalidStateError, "LeaseLostError is core's InvalidStateError");
});

await runAll();
