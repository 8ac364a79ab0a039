// Runs every row of the misuse catalogue (misuse-table.ts): each call
// throws or rejects, as API.md says it must (methods that return a promise
// never throw), with the documented error class and a clear message, and the
// observable state (locked(), value, waiters, isSet(), nWaiting, broken,
// String()) is unchanged afterwards, or changed exactly as the row says; no
// timer and no abort listener is left behind. Then checks that docs/errors.md
// shows this same table.
import { getEventListeners } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Barrier, BoundedSemaphore, Condition, Event, KeyedLock, Lock, Semaphore, WaiterQueue } from "@sync/primitives";
import { tick, track, useFakeTimersPerTest } from "../../core/test/helpers";
import {
  DOCS_END,
  DOCS_START,
  errorClasses,
  misuseTable,
  observe,
  renderErrorsMarkdown,
  type MisuseRow,
} from "./misuse-table";

useFakeTimersPerTest();

/** Makes the row's call and returns what it threw or rejected with. */
async function raised(row: MisuseRow, subject: ReturnType<MisuseRow["setup"]>): Promise<unknown> {
  let result: unknown;
  try {
    result = row.act(subject);
  } catch (error) {
    if (row.mode === "throws") return error;
    throw new Error(`${row.call} threw ${String(error)}; a method that returns a promise must reject instead`);
  }
  if (row.mode === "throws") throw new Error(`${row.call} did not throw (it returned ${String(result)})`);
  expect(result).toBeInstanceOf(Promise);
  const outcome = track(result as Promise<unknown>);
  await tick();
  row.then?.(subject, (ms) => jest.advanceTimersByTime(ms));
  await tick();
  if (outcome.current.state !== "rejected")
    throw new Error(`${row.call} did not reject: it is ${outcome.current.state}`);
  return outcome.current.reason;
}

describe.each([...new Set(misuseTable.map((row) => row.pkg))])("%s", (pkg) => {
  test.each(misuseTable.filter((row) => row.pkg === pkg).map((row) => [`${row.call}: ${row.when}`, row] as const))(
    "%s",
    async (_, row) => {
      const subject = row.setup();
      const before = observe(subject);
      const error = await raised(row, subject);

      if (row.error === "signal.reason") expect(error).toBe(subject.reason);
      else {
        // The documented class itself, not a subclass or a look-alike.
        expect(error).toBeInstanceOf(errorClasses[row.error]);
        expect((error as Error).constructor).toBe(errorClasses[row.error]);
      }
      expect((error as Error).message).toContain(row.message);

      expect(observe(subject)).toEqual({ ...before, ...row.changes });
      expect(jest.getTimerCount()).toBe(0);
      if (subject.controller !== undefined) expect(getEventListeners(subject.controller.signal, "abort")).toEqual([]);
    },
  );
});

describe("the table", () => {
  // Every waiting method of every class has the rows every waiting call
  // needs, so a new method or class cannot be left out of the catalogue.
  const waitingRows = [
    "`options` is not an object (`5`)",
    '`timeout` is not a number (`"10"`)',
    "`timeout` is negative (`-1`)",
    "`timeout` is `NaN`",
    "`signal` is not an `AbortSignal` (`{}`)",
    "`signal` has already aborted (even where it could succeed at once)",
    "`timeout: 0` and it would have to wait",
    "`timeout` runs out while it waits",
    "`signal` aborts while it waits",
  ];
  const classes = [
    ["lock", Lock],
    ["event", Event],
    ["cond", Condition],
    ["sem", Semaphore],
    ["bounded", BoundedSemaphore],
    ["barrier", Barrier],
    ["queue", WaiterQueue],
    ["keyed", KeyedLock],
  ] as const;
  const calls = [
    ...classes.flatMap(([name, Class]) =>
      ["acquire", "hold", "run", "wait", "waitFor"]
        .filter((method) => typeof (Class.prototype as unknown as Record<string, unknown>)[method] === "function")
        .map((method) => [`${name}.${method}`] as const),
    ),
    // The two views of an RWLock.
    ...["rw.reader", "rw.writer"].flatMap((view) =>
      ["acquire", "hold", "run"].map((method) => [`${view}.${method}`] as const),
    ),
  ];

  test.each(calls)(
    "%s has a row for each bad option, an aborted signal, timeout: 0, a timeout and an abort",
    (call) => {
      const whens = misuseTable.filter((row) => row.call.startsWith(`\`${call}(`)).map((row) => row.when);
      expect(waitingRows.filter((when) => !whens.includes(when))).toEqual([]);
    },
  );

  test("constructors and synchronous methods throw; every other call, returning a promise, rejects", () => {
    const synchronous = /^`(new |[\w.]+\.(release|tryAcquire|notify|notifyAll|downgrade)\()/;
    const wrong = misuseTable.filter((row) => synchronous.test(row.call) !== (row.mode === "throws"));
    expect(wrong.map((row) => `${row.call}: ${row.when} (${row.mode})`)).toEqual([]);
  });
});

describe("docs/errors.md", () => {
  const path = resolve(__dirname, "../../../docs/errors.md");
  const regenerate = "SYNC_WRITE_DOCS=1 npx jest --selectProjects primitives -t 'docs/errors.md'";

  test("shows the table between its markers (regenerate with SYNC_WRITE_DOCS=1)", () => {
    const block = [
      DOCS_START,
      "<!-- prettier-ignore-start -->",
      "",
      renderErrorsMarkdown(misuseTable),
      "<!-- prettier-ignore-end -->",
      DOCS_END,
    ].join("\n");
    const text = readFileSync(path, "utf8");
    const start = text.indexOf(DOCS_START);
    const end = text.indexOf(DOCS_END);
    if (start < 0 || end < start)
      throw new Error(
        `docs/errors.md has no ${DOCS_START} … ${DOCS_END} section; add the markers, then: ${regenerate}`,
      );
    const current = text.slice(start, end + DOCS_END.length);
    if (process.env.SYNC_WRITE_DOCS === "1") {
      writeFileSync(path, text.slice(0, start) + block + text.slice(end + DOCS_END.length));
      return;
    }
    if (current !== block) {
      const have = current.split("\n");
      const want = block.split("\n");
      const line = want.findIndex((wanted, i) => have[i] !== wanted);
      throw new Error(
        `docs/errors.md is out of date with packages/primitives/test/misuse-table.ts (first difference in line ${line + 1} of the section:\n` +
          `  docs:  ${have[line] ?? "(missing)"}\n  table: ${want[line] ?? "(missing)"}).\nRegenerate it with: ${regenerate}`,
      );
    }
  });
});
