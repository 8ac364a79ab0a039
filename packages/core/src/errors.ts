/**
 * The error a waiting call rejects with when its `timeout` runs out, and that
 * {@link withTimeout} rejects with on time-out. asyncio raises `TimeoutError`
 * from `asyncio.wait_for()` in the same place.
 *
 * @example
 * ```ts
 * try {
 *   await lock.acquire({ timeout: 100 });
 * } catch (error) {
 *   if (error instanceof TimeoutError) console.log("busy, try later");
 *   else throw error;
 * }
 * ```
 */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}

/**
 * The error for a call that the primitive's state does not allow: releasing
 * an unlocked `Lock`, notifying a `Condition` without holding its lock, and
 * the like. asyncio raises `RuntimeError` in the same places. The state is
 * unchanged after it.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * try {
 *   lock.release();
 * } catch (error) {
 *   console.log(error instanceof InvalidStateError); // true
 * }
 * ```
 */
export class InvalidStateError extends Error {
  override name = "InvalidStateError";
}
