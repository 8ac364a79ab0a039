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
import fc from "fast-check";
import { TimeoutError } from "@sync/core";
import { Event } from "@sync/event";
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
  timeoutArb,
  type WaitSpec,
} from "../../core/test/model-harness";

// ---------------------------------------------------------------- model

type Call = ModelCall;

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

type Spec = WaitSpec;

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
  sameAsQueue(
    m,
    [`isSet() ${event.isSet()}, waiters ${event.waiters}, ${String(event)}`],
    [`isSet() ${m.flag}, waiters ${m.queue.length}, ${render(m)}`],
  );
}

// ---------------------------------------------------------------- commands

type EventCommand = fc.AsyncCommand<Model, Event>;

class Wait extends CallCommand<Model, Event, Spec> {
  async run(m: Model, event: Event): Promise<void> {
    const controller = controllerFor(m, m.calls.length, this.spec, this.reasonKind);
    const call = newCall<Call>(m, controller, event.wait(optionsFor(this.spec, controller)), {});
    arrive(m, call, this.spec.timeout, () => {
      if (m.flag) call.expected = { state: "fulfilled" };
      return m.flag;
    });
    await verify(m, event);
  }
  override toString(): string {
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
        expireDue(m, 25);
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

const waitArb = fc
  .tuple(fc.record({ signal: signalArb, timeout: timeoutArb }), reasonKindArb)
  .map(([spec, kind]) => new Wait(spec, kind));

const commandsArb = fc.commands(
  [
    waitArb,
    waitArb,
    waitArb,
    fc
      .constantFrom<FollowUp>("nothing", "clear", "abort all", "time out all", "clear, set, clear")
      .map((then) => new SetFlag(then)),
    fc.constant(new Clear()),
    ...abortAndAdvanceArbs<Model, Event>(leaveAborted, expireDue, verify),
  ],
  commandsSettings,
);

useFakeTimersPerTest();

modelTest(
  "event",
  "sequential model",
  "Event matches a flag and a FIFO of waiters (E1–E3)",
  2000,
  fc.asyncProperty(commandsArb, async (commands) => {
    const m: Model = { ...newQueueModel<Call>(), flag: false, woken: [] };
    const event = new Event();
    await runCommands(m, event, commands);
    // A last set() resolves everyone still waiting; nothing is left behind.
    await new SetFlag("nothing").run(m, event);
    expectAllSettled(m.calls);
  }),
);

// ---------------------------------------------------------------- interleavings

type Actor = ActorSignals;

modelTest(
  "event",
  "interleavings",
  "waiters, set(), clear(), aborts and timeouts in scheduler-chosen order keep E1–E3",
  1000,
  // Actors: 1–8 waiting tasks with or without a signal and a timeout; a
  // controller that calls set() and clear() a few times; aborts of the
  // waiters' signals and jumps of the clock. The scheduler picks the order
  // of all of them. What would break: a waiter queued at a set() that a
  // following clear(), abort or timeout stops from resolving (E1), or a
  // waiter left behind while the flag is set (E2).
  fc.asyncProperty(
    fc.array(fc.record(actorSignalsArbs), { minLength: 1, maxLength: 8 }),
    fc.array(fc.constantFrom("set", "clear"), { minLength: 1, maxLength: 5 }),
    advancesArb,
    fc.scheduler(),
    async (actors, toggles, advances, s) => {
      const event = new Event();
      const problems: string[] = [];
      let now = 0;
      // Which actors are queued now, with their deadlines, as the test
      // sees it; those queued at a set() must resolve (E1).
      const queued = new Map<number, number>();
      const woken = new Set<number>();
      const run = startActors(
        s,
        actors,
        advances,
        (actor, i, options) => {
          if (!event.isSet() && !options.signal?.aborted && actor.timeout !== 0)
            queued.set(i, now + (actor.timeout ?? Infinity));
          return event.wait(options);
        },
        {
          abort: (i) => queued.delete(i),
          advance: (ms) => {
            now += ms;
            for (const [i, deadline] of queued) if (deadline <= now) queued.delete(i);
          },
        },
      );
      toggles.forEach((toggle, k) => {
        void s.schedule(Promise.resolve(), `${toggle} ${k}`).then(() => {
          if (toggle === "set") {
            if (!event.isSet()) for (const i of queued.keys()) woken.add(i);
            queued.clear();
            event.set();
          } else event.clear();
        });
      });

      await s.waitIdle(async (step) => {
        await step();
        // E2 after every step.
        if (event.waiters > 0 && event.isSet()) problems.push(`E2: ${String(event)}`);
        if (event.waiters !== queued.size) problems.push(`waiters ${event.waiters}, expected ${queued.size}`);
      });
      await tick();
      // E1 now, before the last set().
      for (const i of woken) {
        const { state } = run.outcomes[i]!.current;
        if (state !== "fulfilled") problems.push(`E1: ${i} is ${state}`);
      }
      event.set();
      await tick();

      // E3: every task settled, resolved or rejected with an allowed reason.
      const verdicts = run.outcomes.map((o, i) => describeActor(o.current, i, run.reasons[i]!));
      expectCleanEnd(
        problems,
        verdicts,
        verdicts.map((verdict, i) => allowed(verdict, i, actors[i]!, woken.has(i), run.preAborted[i]!)),
        run.controllers,
      );
    },
  ),
);

function describeActor(now: Tracked<unknown>, i: number, reason: Error): string {
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
