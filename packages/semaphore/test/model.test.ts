/*
 * Model-based tests of Semaphore and BoundedSemaphore (fast-check).
 *
 * 1. "sequential model": fast-check generates an initial value (0–3), the
 *    class, and a sequence of commands (acquire and hold with and without a
 *    signal and a timeout, tryAcquire, release by a holder or through its
 *    guard, an extra release by nobody, abort of a random caller, time
 *    passing) and runs it against the real semaphore and a plain model: a
 *    counter and a FIFO of callers. After every command the microtasks are
 *    flushed and the whole picture is compared: value, locked(), waiters,
 *    String(), every call's outcome, the live timers and the abort listeners.
 * 2. "interleavings": fc.scheduler() decides when each of several tasks
 *    starts, how long it keeps its permit, when signals abort and when time
 *    passes.
 *
 * The invariants checked, both ways:
 *   S1. Holders never exceed the permits: holders + value === permits, where
 *       permits is the initial value plus the extra releases.
 *   S2. value is never negative, and waiters > 0 implies value === 0.
 *   S3. A BoundedSemaphore's value never goes above its initial value (an
 *       extra release throws RangeError and changes nothing).
 *   S4. Permits are granted first in, first out.
 *   S5. Every settled call either holds a permit or has rejected with its
 *       own signal's reason or a TimeoutError.
 *
 * Time is jest's fake clock.
 * Runs: 2000 command sequences and 1000 schedules in `pnpm test`;
 * SYNC_MODEL_RUNS=100000 runs that many of each (SYNC_MODEL_VERBOSE=1
 * prints the counts and seeds). A failure prints its seed, path and
 * commands' replayPath, and the command that replays it:
 * SYNC_MODEL_SEED=… SYNC_MODEL_PATH=… SYNC_MODEL_REPLAY_PATH=… npx jest …
 */
import fc from "fast-check";
import { Guard, TimeoutError } from "@sync/core";
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";
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
  expectCleanEnd,
  expectedSignalLines,
  expireDue,
  type HoldActor,
  holdActorArb,
  holdWhile,
  leaveAborted,
  type ModelCall,
  optionsFor,
  pendingIds,
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
  readonly bounded: boolean;
  readonly initial: number;
  now: number;
  /** The two signals of kind "shared". */
  readonly shared: AbortController[];
  value: number;
  /** The initial value plus the extra releases (S1). */
  permits: number;
  queue: Call[];
  calls: Call[];
  /** Who holds a permit, oldest grant first: calls, or "try" for tryAcquire(). */
  holders: (Call | "try")[];
}

interface Real {
  sem: Semaphore;
  /** Holders as seen from outside: added when a call's promise fulfils. */
  holders: (Call | "try")[];
  /** Call ids in the order the real semaphore granted them. */
  grants: number[];
}

interface Spec extends WaitSpec {
  readonly how: "acquire" | "hold";
}

function names(holders: (Call | "try")[]): string {
  return holders.map((holder) => (holder === "try" ? "try" : `#${holder.id}`)).join(" ");
}

function grant(m: Model, call: Call): void {
  call.expected = { state: "fulfilled" };
  call.deadline = undefined;
  m.holders.push(call);
}

/** Gives a permit back in the model: to the first waiter, else to the counter. */
function modelRelease(m: Model): void {
  const next = m.queue.shift();
  if (next !== undefined) grant(m, next);
  else m.value++;
}

function render(m: Model): string {
  const state = m.value === 0 ? "locked" : `unlocked, value:${m.value}`;
  const waiters = m.queue.length > 0 ? `, waiters:${m.queue.length}` : "";
  return `<${m.bounded ? "BoundedSemaphore" : "Semaphore"} [${state}${waiters}]>`;
}

/** Flushes the microtasks, then compares the real semaphore with the model and checks S1–S5. */
async function verify(m: Model, r: Real): Promise<void> {
  await tick();
  const { sem } = r;
  const problems: string[] = [];
  // S1: holders + value === permits, so holders never exceed the permits.
  if (r.holders.length + sem.value !== m.permits)
    problems.push(`S1: ${r.holders.length} holders + value ${sem.value} !== ${m.permits} permits`);
  // S2: value never negative; waiters only while value is 0.
  if (sem.value < 0 || (sem.waiters > 0 && sem.value !== 0)) problems.push(`S2: ${String(sem)}`);
  // S3: bounded never above its initial value.
  if (m.bounded && sem.value > m.initial) problems.push(`S3: ${String(sem)} above ${m.initial}`);
  // S4: grants in arrival (id) order.
  if (r.grants.some((id, i) => i > 0 && id < r.grants[i - 1]!)) problems.push(`S4: grants ${r.grants.join()}`);
  same(problems, []);
  // S5 and the model: observers, holders, timers, every call's outcome and
  // listeners, compared as a whole.
  same(
    [
      `value ${sem.value}, locked() ${sem.locked()}, waiters ${sem.waiters}, ${String(sem)}`,
      `holders ${names(r.holders)}, timers ${jest.getTimerCount()}`,
      ...m.calls.map((call) => `${describeReal(call)}`),
      ...realSignalLines(m),
    ],
    [
      `value ${m.value}, locked() ${m.value === 0}, waiters ${m.queue.length}, ${render(m)}`,
      `holders ${names(m.holders)}, timers ${m.queue.filter((call) => call.deadline !== undefined).length}`,
      ...m.calls.map((call) => `${describeExpected(call)}`),
      ...expectedSignalLines(m, (c) => m.queue.filter((call) => call.controller === c).length),
    ],
  );
}

// ---------------------------------------------------------------- commands

type SemaphoreCommand = fc.AsyncCommand<Model, Real>;

class Acquire implements SemaphoreCommand {
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
    const promise: Promise<unknown> = how === "acquire" ? r.sem.acquire(options) : r.sem.hold(options);
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
        r.holders.push(call);
        r.grants.push(id);
        if (value instanceof Guard) call.guard = value;
      },
      () => {},
    );
    m.calls.push(call);
    if (controller?.signal.aborted) call.expected = { state: "rejected", reason: controller.signal.reason };
    else if (m.value > 0) {
      m.value--;
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

class TryAcquire implements SemaphoreCommand {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const got = r.sem.tryAcquire();
    if (got !== m.value > 0) expect(got).toBe(m.value > 0);
    if (got) {
      m.value--;
      m.holders.push("try");
      r.holders.push("try");
    }
    await verify(m, r);
  }
  toString(): string {
    return "tryAcquire()";
  }
}

/** A holder gives its permit back, through its guard (twice) if it has one and `viaGuard`. */
class Release implements SemaphoreCommand {
  constructor(
    readonly pick: number,
    readonly viaGuard: boolean,
  ) {}
  check(m: Model): boolean {
    return m.holders.length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const holder = m.holders[this.pick % m.holders.length]!;
    m.holders.splice(m.holders.indexOf(holder), 1);
    r.holders.splice(r.holders.indexOf(holder), 1);
    if (this.viaGuard && holder !== "try" && holder.guard !== undefined) {
      holder.guard.release();
      holder.guard.release(); // a second release of the same guard does nothing
    } else r.sem.release();
    modelRelease(m);
    await verify(m, r);
  }
  toString(): string {
    return `holder ${this.pick} releases${this.viaGuard ? " through its guard, twice" : ""}`;
  }
}

/** release() by nobody: a new permit for Semaphore, RangeError for BoundedSemaphore. */
class ExtraRelease implements SemaphoreCommand {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    // S3: a bounded semaphore refuses whenever value >= its initial value,
    // which with no holder out is always.
    const refuse = m.bounded && m.value >= m.initial;
    let thrown: unknown = undefined;
    try {
      r.sem.release();
    } catch (error) {
      thrown = error;
    }
    if (refuse !== thrown instanceof RangeError) expect(thrown).toBeInstanceOf(refuse ? RangeError : Object);
    if (!refuse) {
      // A bounded semaphore with holders out takes it as one of theirs.
      if (m.bounded) {
        const holder = m.holders.shift()!;
        r.holders.splice(r.holders.indexOf(holder), 1);
      } else m.permits++;
      modelRelease(m);
    }
    await verify(m, r);
  }
  toString(): string {
    return "release() by nobody";
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
    fc.tuple(fc.nat(), fc.boolean()).map(([pick, viaGuard]) => new Release(pick, viaGuard)),
    fc.tuple(fc.nat(), fc.boolean()).map(([pick, viaGuard]) => new Release(pick, viaGuard)),
    fc.constant(new ExtraRelease()),
    ...abortAndAdvanceArbs<Model, Real>(leaveAborted, expireDue, verify),
  ],
  commandsSettings,
);

useFakeTimersPerTest();

test(
  "sequential model: Semaphore and BoundedSemaphore match a counter and a FIFO (S1–S5)",
  async () => {
    await assertProperty(
      "semaphore",
      "sequential model",
      fc.asyncProperty(
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        commandsArb,
        async (bounded, initial, commands) => {
          jest.clearAllTimers();
          const m: Model = {
            bounded,
            initial,
            now: 0,
            shared: [new AbortController(), new AbortController()],
            value: initial,
            permits: initial,
            queue: [],
            calls: [],
            holders: [],
          };
          const sem = bounded ? new BoundedSemaphore(initial) : new Semaphore(initial);
          const r: Real = { sem, holders: [], grants: [] };
          await fc.asyncModelRun(() => ({ model: m, real: r }), commands);
          // Drain: holders give their permits back, and extra releases feed
          // the waiters of a semaphore that started empty, until nobody waits.
          // (Waiters on a BoundedSemaphore(0) can never be served: they stay.)
          while (m.holders.length > 0) await new Release(0, false).run(m, r);
          while (m.queue.length > 0 && !m.bounded) await new ExtraRelease().run(m, r);
          same(
            {
              pending: pendingIds(m.calls),
              timers: jest.getTimerCount(),
            },
            {
              pending: m.queue.map((call) => call.id),
              timers: m.queue.filter((call) => call.deadline !== undefined).length,
            },
          );
        },
      ),
      2000,
    );
  },
  testTimeout,
);

// ---------------------------------------------------------------- interleavings

type Actor = HoldActor;
const actorArb = holdActorArb;

test(
  "interleavings: tasks that keep permits for scheduler-chosen spans keep S1–S5",
  async () => {
    // Actors: 1–8 tasks, each arriving when the scheduler starts it, taking a
    // permit (run, hold or acquire/release) with or without a signal and a
    // timeout, and keeping it until the scheduler ends its "work" task;
    // aborts of their signals and jumps of the clock are scheduled tasks too.
    // Interleaving: any order of those tasks.
    // What would break: more holders than permits, a newcomer overtaking a
    // queued waiter, a permit lost to an aborted waiter, a bounded value that
    // creeps above its start.
    await assertProperty(
      "semaphore",
      "interleavings",
      fc.asyncProperty(
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        fc.array(actorArb, { minLength: 1, maxLength: 8 }),
        advancesArb,
        fc.scheduler(),
        async (bounded, initial, actors, advances, s) => {
          jest.clearAllTimers();
          const sem = bounded ? new BoundedSemaphore(initial) : new Semaphore(initial);
          const problems: string[] = [];
          let holders = 0;
          // S1–S3 after every step the scheduler takes.
          const stepCheck = (): void => {
            if (holders + sem.value > initial || sem.value < 0 || (sem.waiters > 0 && sem.value !== 0))
              problems.push(`S1/S2: ${holders} holders, ${String(sem)}`);
          };
          const arrivals: number[] = [];
          const grants: number[] = [];
          const { controllers, reasons } = actorControllers(actors);
          // An aborted signal rejects even when the call could succeed.
          const preAborted = actors.map(() => false);
          const tasks = actors.map(async (actor, i) => {
            await s.schedule(Promise.resolve(), `start ${i}`);
            const options = { signal: controllers[i]?.signal, timeout: actor.timeout };
            arrivals.push(i);
            preAborted[i] = controllers[i]?.signal.aborted ?? false;
            const work = async (): Promise<void> => {
              grants.push(i);
              if (++holders > initial) problems.push(`S1: ${i} holds one of ${holders} permits out of ${initial}`);
              await s.schedule(Promise.resolve(), `work ${i}`);
              holders--;
            };
            await holdWhile(actor.how, sem, work, options);
          });
          const outcomes = tasks.map((task) => track(task));
          scheduleAbortsAndAdvances(s, actors, controllers, reasons, advances);

          await s.waitIdle(async (step) => {
            await step();
            stepCheck();
          });
          await tick();

          // S4: grants in arrival order.
          const order = grants.map((i) => arrivals.indexOf(i));
          if (order.some((position, k) => k > 0 && position < order[k - 1]!)) problems.push(`S4: ${grants.join()}`);
          // S5: every task settled; fulfilled exactly when it held a permit,
          // rejected only with its own reason or a TimeoutError.
          const verdicts = outcomes.map((o, i) => describeActor(o.current, i, reasons[i]!, grants));
          expectCleanEnd(
            problems,
            verdicts,
            verdicts.map((verdict, i) => allowed(verdict, i, actors[i]!, preAborted[i]!)),
            controllers,
            {
              name: "sem",
              real: String(sem),
              expected: `<${bounded ? "BoundedSemaphore" : "Semaphore"} [unlocked, value:${initial}]>`,
            },
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
  if (now.state === "fulfilled") return grants.includes(i) ? `${i} held a permit` : `${i} fulfilled without a permit`;
  if (grants.includes(i)) return `${i} held a permit, then rejected: ${String(now.reason)}`;
  if (now.reason === reason) return `${i} rejected: its reason`;
  if (now.reason instanceof TimeoutError) return `${i} rejected: TimeoutError`;
  return `${i} rejected: unexpected ${String(now.reason)}`;
}

/** `verdict` if the actor's settings allow it, else a list of what they allow. */
function allowed(verdict: string, i: number, actor: Actor, preAborted: boolean): string {
  const ok = [`${i} held a permit`];
  if (preAborted) ok.pop();
  if (actor.signal && actor.abort) ok.push(`${i} rejected: its reason`);
  if (actor.timeout !== undefined && !preAborted) ok.push(`${i} rejected: TimeoutError`);
  return ok.includes(verdict) ? verdict : `${i}: one of ${ok.join(" | ")}`;
}
