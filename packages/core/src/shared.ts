/**
 * One promise, already resolved with `true`, that every fast path returns:
 * a call that succeeds at once allocates nothing.
 */
export const resolvedTrue: Promise<true> = /* #__PURE__ */ Promise.resolve(true);

/**
 * The key under which Node's `util.inspect` looks for a custom formatter. A
 * primitive defines `[inspect]()` to return `String(this)`, so the REPL and
 * `console.log` show `<Lock [locked]>` without importing any Node module.
 */
export const inspect: unique symbol = /* #__PURE__ */ Symbol.for("nodejs.util.inspect.custom") as never;

/**
 * A branded class's `static [Symbol.hasInstance]`: `value instanceof cls` as
 * usual, or, when `cls` is the branded class itself (its prototype carries
 * `key`, a subclass's does not), true for any object whose prototype chain
 * carries `key` (a brand such as `"@sync/Lock"`). An app that loads both the
 * ESM and the CommonJS build of a package has two copies of each class; the
 * brand lets each recognise the other's instances.
 */
export function isInstance(key: string): (this: unknown, value: unknown) => boolean {
  return function (this: unknown, value: unknown): boolean {
    return (
      Function.prototype[Symbol.hasInstance].call(this as never, value) ||
      (Object.hasOwn((this as { prototype: object }).prototype, key) &&
        Object(value) === value &&
        key in (value as object))
    );
  };
}

/**
 * What a promise-returning call rejects with when `signal` aborts:
 * `signal.reason`, or, for a polyfilled signal that has none, the
 * `AbortError` that `AbortSignal.abort()` would give.
 */
export function reasonOf(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  return reason === undefined ? new DOMException("aborted", "AbortError") : reason;
}

/**
 * Reports an error that must not stop the loop that met it (an `onLeave`
 * hook that throws while a signal's waiters abort): the host's
 * `reportError` where there is one, else an uncaught exception in a
 * microtask. Either way the error surfaces as uncaught, as a throwing event
 * listener's does.
 */
export function report(error: unknown): void {
  if (typeof reportError === "function") reportError(error);
  else
    queueMicrotask(() => {
      throw error;
    });
}
