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

// Where keepShape() puts an instance: a property of its class.
const shape = Symbol("shape");

/**
 * The first time it is called for `cls`, makes one instance with `make` (or
 * several, in an array) and keeps it for as long as `cls` lives; later calls
 * do nothing. Call it in the constructor, so that a class nobody constructs
 * stays out of a bundle.
 *
 * Why: V8 holds the shape (its hidden class, a "map") that every instance of
 * a class with fields shares only weakly, through the transitions from the
 * class. When the last instance is gone, a full garbage collection frees the
 * shape and throws away all the optimized code compiled for it, and the
 * next instances run slowly until that code is compiled again. A lock or
 * semaphore made per request, and a waiter of a queue that is empty more
 * often than not, lose their compiled code at every full collection that
 * way. One instance kept per class costs a few bytes and prevents it.
 *
 * @param cls - the class whose shape to keep; the instance hangs off it under
 *   a private symbol. A class that is frozen, or otherwise not extensible, is
 *   left alone.
 * @param make - makes the instance. It may construct `cls`, whose
 *   constructor calls back here and returns at once.
 * @example
 * ```ts
 * class MiniLock {
 *   #locked = false;
 *   #waiters = new WaiterQueue<true>();
 *   constructor() {
 *     keepShape(MiniLock, () => new MiniLock());
 *   }
 * }
 * ```
 */
export function keepShape(cls: object, make: () => object): void {
  // A frozen class (hardened JavaScript) takes no property: it goes without.
  if (Object.hasOwn(cls, shape) || !Object.isExtensible(cls)) return;
  // Marked before make() runs, so the constructor it calls returns here at once.
  Object.defineProperty(cls, shape, { value: undefined, writable: true });
  (cls as Record<typeof shape, object>)[shape] = make();
}
