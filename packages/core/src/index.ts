/**
 * The waiter queue, cancellation, timeouts, errors and guards that the `@sync` primitives share.
 *
 * @module \@sync/core
 */
export { InvalidStateError, TimeoutError } from "./errors";
export { Guard, hold, run, type Acquirable } from "./guard";
export { durationError, mayProceed, optionsError, refusal, type WaitOptions } from "./options";
export { inspect, keepShape, resolvedTrue } from "./shared";
export { Waiter, WaiterQueue } from "./waiter-queue";
export { withTimeout } from "./with-timeout";
