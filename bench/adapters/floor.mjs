// The floor: the least work plain JS can do for each scenario, written
// without any of the checks, options or observers a library owes its users.
// Every library's cost is reported relative to it.
//
// Every promise here takes its settle functions into locals of the caller
// (`let resolve; new Promise((r) => (resolve = r))`): V8 inlines such an
// executor and allocates no closure for it, where one that stores into an
// object or calls a method made (f) half as fast again.

const resolvedTrue = Promise.resolve(true);

/**
 * A FIFO of resolvers: an array with a moving head, so shift() never copies
 * element by element; the consumed front is dropped once it is half the
 * array, so a queue that never empties does not grow for ever.
 */
class Resolvers {
  items = [];
  head = 0;
  push(resolve) {
    this.items.push(resolve);
  }
  shift() {
    if (this.head === this.items.length) return undefined;
    const resolve = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return resolve;
  }
}

/** A shared resolved promise for a free lock, an array of resolvers for hand-off. */
class FloorLock {
  locked = false;
  queue = new Resolvers();
  acquire() {
    if (!this.locked) {
      this.locked = true;
      return resolvedTrue;
    }
    let resolve;
    const promise = new Promise((settle) => (resolve = settle));
    this.queue.push(resolve);
    return promise;
  }
  release() {
    const next = this.queue.shift();
    if (next !== undefined) next(true);
    else this.locked = false;
  }
}

/** FloorLock with a counter. */
class FloorSemaphore {
  queue = new Resolvers();
  constructor(value) {
    this.value = value;
  }
  acquire() {
    if (this.value > 0) {
      this.value--;
      return resolvedTrue;
    }
    let resolve;
    const promise = new Promise((settle) => (resolve = settle));
    this.queue.push(resolve);
    return promise;
  }
  release() {
    const next = this.queue.shift();
    if (next !== undefined) next(true);
    else this.value++;
  }
}

/**
 * A weighted semaphore, FIFO with head-of-line blocking: the needs and the
 * resolvers in two arrays read from a moving head; a release grants the
 * head while its need fits, and the first that does not fit stops the rest.
 */
class FloorWeighted {
  needs = [];
  resolvers = [];
  head = 0;
  constructor(value) {
    this.value = value;
  }
  acquire(n) {
    if (this.head === this.needs.length && this.value >= n) {
      this.value -= n;
      return resolvedTrue;
    }
    let resolve;
    const promise = new Promise((settle) => (resolve = settle));
    this.needs.push(n);
    this.resolvers.push(resolve);
    return promise;
  }
  release(_, n) {
    const { needs, resolvers } = this;
    let value = this.value + n;
    let head = this.head;
    while (head < needs.length && needs[head] <= value) {
      value -= needs[head];
      const resolve = resolvers[head];
      resolvers[head++] = undefined;
      resolve(true);
    }
    this.value = value;
    if (head === needs.length) {
      needs.length = resolvers.length = head = 0;
    } else if (head >= 1024 && head * 2 >= needs.length) {
      this.needs = needs.slice(head);
      this.resolvers = resolvers.slice(head);
      head = 0;
    }
    this.head = head;
  }
}

/**
 * One node per waiter in a doubly linked list, with its own abort listener:
 * O(1) removal at any position, the listener removed on grant.
 */
class FloorWaiter {
  prev = null;
  next = null;
  resolve = null;
  reject = null;
  // A function, not the node as an EventListenerObject: Node wraps an object
  // listener in an async function, a closure per listener and a promise per
  // abort.
  listener = () => {
    this.lock.unlink(this);
    this.reject(this.signal.reason);
  };
  constructor(lock, signal) {
    this.lock = lock;
    this.signal = signal;
  }
}

class FloorCancellableLock {
  locked = false;
  head = null;
  tail = null;
  acquire(signal) {
    if (!this.locked) {
      this.locked = true;
      return resolvedTrue;
    }
    const waiter = new FloorWaiter(this, signal);
    let resolve, reject;
    const promise = new Promise((settle, refuse) => {
      resolve = settle;
      reject = refuse;
    });
    waiter.resolve = resolve;
    waiter.reject = reject;
    waiter.prev = this.tail;
    if (this.tail === null) this.head = waiter;
    else this.tail.next = waiter;
    this.tail = waiter;
    signal.addEventListener("abort", waiter.listener);
    return promise;
  }
  unlink(waiter) {
    if (waiter.prev === null) this.head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === null) this.tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
  }
  release() {
    const next = this.head;
    if (next === null) {
      this.locked = false;
      return;
    }
    this.unlink(next);
    next.signal.removeEventListener("abort", next.listener);
    next.resolve(true);
  }
}

/**
 * A fair, write-preferring reader-writer lock: one FIFO of resolvers with
 * the kind each wants beside it; the head is granted while it fits (a write
 * when nobody holds the lock, a read when no writer does), and a read behind
 * a queued writer waits.
 */
class FloorRWLock {
  readers = 0;
  writing = false;
  queue = new Resolvers();
  writes = new Resolvers();
  read() {
    if (!this.writing && this.queue.head === this.queue.items.length) {
      this.readers++;
      return resolvedTrue;
    }
    return this.#wait(false);
  }
  write() {
    if (!this.writing && this.readers === 0 && this.queue.head === this.queue.items.length) {
      this.writing = true;
      return resolvedTrue;
    }
    return this.#wait(true);
  }
  #wait(write) {
    let resolve;
    const promise = new Promise((settle) => (resolve = settle));
    this.queue.push(resolve);
    this.writes.push(write);
    return promise;
  }
  releaseRead() {
    this.readers--;
    this.#grant();
  }
  releaseWrite() {
    this.writing = false;
    this.#grant();
  }
  #grant() {
    const queue = this.queue;
    while (queue.head < queue.items.length && !this.writing) {
      const write = this.writes.items[this.writes.head];
      if (write && this.readers > 0) return;
      this.writes.shift();
      if (write) this.writing = true;
      else this.readers++;
      queue.shift()(true);
    }
  }
}

/** A Map of FloorLocks, one made per key on first use and deleted when it frees. */
class FloorKeyed {
  locks = new Map();
  async run(key, fn) {
    let lock = this.locks.get(key);
    if (lock === undefined) this.locks.set(key, (lock = new FloorLock()));
    await lock.acquire();
    try {
      return await fn();
    } finally {
      lock.release();
      if (!lock.locked) this.locks.delete(key);
    }
  }
  idle() {
    return this.locks.size === 0;
  }
}

/** One shared promise for all waiters of an unset event. */
class FloorEvent {
  flag = false;
  promise = null;
  resolve = null;
  wait() {
    if (this.flag) return resolvedTrue;
    if (this.promise === null) {
      let resolve;
      this.promise = new Promise((settle) => (resolve = settle));
      this.resolve = resolve;
    }
    return this.promise;
  }
  set() {
    if (this.flag) return;
    this.flag = true;
    if (this.resolve !== null) this.resolve(true);
    this.promise = this.resolve = null;
  }
}

/** A barrier that hands out positions: an array of resolvers, resolved with 0 … parties-1. */
class FloorBarrier {
  queue = [];
  constructor(parties) {
    this.parties = parties;
  }
  wait() {
    const queue = this.queue;
    if (queue.length + 1 < this.parties) {
      let resolve;
      const promise = new Promise((settle) => (resolve = settle));
      queue.push(resolve);
      return promise;
    }
    this.queue = [];
    for (let i = 0; i < queue.length; i++) queue[i](i);
    return Promise.resolve(queue.length);
  }
}

/** A barrier without positions: one shared promise per cycle, as an event. */
class FloorSharedBarrier {
  count = 0;
  constructor(parties) {
    this.parties = parties;
    this.#next();
  }
  #next() {
    let resolve;
    this.promise = new Promise((settle) => (resolve = settle));
    this.resolve = resolve;
  }
  wait() {
    if (++this.count < this.parties) return this.promise;
    const resolve = this.resolve;
    this.count = 0;
    this.#next();
    resolve();
    return resolvedTrue;
  }
}

export default [
  {
    name: "floor",
    role: "floor",
    mode: "plain",
    lock: () => new FloorLock(),
    semaphore: (value) => new FloorSemaphore(value),
    weighted: (value) => new FloorWeighted(value),
    cancellableLock: () => new FloorCancellableLock(),
    event: () => new FloorEvent(),
    barrier: (parties) => new FloorBarrier(parties),
    positions: true,
    rwlock: () => new FloorRWLock(),
    keyed: () => new FloorKeyed(),
  },
  {
    name: "floor, no positions",
    role: "reference",
    mode: "plain",
    barrier: (parties) => new FloorSharedBarrier(parties),
  },
  {
    // The same floor, in the process where every other library passes a
    // signal or timeout: ratios there are to the plain floor of that run.
    name: "floor",
    role: "floor",
    mode: "options",
    lock: () => new FloorLock(),
    semaphore: (value) => new FloorSemaphore(value),
  },
];
