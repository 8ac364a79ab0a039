// The fault scenarios of issue 14, each for a lock and for a 2-permit
// semaphore (and a storm on 3 permits), plus a barrier whose party dies.
// A scenario drives its workers through one fault, states its own claims
// (what API-redis.md promises for that fault), and leaves the world settled;
// `runScenario` then runs the history checker and the leak check on it.
// A failed claim or check does not stop the others: the outcome lists them
// all, which is also what the planted bugs are judged by (plantings.fault.ts).
// Imported by relative path; never published.
import { createClient } from "redis";
import { haveRedis } from "../redis-server";
import { LEASE, MARGIN, now, sleep, World, type Event, type HoldCmd, type Worker, type WorldOptions } from "./harness";

export type Kind = "lock" | "semaphore";

export interface Ctx {
  world: World;
  kind: Kind;
  name: string;
  permits: number;
  /** A hold() command on this scenario's primitive. */
  cmd(extra?: Partial<HoldCmd>): HoldCmd;
  /** Records a claim of the scenario; a false one fails it (without stopping it). */
  claim(ok: boolean, what: string): void;
  /** A line for the suite's output: what happened, with its figures. */
  note(line: string): void;
  /** Starts workers in parallel. */
  spawn(procs: string[], options?: { viaProxy?: boolean; client?: "redis" | "ioredis" }): Promise<Worker[]>;
}

export interface Scenario {
  id: string;
  title: string;
  kinds: Kind[];
  world?: WorldOptions;
  /** Check FIFO order (not where the server lost its queue). */
  fifo?: boolean;
  run(ctx: Ctx): Promise<void>;
}

export interface Outcome {
  /** Claims of the scenario that failed, and the error that stopped it, if one did. */
  claims: string[];
  /** What the history checker and the leak check found. */
  problems: string[];
  notes: string[];
  ms: number;
}

const ms = (t: number) => `${Math.round(t)} ms`;

export async function runScenario(scenario: Scenario, kind: Kind, lib?: string): Promise<Outcome> {
  const started = now();
  const world = await World.start({ ...scenario.world, lib });
  const name = `${scenario.id}-${kind}`;
  const permits = kind === "lock" ? (1 as number) : scenario.id === "s9" ? 3 : 2;
  const claims: string[] = [];
  const notes: string[] = [];
  const ctx: Ctx = {
    world,
    kind,
    name,
    permits,
    cmd: (extra = {}) => ({ name, ...(kind === "semaphore" ? { permits } : {}), ...extra }),
    claim: (ok, what) => void (ok || claims.push(what)),
    note: (line) => void notes.push(line),
    spawn: (procs, options) => Promise.all(procs.map((proc) => world.spawn(proc, options))),
  };
  let problems: string[] = [];
  try {
    let stopped = false;
    try {
      await scenario.run(ctx);
    } catch (error) {
      stopped = true;
      claims.push(`stopped: ${(error as Error).message}`);
    }
    problems = world.check({ permits: { [name]: permits }, fifo: scenario.fifo });
    // A scenario that stopped half-way did not release what it held.
    if (!stopped) problems.push(...(await world.leaks({ [name]: permits })));
    if (
      process.env.SYNC_FAULT_TRACE === "all" ||
      (process.env.SYNC_FAULT_TRACE === "1" && claims.length + problems.length > 0)
    )
      notes.push(`trace:\n${world.trace(started)}`);
  } finally {
    await world.stop();
  }
  return { claims, problems, notes, ms: now() - started };
}

// ---------------------------------------------------------------- helpers

const holderNames = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);

/** Spawns `permits` holders and the other workers; the holders take every permit. */
async function setUp(ctx: Ctx, others: string[], options: { writeEvery?: number } = {}) {
  const workers = await ctx.spawn([...holderNames(ctx.permits), ...others]);
  const holders = workers.slice(0, ctx.permits);
  const held: { id: string; token: number }[] = [];
  for (const [i, h] of holders.entries()) {
    held.push(await ctx.world.acquire(h, ctx.cmd(i === 0 ? { writeEvery: options.writeEvery } : {})));
  }
  return { holders, held, others: workers.slice(ctx.permits) };
}

/** Releases and waits until the server has it back. */
async function release(w: Worker, id: string): Promise<void> {
  w.release(id);
  await w.next({ ev: "release-done", id });
}

/** The outcome of a hold() or barrier wait() call: granted, passed or rejected. */
const outcome = (w: Worker, id: string, timeout: number): Promise<Event> => w.settled(id, timeout);

const request = (w: Worker, id: string) => w.find({ ev: "request", id })!;

/** Kills every connection blocked in BLPOP (the mailbox readers); returns how many. */
async function killBlocking(port: number): Promise<number> {
  const admin = createClient({ socket: { host: "127.0.0.1", port } });
  admin.on("error", () => {});
  await admin.connect();
  try {
    const ids = String(await admin.sendCommand(["CLIENT", "LIST"]))
      .split("\n")
      .filter((line) => / cmd=blpop /.test(line))
      .map((line) => /\bid=(\d+)/.exec(line)![1]!);
    for (const id of ids) await admin.sendCommand(["CLIENT", "KILL", "ID", id]);
    return ids.length;
  } finally {
    admin.destroy();
  }
}

/**
 * `describe`, or, where redis-server is not on PATH, `describe.skip` with
 * one loud line (a failure with SYNC_REQUIRE_REDIS=1, as in CI).
 */
export function describeFaults(): jest.Describe {
  if (haveRedis) return describe;
  if (process.env.SYNC_REQUIRE_REDIS === "1")
    throw new Error("SYNC_REQUIRE_REDIS=1 but redis-server is not on PATH (apt-get install redis-server)");
  process.stderr.write(
    "fault suite SKIPPED: redis-server is not on PATH (apt-get install redis-server, or brew install redis)\n",
  );
  return describe.skip;
}

// ---------------------------------------------------------------- scenarios

export const scenarios: Scenario[] = [
  {
    id: "s1",
    title: "1. a holder killed with SIGKILL: the next waiter is granted within lease, with a higher token",
    kinds: ["lock", "semaphore"],
    async run(ctx) {
      const { holders, held, others } = await setUp(ctx, ["a"]);
      const a = others[0]!;
      const qa = await ctx.world.enqueue(a, ctx.cmd(), 1);
      const killedAt = holders[0]!.signal("SIGKILL");
      const granted = await a.next({ ev: "granted", id: qa }, 2 * LEASE + MARGIN);
      const highest = Math.max(...held.map((h) => h.token));
      ctx.claim(
        granted.at - killedAt <= LEASE + MARGIN,
        `a granted ${ms(granted.at - killedAt)} after the kill (lease ${LEASE})`,
      );
      ctx.claim(granted.token! > highest, `a's token ${granted.token} is not above ${highest}`);
      ctx.note(
        `a granted ${ms(granted.at - killedAt)} after SIGKILL of h1 (lease ${LEASE}), token ${granted.token} > ${highest}`,
      );
      for (const [i, h] of holders.entries()) if (i > 0) await release(h, held[i]!.id);
      await release(a, qa);
    },
  },
  {
    id: "s2",
    title: "2. a holder paused past its lease: lost as it resumes, another granted meanwhile, its late writes refused",
    kinds: ["lock", "semaphore"],
    async run(ctx) {
      const { holders, held, others } = await setUp(ctx, ["a", "b"], { writeEvery: 50 });
      const [h1, a, b] = [holders[0]!, others[0]!, others[1]!];
      const qa = await ctx.world.enqueue(a, ctx.cmd(), 1);
      // b waits behind a: a stale release of h1 must not hand it a's hold.
      const qb = await ctx.world.enqueue(b, ctx.cmd(), 2);
      const pausedAt = h1.signal("SIGSTOP");
      const granted = await a.next({ ev: "granted", id: qa }, 2 * LEASE + MARGIN);
      ctx.claim(
        granted.at - pausedAt >= LEASE / 2,
        `a granted ${ms(granted.at - pausedAt)} into the pause: before h1's lease ran out`,
      );
      await sleep(pausedAt + 2 * LEASE - now());
      const resumedAt = h1.signal("SIGCONT");
      const lost = await h1.next({ ev: "lost", id: held[0]!.id }, MARGIN);
      ctx.claim(lost.reason === "LeaseLostError", `h1's lease.signal aborted with ${String(lost.reason)}`);
      ctx.claim(
        lost.at - resumedAt <= MARGIN / 2,
        `h1 learned of the loss ${ms(lost.at - resumedAt)} after it resumed`,
      );
      await sleep(300);
      const late = ctx.world.writes.filter((w) => w.proc === h1.proc && w.at > resumedAt);
      if (ctx.kind === "lock") {
        ctx.claim(late.length > 0, "h1 made no write after it resumed");
        ctx.claim(
          late.every((w) => !w.accepted),
          `the fenced resource accepted ${late.filter((w) => w.accepted).length} late writes of h1`,
        );
      }
      ctx.note(
        `a granted ${ms(granted.at - pausedAt)} into h1's ${ms(resumedAt - pausedAt)} pause; h1's signal aborted ${ms(lost.at - resumedAt)} after SIGCONT` +
          (ctx.kind === "lock"
            ? `; ${late.length} late writes of h1, ${late.filter((w) => !w.accepted).length} refused`
            : ""),
      );
      await release(h1, held[0]!.id);
      await sleep(100);
      ctx.claim(
        b.find({ ev: "granted", id: qb }) === undefined,
        "b was granted while a held (after h1's release of its lost lease)",
      );
      for (const [i, h] of holders.entries()) if (i > 0) await release(h, held[i]!.id);
      await release(a, qa);
      await b.next({ ev: "granted", id: qb }, MARGIN);
      await release(b, qb);
    },
  },
  {
    id: "s2b",
    title: "2b. a waiter paused while its grant comes and expires: resumed, it gets no live-looking lease",
    kinds: ["lock", "semaphore"],
    async run(ctx) {
      const { holders, held, others } = await setUp(ctx, ["a", "b"]);
      const [a, b] = others as [Worker, Worker];
      const qa = await ctx.world.enqueue(a, ctx.cmd(), 1);
      const qb = await ctx.world.enqueue(b, ctx.cmd(), 2);
      const pausedAt = a.signal("SIGSTOP");
      await release(holders[0]!, held[0]!.id); // hands the permit to a, paused
      const granted = await b.next({ ev: "granted", id: qb }, 3 * LEASE + MARGIN);
      await sleep(200);
      const resumedAt = a.signal("SIGCONT");
      // Granted, or queued again by its heartbeat (the server had reaped it
      // as dead), or rejected: anything but a lease that looks live.
      const settled = await outcome(a, qa, MARGIN).catch(() => undefined);
      const live = settled?.ev === "granted" && settled.lost === false;
      const lost = a.find({ ev: "lost", id: qa });
      ctx.claim(
        !live,
        `a resumed ${ms(resumedAt - granted.at)} after b's grant and got token ${settled?.token} with lease.lost false` +
          (lost === undefined ? "" : ` (it aborted ${ms(lost.at - settled!.at)} later: ${String(lost.reason)})`),
      );
      // Its pushed grant is older than a renewal round: confirmed before use,
      // found gone, and queued again, never handed over already lost.
      ctx.claim(
        settled?.ev !== "granted",
        `a resumed and was handed a lease that was already lost (token ${settled?.token}), not queued again`,
      );
      const then =
        settled === undefined
          ? "waiting again"
          : settled.ev === "granted"
            ? `granted token ${settled.token}, lost ${String(settled.lost)}`
            : String(settled.error);
      ctx.note(
        `a paused ${ms(resumedAt - pausedAt)}, granted meanwhile; b granted ${ms(granted.at - pausedAt)} into the pause; a then: ${then}`,
      );
      for (const [i, h] of holders.entries()) if (i > 0) await release(h, held[i]!.id);
      await release(b, qb);
      const again = settled ?? (await outcome(a, qa, LEASE + MARGIN));
      if (again.ev === "granted") await release(a, qa);
    },
  },
  {
    id: "s3",
    title: "3. a queued waiter killed: the waiter behind it is not stalled past lease",
    kinds: ["lock", "semaphore"],
    async run(ctx) {
      const { holders, held, others } = await setUp(ctx, ["a", "b"]);
      const [a, b] = others as [Worker, Worker];
      await ctx.world.enqueue(a, ctx.cmd(), 1);
      const qb = await ctx.world.enqueue(b, ctx.cmd(), 2);
      a.signal("SIGKILL");
      await sleep(50);
      const releasedAt = now();
      await release(holders[0]!, held[0]!.id);
      const granted = await b.next({ ev: "granted", id: qb }, 2 * LEASE + MARGIN);
      ctx.claim(
        granted.at - releasedAt <= LEASE + MARGIN,
        `b granted ${ms(granted.at - releasedAt)} after the release (lease ${LEASE})`,
      );
      ctx.note(`b granted ${ms(granted.at - releasedAt)} after the release, behind a killed waiter (lease ${LEASE})`);
      for (const [i, h] of holders.entries()) if (i > 0) await release(h, held[i]!.id);
      await release(b, qb);
    },
  },
  {
    id: "s4",
    title:
      "4. the server restarted without persistence: holders lose their leases, waiters go on or time out, nothing granted twice",
    kinds: ["lock", "semaphore"],
    fifo: false,
    async run(ctx) {
      const [a, b] = await ctx.spawn(["a", "b"]);
      // Two grants first, so that the tokens held at the restart are above 1.
      for (const w of [a!, b!]) await release(w, (await ctx.world.acquire(w, ctx.cmd())).id);
      const { holders, held } = await setUp(ctx, [], { writeEvery: 100 });
      const timeout = 2 * LEASE;
      const qa = await ctx.world.enqueue(a!, ctx.cmd({ timeout }), 1);
      const qb = await ctx.world.enqueue(b!, ctx.cmd(), 2);
      const restartedAt = await ctx.world.restartServer();
      for (const [i, h] of holders.entries()) {
        const lost = await h.next({ ev: "lost", id: held[i]!.id }, LEASE + MARGIN);
        ctx.claim(
          lost.at - restartedAt <= LEASE,
          `${h.proc} learned of the loss ${ms(lost.at - restartedAt)} after the restart`,
        );
      }
      // a may go on or time out; b, with no timeout, must go on: every
      // permit is free now, and its heartbeat puts it back in the queue.
      const ra = await outcome(a!, qa, timeout + MARGIN);
      const waited = ra.at - request(a!, qa).at;
      ctx.claim(
        ra.ev === "granted" || (ra.error === "TimeoutError" && Math.abs(waited - timeout) <= MARGIN / 2),
        `a rejected with ${String(ra.error)} after ${ms(waited)} (timeout ${timeout})`,
      );
      if (ra.ev === "granted") await release(a!, qa);
      const rb = await outcome(b!, qb, LEASE + MARGIN).catch(() => undefined);
      ctx.claim(
        rb?.ev === "granted",
        `b, waiting with no timeout, was not granted within ${LEASE + MARGIN} ms though every permit was free`,
      );
      const line = (w: Worker, e: Event | undefined) =>
        e === undefined
          ? `${w.proc} still waiting`
          : e.ev === "granted"
            ? `${w.proc} granted token ${e.token} ${ms(e.at - restartedAt)} after the restart`
            : `${w.proc} ${String(e.error)} after ${ms(e.at - request(w, e.id!).at)}`;
      const after = ctx.world.writes.filter((w) => w.at > restartedAt);
      const stale = after.filter((w) => holders.some((h) => h.proc === w.proc));
      const fresh = after.filter((w) => !holders.some((h) => h.proc === w.proc));
      // Tokens rise across the restart (the counter starts at the server
      // clock), so once a new holder has written, the old ones are refused.
      const before = Math.max(...held.map((h) => h.token!));
      const newTokens = [ra, rb].flatMap((e) => (e?.ev === "granted" ? [e.token!] : []));
      ctx.claim(
        newTokens.every((token) => token > before),
        `tokens granted after the restart (${newTokens.join(", ")}) not all above those held before it (${before})`,
      );
      const firstFresh = fresh.find((w) => w.accepted)?.at ?? Infinity;
      const staleAccepted = stale.filter((w) => w.accepted && w.at > firstFresh).length;
      ctx.claim(staleAccepted === 0, `${staleAccepted} writes of the old holders accepted after a new holder's write`);
      ctx.note(
        `holders (tokens ${held.map((h) => h.token).join(", ")}) lost their leases; ${line(a!, ra)}; ${line(b!, rb)}; ` +
          `after the restart the fenced resource accepted ${stale.filter((w) => w.accepted).length} of ${stale.length} writes of the old holders ` +
          `(${staleAccepted} after a new holder's write) and ${fresh.filter((w) => w.accepted).length} of ${fresh.length} of the new (tokens rise across the restart)`,
      );
      if (rb?.ev === "granted") await release(b!, qb);
      else b!.abort(qb);
      for (const [i, h] of holders.entries()) await release(h, held[i]!.id);
    },
  },
  {
    id: "s4b",
    title:
      "4b. the server restarted while a holder is cut off: the next waiter is not granted before that holder's lease is lost",
    kinds: ["lock"],
    world: { proxy: true },
    fifo: false,
    async run(ctx) {
      const [h1] = await ctx.spawn(["h1"], { viaProxy: true });
      const [a] = await ctx.spawn(["a"]);
      const held = await ctx.world.acquire(h1!, ctx.cmd({ writeEvery: 100 }));
      const qa = await ctx.world.enqueue(a!, ctx.cmd(), 1);
      // h1 cannot hear of the restart: only its local deadline tells it.
      ctx.world.proxy!.stall();
      ctx.world.log("stall");
      const restartedAt = await ctx.world.restartServer();
      const granted = await a!.next({ ev: "granted", id: qa }, 2 * LEASE + MARGIN);
      const lost = await h1!.next({ ev: "lost", id: held.id }, 2 * LEASE + MARGIN);
      ctx.claim(lost.at < granted.at, `a was granted ${ms(lost.at - granted.at)} before h1, cut off, lost its lease`);
      ctx.note(
        `a granted ${ms(granted.at - restartedAt)} after the restart; h1, cut off, lost its lease ${ms(lost.at - restartedAt)} after it`,
      );
      ctx.world.proxy!.heal();
      ctx.world.log("heal");
      await release(h1!, held.id);
      await release(a!, qa);
    },
  },
  {
    id: "s5",
    title:
      "5. the server paused longer than the lease: timeouts and aborts fire on time, nothing granted twice after SIGCONT",
    kinds: ["lock", "semaphore"],
    async run(ctx) {
      const { holders, held, others } = await setUp(ctx, ["a", "b", "c", "d"]);
      const [a, b, c, d] = others as [Worker, Worker, Worker, Worker];
      const qc = await ctx.world.enqueue(c, ctx.cmd(), 1);
      const qb = await ctx.world.enqueue(b, ctx.cmd(), 2);
      const qa = await ctx.world.enqueue(a, ctx.cmd({ timeout: LEASE }), 3);
      const pausedAt = ctx.world.pauseServer();
      const qd = d.hold(ctx.cmd({ timeout: LEASE / 2 })); // never reaches the server
      await sleep(LEASE / 2);
      const abortedAt = now();
      b.abort(qb);
      const [ra, rb, rd] = await Promise.all([
        outcome(a, qa, 2 * LEASE),
        outcome(b, qb, LEASE),
        outcome(d, qd, LEASE + MARGIN),
      ]);
      const late = (e: Event, due: number) => e.at - due;
      ctx.claim(
        ra.error === "TimeoutError" && late(ra, request(a, qa).at + LEASE) <= MARGIN / 2,
        `a: ${String(ra.error)} ${ms(late(ra, request(a, qa).at + LEASE))} after its timeout`,
      );
      ctx.claim(
        rd.error === "TimeoutError" && late(rd, request(d, qd).at + LEASE / 2) <= MARGIN / 2,
        `d: ${String(rd.error)} ${ms(late(rd, request(d, qd).at + LEASE / 2))} after its timeout`,
      );
      ctx.claim(
        rb.ev === "rejected" && late(rb, abortedAt) <= MARGIN / 2,
        `b: ${String(rb.error)} ${ms(late(rb, abortedAt))} after its abort`,
      );
      for (const [i, h] of holders.entries()) {
        const lost = await h.next({ ev: "lost", id: held[i]!.id }, 2 * LEASE);
        ctx.claim(
          lost.at - pausedAt <= LEASE + MARGIN / 4,
          `${h.proc} lost its lease ${ms(lost.at - pausedAt)} into the pause (lease ${LEASE})`,
        );
      }
      await sleep(pausedAt + 2.5 * LEASE - now());
      const resumedAt = ctx.world.resumeServer();
      const granted = await c.next({ ev: "granted", id: qc }, LEASE + MARGIN);
      ctx.note(
        `during a ${ms(resumedAt - pausedAt)} server pause: a timed out ${ms(late(ra, request(a, qa).at + LEASE))} late, d ${ms(late(rd, request(d, qd).at + LEASE / 2))} late, ` +
          `b aborted ${ms(late(rb, abortedAt))} late; c granted ${ms(granted.at - resumedAt)} after SIGCONT`,
      );
      await release(c, qc);
      for (const [i, h] of holders.entries()) await release(h, held[i]!.id);
    },
  },
  {
    id: "s6",
    title: "6. a holder cut off by a partition (stalled proxy): its lease is lost locally before another is granted",
    kinds: ["lock", "semaphore"],
    world: { proxy: true },
    async run(ctx) {
      const [h1] = await ctx.spawn(["h1"], { viaProxy: true });
      const rest = await ctx.spawn([...holderNames(ctx.permits).slice(1), "a"]);
      const holders = [h1!, ...rest.slice(0, -1)];
      const a = rest.at(-1)!;
      const held = [];
      for (const [i, h] of holders.entries())
        held.push(await ctx.world.acquire(h, ctx.cmd(i === 0 ? { writeEvery: 50 } : {})));
      const qa = await ctx.world.enqueue(a, ctx.cmd(), 1);
      ctx.world.proxy!.stall();
      const stalledAt = ctx.world.log("stall");
      const lost = await h1!.next({ ev: "lost", id: held[0]!.id }, LEASE + MARGIN);
      const granted = await a.next({ ev: "granted", id: qa }, 2 * LEASE + MARGIN);
      ctx.claim(lost.at < granted.at, `h1 lost its lease ${ms(lost.at - granted.at)} after a was granted`);
      ctx.claim(
        lost.at - stalledAt <= LEASE + MARGIN / 4,
        `h1 lost its lease ${ms(lost.at - stalledAt)} into the partition`,
      );
      await sleep(300);
      ctx.world.proxy!.heal();
      ctx.world.log("heal");
      ctx.note(
        `h1 lost its lease ${ms(lost.at - stalledAt)} into the partition, ${ms(granted.at - lost.at)} before a was granted`,
      );
      await release(h1!, held[0]!.id);
      for (const [i, h] of holders.entries()) if (i > 0) await release(h, held[i]!.id);
      await release(a, qa);
    },
  },
  {
    id: "s7",
    title: "7. the blocking connection killed (CLIENT KILL): grants still reach their waiters (node-redis and ioredis)",
    kinds: ["lock", "semaphore"],
    async run(ctx) {
      const holders = await ctx.spawn(holderNames(ctx.permits));
      const [r, io] = [...(await ctx.spawn(["wr"])), ...(await ctx.spawn(["wio"], { client: "ioredis" }))] as [
        Worker,
        Worker,
      ];
      const held = new Map<Worker, string>();
      for (const h of holders) held.set(h, (await ctx.world.acquire(h, ctx.cmd())).id);
      const lines: string[] = [];
      // Each round: a waiter queues, every blocked connection is killed, the
      // oldest holder releases; the waiter must get the grant, then holds,
      // and the one that released queues next.
      const idle: Worker[] = [r, io];
      for (let round = 0; round < 4; round++) {
        const waiter = idle.shift()!;
        const id = await ctx.world.enqueue(waiter, ctx.cmd(), 1);
        await sleep(50);
        const killed = await killBlocking(ctx.world.server.port);
        const [oldest, oldId] = [...held][0]!;
        held.delete(oldest);
        await sleep(100);
        const releasedAt = now();
        await release(oldest, oldId);
        const granted = await waiter.next({ ev: "granted", id }, LEASE + MARGIN);
        ctx.claim(killed >= 1, `round ${round}: no blocked connection to kill`);
        ctx.claim(
          granted.at - releasedAt <= LEASE,
          `round ${round}: ${waiter.proc} granted ${ms(granted.at - releasedAt)} after the release`,
        );
        lines.push(`${waiter.proc} ${ms(granted.at - releasedAt)} (${killed} killed)`);
        held.set(waiter, id);
        idle.push(oldest);
      }
      ctx.note(`grants after CLIENT KILL of the blocked readers: ${lines.join(", ")}`);
      for (const [w, id] of held) await release(w, id);
    },
  },
  {
    id: "s8",
    title: "8. the wall clock moved by hours in every process: nothing changes",
    kinds: ["lock", "semaphore"],
    async run(ctx) {
      const hour = 3_600_000;
      const { holders, held, others } = await setUp(ctx, ["y", "z"]);
      const [y, z] = others as [Worker, Worker];
      holders.forEach((h, i) => h.send({ op: "skew", ms: (i + 3) * hour }));
      y.send({ op: "skew", ms: -5 * hour });
      z.send({ op: "skew", ms: 30 * 24 * hour });
      const grantedAt = now();
      const qy = await ctx.world.enqueue(y, ctx.cmd({ timeout: 8 * LEASE }), 1);
      for (const jump of [10, -10, 100]) {
        await sleep(LEASE);
        holders.forEach((h) => h.send({ op: "skew", ms: jump * hour }));
        y.send({ op: "skew", ms: -jump * hour });
      }
      await sleep(grantedAt + 3.5 * LEASE - now());
      ctx.claim(
        holders.every((h, i) => h.find({ ev: "lost", id: held[i]!.id }) === undefined),
        "a holder lost its lease while the wall clock jumped",
      );
      const releasedAt = now();
      await release(holders[0]!, held[0]!.id);
      const granted = await y.next({ ev: "granted", id: qy }, LEASE);
      ctx.claim(granted.at - releasedAt <= MARGIN, `y granted ${ms(granted.at - releasedAt)} after the release`);
      const qz = z.hold(ctx.cmd({ timeout: LEASE / 2 }));
      const rz = await outcome(z, qz, LEASE + MARGIN);
      const waited = rz.at - request(z, qz).at;
      ctx.claim(
        rz.error === "TimeoutError" && Math.abs(waited - LEASE / 2) <= MARGIN / 2,
        `z: ${String(rz.error)} after ${ms(waited)} (timeout ${LEASE / 2})`,
      );
      ctx.note(
        `holders kept their leases for ${ms(releasedAt - grantedAt)} across jumps of ±10 h and +100 h; y granted ${ms(granted.at - releasedAt)} after the release; ` +
          `z (30 days ahead) timed out after ${ms(waited)} of ${LEASE / 2}`,
      );
      await release(y, qy);
      for (const [i, h] of holders.entries()) if (i > 0) await release(h, held[i]!.id);
    },
  },
  {
    id: "s9",
    title: "9. a storm of aborts and timeouts racing grants across processes: no leak, no double grant",
    kinds: ["lock", "semaphore"],
    async run(ctx) {
      const workers = await ctx.spawn(["s1", "s2", "s3"]);
      workers.forEach((w, i) => w.send({ op: "storm", id: `hs${i}`, ...ctx.cmd(), durationMs: 3_000, tasks: 3 }));
      await Promise.all(workers.map((w) => w.next({ ev: "storm-done" }, 30_000)));
      const events = ctx.world.events();
      const requests = events.filter((e) => e.ev === "request");
      const settled = new Set(
        events.filter((e) => e.ev === "granted" || e.ev === "rejected").map((e) => `${e.proc}/${e.id}`),
      );
      const count = (test: (e: Event) => boolean) => events.filter(test).length;
      const grants = count((e) => e.ev === "granted");
      const timeouts = count((e) => e.ev === "rejected" && e.error === "TimeoutError");
      const aborts = count((e) => e.ev === "rejected" && e.error !== "TimeoutError");
      ctx.claim(
        requests.every((r) => settled.has(`${r.proc}/${r.id}`)),
        "a hold() call never settled",
      );
      ctx.claim(
        grants > 0 && timeouts > 0 && aborts > 0,
        `no race: ${grants} grants, ${timeouts} timeouts, ${aborts} aborts`,
      );
      ctx.note(`${requests.length} calls from 3 processes: ${grants} grants, ${timeouts} timeouts, ${aborts} aborts`);
    },
  },
];

/** 10. A barrier whose party dies while waiting: it leaves the cycle, which then fills with others. */
export const barrierScenario: Scenario = {
  id: "s10",
  title: "10. a barrier whose party dies while waiting: it leaves the cycle; the cycle fills with others and passes",
  kinds: ["lock"],
  async run(ctx) {
    const name = `${ctx.name}-barrier`;
    const [p1, p2, p3, p4, p5] = (await ctx.spawn(["p1", "p2", "p3", "p4", "p5"])) as Worker[] as [
      Worker,
      Worker,
      Worker,
      Worker,
      Worker,
    ];
    const parties = { parties: 4 };
    const calls = new Map([p1, p2, p3].map((p) => [p, p.barrier(name, 4)]));
    await ctx.world.until(name, parties, (s) => s.nWaiting === 3, 5_000);
    const killedAt = p3.signal("SIGKILL");
    await ctx.world.until(name, parties, (s) => s.nWaiting === 2, 2 * LEASE + MARGIN);
    const leftAfter = now() - killedAt;
    ctx.claim(
      leftAfter <= LEASE + MARGIN,
      `the dead party left the cycle ${ms(leftAfter)} after SIGKILL (lease ${LEASE})`,
    );
    for (const p of [p4, p5]) calls.set(p, p.barrier(name, 4));
    const passed = await Promise.all([p1, p2, p4, p5].map((p) => outcome(p, calls.get(p)!, 5_000)));
    const positions = passed.map((e) => e.position as number).sort();
    ctx.claim(
      passed.every((e) => e.ev === "passed"),
      `not every party passed: ${passed.map((e) => e.ev).join(", ")}`,
    );
    ctx.claim(JSON.stringify(positions) === "[0,1,2,3]", `positions ${JSON.stringify(positions)}`);
    const state = await ctx.world.inspect(name, parties);
    ctx.claim(state.broken === false && state.nWaiting === 0, `barrier after the cycle: ${JSON.stringify(state)}`);
    ctx.note(
      `the dead party left the cycle ${ms(leftAfter)} after SIGKILL; the others passed with positions ${JSON.stringify(positions)}`,
    );
  },
};
