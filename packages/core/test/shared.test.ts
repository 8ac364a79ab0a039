import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { inspect as nodeInspect } from "node:util";
import { inspect, keepShape, resolvedTrue } from "@sync/core";
import { tick, track } from "../../../test/helpers";

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

describe("keepShape", () => {
  // A full collection on demand: the flag makes `gc` a global of every new
  // context, so this works without starting jest with --expose-gc.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  // A WeakRef's target survives until the job that made it ends.
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it("keeps what it is given through a full collection; an object nobody keeps is collected", async () => {
    const kept = new WeakRef({ name: "kept" });
    keepShape(kept.deref()!);
    const dropped = new WeakRef({ name: "dropped" });
    await nextTurn();
    gc();
    expect([kept.deref(), dropped.deref()]).toEqual([{ name: "kept" }, undefined]);
  });
});
