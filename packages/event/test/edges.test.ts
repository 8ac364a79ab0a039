// Regression tests for issue 11's edges, on Event.
import { Event } from "@sync/event";

// What broke: an unbound `this` threw at once instead of rejecting.
it("wait() rejects, never throws, for an unbound this", async () => {
  let promise: unknown;
  expect(() => (promise = Event.prototype.wait.call(undefined as never))).not.toThrow();
  await expect(promise).rejects.toThrow(TypeError);
});
