/**
 * One promise, already resolved with `true`, that every fast path returns:
 * a call that succeeds at once allocates nothing.
 *
 * @example
 * ```ts
 * if (this.#value > 0 && mayProceed(options)) {
 *   this.#value--;
 *   return resolvedTrue;
 * }
 * ```
 */
export const resolvedTrue: Promise<true> = /* #__PURE__ */ Promise.resolve(true);

/**
 * The key under which Node's `util.inspect` looks for a custom formatter. A
 * primitive defines `[inspect]()` to return `String(this)`, so the REPL and
 * `console.log` show `<Lock [locked]>` without importing any Node module.
 *
 * @example
 * ```ts
 * [inspect](): string {
 *   return this.toString();
 * }
 * ```
 */
export const inspect: unique symbol = /* #__PURE__ */ Symbol.for("nodejs.util.inspect.custom") as never;

// What keepShape() keeps: one instance of each class that asked.
const shapes: object[] = [];

/**
 * Keeps `instance` alive for as long as the program runs, and with it the
 * shape (V8's hidden class, a "map") that every instance of its class
 * shares.
 *
 * Why: V8 holds the shape of an object with fields only weakly, through the
 * transitions from its class. When the last instance of a class is gone, a
 * full garbage collection frees the shape and throws away all the optimized
 * code compiled for it, and the next instances run slowly until that code is
 * compiled again. A lock or semaphore made per request, and a waiter of a
 * queue that is empty more often than not, lose their compiled code at every
 * full collection that way. One instance kept per class, made in the class's
 * `static` block, costs a few bytes and prevents it.
 *
 * @example
 * ```ts
 * class MiniLock {
 *   static {
 *     keepShape(new MiniLock());
 *   }
 *   #locked = false;
 *   #waiters = new WaiterQueue<true>();
 * }
 * ```
 */
export function keepShape(instance: object): void {
  shapes.push(instance);
}
