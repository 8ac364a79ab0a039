import { durationError, mayProceed, optionsError, refusal, TimeoutError, type WaitOptions } from "@sync/core";
import { tick, track } from "../../../test/helpers";

const live = (): AbortSignal => new AbortController().signal;
const reason = new Error("gone");
const aborted = (): AbortSignal => AbortSignal.abort(reason);

describe("durationError()", () => {
  it.each([0, -0, 1, 0.5, 2 ** 40, Infinity])("accepts %p", (value) => {
    expect(durationError(value, "ms")).toBeUndefined();
  });

  it.each([
    [-1, "ms must be >= 0, got -1"],
    [-0.001, "ms must be >= 0, got -0.001"],
    [NaN, "ms must be >= 0, got NaN"],
    [-Infinity, "ms must be >= 0, got -Infinity"],
  ])("gives a RangeError for %p", (value, message) => {
    const error = durationError(value, "ms");
    expect(error).toBeInstanceOf(RangeError);
    expect(error?.message).toBe(message);
  });

  it.each([
    ["5", "string"],
    [null, "object"],
    [undefined, "undefined"],
    [5n, "bigint"],
    [new Number(5), "object"],
  ])("gives a TypeError for %p, named after the argument", (value, type) => {
    const error = durationError(value, "timeout");
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.message).toBe(`timeout must be a number, got ${type}`);
  });
});

describe("optionsError()", () => {
  it.each([
    ["undefined", undefined],
    ["null", null],
    ["{}", {}],
    ["a live signal", { signal: live() }],
    ["timeout: 0 (not checked here)", { timeout: 0 }],
    ["timeout: Infinity", { timeout: Infinity }],
    ["both, valid", { signal: live(), timeout: 10 }],
  ])("finds nothing wrong with %s", (_, options) => {
    expect(optionsError(options)).toBeUndefined();
  });

  it.each([
    ["an Error", new Error("stop")],
    ["a string", "stop"],
    ["null", null],
  ])("gives the very reason (%s) of an already-aborted signal", (_, why) => {
    expect(optionsError({ signal: AbortSignal.abort(why) })).toBe(why);
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
    expect(optionsError(options as WaitOptions)).toBeInstanceOf(type);
  });

  it("checks the timeout before the signal", () => {
    expect(optionsError({ timeout: -1, signal: aborted() })).toBeInstanceOf(RangeError);
  });
});

describe("mayProceed()", () => {
  it.each([
    ["undefined", undefined, true],
    ["null", null, true],
    ["{}", {}, true],
    ["a live signal", { signal: live() }, true],
    ["timeout: 0 (succeeding at once is allowed)", { timeout: 0 }, true],
    ["an aborted signal", { signal: aborted() }, false],
    ["an aborted signal with timeout: Infinity", { signal: aborted(), timeout: Infinity }, false],
    ["a negative timeout", { timeout: -1 }, false],
    ["a fake signal", { signal: {} }, false],
    ["a string", "x", false],
  ])("with %s: %p", (_, options, expected) => {
    expect(mayProceed(options as WaitOptions)).toBe(expected);
  });
});

describe("refusal()", () => {
  it.each([
    ["undefined", undefined],
    ["null", null],
    ["{}", {}],
    ["a live signal and a timeout", { signal: live(), timeout: 10 }],
    ["timeout: Infinity", { timeout: Infinity }],
  ])("lets a call with %s wait", (_, options) => {
    expect(refusal(options)).toBeUndefined();
  });

  it("refuses timeout: 0 with a TimeoutError", async () => {
    const refused = refusal({ timeout: 0 });
    expect(refused).toBeInstanceOf(Promise);
    const p = track(refused!);
    await tick();
    const { reason } = p.current as { reason: Error };
    expect(reason).toBeInstanceOf(TimeoutError);
    expect(reason.message).toBe("timed out without waiting (timeout: 0)");
  });

  it("refuses an already-aborted signal with its reason, before timeout: 0", async () => {
    await expect(refusal({ signal: aborted(), timeout: 0 })).rejects.toBe(reason);
  });

  it.each([
    ["a negative timeout", { timeout: -1 }, RangeError],
    ["a non-number timeout", { timeout: "1" }, TypeError],
    ["a fake signal", { signal: 1 }, TypeError],
    ["non-object options", 3, TypeError],
  ])("refuses %s with the matching error", async (_, options, type) => {
    await expect(refusal(options as WaitOptions)).rejects.toBeInstanceOf(type);
  });
});
