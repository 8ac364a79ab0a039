/**
 * A fair async lock per key, deadlock-free over several keys, with `AbortSignal` cancellation and timeouts.
 *
 * @module \@sync/keyed
 */
export { KeyedLock } from "./keyed";
