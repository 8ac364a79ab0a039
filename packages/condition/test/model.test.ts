/*
 * Model-based tests of Condition (fast-check).
 *
 * 1. "sequential model": two Conditions share one Lock. fast-check generates
 *    sequences of commands (acquire and hold of the lock with and without a
 *    signal and a timeout, tryAcquire, release, wait() and waitFor() by the
 *    holder on either condition with and without a signal and a timeout,
 *    notify(n) and notifyAll(), a change of the state the predicate reads,
 *    abort of a random caller, time passing) and runs them against the real
 *    objects and a plain model: who holds the lock, the lock's FIFO, and one
 *    FIFO of waiters per condition. A notified or departing waiter joins the
 *    lock's FIFO to take the lock back; a waitFor() whose predicate is still
 *    false waits again with what is left of its timeout. After every command
 *    the microtasks are flushed and the whole picture is compared: locked(),
 *    both conditions' waiters, the lock's waiters, String(), the holder,
 *    every call's outcome and value, timers and abort listeners.
 * 2. "interleavings": producers and consumers (waitFor() and hand-written
 *    wait() loops) run under fc.scheduler(), which picks when each starts,
 *    when signals abort and when time passes.
 *
 * The invariants checked, both ways:
 *   C1. Whenever a wait() or waitFor() settles, resolved or rejected, its
 *       caller holds the lock (locked, and nobody else claims it); the
 *       predicate too is only ever called with the lock held.
 *   C2. Notifications reach only waiters still queued, oldest first:
 *       notify(n) drops waiters by min(n, waiters) at once, and exactly the
 *       oldest queued waiters resolve; one that left is never woken.
 *   C3. waitFor() resolves with the predicate's last value; every other
 *       settled call holds the lock or rejected with its own signal's reason
 *       or a TimeoutError (InvalidStateError for a wait without the lock).
 *   C4. (interleavings) No wake-up is lost: once everything is idle, an item
 *       left over means nobody still waits for one.
 *
 * Time is jest's fake clock (its performance.now() too, which waitFor()
 * uses).
 * Runs: 2000 command sequences and 1000 schedules in `pnpm test`;
 * SYNC_MODEL_RUNS=100000 runs that many of each (SYNC_MODEL_VERBOSE=1
 * prints the counts and seeds). A failure prints its seed, path and
 * commands' replayPath, and the command that replays it:
 * SYNC_MODEL_SEED=… SYNC_MODEL_PATH=… SYNC_MODEL_REPLAY_PATH=… npx jest …
 */
import fc from "fast-check";
import { InvalidStateError, TimeoutError } from "@sync/core";
import { Condition } from "@sync/condition";
import { Lock } from "@sync/lock";
import { tick, track, type Tracked, useFakeTimersPerTest } from "../../core/test/helpers";
import {
  abortAndAdvanceArbs,
  type ActorSignals,
  actorSignalsArbs,
  actorsProperty,
  commandsSettings,
  controllerFor,
  expectCleanEnd,
  expectThrow,
  type ModelCall,
  modelTest,
  optionsFor,
  pendingIds,
  reasonKindArb,
  runCommands,
  same,
  samePicture,
  signalArb,
  startActors,
  TIMEOUT,
  timeoutArb,
  type WaitSpec,
} from "../../core/test/model-harness";

// A chain of waitFor() rounds handing the lock on takes many microtask turns;
// rather than guess how many (tick(200) costs more than the whole model), a
// flush waits for the real setImmediate, which runs only once the microtask
// queue is empty. Captured before jest fakes the timers; it is not a sleep.
const realSetImmediate = globalThis.setImmediate;
const flush = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

// ---------------------------------------------------------------- model

const INVALID = Symbol("InvalidStateError");
type Expected = { state: "pending" } | { state: "fulfilled"; value: unknown } | { state: "rejected"; reason: unknown };

interface Call extends ModelCall {
  readonly kind: "acquire" | "wait" | "waitFor";
  /** Which condition a wait is on. */
  readonly cond: number;
  expected: Expected;
  /** Model time at which its timeout runs out (a waitFor keeps one deadline across its rounds). */
  deadline: number | undefined;
  /**
   * When it last started waiting: jest fires timers due at the same time in
   * that order, and an abort abandons a signal's waiters in that order.
   */
  timerSeq: number;
  /** Where it waits: a condition's queue, the lock's queue, or nowhere. */
  phase: "cond" | "lock" | "none";
  /** Why a wait left its condition's queue (abort or timeout); it rejects with it once it has the lock. */
  left: { reason: unknown } | undefined;
  /** Whether the wait released the lock (so the real holder is nobody until it settles). */
  released: boolean;
}

type Party = Call | "try";

interface Model {
  now: number;
  /** The two signals of kind "shared". */
  readonly shared: AbortController[];
  timerSeq: number;
  locked: boolean;
  holder: Party | null;
  lockQueue: Call[];
  condQueues: [Call[], Call[]];
  calls: Call[];
  /** What the waitFor() predicates return: 0 (falsy) or a positive token. */
  ready: number;
}

interface Real {
  lock: Lock;
  conds: [Condition, Condition];
  holder: Party | null;
  ready: number;
  violations: string[];
}

type Spec = WaitSpec;

function name(party: Party | null): string {
  return party === null ? "nobody" : party === "try" ? "tryAcquire" : `#${party.id}`;
}

function hasTimer(call: Call): boolean {
  return call.deadline !== undefined && (call.phase === "cond" || (call.kind === "acquire" && call.phase === "lock"));
}

function hasListener(call: Call): boolean {
  return call.controller !== undefined && (call.phase === "cond" || (call.kind === "acquire" && call.phase === "lock"));
}

function settle(call: Call, expected: Expected): void {
  call.expected = expected;
  call.phase = "none";
}

/** A wait starts (or restarts) waiting on its condition: it released the lock. */
function enterCond(m: Model, call: Call): void {
  call.phase = "cond";
  call.timerSeq = m.timerSeq++;
  m.condQueues[call.cond]!.push(call);
}

/**
 * A waitFor() holds the lock with its predicate to check: it resolves, or
 * rejects at once, or waits again. Returns true if it keeps the lock.
 */
function roundEnd(m: Model, call: Call): boolean {
  if (m.ready) settle(call, { state: "fulfilled", value: m.ready });
  else if (call.controller?.signal.aborted) settle(call, { state: "rejected", reason: call.controller.signal.reason });
  else if (call.deadline !== undefined && call.deadline - m.now <= 0)
    settle(call, { state: "rejected", reason: TIMEOUT });
  else {
    enterCond(m, call);
    return false;
  }
  return true;
}

/** The lock goes to `call`. Returns true if it keeps it (false: a waitFor that waits again). */
function giveLockTo(m: Model, call: Call): boolean {
  m.holder = call;
  call.phase = "none";
  if (call.kind === "acquire") settle(call, { state: "fulfilled", value: true });
  else if (call.left !== undefined) settle(call, { state: "rejected", reason: call.left.reason });
  else if (call.kind === "wait") settle(call, { state: "fulfilled", value: true });
  else return roundEnd(m, call);
  return true;
}

/** release() in the model: hand-offs down the lock's queue until someone keeps the lock. */
function handOff(m: Model): void {
  for (;;) {
    const next = m.lockQueue.shift();
    if (next === undefined) {
      m.locked = false;
      m.holder = null;
      return;
    }
    if (giveLockTo(m, next)) return;
  }
}

/** A wait leaves its condition's queue (abort, timeout) and takes the lock back, or queues for it. */
function leaveCond(m: Model, call: Call, reason: unknown): void {
  const queue = m.condQueues[call.cond]!;
  queue.splice(queue.indexOf(call), 1);
  call.left = { reason };
  if (m.locked) {
    call.phase = "lock";
    m.lockQueue.push(call);
  } else {
    m.locked = true;
    giveLockTo(m, call);
  }
}

/** An outer acquirer leaves the lock's queue (abort, timeout). */
function leaveLock(m: Model, call: Call, reason: unknown): void {
  m.lockQueue.splice(m.lockQueue.indexOf(call), 1);
  settle(call, { state: "rejected", reason });
}

function describeReal(call: Call): string {
  const now = call.tracked.current;
  const head = `#${call.id} ${call.kind}`;
  if (now.state === "pending") return `${head} pending`;
  if (now.state === "fulfilled") return `${head} fulfilled ${String(now.value)}`;
  if (call.controller?.signal.aborted && now.reason === call.controller.signal.reason)
    return `${head} rejected: its signal's reason`;
  if (now.reason instanceof TimeoutError) return `${head} rejected: TimeoutError`;
  if (now.reason instanceof InvalidStateError) return `${head} rejected: InvalidStateError`;
  return `${head} rejected: unexpected ${String(now.reason)}`;
}

function describeExpected(call: Call): string {
  const want = call.expected;
  const head = `#${call.id} ${call.kind}`;
  if (want.state === "pending") return `${head} pending`;
  if (want.state === "fulfilled") return `${head} fulfilled ${String(want.value)}`;
  const reason =
    want.reason === TIMEOUT ? "TimeoutError" : want.reason === INVALID ? "InvalidStateError" : "its signal's reason";
  return `${head} rejected: ${reason}`;
}

function render(locked: boolean, waiters: number): string {
  return `<Condition [${locked ? "locked" : "unlocked"}${waiters > 0 ? `, waiters:${waiters}` : ""}]>`;
}

/** Flushes the microtasks, then compares the real objects with the model and checks C1–C3. */
async function verify(m: Model, r: Real): Promise<void> {
  await flush();
  same(r.violations, []); // C1, checked as each wait settles
  const [a, b] = r.conds;
  const [qa, qb] = m.condQueues;
  samePicture(
    m,
    [
      `locked ${a.locked()} ${b.locked()} ${r.lock.locked()}, lock waiters ${r.lock.waiters}, held by ${name(r.holder)}`,
      `${String(a)} ${String(b)}, waiters ${a.waiters} ${b.waiters}`,
    ],
    [
      `locked ${m.locked} ${m.locked} ${m.locked}, lock waiters ${m.lockQueue.length}, held by ${name(m.holder)}`,
      `${render(m.locked, qa.length)} ${render(m.locked, qb.length)}, waiters ${qa.length} ${qb.length}`,
    ],
    {
      timers: m.calls.filter(hasTimer).length,
      listening: (c) => m.calls.filter((call) => call.controller === c && hasListener(call)).length,
    },
    { real: describeReal, expected: describeExpected },
  );
}

function newCall(
  m: Model,
  kind: Call["kind"],
  cond: number,
  spec: Spec,
  promise: Promise<unknown>,
  controller: AbortController | undefined,
): Call {
  const call: Call = {
    id: m.calls.length,
    kind,
    cond,
    controller,
    tracked: track(promise),
    expected: { state: "pending" },
    deadline: spec.timeout !== undefined && spec.timeout !== Infinity ? m.now + spec.timeout : undefined,
    timerSeq: 0,
    phase: "none",
    left: undefined,
    released: false,
  };
  m.calls.push(call);
  return call;
}

// ---------------------------------------------------------------- commands

type ConditionCommand = fc.AsyncCommand<Model, Real>;

/** An outer caller takes the lock: cond.acquire(), cond.hold() or the shared lock's own acquire(). */
class Acquire implements ConditionCommand {
  constructor(
    readonly via: "cond.acquire" | "cond.hold" | "lock.acquire",
    readonly spec: Spec,
    readonly reasonKind: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const id = m.calls.length;
    const controller = controllerFor(m, id, this.spec, this.reasonKind);
    const options = optionsFor(this.spec, controller);
    const promise: Promise<unknown> =
      this.via === "cond.acquire"
        ? r.conds[0].acquire(options)
        : this.via === "cond.hold"
          ? r.conds[1].hold(options).then(() => true)
          : r.lock.acquire(options);
    const call = newCall(m, "acquire", 0, this.spec, promise, controller);
    promise.then(
      () => {
        if (r.holder !== null) r.violations.push(`#${id} got the lock while ${name(r.holder)} holds it`);
        r.holder = call;
      },
      () => {},
    );
    if (controller?.signal.aborted) settle(call, { state: "rejected", reason: controller.signal.reason });
    else if (!m.locked) {
      m.locked = true;
      giveLockTo(m, call);
    } else if (this.spec.timeout === 0) settle(call, { state: "rejected", reason: TIMEOUT });
    else {
      call.phase = "lock";
      call.timerSeq = m.timerSeq++;
      m.lockQueue.push(call);
    }
    await verify(m, r);
  }
  toString(): string {
    return `${this.via}({signal: ${this.spec.signal}, timeout: ${this.spec.timeout}})`;
  }
}

class TryAcquire implements ConditionCommand {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const got = r.conds[1].tryAcquire();
    if (got !== !m.locked) expect(got).toBe(!m.locked);
    if (got) {
      if (r.holder !== null) r.violations.push(`tryAcquire succeeded while ${name(r.holder)} holds the lock`);
      m.locked = true;
      m.holder = r.holder = "try";
    }
    await verify(m, r);
  }
  toString(): string {
    return "tryAcquire()";
  }
}

class Release implements ConditionCommand {
  constructor(readonly via: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const target = this.via === 2 ? r.lock : r.conds[this.via]!;
    if (!m.locked) expectThrow(() => target.release(), InvalidStateError);
    else {
      r.holder = null;
      target.release();
      handOff(m);
    }
    await verify(m, r);
  }
  toString(): string {
    return `${this.via === 2 ? "lock" : `cond${this.via}`}.release()`;
  }
}

/** The holder calls wait() or waitFor() on a condition; without the lock it is InvalidStateError. */
class Wait implements ConditionCommand {
  constructor(
    readonly kind: "wait" | "waitFor",
    readonly cond: number,
    readonly spec: Spec,
    readonly reasonKind: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const id = m.calls.length;
    const controller = controllerFor(m, id, this.spec, this.reasonKind);
    const options = optionsFor(this.spec, controller);
    const cond = r.conds[this.cond]!;
    const byHolder = r.holder;
    // C1: the predicate only ever runs with the lock held.
    const predicate = (): number => {
      if (!cond.locked()) r.violations.push(`#${id}'s predicate called without the lock`);
      return r.ready;
    };
    const promise: Promise<unknown> = this.kind === "wait" ? cond.wait(options) : cond.waitFor(predicate, options);
    const call = newCall(m, this.kind, this.cond, this.spec, promise, controller);
    // C1: when it settles, the caller holds the lock and nobody else claims it.
    const onSettle = (): void => {
      if (call.expected.state === "rejected" && call.expected.reason === INVALID) return;
      const claimed = call.released ? null : byHolder;
      if (!cond.locked() || r.holder !== claimed)
        r.violations.push(`#${id} settled with ${String(cond)}, held by ${name(r.holder)}`);
      r.holder = call;
    };
    promise.then(onSettle, onSettle);

    if (!m.locked) settle(call, { state: "rejected", reason: INVALID });
    else if (controller?.signal.aborted) {
      m.holder = call;
      settle(call, { state: "rejected", reason: controller.signal.reason });
    } else {
      m.holder = call;
      let keeps: boolean;
      if (this.kind === "waitFor") keeps = roundEnd(m, call);
      else if (this.spec.timeout === 0) {
        settle(call, { state: "rejected", reason: TIMEOUT });
        keeps = true;
      } else {
        enterCond(m, call);
        keeps = false;
      }
      if (!keeps) {
        call.released = true;
        r.holder = null;
        handOff(m);
      }
    }
    await verify(m, r);
  }
  toString(): string {
    const { signal, timeout } = this.spec;
    return `cond${this.cond}.${this.kind}(${this.kind === "waitFor" ? "predicate, " : ""}{signal: ${signal}, timeout: ${timeout}})`;
  }
}

class Notify implements ConditionCommand {
  constructor(
    readonly cond: number,
    readonly n: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const cond = r.conds[this.cond]!;
    const notify = (): void => (this.n === Infinity ? cond.notifyAll() : cond.notify(this.n));
    if (!m.locked) expectThrow(notify, InvalidStateError);
    else {
      const before = cond.waiters;
      notify();
      // C2: waiters drops at once by the number woken.
      if (cond.waiters !== before - Math.min(this.n, before))
        r.violations.push(`C2: notify(${this.n}) took waiters from ${before} to ${cond.waiters}`);
      // C2: the oldest still queued are woken; they queue for the lock.
      const queue = m.condQueues[this.cond]!;
      for (const call of queue.splice(0, Math.min(this.n, queue.length))) {
        call.phase = "lock";
        m.lockQueue.push(call);
      }
    }
    await verify(m, r);
  }
  toString(): string {
    return this.n === Infinity ? `cond${this.cond}.notifyAll()` : `cond${this.cond}.notify(${this.n})`;
  }
}

/** The common pattern in one step: a notifier takes the free lock, notifies, and releases it. */
class NotifyCycle implements ConditionCommand {
  constructor(
    readonly cond: number,
    readonly n: number,
  ) {}
  check(m: Model): boolean {
    return !m.locked;
  }
  async run(m: Model, r: Real): Promise<void> {
    const cond = r.conds[this.cond]!;
    if (!cond.tryAcquire()) throw new Error(`tryAcquire() failed: ${String(cond)}, the model says unlocked`);
    cond.notify(this.n);
    r.holder = null;
    cond.release();
    m.locked = true;
    const queue = m.condQueues[this.cond]!;
    for (const call of queue.splice(0, Math.min(this.n, queue.length))) {
      call.phase = "lock";
      m.lockQueue.push(call);
    }
    handOff(m);
    await verify(m, r);
  }
  toString(): string {
    return `cond${this.cond}: tryAcquire(), notify(${this.n}), release()`;
  }
}

class SetReady implements ConditionCommand {
  constructor(readonly value: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    m.ready = r.ready = this.value;
    await verify(m, r);
  }
  toString(): string {
    return `ready = ${this.value}`;
  }
}

/**
 * An abort in the model. Its waiters, in the order they started waiting
 * with it: one waiting for a notification leaves and takes the lock back; a
 * queued outer acquirer leaves. Re-acquiring, holding or settled: nothing
 * changes now.
 */
function abortWaiters(m: Model, controller: AbortController): void {
  const waiting = m.calls
    .filter((call) => call.controller === controller && hasListener(call))
    .sort((a, b) => a.timerSeq - b.timerSeq);
  for (const call of waiting) {
    if (call.phase === "cond") leaveCond(m, call, controller.signal.reason);
    else leaveLock(m, call, controller.signal.reason);
  }
}

/** Time passes in the model: the calls whose timers are due leave, earliest first. */
function expireTimers(m: Model, ms: number): void {
  m.now += ms;
  const due = m.calls
    .filter((call) => hasTimer(call) && call.deadline! <= m.now)
    .sort((a, b) => a.deadline! - b.deadline! || a.timerSeq - b.timerSeq);
  for (const call of due) {
    if (call.kind === "acquire") leaveLock(m, call, TIMEOUT);
    else leaveCond(m, call, TIMEOUT);
  }
}

const specArb = fc.record({
  signal: signalArb,
  timeout: timeoutArb,
});
const condArb = fc.integer({ min: 0, max: 1 });

const commandsArb = fc.commands(
  [
    fc
      .tuple(fc.constantFrom<Acquire["via"]>("cond.acquire", "cond.hold", "lock.acquire"), specArb, reasonKindArb)
      .map(([via, spec, kind]) => new Acquire(via, spec, kind)),
    fc.constant(new TryAcquire()),
    fc.integer({ min: 0, max: 2 }).map((via) => new Release(via)),
    fc.integer({ min: 0, max: 2 }).map((via) => new Release(via)),
    fc
      .tuple(fc.constantFrom<Wait["kind"]>("wait", "waitFor"), condArb, specArb, reasonKindArb)
      .map(([kind, cond, spec, reasonKind]) => new Wait(kind, cond, spec, reasonKind)),
    fc
      .tuple(fc.constantFrom<Wait["kind"]>("wait", "waitFor"), condArb, specArb, reasonKindArb)
      .map(([kind, cond, spec, reasonKind]) => new Wait(kind, cond, spec, reasonKind)),
    fc.tuple(condArb, fc.constantFrom(0, 1, 1, 2, 3, Infinity)).map(([cond, n]) => new Notify(cond, n)),
    fc.tuple(condArb, fc.constantFrom(1, 1, 2, Infinity)).map(([cond, n]) => new NotifyCycle(cond, n)),
    fc.tuple(condArb, fc.constantFrom(1, 1, 2, Infinity)).map(([cond, n]) => new NotifyCycle(cond, n)),
    fc.constantFrom(0, 0, 1, 2).map((value) => new SetReady(value)),
    ...abortAndAdvanceArbs<Model, Real>(abortWaiters, expireTimers, verify),
  ],
  commandsSettings,
);

useFakeTimersPerTest();

modelTest(
  "condition",
  "sequential model",
  "two Conditions on one Lock match the model of both queues (C1–C3)",
  2000,
  fc.asyncProperty(commandsArb, async (commands) => {
    const m: Model = {
      now: 0,
      shared: [new AbortController(), new AbortController()],
      timerSeq: 0,
      locked: false,
      holder: null,
      lockQueue: [],
      condQueues: [[], []],
      calls: [],
      ready: 0,
    };
    const lock = new Lock();
    const r: Real = {
      lock,
      conds: [new Condition(lock), new Condition(lock)],
      holder: null,
      ready: 0,
      violations: [],
    };
    await runCommands(m, r, commands);
    // Drain: make the predicates true, take the lock, wake everyone,
    // and release until the lock is free; nobody is left pending.
    await new SetReady(1).run(m, r);
    for (let round = 0; round < 100 && (m.locked || m.calls.some((call) => call.phase !== "none")); round++) {
      if (!m.locked) await new Acquire("lock.acquire", { signal: "none", timeout: undefined }, 0).run(m, r);
      await new Notify(0, Infinity).run(m, r);
      await new Notify(1, Infinity).run(m, r);
      await new Release(2).run(m, r);
    }
    same(
      {
        pending: pendingIds(m.calls),
        locked: lock.locked(),
        timers: jest.getTimerCount(),
      },
      { pending: [], locked: false, timers: 0 },
    );
  }),
);

// ---------------------------------------------------------------- interleavings

interface Actor extends ActorSignals {
  readonly role: "producer" | "waitFor consumer" | "wait-loop consumer";
}

const actorArb = fc.record({
  role: fc.constantFrom<Actor["role"]>("producer", "waitFor consumer", "wait-loop consumer"),
  ...actorSignalsArbs,
});

modelTest(
  "condition",
  "interleavings",
  "producers and consumers in scheduler-chosen order keep C1–C4",
  1000,
  // Actors: 1–8 producers (add an item, notify one) and consumers (wait
  // for an item with waitFor() or a hand-written `while` around wait(),
  // with or without a signal and a timeout), each starting when the
  // scheduler says, pausing inside its critical section for a scheduled
  // step; aborts of signals and jumps of the clock are scheduled too.
  // What would break: two tasks inside the critical section at once, a
  // wait() that settles without the lock (C1), a notification spent on a
  // waiter that left (C2, seen as C4: an item left over while a consumer
  // still waits), a consumer that takes an item that is not there.
  actorsProperty(actorArb, async (actors, advances, s) => {
    const cond = new Condition();
    const problems: string[] = [];
    let items = 0;
    let inside = 0;
    const enter = (who: string): void => {
      if (++inside !== 1 || !cond.locked()) problems.push(`C1: ${who} inside with ${inside - 1} other(s)`);
    };
    // waitFor() with an aborted signal rejects even when an item is there:
    // whether its signal had aborted when it called waitFor().
    const preAborted = actors.map(() => false);
    const consumed = actors.map(() => false);
    const run = startActors(s, actors, advances, (actor, i, options) =>
      cond.run(async () => {
        enter(`${i}`);
        try {
          await s.schedule(Promise.resolve(), `inside ${i}`);
          if (actor.role === "producer") {
            items++;
            cond.notify();
            return;
          }
          inside--;
          try {
            if (actor.role === "waitFor consumer") {
              preAborted[i] = options.signal?.aborted ?? false;
              await cond.waitFor(() => items > 0, options);
            } else while (items === 0) await cond.wait(options);
          } finally {
            enter(`${i}, back from waiting`);
          }
          if (items <= 0) problems.push(`${i} took an item that is not there`);
          items--;
          consumed[i] = true;
        } finally {
          inside--;
        }
      }),
    );

    await s.waitIdle();
    await tick();
    // C4: idle with an item left over means nobody waits for one.
    if (items > 0 && cond.waiters > 0) problems.push(`C4: ${items} item(s) left, ${String(cond)}`);
    // Feed whoever still waits, then let everyone finish.
    await cond.run(() => {
      items += cond.waiters;
      cond.notifyAll();
    });
    await s.waitIdle();
    await tick();

    const verdicts = run.outcomes.map((o, i) => describeActor(o.current, i, run.reasons[i]!, consumed[i]!, actors[i]!));
    expectCleanEnd(
      problems,
      verdicts,
      verdicts.map((verdict, i) => allowed(verdict, i, actors[i]!, preAborted[i]!)),
      run.controllers,
      { name: "cond", real: String(cond), expected: "<Condition [unlocked]>" },
    );
  }),
);

function describeActor(now: Tracked<unknown>, i: number, reason: Error, consumed: boolean, actor: Actor): string {
  if (now.state === "pending") return `${i} pending`;
  if (now.state === "fulfilled")
    return actor.role === "producer" ? `${i} produced` : consumed ? `${i} consumed` : `${i} resolved, consumed nothing`;
  if (now.reason === reason) return `${i} rejected: its reason`;
  if (now.reason instanceof TimeoutError) return `${i} rejected: TimeoutError`;
  return `${i} rejected: unexpected ${String(now.reason)}`;
}

/** `verdict` if the actor's settings allow it, else a list of what they allow. */
function allowed(verdict: string, i: number, actor: Actor, preAborted: boolean): string {
  if (preAborted) return verdict === `${i} rejected: its reason` ? verdict : `${i}: rejected with its reason`;
  const ok = [actor.role === "producer" ? `${i} produced` : `${i} consumed`];
  if (actor.role === "producer") return ok.includes(verdict) ? verdict : `${i}: ${ok[0]}`;
  if (actor.signal && actor.abort) ok.push(`${i} rejected: its reason`);
  if (actor.timeout !== undefined) ok.push(`${i} rejected: TimeoutError`);
  return ok.includes(verdict) ? verdict : `${i}: one of ${ok.join(" | ")}`;
}
