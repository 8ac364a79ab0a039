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
