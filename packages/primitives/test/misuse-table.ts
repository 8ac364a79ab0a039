// The misuse catalogue: every bad input and every misuse of every public
// call of every package, one row each, with the error it must raise, a
// fragment of its message, whether it throws (constructors, synchronous
// methods) or rejects (every method that returns a promise: API.md says those
// never throw), and the state afterwards. Waiting calls also list the errors
// they meet in normal use (an abort, a timeout, a broken barrier), so that
// docs/errors.md, which is rendered from this table, lists every error of
// every call.
//
// packages/primitives/test/misuse.test.ts runs every row and checks the
// observers named in `observe()` before and after; it also renders the table
// with `renderErrorsMarkdown()` and compares it with docs/errors.md.

import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  InvalidStateError,
  KeyedLock,
  Lock,
  RWLock,
  Semaphore,
  TimeoutError,
  WaiterQueue,
  withTimeout,
} from "@sync/primitives";

/** The error a row expects: a class, or `signal.reason` (the abort reason itself). */
export type ErrorName =
  "TypeError" | "RangeError" | "InvalidStateError" | "BrokenBarrierError" | "TimeoutError" | "signal.reason";

/** The classes behind the names of {@link ErrorName}; a row matches its class exactly, not a subclass. */
export const errorClasses = { TypeError, RangeError, InvalidStateError, BrokenBarrierError, TimeoutError } as const;

/** What a row's `setup()` builds. */
export interface Subject {
  /** The objects whose observers must be unchanged afterwards (or changed as the row says). */
  readonly targets: Readonly<Record<string, object>>;
  /** The controller of the signal the call waits with: no listener may be left on it. */
  readonly controller?: AbortController;
  /** What a `signal.reason` row must reject with, by identity. */
  readonly reason?: unknown;
}

/** One row of the catalogue. */
export interface MisuseRow {
  readonly pkg: string;
  /** The call, as the docs show it, e.g. "`lock.release()`". */
  readonly call: string;
  /** The bad input or the state that makes it fail. */
  readonly when: string;
  readonly error: ErrorName;
  /** A fragment the error's message must contain. */
  readonly message: string;
  readonly mode: "throws" | "rejects";
  /** The state afterwards, in words, for the docs. */
  readonly after: string;
  /** Builds the objects in the state the row needs. */
  readonly setup: () => Subject;
  /** Makes the call. */
  readonly act: (subject: Subject) => unknown;
  /** Runs once the call is made and the microtasks have run: an abort, a timeout, a reset(). */
  readonly then?: (subject: Subject, advance: (ms: number) => void) => void;
  /** Observers that change, with their values afterwards (see `observe()`); all others must not change. */
  readonly changes?: Readonly<Record<string, unknown>>;
}

const OBSERVERS = [
  "value",
  "waiters",
  "nWaiting",
  "broken",
  "parties",
  "length",
  "calls",
  "readers",
  "writing",
  "size",
] as const;

/**
 * The public observers of every target, flat: `lock.locked()`, `sem.value`,
 * `event.isSet()`, `barrier.broken`, `String(lock)`…, and the `calls` count
 * of a probe (a callback that must not have been called).
 */
export function observe(subject: Subject): Record<string, unknown> {
  const seen: Record<string, unknown> = {};
  for (const [name, target] of Object.entries(subject.targets)) {
    const t = target as Record<string, unknown>;
    if (typeof t.locked === "function") seen[`${name}.locked()`] = (t.locked as () => boolean).call(t);
    if (typeof t.isSet === "function") seen[`${name}.isSet()`] = (t.isSet as () => boolean).call(t);
    for (const key of OBSERVERS) if (key in t) seen[`${name}.${key}`] = t[key];
    if (Object.getPrototypeOf(t) !== Object.prototype) seen[`String(${name})`] = String(target);
  }
  return seen;
}

// ---------------------------------------------------------------- builders

function stopReason(): Error {
  return new Error("stopped by the caller");
}

/** `targets` with an already aborted signal. */
function aborted(targets: Record<string, object>): Subject {
  const controller = new AbortController();
  const reason = stopReason();
  controller.abort(reason);
  return { targets, controller, reason };
}

/** `targets` with a signal that has not aborted yet. */
function live(targets: Record<string, object>): Subject {
  return { targets, controller: new AbortController(), reason: stopReason() };
}

/** Bad `options` values every waiting call refuses. */
const BAD_OPTIONS: readonly { when: string; options: unknown; error: ErrorName; message: string }[] = [
  { when: "`options` is not an object (`5`)", options: 5, error: "TypeError", message: "options must be an object" },
  {
    when: '`options` is a string (`"fast"`)',
    options: "fast",
    error: "TypeError",
    message: "options must be an object",
  },
  {
    when: '`timeout` is not a number (`"10"`)',
    options: { timeout: "10" },
    error: "TypeError",
    message: "timeout must be a number",
  },
  { when: "`timeout` is `null`", options: { timeout: null }, error: "TypeError", message: "timeout must be a number" },
  {
    when: "`timeout` is negative (`-1`)",
    options: { timeout: -1 },
    error: "RangeError",
    message: "timeout must be >= 0",
  },
  { when: "`timeout` is `NaN`", options: { timeout: NaN }, error: "RangeError", message: "timeout must be >= 0" },
  {
    when: "`signal` is not an `AbortSignal` (`{}`)",
    options: { signal: {} },
    error: "TypeError",
    message: "signal must be an AbortSignal",
  },
  {
    when: "`signal` is `null`",
    options: { signal: null },
    error: "TypeError",
    message: "signal must be an AbortSignal",
  },
];

interface WaitingCall {
  readonly pkg: string;
  readonly call: string;
  /** Targets where the call could succeed at once (bad options and an aborted signal are tried there). */
  readonly free: () => Record<string, object>;
  /** Targets where the call has to wait. */
  readonly busy: () => Record<string, object>;
  /** Targets for `timeout: 0` (default: `busy`). */
  readonly refused?: () => Record<string, object>;
  readonly invoke: (targets: Record<string, object>, options: unknown) => unknown;
  /** Observer changes once the call has waited (a waitFor() predicate called once). */
  readonly waitedChanges?: Record<string, unknown>;
  /** The state after a timeout or an abort while waiting, in words (default: "unchanged"). */
  readonly waitedAfter?: string;
  /** Observer changes when `timeout: 0` refuses to wait. */
  readonly refusedChanges?: Record<string, unknown>;
  /** The state after `timeout: 0`, in words (default: "unchanged"). */
  readonly refusedAfter?: string;
}

/** The rows every waiting call has: bad options, an aborted signal, `timeout: 0`, a timeout, an abort. */
function waitingRows(spec: WaitingCall): MisuseRow[] {
  const { pkg, call, free, busy, invoke } = spec;
  const rows: MisuseRow[] = BAD_OPTIONS.map(({ when, options, error, message }) => ({
    pkg,
    call,
    when,
    error,
    message,
    mode: "rejects",
    after: "unchanged",
    setup: () => ({ targets: free() }),
    act: (s) => invoke(s.targets, options),
  }));
  const waited = spec.waitedAfter ?? "unchanged";
  rows.push(
    {
      pkg,
      call,
      when: "`signal` has already aborted (even where it could succeed at once)",
      error: "signal.reason",
      message: "stopped by the caller",
      mode: "rejects",
      after: "unchanged",
      setup: () => aborted(free()),
      act: (s) => invoke(s.targets, { signal: s.controller!.signal }),
    },
    {
      pkg,
      call,
      when: "`timeout: 0` and it would have to wait",
      error: "TimeoutError",
      message: "without waiting",
      mode: "rejects",
      after: spec.refusedAfter ?? "unchanged",
      setup: () => ({ targets: (spec.refused ?? busy)() }),
      act: (s) => invoke(s.targets, { timeout: 0 }),
      changes: spec.refusedChanges,
    },
    {
      pkg,
      call,
      when: "`timeout` runs out while it waits",
      error: "TimeoutError",
      message: "timed out while waiting",
      mode: "rejects",
      after: waited,
      setup: () => ({ targets: busy() }),
      act: (s) => invoke(s.targets, { timeout: 10 }),
      then: (_, advance) => advance(10),
      changes: spec.waitedChanges,
    },
    {
      pkg,
      call,
      when: "`signal` aborts while it waits",
      error: "signal.reason",
      message: "stopped by the caller",
      mode: "rejects",
      after: waited,
      setup: () => live(busy()),
      act: (s) => invoke(s.targets, { signal: s.controller!.signal }),
      then: (s) => s.controller!.abort(s.reason),
      changes: spec.waitedChanges,
    },
  );
  return rows;
}

/** Rows for the lock-like trio acquire/hold/run on `make()`'s object (`name`, or the `target` it picks). */
function lockLikeRows(
  pkg: string,
  name: string,
  make: (busy: boolean) => Record<string, object>,
  target: (t: Record<string, object>) => Pick<Lock, "acquire" | "hold" | "run"> = (t) => t[name] as Lock,
): MisuseRow[] {
  return [
    ...waitingRows({
      pkg,
      call: `\`${name}.acquire(options)\``,
      free: () => make(false),
      busy: () => make(true),
      invoke: (t, options) => target(t).acquire(options as never),
    }),
    ...waitingRows({
      pkg,
      call: `\`${name}.hold(options)\``,
      free: () => make(false),
      busy: () => make(true),
      invoke: (t, options) => target(t).hold(options as never),
    }),
    ...waitingRows({
      pkg,
      call: `\`${name}.run(fn, options)\``,
      free: () => ({ ...make(false), fn: { calls: 0 } }),
      busy: () => ({ ...make(true), fn: { calls: 0 } }),
      invoke: (t, options) => {
        const fn = t.fn as { calls: number };
        return target(t).run(() => fn.calls++, options as never);
      },
    }),
    ...[5, undefined, "fn"].map((fn): MisuseRow => ({
      pkg,
      call: `\`${name}.run(fn, options)\``,
      when: `\`fn\` is not a function (\`${String(fn === "fn" ? '"fn"' : fn)}\`)`,
      error: "TypeError",
      message: "fn must be a function",
      mode: "rejects",
      after: "unchanged: nothing is acquired",
      setup: () => ({ targets: make(false) }),
      act: (s) => target(s.targets).run(fn as never),
    })),
  ];
}

/** Constructor rows: `values` each make `new ctor(value)` throw. */
function constructorRows(
  pkg: string,
  call: string,
  make: (value: unknown) => unknown,
  values: readonly { value: unknown; shown: string; error: ErrorName; message: string }[],
): MisuseRow[] {
  return values.map(({ value, shown, error, message }) => ({
    pkg,
    call,
    when: shown,
    error,
    message,
    mode: "throws",
    after: "no object is made",
    setup: () => ({ targets: {} }),
    act: () => make(value),
  }));
}

function countRows(
  name: string,
  error: ErrorName,
  message: string,
): { value: unknown; shown: string; error: ErrorName; message: string }[] {
  if (error === "TypeError")
    return [
      { value: "1", shown: `\`${name}\` is not a number (\`"1"\`)`, error, message },
      { value: null, shown: `\`${name}\` is \`null\``, error, message },
    ];
  return [
    { value: -1, shown: `\`${name}\` is negative (\`-1\`)`, error, message },
    { value: 1.5, shown: `\`${name}\` is not an integer (\`1.5\`)`, error, message },
    { value: NaN, shown: `\`${name}\` is \`NaN\``, error, message },
    { value: Infinity, shown: `\`${name}\` is \`Infinity\``, error, message },
    { value: 2 ** 53, shown: `\`${name}\` is above \`Number.MAX_SAFE_INTEGER\``, error, message },
  ];
}

// ---------------------------------------------------------------- subjects

function heldLock(busy: boolean): Record<string, object> {
  const lock = new Lock();
  if (busy) lock.tryAcquire();
  return { lock };
}

/**
 * A Condition on its own Lock, the lock held or not. `queued`: another
 * caller waits for the lock too, so a wait() that wrongly let go of the lock
 * would hand it over for good.
 */
function heldCondition(held: boolean, queued = false): Record<string, object> {
  const lock = new Lock();
  const cond = new Condition(lock);
  if (held) cond.tryAcquire();
  if (queued) void lock.acquire();
  return { cond, lock };
}

function semaphore(Class: typeof Semaphore, name: string) {
  return (busy: boolean): Record<string, object> => ({ [name]: new Class(busy ? 0 : 1) });
}

/** An operation that waits until its signal aborts, then rejects with the reason. */
function waitForAbort(calls: { calls: number }) {
  return (signal: AbortSignal): Promise<never> => {
    calls.calls++;
    return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
  };
}

// ---------------------------------------------------------------- the table

const core: MisuseRow[] = [
  ...[
    {
      op: 5,
      ms: 10,
      options: undefined,
      when: "`operation` is not a function (`5`)",
      error: "TypeError",
      message: "operation must be a function",
    },
    {
      op: "fn",
      ms: "10",
      options: undefined,
      when: '`ms` is not a number (`"10"`)',
      error: "TypeError",
      message: "ms must be a number",
    },
    {
      op: "fn",
      ms: -1,
      options: undefined,
      when: "`ms` is negative (`-1`)",
      error: "RangeError",
      message: "ms must be >= 0",
    },
    { op: "fn", ms: NaN, options: undefined, when: "`ms` is `NaN`", error: "RangeError", message: "ms must be >= 0" },
    {
      op: "fn",
      ms: 10,
      options: 5,
      when: "`options` is not an object (`5`)",
      error: "TypeError",
      message: "options must be an object",
    },
    {
      op: "fn",
      ms: 10,
      options: { signal: {} },
      when: "`options.signal` is not an `AbortSignal` (`{}`)",
      error: "TypeError",
      message: "signal must be an AbortSignal",
    },
  ].map(({ op, ms, options, when, error, message }): MisuseRow => ({
    pkg: "@sync/core",
    call: "`withTimeout(operation, ms, options)`",
    when,
    error: error as ErrorName,
    message,
    mode: "rejects",
    after: "`operation` is not called",
    setup: () => ({ targets: { operation: { calls: 0 } } }),
    act: (s) => {
      const calls = s.targets.operation as { calls: number };
      return withTimeout((op === "fn" ? waitForAbort(calls) : op) as never, ms as never, options as never);
    },
  })),
  {
    pkg: "@sync/core",
    call: "`withTimeout(operation, ms, options)`",
    when: "`options.signal` has already aborted",
    error: "signal.reason",
    message: "stopped by the caller",
    mode: "rejects",
    after: "`operation` is not called",
    setup: () => aborted({ operation: { calls: 0 } }),
    act: (s) =>
      withTimeout(waitForAbort(s.targets.operation as { calls: number }), 10, { signal: s.controller!.signal }),
  },
  {
    pkg: "@sync/core",
    call: "`withTimeout(operation, ms, options)`",
    when: "`ms` runs out before the operation settles (it honours its signal)",
    error: "TimeoutError",
    message: "timed out after 10 ms",
    mode: "rejects",
    after: "`operation` was called once; its timer and listener are gone",
    setup: () => ({ targets: { operation: { calls: 0 } } }),
    act: (s) => withTimeout(waitForAbort(s.targets.operation as { calls: number }), 10),
    then: (_, advance) => advance(10),
    changes: { "operation.calls": 1 },
  },
  {
    pkg: "@sync/core",
    call: "`withTimeout(operation, ms, options)`",
    when: "`options.signal` aborts before the operation settles",
    error: "signal.reason",
    message: "stopped by the caller",
    mode: "rejects",
    after: "`operation` was called once; its timer and listener are gone",
    setup: () => live({ operation: { calls: 0 } }),
    act: (s) =>
      withTimeout(waitForAbort(s.targets.operation as { calls: number }), 10, { signal: s.controller!.signal }),
    then: (s) => s.controller!.abort(s.reason),
    changes: { "operation.calls": 1 },
  },
  ...waitingRows({
    pkg: "@sync/core",
    call: "`queue.wait(options)`",
    free: () => ({ queue: new WaiterQueue() }),
    busy: () => ({ queue: new WaiterQueue() }),
    invoke: (t, options) => (t.queue as WaiterQueue<unknown>).wait(options as never),
  }),
];

const lock: MisuseRow[] = [
  {
    pkg: "@sync/lock",
    call: "`lock.release()`",
    when: "the lock is not locked",
    error: "InvalidStateError",
    message: "Lock is not acquired",
    mode: "throws",
    after: "unchanged",
    setup: () => ({ targets: heldLock(false) }),
    act: (s) => (s.targets.lock as Lock).release(),
  },
  ...lockLikeRows("@sync/lock", "lock", heldLock),
];

const event: MisuseRow[] = waitingRows({
  pkg: "@sync/event",
  call: "`event.wait(options)`",
  free: () => {
    const e = new Event();
    e.set();
    return { event: e };
  },
  busy: () => ({ event: new Event() }),
  invoke: (t, options) => (t.event as Event).wait(options as never),
});

const condition: MisuseRow[] = [
  ...constructorRows("@sync/condition", "`new Condition(lock)`", (value) => new Condition(value as never), [
    { value: {}, shown: "`lock` is a plain object (`{}`)", error: "TypeError", message: "lock must be a Lock" },
    { value: 1, shown: "`lock` is a number (`1`)", error: "TypeError", message: "lock must be a Lock" },
    { value: "lock", shown: '`lock` is a string (`"lock"`)', error: "TypeError", message: "lock must be a Lock" },
    { value: new Semaphore(1), shown: "`lock` is a `Semaphore`", error: "TypeError", message: "lock must be a Lock" },
    { value: new Condition(), shown: "`lock` is a `Condition`", error: "TypeError", message: "lock must be a Lock" },
  ]),
  {
    pkg: "@sync/condition",
    call: "`cond.release()`",
    when: "the lock is not locked",
    error: "InvalidStateError",
    message: "Lock is not acquired",
    mode: "throws",
    after: "unchanged",
    setup: () => ({ targets: heldCondition(false) }),
    act: (s) => (s.targets.cond as Condition).release(),
  },
  ...lockLikeRows("@sync/condition", "cond", heldCondition),
  {
    pkg: "@sync/condition",
    call: "`cond.wait(options)`",
    when: "the lock is not held",
    error: "InvalidStateError",
    message: "cannot wait on un-acquired lock",
    mode: "rejects",
    after: "unchanged",
    setup: () => ({ targets: heldCondition(false) }),
    act: (s) => (s.targets.cond as Condition).wait(),
  },
  // Held, with another caller queued for the lock: bad options, an aborted
  // signal and `timeout: 0` reject without releasing the lock (it would go
  // to that caller); a timeout or an abort while waiting rejects once the
  // lock is back.
  ...waitingRows({
    pkg: "@sync/condition",
    call: "`cond.wait(options)`",
    free: () => heldCondition(true, true),
    busy: () => heldCondition(true),
    refused: () => heldCondition(true, true),
    invoke: (t, options) => (t.cond as Condition).wait(options as never),
    waitedAfter: "unchanged: the lock is held again when it rejects",
  }),
  ...[5, undefined, "x"].map((predicate): MisuseRow => ({
    pkg: "@sync/condition",
    call: "`cond.waitFor(predicate, options)`",
    when: `\`predicate\` is not a function (\`${predicate === "x" ? '"x"' : String(predicate)}\`)`,
    error: "TypeError",
    message: "predicate must be a function",
    mode: "rejects",
    after: "unchanged (checked first, even without the lock)",
    setup: () => ({ targets: heldCondition(false) }),
    act: (s) => (s.targets.cond as Condition).waitFor(predicate as never),
  })),
  {
    pkg: "@sync/condition",
    call: "`cond.waitFor(predicate, options)`",
    when: "the lock is not held",
    error: "InvalidStateError",
    message: "cannot wait on un-acquired lock",
    mode: "rejects",
    after: "unchanged: the predicate is not called",
    setup: () => ({ targets: { ...heldCondition(false), predicate: { calls: 0 } } }),
    act: (s) => {
      const calls = s.targets.predicate as { calls: number };
      return (s.targets.cond as Condition).waitFor(() => calls.calls++ > 99);
    },
  },
  // `free`: the lock is held, another caller queued for it, and the
  // predicate is already true.
  ...waitingRows({
    pkg: "@sync/condition",
    call: "`cond.waitFor(predicate, options)`",
    free: () => ({ ...heldCondition(true, true), predicate: { calls: 0, returns: true } }),
    busy: () => ({ ...heldCondition(true), predicate: { calls: 0, returns: false } }),
    refused: () => ({ ...heldCondition(true, true), predicate: { calls: 0, returns: false } }),
    invoke: (t, options) => {
      const predicate = t.predicate as { calls: number; returns: boolean };
      return (t.cond as Condition).waitFor(() => (predicate.calls++, predicate.returns), options as never);
    },
    refusedChanges: { "predicate.calls": 1 },
    refusedAfter: "the lock is still held; the predicate was called once",
    waitedChanges: { "predicate.calls": 1 },
    waitedAfter: "the lock is held again; the predicate was called once",
  }),
  ...[
    { n: "1", shown: '`n` is not a number (`"1"`)', error: "TypeError", message: "n must be a number" },
    { n: -1, shown: "`n` is negative (`-1`)", error: "RangeError", message: "n must be an integer >= 0" },
    { n: 1.5, shown: "`n` is not an integer (`1.5`)", error: "RangeError", message: "n must be an integer >= 0" },
    { n: NaN, shown: "`n` is `NaN`", error: "RangeError", message: "n must be an integer >= 0" },
    {
      n: 2 ** 53,
      shown: "`n` is above `Number.MAX_SAFE_INTEGER`",
      error: "RangeError",
      message: "n must be an integer >= 0",
    },
  ].map(({ n, shown, error, message }): MisuseRow => ({
    pkg: "@sync/condition",
    call: "`cond.notify(n)`",
    when: shown,
    error: error as ErrorName,
    message,
    mode: "throws",
    after: "unchanged: nobody is woken",
    setup: () => ({ targets: heldCondition(true) }),
    act: (s) => (s.targets.cond as Condition).notify(n as never),
  })),
  ...(["notify", "notifyAll"] as const).map((method): MisuseRow => ({
    pkg: "@sync/condition",
    call: `\`cond.${method}(${method === "notify" ? "n" : ""})\``,
    when: "the lock is not held",
    error: "InvalidStateError",
    message: "cannot notify on un-acquired lock",
    mode: "throws",
    after: "unchanged",
    setup: () => ({ targets: heldCondition(false) }),
    act: (s) => (s.targets.cond as Condition)[method](),
  })),
];

const semaphores: MisuseRow[] = [
  ...(
    [
      [Semaphore, "sem", "Semaphore"],
      [BoundedSemaphore, "bounded", "BoundedSemaphore"],
    ] as const
  ).flatMap(([Class, name, className]) => [
    ...constructorRows("@sync/semaphore", `\`new ${className}(value)\``, (value) => new Class(value as never), [
      ...countRows("value", "TypeError", "value must be a number"),
      ...countRows("value", "RangeError", "value must be an integer >= 0"),
    ]),
    ...lockLikeRows("@sync/semaphore", name, semaphore(Class, name)),
  ]),
  ...[0, 2].map((value): MisuseRow => ({
    pkg: "@sync/semaphore",
    call: "`bounded.release()`",
    when: `nothing is acquired, so \`value\` would go above its start (\`new BoundedSemaphore(${value})\`)`,
    error: "RangeError",
    message: "BoundedSemaphore released too many times",
    mode: "throws",
    after: "unchanged",
    setup: () => ({ targets: { bounded: new BoundedSemaphore(value) } }),
    act: (s) => (s.targets.bounded as BoundedSemaphore).release(),
  })),
];

// Weighted acquire: a bad count of permits, and the BoundedSemaphore rules.
const BAD_PERMITS = [
  { n: "2", shown: '`n` is not a number (`"2"`)', error: "TypeError", message: "must be a number" },
  { n: 0, shown: "`n` is `0`", error: "RangeError", message: "must be an integer >= 1" },
  { n: -1, shown: "`n` is negative (`-1`)", error: "RangeError", message: "must be an integer >= 1" },
  { n: 1.5, shown: "`n` is not an integer (`1.5`)", error: "RangeError", message: "must be an integer >= 1" },
  { n: NaN, shown: "`n` is `NaN`", error: "RangeError", message: "must be an integer >= 1" },
] as const;

/** `acquire`, `hold` and `run` of `name` with `{ permits }`. */
function permitCalls(name: string): { call: string; invoke: (sem: Semaphore, permits: unknown) => unknown }[] {
  return [
    { call: `\`${name}.acquire({ permits: n })\``, invoke: (sem, permits) => sem.acquire({ permits } as never) },
    { call: `\`${name}.hold({ permits: n })\``, invoke: (sem, permits) => sem.hold({ permits } as never) },
    {
      call: `\`${name}.run(fn, { permits: n })\``,
      invoke: (sem, permits) => sem.run(() => undefined, { permits } as never),
    },
  ];
}

const weights: MisuseRow[] = [
  ...(
    [
      [Semaphore, "sem"],
      [BoundedSemaphore, "bounded"],
    ] as const
  ).flatMap(([Class, name]) => [
    ...permitCalls(name).flatMap(({ call, invoke }) =>
      BAD_PERMITS.map(({ n, shown, error, message }): MisuseRow => ({
        pkg: "@sync/semaphore",
        call,
        when: shown,
        error,
        message,
        mode: "rejects",
        after: "unchanged",
        setup: () => ({ targets: { [name]: new Class(2) } }),
        act: (s) => invoke(s.targets[name] as Semaphore, n),
      })),
    ),
    ...(["tryAcquire", "release"] as const).flatMap((method) =>
      BAD_PERMITS.map(({ n, shown, error, message }): MisuseRow => ({
        pkg: "@sync/semaphore",
        call: `\`${name}.${method}(n)\``,
        when: shown,
        error,
        message,
        mode: "throws",
        after: "unchanged",
        setup: () => ({ targets: { [name]: new Class(2) } }),
        act: (s) => (s.targets[name] as Semaphore)[method](n as never),
      })),
    ),
  ]),
  ...permitCalls("bounded").map(({ call, invoke }): MisuseRow => ({
    pkg: "@sync/semaphore",
    call,
    when: "`n` is 2 or more and above the initial value (`3` on `new BoundedSemaphore(2)`)",
    error: "RangeError",
    message: "permits exceed the bound",
    mode: "rejects",
    after: "unchanged: it could never be granted, so it does not wait",
    setup: () => ({ targets: { bounded: new BoundedSemaphore(2) } }),
    act: (s) => invoke(s.targets.bounded as Semaphore, 3),
  })),
  {
    pkg: "@sync/semaphore",
    call: "`bounded.release(n)`",
    when: "`value + n` would go above the initial value, even if waiters would take some (`release(4)` on `new BoundedSemaphore(3)` with all taken and 2 wanted)",
    error: "RangeError",
    message: "BoundedSemaphore released too many times",
    mode: "throws",
    after: "unchanged: nothing is handed over",
    setup: () => {
      const bounded = new BoundedSemaphore(3);
      bounded.tryAcquire(3);
      void bounded.acquire({ permits: 2 } as never);
      return { targets: { bounded } };
    },
    act: (s) => (s.targets.bounded as BoundedSemaphore).release(4 as never),
  },
];

function brokenBarrier(): Record<string, object> {
  const barrier = new Barrier(2);
  barrier.abort();
  return { barrier };
}

const barrier: MisuseRow[] = [
  ...constructorRows("@sync/barrier", "`new Barrier(parties)`", (value) => new Barrier(value as never), [
    { value: undefined, shown: "`parties` is missing", error: "TypeError", message: "parties must be a number" },
    ...countRows("parties", "TypeError", "parties must be a number"),
    { value: 0, shown: "`parties` is `0`", error: "RangeError", message: "parties must be an integer >= 1" },
    ...countRows("parties", "RangeError", "parties must be an integer >= 1"),
  ]),
  // Bad options and an aborted signal are tried on Barrier(1), where the
  // call would release the cycle at once.
  ...waitingRows({
    pkg: "@sync/barrier",
    call: "`barrier.wait(options)`",
    free: () => ({ barrier: new Barrier(1) }),
    busy: () => ({ barrier: new Barrier(2) }),
    invoke: (t, options) => (t.barrier as Barrier).wait(options as never),
  }),
  {
    pkg: "@sync/barrier",
    call: "`barrier.wait(options)`",
    when: "the barrier is broken (after `abort()`, until `reset()`)",
    error: "BrokenBarrierError",
    message: "Barrier aborted",
    mode: "rejects",
    after: "unchanged: still broken",
    setup: () => ({ targets: brokenBarrier() }),
    act: (s) => (s.targets.barrier as Barrier).wait(),
  },
  {
    pkg: "@sync/barrier",
    call: "`barrier.wait(options)`",
    when: "`reset()` is called while it waits",
    error: "BrokenBarrierError",
    message: "Barrier reset",
    mode: "rejects",
    after: "unchanged: filling, empty",
    setup: () => ({ targets: { barrier: new Barrier(2) } }),
    act: (s) => (s.targets.barrier as Barrier).wait(),
    then: (s) => (s.targets.barrier as Barrier).reset(),
  },
  {
    pkg: "@sync/barrier",
    call: "`barrier.wait(options)`",
    when: "`abort()` is called while it waits",
    error: "BrokenBarrierError",
    message: "Barrier aborted",
    mode: "rejects",
    after: "broken, empty",
    setup: () => ({ targets: { barrier: new Barrier(2) } }),
    act: (s) => (s.targets.barrier as Barrier).wait(),
    then: (s) => (s.targets.barrier as Barrier).abort(),
    changes: { "barrier.broken": true, "String(barrier)": "<Barrier [broken]>" },
  },
];

// ---------------------------------------------------------------- rwlock

type RWState = "free" | "read" | "write";

/** An RWLock free, read-held or write-held. */
function rwLock(state: RWState): Record<string, object> {
  const rw = new RWLock();
  if (state === "read") rw.reader.tryAcquire();
  if (state === "write") rw.writer.tryAcquire();
  return { rw };
}

const rwlock: MisuseRow[] = [
  // A read waits while a writer holds the lock; a write while anyone does.
  ...lockLikeRows(
    "@sync/rwlock",
    "rw.reader",
    (busy) => rwLock(busy ? "write" : "free"),
    (t) => (t.rw as RWLock).reader,
  ),
  ...lockLikeRows(
    "@sync/rwlock",
    "rw.writer",
    (busy) => rwLock(busy ? "read" : "free"),
    (t) => (t.rw as RWLock).writer,
  ),
  ...(["free", "write"] as const).map((state): MisuseRow => ({
    pkg: "@sync/rwlock",
    call: "`rw.reader.release()`",
    when: state === "free" ? "the lock is not locked" : "a writer holds the lock (no read is held)",
    error: "InvalidStateError",
    message: "RWLock is not read-locked",
    mode: "throws",
    after: "unchanged",
    setup: () => ({ targets: rwLock(state) }),
    act: (s) => (s.targets.rw as RWLock).reader.release(),
  })),
  ...(["free", "read"] as const).flatMap((state): MisuseRow[] =>
    (["writer.release", "downgrade"] as const).map((method) => ({
      pkg: "@sync/rwlock",
      call: `\`rw.${method}()\``,
      when: state === "free" ? "the lock is not locked" : "readers hold the lock (it is not write-held)",
      error: "InvalidStateError",
      message: "RWLock is not write-locked",
      mode: "throws",
      after: "unchanged",
      setup: () => ({ targets: rwLock(state) }),
      act: (s) => {
        const rw = s.targets.rw as RWLock;
        if (method === "downgrade") rw.downgrade();
        else rw.writer.release();
      },
    })),
  ),
];

// ---------------------------------------------------------------- keyed

/** A KeyedLock, with key "b" held when busy. */
function keyedLock(busy: boolean): Record<string, object> {
  const keyed = new KeyedLock();
  if (busy) keyed.tryAcquire("b");
  return { keyed };
}

const BAD_KEYS: readonly { keys: unknown; shown: string; error: ErrorName; message: string }[] = [
  { keys: null, shown: "a key is `null`", error: "TypeError", message: "key must be a string or a number" },
  { keys: {}, shown: "a key is an object (`{}`)", error: "TypeError", message: "key must be a string or a number" },
  {
    keys: ["a", true],
    shown: "a key of the array is not a string or a number (`true`)",
    error: "TypeError",
    message: "key must be a string or a number",
  },
  { keys: NaN, shown: "a key is `NaN`", error: "RangeError", message: "key must be a finite number" },
  { keys: [1, Infinity], shown: "a key is `Infinity`", error: "RangeError", message: "key must be a finite number" },
];

const keyedCalls: readonly {
  call: string;
  mode: "throws" | "rejects";
  invoke: (keyed: KeyedLock, keys: unknown) => unknown;
}[] = [
  { call: "`keyed.acquire(keys, options)`", mode: "rejects", invoke: (k, keys) => k.acquire(keys as never) },
  { call: "`keyed.hold(keys, options)`", mode: "rejects", invoke: (k, keys) => k.hold(keys as never) },
  { call: "`keyed.run(keys, fn, options)`", mode: "rejects", invoke: (k, keys) => k.run(keys as never, () => 0) },
  { call: "`keyed.tryAcquire(keys)`", mode: "throws", invoke: (k, keys) => k.tryAcquire(keys as never) },
  { call: "`keyed.release(keys)`", mode: "throws", invoke: (k, keys) => k.release(keys as never) },
];

const keyed: MisuseRow[] = [
  ...keyedCalls.flatMap(({ call, mode, invoke }) =>
    BAD_KEYS.map(({ keys, shown, error, message }): MisuseRow => ({
      pkg: "@sync/keyed",
      call,
      when: shown,
      error,
      message,
      mode,
      after: "unchanged: no key is taken or released",
      setup: () => ({ targets: keyedLock(true) }),
      act: (s) => invoke(s.targets.keyed as KeyedLock, keys),
    })),
  ),
  {
    pkg: "@sync/keyed",
    call: "`keyed.release(keys)`",
    when: 'one of the keys is not held (`["b", "c"]`, only `"b"` held)',
    error: "InvalidStateError",
    message: "KeyedLock key c is not acquired",
    mode: "throws",
    after: "unchanged: nothing is released",
    setup: () => ({ targets: keyedLock(true) }),
    act: (s) => (s.targets.keyed as KeyedLock).release(["b", "c"]),
  },
  // `busy`: key "b" is held, so a call for ["b", "a"] takes "a" first, then
  // waits for "b": a timeout or an abort there must give "a" back.
  ...waitingRows({
    pkg: "@sync/keyed",
    call: "`keyed.acquire(keys, options)`",
    free: () => keyedLock(false),
    busy: () => keyedLock(true),
    invoke: (t, options) => (t.keyed as KeyedLock).acquire(["b", "a"], options as never),
  }),
  ...waitingRows({
    pkg: "@sync/keyed",
    call: "`keyed.hold(keys, options)`",
    free: () => keyedLock(false),
    busy: () => keyedLock(true),
    invoke: (t, options) => (t.keyed as KeyedLock).hold(["b", "a"], options as never),
  }),
  ...waitingRows({
    pkg: "@sync/keyed",
    call: "`keyed.run(keys, fn, options)`",
    free: () => ({ ...keyedLock(false), fn: { calls: 0 } }),
    busy: () => ({ ...keyedLock(true), fn: { calls: 0 } }),
    invoke: (t, options) => {
      const fn = t.fn as { calls: number };
      return (t.keyed as KeyedLock).run(["b", "a"], () => fn.calls++, options as never);
    },
  }),
  ...[5, undefined].map((fn): MisuseRow => ({
    pkg: "@sync/keyed",
    call: "`keyed.run(keys, fn, options)`",
    when: `\`fn\` is not a function (\`${String(fn)}\`)`,
    error: "TypeError",
    message: "fn must be a function",
    mode: "rejects",
    after: "unchanged: nothing is acquired",
    setup: () => ({ targets: keyedLock(false) }),
    act: (s) => (s.targets.keyed as KeyedLock).run("a", fn as never),
  })),
];

/** Every row, package by package. */
export const misuseTable: readonly MisuseRow[] = [
  ...core,
  ...lock,
  ...event,
  ...condition,
  ...semaphores,
  ...weights,
  ...barrier,
  ...rwlock,
  ...keyed,
];

// ---------------------------------------------------------------- docs

/** The marker before the generated part of docs/errors.md. */
export const DOCS_START = "<!-- errors-table:start -->";
/** The marker after the generated part of docs/errors.md. */
export const DOCS_END = "<!-- errors-table:end -->";

/**
 * The table as markdown: one section per package; within it, rows that
 * differ only in the call are merged (the calls listed together), then rows
 * that differ only in the bad input (the inputs listed together).
 */
export function renderErrorsMarkdown(rows: readonly MisuseRow[]): string {
  const out: string[] = [];
  const packages = [...new Set(rows.map((row) => row.pkg))];
  for (const pkg of packages) {
    const byWhen = new Map<string, { calls: string[]; row: MisuseRow }>();
    for (const row of rows.filter((r) => r.pkg === pkg)) {
      const key = [row.when, row.error, row.message, row.mode, row.after].join("\u0000");
      const line = byWhen.get(key);
      if (line === undefined) byWhen.set(key, { calls: [row.call], row });
      else if (!line.calls.includes(row.call)) line.calls.push(row.call);
    }
    const lines = new Map<string, { calls: string[]; whens: string[]; row: MisuseRow }>();
    for (const { calls, row } of byWhen.values()) {
      const key = [calls.join(), row.error, row.message, row.mode, row.after].join("\u0000");
      const line = lines.get(key);
      if (line === undefined) lines.set(key, { calls, whens: [row.when], row });
      else line.whens.push(row.when);
    }
    out.push(`### ${pkg}`, "", "| Call | When | Error | Message contains | Throws or rejects | State after |");
    out.push("| --- | --- | --- | --- | --- | --- |");
    for (const { calls, whens, row } of lines.values()) {
      const error = `\`${row.error}\``;
      const cells = [calls.join(", "), whens.join("; "), error, row.message, row.mode, row.after];
      out.push(`| ${cells.map((text) => text.replace(/\|/g, "\\|")).join(" | ")} |`);
    }
    out.push("");
  }
  return out.join("\n");
}
