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
import { Guard, InvalidStateError, TimeoutError } from "@sync/core";
import { Lock } from "@sync/lock";
import { tick, track, type Tracked } from "../../core/test/helpers";
import {
  abortAndAdvanceArbs,
  actorControllers,
  advancesArb,
  assertProperty,
  commandsSettings,
  controllerFor,
  describeExpected,
  describeReal,
  expectAllSettled,
  expectCleanEnd,
  expectedSignalLines,
  expectThrow,
  expireDue,
  type HoldActor,
  holdActorArb,
  holdWhile,
  leaveAborted,
  type ModelCall,
  optionsFor,
  realSignalLines,
  reasonKindArb,
  same,
  scheduleAbortsAndAdvances,
  signalArb,
  testTimeout,
  TIMEOUT,
  timeoutArb,
  useFakeTimersPerTest,
  type WaitSpec,
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

/** What the model says the observers show: one line each, the calls last. */
function expectedPicture(m: Model): string[] {
  return [
    `locked() ${m.locked}, waiters ${m.queue.length}, ${render(m)}, held by ${holderName(m.holder)}`,
    `timers ${m.queue.filter((call) => call.deadline !== undefined).length}`,
    ...m.calls.map((call) => `${describeExpected(call)}`),
    ...expectedSignalLines(m, (c) => m.queue.filter((call) => call.controller === c).length),
  ];
}

/** What the real lock's observers show, in the same shape. */
function realPicture(m: Model, r: Real): string[] {
  const { lock } = r;
  return [
    `locked() ${lock.locked()}, waiters ${lock.waiters}, ${String(lock)}, held by ${holderName(r.holder)}`,
    `timers ${jest.getTimerCount()}`,
    ...m.calls.map((call) => `${describeReal(call)}`),
    ...realSignalLines(m),
  ];
}

/** Flushes the microtasks, then compares the real lock with the model and checks I1–I4. */
async function verify(m: Model, r: Real): Promise<void> {
  await tick();
  const problems = [...r.violations]; // I1, checked as each grant happens
  // I1: someone holds the lock exactly when it is locked.
  if ((r.holder !== null) !== r.lock.locked()) problems.push(`I1: held by ${holderName(r.holder)}, ${String(r.lock)}`);
  // I2: grants are in arrival (id) order.
  if (r.grants.some((id, i) => i > 0 && id < r.grants[i - 1]!)) problems.push(`I2: grants ${r.grants.join()}`);
  // I3: no waiter queued while the lock is free.
  if (r.lock.waiters > 0 && !r.lock.locked()) problems.push(`I3: ${String(r.lock)}`);
  same(problems, []);
  // I4 and the model: every call's outcome, its listeners, the timers, the
  // observers, compared as a whole (expect() only on a mismatch: it is slow).
  const real = realPicture(m, r);
  const expected = expectedPicture(m);
  same(real, expected);
}

// ---------------------------------------------------------------- commands

type LockCommand = fc.AsyncCommand<Model, Real>;

class Acquire implements LockCommand {
  constructor(
    readonly spec: Spec,
    readonly reasonKind: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const id = m.calls.length;
    const { how, timeout } = this.spec;
    const controller = controllerFor(m, id, this.spec, this.reasonKind);
    const options = optionsFor(this.spec, controller);
    const promise: Promise<unknown> = how === "acquire" ? r.lock.acquire(options) : r.lock.hold(options);
    const call: Call = {
      id,
      controller,
      tracked: track(promise),
      expected: { state: "pending" },
      deadline: undefined,
      guard: undefined,
    };
    promise.then(
      (value) => {
        if (r.holder !== null) r.violations.push(`#${id} granted while ${holderName(r.holder)} holds the lock`);
        r.holder = call;
        r.grants.push(id);
        if (value instanceof Guard) call.guard = value;
      },
      () => {},
    );
    m.calls.push(call);
    if (controller?.signal.aborted) call.expected = { state: "rejected", reason: controller.signal.reason };
    else if (!m.locked) {
      m.locked = true;
      grant(m, call);
    } else if (timeout === 0) call.expected = { state: "rejected", reason: TIMEOUT };
    else {
      m.queue.push(call);
      if (timeout !== undefined && timeout !== Infinity) call.deadline = m.now + timeout;
    }
    await verify(m, r);
  }
  toString(): string {
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
      if (this.viaGuard && holder !== "try" && holder?.guard !== undefined) {
        holder.guard.release();
        holder.guard.release(); // a second release of the same guard does nothing
      } else r.lock.release();
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

const specArb = fc.record({
  how: fc.constantFrom<Spec["how"]>("acquire", "hold"),
  signal: signalArb,
  timeout: timeoutArb,
});

const commandsArb = fc.commands(
  [
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Acquire(spec, kind)),
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Acquire(spec, kind)),
    fc.constant(new TryAcquire()),
    fc.boolean().map((viaGuard) => new Release(viaGuard)),
    fc.boolean().map((viaGuard) => new Release(viaGuard)),
    ...abortAndAdvanceArbs<Model, Real>(leaveAborted, expireDue, verify),
  ],
  commandsSettings,
);

useFakeTimersPerTest();

test(
  "sequential model: Lock matches a flag and a FIFO under every command sequence (I1–I4)",
  async () => {
    const name = "sequential model";
    await assertProperty(
      "lock",
      name,
      fc.asyncProperty(commandsArb, async (commands) => {
        jest.clearAllTimers();
        const m: Model = {
          now: 0,
          shared: [new AbortController(), new AbortController()],
          locked: false,
          holder: null,
          queue: [],
          calls: [],
        };
        const r: Real = { lock: new Lock(), holder: null, grants: [], violations: [] };
        await fc.asyncModelRun(() => ({ model: m, real: r }), commands);
        // Drain: the holders release one by one until the lock is free; then
        // nobody is pending and nothing is left behind.
        while (m.locked) await new Release(false).run(m, r);
        expectAllSettled(m.calls);
      }),
      2000,
    );
  },
  testTimeout,
);

// ---------------------------------------------------------------- interleavings

type Actor = HoldActor;
const actorArb = holdActorArb;

test(
  "interleavings: tasks that hold the lock for scheduler-chosen spans keep I1–I4",
  async () => {
    // Actors: 1–8 tasks, each arriving when the scheduler starts it, taking
    // the lock (run, hold or acquire/release) with or without a signal and a
    // timeout, holding it until the scheduler ends its "work" task; aborts of
    // their signals and jumps of the clock are scheduled tasks too.
    // Interleaving: any order of those tasks, including an abort or a timeout
    // landing between a release and the next holder's resumption.
    // What would break: a newcomer overtaking a queued waiter, two holders at
    // once, a waiter stranded behind a free lock, an aborted caller that runs.
    await assertProperty(
      "lock",
      "interleavings",
      fc.asyncProperty(
        fc.array(actorArb, { minLength: 1, maxLength: 8 }),
        advancesArb,
        fc.scheduler(),
        async (actors, advances, s) => {
          jest.clearAllTimers();
          const lock = new Lock();
          const problems: string[] = [];
          // I3 after every step the scheduler takes.
          const stepCheck = (): void => {
            if (lock.waiters > 0 && !lock.locked()) problems.push(`I3: ${String(lock)}`);
          };
          let holders = 0;
          const arrivals: number[] = [];
          const grants: number[] = [];
          const { controllers, reasons } = actorControllers(actors);
          // An aborted signal rejects even when the call could succeed.
          const preAborted = actors.map(() => false);
          const entered = (i: number): void => {
            grants.push(i);
            if (++holders > 1) problems.push(`I1: ${i} entered with ${holders - 1} other holder(s)`);
          };
          const tasks = actors.map(async (actor, i) => {
            await s.schedule(Promise.resolve(), `start ${i}`);
            const options = { signal: controllers[i]?.signal, timeout: actor.timeout };
            arrivals.push(i);
            preAborted[i] = controllers[i]?.signal.aborted ?? false;
            const work = async (): Promise<void> => {
              entered(i);
              await s.schedule(Promise.resolve(), `work ${i}`);
              holders--;
            };
            await holdWhile(actor.how, lock, work, options);
          });
          const outcomes = tasks.map((task) => track(task));
          scheduleAbortsAndAdvances(s, actors, controllers, reasons, advances);

          await s.waitIdle(async (step) => {
            await step();
            stepCheck();
          });
          await tick();

          // I2: grants in arrival order.
          const order = grants.map((i) => arrivals.indexOf(i));
          if (order.some((position, k) => k > 0 && position < order[k - 1]!)) problems.push(`I2: ${grants.join()}`);
          // I4: every task settled; fulfilled exactly when it held the lock,
          // rejected only with its own reason or a TimeoutError.
          const verdicts = outcomes.map((o, i) => describeActor(o.current, i, reasons[i]!, grants));
          expectCleanEnd(
            problems,
            verdicts,
            verdicts.map((verdict, i) => allowed(verdict, i, actors[i]!, preAborted[i]!)),
            controllers,
            { name: "lock", real: String(lock), expected: "<Lock [unlocked]>" },
          );
        },
      ),
      1000,
    );
  },
  testTimeout,
);

function describeActor(now: Tracked<void>, i: number, reason: Error, grants: number[]): string {
  if (now.state === "pending") return `${i} pending`;
  if (now.state === "fulfilled") return grants.includes(i) ? `${i} held the lock` : `${i} fulfilled without the lock`;
  if (grants.includes(i)) return `${i} held the lock, then rejected: ${String(now.reason)}`;
  if (now.reason === reason) return `${i} rejected: its reason`;
  if (now.reason instanceof TimeoutError) return `${i} rejected: TimeoutError`;
  return `${i} rejected: unexpected ${String(now.reason)}`;
}

/** `verdict` if the actor's settings allow it, else a list of what they allow. */
function allowed(verdict: string, i: number, actor: Actor, preAborted: boolean): string {
  const ok = [`${i} held the lock`];
  if (preAborted) ok.pop();
  if (actor.signal && actor.abort) ok.push(`${i} rejected: its reason`);
  if (actor.timeout !== undefined && !preAborted) ok.push(`${i} rejected: TimeoutError`);
  return ok.includes(verdict) ? verdict : `${i}: one of ${ok.join(" | ")}`;
}
