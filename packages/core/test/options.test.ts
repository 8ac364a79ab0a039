import { TimeoutError, type WaitOptions } from "@sync/core";
import { check, count, durationError } from "@sync/core/internal";

const live = (): AbortSignal => new AbortController().signal;
const reason = new Error("gone");
const aborted = (): AbortSignal => AbortSignal.abort(reason);

describe("durationError()", () => {
  it.each([0, -0, 1, 0.5, 2 ** 40, Infinity])("accepts %p", (value) => {
    expect(durationError(value, "ms")).toBeUndefined();
  });

  it.each([
    [-1, "ms must be >= 0"],
    [-0.001, "ms must be >= 0"],
    [NaN, "ms must be >= 0"],
    [-Infinity, "ms must be >= 0"],
  ])("gives a RangeError for %p", (value, message) => {
    const error = durationError(value, "ms");
    expect(error).toBeInstanceOf(RangeError);
    expect(error?.message).toBe(message);
  });

  it.each(["5", null, undefined, 5n, new Number(5)])("gives a TypeError for %p, named after the argument", (value) => {
    const error = durationError(value, "timeout");
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.message).toBe("timeout must be a number");
  });
});

describe("count()", () => {
  it.each([
    [0, 0],
    [1, 1],
    [2 ** 53 - 1, 1],
  ])("returns %p when it is at least %p", (n, min) => {
    expect(count(n, "n", min)).toBe(n);
  });

  it.each([
    [-1, 0],
    [0, 1],
    [1.5, 1],
    [NaN, 0],
    [Infinity, 0],
    [2 ** 53, 0],
  ])("throws a RangeError for %p with min %p", (n, min) => {
    expect(() => count(n, "permits", min)).toThrow(new RangeError(`permits must be an integer >= ${min}, got ${n}`));
  });

  it.each(["1", null, undefined, 1n])("throws a TypeError for %p, named after the argument", (n) => {
    expect(() => count(n, "parties", 1)).toThrow(new TypeError(`parties must be a number, got ${typeof n}`));
  });
});

describe("check(options)", () => {
  it.each([
    ["undefined", undefined],
    ["null", null],
    ["{}", {}],
    ["a live signal", { signal: live() }],
    ["timeout: 0 (not checked here)", { timeout: 0 }],
    ["timeout: Infinity", { timeout: Infinity }],
    ["both, valid", { signal: live(), timeout: 10 }],
  ])("finds nothing wrong with %s", (_, options) => {
    expect(check(options)).toBeUndefined();
  });

  it.each([
    ["an Error", new Error("stop")],
    ["a string", "stop"],
    ["null", null],
  ])("gives the very reason (%s) of an already-aborted signal", (_, why) => {
    expect(check({ signal: AbortSignal.abort(why) })).toBe(why);
  });

  it.each([
    ["a negative timeout", { timeout: -5 }, RangeError],
    ["a NaN timeout", { timeout: NaN }, RangeError],
    ["a string timeout", { timeout: "5" }, TypeError],
    ["a fake signal", { signal: { aborted: false, reason: undefined } }, TypeError],
    ["a number", 1, TypeError],
    ["a boolean", true, TypeError],
    ["a symbol", Symbol("x"), TypeError],
  ])("gives an error for %s", (_, options, type) => {
    expect(check(options as WaitOptions)).toBeInstanceOf(type);
  });

  it("checks the timeout before the signal", () => {
    expect(check({ timeout: -1, signal: aborted() })).toBeInstanceOf(RangeError);
  });
});

describe("check(options, waiting)", () => {
  it.each([
    ["undefined", undefined],
    ["null", null],
    ["{}", {}],
    ["a live signal and a timeout", { signal: live(), timeout: 10 }],
    ["timeout: Infinity", { timeout: Infinity }],
  ])("lets a call with %s wait", (_, options) => {
    expect(check(options, true)).toBeUndefined();
  });

  it("refuses timeout: 0 with a TimeoutError", () => {
    const error = check({ timeout: 0 }, true) as Error;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe("timed out without waiting");
  });

  it("refuses an already-aborted signal with its reason, before timeout: 0", () => {
    expect(check({ signal: aborted(), timeout: 0 }, true)).toBe(reason);
  });

  it.each([
    ["a negative timeout", { timeout: -1 }, RangeError],
    ["a non-number timeout", { timeout: "1" }, TypeError],
    ["a fake signal", { signal: 1 }, TypeError],
    ["non-object options", 3, TypeError],
  ])("refuses %s with the matching error", (_, options, type) => {
    expect(check(options as WaitOptions, true)).toBeInstanceOf(type);
  });
});
