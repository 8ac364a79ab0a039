// What the contract says about an unreachable server: waiting calls keep
// waiting until their own signal or timeout; held leases are lost at their
// local deadline; when the server comes back, waiters still queued there go
// on, and nothing is granted twice.
import { TimeoutError } from "@sync/core";
import { LeaseLostError } from "@sync/redis";
import { describeRedis, eventually, kinds, sleep, useRedis } from "./harness";

describeRedis.each(kinds)("faults (%s)", (kind) => {
  const redis = useRedis(kind);

  test("connections dropped: a release made meanwhile reaches the waiter once it reconnects", async () => {
    const [a, b] = [await redis.sync({ lease: 600 }), await redis.sync({ lease: 600 })];
    const held = await a.lock("drop").hold();
    const waiting = b.lock("drop").hold();
    await eventually(async () => (await a.lock("drop").waiters()) === 1);
    // Every connection but the admin's is cut; the data stays.
    await redis.send(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
    await held.release();
    const lease = await waiting;
    expect(lease.token).toBe(held.token + 1);
    expect(held.lost).toBe(false);
    await lease.release();
    expect(await a.lock("drop").locked()).toBe(false);
  }, 20_000);

  test("server paused: waits keep waiting until their timeout, leases are lost locally", async () => {
    const [a, b] = [await redis.sync({ lease: 300 }), await redis.sync({ lease: 300 })];
    const held = await a.lock("pause").hold();
    const waiting = b.lock("pause").hold({ timeout: 500 });
    const patient = b.lock("pause").hold();
    await eventually(async () => (await a.lock("pause").waiters()) === 2);
    redis.server.pause();
    try {
      await expect(waiting).rejects.toBeInstanceOf(TimeoutError);
      expect(held.lost).toBe(true);
      expect(held.signal.reason).toBeInstanceOf(LeaseLostError);
    } finally {
      redis.server.resume();
    }
    // The server's lease ran out too: the patient waiter, still queued, goes
    // on (after the timed-out one, if its cancel came in after the reaping:
    // granted, then passed on by its cancel).
    const lease = await patient;
    expect(lease.token).toBeGreaterThan(held.token);
    expect(await b.lock("pause").waiters()).toBe(0);
    await lease.release();
  }, 20_000);

  test("server restarted without its data: the holder loses its lease, waiters are queued again and go on", async () => {
    const [a, b] = [await redis.sync({ lease: 600 }), await redis.sync({ lease: 600 })];
    const held = await a.lock("restart").hold();
    const waiting = b.lock("restart").hold();
    await eventually(async () => (await a.lock("restart").waiters()) === 1);
    await redis.server.restart();
    await new Promise((resolve) => held.signal.addEventListener("abort", resolve));
    expect(held.signal.reason).toBeInstanceOf(LeaseLostError);
    const lease = await waiting;
    // The server lost its counter with its data: tokens regress (docs/redis.md, Safety).
    expect(lease.token).toBe(1);
    await held.release(); // lost: touches nothing
    expect(await b.lock("restart").locked()).toBe(true);
    await lease.release();
    await sleep(0);
  }, 20_000);
});
