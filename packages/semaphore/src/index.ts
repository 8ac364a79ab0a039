/**
 * Fair async `Semaphore` and `BoundedSemaphore` with `AbortSignal` cancellation and timeouts: `asyncio.Semaphore`.
 *
 * @module \@sync/semaphore
 */
export { BoundedSemaphore, Semaphore } from "./semaphore";
