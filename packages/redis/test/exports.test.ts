// What can be checked without a redis-server: the error classes and the
// client check. (The exact export list is packages/primitives/test/exports.test.ts.)
import * as redis from "@sync/redis";
import { BrokenBarrierError } from "@sync/barrier";
import { InvalidStateError } from "@sync/core";

test("LeaseLostError is an InvalidStateError of @sync/core; BrokenBarrierError is @sync/barrier's", () => {
  const error = new redis.LeaseLostError("lost");
  expect(error).toBeInstanceOf(InvalidStateError);
  expect(error.name).toBe("LeaseLostError");
  expect(new BrokenBarrierError("x")).toBeInstanceOf(InvalidStateError);
});

test("a client that is neither node-redis nor ioredis is a TypeError", () => {
  expect(() => new redis.RedisSync({})).toThrow("client must be a node-redis or ioredis client");
});
