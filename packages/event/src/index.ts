/**
 * An async event flag with `AbortSignal` cancellation and timeouts: `asyncio.Event`.
 *
 * @module \@sync/event
 */
export { Event } from "./event";
