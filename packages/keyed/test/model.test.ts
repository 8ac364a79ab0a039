/*
 * Model-based tests of KeyedLock (fast-check): "interleavings".
 *
 * fc.scheduler() decides when each of several tasks starts, which keys it
 * names (one key or several, from a small set so that they collide, in any
 * order and with repeats), how it takes them (run, hold, or acquire and
 * release), how long it holds them, when signals abort and when time passes.
 * A per-key sequential model would have to predict when a multi-key call
 * resumes between its keys; the invariants below hold whatever that order.
 *
 * The invariants checked:
 *   I1. No key is ever held twice: a task's work starts only when no other
 *       task holds any of its keys, and `locked(key)` is true for each.
 *   I2. FIFO per key with head-of-line blocking: among tasks that name one
 *       key only, that key is granted in arrival order.
 *   I3. Two tasks that share keys never deadlock: every task settles, either
 *       having held all its keys or rejected with its own signal's reason or
 *       a TimeoutError (I4), holding nothing.
 *   I5. `size` is back to 0 when idle, with no timer and no abort listener
 *       left.
 *
 * Runs: 1000 schedules in `pnpm test`; SYNC_MODEL_RUNS, SYNC_MODEL_SEED and
 * SYNC_MODEL_PATH as in packages/core/test/model-harness.ts.
 */
import fc from "fast-check";
import type { WaitOptions } from "@sync/core";
import { KeyedLock } from "@sync/keyed";
import { tick, useFakeTimersPerTest } from "../../core/test/helpers";
import {
  actorSignalsArbs,
  actorsProperty,
  expectHeldEnd,
  type HoldActor,
  holdWhile,
  inArrivalOrder,
  modelTest,
  scheduledWork,
  startActors,
} from "../../core/test/model-harness";

type Key = string | number;

const keyArb = fc.constantFrom<Key>(1, 2, "a", "b");

const actorArb = fc.record({
  keys: fc.oneof(keyArb, fc.array(keyArb, { minLength: 1, maxLength: 4 })),
  how: fc.constantFrom<HoldActor["how"]>("run", "hold", "acquire"),
  ...actorSignalsArbs,
});

/** The keyed lock and a set of keys, as what holdWhile() takes. */
function on(keyed: KeyedLock, keys: Key | Key[]) {
  return {
    acquire: (options?: WaitOptions) => keyed.acquire(keys, options),
    release: () => keyed.release(keys),
    hold: (options?: WaitOptions) => keyed.hold(keys, options),
    run: <R>(fn: () => R | PromiseLike<R>, options?: WaitOptions) => keyed.run(keys, fn, options),
  };
}

useFakeTimersPerTest();

modelTest(
  "keyed",
  "interleavings",
  "tasks locking colliding sets of keys for scheduler-chosen spans keep I1–I5",
  1000,
  // Actors: 1–8 tasks, each naming one key or up to four (with repeats, in
  // any order) of 1, 2, "a", "b", taking them through run, hold or
  // acquire/release, with or without a signal and a timeout.
  // What would break: a key granted to two tasks (a Lock dropped from the
  // map while someone waits for it, MCSManager#2242), [a, b] against
  // [b, a] deadlocking (async-lock), keys kept by a task that gave up
  // part-way, a key left in the map when idle.
  actorsProperty(actorArb, async (actors, advances, s) => {
    const keyed = new KeyedLock();
    const problems: string[] = [];
    const holders = new Map<Key, number>();
    const entered: number[] = [];
    const run = startActors(s, actors, advances, (actor, i, options) => {
      const keys = [...new Set(Array.isArray(actor.keys) ? actor.keys : [actor.keys])];
      const work = scheduledWork(
        s,
        i,
        () => {
          entered.push(i);
          for (const key of keys) {
            // I1
            if (holders.has(key)) problems.push(`I1: ${i} got ${key} held by ${holders.get(key)}`);
            if (!keyed.locked(key)) problems.push(`I1: ${i} holds ${key}, but locked(${key}) is false`);
            holders.set(key, i);
          }
        },
        () => {
          for (const key of keys) holders.delete(key);
        },
      );
      return holdWhile(actor.how, on(keyed, actor.keys), work, options);
    });
    await s.waitIdle();
    await tick();

    // I2: per key, single-key tasks enter in arrival order.
    for (const key of [1, 2, "a", "b"]) {
      const single = (i: number): boolean => {
        const keys = actors[i]!.keys;
        return (Array.isArray(keys) ? [...new Set(keys)] : [keys]).every((k) => k === key);
      };
      if (!inArrivalOrder(run, entered.filter(single)))
        problems.push(`I2: key ${key} entered ${entered.filter(single).join()}`);
    }
    // I3, I4: every task settled as its settings allow; I5: idle again.
    expectHeldEnd(run, actors, problems, "its keys", (i) => entered.includes(i), {
      name: "keyed",
      real: String(keyed),
      expected: "<KeyedLock [keys:0, waiters:0]>",
    });
  }),
);
