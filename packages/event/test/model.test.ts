/*
 * Model-based tests of Event (fast-check).
 *
 * 1. "sequential model": fast-check generates sequences of commands (wait
 *    with and without a signal and a timeout, set, clear, set followed in the
 *    same tick by clear / aborts / time passing / set again, abort of a
 *    random caller, time passing) and runs them against a real Event and a
 *    plain model: a flag and a FIFO of waiters. After every command the
 *    microtasks are flushed and the whole picture is compared: isSet(),
 *    waiters, String(), every call's outcome, timers and abort listeners.
 * 2. "interleavings": fc.scheduler() decides when each of several tasks
 *    starts waiting, and when set(), clear(), aborts and time jumps happen.
 *
 * The invariants checked, both ways:
 *   E1. After set(), every waiter that was queued resolves, whatever follows
 *       (clear(), an abort of its signal, its timeout running out).
 *   E2. waiters > 0 implies the flag is clear.
 *   E3. Every settled wait either resolved (the flag was set) or rejected
 *       with its own signal's reason or a TimeoutError.
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
import { TimeoutError } from "@sync/core";
import { Event } from "@sync/event";
import { tick, track, type Tracked } from "../../../test/helpers";

// ---------------------------------------------------------------- settings

const longRuns = Number(process.env.SYNC_MODEL_RUNS) || 0;
const testTimeout = longRuns > 0 ? longRuns * 50 : 60_000;

/** Runs `property` `runs` times (or SYNC_MODEL_RUNS), failing with a replay command. */
async function assertProperty(name: string, property: fc.IAsyncProperty<unknown>, runs: number): Promise<void> {
  const seed = process.env.SYNC_MODEL_SEED === undefined ? undefined : Number(process.env.SYNC_MODEL_SEED);
  const details = await fc.check(property, { numRuns: longRuns || runs, seed, path: process.env.SYNC_MODEL_PATH });
  if (process.env.SYNC_MODEL_VERBOSE) console.log(`event ${name}: ${details.numRuns} runs, seed ${details.seed}`);
  if (details.failed) {
    // Commands replay their shrunk sequence from a replayPath of their own.
    const commands = /replayPath="([^"]*)"/.exec(fc.defaultReportMessage(details) ?? "")?.[1];
    const replay =
      `SYNC_MODEL_SEED=${details.seed} SYNC_MODEL_PATH="${details.counterexamplePath}"` +
      (commands === undefined ? "" : ` SYNC_MODEL_REPLAY_PATH="${commands}"`);
    throw new Error(
      `${fc.defaultReportMessage(details)}\n\nReplay: ${replay} npx jest --selectProjects event -t "${name}"\n\n` +
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
}

interface Model {
  now: number;
  /** The two signals of kind "shared". */
  readonly shared: AbortController[];
  flag: boolean;
  queue: Call[];
  calls: Call[];
  /** Ids of the waiters that were queued at some set() (E1). */
  woken: number[];
}

// "shared": one of two signals that several calls of a run wait with.
type SignalKind = "none" | "live" | "aborted" | "shared";
interface Spec {
  readonly signal: SignalKind;
  readonly timeout: number | undefined;
}

function reasonFor(id: number, kind: number): unknown {
  // An Error, a plain string, or the runtime's own AbortError (no reason).
  return kind === 0 ? new Error(`abort #${id}`) : kind === 1 ? `abort #${id}` : undefined;
}

function leave(m: Model, call: Call, reason: unknown): void {
  m.queue.splice(m.queue.indexOf(call), 1);
  call.expected = { state: "rejected", reason };
  call.deadline = undefined;
}

/** set() in the model: the flag, and every queued waiter resolves. */
function modelSet(m: Model): void {
  if (m.flag) return;
  m.flag = true;
  for (const call of m.queue) {
    call.expected = { state: "fulfilled" };
    call.deadline = undefined;
    m.woken.push(call.id);
  }
  m.queue = [];
}

/** Time passes in the model: queued waiters whose deadline comes time out, earliest first. */
function modelAdvance(m: Model, ms: number): void {
  m.now += ms;
  const due = m.queue
    .filter((call) => call.deadline !== undefined && call.deadline <= m.now)
    .sort((a, b) => a.deadline! - b.deadline! || a.id - b.id);
  for (const call of due) leave(m, call, TIMEOUT);
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
  return `<Event [${m.flag ? "set" : "unset"}${m.queue.length > 0 ? `, waiters:${m.queue.length}` : ""}]>`;
}

/** Flushes the microtasks, then compares the real event with the model and checks E1–E3. */
async function verify(m: Model, event: Event): Promise<void> {
  await tick();
  const problems: string[] = [];
  // E1: every waiter queued at a set() has resolved, whatever followed.
  for (const id of m.woken) {
    const now = m.calls[id]!.tracked.current;
    if (now.state !== "fulfilled") problems.push(`E1: #${id} was queued at set() but is ${now.state}`);
  }
  // E2: waiters only while the flag is clear.
  if (event.waiters > 0 && event.isSet()) problems.push(`E2: ${String(event)}`);
  same(problems, []);
  // E3 and the model, compared as a whole.
  same(
    [
      `isSet() ${event.isSet()}, waiters ${event.waiters}, ${String(event)}, timers ${jest.getTimerCount()}`,
      ...m.calls.map((call) => `${describeReal(call)}`),
      ...signalsOf(m).map((c, k) => `signal ${k}: ${listeners(m, c, getEventListeners(c.signal, "abort").length)}`),
    ],
    [
      `isSet() ${m.flag}, waiters ${m.queue.length}, ${render(m)}, timers ${m.queue.filter((call) => call.deadline !== undefined).length}`,
      ...m.calls.map((call) => `${describeExpected(call)}`),
      ...signalsOf(m).map(
        (c, k) => `signal ${k}: ${listeners(m, c, m.queue.filter((call) => call.controller === c).length)}`,
      ),
    ],
  );
}

// ---------------------------------------------------------------- commands

type EventCommand = fc.AsyncCommand<Model, Event>;

class Wait implements EventCommand {
  constructor(
    readonly spec: Spec,
    readonly reasonKind: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, event: Event): Promise<void> {
    const id = m.calls.length;
    const { signal, timeout } = this.spec;
    const controller = signal === "none" ? undefined : signal === "shared" ? m.shared[id % 2]! : new AbortController();
    if (signal === "aborted") controller!.abort(reasonFor(id, this.reasonKind));
    const options = signal === "none" && timeout === undefined ? undefined : { signal: controller?.signal, timeout };
    const call: Call = {
      id,
      controller,
      tracked: track(event.wait(options)),
      expected: { state: "pending" },
      deadline: undefined,
    };
    m.calls.push(call);
    if (controller?.signal.aborted) call.expected = { state: "rejected", reason: controller.signal.reason };
    else if (m.flag) call.expected = { state: "fulfilled" };
    else if (timeout === 0) call.expected = { state: "rejected", reason: TIMEOUT };
    else {
      m.queue.push(call);
      if (timeout !== undefined && timeout !== Infinity) call.deadline = m.now + timeout;
    }
    await verify(m, event);
  }
  toString(): string {
    return `wait({signal: ${this.spec.signal}, timeout: ${this.spec.timeout}})`;
  }
}

type FollowUp = "nothing" | "clear" | "abort all" | "time out all" | "clear, set, clear";

/** set(), then in the same synchronous step something that must not stop the woken waiters (E1). */
class SetFlag implements EventCommand {
  constructor(readonly then: FollowUp) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, event: Event): Promise<void> {
    const woken = [...m.queue];
    event.set();
    modelSet(m);
    switch (this.then) {
      case "nothing":
        break;
      case "clear":
        event.clear();
        m.flag = false;
        break;
      case "abort all":
        for (const call of woken) call.controller?.abort(new Error(`late abort #${call.id}`));
        break;
      case "time out all":
        jest.advanceTimersByTime(25);
        modelAdvance(m, 25);
        break;
      case "clear, set, clear":
        event.clear();
        event.set();
        event.clear();
        m.flag = false;
        break;
    }
    await verify(m, event);
  }
  toString(): string {
    return `set(), then ${this.then}`;
  }
}

class Clear implements EventCommand {
  check(): boolean {
    return true;
  }
  async run(m: Model, event: Event): Promise<void> {
    event.clear();
    m.flag = false;
    await verify(m, event);
  }
  toString(): string {
    return "clear()";
  }
}

class Abort implements EventCommand {
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
  async run(m: Model, event: Event): Promise<void> {
    const candidates = this.#candidates(m);
    const controller = candidates[this.pick % candidates.length]!;
    controller.abort(reasonFor(this.pick, this.reasonKind));
    // Every queued call with this signal leaves and rejects, oldest first;
    // granted and settled ones keep what they have.
    for (const call of m.queue.filter((c) => c.controller === controller)) leave(m, call, controller.signal.reason);
    await verify(m, event);
  }
  toString(): string {
    return `abort(candidate ${this.pick}, reason kind ${this.reasonKind})`;
  }
}

class Advance implements EventCommand {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, event: Event): Promise<void> {
    modelAdvance(m, this.ms);
    jest.advanceTimersByTime(this.ms);
    await verify(m, event);
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
  signal: fc.constantFrom<SignalKind>("none", "live", "live", "aborted", "shared", "shared"),
  timeout: timeoutArb,
});
const reasonKindArb = fc.integer({ min: 0, max: 2 });

const commandsArb = fc.commands(
  [
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Wait(spec, kind)),
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Wait(spec, kind)),
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Wait(spec, kind)),
    fc
      .constantFrom<FollowUp>("nothing", "clear", "abort all", "time out all", "clear, set, clear")
      .map((then) => new SetFlag(then)),
    fc.constant(new Clear()),
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
  "sequential model: Event matches a flag and a FIFO of waiters (E1–E3)",
  async () => {
    await assertProperty(
      "sequential model",
      fc.asyncProperty(commandsArb, async (commands) => {
        jest.clearAllTimers();
        const m: Model = {
          now: 0,
          shared: [new AbortController(), new AbortController()],
          flag: false,
          queue: [],
          calls: [],
          woken: [],
        };
        const event = new Event();
        await fc.asyncModelRun(() => ({ model: m, real: event }), commands);
        // A last set() resolves everyone still waiting; nothing is left behind.
        await new SetFlag("nothing").run(m, event);
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
  readonly signal: boolean;
  readonly abort: boolean;
  readonly timeout: number | undefined;
}

const actorArb = fc.record({
  signal: fc.boolean(),
  abort: fc.boolean(),
  timeout: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined, freq: 3 }),
});

test(
  "interleavings: waiters, set(), clear(), aborts and timeouts in scheduler-chosen order keep E1–E3",
  async () => {
    // Actors: 1–8 waiting tasks with or without a signal and a timeout; a
    // controller that calls set() and clear() a few times; aborts of the
    // waiters' signals and jumps of the clock. The scheduler picks the order
    // of all of them. What would break: a waiter queued at a set() that a
    // following clear(), abort or timeout stops from resolving (E1), or a
    // waiter left behind while the flag is set (E2).
    await assertProperty(
      "interleavings",
      fc.asyncProperty(
        fc.array(actorArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.constantFrom("set", "clear"), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 4 }),
        fc.scheduler(),
        async (actors, toggles, advances, s) => {
          jest.clearAllTimers();
          const event = new Event();
          const problems: string[] = [];
          let now = 0;
          // Which actors are queued now, with their deadlines, as the test
          // sees it; those queued at a set() must resolve (E1).
          const queued = new Map<number, number>();
          const woken = new Set<number>();
          const controllers = actors.map((actor) => (actor.signal ? new AbortController() : undefined));
          const reasons = actors.map((_, i) => new Error(`abort ${i}`));
          // An aborted signal rejects even when the flag is set.
          const preAborted = actors.map(() => false);
          const tasks = actors.map(async (actor, i) => {
            await s.schedule(Promise.resolve(), `wait ${i}`);
            const signal = controllers[i]?.signal;
            if (!event.isSet() && !signal?.aborted && actor.timeout !== 0)
              queued.set(i, now + (actor.timeout ?? Infinity));
            preAborted[i] = signal?.aborted ?? false;
            await event.wait({ signal, timeout: actor.timeout });
          });
          const outcomes = tasks.map((task) => track(task));
          toggles.forEach((toggle, k) => {
            void s.schedule(Promise.resolve(), `${toggle} ${k}`).then(() => {
              if (toggle === "set") {
                if (!event.isSet()) for (const i of queued.keys()) woken.add(i);
                queued.clear();
                event.set();
              } else event.clear();
            });
          });
          actors.forEach((actor, i) => {
            if (actor.abort && controllers[i] !== undefined)
              void s.schedule(Promise.resolve(), `abort ${i}`).then(() => {
                queued.delete(i);
                controllers[i]!.abort(reasons[i]);
              });
          });
          for (const ms of advances)
            void s.schedule(Promise.resolve(), `advance ${ms}`).then(() => {
              now += ms;
              for (const [i, deadline] of queued) if (deadline <= now) queued.delete(i);
              jest.advanceTimersByTime(ms);
            });

          await s.waitIdle(async (step) => {
            await step();
            // E2 after every step.
            if (event.waiters > 0 && event.isSet()) problems.push(`E2: ${String(event)}`);
            if (event.waiters !== queued.size) problems.push(`waiters ${event.waiters}, expected ${queued.size}`);
          });
          await tick();
          // E1 now, before the last set().
          for (const i of woken)
            if (outcomes[i]!.current.state !== "fulfilled") problems.push(`E1: ${i} is ${outcomes[i]!.current.state}`);
          event.set();
          await tick();

          // E3: every task settled, resolved or rejected with an allowed reason.
          const verdicts = outcomes.map((o, i) => describeActor(o.current, i, reasons[i]!));
          same(
            {
              problems,
              verdicts,
              timers: jest.getTimerCount(),
              listeners: controllers.map((c) => (c ? getEventListeners(c.signal, "abort").length : 0)),
            },
            {
              problems: [],
              verdicts: verdicts.map((verdict, i) => allowed(verdict, i, actors[i]!, woken.has(i), preAborted[i]!)),
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

function describeActor(now: Tracked<void>, i: number, reason: Error): string {
  if (now.state === "pending") return `${i} pending`;
  if (now.state === "fulfilled") return `${i} resolved`;
  if (now.reason === reason) return `${i} rejected: its reason`;
  if (now.reason instanceof TimeoutError) return `${i} rejected: TimeoutError`;
  return `${i} rejected: unexpected ${String(now.reason)}`;
}

/** `verdict` if the actor's settings allow it, else a list of what they allow. */
function allowed(verdict: string, i: number, actor: Actor, woken: boolean, preAborted: boolean): string {
  if (preAborted) return verdict === `${i} rejected: its reason` ? verdict : `${i}: rejected with its reason`;
  const ok = [`${i} resolved`];
  if (!woken && actor.signal && actor.abort) ok.push(`${i} rejected: its reason`);
  if (!woken && actor.timeout !== undefined) ok.push(`${i} rejected: TimeoutError`);
  return ok.includes(verdict) ? verdict : `${i}: one of ${ok.join(" | ")}`;
}
