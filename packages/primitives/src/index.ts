/**
 * All of `@sync` in one import: `Lock`, `Event`, `Condition`, `Semaphore`, `BoundedSemaphore`, `Barrier` and core.
 *
 * @module \@sync/primitives
 */
// Named, not `export *`: a CommonJS loader (Node importing the sources through
// tsx, or a CJS bundle) cannot see names that come through `export *`.
export { Barrier, BrokenBarrierError } from "@sync/barrier";
export { Condition } from "@sync/condition";
export {
  Guard,
  InvalidStateError,
  TimeoutError,
  WaiterQueue,
  withTimeout,
  type Acquirable,
  type Waiter,
  type WaitOptions,
} from "@sync/core";
export { Event } from "@sync/event";
export { Lock } from "@sync/lock";
export { BoundedSemaphore, Semaphore } from "@sync/semaphore";
