/**
 * A reusable async barrier with `AbortSignal` cancellation and timeouts: `asyncio.Barrier`.
 *
 * @module \@sync/barrier
 */
export { Barrier, BrokenBarrierError } from "./barrier";
