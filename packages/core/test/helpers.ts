// Test helpers that every package's suites share, here in core's tests because
// every package builds on core (imported by relative path; never published).

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

/**
 * track() of `promise`, which also logs `name` to `log` when it fulfils and
 * `<name> rejected` when it rejects: the order calls settle in.
 */
export function trackLogged<T>(promise: Promise<T>, log: string[], name: string): { readonly current: Tracked<T> } {
  return track(
    promise.then(
      (value) => {
        log.push(name);
        return value;
      },
      (reason: unknown) => {
        log.push(`${name} rejected`);
        throw reason;
      },
    ),
  );
}

/** Registers jest fake timers before each test of the file (or describe block), and real ones after it. */
export function useFakeTimersPerTest(): void {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });
}

/**
 * Runs an example of docs/examples (its `main(print)`) under jest fake
 * timers until it finishes, and returns what it printed, each line prefixed
 * (unless `stamp` is false) with the virtual milliseconds since the start.
 * Asserts that the example left no timer behind.
 */
export async function runExample(
  main: (print: (line: string) => void) => Promise<void>,
  stamp = true,
): Promise<string[]> {
  jest.useFakeTimers();
  try {
    const start = jest.now();
    const lines: string[] = [];
    const done = main((line) => lines.push(stamp ? `${jest.now() - start} ${line}` : line));
    await jest.runAllTimersAsync();
    await done;
    expect(jest.getTimerCount()).toBe(0);
    return lines;
  } finally {
    jest.useRealTimers();
  }
}
