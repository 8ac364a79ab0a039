import { TimeoutError } from "./errors";
import { reasonOf } from "./shared";

/**
 * The last, optional argument of every call that can wait.
 *
 * - `signal`: an `AbortSignal`; when it aborts before the call is granted,
 *   the call leaves the queue and rejects with `signal.reason`.
 * - `timeout`: milliseconds, a number >= 0. Like a signal that aborts after
 *   that long, but the call rejects with {@link TimeoutError}. `0` means
 *   "only if possible without waiting"; `Infinity` means no timeout.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await semaphore.acquire({ signal: controller.signal, timeout: 5_000 });
 * ```
 */
export interface WaitOptions {
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
}

/**
 * Checks a duration in milliseconds: a number >= 0, `Infinity` allowed.
 * Returns the error to reject with, or `undefined` when it is valid.
 */
export function durationError(value: unknown, name: string): Error | undefined {
  if (typeof value !== "number") return new TypeError(`${name} must be a number`);
  // `!(value >= 0)` is also true for NaN.
  return value >= 0 ? undefined : new RangeError(`${name} must be >= 0`);
}

/**
 * Checks a count (of permits, of parties): an integer from `min` up, exact
 * as a double (Number.MAX_SAFE_INTEGER at most), so that adding to it never
 * rounds. Returns `n`.
 *
 * @throws `TypeError` if `n` is not a number, `RangeError` if it is not
 *   such an integer; each message names the argument `name`.
 */
export function count(n: unknown, name: string, min: number): number {
  if (typeof n !== "number") throw new TypeError(`${name} must be a number, got ${typeof n}`);
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${n}`);
  return n;
}

/**
 * The one check of a waiting call's options: what the call must reject with
 * instead of going ahead, or `undefined` if it may. That is a `TypeError` or
 * `RangeError` for a malformed option, the reason of a signal that has
 * already aborted, and, when `waiting` (the call cannot succeed at once), a
 * {@link TimeoutError} for `timeout: 0`. It never throws: an options object
 * whose getters throw gives what they throw.
 *
 * A signal is an `AbortSignal`, or anything shaped like one (an `aborted`
 * flag and `addEventListener`), so one from another realm (an iframe's) or
 * a polyfill works.
 */
export function check(options: WaitOptions | undefined | null, waiting?: boolean): unknown {
  if (options === undefined || options === null) return undefined;
  try {
    if (typeof options !== "object") return new TypeError("options must be an object");
    // Typed loosely: what is passed need not be a signal of this realm.
    const signal: unknown = options.signal;
    const timeout = options.timeout;
    if (timeout !== undefined) {
      const error = durationError(timeout, "timeout");
      if (error !== undefined) return error;
    }
    if (signal !== undefined) {
      // `instanceof` first: the common case costs one check on the fast
      // path, and only a foreign signal pays for reading its shape.
      if (
        !(signal instanceof AbortSignal) &&
        (typeof (signal as AbortSignal | null)?.aborted !== "boolean" ||
          typeof (signal as AbortSignal).addEventListener !== "function")
      ) {
        return new TypeError("signal must be an AbortSignal");
      }
      if ((signal as AbortSignal).aborted) return reasonOf(signal as AbortSignal);
    }
    if (waiting && timeout === 0) return new TimeoutError("timed out without waiting");
    return undefined;
  } catch (error) {
    return error;
  }
}
