/*
 * Model-based tests of Semaphore and BoundedSemaphore (fast-check): one
 * model of a counter and a FIFO of requests, each with its need, run in two
 * spellings. "Plain": every call takes or gives one permit and never names
 * a count (acquire(), tryAcquire(), release()). "Weighted": calls name 1–4
 * permits (acquire({permits}), tryAcquire(n), release(n)).
 *
 * 1. "sequential model" (plain, initial value 0–3) and "weighted sequential
 *    model" (initial value 0–5): fast-check generates the class, the initial
 *    value and a sequence of commands: acquire and hold with and without a
 *    signal (own, shared with other calls, already aborted) and a timeout
 *    (0, finite, Infinity), tryAcquire, release by a holder of all it holds
 *    (directly or through its guard, twice), an extra release by nobody, the
 *    abort of a random signal and time passing. After every command the
 *    microtasks are flushed and the whole picture is compared: value,
 *    locked(), waiters, String(), every call's outcome, the holders, the live
 *    timers and the abort listeners.
 * 2. "interleavings" (plain) and "weighted interleavings" (1–5 permits a
 *    task): fc.scheduler() decides when each of several tasks starts and
 *    asks, how long it keeps its permits, when signals abort and when time
 *    passes.
 *
 * The invariants checked (S: the plain tests' names, W: the weighted ones'):
 *   S1/W1. value + held === initial + released extra (held: the permits of
 *       the holders; released extra: what a release by nobody added), so the
 *       holders' permits never exceed the total.
 *   S2. value is never negative, and while anyone waits the head needs more
 *       than value (plain: waiters > 0 implies value === 0).
 *   S4/W2. FIFO with head-of-line blocking: permits are granted in arrival
 *       order (weighted: those granted in one step, in any order among
 *       themselves), so a smaller request behind a blocked larger one waits.
 *   W3. No lost wake-up: a head waiter that leaves (abort, timeout) lets
 *       those behind it that now fit in at once (S2 holds after it).
 *   W4. waiters drops by the number granted at once: right after a release
 *       or an abort, before any microtask, waiters and value are already the
 *       model's.
 *   S3/W5. A BoundedSemaphore's value never exceeds its initial value: a
 *       release that would raise it throws RangeError and changes nothing;
 *       a request of 2 or more above the initial value rejects at once with
 *       RangeError.
 *   S5/W6. Every settled call holds its permits, or rejected with its own
 *       signal's reason, a TimeoutError, or (W5) a RangeError.
 *
 * A signal shared by several waiters: when it aborts, every queued waiter
 * of it rejects, none of them is granted on the way (even one that a
 * waiter leaving ahead of it would let in), and then those behind that now
 * fit are granted.
 *
 * Time is jest's fake clock.
 * Runs: 2000 plain and 1000 weighted command sequences, 1000 plain and 500
 * weighted schedules in `pnpm test`; SYNC_MODEL_RUNS=100000 runs that many
 * of each (SYNC_MODEL_VERBOSE=1 prints the counts and seeds). A failure
 * prints its seed, path and commands' replayPath, and the command that
 * replays it: SYNC_MODEL_SEED=… SYNC_MODEL_PATH=… SYNC_MODEL_REPLAY_PATH=… npx jest …
 */
import fc from "fast-check";
import type { Guard } from "@sync/core";
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";
import { tick, useFakeTimersPerTest } from "../../core/test/helpers";
import {
  abortAndAdvanceArbs,
  actorSignalsArbs,
  advancesArb,
  arrive,
  ascending,
  CallCommand,
  commandsSettings,
  controllerFor,
  describeExpected,
  describeReal,
  expectHeldEnd,
  expectThrow,
  expireDue,
  type HoldActor,
  holdActorArb,
  holdWhile,
  inArrivalOrder,
  leaveAborted,
  type ModelCall,
  modelTest,
  newCall,
  newQueueModel,
  optionsFor,
  pendingIds,
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

/** Who holds permits: a call, or a tryAcquire. */
interface Holder {
  readonly label: string;
  readonly n: number;
}

interface Call extends ModelCall, Holder {
  guard: Guard | undefined;
}

/** The reason a call expects when a BoundedSemaphore refuses a request it could never grant. */
const TOO_BIG = Symbol("RangeError");

interface Model {
  /** Whether calls name their count of permits (the weighted tests), or never do (the plain ones). */
  readonly weighted: boolean;
  readonly bounded: boolean;
  readonly initial: number;
  /** The real semaphore, for the checks made before any microtask (W4). */
  readonly sem: Semaphore;
  now: number;
  readonly shared: AbortController[];
  value: number;
  /** The initial value plus the extra releases (S1/W1). */
  permits: number;
  queue: Call[];
  calls: Call[];
  /** Who holds permits, oldest grant first. */
  holders: Holder[];
}

interface Real {
  sem: Semaphore;
  /** Holders as seen from outside: added when a call's promise fulfils. */
  holders: Holder[];
  /** Call ids in the order their promises fulfilled, each step's sorted if weighted (see verify). */
  grants: number[];
  /** Grants seen since the last verify. */
  fresh: number[];
}

interface Spec extends WaitSpec {
  readonly how: "acquire" | "hold";
  readonly n: number;
}

/**
 * The holders, oldest grant first; sorted if weighted: one step may grant
 * several, and hold() resolves a turn after acquire().
 */
function names(m: Model, holders: Holder[]): string {
  const all = holders.map((holder) => `${holder.label}(${holder.n})`);
  return (m.weighted ? all.sort() : all).join(" ");
}

/** Grants the head of the model's queue while its need fits (S2, W3). */
function grantHeads(m: Model): void {
  for (let head; (head = m.queue[0]) !== undefined && head.n <= m.value;) {
    m.queue.shift();
    m.value -= head.n;
    head.expected = { state: "fulfilled" };
    head.deadline = undefined;
    m.holders.push(head);
  }
}

/** W4: value and waiters are the model's at once, before any microtask. */
function checkAtOnce(m: Model, what: string): void {
  same(
    `${what}: value ${m.sem.value}, waiters ${m.sem.waiters}`,
    `${what}: value ${m.value}, waiters ${m.queue.length}`,
  );
}

/** An abort: every queued call of this signal leaves, then those behind that now fit are granted (W3). */
function aborted(m: Model, controller: AbortController): void {
  leaveAborted(m, controller);
  grantHeads(m);
  checkAtOnce(m, "after the abort");
}

function render(m: Model): string {
  const locked = m.value === 0 || m.queue.length > 0;
  const value = m.value > 0 ? `, value:${m.value}` : "";
  const waiters = m.queue.length > 0 ? `, waiters:${m.queue.length}` : "";
  return `<${m.bounded ? "BoundedSemaphore" : "Semaphore"} [${locked ? "locked" : "unlocked"}${value}${waiters}]>`;
}

const describe = {
  real(call: Call): string {
    const now = call.tracked.current;
    if (now.state === "rejected" && now.reason instanceof RangeError) return `#${call.id} rejected: RangeError`;
    return `${describeReal(call)} (${call.n})`;
  },
  expected(call: Call): string {
    if (call.expected.state === "rejected" && call.expected.reason === TOO_BIG)
      return `#${call.id} rejected: RangeError`;
    return `${describeExpected(call)} (${call.n})`;
  },
};

/** Flushes the microtasks, then checks S1–S5/W1–W6 and compares the real semaphore with the model. */
async function verify(m: Model, r: Real): Promise<void> {
  await tick();
  const { sem } = r;
  // Grants of one step resolve together, but a hold() a microtask after an
  // acquire(): a weighted step's grants are sorted before S4/W2 compares
  // them with the earlier ones. (A plain step grants one at most.)
  r.grants.push(...(m.weighted ? r.fresh.sort((a, b) => a - b) : r.fresh));
  r.fresh = [];
  const held = r.holders.reduce((sum, holder) => sum + holder.n, 0);
  const problems: string[] = [];
  if (held + sem.value !== m.permits) problems.push(`S1/W1: ${held} held + value ${sem.value} !== ${m.permits}`);
  if (sem.value < 0 || (sem.waiters > 0 && sem.value >= (m.queue[0]?.n ?? 1))) problems.push(`S2: ${String(sem)}`);
  if (m.bounded && sem.value > m.initial) problems.push(`S3/W5: value ${sem.value} above ${m.initial}`);
  if (!ascending(r.grants)) problems.push(`S4/W2: grants ${r.grants.join()}`);
  same(problems, []);
  // S5/W6 and the model, compared as a whole.
  sameAsQueue(
    m,
    [
      `value ${sem.value}, locked() ${sem.locked()}, waiters ${sem.waiters}, ${String(sem)}`,
      `holders ${names(m, r.holders)}`,
    ],
    [
      `value ${m.value}, locked() ${m.value === 0 || m.queue.length > 0}, waiters ${m.queue.length}, ${render(m)}`,
      `holders ${names(m, m.holders)}`,
    ],
    describe,
  );
}

// ---------------------------------------------------------------- commands

type SemaphoreCommand = fc.AsyncCommand<Model, Real>;

class Acquire extends CallCommand<Model, Real, Spec> {
  async run(m: Model, r: Real): Promise<void> {
    const { how, n } = this.spec;
    const controller = controllerFor(m, m.calls.length, this.spec, this.reasonKind);
    const options = m.weighted
      ? { ...optionsFor(this.spec, controller), permits: n }
      : optionsFor(this.spec, controller);
    const promise: Promise<unknown> = how === "acquire" ? r.sem.acquire(options) : r.sem.hold(options);
    const call = newCall<Call>(m, controller, promise, { label: `#${m.calls.length}`, n, guard: undefined });
    whenGranted(promise, call, () => {
      r.holders.push(call);
      r.fresh.push(call.id);
    });
    arrive(m, call, this.spec.timeout, () => {
      if (m.bounded && n >= 2 && n > m.initial) call.expected = { state: "rejected", reason: TOO_BIG };
      else if (m.queue.length === 0 && m.value >= n) {
        m.value -= n;
        call.expected = { state: "fulfilled" };
        m.holders.push(call);
      } else return false;
      return true;
    });
    await verify(m, r);
  }
  override toString(): string {
    const { how, n, signal, timeout } = this.spec;
    return `${how}({permits: ${n}, signal: ${signal}, timeout: ${timeout}})`;
  }
}

class TryAcquire implements SemaphoreCommand {
  constructor(readonly n: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const got = m.weighted ? r.sem.tryAcquire(this.n) : r.sem.tryAcquire();
    const expected = m.queue.length === 0 && m.value >= this.n;
    if (got !== expected) expect(`tryAcquire(${this.n}): ${got}`).toBe(`tryAcquire(${this.n}): ${expected}`);
    if (got) {
      m.value -= this.n;
      const holder = { label: "try", n: this.n };
      m.holders.push(holder);
      r.holders.push(holder);
    }
    await verify(m, r);
  }
  toString(): string {
    return `tryAcquire(${this.n})`;
  }
}

/** release(n), or release() in the plain tests. */
function release(m: Model, r: Real, n: number): void {
  if (m.weighted) r.sem.release(n);
  else r.sem.release();
}

/**
 * A holder gives all its permits back, through its guard (twice) if it has
 * one and `viaGuard`. A BoundedSemaphore that extra releases filled up
 * refuses it (S3/W5): the holder keeps its permits.
 */
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
    if (m.bounded && m.value + holder.n > m.initial) {
      expectThrow(() => release(m, r, holder.n), RangeError);
      checkAtOnce(m, `refused release(${holder.n})`);
      await verify(m, r);
      return;
    }
    m.holders.splice(m.holders.indexOf(holder), 1);
    r.holders.splice(r.holders.indexOf(holder), 1);
    releaseHolder("guard" in holder ? (holder as Call).guard : undefined, this.viaGuard, () => release(m, r, holder.n));
    m.value += holder.n;
    grantHeads(m);
    checkAtOnce(m, `release(${holder.n})`);
    await verify(m, r);
  }
  toString(): string {
    return `holder ${this.pick} releases${this.viaGuard ? " through its guard, twice" : ""}`;
  }
}

/** A release by nobody: new permits, or RangeError for a BoundedSemaphore it would raise above its start. */
class ExtraRelease implements SemaphoreCommand {
  constructor(readonly n: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    if (m.bounded && m.value + this.n > m.initial) expectThrow(() => release(m, r, this.n), RangeError);
    else {
      release(m, r, this.n);
      m.permits += this.n;
      m.value += this.n;
      grantHeads(m);
    }
    checkAtOnce(m, `release(${this.n}) by nobody`);
    await verify(m, r);
  }
  toString(): string {
    return `release(${this.n}) by nobody`;
  }
}

/** The commands, with `permitsArb` for the count of each call: 1 in the plain tests. */
function commandsArb(permitsArb: fc.Arbitrary<number>) {
  const acquireArb = fc
    .tuple(
      fc.record({
        how: fc.constantFrom<Spec["how"]>("acquire", "hold"),
        n: permitsArb,
        signal: signalArb,
        timeout: timeoutArb,
      }),
      reasonKindArb,
    )
    .map(([spec, kind]) => new Acquire(spec, kind));
  const releaseArb = fc.tuple(fc.nat(), fc.boolean()).map(([pick, viaGuard]) => new Release(pick, viaGuard));
  return fc.commands(
    [
      acquireArb,
      acquireArb,
      permitsArb.map((n) => new TryAcquire(n)),
      releaseArb,
      releaseArb,
      permitsArb.map((n) => new ExtraRelease(n)),
      ...abortAndAdvanceArbs<Model, Real>(aborted, (m, ms) => expireDue(m, ms, () => grantHeads(m)), verify),
    ],
    commandsSettings,
  );
}

/** The sequential model, plain or weighted, from an initial value in `initialArb`. */
function sequential(weighted: boolean, initialArb: fc.Arbitrary<number>) {
  return fc.asyncProperty(
    fc.boolean(),
    initialArb,
    commandsArb(weighted ? fc.integer({ min: 1, max: 4 }) : fc.constant(1)),
    async (bounded, initial, commands) => {
      const sem = bounded ? new BoundedSemaphore(initial) : new Semaphore(initial);
      const m: Model = {
        ...newQueueModel<Call>(),
        weighted,
        bounded,
        initial,
        sem,
        value: initial,
        permits: initial,
        holders: [],
      };
      const r: Real = { sem, holders: [], grants: [], fresh: [] };
      await runCommands(m, r, commands);
      // Drain: holders give their permits back while they may, then extra
      // releases feed the head until nobody waits. (A BoundedSemaphore(0)
      // can never serve its waiters: they stay.)
      for (;;) {
        const k = m.holders.findIndex((holder) => !m.bounded || m.value + holder.n <= m.initial);
        if (k < 0) break;
        await new Release(k, false).run(m, r);
      }
      for (let head; (head = m.queue[0]) !== undefined && (!m.bounded || head.n <= m.initial);)
        await new ExtraRelease(head.n - m.value).run(m, r);
      same(
        { pending: pendingIds(m.calls), timers: jest.getTimerCount() },
        {
          pending: m.queue.map((call) => call.id),
          timers: m.queue.filter((call) => call.deadline !== undefined).length,
        },
      );
    },
  );
}

useFakeTimersPerTest();

modelTest(
  "semaphore",
  "sequential model",
  "Semaphore and BoundedSemaphore match a counter and a FIFO (S1–S5)",
  2000,
  sequential(false, fc.integer({ min: 0, max: 3 })),
);

modelTest(
  "semaphore",
  "weighted sequential model",
  "Semaphore and BoundedSemaphore match a counter and a FIFO with head-of-line blocking (W1–W6)",
  1000,
  sequential(true, fc.integer({ min: 0, max: 5 })),
);

// ---------------------------------------------------------------- interleavings

/** A semaphore's String() when idle again. */
function idle(sem: Semaphore, bounded: boolean, initial: number) {
  return {
    name: "sem",
    real: String(sem),
    expected: `<${bounded ? "BoundedSemaphore" : "Semaphore"} [unlocked, value:${initial}]>`,
  };
}

modelTest(
  "semaphore",
  "interleavings",
  "tasks that keep permits for scheduler-chosen spans keep S1–S5",
  1000,
  // Actors: 1–8 tasks, each arriving when the scheduler starts it, taking a
  // permit (run, hold or acquire/release) with or without a signal and a
  // timeout, and keeping it until the scheduler ends its "work" task;
  // aborts of their signals and jumps of the clock are scheduled tasks too.
  // Interleaving: any order of those tasks.
  // What would break: more holders than permits, a newcomer overtaking a
  // queued waiter, a permit lost to an aborted waiter, a bounded value that
  // creeps above its start.
  fc.asyncProperty(
    fc.boolean(),
    fc.integer({ min: 1, max: 3 }),
    fc.array(holdActorArb, { minLength: 1, maxLength: 8 }),
    advancesArb,
    fc.scheduler(),
    async (bounded, initial, actors, advances, s) => {
      const sem = bounded ? new BoundedSemaphore(initial) : new Semaphore(initial);
      const problems: string[] = [];
      let holders = 0;
      const grants: number[] = [];
      const run = startActors(s, actors, advances, (actor, i, options) =>
        holdWhile(
          actor.how,
          sem,
          scheduledWork(
            s,
            i,
            () => {
              grants.push(i);
              if (++holders > initial) problems.push(`S1: ${i} holds one of ${holders} permits out of ${initial}`);
            },
            () => holders--,
          ),
          options,
        ),
      );
      await s.waitIdle(async (step) => {
        await step();
        // S1–S3 after every step the scheduler takes.
        if (holders + sem.value > initial || sem.value < 0 || (sem.waiters > 0 && sem.value !== 0))
          problems.push(`S1/S2: ${holders} holders, ${String(sem)}`);
      });
      await tick();
      // S4: grants in arrival order.
      if (!inArrivalOrder(run, grants)) problems.push(`S4: ${grants.join()}`);
      // S5: every task settled; fulfilled exactly when it held a permit,
      // rejected only with its own reason or a TimeoutError.
      expectHeldEnd(run, actors, problems, "a permit", (i) => grants.includes(i), idle(sem, bounded, initial));
    },
  ),
);

/** A task of the weighted interleavings: how it takes its permits, how many, its signal and timeout. */
interface Actor extends HoldActor {
  readonly n: number;
}

modelTest(
  "semaphore",
  "weighted interleavings",
  "tasks that keep 1–5 permits for scheduler-chosen spans keep W1, W2, W5 and W6",
  500,
  // Actors: 1–8 tasks, each arriving when the scheduler starts it, taking
  // its permits (run, hold or acquire/release(n)) with or without a signal
  // and a timeout, and keeping them until the scheduler ends its "work";
  // aborts of their signals and jumps of the clock are scheduled tasks too.
  // Interleaving: any order of those tasks, so an abort or a timeout may
  // come just before, at or after the release(n) that grants its caller.
  // What would break: more permits held than the semaphore has, a request
  // granted before an older one (a small one overtaking a blocked head), a
  // wake-up lost when a head leaves (a task left pending for ever), permits
  // lost to a caller that left, listeners or timers left behind.
  // A plain Semaphore gets requests of at most its value (a larger one
  // would wait for ever, nobody adds permits); a BoundedSemaphore also one
  // above it, which rejects at once with RangeError.
  fc.asyncProperty(
    fc.boolean(),
    fc.integer({ min: 1, max: 4 }),
    fc.array(
      fc.record({
        how: fc.constantFrom<Actor["how"]>("run", "hold", "acquire"),
        ...actorSignalsArbs,
        n: fc.integer({ min: 1, max: 5 }),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    advancesArb,
    fc.scheduler(),
    async (bounded, initial, drawn, advances, s) => {
      const actors: Actor[] = drawn.map((actor) => ({
        ...actor,
        n: Math.min(actor.n, bounded ? initial + 1 : initial),
      }));
      const sem = bounded ? new BoundedSemaphore(initial) : new Semaphore(initial);
      const problems: string[] = [];
      let held = 0;
      let step = 0;
      const grantSteps = actors.map(() => -1);
      const run = startActors(s, actors, advances, (actor, i, options) =>
        holdWhile(
          actor.how,
          sem,
          scheduledWork(
            s,
            i,
            () => {
              grantSteps[i] = step;
              held += actor.n;
            },
            () => (held -= actor.n),
          ),
          { ...options, permits: actor.n },
          () => sem.release(actor.n),
        ),
      );
      await s.waitIdle(async (next) => {
        await next();
        // Let every grant of this step reach its task (hold() and run()
        // take more turns than acquire()), so all count for this step.
        await tick();
        // W1 and W5 after every step the scheduler takes: `held` counts a
        // grant once its task runs, so it may lag behind `value`, never lead.
        step++;
        if (held + sem.value > initial || held > initial || sem.value < 0)
          problems.push(`W1: ${held} held, ${String(sem)}`);
      });
      await tick();
      // W2: a task that arrived later was never granted in an earlier step.
      for (const [k, i] of run.arrivals.entries())
        for (const j of run.arrivals.slice(k + 1))
          if (grantSteps[i]! >= 0 && grantSteps[j]! >= 0 && grantSteps[j]! < grantSteps[i]!)
            problems.push(`W2: ${j} (arrived after ${i}) granted first`);
      // W6: every task settled, as its settings allow.
      expectHeldEnd(
        run,
        actors,
        problems,
        "its permits",
        (i) => grantSteps[i]! >= 0,
        idle(sem, bounded, initial),
        (i) => bounded && actors[i]!.n > initial,
      );
    },
  ),
);
