/*
 * Model-based test of the weighted acquire of Semaphore and BoundedSemaphore
 * (fast-check), on the harness of packages/core/test/model-harness.ts.
 *
 * 1. "weighted sequential model": fast-check generates the class, an initial
 * value (0–5) and a sequence of commands: acquire and hold of 1–4 permits
 * with and without a signal (own, shared with other calls, already aborted)
 * and a timeout (0, finite, Infinity), tryAcquire(n), release by a holder of
 * all it holds (directly or through its guard, twice), an extra release(n)
 * by nobody, the abort of a random signal and time passing. It runs them
 * against the real semaphore and a model: a counter and a FIFO of requests,
 * each with its need. After every command the microtasks are flushed and the
 * whole picture is compared: value, locked(), waiters, every call's outcome,
 * the holders, the live timers and the abort listeners.
 *
 * The invariants checked:
 *   W1. value + held === initial + released extra (held: the permits of the
 *       holders; released extra: what release(n) by nobody added), so the
 *       holders' permits never exceed the total.
 *   W2. FIFO with head-of-line blocking: permits are granted in arrival
 *       order, and while anyone waits the head needs more than value, so a
 *       smaller request behind a blocked larger one waits.
 *   W3. No lost wake-up: a head waiter that leaves (abort, timeout) lets
 *       those behind it that now fit in at once (W2 holds after it).
 *   W4. waiters drops by the number granted at once: right after a
 *       release(n) or an abort, before any microtask, waiters and value are
 *       already the model's.
 *   W5. A BoundedSemaphore's value never exceeds its initial value: a
 *       release(n) that would raise it throws RangeError and changes
 *       nothing; a request of 2 or more above the initial value rejects at
 *       once with RangeError.
 *   W6. Every settled call holds its permits, or rejected with its own
 *       signal's reason, a TimeoutError, or (W5) a RangeError.
 *
 * A signal shared by several waiters: when it aborts, every queued waiter
 * of it rejects, none of them is granted on the way (even one that a
 * waiter leaving ahead of it would let in), and then those behind that now
 * fit are granted.
 *
 * 2. "weighted interleavings": fc.scheduler() decides when each of several
 *    tasks starts and asks for its 1–5 permits, how long it keeps them, when
 *    signals abort and when time passes (W1, W2, W5, W6 and no task left
 *    pending: no lost wake-up).
 *
 * Time is jest's fake clock. Runs: 1000 command sequences and 500 schedules in `pnpm test`;
 * SYNC_MODEL_RUNS=100000 runs that many (SYNC_MODEL_VERBOSE=1 prints the
 * counts and seeds). A failure prints the command that replays it.
 */
import fc from "fast-check";
import { Guard, TimeoutError, type WaitOptions } from "@sync/core";
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";
import { tick, type Tracked, track } from "../../core/test/helpers";
import {
  abortAndAdvanceArbs,
  actorControllers,
  actorSignalsArbs,
  advancesArb,
  assertProperty,
  commandsSettings,
  controllerFor,
  describeExpected,
  describeReal,
  expectCleanEnd,
  expectedSignalLines,
  expectThrow,
  type HoldActor,
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

/** Who holds permits: a call, or a tryAcquire(n). */
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
  readonly bounded: boolean;
  readonly initial: number;
  /** The real semaphore, for the checks made before any microtask (W4). */
  readonly sem: Semaphore;
  now: number;
  readonly shared: AbortController[];
  value: number;
  /** The initial value plus the extra releases (W1). */
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
  /** Call ids in the order their promises fulfilled. */
  grants: number[];
  /** How many of `grants` the last verify() saw. */
  seen: number;
}

interface Spec extends WaitSpec {
  readonly how: "acquire" | "hold";
  readonly n: number;
}

/** The holders, sorted: one step may grant several, and hold() resolves a turn after acquire(). */
function names(holders: Holder[]): string {
  return holders
    .map((holder) => `${holder.label}(${holder.n})`)
    .sort()
    .join(" ");
}

/**
 * W2 from outside: the ids granted since the last check all come after those
 * granted before. (Within one step the promises of acquire() and hold()
 * settle a turn apart, so the order inside a step says nothing.)
 */
function grantedInOrder(r: Real): boolean {
  const fresh = r.grants.slice(r.seen);
  const before = r.grants.slice(0, r.seen);
  r.seen = r.grants.length;
  return fresh.every((id) => before.every((earlier) => earlier < id));
}

/** Grants the head of the model's queue while its need fits (W2, W3). */
function grantHeads(m: Model): void {
  for (let head; (head = m.queue[0]) !== undefined && head.n <= m.value;) {
    m.queue.shift();
    m.value -= head.n;
    head.expected = { state: "fulfilled" };
    head.deadline = undefined;
    m.holders.push(head);
  }
}

function leave(m: Model, call: Call, reason: unknown): void {
  m.queue.splice(m.queue.indexOf(call), 1);
  call.expected = { state: "rejected", reason };
  call.deadline = undefined;
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
  for (const call of m.queue.filter((c) => c.controller === controller)) leave(m, call, controller.signal.reason);
  grantHeads(m);
  checkAtOnce(m, "after the abort");
}

/** Time passes: queued calls whose deadline comes time out, earliest first (ties: oldest timer first). */
function elapse(m: Model, ms: number): void {
  m.now += ms;
  for (;;) {
    const due = m.queue
      .filter((call) => call.deadline !== undefined && call.deadline <= m.now)
      .sort((a, b) => a.deadline! - b.deadline! || a.id - b.id)[0];
    if (due === undefined) return;
    leave(m, due, TIMEOUT);
    grantHeads(m);
  }
}

function describeCall(call: Call): string {
  const now = call.tracked.current;
  if (now.state === "rejected" && now.reason instanceof RangeError) return `#${call.id} rejected: RangeError`;
  return `${describeReal(call)} (${call.n})`;
}

function describeExpectedCall(call: Call): string {
  if (call.expected.state === "rejected" && call.expected.reason === TOO_BIG) return `#${call.id} rejected: RangeError`;
  return `${describeExpected(call)} (${call.n})`;
}

/** Flushes the microtasks, then checks W1, W2, W5 and compares the real semaphore with the model. */
async function verify(m: Model, r: Real): Promise<void> {
  await tick();
  const { sem } = r;
  const held = r.holders.reduce((sum, holder) => sum + holder.n, 0);
  const problems: string[] = [];
  if (held + sem.value !== m.permits) problems.push(`W1: ${held} held + value ${sem.value} !== ${m.permits}`);
  if (!grantedInOrder(r)) problems.push(`W2: grants ${r.grants.join()}`);
  const head = m.queue[0];
  if (head !== undefined && head.n <= m.value) problems.push(`W2/W3: head #${head.id} needs ${head.n} of ${m.value}`);
  if (m.bounded && sem.value > m.initial) problems.push(`W5: value ${sem.value} above ${m.initial}`);
  same(problems, []);
  // W6 and the model, compared as a whole.
  same(
    [
      `value ${sem.value}, locked() ${sem.locked()}, waiters ${sem.waiters}`,
      `holders ${names(r.holders)}, timers ${jest.getTimerCount()}`,
      ...m.calls.map(describeCall),
      ...realSignalLines(m),
    ],
    [
      `value ${m.value}, locked() ${m.value === 0 || m.queue.length > 0}, waiters ${m.queue.length}`,
      `holders ${names(m.holders)}, timers ${m.queue.filter((call) => call.deadline !== undefined).length}`,
      ...m.calls.map(describeExpectedCall),
      ...expectedSignalLines(m, (c) => m.queue.filter((call) => call.controller === c).length),
    ],
  );
}

// ---------------------------------------------------------------- commands

type WeightedCommand = fc.AsyncCommand<Model, Real>;

class Acquire implements WeightedCommand {
  constructor(
    readonly spec: Spec,
    readonly reasonKind: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const id = m.calls.length;
    const { how, n, timeout } = this.spec;
    const controller = controllerFor(m, id, this.spec, this.reasonKind);
    const options = { ...optionsFor(this.spec, controller), permits: n };
    const promise: Promise<unknown> = how === "acquire" ? r.sem.acquire(options) : r.sem.hold(options);
    const call: Call = {
      id,
      label: `#${id}`,
      n,
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
    else if (m.bounded && n >= 2 && n > m.initial) call.expected = { state: "rejected", reason: TOO_BIG };
    else if (m.queue.length === 0 && m.value >= n) {
      m.value -= n;
      call.expected = { state: "fulfilled" };
      m.holders.push(call);
    } else if (timeout === 0) call.expected = { state: "rejected", reason: TIMEOUT };
    else {
      m.queue.push(call);
      if (timeout !== undefined && timeout !== Infinity) call.deadline = m.now + timeout;
    }
    await verify(m, r);
  }
  toString(): string {
    const { how, n, signal, timeout } = this.spec;
    return `${how}({permits: ${n}, signal: ${signal}, timeout: ${timeout}})`;
  }
}

class TryAcquire implements WeightedCommand {
  constructor(readonly n: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const got = r.sem.tryAcquire(this.n);
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

/**
 * A holder gives all its permits back, through its guard (twice) if it has
 * one and `viaGuard`. A BoundedSemaphore that extra releases filled up
 * refuses it (W5): the holder keeps its permits.
 */
class Release implements WeightedCommand {
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
      expectThrow(() => r.sem.release(holder.n), RangeError);
      checkAtOnce(m, `refused release(${holder.n})`);
      await verify(m, r);
      return;
    }
    m.holders.splice(m.holders.indexOf(holder), 1);
    r.holders.splice(r.holders.indexOf(holder), 1);
    const guard = "guard" in holder ? (holder as Call).guard : undefined;
    if (this.viaGuard && guard !== undefined) {
      guard.release();
      guard.release(); // a second release of the same guard does nothing
    } else r.sem.release(holder.n);
    m.value += holder.n;
    grantHeads(m);
    checkAtOnce(m, `release(${holder.n})`);
    await verify(m, r);
  }
  toString(): string {
    return `holder ${this.pick} releases${this.viaGuard ? " through its guard, twice" : ""}`;
  }
}

/** release(n) by nobody: n new permits, or RangeError for a BoundedSemaphore it would raise above its start. */
class ExtraRelease implements WeightedCommand {
  constructor(readonly n: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const refuse = m.bounded && m.value + this.n > m.initial;
    if (refuse) expectThrow(() => r.sem.release(this.n), RangeError);
    else {
      r.sem.release(this.n);
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

const permitsArb = fc.integer({ min: 1, max: 4 });

const specArb = fc.record({
  how: fc.constantFrom<Spec["how"]>("acquire", "hold"),
  n: permitsArb,
  signal: signalArb,
  timeout: timeoutArb,
});

const commandsArb = fc.commands(
  [
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Acquire(spec, kind)),
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Acquire(spec, kind)),
    permitsArb.map((n) => new TryAcquire(n)),
    fc.tuple(fc.nat(), fc.boolean()).map(([pick, viaGuard]) => new Release(pick, viaGuard)),
    fc.tuple(fc.nat(), fc.boolean()).map(([pick, viaGuard]) => new Release(pick, viaGuard)),
    permitsArb.map((n) => new ExtraRelease(n)),
    ...abortAndAdvanceArbs<Model, Real>(aborted, elapse, verify),
  ],
  commandsSettings,
);

useFakeTimersPerTest();

test(
  "weighted sequential model: Semaphore and BoundedSemaphore match a counter and a FIFO with head-of-line blocking (W1–W6)",
  async () => {
    await assertProperty(
      "semaphore",
      "weighted sequential model",
      fc.asyncProperty(
        fc.boolean(),
        fc.integer({ min: 0, max: 5 }),
        commandsArb,
        async (bounded, initial, commands) => {
          jest.clearAllTimers();
          const sem = bounded ? new BoundedSemaphore(initial) : new Semaphore(initial);
          const m: Model = {
            bounded,
            initial,
            sem,
            now: 0,
            shared: [new AbortController(), new AbortController()],
            value: initial,
            permits: initial,
            queue: [],
            calls: [],
            holders: [],
          };
          const r: Real = { sem, holders: [], grants: [], seen: 0 };
          await fc.asyncModelRun(() => ({ model: m, real: r }), commands);
          // Drain: holders give their permits back while they may, then
          // extra releases feed the head until nobody waits. (A
          // BoundedSemaphore(0) can never serve its one-permit waiters.)
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
      ),
      1000,
    );
  },
  testTimeout,
);

// ---------------------------------------------------------------- interleavings

/** A task of the interleavings: how it takes its permits, how many, its signal and timeout. */
interface Actor extends HoldActor {
  readonly n: number;
}

/** Runs `work` holding `n` permits, taken through run(), hold() (with `using`) or acquire() and release(n). */
async function holdPermits(
  sem: Semaphore,
  actor: Actor,
  work: () => Promise<void>,
  options: WaitOptions,
): Promise<void> {
  const withPermits = { ...options, permits: actor.n };
  if (actor.how === "run") await sem.run(work, withPermits);
  else if (actor.how === "hold") {
    using _ = await sem.hold(withPermits);
    await work();
  } else {
    await sem.acquire(withPermits);
    try {
      await work();
    } finally {
      sem.release(actor.n);
    }
  }
}

test(
  "weighted interleavings: tasks that keep 1–5 permits for scheduler-chosen spans keep W1, W2, W5 and W6",
  async () => {
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
    await assertProperty(
      "semaphore",
      "weighted interleavings",
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
          jest.clearAllTimers();
          const actors: Actor[] = drawn.map((actor) => ({
            ...actor,
            n: Math.min(actor.n, bounded ? initial + 1 : initial),
          }));
          const sem = bounded ? new BoundedSemaphore(initial) : new Semaphore(initial);
          const problems: string[] = [];
          let held = 0;
          let step = 0;
          // W1 and W5 after every step the scheduler takes: `held` counts a
          // grant once its task runs, so it may lag behind `value`, never lead.
          const stepCheck = (): void => {
            step++;
            if (held + sem.value > initial || held > initial || sem.value < 0)
              problems.push(`W1: ${held} held, ${String(sem)}`);
          };
          const arrivals: number[] = [];
          const grantSteps = actors.map(() => -1);
          const { controllers, reasons } = actorControllers(actors);
          const preAborted = actors.map(() => false);
          const tasks = actors.map(async (actor, i) => {
            await s.schedule(Promise.resolve(), `start ${i}`);
            const options = { signal: controllers[i]?.signal, timeout: actor.timeout };
            arrivals.push(i);
            preAborted[i] = controllers[i]?.signal.aborted ?? false;
            const work = async (): Promise<void> => {
              grantSteps[i] = step;
              held += actor.n;
              await s.schedule(Promise.resolve(), `work ${i}`);
              held -= actor.n;
            };
            await holdPermits(sem, actor, work, options);
          });
          const outcomes = tasks.map((task) => track(task));
          scheduleAbortsAndAdvances(s, actors, controllers, reasons, advances);

          await s.waitIdle(async (next) => {
            await next();
            // Let every grant of this step reach its task (hold() and run()
            // take more turns than acquire()), so all count for this step.
            await tick();
            stepCheck();
          });
          await tick();

          // W2: a task that arrived later was never granted in an earlier step.
          for (const [k, i] of arrivals.entries())
            for (const j of arrivals.slice(k + 1))
              if (grantSteps[i]! >= 0 && grantSteps[j]! >= 0 && grantSteps[j]! < grantSteps[i]!)
                problems.push(`W2: ${j} (arrived after ${i}) granted first`);
          // W6: every task settled, as its settings allow.
          const verdicts = outcomes.map((o, i) => describeActor(o.current, i, reasons[i]!, grantSteps[i]! >= 0));
          expectCleanEnd(
            problems,
            verdicts,
            verdicts.map((verdict, i) =>
              allowed(verdict, i, actors[i]!, preAborted[i]!, bounded && actors[i]!.n > initial),
            ),
            controllers,
            {
              name: "sem",
              real: String(sem),
              expected: `<${bounded ? "BoundedSemaphore" : "Semaphore"} [unlocked, value:${initial}]>`,
            },
          );
        },
      ),
      500,
    );
  },
  testTimeout,
);

function describeActor(now: Tracked<void>, i: number, reason: Error, held: boolean): string {
  if (now.state === "pending") return `${i} pending`;
  if (now.state === "fulfilled") return held ? `${i} held its permits` : `${i} fulfilled without permits`;
  if (held) return `${i} held its permits, then rejected: ${String(now.reason)}`;
  if (now.reason === reason) return `${i} rejected: its reason`;
  if (now.reason instanceof TimeoutError) return `${i} rejected: TimeoutError`;
  if (now.reason instanceof RangeError) return `${i} rejected: RangeError`;
  return `${i} rejected: unexpected ${String(now.reason)}`;
}

/** `verdict` if the actor's settings allow it, else a list of what they allow. */
function allowed(verdict: string, i: number, actor: Actor, preAborted: boolean, tooBig: boolean): string {
  const ok: string[] = [];
  if (preAborted) ok.push(`${i} rejected: its reason`);
  else if (tooBig) ok.push(`${i} rejected: RangeError`);
  else {
    ok.push(`${i} held its permits`);
    if (actor.signal && actor.abort) ok.push(`${i} rejected: its reason`);
    if (actor.timeout !== undefined) ok.push(`${i} rejected: TimeoutError`);
  }
  return ok.includes(verdict) ? verdict : `${i}: one of ${ok.join(" | ")}`;
}
