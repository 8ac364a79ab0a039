/**
 * A fair async mutex with `AbortSignal` cancellation and timeouts: `asyncio.Lock`.
 *
 * @module \@sync/lock
 */
export { Lock } from "./lock";
