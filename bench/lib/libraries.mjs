// Every library the bench knows, in the order the tables list them: the
// floor, @sync, then the peers.
import asyncLock from "../adapters/async-lock.mjs";
import asyncMutex from "../adapters/async-mutex.mjs";
import asyncRwlock from "../adapters/async-rwlock.mjs";
import asyncSema from "../adapters/async-sema.mjs";
import awaitSemaphore from "../adapters/await-semaphore.mjs";
import esfx from "../adapters/esfx.mjs";
import floor from "../adapters/floor.mjs";
import pLimit from "../adapters/p-limit.mjs";
import semaphoreAsyncAwait from "../adapters/semaphore-async-await.mjs";
import sync from "../adapters/sync.mjs";

export const libraries = [
  ...floor,
  ...sync,
  ...asyncMutex,
  ...asyncSema,
  ...pLimit,
  ...semaphoreAsyncAwait,
  ...awaitSemaphore,
  ...esfx,
  ...asyncRwlock,
  ...asyncLock,
];
