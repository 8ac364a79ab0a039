// The edges of issue 11, as the other primitives keep them, on RWLock's views.
import { RWLock } from "@sync/rwlock";

// The class of both views, whose methods a caller may take off a view.
const View = Object.getPrototypeOf(new RWLock().reader) as {
  acquire: () => unknown;
  hold: () => unknown;
  run: (fn: () => unknown) => unknown;
};

/** Calls `call`, which must not throw, and returns the promise it gives. */
function noThrow(call: () => unknown): Promise<unknown> {
  let promise: unknown;
  expect(() => (promise = call())).not.toThrow();
  return promise as Promise<unknown>;
}

it("acquire(), hold() and run() of a view reject, never throw, for an unbound this", async () => {
  await expect(noThrow(() => View.acquire.call(undefined))).rejects.toThrow(TypeError);
  await expect(noThrow(() => View.hold.call(undefined))).rejects.toThrow(TypeError);
  await expect(noThrow(() => View.run.call(undefined, () => 1))).rejects.toThrow(TypeError);
});
