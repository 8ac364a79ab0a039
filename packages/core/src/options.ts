import { TimeoutError } from "./errors";

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
 *
 * @example
 * ```ts
 * durationError(-1, "ms"); // RangeError: ms must be >= 0, got -1
 * durationError(Infinity, "ms"); // undefined
 * ```
 */
export function durationError(value: unknown, name: string): Error | undefined {
  if (typeof value !== "number") return new TypeError(`${name} must be a number, got ${typeof value}`);
  // `!(value >= 0)` is also true for NaN.
  if (!(value >= 0)) return new RangeError(`${name} must be >= 0, got ${value}`);
  return undefined;
}

/**
 * Why a waiting call with these options may not go ahead, or `undefined` if
 * it may: a `TypeError` or `RangeError` for a malformed option, or the
 * reason of a signal that has already aborted. `timeout: 0` is not checked
 * here: it forbids waiting, not succeeding at once.
 *
 * @example
 * ```ts
 * const error = optionsError(options);
 * if (error !== undefined) return Promise.reject(error);
 * ```
 */
export function optionsError(options: WaitOptions | undefined | null): unknown {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object") return new TypeError(`options must be an object, got ${typeof options}`);
  const { signal, timeout } = options;
  if (timeout !== undefined) {
    const error = durationError(timeout, "timeout");
    if (error !== undefined) return error;
  }
  if (signal !== undefined) {
    if (!(signal instanceof AbortSignal)) return new TypeError("signal must be an AbortSignal");
    if (signal.aborted) return signal.reason;
  }
  return undefined;
}

/**
 * True when a call with these options may succeed at once: no options, or
 * valid options with no signal that has already aborted. The fast path of
 * every primitive asks this before it grants anything, so an aborted signal
 * changes nothing even where the call could have succeeded.
 *
 * @example
 * ```ts
 * if (!this.#locked && mayProceed(options)) {
 *   this.#locked = true;
 *   return resolvedTrue;
 * }
 * return this.#waiters.wait(options);
 * ```
 */
export function mayProceed(options: WaitOptions | undefined | null): boolean {
  return options === undefined || optionsError(options) === undefined;
}

/**
 * The rejected promise a call with these options must return instead of
 * waiting, or `undefined` if it may wait: {@link optionsError}, or a
 * {@link TimeoutError} for `timeout: 0`.
 *
 * @example
 * ```ts
 * const refused = refusal(options);
 * if (refused !== undefined) return refused;
 * ```
 */
export function refusal(options: WaitOptions | undefined | null): Promise<never> | undefined {
  if (options === undefined || options === null) return undefined;
  const error = optionsError(options);
  if (error !== undefined) return Promise.reject(error);
  if (options.timeout === 0) return Promise.reject(new TimeoutError("timed out without waiting (timeout: 0)"));
  return undefined;
}
