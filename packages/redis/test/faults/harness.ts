// The world of one fault scenario: a real redis-server of its own, worker
// processes (worker.ts) driven over IPC, an optional TCP proxy between some
// workers and the server, the fenced resource, and the log of the faults the
// scenario caused. `history()` turns the workers' records and that log into
// what history.ts checks; `settle()` checks that nothing leaked.
// Imported by relative path; never published.
import { fork, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { build } from "esbuild";
import { startRedis, type RedisServer } from "../redis-server";
import { checkHistory, type CheckOptions, type Grant, type History, type Request, type Write } from "./history";
import { TcpProxy } from "./proxy";

/** The `lease` of every worker: short, so that faults play out in seconds (SYNC_FAULT_LEASE). */
export const LEASE = Number(process.env.SYNC_FAULT_LEASE) || 1_500;
/** How late a timed outcome may be on a loaded 2-core machine before a scenario calls it wrong. */
export const MARGIN = 1_000;
/** How long a holder resumed after a pause past its lease may run before it must have been told of the loss. */
export const RESUME_GRACE = MARGIN / 2;

export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

const ROOT = resolve(__dirname, "../../../..");
const bundles = new Map<string, Promise<string>>();

/**
 * worker.ts bundled into one CommonJS file under .tmp/faults/, with
 * @sync/redis from its sources or from `lib` (a planted copy): a worker then
 * starts in a fraction of what tsx takes, which matters on a busy machine.
 */
export function workerBundle(lib?: string): Promise<string> {
  const key = lib ?? "";
  let bundle = bundles.get(key);
  if (bundle === undefined) {
    const outfile = join(
      ROOT,
      ".tmp",
      "faults",
      `worker-${lib === undefined ? "sources" : basename(dirname(dirname(lib)))}.cjs`,
    );
    const planted =
      lib === undefined
        ? []
        : [
            {
              name: "planted",
              setup: (b: import("esbuild").PluginBuild) =>
                void b.onResolve({ filter: /^@sync\/redis$/ }, () => ({ path: lib })),
            },
          ];
    bundle = build({
      entryPoints: [join(__dirname, "worker.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      outfile,
      logLevel: "warning",
      plugins: planted,
    }).then(() => outfile);
    bundles.set(key, bundle);
  }
  return bundle;
}

/** One line a worker wrote: what it saw, when (its `at`), and its own fields. */
export interface Event {
  proc: string;
  ev: string;
  at: number;
  id?: string;
  name?: string;
  token?: number;
  [field: string]: unknown;
}

export interface Fault {
  kind: "kill" | "pause" | "resume" | "restart" | "server-pause" | "server-resume" | "stall" | "heal" | "cut" | string;
  proc?: string;
  at: number;
}

export interface WorldOptions {
  /** A planted copy of the package for the workers (plant.ts), instead of @sync/redis. */
  lib?: string;
  /** Start a TCP proxy in front of the server, for workers spawned with `viaProxy`. */
  proxy?: boolean;
}

export interface HoldCmd {
  name: string;
  permits?: number;
  timeout?: number;
  abortAfter?: number;
  holdFor?: number;
  writeEvery?: number;
}

export class Worker {
  readonly events: Event[] = [];
  #ids = 0;

  constructor(
    readonly proc: string,
    readonly child: ChildProcess,
    private readonly world: World,
  ) {}

  send(cmd: Record<string, unknown>): void {
    this.child.send(cmd);
  }

  /** Starts a hold() call; returns its id. */
  hold(cmd: HoldCmd): string {
    const id = `h${++this.#ids}`;
    this.send({ op: "hold", id, ...cmd });
    return id;
  }

  release(id: string): void {
    this.send({ op: "release", id });
  }

  abort(id: string): void {
    this.send({ op: "abort", id });
  }

  barrier(name: string, parties: number, timeout?: number): string {
    const id = `b${++this.#ids}`;
    this.send({ op: "barrier", id, name, parties, timeout });
    return id;
  }

  /** The first event of this worker matching `fields`, waiting up to `timeout` ms for it. */
  next(fields: Partial<Event>, timeout = 10_000): Promise<Event> {
    return this.world.waitFor(
      (e) => e.proc === this.proc && matches(e, fields),
      timeout,
      `${this.proc} ${JSON.stringify(fields)}`,
    );
  }

  /** The outcome of call `id`: granted, passed or rejected. */
  settled(id: string, timeout: number): Promise<Event> {
    const outcomes = new Set(["granted", "passed", "rejected"]);
    return this.world.waitFor(
      (e) => e.proc === this.proc && e.id === id && outcomes.has(e.ev),
      timeout,
      `${this.proc}/${id} settles`,
    );
  }

  find(fields: Partial<Event>): Event | undefined {
    return this.events.find((e) => matches(e, fields));
  }

  /** Sends `signal` and logs it as a fault (SIGKILL: kill, SIGSTOP: pause, SIGCONT: resume). */
  signal(signal: "SIGKILL" | "SIGSTOP" | "SIGCONT"): number {
    const at = now();
    const kind = { SIGKILL: "kill", SIGSTOP: "pause", SIGCONT: "resume" }[signal];
    this.world.faults.push({ kind, proc: this.proc, at });
    this.child.kill(signal);
    return at;
  }
}

const matches = (e: Event, fields: Partial<Event>) => Object.entries(fields).every(([key, value]) => e[key] === value);

export class World {
  readonly faults: Fault[] = [];
  readonly writes: Write[] = [];
  readonly workers = new Map<string, Worker>();
  /** Confirmed arrival order per name, for the FIFO check. */
  readonly order = new Map<string, number>();
  #orders = new Map<string, number>();
  #emitter = new EventEmitter();
  #highest = new Map<string, number>();
  #observer: Promise<Worker> | undefined;
  #inspections = 0;

  private constructor(
    readonly server: RedisServer,
    readonly proxy: TcpProxy | undefined,
    private readonly options: WorldOptions,
  ) {
    this.#emitter.setMaxListeners(0);
  }

  static async start(options: WorldOptions = {}): Promise<World> {
    const server = await startRedis();
    const proxy = options.proxy ? await TcpProxy.start(server.port) : undefined;
    const world = new World(server, proxy, options);
    // Started now, in parallel with the scenario's own workers.
    world.#observer = world.spawn("observer");
    world.#observer.catch(() => {});
    return world;
  }

  /** Starts a worker and waits until it is connected. */
  async spawn(proc: string, options: { viaProxy?: boolean; client?: "redis" | "ioredis" } = {}): Promise<Worker> {
    const port = options.viaProxy ? this.proxy!.port : this.server.port;
    const child = fork(await workerBundle(this.options.lib), [], {
      cwd: ROOT,
      execArgv: [],
      stdio: ["ignore", "pipe", "inherit", "ipc"],
      env: {
        ...process.env,
        FAULT_PROC: proc,
        FAULT_PORT: String(port),
        FAULT_LEASE: String(LEASE),
        FAULT_CLIENT: options.client ?? "redis",
      },
    });
    const worker = new Worker(proc, child, this);
    this.workers.set(proc, worker);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let event: Event;
      try {
        event = JSON.parse(line) as Event;
      } catch {
        process.stderr.write(`${proc}: ${line}\n`);
        return;
      }
      worker.events.push(event);
      this.#emitter.emit("event", event);
    });
    child.on("message", (message: { type: string; seq: number; id: string; name: string; token: number }) => {
      if (message.type === "write")
        child.send({ type: "write-result", seq: message.seq, accepted: this.#write(proc, message) });
    });
    child.on("exit", (code, signal) => this.#emitter.emit("event", { proc, ev: "exit", at: now(), code, signal }));
    const t0 = now();
    const ready = await this.waitFor(
      (e) => e.proc === proc && (e.ev === "ready" || e.ev === "fatal"),
      20_000,
      `${proc} ready`,
    );
    if (ready.ev === "fatal") throw new Error(`${proc}: ${String(ready.message)}`);
    if (process.env.FAULT_DEBUG) process.stderr.write(`spawn ${proc} ${Math.round(now() - t0)} ms\n`);
    return worker;
  }

  /** The fenced resource: accepts a write only with a token >= the highest it has accepted for that name. */
  #write(proc: string, w: { id: string; name: string; token: number }): boolean {
    const highest = this.#highest.get(w.name) ?? -Infinity;
    const accepted = w.token >= highest;
    if (accepted) this.#highest.set(w.name, w.token);
    this.writes.push({ proc, id: w.id, name: w.name, token: w.token, at: now(), accepted });
    return accepted;
  }

  /** Resolves with the first event (past or future) that `test` accepts; rejects after `timeout` ms. */
  waitFor(test: (e: Event) => boolean, timeout: number, what: string): Promise<Event> {
    for (const worker of this.workers.values()) {
      const found = worker.events.find(test);
      if (found !== undefined) return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const listener = (e: Event) => {
        if (!test(e)) return;
        clearTimeout(timer);
        this.#emitter.off("event", listener);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.#emitter.off("event", listener);
        reject(new Error(`timed out after ${timeout} ms waiting for ${what}`));
      }, timeout);
      this.#emitter.on("event", listener);
    });
  }

  /** What the server says about a primitive, asked by a fresh worker of the same library. */
  async inspect(name: string, counts: { permits?: number; parties?: number } = {}): Promise<Record<string, unknown>> {
    const observer = await this.#observer!;
    const id = `i${++this.#inspections}`;
    observer.send({ op: "inspect", id, name, ...counts });
    return (await observer.next({ ev: "state", id })).state as Record<string, unknown>;
  }

  /** Polls `inspect` until `test` holds; returns the last state seen. Rejects after `timeout` ms. */
  async until(
    name: string,
    counts: { permits?: number; parties?: number },
    test: (state: Record<string, unknown>) => boolean,
    timeout: number,
  ): Promise<Record<string, unknown>> {
    const end = now() + timeout;
    for (;;) {
      const state = await this.inspect(name, counts);
      if (test(state)) return state;
      if (now() > end) throw new Error(`${name}: still ${JSON.stringify(state)} after ${timeout} ms`);
      await sleep(20);
    }
  }

  /**
   * Queues a hold() and waits until the server has it (its waiter count
   * reached `waiters`), so its arrival order is certain; records that order.
   */
  async enqueue(worker: Worker, cmd: HoldCmd, waiters: number): Promise<string> {
    const id = worker.hold(cmd);
    await this.until(cmd.name, { permits: cmd.permits }, (s) => s.waiters === waiters, 5_000);
    this.#arrived(cmd.name, worker.proc, id);
    return id;
  }

  /** Starts a hold() that should be granted at once, and waits for the grant; records its arrival order. */
  async acquire(worker: Worker, cmd: HoldCmd): Promise<{ id: string; token: number }> {
    const id = worker.hold(cmd);
    const granted = await worker.next({ ev: "granted", id }, 5_000);
    this.#arrived(cmd.name, worker.proc, id);
    return { id, token: granted.token! };
  }

  #arrived(name: string, proc: string, id: string): void {
    const n = (this.#orders.get(name) ?? 0) + 1;
    this.#orders.set(name, n);
    this.order.set(`${proc}/${id}`, n);
  }

  log(kind: string): number {
    const at = now();
    this.faults.push({ kind, at });
    return at;
  }

  /** Kills the server and starts it again on the same port, with no data. */
  async restartServer(): Promise<number> {
    const at = this.log("restart");
    await this.server.restart();
    return at;
  }

  pauseServer(): number {
    const at = this.log("server-pause");
    this.server.pause();
    return at;
  }

  resumeServer(): number {
    const at = this.log("server-resume");
    this.server.resume();
    return at;
  }

  /** Every event of every worker, in time order. */
  events(): Event[] {
    return [...this.workers.values()].flatMap((w) => w.events).sort((a, b) => a.at - b.at);
  }

  /**
   * The history to check. A holder stops counting at its release() call, at
   * the abort of its lease.signal, at its death, or, if it was paused (by
   * the suite, or by a busy machine: the worker's own stalls) past
   * its lease and told of the loss within RESUME_GRACE of resuming, at its
   * local deadline: its last renewal went out at most lease/3 before the
   * pause, and its deadline is `lease` (less a margin) after that, so it is
   * lost from lease/3 into the pause at the latest (as long as the library's
   * margin is under lease/3). One that is not told counts again after the
   * grace.
   */
  history(): History {
    const restarts = this.faults.filter((f) => f.kind === "restart").map((f) => f.at);
    const epochOf = (t: number) => restarts.filter((r) => r < t).length;
    const requests: Request[] = [];
    const grants: Grant[] = [];
    for (const worker of this.workers.values()) {
      const killedAt = this.faults.find((f) => f.kind === "kill" && f.proc === worker.proc)?.at;
      // SIGSTOP/SIGCONT of the suite, and the gaps the worker saw in its own ticks.
      const pauses = [
        ...this.faults
          .filter((f) => f.kind === "pause" && f.proc === worker.proc)
          .map((p) => ({
            from: p.at,
            to: this.faults.find((f) => f.kind === "resume" && f.proc === worker.proc && f.at > p.at)?.at ?? Infinity,
          })),
        ...worker.events.filter((e) => e.ev === "stall").map((e) => ({ from: e.from as number, to: e.to as number })),
      ];
      for (const req of worker.events.filter((e) => e.ev === "request" && e.id?.startsWith("h"))) {
        const id = req.id!;
        const outcome = worker.events.find((e) => e.id === id && (e.ev === "granted" || e.ev === "rejected"));
        const request: Request = {
          proc: worker.proc,
          id,
          name: req.name!,
          requestAt: req.at,
          // A waiter whose process stood still for half a lease may have
          // been reaped as dead: its arrival order no longer binds.
          order: pauses.some((p) => p.to - p.from >= LEASE / 2 && p.to > req.at && p.from < (outcome?.at ?? Infinity))
            ? undefined
            : this.order.get(`${worker.proc}/${id}`),
          outcome:
            outcome === undefined
              ? killedAt === undefined
                ? "pending"
                : "killed"
              : outcome.ev === "granted"
                ? "granted"
                : outcome.error === "TimeoutError"
                  ? "timeout"
                  : String(outcome.message).includes("aborted by the scenario")
                    ? "aborted"
                    : "error",
          settledAt: outcome?.at ?? killedAt,
        };
        requests.push(request);
        if (outcome?.ev !== "granted") continue;
        const ended = worker.events.find((e) => e.id === id && (e.ev === "released" || e.ev === "lost"));
        let endAt = outcome.lost === true ? outcome.at : (ended?.at ?? Infinity);
        let end: Grant["end"] =
          outcome.lost === true ? "lost" : ((ended?.ev as "released" | "lost" | undefined) ?? "held");
        if (killedAt !== undefined && killedAt < endAt) [endAt, end] = [Math.max(killedAt, outcome.at), "killed"];
        const gaps: [number, number][] = [];
        for (const pause of pauses) {
          const deadline = Math.max(pause.from + LEASE / 3, outcome.at);
          if (outcome.at >= pause.to || pause.to <= deadline || endAt <= deadline) continue;
          // Told of the loss once it ran again: lost from its deadline.
          // Not told: it counts again once it has run for a while.
          if (endAt <= pause.to + RESUME_GRACE) [endAt, end] = [deadline, "paused"];
          else gaps.push([deadline, pause.to + RESUME_GRACE]);
        }
        grants.push({
          proc: worker.proc,
          id,
          name: req.name!,
          token: outcome.token!,
          requestAt: req.at,
          grantedAt: outcome.at,
          endAt,
          end,
          epoch: epochOf(outcome.at),
          ...(gaps.length > 0 ? { gaps } : {}),
        });
      }
    }
    return { requests, grants, writes: this.writes };
  }

  /** Every event and fault, one line each, in time order, ms from `since` (SYNC_FAULT_TRACE=1 prints it for failures). */
  trace(since: number): string {
    const lines = [
      ...this.events().filter((e) => e.ev !== "state" && e.proc !== "observer"),
      ...this.faults.map((f) => ({ ...f, ev: `FAULT ${f.kind}`, proc: f.proc ?? "suite" })),
      ...this.writes.map((w) => ({ ...w, ev: `WRITE ${w.accepted ? "accepted" : "refused"}` })),
    ].sort((a, b) => a.at - b.at);
    return lines
      .map(
        ({ at, proc, ev, ...rest }) => `${(at - since).toFixed(1).padStart(9)} ${proc} ${ev} ${JSON.stringify(rest)}`,
      )
      .join("\n");
  }

  check(options: CheckOptions): string[] {
    return checkHistory(this.history(), options);
  }

  /**
   * After the faults: waits until every permit of each name is free and
   * nobody is queued, as a fresh client sees it, for up to two leases plus
   * the margin (a dead holder's lease runs out first). Returns what is still
   * taken, one line each; empty when nothing leaked.
   */
  async leaks(names: Record<string, number>): Promise<string[]> {
    const problems: string[] = [];
    for (const [name, permits] of Object.entries(names)) {
      const counts = permits === 1 ? {} : { permits };
      const free = (s: Record<string, unknown>) =>
        s.waiters === 0 && (permits === 1 ? s.locked === false : s.available === permits);
      try {
        await this.until(name, counts, free, 2 * LEASE + MARGIN);
      } catch (error) {
        problems.push(`leak: ${(error as Error).message}`);
      }
    }
    return problems;
  }

  /** Stops every worker (SIGKILL: a paused one cannot close), the proxy and the server. */
  async stop(): Promise<void> {
    await this.#observer?.catch(() => {});
    for (const worker of this.workers.values()) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        worker.child.kill("SIGKILL");
        await new Promise((done) => worker.child.once("exit", done));
      }
    }
    await this.proxy?.close();
    await this.server.stop();
  }

  /** Closes a worker's RedisSync and waits for its process to exit. */
  async close(worker: Worker): Promise<void> {
    worker.send({ op: "close" });
    await this.waitFor((e) => e.proc === worker.proc && e.ev === "exit", 10_000, `${worker.proc} exit`);
  }
}

/** Formats a check's problems for an assertion message: the lines, or "ok". */
export function report(problems: string[]): string {
  return problems.length === 0 ? "ok" : problems.join("\n");
}
