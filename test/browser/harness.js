// A tiny test harness for the browser suite: tests run one at a time, each
// bounded by a time limit, and every result lands in
// `window.__syncBrowserTest`, which scripts/browser-test.mjs reads back.
/* global window, setTimeout, clearTimeout, performance */

const tests = [];

/** Registers a test; `runAll()` runs them in the order they were registered. */
export function test(name, fn) {
  tests.push({ name, fn });
}

/** What a failed check throws. */
export class AssertionError extends Error {
  name = "AssertionError";
}

/** Fails unless `condition` is truthy. */
export function assert(condition, message) {
  if (!condition) throw new AssertionError(message);
}

/** Fails unless `actual` and `expected` have the same JSON. */
export function equal(actual, expected, message) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new AssertionError(`${message ? `${message}: ` : ""}expected ${e}, got ${a}`);
}

// `expected` is an error class (the error must be an instance of it and
// carry its name) or a predicate.
function check(error, expected, what) {
  if (typeof expected === "function" && expected.prototype instanceof Error) {
    assert(error instanceof expected, `${what}: expected ${expected.name}, got ${describe(error)}`);
    assert(error.name === expected.name, `${what}: expected name ${expected.name}, got ${error.name}`);
  } else {
    assert(expected(error), `${what}: unexpected ${describe(error)}`);
  }
}

/** Awaits `promise` and fails unless it rejects as `expected` says; returns the error. */
export async function rejects(promise, expected, what = "rejection") {
  let value;
  try {
    value = await promise;
  } catch (error) {
    check(error, expected, what);
    return error;
  }
  throw new AssertionError(`${what}: expected a rejection, got ${describe(value)}`);
}

/** Calls `fn` and fails unless it throws as `expected` says; returns the error. */
export function throws(fn, expected, what = "throw") {
  let value;
  try {
    value = fn();
  } catch (error) {
    check(error, expected, what);
    return error;
  }
  throw new AssertionError(`${what}: expected a throw, got ${describe(value)}`);
}

/** A macrotask: every pending promise reaction has run when it resolves. */
export function tick() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Real time, which is fine in this suite (the jest suites never sleep). */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Appends to `log` when `promise` settles: `"<label> ok"` or `"<label> <error name>"`. */
export function track(promise, label, log) {
  promise.then(
    () => log.push(`${label} ok`),
    (error) => log.push(`${label} ${error?.name ?? String(error)}`),
  );
  return promise;
}

export function describe(value) {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Runs every registered test, each within `limitMs`, then marks the run done. */
export async function runAll(limitMs = 5_000) {
  const state = window.__syncBrowserTest;
  state.started = true;
  for (const { name, fn } of tests) {
    const start = performance.now();
    let timer;
    const limit = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result after ${limitMs} ms`)), limitMs);
    });
    try {
      await Promise.race([fn(), limit]);
      state.results.push({ name, ok: true, ms: Math.round(performance.now() - start) });
    } catch (error) {
      state.results.push({ name, ok: false, ms: Math.round(performance.now() - start), error: describe(error) });
    } finally {
      clearTimeout(timer);
    }
  }
  state.done = true;
}
