/**
 * A fair, write-preferring async reader-writer lock with `AbortSignal` cancellation and timeouts.
 *
 * @module \@sync/rwlock
 */
export { RWLock } from "./rwlock";
