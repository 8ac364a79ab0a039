import { TimeoutError } from "./errors";
import { check, durationError } from "./options";
import { arm, type Timed } from "./timer";
import { unwatch, watch, type Watched } from "./waiter-queue";

/**
 * Runs `operation` with a signal that aborts after `ms` milliseconds, or when
 * `options.signal` aborts: the `asyncio.wait_for()` of this library.
 *
 * The returned promise settles as `operation`'s promise does. An operation
 * that honours its signal (every waiting call of `@sync` does) therefore
 * rejects with {@link TimeoutError} on time-out, and with
 * `options.signal.reason` when that signal aborts first. Like `wait_for`, it
 * waits for the operation to finish rather than racing it, so a lock that
 * was granted just before the time-out is never leaked.
 *
 * The timer is cleared when the operation settles. On `options.signal`, all
 * the pending calls of `@sync` share one listener, removed with the last.
 *
 * @throws (as rejections) `TypeError` if `operation` is not a function, `ms`
 *   is not a number or `options.signal` not an `AbortSignal`; `RangeError` if
 *   `ms` is negative or NaN; `options.signal.reason` if that signal has
 *   already aborted (the operation is not called then).
 * @example
 * ```ts
 * const value = await withTimeout(async (signal) => {
 *   using _ = await lock.hold({ signal });
 *   await event.wait({ signal });
 *   return readShared();
 * }, 1_000);
 * ```
 */
export async function withTimeout<T>(
  operation: (signal: AbortSignal) => PromiseLike<T> | T,
  ms: number,
  options?: { signal?: AbortSignal | undefined },
): Promise<T> {
  if (typeof operation !== "function") throw new TypeError("operation must be a function");
  const error = durationError(ms, "ms") ?? check(options);
  if (error !== undefined) throw error;
  const outer = options?.signal;
  const controller = new AbortController();
  const deadline: Timed & Watched = {
    timer: undefined,
    expire: () => controller.abort(new TimeoutError(`timed out after ${ms} ms`)),
    watch: undefined,
    abandon: (reason) => controller.abort(reason),
  };
  if (outer !== undefined) watch(outer, deadline);
  if (ms !== Infinity) arm(deadline, ms);
  try {
    return await operation(controller.signal);
  } finally {
    clearTimeout(deadline.timer);
    unwatch(deadline);
  }
}
