// Every library of the Redis scenarios, in the order the tables list them:
// the floor, @sync, then the peers, each at its default retry settings and
// at its most aggressive ones. Each adapter imports its library when it is
// first opened, so a process that only lists them (the coordinator) stays
// light.
import floor from "../adapters/redis-floor.mjs";
import redisSemaphore from "../adapters/redis-semaphore.mjs";
import redlock from "../adapters/redis-redlock.mjs";
import sesamecare from "../adapters/redis-sesamecare.mjs";
import simpleMutex from "../adapters/redis-simple-mutex.mjs";
import sync from "../adapters/redis-sync.mjs";

export const redisLibraries = [...floor, ...sync, ...redlock, ...sesamecare, ...redisSemaphore, ...simpleMutex];
