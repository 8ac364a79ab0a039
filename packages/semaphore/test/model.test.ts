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
import { getEventListeners } from "node:events";
import fc from "fast-check";
import { Guard, TimeoutError } from "@sync/core";
import { BoundedSemaphore, Semaphore } from "@sync/semaphore";
import { tick, track, type Tracked } from "../../../test/helpers";

// ---------------------------------------------------------------- settings

const longRuns = Number(process.env.SYNC_MODEL_RUNS) || 0;
const testTimeout = longRuns > 0 ? longRuns * 50 : 60_000;

/** Runs `property` `runs` times (or SYNC_MODEL_RUNS), failing with a replay command. */
async function assertProperty(name: string, property: fc.IAsyncProperty<unknown>, runs: number): Promise<void> {
  const seed = process.env.SYNC_MODEL_SEED === undefined ? undefined : Number(process.env.SYNC_MODEL_SEED);
  const details = await fc.check(property, { numRuns: longRuns || runs, seed, path: process.env.SYNC_MODEL_PATH });
  if (process.env.SYNC_MODEL_VERBOSE) console.log(`semaphore ${name}: ${details.numRuns} runs, seed ${details.seed}`);
  if (details.failed) {
    // Commands replay their shrunk sequence from a replayPath of their own.
    const commands = /replayPath="([^"]*)"/.exec(fc.defaultReportMessage(details) ?? "")?.[1];
    const replay =
      `SYNC_MODEL_SEED=${details.seed} SYNC_MODEL_PATH="${details.counterexamplePath}"` +
      (commands === undefined ? "" : ` SYNC_MODEL_REPLAY_PATH="${commands}"`);
    throw new Error(
      `${fc.defaultReportMessage(details)}\n\nReplay: ${replay} npx jest --selectProjects semaphore -t "${name}"\n\n` +
        `Got: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
    );
  }
}

/** `expect(actual).toEqual(expected)` for JSON-like values, without the cost of expect() when it passes. */
function same(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

// ---------------------------------------------------------------- model

const TIMEOUT = Symbol("TimeoutError");
type Expected = { state: "pending" } | { state: "fulfilled" } | { state: "rejected"; reason: unknown };

interface Call {
  readonly id: number;
  readonly controller: AbortController | undefined;
  readonly tracked: { readonly current: Tracked<unknown> };
  expected: Expected;
  /** Model time at which its timeout fires, while it is queued with a finite timeout. */
  deadline: number | undefined;
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

// "shared": one of two signals that several calls of a run wait with.
type SignalKind = "none" | "live" | "aborted" | "shared";
interface Spec {
  readonly how: "acquire" | "hold";
  readonly signal: SignalKind;
  readonly timeout: number | undefined;
}

function reasonFor(id: number, kind: number): unknown {
  // An Error, a plain string, or the runtime's own AbortError (no reason).
  return kind === 0 ? new Error(`abort #${id}`) : kind === 1 ? `abort #${id}` : undefined;
}

function names(holders: (Call | "try")[]): string {
  return holders.map((holder) => (holder === "try" ? "try" : `#${holder.id}`)).join(" ");
}

function grant(m: Model, call: Call): void {
  call.expected = { state: "fulfilled" };
  call.deadline = undefined;
  m.holders.push(call);
}

function leave(m: Model, call: Call, reason: unknown): void {
  m.queue.splice(m.queue.indexOf(call), 1);
  call.expected = { state: "rejected", reason };
  call.deadline = undefined;
}

/** Gives a permit back in the model: to the first waiter, else to the counter. */
function modelRelease(m: Model): void {
  const next = m.queue.shift();
  if (next !== undefined) grant(m, next);
  else m.value++;
}

function describeReal(call: Call): string {
  const now = call.tracked.current;
  if (now.state !== "rejected") return `#${call.id} ${now.state}`;
  if (call.controller?.signal.aborted && now.reason === call.controller.signal.reason)
    return `#${call.id} rejected: its signal's reason`;
  if (now.reason instanceof TimeoutError) return `#${call.id} rejected: TimeoutError`;
  return `#${call.id} rejected: unexpected ${String(now.reason)}`;
}

function describeExpected(call: Call): string {
  const want = call.expected;
  if (want.state !== "rejected") return `#${call.id} ${want.state}`;
  return `#${call.id} rejected: ${want.reason === TIMEOUT ? "TimeoutError" : "its signal's reason"}`;
}

/** The signals of a run: the two shared ones, then each call's own. */
function signalsOf(m: Model): AbortController[] {
  const all = [...m.shared, ...m.calls.map((call) => call.controller)];
  return [...new Set(all)].filter((controller): controller is AbortController => controller !== undefined);
}

/** Abort listeners on a signal: the count on a call's own, there or not on a shared one. */
function listeners(m: Model, controller: AbortController, count: number): string {
  if (m.shared.includes(controller)) return count > 0 ? "listened to" : "no listener";
  return `${count} listener(s)`;
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
      ...signalsOf(m).map((c, k) => `signal ${k}: ${listeners(m, c, getEventListeners(c.signal, "abort").length)}`),
    ],
    [
      `value ${m.value}, locked() ${m.value === 0}, waiters ${m.queue.length}, ${render(m)}`,
      `holders ${names(m.holders)}, timers ${m.queue.filter((call) => call.deadline !== undefined).length}`,
      ...m.calls.map((call) => `${describeExpected(call)}`),
      ...signalsOf(m).map(
        (c, k) => `signal ${k}: ${listeners(m, c, m.queue.filter((call) => call.controller === c).length)}`,
      ),
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
    const { how, signal, timeout } = this.spec;
    const controller = signal === "none" ? undefined : signal === "shared" ? m.shared[id % 2]! : new AbortController();
    if (signal === "aborted") controller!.abort(reasonFor(id, this.reasonKind));
    const options = signal === "none" && timeout === undefined ? undefined : { signal: controller?.signal, timeout };
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

class Abort implements SemaphoreCommand {
  constructor(
    readonly pick: number,
    readonly reasonKind: number,
  ) {}
  #candidates(m: Model): AbortController[] {
    return signalsOf(m).filter((controller) => !controller.signal.aborted);
  }
  check(m: Model): boolean {
    return this.#candidates(m).length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const candidates = this.#candidates(m);
    const controller = candidates[this.pick % candidates.length]!;
    controller.abort(reasonFor(this.pick, this.reasonKind));
    // Every queued call with this signal leaves and rejects, oldest first;
    // granted and settled ones keep what they have.
    for (const call of m.queue.filter((c) => c.controller === controller)) leave(m, call, controller.signal.reason);
    await verify(m, r);
  }
  toString(): string {
    return `abort(candidate ${this.pick}, reason kind ${this.reasonKind})`;
  }
}

class Advance implements SemaphoreCommand {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    m.now += this.ms;
    const due = m.queue
      .filter((call) => call.deadline !== undefined && call.deadline <= m.now)
      .sort((a, b) => a.deadline! - b.deadline! || a.id - b.id);
    for (const call of due) leave(m, call, TIMEOUT);
    jest.advanceTimersByTime(this.ms);
    await verify(m, r);
  }
  toString(): string {
    return `advance(${this.ms} ms)`;
  }
}

const timeoutArb = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 4 },
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 20 }), weight: 3 },
  { arbitrary: fc.constant(Infinity), weight: 1 },
);
const specArb = fc.record({
  how: fc.constantFrom<Spec["how"]>("acquire", "hold"),
  signal: fc.constantFrom<SignalKind>("none", "live", "live", "aborted", "shared", "shared"),
  timeout: timeoutArb,
});
const reasonKindArb = fc.integer({ min: 0, max: 2 });

const commandsArb = fc.commands(
  [
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Acquire(spec, kind)),
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Acquire(spec, kind)),
    fc.constant(new TryAcquire()),
    fc.tuple(fc.nat(), fc.boolean()).map(([pick, viaGuard]) => new Release(pick, viaGuard)),
    fc.tuple(fc.nat(), fc.boolean()).map(([pick, viaGuard]) => new Release(pick, viaGuard)),
    fc.constant(new ExtraRelease()),
    fc.tuple(fc.nat(), reasonKindArb).map(([pick, kind]) => new Abort(pick, kind)),
    fc.integer({ min: 1, max: 15 }).map((ms) => new Advance(ms)),
  ],
  { maxCommands: 40, size: "max", replayPath: process.env.SYNC_MODEL_REPLAY_PATH },
);

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

test(
  "sequential model: Semaphore and BoundedSemaphore match a counter and a FIFO (S1–S5)",
  async () => {
    await assertProperty(
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
              pending: m.calls.filter((call) => call.tracked.current.state === "pending").map((call) => call.id),
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

interface Actor {
  readonly how: "run" | "hold" | "acquire";
  readonly signal: boolean;
  readonly abort: boolean;
  readonly timeout: number | undefined;
}

const actorArb = fc.record({
  how: fc.constantFrom<Actor["how"]>("run", "hold", "acquire"),
  signal: fc.boolean(),
  abort: fc.boolean(),
  timeout: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined, freq: 3 }),
});

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
      "interleavings",
      fc.asyncProperty(
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        fc.array(actorArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 4 }),
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
          const controllers = actors.map((actor) => (actor.signal ? new AbortController() : undefined));
          const reasons = actors.map((_, i) => new Error(`abort ${i}`));
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
            if (actor.how === "run") await sem.run(work, options);
            else if (actor.how === "hold") {
              using _ = await sem.hold(options);
              await work();
            } else {
              await sem.acquire(options);
              try {
                await work();
              } finally {
                sem.release();
              }
            }
          });
          const outcomes = tasks.map((task) => track(task));
          actors.forEach((actor, i) => {
            if (actor.abort && controllers[i] !== undefined)
              void s.schedule(Promise.resolve(), `abort ${i}`).then(() => controllers[i]!.abort(reasons[i]));
          });
          for (const ms of advances)
            void s.schedule(Promise.resolve(), `advance ${ms}`).then(() => jest.advanceTimersByTime(ms));

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
          same(
            {
              problems,
              verdicts,
              sem: String(sem),
              timers: jest.getTimerCount(),
              listeners: controllers.map((c) => (c ? getEventListeners(c.signal, "abort").length : 0)),
            },
            {
              problems: [],
              verdicts: verdicts.map((verdict, i) => allowed(verdict, i, actors[i]!, preAborted[i]!)),
              sem: `<${bounded ? "BoundedSemaphore" : "Semaphore"} [unlocked, value:${initial}]>`,
              timers: 0,
              listeners: actors.map(() => 0),
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
