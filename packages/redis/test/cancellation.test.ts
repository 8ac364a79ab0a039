// The cancellation races first: an abort at the moment of a grant, an abort
// of the head waiter, a timeout while queued, close() with waiters and
// holders. Each runs against a real redis-server, through both client kinds.
import { InvalidStateError, TimeoutError } from "@sync/core";
import { LeaseLostError, type Lease } from "@sync/redis";
import { describeRedis, kinds, sleep, useRedis } from "./harness";

describeRedis.each(kinds)("cancellation (%s)", (kind) => {
  const redis = useRedis(kind);

  /** The holders and queue of a lock as the server has them. */
  async function serverState(name: string): Promise<[holders: number, queued: number]> {
    const base = `sync:{lock:${name}}`;
    return [Number(await redis.send(["ZCARD", `${base}:h`])), Number(await redis.send(["ZCARD", `${base}:q`]))];
  }

  // Actors: A holds; B (abortable) and C queue behind it, from another
  // process each. A's release and B's abort are sent in every order and
  // interleaving we can make: the abort before the release, in the same
  // tick, after it, after B's grant is under way. Without the cancel script
  // taking back a grant that crossed the abort, B's permit leaked: C waited
  // for the lease to run out.
  test("abort at the moment of a grant, 300 times: C is always granted next, nothing leaks", async () => {
    const [a, b, c] = [await redis.sync(), await redis.sync(), await redis.sync()];
    const [la, lb, lc] = [a.lock("race"), b.lock("race"), c.lock("race")];
    let lastToken = 0;
    let bGranted = 0;
    let bAborted = 0;
    for (let i = 0; i < 300; i++) {
      const held = await la.hold();
      expect(held.token).toBeGreaterThan(lastToken);
      const controller = new AbortController();
      const reason = new Error(`abort ${i}`);
      const bHold = lb.hold({ signal: controller.signal });
      const cHold = lc.hold();
      // B and C must be queued on the server before the race starts.
      while ((await la.waiters()) < 2) await sleep(1);
      const variant = i % 4;
      if (variant === 0) controller.abort(reason);
      const released = held.release();
      if (variant === 1) controller.abort(reason);
      if (variant === 2) await released;
      if (variant === 3) await new Promise((resolve) => setImmediate(resolve));
      if (variant >= 2) controller.abort(reason);
      await released;
      let bLease: Lease | undefined;
      try {
        bLease = await bHold;
        bGranted++;
      } catch (error) {
        expect(error).toBe(reason);
        bAborted++;
      }
      if (bLease !== undefined) {
        expect(bLease.token).toBeGreaterThan(held.token);
        await bLease.release();
      }
      const cLease = await cHold;
      expect(cLease.token).toBeGreaterThan(held.token);
      lastToken = cLease.token;
      await cLease.release();
      expect(await serverState("race")).toEqual([0, 0]);
    }
    expect(await la.locked()).toBe(false);
    expect(await la.waiters()).toBe(0);
    // Both outcomes happened, so the race was really run both ways.
    expect(bAborted).toBeGreaterThan(0);
    expect(bGranted + bAborted).toBe(300);
  }, 60_000);

  // The same race on a semaphore of 2: A holds both permits and gives one
  // back as B (queued first) aborts; C, behind B, must get that permit.
  test("semaphore: abort at the moment of a grant, 100 times: no permit leaks", async () => {
    const [a, b, c] = [await redis.sync(), await redis.sync(), await redis.sync()];
    const [sa, sb, sc] = [a.semaphore("srace", 2), b.semaphore("srace", 2), c.semaphore("srace", 2)];
    for (let i = 0; i < 100; i++) {
      const held = [await sa.hold(), await sa.hold()];
      const controller = new AbortController();
      const bHold = sb.hold({ signal: controller.signal });
      bHold.catch(() => {});
      while ((await sa.waiters()) < 1) await sleep(1);
      const cHold = sc.hold();
      while ((await sa.waiters()) < 2) await sleep(1);
      const released = held[0]!.release();
      if (i % 2 === 0) controller.abort(new Error("gone"));
      else await released.then(() => controller.abort(new Error("gone")));
      await released;
      await bHold.then(
        (lease) => lease.release(),
        () => {},
      );
      await (await cHold).release();
      await held[1]!.release();
      expect(await sa.available()).toBe(2);
      expect(await sa.waiters()).toBe(0);
    }
  }, 60_000);

  test("abort of the head waiter: it rejects at once, the next in line is granted", async () => {
    const syncs = [await redis.sync(), await redis.sync(), await redis.sync(), await redis.sync()];
    const locks = syncs.map((sync) => sync.lock("head"));
    const held = await locks[0]!.hold();
    const controller = new AbortController();
    const log: string[] = [];
    const b = locks[1]!.hold({ signal: controller.signal }).then(
      () => log.push("b granted"),
      (error: unknown) => log.push(`b ${(error as Error).message}`),
    );
    while ((await locks[0]!.waiters()) < 1) await sleep(1);
    const c = locks[2]!.hold().then((lease) => (log.push("c granted"), lease));
    while ((await locks[0]!.waiters()) < 2) await sleep(1);
    const d = locks[3]!.hold().then((lease) => (log.push("d granted"), lease));
    while ((await locks[0]!.waiters()) < 3) await sleep(1);
    controller.abort(new Error("user left"));
    await b;
    expect(log).toEqual(["b user left"]);
    expect(await locks[0]!.waiters()).toBe(2);
    await held.release();
    const cLease = await c;
    expect(log).toEqual(["b user left", "c granted"]);
    await cLease.release();
    await (await d).release();
    expect(log).toEqual(["b user left", "c granted", "d granted"]);
    expect(await serverState("head")).toEqual([0, 0]);
  });

  test("timeout while queued: TimeoutError, the waiter leaves the server's queue", async () => {
    const [a, b] = [await redis.sync(), await redis.sync()];
    const held = await a.lock("t").hold();
    const started = performance.now();
    await expect(b.lock("t").hold({ timeout: 100 })).rejects.toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    await sleep(50); // the cancel's round trip
    expect(await serverState("t")).toEqual([1, 0]);
    await held.release();
    expect(await a.lock("t").locked()).toBe(false);
  });

  test("timeout while the acquire is in flight, then granted: the grant is passed on", async () => {
    // A timeout shorter than the round trip: the server queues (or grants)
    // the call after it has already rejected locally; the cancel follows on
    // the same connection, so it always finds it.
    const [a, b] = [await redis.sync(), await redis.sync()];
    for (let i = 0; i < 50; i++) {
      const attempt = b.lock("fly").hold({ timeout: 0.01 });
      await attempt.then(
        (lease) => lease.release(),
        (error: unknown) => expect(error).toBeInstanceOf(TimeoutError),
      );
    }
    const lease = await a.lock("fly").hold({ timeout: 1_000 });
    await lease.release();
    expect(await serverState("fly")).toEqual([0, 0]);
  });

  test("close() with waiters and holders: waits reject, leases are released and lost, others go on", async () => {
    const [a, b] = [await redis.sync(), await redis.sync()];
    const held = await a.lock("c1").hold();
    const other = await b.lock("c2").hold();
    const waiting = a.lock("c2").hold(); // a waits behind b
    const bWaiting = b.lock("c1").hold(); // b waits behind a
    while ((await a.lock("c2").waiters()) < 1 || (await a.lock("c1").waiters()) < 1) await sleep(1);
    const closed = a.close();
    await expect(waiting).rejects.toBeInstanceOf(InvalidStateError);
    expect(held.lost).toBe(true);
    expect(held.signal.reason).toBeInstanceOf(LeaseLostError);
    await closed;
    // a's lease went to b, a's waiter left the queue.
    const bLease = await bWaiting;
    expect(bLease.token).toBeGreaterThan(held.token);
    expect(await b.lock("c2").waiters()).toBe(0);
    await held.release(); // lost: touches nothing
    expect(await b.lock("c1").locked()).toBe(true);
    // Idempotent, and later calls reject.
    await expect(a.close()).resolves.toBeUndefined();
    await expect(a.lock("c1").hold()).rejects.toBeInstanceOf(InvalidStateError);
    await expect(a.lock("c1").locked()).rejects.toBeInstanceOf(InvalidStateError);
    await expect(a.event("e").wait()).rejects.toBeInstanceOf(InvalidStateError);
    await bLease.release();
    await other.release();
  });

  test("after the grant, an abort changes nothing", async () => {
    const a = await redis.sync();
    const controller = new AbortController();
    const lease = await a.lock("after").hold({ signal: controller.signal });
    controller.abort(new Error("late"));
    await sleep(20);
    expect(lease.lost).toBe(false);
    expect(await a.lock("after").locked()).toBe(true);
    await lease.release();
  });
});
