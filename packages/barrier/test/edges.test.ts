// Regression tests for issue 11's edges, on Barrier.
import { Barrier, BrokenBarrierError } from "@sync/barrier";
import { InvalidStateError } from "@sync/core";
import { tick } from "../../core/test/helpers";

// What broke: an unbound `this` threw at once instead of rejecting.
it("wait() rejects, never throws, for an unbound this", async () => {
  let promise: unknown;
  expect(() => (promise = Barrier.prototype.wait.call(undefined as never))).not.toThrow();
  await expect(promise).rejects.toThrow(TypeError);
});

// What broke: `instanceof BrokenBarrierError` was false for an error of the
// other build (ESM vs CommonJS). An object with the brand stands for it here.
it("carries the brand that another build's instanceof looks for, and recognises it", () => {
  const key = "@sync/BrokenBarrierError";
  const foreign = Object.create({ [key]: true }) as object;
  const own = new BrokenBarrierError("b") as unknown as Record<string, unknown>;
  expect([own[key], foreign instanceof BrokenBarrierError, own instanceof InvalidStateError]).toEqual([
    true,
    true,
    true,
  ]);
});

// Race. Actors: a Barrier(3); B waits with no signal, A with a signal whose
// earlier abort listener (the user's) makes C call wait(). Interleaving: the
// signal aborts, the user's listener runs before the queue's, so A is still
// queued but aborted when C arrives as the third. What broke: the release
// skipped A and let B and C through, a cycle of two; A must leave first, so
// B and C wait until D completes the cycle.
it("a waiter whose signal has aborted does not count towards the cycle that the last party releases", async () => {
  const barrier = new Barrier(3);
  const controller = new AbortController();
  const log: string[] = [];
  const wait = (name: string, signal?: AbortSignal): void => {
    barrier.wait({ signal }).then(
      (position) => log.push(`${name} ${position}`),
      (reason: unknown) => log.push(`${name} ${String(reason)}`),
    );
  };
  controller.signal.addEventListener("abort", () => wait("C"));
  wait("B");
  wait("A", controller.signal);
  controller.abort("stop");
  await tick();
  expect([log.splice(0), barrier.nWaiting]).toEqual([["A stop"], 2]);
  wait("D");
  await tick();
  expect([log, barrier.nWaiting]).toEqual([["B 0", "C 1", "D 2"], 0]);
});
