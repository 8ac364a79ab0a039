// A bounded queue: two Conditions on one Lock. `put()` waits while the queue
// is full, `take()` while it is empty, and each wakes the other side. One
// lock keeps the items and the closed flag consistent, and two conditions
// let a put wake only takers and a take wake only putters.
//
// A put that times out shows why a cancelled wait takes the lock back before
// it rejects: the `using` guard in put() releases it on the way out, as after
// any wait.
import { Condition } from "@sync/condition";
import { TimeoutError, withTimeout, type WaitOptions } from "@sync/core";
import { Lock } from "@sync/lock";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A FIFO queue of at most `capacity` items that async producers and consumers share. */
class BoundedQueue<T> {
  readonly #items: T[] = [];
  readonly #lock = new Lock();
  readonly #notEmpty = new Condition(this.#lock);
  readonly #notFull = new Condition(this.#lock);
  #closed = false;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#items.length;
  }

  /** Adds `item`, waiting while the queue is full; `options` bounds each wait (for the lock, then for room). */
  async put(item: T, options?: WaitOptions): Promise<void> {
    using _ = await this.#lock.hold(options);
    await this.#notFull.waitFor(() => this.#closed || this.#items.length < this.capacity, options);
    if (this.#closed) throw new Error("queue closed");
    this.#items.push(item);
    this.#notEmpty.notify();
  }

  /** Takes the oldest item, waiting while the queue is empty; `undefined` once closed and drained. */
  async take(): Promise<T | undefined> {
    using _ = await this.#lock.hold();
    await this.#notEmpty.waitFor(() => this.#closed || this.#items.length > 0);
    const item = this.#items.shift();
    if (item !== undefined) this.#notFull.notify();
    return item;
  }

  /** No more puts; takers drain what is left, then get `undefined`. */
  async close(): Promise<void> {
    using _ = await this.#lock.hold();
    this.#closed = true;
    this.#notEmpty.notifyAll();
    this.#notFull.notifyAll();
  }
}

/** One producer, two workers and a queue of two; one extra put gives up after a timeout. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const queue = new BoundedQueue<string>(2);

  async function worker(name: string): Promise<void> {
    for (let job; (job = await queue.take()) !== undefined;) {
      print(`${name} took ${job}`);
      await sleep(40); // the work
    }
    print(`${name} stops`);
  }

  async function producer(): Promise<void> {
    for (const job of ["job1", "job2", "job3", "job4", "job5", "job6"]) {
      await queue.put(job);
      print(`put ${job}, size ${queue.size}`);
    }
  }

  async function impatient(): Promise<void> {
    await sleep(10);
    try {
      // withTimeout bounds the whole put: the wait for the lock and for room.
      await withTimeout((signal) => queue.put("extra", { signal }), 20);
      print("put extra");
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      print(`extra: still full after 20 ms, dropped (size ${queue.size})`);
    }
  }

  const workers = [worker("w1"), worker("w2")];
  await Promise.all([producer(), impatient()]);
  await queue.close();
  await Promise.all(workers);
}
