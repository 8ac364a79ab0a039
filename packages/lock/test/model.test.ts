/*
 * Model-based tests of Lock (fast-check).
 *
 * 1. "sequential model": fast-check generates sequences of commands (acquire
 *    and hold with and without a signal and a timeout, tryAcquire, release,
 *    release through a guard, abort of a random caller, time passing) and
 *    runs each one against a real Lock and a plain model: a flag and a FIFO
 *    of callers. After every command the microtasks are flushed and the whole
 *    picture is compared: locked(), waiters, String(), the outcome of every
 *    call so far, the live timers and the abort listeners on every signal.
 * 2. "interleavings": fc.scheduler() decides when each of several concurrent
 *    tasks starts, how long each holds the lock, when signals abort and when
 *    time passes, so the calls interleave with the lock's own microtasks in
 *    orders a hand-written test would not try.
 *
 * The invariants checked, both ways:
 *   I1. At most one holder at any time.
 *   I2. Holders are granted in arrival order.
 *   I3. No waiter stays queued while the lock is free.
 *   I4. Every settled call either holds the lock (it was granted) or has
 *       rejected with its own signal's reason or a TimeoutError.
 *
 * Time is jest's fake clock: a timeout fires when the model advances it.
 * Runs: 2000 command sequences and 1000 schedules in `pnpm test`;
 * SYNC_MODEL_RUNS=100000 runs that many of each (SYNC_MODEL_VERBOSE=1
 * prints the counts and seeds). A failure prints its seed, path and
 * commands' replayPath, and the command that replays it:
 * SYNC_MODEL_SEED=… SYNC_MODEL_PATH=… SYNC_MODEL_REPLAY_PATH=… npx jest …
 */
import fc from "fast-check";
import { type Guard, InvalidStateError } from "@sync/core";
import { Lock } from "@sync/lock";
import { tick, useFakeTimersPerTest } from "../../core/test/helpers";
import {
  abortAndAdvanceArbs,
  actorsProperty,
  arrive,
  ascending,
  CallCommand,
  commandsSettings,
  controllerFor,
  expectAllSettled,
  expectHeldEnd,
  expectThrow,
  expireDue,
  holdActorArb,
  holdWhile,
  inArrivalOrder,
  leaveAborted,
  type ModelCall,
  modelTest,
  newCall,
  newQueueModel,
  optionsFor,
  reasonKindArb,
  releaseHolder,
  runCommands,
  same,
  sameAsQueue,
  scheduledWork,
  signalArb,
  startActors,
  timeoutArb,
  type WaitSpec,
  whenGranted,
} from "../../core/test/model-harness";

// ---------------------------------------------------------------- model

interface Call extends ModelCall {
  guard: Guard | undefined;
}

interface Model {
  now: number;
  /** The two signals of kind "shared". */
  readonly shared: AbortController[];
  locked: boolean;
  /** Who holds the lock: a call, or "try" for a successful tryAcquire(). */
  holder: Call | "try" | null;
  queue: Call[];
  calls: Call[];
}

interface Real {
  lock: Lock;
  /** Who holds the lock as seen from outside: set when a call's promise fulfils. */
  holder: Call | "try" | null;
  /** Call ids in the order the real lock granted them. */
  grants: number[];
  violations: string[];
}

interface Spec extends WaitSpec {
  readonly how: "acquire" | "hold";
}

function holderName(holder: Call | "try" | null): string {
  return holder === null ? "nobody" : holder === "try" ? "tryAcquire" : `#${holder.id}`;
}

function grant(m: Model, call: Call): void {
  call.expected = { state: "fulfilled" };
  call.deadline = undefined;
  m.holder = call;
}

function render(m: Model): string {
  return `<Lock [${m.locked ? "locked" : "unlocked"}${m.queue.length > 0 ? `, waiters:${m.queue.length}` : ""}]>`;
}

/** Flushes the microtasks, then compares the real lock with the model and checks I1–I4. */
async function verify(m: Model, r: Real): Promise<void> {
  await tick();
  const { lock } = r;
  const problems = [...r.violations]; // I1, checked as each grant happens
  // I1: someone holds the lock exactly when it is locked.
  if ((r.holder !== null) !== lock.locked()) problems.push(`I1: held by ${holderName(r.holder)}, ${String(lock)}`);
  // I2: grants are in arrival (id) order.
  if (!ascending(r.grants)) problems.push(`I2: grants ${r.grants.join()}`);
  // I3: no waiter queued while the lock is free.
  if (lock.waiters > 0 && !lock.locked()) problems.push(`I3: ${String(lock)}`);
  same(problems, []);
  // I4 and the model: every call's outcome, its listeners, the timers, the
  // observers, compared as a whole.
  sameAsQueue(
    m,
    [`locked() ${lock.locked()}, waiters ${lock.waiters}, ${String(lock)}, held by ${holderName(r.holder)}`],
    [`locked() ${m.locked}, waiters ${m.queue.length}, ${render(m)}, held by ${holderName(m.holder)}`],
  );
}

// ---------------------------------------------------------------- commands

type LockCommand = fc.AsyncCommand<Model, Real>;

class Acquire extends CallCommand<Model, Real, Spec> {
  async run(m: Model, r: Real): Promise<void> {
    const controller = controllerFor(m, m.calls.length, this.spec, this.reasonKind);
    const options = optionsFor(this.spec, controller);
    const promise: Promise<unknown> = this.spec.how === "acquire" ? r.lock.acquire(options) : r.lock.hold(options);
    const call = newCall<Call>(m, controller, promise, { guard: undefined });
    whenGranted(promise, call, () => {
      if (r.holder !== null) r.violations.push(`#${call.id} granted while ${holderName(r.holder)} holds the lock`);
      r.holder = call;
      r.grants.push(call.id);
    });
    arrive(m, call, this.spec.timeout, () => {
      if (m.locked) return false;
      m.locked = true;
      grant(m, call);
      return true;
    });
    await verify(m, r);
  }
  override toString(): string {
    return `${this.spec.how}({signal: ${this.spec.signal}, timeout: ${this.spec.timeout}})`;
  }
}

class TryAcquire implements LockCommand {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const got = r.lock.tryAcquire();
    if (got !== !m.locked) expect(got).toBe(!m.locked);
    if (got) {
      if (r.holder !== null) r.violations.push(`tryAcquire succeeded while ${holderName(r.holder)} holds the lock`);
      m.locked = true;
      m.holder = r.holder = "try";
    }
    await verify(m, r);
  }
  toString(): string {
    return "tryAcquire()";
  }
}

class Release implements LockCommand {
  constructor(readonly viaGuard: boolean) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    if (!m.locked) {
      expectThrow(() => r.lock.release(), InvalidStateError);
    } else {
      const holder = r.holder;
      r.holder = null;
      releaseHolder(holder === "try" ? undefined : holder?.guard, this.viaGuard, () => r.lock.release());
      const next = m.queue.shift();
      if (next !== undefined) grant(m, next);
      else {
        m.locked = false;
        m.holder = null;
      }
    }
    await verify(m, r);
  }
  toString(): string {
    return this.viaGuard ? "release() through the guard, twice" : "release()";
  }
}

const acquireArb = fc
  .tuple(
    fc.record({ how: fc.constantFrom<Spec["how"]>("acquire", "hold"), signal: signalArb, timeout: timeoutArb }),
    reasonKindArb,
  )
  .map(([spec, kind]) => new Acquire(spec, kind));
const releaseArb = fc.boolean().map((viaGuard) => new Release(viaGuard));

const commandsArb = fc.commands(
  [
    acquireArb,
    acquireArb,
    fc.constant(new TryAcquire()),
    releaseArb,
    releaseArb,
    ...abortAndAdvanceArbs<Model, Real>(leaveAborted, expireDue, verify),
  ],
  commandsSettings,
);

useFakeTimersPerTest();

modelTest(
  "lock",
  "sequential model",
  "Lock matches a flag and a FIFO under every command sequence (I1–I4)",
  2000,
  fc.asyncProperty(commandsArb, async (commands) => {
    const m: Model = { ...newQueueModel<Call>(), locked: false, holder: null };
    const r: Real = { lock: new Lock(), holder: null, grants: [], violations: [] };
    await runCommands(m, r, commands);
    // Drain: the holders release one by one until the lock is free; then
    // nobody is pending and nothing is left behind.
    while (m.locked) await new Release(false).run(m, r);
    expectAllSettled(m.calls);
  }),
);

// ---------------------------------------------------------------- interleavings

modelTest(
  "lock",
  "interleavings",
  "tasks that hold the lock for scheduler-chosen spans keep I1–I4",
  1000,
  // Actors: 1–8 tasks, each arriving when the scheduler starts it, taking
  // the lock (run, hold or acquire/release) with or without a signal and a
  // timeout, holding it until the scheduler ends its "work" task; aborts of
  // their signals and jumps of the clock are scheduled tasks too.
  // Interleaving: any order of those tasks, including an abort or a timeout
  // landing between a release and the next holder's resumption.
  // What would break: a newcomer overtaking a queued waiter, two holders at
  // once, a waiter stranded behind a free lock, an aborted caller that runs.
  actorsProperty(holdActorArb, async (actors, advances, s) => {
    const lock = new Lock();
    const problems: string[] = [];
    let holders = 0;
    const grants: number[] = [];
    const run = startActors(s, actors, advances, (actor, i, options) =>
      holdWhile(
        actor.how,
        lock,
        scheduledWork(
          s,
          i,
          () => {
            grants.push(i);
            if (++holders > 1) problems.push(`I1: ${i} entered with ${holders - 1} other holder(s)`);
          },
          () => holders--,
        ),
        options,
      ),
    );
    await s.waitIdle(async (step) => {
      await step();
      // I3 after every step the scheduler takes.
      if (lock.waiters > 0 && !lock.locked()) problems.push(`I3: ${String(lock)}`);
    });
    await tick();
    // I2: grants in arrival order.
    if (!inArrivalOrder(run, grants)) problems.push(`I2: ${grants.join()}`);
    // I4: every task settled; fulfilled exactly when it held the lock,
    // rejected only with its own reason or a TimeoutError.
    expectHeldEnd(run, actors, problems, "the lock", (i) => grants.includes(i), {
      name: "lock",
      real: String(lock),
      expected: "<Lock [unlocked]>",
    });
  }),
);
