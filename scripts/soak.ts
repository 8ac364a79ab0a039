/*
 * Soak test: drives a million mixed operations (acquire/hold/run, wait,
 * waitFor, notify, set/clear, reset/abort, withTimeout, with random aborts
 * and timeouts) through every primitive, from 64 concurrent tasks, with real
 * timers, then checks that nothing leaked:
 *
 *   - every waiting call that was made has settled (count created vs
 *     settled), each with a value or an expected error, and no invariant
 *     broke on the way (one lock holder, permits never exceeded, …);
 *   - every primitive is back at rest (unlocked, full, no waiters);
 *   - no abort listener is left on any signal the calls used
 *     (getEventListeners from node:events);
 *   - no timer is left (process.getActiveResourcesInfo()), and the process
 *     exits on its own: the parent watches the child do so;
 *   - the heap, after GC, grew by less than a small bound from a baseline
 *     taken after a warm-up.
 *
 * Usage:
 *   pnpm soak                     1,000,000 operations
 *   pnpm soak --short             100,000 operations (for CI)
 *   SOAK_OPS=250000 pnpm soak     any number
 *   SOAK_SEED=42                  the random seed (printed in the summary)
 *   SOAK_HEAP_LIMIT_MB=2          the heap growth allowed
 *
 * It imports @sync/primitives by name; tsx resolves that through the paths
 * of tsconfig.json to packages/*\/src, so no build is needed. `pnpm soak`
 * runs `tsx scripts/soak.ts`: this parent process re-runs the same file in
 * a child with node's --expose-gc (keeping tsx's loader flags), and fails if
 * the child fails or does not exit on its own once it is done.
 */
import { spawn } from "node:child_process";
import { getEventListeners } from "node:events";
import { fileURLToPath } from "node:url";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
  Semaphore,
  TimeoutError,
  withTimeout,
  type WaitOptions,
} from "@sync/primitives";

const DONE_MARKER = "soak: all checks done";

// ---------------------------------------------------------------- parent

/** Runs the soak in a child with --expose-gc; fails unless it passes and then exits by itself. */
function parent(): void {
  const args = [...process.execArgv, "--expose-gc", fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  const started = Date.now();
  const run = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, SOAK_CHILD: "1" },
  });
  let done = false;
  let tail = "";
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  run.stdout.setEncoding("utf8");
  run.stdout.on("data", (chunk: string) => {
    process.stdout.write(chunk);
    tail = (tail + chunk).slice(-200);
    if (!done && tail.includes(DONE_MARKER)) {
      done = true;
      // Once its work is done and its checks are printed, the child must exit
      // by itself: a pending timer or listener would keep it alive.
      watchdog = setTimeout(() => {
        console.error("soak: FAIL: the process did not exit on its own within 10 s: something keeps it alive");
        run.kill("SIGKILL");
      }, 10_000);
    }
  });
  run.on("exit", (code, signal) => {
    clearTimeout(watchdog);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (signal !== null) {
      console.error(`soak: FAIL: the child was killed (${signal}) after ${seconds} s`);
      process.exitCode = 1;
    } else if (!done) {
      console.error(`soak: FAIL: the child exited (code ${code}) before finishing its checks`);
      process.exitCode = 1;
    } else if (code !== 0) {
      console.error(`soak: FAIL (exit code ${code}) after ${seconds} s`);
      process.exitCode = code ?? 1;
    } else console.log(`soak: PASS: the child exited on its own; ${seconds} s in all`);
  });
}

// ---------------------------------------------------------------- child

/** A reason to abort with, so an abort rejection can be told from any other error. */
class SoakAbort extends Error {
  override name = "SoakAbort";
}

async function child(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("soak: the child needs --expose-gc");

  const short = process.argv.includes("--short");
  const totalOps = Number(process.env.SOAK_OPS ?? (short ? 100_000 : 1_000_000));
  if (!Number.isInteger(totalOps) || totalOps <= 0) throw new Error(`soak: SOAK_OPS must be a positive integer`);
  const heapLimit = Number(process.env.SOAK_HEAP_LIMIT_MB ?? 2) * 1024 * 1024;
  const seed = Number(process.env.SOAK_SEED ?? Date.now() % 2 ** 31);
  const workers = 64;

  // mulberry32: a small seeded generator, so a run can be repeated (up to
  // the timing of real timers).
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (n: number): number => Math.floor(random() * n);

  // ---- the primitives, and what each must be like at rest
  const lock = new Lock();
  const cond = new Condition();
  const event = new Event();
  const sem = new Semaphore(3);
  const bounded = new BoundedSemaphore(2);
  const barrier = new Barrier(3);
  let items = 0;

  // ---- bookkeeping
  const counts = {
    created: 0,
    settled: 0,
    fulfilled: 0,
    timedOut: 0,
    aborted: 0,
    broken: 0,
    aborts: 0,
    nudges: 0,
  };
  const perPrimitive: Record<string, number> = {};
  const unexpected: unknown[] = [];
  const violations: string[] = [];
  const violate = (message: string): void => {
    if (violations.length < 20) violations.push(message);
  };
  let lockHolders = 0;
  let semHolders = 0;
  let boundedHolders = 0;
  let condInside = 0;

  // Signals: a few long-lived ones that never abort, and fresh ones that the
  // aborter may abort while their call waits. A sample of the fresh ones is
  // kept (a fixed-size reservoir, so it does not grow the heap) to check for
  // listeners at the end.
  const shared = Array.from({ length: 8 }, () => new AbortController());
  const live: AbortController[] = [];
  const sample: AbortController[] = [];
  let freshCount = 0;
  const fresh = (): AbortSignal => {
    const controller = new AbortController();
    live.push(controller);
    if (live.length > 4096) live.splice(0, 2048);
    freshCount++;
    if (sample.length < 512) sample.push(controller);
    else if (pick(freshCount) < 512) sample[pick(512)] = controller;
    return controller.signal;
  };
  const options = (): WaitOptions | undefined => {
    const r = random();
    if (r < 0.4) return undefined;
    if (r < 0.6) return { signal: shared[pick(shared.length)]!.signal };
    if (r < 0.75) return { signal: fresh() };
    if (r < 0.88) return { timeout: pick(4) };
    // A timeout far beyond the run: a timer that a settled call failed to
    // clear would still be pending at the end, and keep the process alive.
    if (r < 0.92) return { signal: fresh(), timeout: 60_000 };
    return { signal: fresh(), timeout: 1 + pick(5) };
  };

  /** Counts a waiting call from creation to settlement, and sorts how it settled. */
  const watch = <T>(name: string, promise: Promise<T>): Promise<T | undefined> => {
    counts.created++;
    perPrimitive[name] = (perPrimitive[name] ?? 0) + 1;
    return promise.then(
      (value) => {
        counts.settled++;
        counts.fulfilled++;
        return value;
      },
      (error: unknown) => {
        counts.settled++;
        if (error instanceof TimeoutError) counts.timedOut++;
        else if (error instanceof SoakAbort) counts.aborted++;
        else if (error instanceof BrokenBarrierError) counts.broken++;
        else if (unexpected.length < 20) unexpected.push(error);
        else unexpected.length++;
        return undefined;
      },
    );
  };

  const pause = async (): Promise<void> => {
    const r = random();
    if (r < 0.5) return;
    if (r < 0.9) await Promise.resolve();
    else await new Promise((resolve) => setImmediate(resolve));
  };

  // What a holder does: count itself in, pause, count itself out.
  const lockWork = async (): Promise<void> => {
    if (++lockHolders !== 1) violate(`lock: ${lockHolders} holders`);
    await pause();
    lockHolders--;
  };
  const semWork = async (): Promise<void> => {
    if (++semHolders > 3) violate(`semaphore: ${semHolders} holders of 3 permits`);
    await pause();
    semHolders--;
  };

  // ---- one operation
  const operations: (() => Promise<unknown>)[] = [
    // Lock: run, or hold and release the guard; one holder at a time.
    () => watch("lock", lock.run(lockWork, options())),
    async () => {
      const guard = await watch("lock", lock.hold(options()));
      if (guard === undefined) return;
      if (++lockHolders !== 1) violate(`lock: ${lockHolders} holders`);
      await pause();
      lockHolders--;
      guard.release();
      guard.release(); // a second release does nothing
    },
    // Semaphore and BoundedSemaphore: never more holders than permits.
    () => watch("semaphore", sem.run(semWork, options())),
    async () => {
      if ((await watch("bounded", bounded.acquire(options()))) === undefined) return;
      if (++boundedHolders > 2 || bounded.value > 2) violate(`bounded: ${boundedHolders} holders, ${String(bounded)}`);
      await pause();
      boundedHolders--;
      bounded.release();
    },
    // Event: waiters, set(), clear().
    () => watch("event", event.wait(options())),
    async () => {
      if (random() < 0.5) event.set();
      else event.clear();
    },
    // Condition: consumers wait for an item, producers add one and notify.
    () =>
      watch(
        "condition",
        cond.run(async () => {
          if (++condInside !== 1) violate(`condition: ${condInside} inside`);
          try {
            condInside--;
            try {
              if (random() < 0.5) await cond.waitFor(() => items > 0, options());
              else {
                while (items === 0) await cond.wait(options());
              }
            } finally {
              // Resolved or rejected, a wait comes back holding the lock.
              if (++condInside !== 1 || !cond.locked())
                violate(`condition: back from waiting with ${condInside} inside, ${String(cond)}`);
            }
            if (items <= 0) violate(`condition: took an item when there were ${items}`);
            items--;
          } finally {
            condInside--;
          }
        }),
      ),
    () =>
      watch(
        "condition",
        cond.run(async () => {
          items++;
          if (random() < 0.8) cond.notify();
          else cond.notifyAll();
        }),
      ),
    // Barrier: waiters, now and then a reset() or an abort().
    async () => {
      const position = await watch("barrier", barrier.wait(options()));
      if (position !== undefined && !(position >= 0 && position < 3)) violate(`barrier: position ${position}`);
    },
    async () => {
      const r = random();
      if (r < 0.1) barrier.abort();
      else if (r < 0.5 || barrier.broken) barrier.reset();
    },
    // withTimeout around a hold of the lock, or of a permit.
    () =>
      watch(
        "withTimeout",
        withTimeout(
          (signal) => (random() < 0.5 ? lock.run(lockWork, { signal }) : sem.run(semWork, { signal })),
          pick(4),
          random() < 0.3 ? { signal: fresh() } : undefined,
        ),
      ),
    // The aborter: aborts one of the fresh signals, waiting or not.
    async () => {
      // One of the newest: their calls are the likeliest to be waiting still.
      const controller = live.length > 0 ? live[live.length - 1 - pick(Math.min(64, live.length))] : undefined;
      if (controller !== undefined && !controller.signal.aborted) {
        counts.aborts++;
        controller.abort(new SoakAbort("aborted by the soak"));
      }
    },
  ];
  // How often each operation runs, in the order above.
  const weights = [10, 6, 8, 6, 8, 3, 7, 7, 5, 1, 6, 8];
  const table = weights.flatMap((weight, i) => Array.from({ length: weight }, () => i));

  /** Runs `n` operations from `workers` tasks; a pulse nudges the waiters if everything stalls. */
  async function drive(n: number): Promise<void> {
    let done = 0;
    let lastSettled = -1;
    let stalled = 0;
    let failure: Error | undefined;
    // Progress guard: when every task waits on something only another
    // operation would release (an event nobody sets, a barrier short of
    // parties, a condition nobody notifies), wake them. If even that does
    // not help for 2 s, a waiter is lost: fail.
    let pulse: ReturnType<typeof setTimeout> | undefined;
    const beat = (): void => {
      // Between macrotasks nothing runs inside the condition's lock: if it is
      // free, an item is left and a consumer still waits, a notification was
      // lost (consumers wait only while there is no item).
      if (!cond.locked() && items > 0 && cond.waiters > 0)
        violate(`condition: lost wake-up, ${items} item(s) left while ${String(cond)}`);
      if (counts.settled === lastSettled) {
        stalled++;
        counts.nudges++;
        event.set();
        barrier.reset();
        if (!cond.locked() && cond.waiters > 0)
          void cond.run(() => {
            items += cond.waiters;
            cond.notifyAll();
          });
        if (stalled > 400) {
          failure = new Error(
            `no progress for 2 s: ${counts.created - counts.settled} call(s) never settled; ` +
              `${String(lock)} ${String(sem)} ${String(bounded)} ${String(event)} ${String(cond)} ${String(barrier)}`,
          );
          return;
        }
      } else stalled = 0;
      lastSettled = counts.settled;
      pulse = setTimeout(beat, 5);
    };
    pulse = setTimeout(beat, 5);
    let stop: (error: Error) => void = () => {};
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    const check = setInterval(() => failure && stop(failure), 50);
    const worker = async (): Promise<void> => {
      while (done < n && failure === undefined) {
        done++;
        await operations[table[pick(table.length)]!]!();
      }
    };
    try {
      await Promise.race([Promise.all(Array.from({ length: workers }, worker)), stopped]);
    } finally {
      clearTimeout(pulse);
      clearInterval(check);
    }
  }

  /** Brings every primitive to rest: no waiter is left anywhere. */
  function rest(): void {
    event.set();
    event.clear();
    barrier.reset();
    live.length = 0;
  }

  async function heap(): Promise<number> {
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc!();
    }
    return process.memoryUsage().heapUsed;
  }

  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  const problems: string[] = [];

  // ---- warm-up, baseline, the run
  const warmUp = Math.min(50_000, Math.max(10_000, Math.floor(totalOps / 10)));
  const drove = async (n: number): Promise<void> => {
    try {
      await drive(n);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  };
  await drove(warmUp);
  rest();
  const baseline = await heap();
  const started = performance.now();
  const createdBefore = counts.created;
  await drove(totalOps);
  const seconds = (performance.now() - started) / 1000;
  rest();
  const final = await heap();

  // ---- checks
  if (counts.created !== counts.settled)
    problems.push(`${counts.created - counts.settled} of ${counts.created} waiting calls never settled`);
  if (unexpected.length > 0)
    problems.push(`${unexpected.length} unexpected error(s), e.g. ${unexpected.slice(0, 3).map(String).join("; ")}`);
  problems.push(...violations.map((v) => `invariant broken: ${v}`));
  const atRest: [string, boolean][] = [
    [String(lock), !lock.locked() && lock.waiters === 0],
    [String(sem), sem.value === 3 && sem.waiters === 0],
    [String(bounded), bounded.value === 2 && bounded.waiters === 0],
    [String(event), event.waiters === 0],
    [String(cond), !cond.locked() && cond.waiters === 0],
    [String(barrier), !barrier.broken && barrier.nWaiting === 0],
  ];
  for (const [shown, ok] of atRest) if (!ok) problems.push(`not at rest: ${shown}`);
  const listeners = [...shared, ...sample].reduce(
    (sum, controller) => sum + getEventListeners(controller.signal, "abort").length,
    0,
  );
  if (listeners > 0) problems.push(`${listeners} abort listener(s) left on the signals`);
  const timers = process.getActiveResourcesInfo().filter((name) => name === "Timeout" || name === "Immediate");
  if (timers.length > 0)
    problems.push(`${timers.length} timer(s) still pending (${timers.filter((t) => t === "Timeout").length} Timeout)`);
  const growth = final - baseline;
  if (growth > heapLimit) problems.push(`heap grew by ${mb(growth)}, more than ${mb(heapLimit)}`);

  // ---- summary
  const summary = [
    `soak: ${totalOps.toLocaleString("en")} operations (+ ${warmUp.toLocaleString("en")} warm-up) from ${workers} tasks in ${seconds.toFixed(1)} s (${Math.round(totalOps / seconds).toLocaleString("en")} ops/s), seed ${seed}`,
    `  waiting calls: ${(counts.created - createdBefore).toLocaleString("en")} in the run, ${counts.created.toLocaleString("en")} in all; settled ${counts.settled.toLocaleString("en")}: ` +
      `${counts.fulfilled.toLocaleString("en")} fulfilled, ${counts.timedOut.toLocaleString("en")} TimeoutError, ` +
      `${counts.aborted.toLocaleString("en")} aborted, ${counts.broken.toLocaleString("en")} BrokenBarrierError`,
    `  by primitive: ${Object.entries(perPrimitive)
      .map(([name, n]) => `${name} ${n.toLocaleString("en")}`)
      .join(", ")}`,
    `  signals: ${counts.aborts.toLocaleString("en")} aborted by the soak, ${freshCount.toLocaleString("en")} fresh + ${shared.length} shared; listeners left on ${shared.length + sample.length} checked: ${listeners}`,
    `  stalls nudged: ${counts.nudges}; timers left: ${timers.length}`,
    `  heap after GC: ${mb(baseline)} after warm-up, ${mb(final)} at the end, growth ${mb(growth)} (limit ${mb(heapLimit)})`,
  ];
  console.log(summary.join("\n"));
  if (problems.length > 0) {
    console.log(`soak: FAIL:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exitCode = 1;
  } else console.log("soak: every check passed");
  console.log(DONE_MARKER);
}

// Last, so that every declaration above is initialised when it runs.
if (process.env.SOAK_CHILD === "1") await child();
else parent();
