/**
 * What the `@sync` packages share beyond core's public API: the option check,
 * the bodies of `hold()` and `run()`, the queue with needs, and the like.
 * Internal: only `@sync/*` packages import it, and it may change in any
 * release.
 *
 * @module \@sync/core/internal
 */
export { check, count, durationError } from "./options";
export { hold, run } from "./guard";
export { inspect, isInstance, reasonOf, resolvedTrue } from "./shared";
export { grantFitting, WaiterQueue } from "./waiter-queue";
