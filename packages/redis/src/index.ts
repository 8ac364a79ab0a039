/**
 * Fair, cancellable locks, semaphores, events and barriers across processes
 * and machines, over Redis: FIFO hand-off, pushed grants, leases with
 * fencing tokens.
 *
 * @module \@sync/redis
 */
export { LeaseLostError, type Lease } from "./lease";
export type { RedisBarrier, RedisEvent, RedisLock, RedisSemaphore } from "./primitives";
export { RedisSync, type RedisSyncOptions } from "./redis-sync";
