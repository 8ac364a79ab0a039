// The edges of issue 11, as the other primitives keep them, on KeyedLock.
import { KeyedLock } from "@sync/keyed";

/** Calls `call`, which must not throw, and returns the promise it gives. */
function noThrow(call: () => unknown): Promise<unknown> {
  let promise: unknown;
  expect(() => (promise = call())).not.toThrow();
  return promise as Promise<unknown>;
}

it("acquire(), hold() and run() reject, never throw, for an unbound this", async () => {
  const { acquire, hold, run } = KeyedLock.prototype;
  await expect(noThrow(() => acquire.call(undefined as never, "a"))).rejects.toThrow(TypeError);
  await expect(noThrow(() => hold.call(undefined as never, "a"))).rejects.toThrow(TypeError);
  await expect(noThrow(() => run.call(undefined as never, "a", () => 1))).rejects.toThrow(TypeError);
});
