// Every clause of API-redis.md about RedisSync, RedisLock, RedisSemaphore
// and Lease, through both client kinds, on a real redis-server.
import { inspect } from "node:util";
import { InvalidStateError, TimeoutError } from "@sync/core";
import { LeaseLostError, RedisSync, type Lease } from "@sync/redis";
import { describeRedis, eventually, kinds, lost, sleep, useRedis } from "./harness";

describeRedis.each(kinds)("RedisSync (%s)", (kind) => {
  const redis = useRedis(kind);

  test("takes a node-redis or an ioredis client, nothing else", async () => {
    const sync = await redis.sync();
    expect(String(sync)).toBe('<RedisSync prefix:"sync:" lease:30000>');
    for (const client of [undefined, null, {}, { sendCommand() {} }, { call() {}, duplicate() {} }, "redis://"]) {
      expect(() => new RedisSync(client)).toThrow(TypeError);
    }
  });

  test("bad options are a TypeError or RangeError from the constructor", async () => {
    const raw = await redis.sync({ prefix: "p:", lease: 30, replicas: 0 });
    expect(String(raw)).toBe('<RedisSync prefix:"p:" lease:30>');
    const client = await redis.client();
    const make = (options: unknown) => () => new RedisSync(client, options as never);
    expect(make("x")).toThrow(TypeError);
    expect(make(null)).toThrow(TypeError);
    expect(make({ prefix: 1 })).toThrow(TypeError);
    expect(make({ lease: "1" })).toThrow(TypeError);
    expect(make({ lease: 29 })).toThrow(RangeError);
    expect(make({ lease: 1.5 })).toThrow(RangeError);
    expect(make({ lease: NaN })).toThrow(RangeError);
    expect(make({ replicas: "1" })).toThrow(TypeError);
    expect(make({ replicas: -1 })).toThrow(RangeError);
    expect(make({ prefix: "ok:", lease: 1_000, replicas: 0 })).not.toThrow();
  });

  test("factories check names and counts, and print as the contract says", async () => {
    const sync = await redis.sync();
    expect(String(sync.lock("invoice:42"))).toBe('<RedisLock "invoice:42">');
    expect(String(sync.semaphore("api", 10))).toBe('<RedisSemaphore "api" permits:10>');
    expect(String(sync.event("ready"))).toBe('<RedisEvent "ready">');
    expect(String(sync.barrier("epoch", 4))).toBe('<RedisBarrier "epoch" parties:4>');
    expect(inspect(sync.lock("invoice:42"))).toBe('<RedisLock "invoice:42">');
    expect(() => sync.lock(1 as never)).toThrow(TypeError);
    expect(() => sync.lock("")).toThrow(RangeError);
    expect(() => sync.event(undefined as never)).toThrow(TypeError);
    expect(() => sync.semaphore("s", "2" as never)).toThrow(TypeError);
    expect(() => sync.semaphore("s", 0)).toThrow(RangeError);
    expect(() => sync.semaphore("s", 1.5)).toThrow(RangeError);
    expect(() => sync.barrier("b", NaN)).toThrow(RangeError);
    expect(() => sync.barrier("b", null as never)).toThrow(TypeError);
    expect(sync.semaphore("s", 3).permits).toBe(3);
    expect(sync.barrier("b", 2).parties).toBe(2);
  });

  test("a lease prints its token and state; events and barriers print in util.inspect too", async () => {
    const sync = await redis.sync();
    const lease = await sync.lock("print").hold();
    const t = lease.token;
    expect(String(lease)).toBe(`<Lease token:${t}>`);
    await lease.release();
    expect(String(lease)).toBe(`<Lease token:${t} released>`);
    const closedOn = await sync.lock("print").hold();
    await sync.close();
    expect(String(closedOn)).toBe(`<Lease token:${t + 1} lost>`);
    expect(String(sync)).toBe('<RedisSync prefix:"sync:" lease:30000 closed>');
    expect(inspect(sync.event("e"))).toBe('<RedisEvent "e">');
    expect(inspect(sync.barrier("b", 3))).toBe('<RedisBarrier "b" parties:3>');
  });

  test("the same name is the same lock across instances; another prefix is another lock", async () => {
    const [a, b, c] = [await redis.sync(), await redis.sync(), await redis.sync({ prefix: "other:" })];
    const lease = await a.lock("n").hold();
    expect(await b.lock("n").locked()).toBe(true);
    await expect(b.lock("n").hold({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    expect(await c.lock("n").locked()).toBe(false);
    await (await c.lock("n").hold({ timeout: 0 })).release();
    await lease.release();
  });

  test("waiting calls validate options as API.md says, as rejections", async () => {
    const lock = (await redis.sync()).lock("opts");
    const rejects = (options: unknown) => lock.hold(options as never);
    await expect(rejects({ timeout: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(rejects({ timeout: NaN })).rejects.toBeInstanceOf(RangeError);
    await expect(rejects({ timeout: "1" })).rejects.toBeInstanceOf(TypeError);
    await expect(rejects({ signal: {} })).rejects.toBeInstanceOf(TypeError);
    await expect(rejects("x")).rejects.toBeInstanceOf(TypeError);
    await expect(lock.run("nope" as never)).rejects.toBeInstanceOf(TypeError);
    expect(await lock.locked()).toBe(false);
    const lease = await lock.hold({ timeout: Infinity });
    await lease.release();
  });

  test("an already-aborted signal rejects with its reason and changes nothing, even when free", async () => {
    const sync = await redis.sync();
    const reason = new Error("gone");
    await expect(sync.lock("ab").hold({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(sync.event("ab").wait({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(sync.barrier("ab", 1).wait({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await redis.send(["KEYS", "*"])).toEqual([]);
  });

  test("FIFO across processes: granted in the order the server received the requests", async () => {
    const syncs = await Promise.all(Array.from({ length: 6 }, () => redis.sync()));
    const first = await syncs[0]!.lock("fifo").hold();
    const log: number[] = [];
    const tokens: number[] = [];
    const done: Promise<void>[] = [];
    for (let i = 1; i < syncs.length; i++) {
      done.push(
        syncs[i]!.lock("fifo")
          .hold()
          .then(async (lease) => {
            log.push(i);
            tokens.push(lease.token);
            await sleep(2);
            await lease.release();
          }),
      );
      // The next request leaves only once this one is queued on the server.
      await eventually(async () => (await syncs[0]!.lock("fifo").waiters()) === i);
    }
    // A newcomer from a process that has waiters too does not overtake them.
    await first.release();
    await Promise.all(done);
    expect(log).toEqual([1, 2, 3, 4, 5]);
    expect(tokens).toEqual([...tokens].sort((x, y) => x - y));
    expect(tokens[0]).toBe(first.token + 1);
  });

  test("no polling: 20 queued waiters of one process cost one heartbeat per lease/3, not one per waiter", async () => {
    const [a, b] = [await redis.sync({ lease: 300 }), await redis.sync({ lease: 300 })];
    const held = await a.lock("quiet").hold();
    const waits = Array.from({ length: 20 }, () => b.lock("quiet").hold());
    await eventually(async () => (await a.lock("quiet").waiters()) === 20);
    await redis.send(["CONFIG", "RESETSTAT"]);
    await sleep(1_000);
    const stats = String(await redis.send(["INFO", "commandstats"]));
    const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    // In one second: a renews its lease and b heartbeats, each every 100 ms
    // (about 20 scripts in all; 20 waiters polling every 100 ms would be 200).
    const scripts = calls("evalsha") + calls("eval");
    expect(scripts).toBeGreaterThan(5);
    expect(scripts).toBeLessThan(40);
    expect(calls("blpop")).toBeLessThanOrEqual(1);
    await held.release();
    await Promise.all(waits.map((wait) => wait.then((lease) => lease.release())));
  });

  test("release hands the hold straight to the head waiter: still locked, waiters drop by one", async () => {
    const [a, b] = [await redis.sync(), await redis.sync()];
    const lease = await a.lock("h").hold();
    const next = b.lock("h").hold();
    await eventually(async () => (await a.lock("h").waiters()) === 1);
    await lease.release();
    // In the same server step: locked by b, nobody waiting, before b even hears of it.
    expect(await a.lock("h").locked()).toBe(true);
    expect(await a.lock("h").waiters()).toBe(0);
    await (await next).release();
  });

  test("timeout: 0 is one try: a lease when free, TimeoutError when held, never queued", async () => {
    const [a, b] = [await redis.sync(), await redis.sync()];
    const lease = await a.lock("try").hold({ timeout: 0 });
    await expect(b.lock("try").hold({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    expect(await a.lock("try").waiters()).toBe(0);
    await lease.release();
    const again = await b.lock("try").hold({ timeout: 0 });
    await again.release();
  });

  test("fencing tokens rise with every grant, whoever holds", async () => {
    const [a, b] = [await redis.sync(), await redis.sync()];
    const tokens: number[] = [];
    for (let i = 0; i < 6; i++) {
      const lease = await (i % 2 === 0 ? a : b).lock("fence").hold();
      tokens.push(lease.token);
      await lease.release();
    }
    // The counter starts at the server clock in microseconds (it keeps rising
    // across a restart that loses the data), then rises by one per grant.
    expect(tokens[0]).toBeGreaterThan(1e15);
    expect(Number.isSafeInteger(tokens[0])).toBe(true);
    expect(tokens).toEqual(tokens.map((_, i) => tokens[0]! + i));
    // A semaphore's tokens are its own: its grants do not move the lock's.
    const s = await a.semaphore("fence", 2).hold();
    await s.release();
    const next = await a.lock("fence").hold();
    expect(next.token).toBe(tokens[5]! + 1);
    await next.release();
  });

  test("run() holds, passes the lease, releases in all cases, returns fn's result", async () => {
    const [a, b] = [await redis.sync(), await redis.sync()];
    const lock = a.lock("run");
    let seen: Lease | undefined;
    expect(
      await lock.run(async (lease) => {
        seen = lease;
        expect(await b.lock("run").locked()).toBe(true);
        return 42;
      }),
    ).toBe(42);
    expect(seen!.lost).toBe(false);
    expect(await lock.locked()).toBe(false);
    await expect(
      lock.run(() => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await lock.locked()).toBe(false);
    expect(await b.semaphore("run", 2).run(() => "sem")).toBe("sem");
  });

  test("release() twice does nothing: it cannot release the next holder's lease", async () => {
    const [a, b] = [await redis.sync(), await redis.sync()];
    const lease = await a.lock("twice").hold();
    const next = b.lock("twice").hold();
    await eventually(async () => (await a.lock("twice").waiters()) === 1);
    await lease.release();
    const bLease = await next;
    await lease.release();
    await lease[Symbol.asyncDispose]();
    expect(await a.lock("twice").locked()).toBe(true);
    expect(bLease.lost).toBe(false);
    await bLease.release();
  });

  test("await using releases at the end of the block", async () => {
    const sync = await redis.sync();
    {
      await using lease = await sync.lock("using").hold();
      expect(lease.lost).toBe(false);
      expect(await sync.lock("using").locked()).toBe(true);
    }
    expect(await sync.lock("using").locked()).toBe(false);
  });

  test("a held lease is renewed every lease/3 and outlives its lease", async () => {
    // 900 ms, renewed every 300: a stall of the event loop past ~500 ms (a
    // loaded test machine) would lose it, as it should.
    const [a, b] = [await redis.sync({ lease: 900 }), await redis.sync({ lease: 900 })];
    const lease = await a.lock("renew").hold();
    await sleep(2_000);
    expect(lease.lost).toBe(false);
    expect(lease.signal.aborted).toBe(false);
    await expect(b.lock("renew").hold({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    await lease.release();
  });

  test("a renewal that finds the lease gone loses it: signal aborts with LeaseLostError, never re-acquired", async () => {
    const [a, b] = [await redis.sync({ lease: 300 }), await redis.sync({ lease: 300 })];
    const lease = await a.lock("gone").hold();
    const aborted = lost(lease);
    await redis.send(["DEL", "sync:{lock:gone}:h"]); // the server lost it
    const other = await b.lock("gone").hold({ timeout: 0 });
    await aborted;
    expect(lease.lost).toBe(true);
    expect(lease.signal.reason).toBeInstanceOf(LeaseLostError);
    expect(lease.signal.reason).toBeInstanceOf(InvalidStateError);
    // Lost stays lost, and releasing it touches nothing.
    await lease.release();
    expect(await a.lock("gone").locked()).toBe(true);
    await sleep(200);
    expect(other.lost).toBe(false);
    await other.release();
  });

  test("the local deadline passes while the server does not answer: lost, and stays lost", async () => {
    const a = await redis.sync({ lease: 300 });
    const lease = await a.lock("frozen").hold();
    const started = performance.now();
    redis.server.pause();
    try {
      await lost(lease);
      // lease - margin (lease/10) from the last confirmed renewal's sending:
      // before the server's 300 ms, plus what a loaded machine adds to timers.
      expect(performance.now() - started).toBeLessThan(300 + 200);
      expect(lease.signal.reason).toBeInstanceOf(LeaseLostError);
    } finally {
      redis.server.resume();
    }
    await sleep(150);
    expect(lease.lost).toBe(true);
    await lease.release();
  });

  describe("semaphore", () => {
    test("at most `permits` leases at once; available() counts the free ones", async () => {
      const [a, b] = [await redis.sync(), await redis.sync()];
      const sem = a.semaphore("s", 3);
      expect(await sem.available()).toBe(3);
      const leases = [await sem.hold(), await b.semaphore("s", 3).hold(), await sem.hold()];
      expect(await sem.available()).toBe(0);
      await expect(sem.hold({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
      const waiting = b.semaphore("s", 3).hold();
      await eventually(async () => (await sem.waiters()) === 1);
      await leases[1]!.release();
      const handed = await waiting;
      expect(await sem.available()).toBe(0);
      expect(handed.token).toBe(leases[0]!.token + 3);
      for (const lease of [leases[0]!, leases[2]!, handed]) await lease.release();
      expect(await sem.available()).toBe(3);
    });

    test("another count for the same name rejects with InvalidStateError and changes nothing", async () => {
      const [a, b] = [await redis.sync(), await redis.sync()];
      const lease = await a.semaphore("count", 2).hold();
      const wrong = b.semaphore("count", 5);
      await expect(wrong.hold()).rejects.toBeInstanceOf(InvalidStateError);
      await expect(wrong.available()).rejects.toBeInstanceOf(InvalidStateError);
      await expect(wrong.waiters()).rejects.toBeInstanceOf(InvalidStateError);
      await expect(wrong.hold()).rejects.toThrow('<RedisSemaphore "count" permits:5> has 2 permits on the server');
      expect(await a.semaphore("count", 2).available()).toBe(1);
      expect(await a.semaphore("count", 2).waiters()).toBe(0);
      await lease.release();
    });

    test("a lock and a semaphore of the same name are different primitives", async () => {
      const sync = await redis.sync();
      const lock = await sync.lock("same").hold();
      const sem = await sync.semaphore("same", 1).hold({ timeout: 0 });
      await lock.release();
      await sem.release();
    });
  });

  test("a server error rejects the call with that error, state unchanged", async () => {
    const sync = await redis.sync();
    await redis.send(["SET", "sync:{lock:wrong}:h", "x"]);
    await expect(sync.lock("wrong").hold()).rejects.toThrow(/WRONGTYPE/);
    await expect(sync.lock("wrong").locked()).rejects.toThrow(/WRONGTYPE/);
    expect(await redis.send(["GET", "sync:{lock:wrong}:h"])).toBe("x");
    expect(await redis.send(["ZCARD", "sync:{lock:wrong}:q"])).toBe(0);
  });
});
