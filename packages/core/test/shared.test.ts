import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { inspect as nodeInspect } from "node:util";
import { inspect, keepShape, resolvedTrue } from "@sync/core";
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

describe("keepShape", () => {
  // A full collection on demand: the flag makes `gc` a global of every new
  // context, so this works without starting jest with --expose-gc.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  // A WeakRef's target survives until the job that made it ends.
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  /** A class that keeps its shape as a primitive does, counting the instances made. */
  function shapedClass() {
    let made = 0;
    return class Shaped {
      static get made(): number {
        return made;
      }
      constructor(readonly name = "kept") {
        made++;
        keepShape(Shaped, () => new Shaped());
      }
    };
  }

  it("keeps one instance made on the first call, through a full collection; others are collected", async () => {
    const Shaped = shapedClass();
    const first = new WeakRef(new Shaped("first"));
    const second = new WeakRef(new Shaped("second"));
    // "first", the kept one its constructor made, and "second": make() ran once.
    expect(Shaped.made).toBe(3);
    await nextTurn();
    gc();
    expect([first.deref(), second.deref()]).toEqual([undefined, undefined]);
    const kept = Object.getOwnPropertySymbols(Shaped).map((key) => (Shaped as unknown as Record<symbol, unknown>)[key]);
    expect(kept).toEqual([new Shaped("kept")]);
  });

  it("adds no name that one can see on the class", () => {
    const Shaped = shapedClass();
    new Shaped();
    expect([Object.keys(Shaped), Object.getOwnPropertyNames(Shaped).sort()]).toEqual([
      [],
      ["length", "made", "name", "prototype"],
    ]);
    const [key] = Object.getOwnPropertySymbols(Shaped);
    expect(Object.getOwnPropertyDescriptor(Shaped, key!)?.enumerable).toBe(false);
  });

  it("leaves a frozen class alone: construction still works, nothing is made", () => {
    const Shaped = Object.freeze(shapedClass());
    expect(new Shaped("mine").name).toBe("mine");
    expect([Shaped.made, Object.getOwnPropertySymbols(Shaped)]).toEqual([1, []]);
  });

  it("keeps one instance per class: a subclass that calls it keeps its own", () => {
    const Base = shapedClass();
    class Derived extends Base {
      constructor() {
        super("derived");
        keepShape(Derived, () => new Derived());
      }
    }
    new Derived();
    const keptOf = (cls: object) =>
      Object.getOwnPropertySymbols(cls).map((key) => (cls as Record<symbol, object>)[key]!);
    expect([keptOf(Base).map((x) => x.constructor), keptOf(Derived).map((x) => x.constructor)]).toEqual([
      [Base],
      [Derived],
    ]);
  });
});
