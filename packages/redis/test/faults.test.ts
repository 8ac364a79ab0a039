// What the contract says about an unreachable server: waiting calls keep
// waiting until their own signal or timeout; held leases are lost at their
// local deadline; when the server comes back, waiters still queued there go
// on, and nothing is granted twice.
import { TimeoutError } from "@sync/core";
import { LeaseLostError } from "@sync/redis";
import { describeRedis, eventually, kinds, lost, sleep, useRedis } from "./harness";
import { startRedis } from "./redis-server";

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
    await lost(held);
    expect(held.signal.reason).toBeInstanceOf(LeaseLostError);
    const lease = await waiting;
    // The server lost its counter with its data; the new one starts at the
    // server clock, so tokens still rise (docs/redis.md, Safety).
    expect(lease.token).toBeGreaterThan(held.token);
    await held.release(); // lost: touches nothing
    expect(await b.lock("restart").locked()).toBe(true);
    await lease.release();
    await sleep(0);
  }, 20_000);

  test("a hold whose request is lost with its connection keeps waiting, and is granted once the server is back", async () => {
    // A long lease: a client may send the request again after reconnecting,
    // and the lease then counts, to be safe, from the first sending.
    const a = await redis.sync({ lease: 5_000 });
    redis.server.pause();
    const waiting = a.lock("lost").hold({ timeout: 10_000 }); // written, never answered
    await sleep(50);
    await redis.server.restart();
    const lease = await waiting;
    expect(lease.lost).toBe(false);
    expect(await a.lock("lost").locked()).toBe(true);
    await lease.release();
  }, 20_000);

  test("the server lost its script cache: EVALSHA falls back to EVAL", async () => {
    const a = await redis.sync();
    const first = await a.lock("flush").hold();
    await first.release();
    await redis.send(["SCRIPT", "FLUSH"]);
    const lease = await a.lock("flush").hold();
    expect(lease.token).toBe(first.token + 1);
    await lease.release();
  });

  test("a grant pushed for a waiter this process no longer has is cancelled at once: the permit passes on", async () => {
    const [a, b] = [await redis.sync({ lease: 10_000 }), await redis.sync()];
    const held = await a.lock("ghost").hold();
    const waiting = b.lock("ghost").hold();
    await eventually(async () => (await a.lock("ghost").waiters()) === 1);
    // A hold granted to b's instance for a waiter b has forgotten (its cancel
    // lost), and the message of that grant in b's mailbox.
    const [instance] = (await redis.send(["HKEYS", "sync:{lock:ghost}:a"])) as string[];
    const ghost = `${instance}|999999`;
    await held.release(); // b's waiter now holds; put a ghost in front of it instead:
    const lease = await waiting;
    await redis.send(["ZADD", "sync:{lock:ghost}:h", String(Date.now() + 60_000), ghost]);
    const next = a.lock("ghost").hold();
    await lease.release(); // the ghost still holds: a waits
    await eventually(async () => (await a.lock("ghost").waiters()) === 1);
    const again = b.lock("ghost").hold(); // b listens to its mailbox again
    await eventually(async () => (await a.lock("ghost").waiters()) === 2);
    await redis.send(["RPUSH", `sync:{lock:ghost}:mb:${instance}`, `${ghost} 99`]);
    // b cancels the ghost's grant: a gets the lock long before the ghost's lease ends.
    const aLease = await next;
    await aLease.release();
    await (await again).release();
    expect(await a.lock("ghost").locked()).toBe(false);
  });
});

describeRedis.each(kinds)("replicas (%s)", (kind) => {
  const redis = useRedis(kind);

  test("replicas: n WAITs for n replicas after each grant; too few in time releases and rejects", async () => {
    await redis.send(["CONFIG", "SET", "repl-diskless-sync-delay", "0"]); // a full sync at once
    const replica = await startRedis(["--replicaof", "127.0.0.1", String(redis.server.port)]);
    try {
      await eventually(
        async () => /slave0:.*state=online/.test(String(await redis.send(["INFO", "replication"]))),
        15_000,
      );
      const one = await redis.sync({ replicas: 1, lease: 6_000 });
      const lease = await one.lock("r").hold();
      await lease.release();
      const two = await redis.sync({ replicas: 2, lease: 300 });
      await expect(two.lock("r").hold()).rejects.toThrow("the grant reached 1 of 2 replicas in time");
      expect(await one.lock("r").locked()).toBe(false);
    } finally {
      await replica.stop();
    }
  }, 20_000);
});
