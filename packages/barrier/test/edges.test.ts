// Regression tests for issue 11's edges, on Barrier.
import { Barrier, BrokenBarrierError } from "@sync/barrier";
import { InvalidStateError } from "@sync/core";

// What broke: an unbound `this` threw at once instead of rejecting.
it("wait() rejects, never throws, for an unbound this", async () => {
  let promise: unknown;
  expect(() => (promise = Barrier.prototype.wait.call(undefined as never))).not.toThrow();
  await expect(promise).rejects.toThrow(TypeError);
});

// What broke: `instanceof BrokenBarrierError` was false for an error of the
// other build (ESM vs CommonJS). An object with the brand stands for it here.
it("carries the brand that another build's instanceof looks for, and recognises it", () => {
  const key = Symbol.for("@sync/BrokenBarrierError");
  const foreign = Object.create({ [key]: true }) as object;
  const own = new BrokenBarrierError("b") as unknown as Record<symbol, unknown>;
  expect([own[key], foreign instanceof BrokenBarrierError, own instanceof InvalidStateError]).toEqual([
    true,
    true,
    true,
  ]);
});
