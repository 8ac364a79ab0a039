// A worker process of the fault suite: one RedisSync over its own client,
// driven by the suite through IPC messages, recording on stdout (one JSON
// line each) what it saw, with its local monotonic time: the requests it
// made, the grants it got (token), the losses it was told of, its releases,
// and the writes it sent to the suite's fenced resource and their answers.
//
// harness.ts bundles it with esbuild (the package from its sources, or a
// planted copy of them: plant.ts) and starts it with node. Environment:
//   FAULT_PROC     this worker's name in the history
//   FAULT_PORT     the port to reach the server on (the server, or a proxy)
//   FAULT_LEASE    the `lease` option, ms
//   FAULT_CLIENT   "redis" (node-redis, the default) or "ioredis"
import { RedisSync, type Lease } from "@sync/redis";
import { Redis } from "ioredis";
import { createClient } from "redis";

type Cmd =
  | {
      op: "hold";
      id: string;
      name: string;
      permits?: number;
      timeout?: number;
      abortAfter?: number;
      holdFor?: number;
      writeEvery?: number;
    }
  | { op: "release"; id: string }
  | { op: "abort"; id: string }
  | { op: "barrier"; id: string; name: string; parties: number; timeout?: number }
  | { op: "inspect"; id: string; name: string; permits?: number; parties?: number }
  | { op: "storm"; id: string; name: string; permits?: number; durationMs: number; tasks: number }
  | { op: "skew"; ms: number }
  | { op: "close" };

type Reply = { type: "write-result"; seq: number; accepted: boolean } | Cmd;

const now = () => performance.timeOrigin + performance.now();
const proc = process.env.FAULT_PROC ?? `pid${process.pid}`;
const port = Number(process.env.FAULT_PORT);
const lease = Number(process.env.FAULT_LEASE);

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ proc, at: now(), ...event })}\n`);
}

// ---------------------------------------------------------------- stalls

// A process that is not scheduled (a busy machine, like a GC pause or a
// SIGSTOP) cannot act, nor learn that its lease is gone: a tick every 20 ms
// reports each gap over 150 ms, and the history treats it as a pause.
let lastTick = now();
setInterval(() => {
  const at = now();
  if (at - lastTick > 150) emit({ ev: "stall", from: lastTick, to: at });
  lastTick = at;
}, 20).unref();

// ---------------------------------------------------------------- the clock

// The wall clock can be moved by `skew` (scenario 8): Date.now() and
// `new Date()` are offset; performance.now() is not, and the history uses it.
let skew = 0;
const RealDate = Date;
const realNow = Date.now.bind(Date);
class SkewedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(realNow() + skew);
    else super(...(args as [string]));
  }
  static override now(): number {
    return realNow() + skew;
  }
}
globalThis.Date = SkewedDate as DateConstructor;

// ---------------------------------------------------------------- the client

interface AnyClient {
  on(event: string, listener: (error: unknown) => void): unknown;
  quit?(): Promise<unknown>;
  disconnect?(): unknown;
}

async function connect(): Promise<AnyClient> {
  if (process.env.FAULT_CLIENT === "ioredis") {
    const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: null });
    client.on("error", (error: unknown) => emit({ ev: "client-error", message: String(error) }));
    await client.connect();
    return client as unknown as AnyClient;
  }
  const client = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: () => 50 } });
  client.on("error", (error: unknown) => emit({ ev: "client-error", message: String(error) }));
  await client.connect();
  return client as unknown as AnyClient;
}

// ---------------------------------------------------------------- fenced writes

let seq = 0;
const pendingWrites = new Map<number, (accepted: boolean) => void>();

/** Sends a write with `lease.token` to the suite's fenced resource; resolves to its answer. */
function write(id: string, name: string, held: Lease): Promise<boolean> {
  const n = ++seq;
  const lostBefore = held.lost;
  return new Promise((resolve) => {
    pendingWrites.set(n, (accepted) => {
      emit({ ev: "write", id, name, token: held.token, accepted, lostBefore });
      resolve(accepted);
    });
    process.send!({ type: "write", seq: n, id, name, token: held.token });
  });
}

// ---------------------------------------------------------------- commands

const leases = new Map<string, { lease: Lease; stop: () => void }>();
const controllers = new Map<string, AbortController>();

function primitive(sync: RedisSync, name: string, permits: number | undefined) {
  return permits === undefined ? sync.lock(name) : sync.semaphore(name, permits);
}

/**
 * One hold() call: records the request, its outcome, the lease's loss; writes
 * once to the fenced resource when granted (so a later holder always has
 * written before a stale one comes back), then every `writeEvery` ms without
 * looking at `lease.signal` (the paused process of the Safety section, that
 * acts before it learns); releases after `holdFor` ms, or on command.
 */
async function hold(sync: RedisSync, cmd: Extract<Cmd, { op: "hold" }>): Promise<void> {
  const controller = new AbortController();
  controllers.set(cmd.id, controller);
  if (cmd.abortAfter !== undefined) {
    setTimeout(() => controller.abort(new Error("aborted by the scenario")), cmd.abortAfter);
  }
  emit({ ev: "request", id: cmd.id, name: cmd.name });
  let held: Lease;
  try {
    held = await primitive(sync, cmd.name, cmd.permits).hold({ timeout: cmd.timeout, signal: controller.signal });
  } catch (error) {
    emit({ ev: "rejected", id: cmd.id, name: cmd.name, error: (error as Error).name, message: String(error) });
    return;
  } finally {
    controllers.delete(cmd.id);
  }
  emit({ ev: "granted", id: cmd.id, name: cmd.name, token: held.token, lost: held.lost });
  const onLost = () => emit({ ev: "lost", id: cmd.id, name: cmd.name, reason: (held.signal.reason as Error)?.name });
  if (held.signal.aborted) onLost();
  else held.signal.addEventListener("abort", onLost, { once: true });
  let timer: ReturnType<typeof setInterval> | undefined;
  leases.set(cmd.id, { lease: held, stop: () => clearInterval(timer) });
  if (cmd.permits === undefined) await write(cmd.id, cmd.name, held);
  if (cmd.writeEvery !== undefined) timer = setInterval(() => void write(cmd.id, cmd.name, held), cmd.writeEvery);
  if (cmd.holdFor !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, cmd.holdFor));
    await release(cmd.id);
  }
}

async function release(id: string): Promise<void> {
  const entry = leases.get(id);
  if (entry === undefined) return;
  leases.delete(id);
  entry.stop();
  emit({ ev: "released", id, lost: entry.lease.lost });
  await entry.lease.release();
  emit({ ev: "release-done", id });
}

async function barrier(sync: RedisSync, cmd: Extract<Cmd, { op: "barrier" }>): Promise<void> {
  emit({ ev: "request", id: cmd.id, name: cmd.name });
  try {
    const position = await sync.barrier(cmd.name, cmd.parties).wait({ timeout: cmd.timeout });
    emit({ ev: "passed", id: cmd.id, name: cmd.name, position });
  } catch (error) {
    emit({ ev: "rejected", id: cmd.id, name: cmd.name, error: (error as Error).name, message: String(error) });
  }
}

async function inspect(sync: RedisSync, cmd: Extract<Cmd, { op: "inspect" }>): Promise<void> {
  let state: Record<string, unknown>;
  if (cmd.parties !== undefined) {
    const b = sync.barrier(cmd.name, cmd.parties);
    state = { nWaiting: await b.nWaiting(), broken: await b.broken() };
  } else if (cmd.permits !== undefined) {
    const s = sync.semaphore(cmd.name, cmd.permits);
    state = { available: await s.available(), waiters: await s.waiters() };
  } else {
    const l = sync.lock(cmd.name);
    state = { locked: await l.locked(), waiters: await l.waiters() };
  }
  emit({ ev: "state", id: cmd.id, name: cmd.name, state });
}

/**
 * A storm: `tasks` concurrent loops until `durationMs` passes, each making
 * hold() calls with random timeouts and aborts racing the grants, holding
 * briefly. Every call is recorded like any other.
 */
async function storm(sync: RedisSync, cmd: Extract<Cmd, { op: "storm" }>): Promise<void> {
  const end = performance.now() + cmd.durationMs;
  const pick = <T>(choices: T[]): T => choices[Math.floor(Math.random() * choices.length)]!;
  let n = 0;
  await Promise.all(
    Array.from({ length: cmd.tasks }, async () => {
      while (performance.now() < end) {
        await hold(sync, {
          op: "hold",
          id: `${cmd.id}.${n++}`,
          name: cmd.name,
          permits: cmd.permits,
          timeout: pick([undefined, 0, 2, 5, 10, 30]),
          abortAfter: pick([undefined, undefined, 0, 1, 2, 4, 8]),
          holdFor: pick([0, 1, 3]),
        });
      }
    }),
  );
  emit({ ev: "storm-done", id: cmd.id });
}

async function main(): Promise<void> {
  const client = await connect();
  const sync = new RedisSync(client as never, { lease, prefix: "fault:" });
  process.on("message", (message: Reply) => {
    if ("type" in message) {
      pendingWrites.get(message.seq)?.(message.accepted);
      pendingWrites.delete(message.seq);
      return;
    }
    switch (message.op) {
      case "hold":
        return void hold(sync, message);
      case "release":
        return void release(message.id);
      case "abort":
        return void controllers.get(message.id)?.abort(new Error("aborted by the scenario"));
      case "barrier":
        return void barrier(sync, message);
      case "inspect":
        return void inspect(sync, message);
      case "storm":
        return void storm(sync, message);
      case "skew":
        skew = message.ms;
        return;
      case "close":
        return void (async () => {
          await sync.close();
          await client.quit?.();
          emit({ ev: "closed" });
          process.exit(0);
        })();
    }
  });
  emit({ ev: "ready", pid: process.pid });
}

main().catch((error: unknown) => {
  emit({ ev: "fatal", message: String((error as Error)?.stack ?? error) });
  process.exit(1);
});
