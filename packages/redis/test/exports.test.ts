// The public API is exactly API-redis.md's list; this runs with or without a
// redis-server.
import * as redis from "@sync/redis";
import type { Lease, RedisBarrier, RedisEvent, RedisLock, RedisSemaphore, RedisSyncOptions } from "@sync/redis";
import { BrokenBarrierError } from "@sync/barrier";
import { InvalidStateError } from "@sync/core";

test("@sync/redis exports RedisSync and LeaseLostError, nothing else at run time", () => {
  expect(
    Object.keys(redis)
      .filter((key) => key !== "__esModule" && key !== "default")
      .sort(),
  ).toEqual(["LeaseLostError", "RedisSync"]);
});

test("LeaseLostError is an InvalidStateError of @sync/core; BrokenBarrierError is @sync/barrier's", () => {
  const error = new redis.LeaseLostError("lost");
  expect(error).toBeInstanceOf(InvalidStateError);
  expect(error.name).toBe("LeaseLostError");
  expect(new BrokenBarrierError("x")).toBeInstanceOf(InvalidStateError);
});

test("the types of the contract are exported", () => {
  // This file would not compile without them.
  const names: [Lease?, RedisLock?, RedisSemaphore?, RedisEvent?, RedisBarrier?, RedisSyncOptions?] = [];
  expect(names).toEqual([]);
});

test("a client that is neither node-redis nor ioredis is a TypeError", () => {
  expect(() => new redis.RedisSync({})).toThrow("client must be a node-redis or ioredis client");
});
