// The harness shared by the model-based tests (packages/*/test/model.test.ts,
// fast-check): run settings and the replay message, cheap assertions, the
// signals and timeouts a call waits with, the bookkeeping of a FIFO model,
// and the commands and arbitraries every model has. What each primitive does
// (its model, its commands, its invariants) stays in its own file.
// Here in core's tests, beside helpers.ts, as no one package owns it; imported
// by relative path (../../core/test/model-harness), never published.

import { getEventListeners } from "node:events";
import fc from "fast-check";
import { Guard, TimeoutError, type WaitOptions } from "@sync/core";
import { track, type Tracked } from "./helpers";

// ---------------------------------------------------------------- settings

const longRuns = Number(process.env.SYNC_MODEL_RUNS) || 0;

/** The jest timeout of a model test: 60 s, or 50 ms a run with SYNC_MODEL_RUNS. */
const testTimeout = longRuns > 0 ? longRuns * 50 : 60_000;

/**
 * Runs `property` `runs` times (or SYNC_MODEL_RUNS), with SYNC_MODEL_SEED and
 * SYNC_MODEL_PATH if set, and prints the counts with SYNC_MODEL_VERBOSE.
 * A failure throws fast-check's report, the command that replays it
 * (`npx jest --selectProjects <project> -t "<name>"`) and the error.
 */
async function assertProperty(
  project: string,
  name: string,
  property: fc.IAsyncProperty<unknown>,
  runs: number,
): Promise<void> {
  const seed = process.env.SYNC_MODEL_SEED === undefined ? undefined : Number(process.env.SYNC_MODEL_SEED);
  const details = await fc.check(property, { numRuns: longRuns || runs, seed, path: process.env.SYNC_MODEL_PATH });
  if (process.env.SYNC_MODEL_VERBOSE) console.log(`${project} ${name}: ${details.numRuns} runs, seed ${details.seed}`);
  if (details.failed) {
    // Commands replay their shrunk sequence from a replayPath of their own.
    const commands = /replayPath="([^"]*)"/.exec(fc.defaultReportMessage(details) ?? "")?.[1];
    const replay =
      `SYNC_MODEL_SEED=${details.seed} SYNC_MODEL_PATH="${details.counterexamplePath}"` +
      (commands === undefined ? "" : ` SYNC_MODEL_REPLAY_PATH="${commands}"`);
    throw new Error(
      `${fc.defaultReportMessage(details)}\n\nReplay: ${replay} npx jest --selectProjects ${project} -t "${name}"\n\n` +
        `Got: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
    );
  }
}

/**
 * The jest test "<name>: <claim>" of a model: asserts `property` `runs`
 * times (see assertProperty; `name` is what `-t` replays), within testTimeout.
 */
export function modelTest(
  project: string,
  name: string,
  claim: string,
  runs: number,
  property: fc.IAsyncProperty<unknown>,
): void {
  test(`${name}: ${claim}`, () => assertProperty(project, name, property, runs), testTimeout);
}

/** Runs fast-check's `commands` against `model` and `real`, on a fake clock with no timer left from before. */
export async function runCommands<M extends object, R>(
  model: M,
  real: R,
  commands: Iterable<fc.AsyncCommand<M, R>>,
): Promise<void> {
  jest.clearAllTimers();
  await fc.asyncModelRun(() => ({ model, real }), commands);
}

/** Settings of `fc.commands()`: up to 40 commands, replaying SYNC_MODEL_REPLAY_PATH if set. */
export const commandsSettings = {
  maxCommands: 40,
  size: "max",
  replayPath: process.env.SYNC_MODEL_REPLAY_PATH,
} as const;

// ---------------------------------------------------------------- assertions

/** `expect(actual).toEqual(expected)` for JSON-like values, without the cost of expect() when it passes. */
export function same(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

/** `expect(fn).toThrow(type)`, without the cost of expect() when it passes. */
export function expectThrow(fn: () => void, type: new (...args: never[]) => Error): void {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return;
    throw error;
  }
  throw new Error(`expected ${type.name}, nothing was thrown`);
}

// ---------------------------------------------------------------- model calls

/** The reason a model call expects when its timeout runs out. */
export const TIMEOUT = Symbol("TimeoutError");

/** What a model says a call's promise does. */
export type Expected = { state: "pending" } | { state: "fulfilled" } | { state: "rejected"; reason: unknown };

/** A call of a sequential model: its signal, its real promise, what the model expects of it. */
export interface ModelCall {
  readonly id: number;
  readonly controller: AbortController | undefined;
  readonly tracked: { readonly current: Tracked<unknown> };
  expected: Expected;
  /** Model time at which its timeout fires, while it is queued with a finite timeout. */
  deadline: number | undefined;
}

/** A sequential model: its two shared signals and every call so far. */
export interface ModelRun {
  /** The two signals of kind "shared". */
  readonly shared: AbortController[];
  readonly calls: readonly ModelCall[];
}

/** A model whose waiters form one FIFO, with a clock for their timeouts. */
export interface QueueModel<C extends ModelCall> {
  now: number;
  queue: C[];
}

/** A FIFO model's start: time 0, its two shared signals, nobody queued, no call yet. */
export function newQueueModel<C extends ModelCall>(): QueueModel<C> & {
  readonly shared: AbortController[];
  calls: C[];
} {
  return { now: 0, shared: [new AbortController(), new AbortController()], queue: [], calls: [] };
}

/** Records the model's next call, pending, watching `promise`; `own` has the fields a file adds to ModelCall. */
export function newCall<C extends ModelCall>(
  m: { readonly calls: C[] },
  controller: AbortController | undefined,
  promise: Promise<unknown>,
  own: Omit<C, keyof ModelCall>,
): C {
  const call = {
    id: m.calls.length,
    controller,
    tracked: track(promise),
    expected: { state: "pending" },
    deadline: undefined,
    ...own,
  } as C;
  m.calls.push(call);
  return call;
}

/**
 * A new call in a FIFO model: rejected with its signal's reason if that
 * aborted already; else settled by `admit` if it returns true (granted at
 * once, or refused); else rejected with a TimeoutError for a timeout of 0;
 * else queued, with a deadline for a finite timeout.
 */
export function arrive<C extends ModelCall>(
  m: QueueModel<C>,
  call: C,
  timeout: number | undefined,
  admit: () => boolean,
): void {
  const signal = call.controller?.signal;
  if (signal?.aborted) call.expected = { state: "rejected", reason: signal.reason };
  else if (admit()) return;
  else if (timeout === 0) call.expected = { state: "rejected", reason: TIMEOUT };
  else {
    m.queue.push(call);
    if (timeout !== undefined && timeout !== Infinity) call.deadline = m.now + timeout;
  }
}

/** Once `promise` fulfils: `granted()`, and `call` keeps the Guard it resolved to, if any. */
export function whenGranted(promise: Promise<unknown>, call: { guard: Guard | undefined }, granted: () => void): void {
  promise.then(
    (value) => {
      granted();
      if (value instanceof Guard) call.guard = value;
    },
    () => {},
  );
}

/** A holder gives back what it holds: through its guard, twice (the second does nothing), if it has one and `viaGuard`; else `release()`. */
export function releaseHolder(guard: Guard | undefined, viaGuard: boolean, release: () => void): void {
  if (viaGuard && guard !== undefined) {
    guard.release();
    guard.release();
  } else release();
}

/** Whether `ids` never go down: grants in arrival order. */
export function ascending(ids: readonly number[]): boolean {
  return ids.every((id, i) => i === 0 || id >= ids[i - 1]!);
}

/** Where a call's signal comes from. "shared": one of two signals that several calls of a run wait with. */
export type SignalKind = "none" | "live" | "aborted" | "shared";

/** How a call waits: its kind of signal and its timeout. */
export interface WaitSpec {
  readonly signal: SignalKind;
  readonly timeout: number | undefined;
}

/** An abort reason by kind: an Error, a plain string, or the runtime's own AbortError (no reason). */
function reasonFor(id: number, kind: number): unknown {
  return kind === 0 ? new Error(`abort #${id}`) : kind === 1 ? `abort #${id}` : undefined;
}

/** The controller call `id` waits with (none, its own, aborted already, or a shared one). */
export function controllerFor(
  m: ModelRun,
  id: number,
  spec: WaitSpec,
  reasonKind: number,
): AbortController | undefined {
  if (spec.signal === "shared") return m.shared[id % 2];
  const controller = spec.signal === "none" ? undefined : new AbortController();
  if (spec.signal === "aborted") controller!.abort(reasonFor(id, reasonKind));
  return controller;
}

/** The options a call passes: none at all without a signal and a timeout. */
export function optionsFor(
  spec: WaitSpec,
  controller: AbortController | undefined,
): { signal: AbortSignal | undefined; timeout: number | undefined } | undefined {
  return spec.signal === "none" && spec.timeout === undefined
    ? undefined
    : { signal: controller?.signal, timeout: spec.timeout };
}

/** A queued call leaves the model's FIFO and is to reject with `reason`. */
export function leave<C extends ModelCall>(m: QueueModel<C>, call: C, reason: unknown): void {
  m.queue.splice(m.queue.indexOf(call), 1);
  call.expected = { state: "rejected", reason };
  call.deadline = undefined;
}

/**
 * An abort in a FIFO model: every queued call with this signal leaves and
 * rejects, oldest first; granted and settled ones keep what they have.
 */
export function leaveAborted<C extends ModelCall>(m: QueueModel<C>, controller: AbortController): void {
  for (const call of m.queue.filter((c) => c.controller === controller)) leave(m, call, controller.signal.reason);
}

/**
 * Time passes in a FIFO model: queued calls whose deadline comes time out,
 * earliest first, each departure followed by `served` (the model's grant
 * rule), so that a call granted on the way no longer times out.
 */
export function expireDue<C extends ModelCall>(m: QueueModel<C>, ms: number, served?: () => void): void {
  m.now += ms;
  const due = m.queue
    .filter((call) => call.deadline !== undefined && call.deadline <= m.now)
    .sort((a, b) => a.deadline! - b.deadline! || a.id - b.id);
  for (const call of due) {
    if (!m.queue.includes(call)) continue;
    leave(m, call, TIMEOUT);
    served?.();
  }
}

/** A call's real outcome: pending, fulfilled, or whose reason it rejected with. */
export function describeReal(call: ModelCall): string {
  const now = call.tracked.current;
  if (now.state !== "rejected") return `#${call.id} ${now.state}`;
  if (call.controller?.signal.aborted && now.reason === call.controller.signal.reason)
    return `#${call.id} rejected: its signal's reason`;
  if (now.reason instanceof TimeoutError) return `#${call.id} rejected: TimeoutError`;
  return `#${call.id} rejected: unexpected ${String(now.reason)}`;
}

/** A call's outcome by the model, in the words of `describeReal`. */
export function describeExpected(call: ModelCall): string {
  const want = call.expected;
  if (want.state !== "rejected") return `#${call.id} ${want.state}`;
  return `#${call.id} rejected: ${want.reason === TIMEOUT ? "TimeoutError" : "its signal's reason"}`;
}

/** How a file describes its calls, real and expected, if not as describeReal and describeExpected do. */
export interface Describe<C> {
  real(call: C): string;
  expected(call: C): string;
}

/**
 * Compares the real objects with the model after a command, as a whole
 * (expect() only on a mismatch: it is slow): the file's own `real` and
 * `expected` lines, then the live timers (`waiting.timers` by the model),
 * every call's outcome and the abort listeners on every signal
 * (`waiting.listening(c)` calls listen to c by the model).
 */
export function samePicture<C extends ModelCall>(
  m: ModelRun & { readonly calls: readonly C[] },
  real: readonly string[],
  expected: readonly string[],
  waiting: { readonly timers: number; listening(controller: AbortController): number },
  describe: Describe<C> = { real: describeReal, expected: describeExpected },
): void {
  same(
    [...real, `timers ${jest.getTimerCount()}`, ...m.calls.map(describe.real), ...realSignalLines(m)],
    [
      ...expected,
      `timers ${waiting.timers}`,
      ...m.calls.map(describe.expected),
      ...expectedSignalLines(m, waiting.listening),
    ],
  );
}

/** samePicture() for a FIFO model: its queued calls are the ones with a timer (if finite) and a listener. */
export function sameAsQueue<C extends ModelCall>(
  m: ModelRun & QueueModel<C> & { readonly calls: readonly C[] },
  real: readonly string[],
  expected: readonly string[],
  describe?: Describe<C>,
): void {
  const timers = m.queue.filter((call) => call.deadline !== undefined).length;
  const listening = (c: AbortController): number => m.queue.filter((call) => call.controller === c).length;
  samePicture(m, real, expected, { timers, listening }, describe);
}

/** The ids of the calls whose real promise is still pending. */
export function pendingIds(calls: readonly ModelCall[]): number[] {
  return calls.filter((call) => call.tracked.current.state === "pending").map((call) => call.id);
}

// ---------------------------------------------------------------- signals

/** The signals of a run: the two shared ones, then each call's own. */
function signalsOf(m: ModelRun): AbortController[] {
  const all = [...m.shared, ...m.calls.map((call) => call.controller)];
  return [...new Set(all)].filter((controller): controller is AbortController => controller !== undefined);
}

/** Abort listeners on a signal: the count on a call's own, there or not on a shared one. */
function listeners(m: ModelRun, controller: AbortController, count: number): string {
  if (m.shared.includes(controller)) return count > 0 ? "listened to" : "no listener";
  return `${count} listener(s)`;
}

/** One line per signal of the run: the abort listeners really on it. */
export function realSignalLines(m: ModelRun): string[] {
  return signalsOf(m).map((c, k) => `signal ${k}: ${listeners(m, c, getEventListeners(c.signal, "abort").length)}`);
}

/** One line per signal of the run: the listeners the model expects, `waiting(c)` being how many calls listen. */
export function expectedSignalLines(m: ModelRun, waiting: (controller: AbortController) => number): string[] {
  return signalsOf(m).map((c, k) => `signal ${k}: ${listeners(m, c, waiting(c))}`);
}

// ---------------------------------------------------------------- commands

/** Compares the real objects with the model after a command: each file's `verify()`. */
export type Verify<M, R> = (m: M, r: R) => Promise<void>;

/** A command that makes one call as its `spec` says (`reasonKind`: the abort reason of a signal of its own); always possible. */
export abstract class CallCommand<M extends object, R, S extends WaitSpec> implements fc.AsyncCommand<M, R> {
  constructor(
    readonly spec: S,
    readonly reasonKind: number,
  ) {}
  check(): boolean {
    return true;
  }
  abstract run(m: M, r: R): Promise<void>;
}

/**
 * The command "abort a random caller's signal": aborts one of the signals
 * not aborted yet, lets the model's `aborted` say what that does, then
 * `verify`.
 */
export class AbortCommand<M extends ModelRun, R> implements fc.AsyncCommand<M, R> {
  constructor(
    readonly pick: number,
    readonly reasonKind: number,
    readonly aborted: (m: M, controller: AbortController) => void,
    readonly verify: Verify<M, R>,
  ) {}
  #candidates(m: M): AbortController[] {
    return signalsOf(m).filter((controller) => !controller.signal.aborted);
  }
  check(m: M): boolean {
    return this.#candidates(m).length > 0;
  }
  async run(m: M, r: R): Promise<void> {
    const candidates = this.#candidates(m);
    const controller = candidates[this.pick % candidates.length]!;
    controller.abort(reasonFor(this.pick, this.reasonKind));
    this.aborted(m, controller);
    await this.verify(m, r);
  }
  toString(): string {
    return `abort(candidate ${this.pick}, reason kind ${this.reasonKind})`;
  }
}

/**
 * The command "time passes by `ms`": the model's `elapse` first (the
 * timeouts it expects), then jest's clock, then `verify`.
 */
export class AdvanceCommand<M extends object, R> implements fc.AsyncCommand<M, R> {
  constructor(
    readonly ms: number,
    readonly elapse: (m: M, ms: number) => void,
    readonly verify: Verify<M, R>,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: M, r: R): Promise<void> {
    this.elapse(m, this.ms);
    jest.advanceTimersByTime(this.ms);
    await this.verify(m, r);
  }
  toString(): string {
    return `advance(${this.ms} ms)`;
  }
}

/** The last two commands of every model: an abort of a random caller's signal, and 1–15 ms passing. */
export function abortAndAdvanceArbs<M extends ModelRun, R>(
  aborted: (m: M, controller: AbortController) => void,
  elapse: (m: M, ms: number) => void,
  verify: Verify<M, R>,
): [fc.Arbitrary<AbortCommand<M, R>>, fc.Arbitrary<AdvanceCommand<M, R>>] {
  return [
    fc.tuple(fc.nat(), reasonKindArb).map(([pick, kind]) => new AbortCommand(pick, kind, aborted, verify)),
    fc.integer({ min: 1, max: 15 }).map((ms) => new AdvanceCommand(ms, elapse, verify)),
  ];
}

// ---------------------------------------------------------------- arbitraries

/** A call's timeout: none (most often), 0, 1–20 ms, or Infinity. */
export const timeoutArb = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 4 },
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 20 }), weight: 3 },
  { arbitrary: fc.constant(Infinity), weight: 1 },
);

/** A call's kind of signal, live and shared ones twice as often. */
export const signalArb = fc.constantFrom<SignalKind>("none", "live", "live", "aborted", "shared", "shared");

/** Which kind of reason an abort uses (see `reasonFor`). */
export const reasonKindArb = fc.integer({ min: 0, max: 2 });

/** Time jumps of an interleaving: up to 4 of 1–10 ms. */
export const advancesArb = fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 4 });

/** What every actor of an interleaving has: a signal or not, whether it aborts, a timeout or not. */
export interface ActorSignals {
  readonly signal: boolean;
  readonly abort: boolean;
  readonly timeout: number | undefined;
}

/** The arbitraries of `ActorSignals`, to spread into an actor's `fc.record()`. */
export const actorSignalsArbs = {
  signal: fc.boolean(),
  abort: fc.boolean(),
  timeout: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined, freq: 3 }),
};

// ---------------------------------------------------------------- interleavings

/**
 * How an actor that waited to hold something (`what`: "the lock", "a
 * permit", "its keys") ended: pending, held it (`held`), or rejected, and
 * with what. {@link allowedHeld} says which of these its settings allow.
 */
function heldVerdict(now: Tracked<unknown>, i: number, reason: Error, held: boolean, what: string): string {
  if (now.state === "pending") return `${i} pending`;
  if (now.state === "fulfilled") return held ? `${i} held ${what}` : `${i} fulfilled without ${what}`;
  if (held) return `${i} held ${what}, then rejected: ${String(now.reason)}`;
  if (now.reason === reason) return `${i} rejected: its reason`;
  if (now.reason instanceof TimeoutError) return `${i} rejected: TimeoutError`;
  if (now.reason instanceof RangeError) return `${i} rejected: RangeError`;
  return `${i} rejected: unexpected ${String(now.reason)}`;
}

/**
 * `verdict` if the actor's settings allow it, else a list of what they
 * allow: its reason only if its signal had aborted when it called; a
 * RangeError only if its request is `refused`; else holding `what`, or its
 * reason if its signal aborts, or a TimeoutError if it has a timeout.
 */
function allowedHeld(
  verdict: string,
  i: number,
  actor: ActorSignals,
  preAborted: boolean,
  what: string,
  refused: boolean,
): string {
  const ok: string[] = [];
  if (preAborted) ok.push(`${i} rejected: its reason`);
  else if (refused) ok.push(`${i} rejected: RangeError`);
  else {
    ok.push(`${i} held ${what}`);
    if (actor.signal && actor.abort) ok.push(`${i} rejected: its reason`);
    if (actor.timeout !== undefined) ok.push(`${i} rejected: TimeoutError`);
  }
  return ok.includes(verdict) ? verdict : `${i}: one of ${ok.join(" | ")}`;
}

/** Each actor's controller (if it has a signal) and the Error it aborts with. */
function actorControllers(actors: readonly ActorSignals[]): {
  controllers: (AbortController | undefined)[];
  reasons: Error[];
} {
  return {
    controllers: actors.map((actor) => (actor.signal ? new AbortController() : undefined)),
    reasons: actors.map((_, i) => new Error(`abort ${i}`)),
  };
}

/** What a test does just before an actor's abort or a time jump of an interleaving (its own bookkeeping). */
export interface ActorHooks {
  readonly abort?: (i: number) => void;
  readonly advance?: (ms: number) => void;
}

/** Schedules the abort of every actor that has a signal and aborts, then every time jump. */
function scheduleAbortsAndAdvances(
  s: fc.Scheduler,
  actors: readonly ActorSignals[],
  controllers: readonly (AbortController | undefined)[],
  reasons: readonly Error[],
  advances: readonly number[],
  hooks: ActorHooks,
): void {
  actors.forEach((actor, i) => {
    if (actor.abort && controllers[i] !== undefined)
      void s.schedule(Promise.resolve(), `abort ${i}`).then(() => {
        hooks.abort?.(i);
        controllers[i]!.abort(reasons[i]);
      });
  });
  for (const ms of advances)
    void s.schedule(Promise.resolve(), `advance ${ms}`).then(() => {
      hooks.advance?.(ms);
      jest.advanceTimersByTime(ms);
    });
}

/** The actors of an interleaving as they run. */
export interface ActorRun {
  readonly controllers: readonly (AbortController | undefined)[];
  readonly reasons: readonly Error[];
  /** Actor indices in the order they arrived. */
  readonly arrivals: readonly number[];
  /** Whether each actor's signal had aborted already when it arrived: it rejects even where it could succeed. */
  readonly preAborted: readonly boolean[];
  /** Each actor's task, settled or not. */
  readonly outcomes: readonly { readonly current: Tracked<unknown> }[];
}

/**
 * Starts an interleaving on a fake clock with no timer left from before:
 * each actor arrives when the scheduler starts it and runs `task` with its
 * signal and timeout; the aborts of the actors that abort and the time jumps
 * are scheduled too (after `hooks`).
 */
export function startActors<A extends ActorSignals>(
  s: fc.Scheduler,
  actors: readonly A[],
  advances: readonly number[],
  task: (actor: A, i: number, options: WaitOptions) => Promise<unknown>,
  hooks: ActorHooks = {},
): ActorRun {
  jest.clearAllTimers();
  const { controllers, reasons } = actorControllers(actors);
  const arrivals: number[] = [];
  const preAborted = actors.map(() => false);
  const outcomes = actors.map((actor, i) =>
    track(
      (async () => {
        await s.schedule(Promise.resolve(), `start ${i}`);
        const options = { signal: controllers[i]?.signal, timeout: actor.timeout };
        arrivals.push(i);
        preAborted[i] = controllers[i]?.signal.aborted ?? false;
        await task(actor, i, options);
      })(),
    ),
  );
  scheduleAbortsAndAdvances(s, actors, controllers, reasons, advances, hooks);
  return { controllers, reasons, arrivals, preAborted, outcomes };
}

/** The property of an interleaving of 1–`most` actors drawn from `actorArb`, with time jumps, under fc.scheduler(). */
export function actorsProperty<A>(
  actorArb: fc.Arbitrary<A>,
  predicate: (actors: A[], advances: number[], s: fc.Scheduler) => Promise<void>,
  most = 8,
): fc.IAsyncProperty<[A[], number[], fc.Scheduler]> {
  return fc.asyncProperty(
    fc.array(actorArb, { minLength: 1, maxLength: most }),
    advancesArb,
    fc.scheduler(),
    predicate,
  );
}

/** Actor `i`'s work while it holds something: `enter()`, keep it until the scheduler ends "work i", `exit()`. */
export function scheduledWork(s: fc.Scheduler, i: number, enter: () => void, exit: () => void): () => Promise<void> {
  return async () => {
    enter();
    await s.schedule(Promise.resolve(), `work ${i}`);
    exit();
  };
}

/** Whether the actors in `entered` came in the order they arrived. */
export function inArrivalOrder(run: ActorRun, entered: readonly number[]): boolean {
  return ascending(entered.map((i) => run.arrivals.indexOf(i)));
}

/** The abort listeners left on each actor's signal (0 without one). */
function listenerCounts(controllers: readonly (AbortController | undefined)[]): number[] {
  return controllers.map((c) => (c ? getEventListeners(c.signal, "abort").length : 0));
}

/** What an interleaving task takes and gives back: a Lock or a Semaphore. */
export interface Holdable {
  acquire(options?: WaitOptions): Promise<true>;
  release(): void;
  hold(options?: WaitOptions): Promise<Guard>;
  run<R>(fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<R>;
}

/** An actor of a Lock or Semaphore interleaving: how it takes the primitive, its signal and its timeout. */
export interface HoldActor extends ActorSignals {
  readonly how: "run" | "hold" | "acquire";
}

/** The arbitrary of `HoldActor`. */
export const holdActorArb = fc.record({
  how: fc.constantFrom<HoldActor["how"]>("run", "hold", "acquire"),
  ...actorSignalsArbs,
});

/**
 * Runs `work` holding `primitive`, taken through run(), hold() (with
 * `using`) or acquire() and `release` (release() unless given). `options`
 * go to each call (a Semaphore's may name its permits).
 */
export async function holdWhile(
  how: HoldActor["how"],
  primitive: Holdable,
  work: () => Promise<void>,
  options: WaitOptions & { readonly permits?: number },
  release = (): void => primitive.release(),
): Promise<void> {
  if (how === "run") await primitive.run(work, options);
  else if (how === "hold") {
    using _ = await primitive.hold(options);
    await work();
  } else {
    await primitive.acquire(options);
    try {
      await work();
    } finally {
      release();
    }
  }
}

/** The end of a sequential run, after its drain: no call is pending and no timer is left. */
export function expectAllSettled(calls: readonly ModelCall[]): void {
  same({ pending: pendingIds(calls), timers: jest.getTimerCount() }, { pending: [], timers: 0 });
}

/** An object's String() at the end of an interleaving, under `name`, and what it should be. */
export interface EndState {
  readonly name: string;
  readonly real: string;
  readonly expected: string;
}

/**
 * The end of an interleaving, compared as a whole: no problem, every verdict
 * as `allowed` says, the object's String() (under `state.name`) as expected,
 * no timer and no abort listener left.
 */
export function expectCleanEnd(
  problems: readonly string[],
  verdicts: readonly string[],
  allowed: readonly string[],
  controllers: readonly (AbortController | undefined)[],
  state?: EndState,
): void {
  same(
    {
      problems,
      verdicts,
      ...(state && { [state.name]: state.real }),
      timers: jest.getTimerCount(),
      listeners: listenerCounts(controllers),
    },
    {
      problems: [],
      verdicts: allowed,
      ...(state && { [state.name]: state.expected }),
      timers: 0,
      listeners: controllers.map(() => 0),
    },
  );
}

/**
 * expectCleanEnd() for actors that wait to hold something (`what`): each
 * settled, holding it exactly when `held(i)`, or rejected as its settings
 * allow (a RangeError where `refused(i)`).
 */
export function expectHeldEnd(
  run: ActorRun,
  actors: readonly ActorSignals[],
  problems: readonly string[],
  what: string,
  held: (i: number) => boolean,
  state: EndState,
  refused: (i: number) => boolean = () => false,
): void {
  const verdicts = run.outcomes.map((o, i) => heldVerdict(o.current, i, run.reasons[i]!, held(i), what));
  const allowed = verdicts.map((verdict, i) =>
    allowedHeld(verdict, i, actors[i]!, run.preAborted[i]!, what, refused(i)),
  );
  expectCleanEnd(problems, verdicts, allowed, run.controllers, state);
}
