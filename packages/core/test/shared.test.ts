import { inspect as nodeInspect } from "node:util";
import { inspect, resolvedTrue } from "@sync/core/internal";
import { tick, track } from "./helpers";

describe("inspect", () => {
  it('is Symbol.for("nodejs.util.inspect.custom"), the key Node\'s util.inspect reads', () => {
    expect(inspect).toBe(Symbol.for("nodejs.util.inspect.custom"));
    expect(inspect).toBe(nodeInspect.custom);
  });

  it("makes util.inspect show what the method returns", () => {
    const shown = { [inspect]: () => "<Thing [ok]>" };
    expect(nodeInspect(shown)).toBe("<Thing [ok]>");
  });
});

describe("resolvedTrue", () => {
  it("is one promise, already resolved with true", async () => {
    expect(resolvedTrue).toBeInstanceOf(Promise);
    const p = track(resolvedTrue);
    await tick(1);
    expect(p.current).toEqual({ state: "fulfilled", value: true });
    await expect(resolvedTrue).resolves.toBe(true);
  });
});
