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
import { tick, type Tracked, useFakeTimersPerTest } from "../../core/test/helpers";
import {
  abortAndAdvanceArbs,
  type ActorSignals,
  actorSignalsArbs,
  advancesArb,
  arrive,
  CallCommand,
  commandsSettings,
  controllerFor,
  expectAllSettled,
  expectCleanEnd,
  expireDue,
  leave,
  leaveAborted,
  type ModelCall,
  modelTest,
  newCall,
  newQueueModel,
  optionsFor,
  reasonKindArb,
  runCommands,
  same,
  sameAsQueue,
  signalArb,
  startActors,
  TIMEOUT,
  timeoutArb,
  type WaitSpec,
} from "../../core/test/model-harness";

// ---------------------------------------------------------------- model

const BROKEN = Symbol("BrokenBarrierError");
type Expected =
  { state: "pending" } | { state: "fulfilled"; position: number } | { state: "rejected"; reason: unknown };

interface Call extends ModelCall {
  readonly tracked: { readonly current: Tracked<number> };
  expected: Expected;
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
  sameAsQueue(
    m,
    [`parties ${barrier.parties}, nWaiting ${barrier.nWaiting}, broken ${barrier.broken}, ${String(barrier)}`],
    [`parties ${m.parties}, nWaiting ${m.queue.length}, broken ${m.broken}, ${render(m)}`],
    { real: describeReal, expected: describeExpected },
  );
}

// ---------------------------------------------------------------- commands

type BarrierCommand = fc.AsyncCommand<Model, Barrier>;

class Wait extends CallCommand<Model, Barrier, Spec> {
  async run(m: Model, barrier: Barrier): Promise<void> {
    const controller = controllerFor(m, m.calls.length, this.spec, this.reasonKind);
    const call = newCall<Call>(m, controller, barrier.wait(optionsFor(this.spec, controller)), {});
    let released: Call[] = [];
    arrive(m, call, this.spec.timeout, () => {
      if (m.broken) call.expected = { state: "rejected", reason: BROKEN };
      else if (m.queue.length + 1 < m.parties) return false;
      else {
        // The last party releases the cycle, in arrival order.
        released = [...m.queue, call];
        released.forEach((waiter, position) => {
          waiter.expected = { state: "fulfilled", position };
          waiter.deadline = undefined;
        });
        m.queue = [];
      }
      return true;
    });
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
  override toString(): string {
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

const waitArb = fc.tuple(specArb, reasonKindArb).map(([spec, kind]) => new Wait(spec, kind));

const commandsArb = fc.commands(
  [
    waitArb,
    waitArb,
    waitArb,
    waitArb,
    fc.constantFrom<Break["how"]>("reset", "abort").map((how) => new Break(how)),
    ...abortAndAdvanceArbs<Model, Barrier>(leaveAborted, expireDue, verify),
  ],
  commandsSettings,
);

useFakeTimersPerTest();

modelTest(
  "barrier",
  "sequential model",
  "Barrier matches a broken flag and a FIFO of waiters (B1–B4)",
  2000,
  fc.asyncProperty(fc.integer({ min: 1, max: 4 }), commandsArb, async (parties, commands) => {
    const m: Model = { ...newQueueModel<Call>(), parties, broken: false, seenFulfilled: 0, justBroken: false };
    const barrier = new Barrier(parties);
    await runCommands(m, barrier, commands);
    // A last reset() settles everyone still waiting (B2); nothing is left.
    await new Break("reset").run(m, barrier);
    expectAllSettled(m.calls);
  }),
);

// ---------------------------------------------------------------- interleavings

type Actor = ActorSignals;

modelTest(
  "barrier",
  "interleavings",
  "arrivals, reset(), abort(), aborts and timeouts in scheduler-chosen order keep B1–B4",
  1000,
  // Actors: 1–10 tasks that each call wait() once, with or without a
  // signal and a timeout, when the scheduler starts them; reset() and
  // abort() calls, aborts of the actors' signals and jumps of the clock,
  // all in an order the scheduler picks. What would break: a cycle that
  // resolves too few or too many callers or repeats a position (B1), a
  // waiter stranded by reset()/abort() (B2), a broken barrier that keeps
  // waiters (B3).
  fc.asyncProperty(
    fc.integer({ min: 1, max: 4 }),
    fc.array(fc.record(actorSignalsArbs), { minLength: 1, maxLength: 10 }),
    fc.array(fc.constantFrom<"reset" | "abort">("reset", "abort"), { maxLength: 3 }),
    advancesArb,
    fc.scheduler(),
    async (parties, actors, breaks, advances, s) => {
      const barrier = new Barrier(parties);
      const problems: string[] = [];
      // [actor, position] in the order the actors resume.
      const resumed: [number, number][] = [];
      const run = startActors(s, actors, advances, async (_, i, options) => {
        resumed.push([i, await barrier.wait(options)]);
      });
      breaks.forEach((how, k) => {
        void s.schedule(Promise.resolve(), `${how} ${k}`).then(() => {
          if (how === "reset") barrier.reset();
          else barrier.abort();
          // B2: nobody waits after reset()/abort().
          if (barrier.nWaiting !== 0) problems.push(`B2: ${String(barrier)} after ${how}()`);
        });
      });

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
        const byArrival = [...cycle].sort((a, b) => run.arrivals.indexOf(a[0]) - run.arrivals.indexOf(b[0]));
        if (byArrival.map(([, position]) => position).join() !== [...Array(parties).keys()].join())
          problems.push(`B1: cycle ${JSON.stringify(cycle)}`);
      }
      // B4: everyone settled, released or rejected with an allowed reason.
      const verdicts = run.outcomes.map((o, i) => describeActor(o.current, i, run.reasons[i]!));
      expectCleanEnd(
        problems,
        verdicts,
        verdicts.map((verdict, i) => allowed(verdict, i, actors[i]!, run.preAborted[i]!)),
        run.controllers,
        { name: "barrier", real: String(barrier), expected: `<Barrier [filling, waiters:0/${parties}]>` },
      );
    },
  ),
);

function describeActor(now: Tracked<unknown>, i: number, reason: Error): string {
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
