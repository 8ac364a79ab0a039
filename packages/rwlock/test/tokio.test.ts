// Ported from tokio's tokio/tests/sync_rwlock.rs, named after the originals.
// tokio's `spawn(fut).poll()` becomes a call and a tick(), `assert_ready!` a
// fulfilled promise, `assert_pending!` a pending one, and dropping a guard or
// a pending future becomes release() or an abort. Left out: into_inner,
// zero_max_readers(_const) and with_max_readers (there is no data inside our
// lock and no reader limit), multithreaded (one thread here: its counting
// runs as write_order_many below), and the *_map downgrades, whose closures
// have no counterpart (downgrade_map is ported as downgrade()).
import { RWLock } from "@sync/rwlock";
import { tick, track, useFakeTimersPerTest } from "../../core/test/helpers";

useFakeTimersPerTest();

// multiple reads should be Ready
test("read_shared", async () => {
  const rw = new RWLock();
  const t1 = track(rw.reader.acquire());
  const t2 = track(rw.reader.acquire());
  await tick();
  expect([t1.current.state, t2.current.state]).toEqual(["fulfilled", "fulfilled"]);
});

// When there is an active shared owner, exclusive access should not be possible
test("write_shared_pending", async () => {
  const rw = new RWLock();
  await rw.reader.acquire();
  const t2 = track(rw.writer.acquire());
  await tick();
  expect(t2.current.state).toBe("pending");
});

// When there is an active exclusive owner, subsequent shared access should not be possible
test("read_exclusive_pending", async () => {
  const rw = new RWLock();
  await rw.writer.acquire();
  const t2 = track(rw.reader.acquire());
  await tick();
  expect(t2.current.state).toBe("pending");
});

// If a read is pending, it should be made available when the holder that blocks it is dropped.
// (tokio reaches the pending read through its reader limit; we have none, so a writer blocks it.)
test("exhaust_reading", async () => {
  const rw = new RWLock();
  const reads = [];
  for (let i = 0; i < 1024 && rw.reader.tryAcquire(); i++) reads.push(i);
  expect(reads).toHaveLength(1024); // no reader limit
  const writer = track(rw.writer.acquire());
  const t1 = track(rw.reader.acquire());
  for (const _ of reads) rw.reader.release();
  await tick();
  expect([writer.current.state, t1.current.state]).toEqual(["fulfilled", "pending"]);
  rw.writer.release();
  await tick();
  expect(t1.current.state).toBe("fulfilled");
});

// When there is an active exclusive owner, subsequent exclusive access should not be possible
test("write_exclusive_pending", async () => {
  const rw = new RWLock();
  await rw.writer.acquire();
  const t2 = track(rw.writer.acquire());
  await tick();
  expect(t2.current.state).toBe("pending");
});

// When there is an active shared owner, exclusive access should be possible after shared is dropped
test("write_shared_drop", async () => {
  const rw = new RWLock();
  await rw.reader.acquire();
  const t2 = track(rw.writer.acquire());
  await tick();
  expect(t2.current.state).toBe("pending");
  rw.reader.release();
  await tick();
  expect(t2.current.state).toBe("fulfilled");
});

// when there is an active shared owner, and exclusive access is triggered,
// subsequent shared access should not be possible as write gathers all the available semaphore permits
test("write_read_shared_pending", async () => {
  const rw = new RWLock();
  await rw.reader.acquire();
  await rw.reader.acquire();
  const t3 = track(rw.writer.acquire());
  const t4 = track(rw.reader.acquire());
  await tick();
  expect([t3.current.state, t4.current.state]).toEqual(["pending", "pending"]);
});

// when there is an active shared owner, and exclusive access is triggered,
// reading should be possible after pending exclusive access is dropped
test("write_read_shared_drop_pending", async () => {
  const rw = new RWLock();
  await rw.reader.acquire();
  const controller = new AbortController();
  const t2 = track(rw.writer.acquire({ signal: controller.signal }));
  const t3 = track(rw.reader.acquire());
  await tick();
  expect([t2.current.state, t3.current.state]).toEqual(["pending", "pending"]);
  controller.abort(); // drop(t2)
  await tick();
  expect([t2.current.state, t3.current.state]).toEqual(["rejected", "fulfilled"]);
});

// Acquire an RwLock nonexclusively by a single task
test("read_uncontested", async () => {
  const rw = new RWLock();
  await expect(rw.reader.acquire()).resolves.toBe(true);
});

// Acquire an uncontested RwLock in exclusive mode
test("write_uncontested", async () => {
  const rw = new RWLock();
  await expect(rw.writer.run(() => 100 + 50)).resolves.toBe(150);
});

// RwLocks should be acquired in the order that their Futures are waited upon.
// (tokio queues at the first poll; we queue at the call.)
test("write_order", async () => {
  const rw = new RWLock();
  const log: number[] = [];
  const fut1 = rw.writer.run(() => log.push(1));
  const fut2 = rw.writer.run(() => log.push(2));
  await fut1;
  await fut2;
  await rw.reader.run(() => expect(log).toEqual([1, 2]));
});

// A single RwLock contested by many tasks: every write counted once.
test("write_order_many (multithreaded, on one thread)", async () => {
  const rw = new RWLock();
  let value = 0;
  const adders = [2, 3, 5, 7].map(async (n) => {
    for (let i = 0; i < 1000; i++) {
      await rw.writer.run(async () => {
        const seen = value;
        await tick(1);
        value = seen + n;
      });
    }
  });
  await Promise.all(adders);
  await rw.reader.run(() => expect(value).toBe(17_000));
});

test("try_write", async () => {
  const rw = new RWLock();
  await rw.reader.acquire();
  expect(rw.writer.tryAcquire()).toBe(false);
  rw.reader.release();
  expect(rw.writer.tryAcquire()).toBe(true);
});

test("try_read_try_write", () => {
  const rw = new RWLock();
  expect(rw.reader.tryAcquire()).toBe(true);
  expect(rw.writer.tryAcquire()).toBe(false);
  expect(rw.reader.tryAcquire()).toBe(true);
  rw.reader.release();
  rw.reader.release();
  expect(rw.writer.tryAcquire()).toBe(true);
  expect(rw.reader.tryAcquire()).toBe(false);
  rw.writer.release();
  expect(rw.reader.tryAcquire()).toBe(true);
});

test("downgrade_map (as downgrade())", async () => {
  const rw = new RWLock();
  await rw.writer.acquire();
  const readT = track(rw.reader.acquire());
  // We can't create a read when a write exists
  await tick();
  expect(readT.current.state).toBe("pending");
  rw.downgrade();
  // After the downgrade, read_t got the lock, beside the downgraded read
  await tick();
  expect(readT.current.state).toBe("fulfilled");
  expect(String(rw)).toBe("<RWLock [read:2]>");
});
