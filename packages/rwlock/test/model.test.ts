/*
 * Model-based tests of RWLock (fast-check).
 *
 * 1. "sequential model": fast-check generates sequences of commands (reads
 *    and writes through acquire and hold, with and without a signal and a
 *    timeout; tryAcquire of either side; release of a holder, through its
 *    guard or not; releases with nothing to release; downgrade; aborts; time
 *    passing) and runs each against a real RWLock and a plain model: the
 *    holders and one FIFO of callers, each wanting a read or the write.
 *    After every command the microtasks are flushed and the whole picture is
 *    compared: readers, writing, waiters, locked() of both views, String(),
 *    the outcome of every call so far, the timers and the abort listeners.
 * 2. "interleavings": fc.scheduler() decides when each of several readers
 *    and writers starts, how long it holds the lock, when signals abort and
 *    when time passes.
 *
 * The invariants checked, both ways:
 *   I1. Never a writer beside anyone: while a writer holds the lock, nobody
 *       else does.
 *   I2. FIFO with head-of-line blocking: calls are granted in arrival order
 *       (reads at the head together), and a read queued behind a writer is
 *       not granted before it, even while other readers hold the lock.
 *   I3. No waiter stays queued when the head of the queue could be granted.
 *   I4. Every settled call either was granted or rejected with its own
 *       signal's reason or a TimeoutError.
 *
 * Runs: 2000 command sequences and 1000 schedules in `pnpm test`;
 * SYNC_MODEL_RUNS, SYNC_MODEL_SEED, SYNC_MODEL_PATH and
 * SYNC_MODEL_REPLAY_PATH as in packages/core/test/model-harness.ts.
 */
import fc from "fast-check";
import { type Guard, InvalidStateError } from "@sync/core";
import { RWLock } from "@sync/rwlock";
import { tick, useFakeTimersPerTest } from "../../core/test/helpers";
import {
  abortAndAdvanceArbs,
  actorSignalsArbs,
  actorsProperty,
  arrive,
  ascending,
  CallCommand,
  commandsSettings,
  controllerFor,
  expectAllSettled,
  expectHeldEnd,
  expectThrow,
  expireDue,
  type HoldActor,
  holdWhile,
  inArrivalOrder,
  leaveAborted,
  type ModelCall,
  modelTest,
  newCall,
  newQueueModel,
  optionsFor,
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

type Side = "reader" | "writer";

// ---------------------------------------------------------------- model

interface Call extends ModelCall {
  readonly side: Side;
  guard: Guard | undefined;
}

/** A holder: a call, or a successful tryAcquire(). */
type Holder = Call | { readonly side: Side; readonly id: "try" };

interface Model {
  now: number;
  readonly shared: AbortController[];
  /** Who holds the lock, in the order they got it; one writer, or any number of readers. */
  holders: Holder[];
  queue: Call[];
  calls: Call[];
}

interface Real {
  rw: RWLock;
  /** Holders as seen from outside: a call is added when its promise fulfils. */
  holders: Holder[];
  /** Call ids in the order the real lock granted them, one command's grants sorted (see verify). */
  grants: number[];
  /** Grants seen since the last verify. */
  fresh: number[];
  violations: string[];
}

interface Spec extends WaitSpec {
  readonly side: Side;
  readonly how: "acquire" | "hold";
}

const writing = (holders: readonly Holder[]): boolean => holders.some((h) => h.side === "writer");
const fits = (m: Model, side: Side): boolean => (side === "reader" ? !writing(m.holders) : m.holders.length === 0);

/** Grants the head while it fits (the model of the lock's grant rule). */
function serve(m: Model): void {
  for (let head; (head = m.queue[0]) !== undefined && fits(m, head.side);) {
    m.queue.shift();
    head.expected = { state: "fulfilled" };
    head.deadline = undefined;
    m.holders.push(head);
  }
}

function render(m: Model): string {
  const state = writing(m.holders) ? "write" : m.holders.length > 0 ? `read:${m.holders.length}` : "unlocked";
  return `<RWLock [${state}${m.queue.length > 0 ? `, waiters:${m.queue.length}` : ""}]>`;
}

// Sorted: readers granted together are seen in no particular order (see verify).
function holderNames(holders: readonly Holder[]): string {
  return (
    holders
      .map((h) => `${h.side} ${h.id}`)
      .sort()
      .join(", ") || "nobody"
  );
}

async function verify(m: Model, r: Real): Promise<void> {
  await tick();
  // Reads granted together by one command resolve together, but a hold()
  // resolves a microtask after an acquire(): within one command the order
  // they are seen in is not the grant order, so each command's grants are
  // sorted before I2 compares them with the earlier ones.
  r.grants.push(...r.fresh.sort((a, b) => a - b));
  r.fresh = [];
  const problems = [...r.violations]; // I1, checked as each grant happens
  // I2: grants in arrival (id) order.
  if (!ascending(r.grants)) problems.push(`I2: grants ${r.grants.join()}`);
  same(problems, []);
  const { rw } = r;
  const locked = [m.queue.length > 0 || !fits(m, "reader"), m.queue.length > 0 || !fits(m, "writer")];
  sameAsQueue(
    m,
    [
      `readers ${rw.readers}, writing ${rw.writing}, waiters ${rw.waiters}, locked ${[rw.reader.locked(), rw.writer.locked()]}, ${String(rw)}`,
      `held by ${holderNames(r.holders)}`,
    ],
    [
      `readers ${writing(m.holders) ? 0 : m.holders.length}, writing ${writing(m.holders)}, waiters ${m.queue.length}, locked ${locked}, ${render(m)}`,
      `held by ${holderNames(m.holders)}`,
    ],
  );
}

/** Records a real grant, checking I1 against the holders seen so far. */
function granted(r: Real, holder: Holder): void {
  if (holder.side === "writer" ? r.holders.length > 0 : writing(r.holders))
    r.violations.push(`I1: ${holder.side} ${holder.id} granted beside ${holderNames(r.holders)}`);
  r.holders.push(holder);
}

// ---------------------------------------------------------------- commands

type RWCommand = fc.AsyncCommand<Model, Real>;

class Acquire extends CallCommand<Model, Real, Spec> {
  async run(m: Model, r: Real): Promise<void> {
    const { side, how } = this.spec;
    const controller = controllerFor(m, m.calls.length, this.spec, this.reasonKind);
    const options = optionsFor(this.spec, controller);
    const view = r.rw[side];
    const promise: Promise<unknown> = how === "acquire" ? view.acquire(options) : view.hold(options);
    const call = newCall<Call>(m, controller, promise, { side, guard: undefined });
    whenGranted(promise, call, () => {
      granted(r, call);
      r.fresh.push(call.id);
    });
    arrive(m, call, this.spec.timeout, () => {
      if (m.queue.length > 0 || !fits(m, side)) return false;
      call.expected = { state: "fulfilled" };
      m.holders.push(call);
      return true;
    });
    await verify(m, r);
  }
  override toString(): string {
    const { side, how, signal, timeout } = this.spec;
    return `${side}.${how}({signal: ${signal}, timeout: ${timeout}})`;
  }
}

class TryAcquire implements RWCommand {
  constructor(readonly side: Side) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const want = m.queue.length === 0 && fits(m, this.side);
    const got = r.rw[this.side].tryAcquire();
    if (got !== want) expect(got).toBe(want);
    if (got) {
      const holder = { side: this.side, id: "try" } as const;
      granted(r, holder);
      m.holders.push(holder);
    }
    await verify(m, r);
  }
  toString(): string {
    return `${this.side}.tryAcquire()`;
  }
}

class Release implements RWCommand {
  constructor(
    readonly side: Side,
    readonly pick: number,
    readonly viaGuard: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const candidates = m.holders.filter((h) => h.side === this.side);
    if (candidates.length === 0) {
      expectThrow(() => r.rw[this.side].release(), InvalidStateError);
    } else {
      const holder = candidates[this.pick % candidates.length]!;
      m.holders.splice(m.holders.indexOf(holder), 1);
      r.holders.splice(r.holders.indexOf(holder), 1);
      releaseHolder("guard" in holder ? holder.guard : undefined, this.viaGuard, () => r.rw[this.side].release());
      serve(m);
    }
    await verify(m, r);
  }
  toString(): string {
    return `${this.side}.release(holder ${this.pick}${this.viaGuard ? ", through its guard, twice" : ""})`;
  }
}

class Downgrade implements RWCommand {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const writer = m.holders.find((h) => h.side === "writer");
    if (writer === undefined) expectThrow(() => r.rw.downgrade(), InvalidStateError);
    else {
      r.rw.downgrade();
      // The writer becomes one anonymous reader, released by a later reader release.
      const reader = { side: "reader", id: "try" } as const;
      m.holders = [reader];
      r.holders = [reader];
      serve(m);
    }
    await verify(m, r);
  }
  toString(): string {
    return "downgrade()";
  }
}

const acquireArb = fc
  .tuple(
    fc.record({
      side: fc.constantFrom<Side>("reader", "reader", "writer"),
      how: fc.constantFrom<Spec["how"]>("acquire", "hold"),
      signal: signalArb,
      timeout: timeoutArb,
    }),
    reasonKindArb,
  )
  .map(([spec, kind]) => new Acquire(spec, kind));

const sideArb = fc.constantFrom<Side>("reader", "writer");

const releaseArb = fc
  .tuple(sideArb, fc.nat(), fc.boolean())
  .map(([side, pick, viaGuard]) => new Release(side, pick, viaGuard));

const commandsArb = fc.commands(
  [
    acquireArb,
    acquireArb,
    sideArb.map((side) => new TryAcquire(side)),
    releaseArb,
    releaseArb,
    fc.constant(new Downgrade()),
    ...abortAndAdvanceArbs<Model, Real>(leaveAndServe, (m, ms) => expireDue(m, ms, () => serve(m)), verify),
  ],
  commandsSettings,
);

// An abort: every queued waiter of that signal leaves and rejects, and none
// is granted on the way out, not even a read behind a departed writer that
// another waiter's departure would serve (core never grants a waiter whose
// signal has aborted); then the grant rule serves the rest.
function leaveAndServe(m: Model, controller: AbortController): void {
  leaveAborted(m, controller);
  serve(m);
}

useFakeTimersPerTest();

modelTest(
  "rwlock",
  "sequential model",
  "RWLock matches its holders and one FIFO under every command sequence (I1–I4)",
  2000,
  fc.asyncProperty(commandsArb, async (commands) => {
    const m: Model = { ...newQueueModel<Call>(), holders: [] };
    const r: Real = { rw: new RWLock(), holders: [], grants: [], fresh: [], violations: [] };
    await runCommands(m, r, commands);
    // Drain: the holders release one by one until the lock is free.
    while (m.holders.length > 0) await new Release(m.holders[0]!.side, 0, false).run(m, r);
    expectAllSettled(m.calls);
    same(String(r.rw), "<RWLock [unlocked]>");
  }),
);

// ---------------------------------------------------------------- interleavings

const actorArb = fc.record({
  side: fc.constantFrom<Side>("reader", "reader", "reader", "writer"),
  how: fc.constantFrom<HoldActor["how"]>("run", "hold", "acquire"),
  ...actorSignalsArbs,
});

modelTest(
  "rwlock",
  "interleavings",
  "readers and writers holding for scheduler-chosen spans keep I1–I4",
  1000,
  // Actors: 1–8 readers and writers, each arriving when the scheduler starts
  // it, taking its side through run, hold or acquire/release, with or
  // without a signal and a timeout, holding it until the scheduler ends its
  // work; aborts and clock jumps are scheduled too.
  // What would break: a writer beside a reader (a grant from the wrong
  // count), a read overtaking a queued writer (starvation), reads stranded
  // behind a writer that left, an aborted caller that runs.
  actorsProperty(actorArb, async (actors, advances, s) => {
    const rw = new RWLock();
    const problems: string[] = [];
    let readers = 0;
    let writers = 0;
    const grants: number[] = [];
    // Entries seen in one scheduler step: reads granted together enter
    // together, a hold() a microtask after a run(), so I2 sorts each
    // step's entries by arrival before comparing.
    let fresh: number[] = [];
    const run = startActors(s, actors, advances, (actor, i, options) =>
      holdWhile(
        actor.how,
        rw[actor.side],
        scheduledWork(
          s,
          i,
          () => {
            fresh.push(i);
            if (actor.side === "writer") writers++;
            else readers++;
            if (writers > 1 || (writers === 1 && readers > 0))
              problems.push(`I1: ${actor.side} ${i} in with ${writers} writer(s), ${readers} reader(s)`);
          },
          () => {
            if (actor.side === "writer") writers--;
            else readers--;
          },
        ),
        options,
      ),
    );
    // I3 after every step: a queued head that fits would have been granted.
    const stepCheck = (): void => {
      grants.push(...fresh.sort((a, b) => run.arrivals.indexOf(a) - run.arrivals.indexOf(b)));
      fresh = [];
      if (rw.waiters > 0 && !rw.writing && rw.readers === 0) problems.push(`I3: ${String(rw)}`);
    };
    await s.waitIdle(async (step) => {
      await step();
      await tick();
      stepCheck();
    });
    await tick();
    stepCheck();

    // I2: grants in arrival order (reads granted together keep their order).
    if (!inArrivalOrder(run, grants)) problems.push(`I2: ${grants.join()}`);
    expectHeldEnd(run, actors, problems, "the lock", (i) => grants.includes(i), {
      name: "rw",
      real: String(rw),
      expected: "<RWLock [unlocked]>",
    });
  }),
);
