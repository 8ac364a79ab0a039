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
import { getEventListeners } from "node:events";
import fc from "fast-check";
import { Guard, InvalidStateError, TimeoutError } from "@sync/core";
import { Lock } from "@sync/lock";
import { tick, track, type Tracked } from "../../../test/helpers";

// ---------------------------------------------------------------- settings

const longRuns = Number(process.env.SYNC_MODEL_RUNS) || 0;
const testTimeout = longRuns > 0 ? longRuns * 50 : 60_000;

/** Runs `property` `runs` times (or SYNC_MODEL_RUNS), failing with a replay command. */
async function assertProperty(name: string, property: fc.IAsyncProperty<unknown>, runs: number): Promise<void> {
  const seed = process.env.SYNC_MODEL_SEED === undefined ? undefined : Number(process.env.SYNC_MODEL_SEED);
  const details = await fc.check(property, { numRuns: longRuns || runs, seed, path: process.env.SYNC_MODEL_PATH });
  if (process.env.SYNC_MODEL_VERBOSE) console.log(`lock ${name}: ${details.numRuns} runs, seed ${details.seed}`);
  if (details.failed) {
    // Commands replay their shrunk sequence from a replayPath of their own.
    const commands = /replayPath="([^"]*)"/.exec(fc.defaultReportMessage(details) ?? "")?.[1];
    const replay =
      `SYNC_MODEL_SEED=${details.seed} SYNC_MODEL_PATH="${details.counterexamplePath}"` +
      (commands === undefined ? "" : ` SYNC_MODEL_REPLAY_PATH="${commands}"`);
    throw new Error(
      `${fc.defaultReportMessage(details)}\n\nReplay: ${replay} npx jest --selectProjects lock -t "${name}"\n\n` +
        `Got: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
    );
  }
}

/** `expect(actual).toEqual(expected)` for JSON-like values, without the cost of expect() when it passes. */
function same(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

/** `expect(fn).toThrow(type)`, without the cost of expect() when it passes. */
function expectThrow(fn: () => void, type: new (...args: never[]) => Error): void {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return;
    throw error;
  }
  throw new Error(`expected ${type.name}, nothing was thrown`);
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

function holderName(holder: Call | "try" | null): string {
  return holder === null ? "nobody" : holder === "try" ? "tryAcquire" : `#${holder.id}`;
}

function grant(m: Model, call: Call): void {
  call.expected = { state: "fulfilled" };
  call.deadline = undefined;
  m.holder = call;
}

function leave(m: Model, call: Call, reason: unknown): void {
  m.queue.splice(m.queue.indexOf(call), 1);
  call.expected = { state: "rejected", reason };
  call.deadline = undefined;
}

function describeReal(call: Call): string {
  const now = call.tracked.current;
  if (now.state !== "rejected") return `#${call.id} ${now.state}`;
  if (call.controller !== undefined && now.reason === call.controller.signal.reason && call.controller.signal.aborted)
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
  return `<Lock [${m.locked ? "locked" : "unlocked"}${m.queue.length > 0 ? `, waiters:${m.queue.length}` : ""}]>`;
}

/** What the model says the observers show: one line each, the calls last. */
function expectedPicture(m: Model): string[] {
  return [
    `locked() ${m.locked}, waiters ${m.queue.length}, ${render(m)}, held by ${holderName(m.holder)}`,
    `timers ${m.queue.filter((call) => call.deadline !== undefined).length}`,
    ...m.calls.map((call) => `${describeExpected(call)}`),
    ...signalsOf(m).map(
      (c, k) => `signal ${k}: ${listeners(m, c, m.queue.filter((call) => call.controller === c).length)}`,
    ),
  ];
}

/** What the real lock's observers show, in the same shape. */
function realPicture(m: Model, r: Real): string[] {
  const { lock } = r;
  return [
    `locked() ${lock.locked()}, waiters ${lock.waiters}, ${String(lock)}, held by ${holderName(r.holder)}`,
    `timers ${jest.getTimerCount()}`,
    ...m.calls.map((call) => `${describeReal(call)}`),
    ...signalsOf(m).map((c, k) => `signal ${k}: ${listeners(m, c, getEventListeners(c.signal, "abort").length)}`),
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
    const { how, signal, timeout } = this.spec;
    const controller = signal === "none" ? undefined : signal === "shared" ? m.shared[id % 2]! : new AbortController();
    if (signal === "aborted") controller!.abort(reasonFor(id, this.reasonKind));
    const options = signal === "none" && timeout === undefined ? undefined : { signal: controller?.signal, timeout };
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

class Abort implements LockCommand {
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

class Advance implements LockCommand {
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
const signalArb = fc.constantFrom<SignalKind>("none", "live", "live", "aborted", "shared", "shared");
const specArb = fc.record({
  how: fc.constantFrom<Spec["how"]>("acquire", "hold"),
  signal: signalArb,
  timeout: timeoutArb,
});
const reasonKindArb = fc.integer({ min: 0, max: 2 });

const commandsArb = fc.commands(
  [
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Acquire(spec, kind)),
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Acquire(spec, kind)),
    fc.constant(new TryAcquire()),
    fc.boolean().map((viaGuard) => new Release(viaGuard)),
    fc.boolean().map((viaGuard) => new Release(viaGuard)),
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
  "sequential model: Lock matches a flag and a FIFO under every command sequence (I1–I4)",
  async () => {
    const name = "sequential model";
    await assertProperty(
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
        same(
          {
            pending: m.calls.filter((call) => call.tracked.current.state === "pending").map((call) => call.id),
            timers: jest.getTimerCount(),
          },
          { pending: [], timers: 0 },
        );
      }),
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
      "interleavings",
      fc.asyncProperty(
        fc.array(actorArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 4 }),
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
          const controllers = actors.map((actor) => (actor.signal ? new AbortController() : undefined));
          const reasons = actors.map((_, i) => new Error(`abort ${i}`));
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
            if (actor.how === "run") await lock.run(work, options);
            else if (actor.how === "hold") {
              using _ = await lock.hold(options);
              await work();
            } else {
              await lock.acquire(options);
              try {
                await work();
              } finally {
                lock.release();
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

          // I2: grants in arrival order.
          const order = grants.map((i) => arrivals.indexOf(i));
          if (order.some((position, k) => k > 0 && position < order[k - 1]!)) problems.push(`I2: ${grants.join()}`);
          // I4: every task settled; fulfilled exactly when it held the lock,
          // rejected only with its own reason or a TimeoutError.
          const verdicts = outcomes.map((o, i) => describeActor(o.current, i, reasons[i]!, grants));
          same(
            {
              problems,
              verdicts,
              lock: String(lock),
              timers: jest.getTimerCount(),
              listeners: controllers.map((c) => (c ? getEventListeners(c.signal, "abort").length : 0)),
            },
            {
              problems: [],
              verdicts: verdicts.map((verdict, i) => allowed(verdict, i, actors[i]!, preAborted[i]!)),
              lock: "<Lock [unlocked]>",
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
