// Regression tests for issue 11's edges, on Lock.
import { Lock } from "@sync/lock";

/** Calls `call`, which must not throw, and returns the promise it gives. */
function noThrow(call: () => unknown): Promise<unknown> {
  let promise: unknown;
  expect(() => (promise = call())).not.toThrow();
  return promise as Promise<unknown>;
}

// What broke: an unbound `this` threw at once instead of rejecting.
it("acquire() and hold() reject, never throw, for an unbound this", async () => {
  await expect(noThrow(() => Lock.prototype.acquire.call(undefined as never))).rejects.toThrow(TypeError);
  await expect(noThrow(() => Lock.prototype.hold.call(undefined as never))).rejects.toThrow(TypeError);
});

// What broke: `new Condition(lockFromTheOtherBuild)` threw, as a Lock from the
// other build (ESM vs CommonJS) failed `instanceof`. An object with the brand
// stands for it here; packages/primitives/test/edges.test.ts loads both builds.
it("carries the brand that another build's instanceof looks for, and recognises it", () => {
  const key = Symbol.for("@sync/Lock");
  class Sub extends Lock {}
  const foreign = Object.create({ [key]: true }) as object;
  expect([
    (new Lock() as unknown as Record<symbol, unknown>)[key],
    foreign instanceof Lock,
    foreign instanceof Sub,
  ]).toEqual([true, true, false]);
  expect([new Sub() instanceof Lock, {} instanceof Lock]).toEqual([true, false]);
});
