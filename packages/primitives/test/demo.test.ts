// Runs docs/examples/demo.ts and the examples that use several packages
// (event-python, crawler) under jest fake timers, and compares their whole
// output, each line with the virtual time it was printed at.
import { main as crawler } from "../../../docs/examples/crawler";
import { examples, main as demo } from "../../../docs/examples/demo";
import { main as eventPython } from "../../../docs/examples/event-python";
import { runExample } from "../../core/test/helpers";

test("event-python prints what Python's docs show, one second apart", async () => {
  expect(await runExample(eventPython)).toEqual(["0 waiting for it ...", "1000 ... got it!"]);
});

test("crawler: two requests at a time, one timeout, and one abort that stops everything at once", async () => {
  expect(await runExample(crawler)).toEqual([
    "60 fetched /: 120 words, 3 new links",
    "180 fetched /docs: 900 words, 2 new links",
    "210 fetched /about: 80 words, 1 new link",
    "360 timed out /blog after 300 ms",
    "390 fetched /docs/api: 600 words, 2 new links",
    "480 fetched /team: 150 words, 0 new links",
    "510 fetched /docs/guide: 400 words, 0 new links",
    "510 2250 words: budget reached, cancelling the crawl",
    "510 cancelled /changelog",
    "510 cancelled /roadmap",
    // Everything stopped at 510: no request or timer was left to run to its end.
    "510 6 pages, 2250 words; 1 timed out, 2 cancelled",
  ]);
});

test("importing demo.ts runs nothing; only executing it does", async () => {
  const log = jest.spyOn(console, "log").mockImplementation(() => {});
  try {
    await jest.isolateModulesAsync(async () => {
      await import("../../../docs/examples/demo");
    });
    expect(log).not.toHaveBeenCalled();
  } finally {
    log.mockRestore();
  }
});

describe("demo", () => {
  const names = examples().map(([name]) => name);

  test("runs the examples of every primitive in order, then the crawler", () => {
    for (const name of ["event-python", "semaphore-bounded", "semaphore-limit", "barrier-phases", "barrier-python"]) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
    const rank = (name: string): number =>
      ["lock", "event", "condition", "semaphore", "barrier"].indexOf(name.split("-")[0]!);
    const ranks = names.slice(0, -1).map(rank);
    expect(ranks.every((r) => r >= 0)).toBe(true);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(names.at(-1)).toBe("crawler");
  });

  test("prints each example's whole output under its heading", async () => {
    const lines = await runExample(demo, false);
    const expected: string[] = [];
    for (const [i, [name, load]] of examples().entries()) {
      if (i > 0) expected.push("");
      expected.push(`=== ${name} ===`);
      expected.push(...(await runExample((await load()).main, false)));
    }
    expect(lines).toEqual(expected);
    expect(lines.filter((line) => line.startsWith("=== "))).toEqual(names.map((name) => `=== ${name} ===`));
  });
});
