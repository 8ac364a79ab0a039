// RedisEvent and RedisBarrier: every clause of API-redis.md, through both
// client kinds, with several RedisSync instances on one real server.
import { BrokenBarrierError } from "@sync/barrier";
import { InvalidStateError, TimeoutError } from "@sync/core";
import { describeRedis, eventually, kinds, sleep, useRedis } from "./harness";

describeRedis.each(kinds)("RedisEvent (%s)", (kind) => {
  const redis = useRedis(kind);

  test("set() wakes every waiter in every process; the flag stays until cleared", async () => {
    const syncs = [await redis.sync(), await redis.sync(), await redis.sync()];
    const log: string[] = [];
    const waits = syncs.flatMap((sync, i) =>
      [0, 1].map((j) =>
        sync
          .event("ready")
          .wait()
          .then((value) => log.push(`${i}.${j} ${value}`)),
      ),
    );
    await eventually(async () => (await redis.send(["ZCARD", "sync:{event:ready}:q"])) === 6);
    expect(await syncs[0]!.event("ready").isSet()).toBe(false);
    expect(log).toEqual([]);
    await syncs[1]!.event("ready").set();
    await Promise.all(waits);
    expect(log.sort()).toEqual(["0.0 true", "0.1 true", "1.0 true", "1.1 true", "2.0 true", "2.1 true"]);
    expect(await syncs[2]!.event("ready").isSet()).toBe(true);
    // Set: a wait resolves at once, timeout: 0 included.
    await expect(syncs[2]!.event("ready").wait({ timeout: 0 })).resolves.toBe(true);
    await syncs[0]!.event("ready").clear();
    expect(await syncs[2]!.event("ready").isSet()).toBe(false);
    await expect(syncs[2]!.event("ready").wait({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
  });

  test("a waiter woken by set() resolves even if clear() follows at once", async () => {
    const [a, b] = [await redis.sync(), await redis.sync()];
    const waiting = a.event("blink").wait();
    await eventually(async () => (await redis.send(["ZCARD", "sync:{event:blink}:q"])) === 1);
    const event = b.event("blink");
    await Promise.all([event.set(), event.clear()]);
    await expect(waiting).resolves.toBe(true);
    expect(await event.isSet()).toBe(false);
  });

  test("abort and timeout while waiting: reject at once and leave the server's list", async () => {
    const [a, b] = [await redis.sync(), await redis.sync()];
    const controller = new AbortController();
    const aborted = a.event("e").wait({ signal: controller.signal });
    const timed = b.event("e").wait({ timeout: 50 });
    const staying = b.event("e").wait();
    await eventually(async () => Number(await redis.send(["ZCARD", "sync:{event:e}:q"])) >= 2);
    controller.abort(new Error("left"));
    await expect(aborted).rejects.toThrow("left");
    await expect(timed).rejects.toBeInstanceOf(TimeoutError);
    await eventually(async () => (await redis.send(["ZCARD", "sync:{event:e}:q"])) === 1);
    await a.event("e").set();
    await expect(staying).resolves.toBe(true);
  });

  test("close() rejects a pending wait with InvalidStateError", async () => {
    const a = await redis.sync();
    const waiting = a.event("c").wait();
    await eventually(async () => (await redis.send(["ZCARD", "sync:{event:c}:q"])) === 1);
    await a.close();
    await expect(waiting).rejects.toBeInstanceOf(InvalidStateError);
    expect(await redis.send(["ZCARD", "sync:{event:c}:q"])).toBe(0);
    await expect(a.event("c").set()).rejects.toBeInstanceOf(InvalidStateError);
  });
});

describeRedis.each(kinds)("RedisBarrier (%s)", (kind) => {
  const redis = useRedis(kind);

  /** Starts one wait per instance, each after the previous is queued on the server. */
  async function arrive(
    syncs: { barrier(name: string, parties: number): { wait(): Promise<number> } }[],
    name: string,
  ) {
    const waits: Promise<number>[] = [];
    for (const [i, sync] of syncs.entries()) {
      waits.push(sync.barrier(name, syncs.length + 1).wait());
      await eventually(async () => (await redis.send(["ZCARD", `sync:{barrier:${name}}:q`])) === i + 1);
    }
    return waits;
  }

  test("parties callers in any processes: distinct positions in arrival order, then the next cycle", async () => {
    const syncs = [await redis.sync(), await redis.sync(), await redis.sync(), await redis.sync()];
    for (let cycle = 0; cycle < 2; cycle++) {
      const waits = await arrive(syncs.slice(0, 3), "epoch");
      const barrier = syncs[3]!.barrier("epoch", 4);
      expect(await barrier.nWaiting()).toBe(3);
      expect(await barrier.wait()).toBe(3);
      expect(await Promise.all(waits)).toEqual([0, 1, 2]);
      expect(await barrier.nWaiting()).toBe(0);
    }
  });

  test("reset(): waiters reject with BrokenBarrierError, the barrier works again", async () => {
    const syncs = [await redis.sync(), await redis.sync(), await redis.sync()];
    const waits = await arrive(syncs.slice(0, 2), "r");
    await syncs[2]!.barrier("r", 3).reset();
    for (const wait of waits) await expect(wait).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(await syncs[2]!.barrier("r", 3).broken()).toBe(false);
    const again = await arrive(syncs.slice(0, 2), "r");
    expect(await syncs[2]!.barrier("r", 3).wait()).toBe(2);
    expect(await Promise.all(again)).toEqual([0, 1]);
  });

  test("abort(): current and later waits reject until reset()", async () => {
    const syncs = [await redis.sync(), await redis.sync()];
    const barrier = syncs[1]!.barrier("a", 2);
    const waiting = syncs[0]!.barrier("a", 2).wait();
    await eventually(async () => (await barrier.nWaiting()) === 1);
    await barrier.abort();
    await expect(waiting).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(await barrier.broken()).toBe(true);
    await expect(barrier.wait()).rejects.toThrow("Barrier aborted");
    await expect(barrier.wait({ timeout: 0 })).rejects.toBeInstanceOf(BrokenBarrierError);
    await barrier.reset();
    expect(await barrier.broken()).toBe(false);
  });

  test("a waiter that leaves leaves the cycle; positions stay distinct", async () => {
    const syncs = [await redis.sync(), await redis.sync(), await redis.sync()];
    const controller = new AbortController();
    const leaving = syncs[0]!.barrier("leave", 3).wait({ signal: controller.signal });
    const staying = syncs[1]!.barrier("leave", 3).wait();
    const barrier = syncs[2]!.barrier("leave", 3);
    await eventually(async () => (await barrier.nWaiting()) === 2);
    controller.abort(new Error("bye"));
    await expect(leaving).rejects.toThrow("bye");
    await eventually(async () => (await barrier.nWaiting()) === 1);
    await expect(syncs[0]!.barrier("leave", 3).wait({ timeout: 50 })).rejects.toBeInstanceOf(TimeoutError);
    await eventually(async () => (await barrier.nWaiting()) === 1);
    // timeout: 0 succeeds only for the caller that completes the cycle.
    await expect(barrier.wait({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    const third = syncs[0]!.barrier("leave", 3).wait();
    await eventually(async () => (await barrier.nWaiting()) === 2);
    expect(await barrier.wait({ timeout: 0 })).toBe(2);
    expect([await staying, await third]).toEqual([0, 1]);
  });

  test("another count for the same name rejects with InvalidStateError and changes nothing", async () => {
    const [a, b] = [await redis.sync(), await redis.sync()];
    const waiting = a.barrier("n", 2).wait();
    await eventually(async () => (await a.barrier("n", 2).nWaiting()) === 1);
    const wrong = b.barrier("n", 3);
    await expect(wrong.wait()).rejects.toBeInstanceOf(InvalidStateError);
    await expect(wrong.nWaiting()).rejects.toBeInstanceOf(InvalidStateError);
    await expect(wrong.broken()).rejects.toBeInstanceOf(InvalidStateError);
    await expect(wrong.reset()).rejects.toBeInstanceOf(InvalidStateError);
    await expect(wrong.abort()).rejects.toThrow('<RedisBarrier "n" parties:3> has 2 parties on the server');
    expect(await a.barrier("n", 2).nWaiting()).toBe(1);
    expect(await b.barrier("n", 2).wait()).toBe(1);
    expect(await waiting).toBe(0);
  });

  test("a barrier of one releases every call at once", async () => {
    const sync = await redis.sync();
    expect(await sync.barrier("one", 1).wait()).toBe(0);
    expect(await sync.barrier("one", 1).wait({ timeout: 0 })).toBe(0);
    await sleep(0);
  });
});
