import { isInstance } from "./shared";

// Brands are string keys, and `isInstance()` is marked pure: a computed key
// held in a variable, or an unmarked call, would keep the class in bundles
// that never use it (bundlers cannot prove either pure).

/**
 * The error a waiting call rejects with when its `timeout` runs out, and that
 * {@link withTimeout} rejects with on time-out. asyncio raises `TimeoutError`
 * from `asyncio.wait_for()` in the same place. `instanceof` also recognises
 * one made by another build of `@sync/core` (ESM and CommonJS in one app).
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

  /** The brand that `instanceof` looks for in another build's instances. */
  get "@sync/TimeoutError"(): true {
    return true;
  }

  /** `instanceof`, across builds of `@sync/core`. */
  static override [Symbol.hasInstance] = /* #__PURE__ */ isInstance("@sync/TimeoutError");
}

/**
 * The error for a call that the primitive's state does not allow: releasing
 * an unlocked `Lock`, notifying a `Condition` without holding its lock, and
 * the like. asyncio raises `RuntimeError` in the same places. The state is
 * unchanged after it. `instanceof` also recognises one made by another build
 * of `@sync/core`.
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

  /** The brand that `instanceof` looks for in another build's instances. */
  get "@sync/InvalidStateError"(): true {
    return true;
  }

  /** `instanceof`, across builds of `@sync/core`. */
  static override [Symbol.hasInstance] = /* #__PURE__ */ isInstance("@sync/InvalidStateError");
}
