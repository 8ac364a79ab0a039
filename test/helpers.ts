// Test helpers shared by every package's suites (imported by relative path;
// never published).

/**
 * Lets queued promise reactions run: `rounds` turns of the microtask queue,
 * enough for a chain of awaits to settle. Works under jest fake timers.
 */
export async function tick(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

export type Tracked<T> =
  { state: "pending" } | { state: "fulfilled"; value: T } | { state: "rejected"; reason: unknown };

/**
 * Watches a promise without awaiting it: `track(p).state` tells after a
 * `tick()` whether it is pending, fulfilled or rejected. Also marks the
 * rejection as handled.
 */
export function track<T>(promise: Promise<T>): { readonly current: Tracked<T> } {
  const box: { current: Tracked<T> } = { current: { state: "pending" } };
  promise.then(
    (value) => (box.current = { state: "fulfilled", value }),
    (reason: unknown) => (box.current = { state: "rejected", reason }),
  );
  return box;
}
