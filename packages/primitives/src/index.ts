/**
 * All of `@sync` in one import: `Lock`, `Event`, `Condition`, `Semaphore`, `BoundedSemaphore`, `Barrier` and core.
 *
 * @module \@sync/primitives
 */
export * from "@sync/barrier";
export * from "@sync/condition";
export * from "@sync/core";
export * from "@sync/event";
export * from "@sync/lock";
export * from "@sync/semaphore";
