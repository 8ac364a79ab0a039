import { InvalidStateError, TimeoutError } from "@sync/core";

describe.each([
  ["TimeoutError", TimeoutError],
  ["InvalidStateError", InvalidStateError],
])("%s", (name, ErrorClass) => {
  it("is an Error with its own name, message and stack", () => {
    const error = new ErrorClass("it went wrong");
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.message, String(error)]).toEqual([name, "it went wrong", `${name}: it went wrong`]);
    expect(error.stack).toContain(`${name}: it went wrong`);
    expect(Object.prototype.toString.call(error)).toBe("[object Error]");
  });

  it("takes the standard cause option", () => {
    const cause = new Error("root");
    expect(new ErrorClass("outer", { cause }).cause).toBe(cause);
  });

  it("keeps its name in a subclass that does not set one", () => {
    class Sub extends (ErrorClass as typeof TimeoutError) {}
    const error = new Sub("x");
    expect([error instanceof ErrorClass, error.name]).toEqual([true, name]);
  });
});

it("keeps the two errors apart", () => {
  expect(new TimeoutError("t")).not.toBeInstanceOf(InvalidStateError);
  expect(new InvalidStateError("i")).not.toBeInstanceOf(TimeoutError);
});
