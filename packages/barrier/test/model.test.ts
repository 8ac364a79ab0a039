/*
 * Model-based tests of Barrier (fast-check).
 *
 * 1. "sequential model": fast-check generates `parties` (1–4) and sequences
 *    of commands (wait with and without a signal and a timeout, optionally
 *    followed in the same tick by reset(), abort() or aborts of the released
 *    callers' signals; reset(); abort(); abort of a random caller; time
 *    passing) and runs them against a real Barrier and a plain model: a
 *    broken flag and a FIFO of waiters. After every command the microtasks
 *    are flushed and the whole picture is compared: nWaiting, broken,
 *    String(), every call's outcome (with its position), timers and abort
 *    listeners.
 * 2. "interleavings": fc.scheduler() decides when each of several tasks
 *    arrives, and when reset(), abort(), signal aborts and time jumps happen.
 *
 * The invariants checked, both ways:
 *   B1. Each cycle resolves exactly `parties` callers, in one step, with
 *       distinct positions 0 … parties-1 in arrival order.
 *   B2. After reset() or abort(), no caller is left pending: every waiter
 *       rejects with BrokenBarrierError at once.
 *   B3. While filling, nWaiting < parties; while broken, nWaiting is 0.
 *   B4. Every other settled call rejected with its own signal's reason, a
 *       TimeoutError or a BrokenBarrierError.
 *
 * Time is jest's fake clock.
 * Runs: 2000 command sequences and 1000 schedules in `pnpm test`;
 * SYNC_MODEL_RUNS=100000 runs that many of each (SYNC_MODEL_VERBOSE=1
 * prints the counts and seeds). A failure prints its seed, path and
 * commands' replayPath, and the command that replays it:
 * SYNC_MODEL_SEED=… SYNC_MODEL_PATH=… SYNC_MODEL_REPLAY_PATH=… npx jest …
 */
import fc from "fast-check";
import { TimeoutError } from "@sync/core";
import { Barrier, BrokenBarrierError } from "@sync/barrier";
import { tick, track, type Tracked } from "../../core/test/helpers";
import {
  abortAndAdvanceArbs,
  actorControllers,
  type ActorSignals,
  actorSignalsArbs,
  advancesArb,
  assertProperty,
  commandsSettings,
  controllerFor,
  expectAllSettled,
  expectCleanEnd,
  expectedSignalLines,
  expireDue,
  leave,
  leaveAborted,
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

const BROKEN = Symbol("BrokenBarrierError");
type Expected =
  { state: "pending" } | { state: "fulfilled"; position: number } | { state: "rejected"; reason: unknown };

interface Call {
  readonly id: number;
  readonly controller: AbortController | undefined;
  readonly tracked: { readonly current: Tracked<number> };
  expected: Expected;
  /** Model time at which its timeout fires, while it is queued with a finite timeout. */
  deadline: number | undefined;
}

interface Model {
  readonly parties: number;
  now: number;
  /** The two signals of kind "shared". */
  readonly shared: AbortController[];
  broken: boolean;
  queue: Call[];
  calls: Call[];
  /** How many calls had fulfilled at the last check (B1). */
  seenFulfilled: number;
  /** True right after reset() or abort() (B2). */
  justBroken: boolean;
}

type FollowUp = "nothing" | "reset" | "abort" | "abort signals";
interface Spec extends WaitSpec {
  readonly then: FollowUp;
}

/** reset() or abort() in the model: every waiter rejects with BrokenBarrierError. */
function modelBreak(m: Model, broken: boolean): void {
  m.broken = broken;
  for (const call of [...m.queue]) leave(m, call, BROKEN);
  m.justBroken = true;
}

function describeReal(call: Call): string {
  const now = call.tracked.current;
  if (now.state === "pending") return `#${call.id} pending`;
  if (now.state === "fulfilled") return `#${call.id} fulfilled at ${now.value}`;
  if (call.controller?.signal.aborted && now.reason === call.controller.signal.reason)
    return `#${call.id} rejected: its signal's reason`;
  if (now.reason instanceof BrokenBarrierError) return `#${call.id} rejected: BrokenBarrierError`;
  if (now.reason instanceof TimeoutError) return `#${call.id} rejected: TimeoutError`;
  return `#${call.id} rejected: unexpected ${String(now.reason)}`;
}

function describeExpected(call: Call): string {
  const want = call.expected;
  if (want.state === "pending") return `#${call.id} pending`;
  if (want.state === "fulfilled") return `#${call.id} fulfilled at ${want.position}`;
  const name = want.reason === TIMEOUT ? "TimeoutError" : want.reason === BROKEN ? "BrokenBarrierError" : null;
  return `#${call.id} rejected: ${name ?? "its signal's reason"}`;
}

function render(m: Model): string {
  return m.broken ? "<Barrier [broken]>" : `<Barrier [filling, waiters:${m.queue.length}/${m.parties}]>`;
}

/** Flushes the microtasks, then compares the real barrier with the model and checks B1–B4. */
async function verify(m: Model, barrier: Barrier): Promise<void> {
  await tick();
  const problems: string[] = [];
  // B1: the calls that fulfilled since the last check are none, or one
  // whole cycle: `parties` of them, at positions 0 … parties-1 by arrival.
  const fulfilled = m.calls.filter((call) => call.tracked.current.state === "fulfilled");
  const fresh = fulfilled.slice(m.seenFulfilled);
  const positions = fresh.map((call) => (call.tracked.current as { value: number }).value);
  if (fresh.length > 0 && positions.join() !== [...Array(m.parties).keys()].join())
    problems.push(`B1: one step resolved ${fresh.map((c) => `#${c.id}`).join()} at positions ${positions.join()}`);
  m.seenFulfilled = fulfilled.length;
  // B2: right after reset() or abort(), nobody is pending.
  if (m.justBroken && m.calls.some((call) => call.tracked.current.state === "pending"))
    problems.push("B2: a caller is still pending after reset()/abort()");
  m.justBroken = false;
  // B3: nWaiting < parties while filling, 0 while broken.
  if (barrier.broken ? barrier.nWaiting !== 0 : barrier.nWaiting >= barrier.parties)
    problems.push(`B3: ${String(barrier)}`);
  same(problems, []);
  // B4 and the model, compared as a whole.
  same(
    [
      `parties ${barrier.parties}, nWaiting ${barrier.nWaiting}, broken ${barrier.broken}, ${String(barrier)}`,
      `timers ${jest.getTimerCount()}`,
      ...m.calls.map((call) => `${describeReal(call)}`),
      ...realSignalLines(m),
    ],
    [
      `parties ${m.parties}, nWaiting ${m.queue.length}, broken ${m.broken}, ${render(m)}`,
      `timers ${m.queue.filter((call) => call.deadline !== undefined).length}`,
      ...m.calls.map((call) => `${describeExpected(call)}`),
      ...expectedSignalLines(m, (c) => m.queue.filter((call) => call.controller === c).length),
    ],
  );
}

// ---------------------------------------------------------------- commands

type BarrierCommand = fc.AsyncCommand<Model, Barrier>;

class Wait implements BarrierCommand {
  constructor(
    readonly spec: Spec,
    readonly reasonKind: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, barrier: Barrier): Promise<void> {
    const id = m.calls.length;
    const { timeout } = this.spec;
    const controller = controllerFor(m, id, this.spec, this.reasonKind);
    const options = optionsFor(this.spec, controller);
    const call: Call = {
      id,
      controller,
      tracked: track(barrier.wait(options)),
      expected: { state: "pending" },
      deadline: undefined,
    };
    m.calls.push(call);
    let released: Call[] = [];
    if (controller?.signal.aborted) call.expected = { state: "rejected", reason: controller.signal.reason };
    else if (m.broken) call.expected = { state: "rejected", reason: BROKEN };
    else if (m.queue.length + 1 < m.parties) {
      if (timeout === 0) call.expected = { state: "rejected", reason: TIMEOUT };
      else {
        m.queue.push(call);
        if (timeout !== undefined && timeout !== Infinity) call.deadline = m.now + timeout;
      }
    } else {
      // The last party releases the cycle, in arrival order.
      released = [...m.queue, call];
      released.forEach((waiter, position) => {
        waiter.expected = { state: "fulfilled", position };
        waiter.deadline = undefined;
      });
      m.queue = [];
    }
    // Whatever follows in the same tick, the released keep their positions.
    switch (this.spec.then) {
      case "nothing":
        break;
      case "reset":
        barrier.reset();
        modelBreak(m, false);
        break;
      case "abort":
        barrier.abort();
        modelBreak(m, true);
        break;
      case "abort signals":
        for (const waiter of released) waiter.controller?.abort(new Error(`late abort #${waiter.id}`));
        break;
    }
    await verify(m, barrier);
  }
  toString(): string {
    const { signal, timeout, then } = this.spec;
    return `wait({signal: ${signal}, timeout: ${timeout}})${then === "nothing" ? "" : `, then ${then}`}`;
  }
}

class Break implements BarrierCommand {
  constructor(readonly how: "reset" | "abort") {}
  check(): boolean {
    return true;
  }
  async run(m: Model, barrier: Barrier): Promise<void> {
    if (this.how === "reset") barrier.reset();
    else barrier.abort();
    modelBreak(m, this.how === "abort");
    await verify(m, barrier);
  }
  toString(): string {
    return `${this.how}()`;
  }
}

const specArb = fc.record({
  signal: signalArb,
  timeout: timeoutArb,
  then: fc.oneof(
    { arbitrary: fc.constant<FollowUp>("nothing"), weight: 6 },
    { arbitrary: fc.constantFrom<FollowUp>("reset", "abort", "abort signals"), weight: 1 },
  ),
});

const commandsArb = fc.commands(
  [
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Wait(spec, kind)),
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Wait(spec, kind)),
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Wait(spec, kind)),
    fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Wait(spec, kind)),
    fc.constantFrom<Break["how"]>("reset", "abort").map((how) => new Break(how)),
    ...abortAndAdvanceArbs<Model, Barrier>(leaveAborted, expireDue, verify),
  ],
  commandsSettings,
);

useFakeTimersPerTest();

test(
  "sequential model: Barrier matches a broken flag and a FIFO of waiters (B1–B4)",
  async () => {
    await assertProperty(
      "barrier",
      "sequential model",
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), commandsArb, async (parties, commands) => {
        jest.clearAllTimers();
        const m: Model = {
          parties,
          now: 0,
          shared: [new AbortController(), new AbortController()],
          broken: false,
          queue: [],
          calls: [],
          seenFulfilled: 0,
          justBroken: false,
        };
        const barrier = new Barrier(parties);
        await fc.asyncModelRun(() => ({ model: m, real: barrier }), commands);
        // A last reset() settles everyone still waiting (B2); nothing is left.
        await new Break("reset").run(m, barrier);
        expectAllSettled(m.calls);
      }),
      2000,
    );
  },
  testTimeout,
);

// ---------------------------------------------------------------- interleavings

type Actor = ActorSignals;

const actorArb = fc.record({
  ...actorSignalsArbs,
});

test(
  "interleavings: arrivals, reset(), abort(), aborts and timeouts in scheduler-chosen order keep B1–B4",
  async () => {
    // Actors: 1–10 tasks that each call wait() once, with or without a
    // signal and a timeout, when the scheduler starts them; reset() and
    // abort() calls, aborts of the actors' signals and jumps of the clock,
    // all in an order the scheduler picks. What would break: a cycle that
    // resolves too few or too many callers or repeats a position (B1), a
    // waiter stranded by reset()/abort() (B2), a broken barrier that keeps
    // waiters (B3).
    await assertProperty(
      "barrier",
      "interleavings",
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(actorArb, { minLength: 1, maxLength: 10 }),
        fc.array(fc.constantFrom<"reset" | "abort">("reset", "abort"), { maxLength: 3 }),
        advancesArb,
        fc.scheduler(),
        async (parties, actors, breaks, advances, s) => {
          jest.clearAllTimers();
          const barrier = new Barrier(parties);
          const problems: string[] = [];
          const arrivals: number[] = [];
          // [actor, position] in the order the actors resume.
          const resumed: [number, number][] = [];
          const { controllers, reasons } = actorControllers(actors);
          // An aborted signal rejects even for the caller that would release the cycle.
          const preAborted = actors.map(() => false);
          const tasks = actors.map(async (actor, i) => {
            await s.schedule(Promise.resolve(), `arrive ${i}`);
            arrivals.push(i);
            preAborted[i] = controllers[i]?.signal.aborted ?? false;
            const position = await barrier.wait({ signal: controllers[i]?.signal, timeout: actor.timeout });
            resumed.push([i, position]);
          });
          const outcomes = tasks.map((task) => track(task));
          breaks.forEach((how, k) => {
            void s.schedule(Promise.resolve(), `${how} ${k}`).then(() => {
              if (how === "reset") barrier.reset();
              else barrier.abort();
              // B2: nobody waits after reset()/abort().
              if (barrier.nWaiting !== 0) problems.push(`B2: ${String(barrier)} after ${how}()`);
            });
          });
          scheduleAbortsAndAdvances(s, actors, controllers, reasons, advances);

          await s.waitIdle(async (step) => {
            await step();
            // B3 after every step.
            if (barrier.broken ? barrier.nWaiting !== 0 : barrier.nWaiting >= parties)
              problems.push(`B3: ${String(barrier)}`);
          });
          barrier.reset(); // B2: settles whoever still waits
          await tick();

          // B1: the resumed callers come in whole cycles of `parties`, each
          // with positions 0 … parties-1 in arrival order.
          for (let k = 0; k < resumed.length; k += parties) {
            const cycle = resumed.slice(k, k + parties);
            const byArrival = [...cycle].sort((a, b) => arrivals.indexOf(a[0]) - arrivals.indexOf(b[0]));
            if (byArrival.map(([, position]) => position).join() !== [...Array(parties).keys()].join())
              problems.push(`B1: cycle ${JSON.stringify(cycle)}`);
          }
          // B4: everyone settled, released or rejected with an allowed reason.
          const verdicts = outcomes.map((o, i) => describeActor(o.current, i, reasons[i]!));
          expectCleanEnd(
            problems,
            verdicts,
            verdicts.map((verdict, i) => allowed(verdict, i, actors[i]!, preAborted[i]!)),
            controllers,
            { name: "barrier", real: String(barrier), expected: `<Barrier [filling, waiters:0/${parties}]>` },
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
  if (now.state === "fulfilled") return `${i} released`;
  if (now.reason === reason) return `${i} rejected: its reason`;
  if (now.reason instanceof BrokenBarrierError) return `${i} rejected: BrokenBarrierError`;
  if (now.reason instanceof TimeoutError) return `${i} rejected: TimeoutError`;
  return `${i} rejected: unexpected ${String(now.reason)}`;
}

/** `verdict` if the actor's settings allow it, else a list of what they allow. */
function allowed(verdict: string, i: number, actor: Actor, preAborted: boolean): string {
  if (preAborted) return verdict === `${i} rejected: its reason` ? verdict : `${i}: rejected with its reason`;
  const ok = [`${i} released`, `${i} rejected: BrokenBarrierError`];
  if (actor.signal && actor.abort) ok.push(`${i} rejected: its reason`);
  if (actor.timeout !== undefined) ok.push(`${i} rejected: TimeoutError`);
  return ok.includes(verdict) ? verdict : `${i}: one of ${ok.join(" | ")}`;
}
