/**
 * An async condition variable with `AbortSignal` cancellation and timeouts: `asyncio.Condition`.
 *
 * @module \@sync/condition
 */
export { Condition } from "./condition";
