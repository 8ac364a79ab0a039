// Runs the Barrier examples of docs/examples under jest fake timers and
// compares their whole output, each line with the virtual time it was printed at.
import { main as phases } from "../../../docs/examples/barrier-phases";
import { main as python } from "../../../docs/examples/barrier-python";
import { runExample } from "../../core/test/helpers";

test("barrier-python prints what Python's docs show, with filling where asyncio says draining", async () => {
  expect(await runExample(python)).toEqual([
    "0 <Barrier [filling, waiters:2/3]>",
    "0 <Barrier [filling, waiters:0/3]>",
    "0 barrier passed",
    "0 <Barrier [filling, waiters:0/3]>",
  ]);
});

test("barrier-phases: workers in lockstep, position 0 reports, a failure breaks the barrier", async () => {
  expect(await runExample(phases)).toEqual([
    "30 B: fetch done",
    "60 C: fetch done",
    "90 A: fetch done",
    "90 -- everyone has finished fetch (B was first)",
    "120 A: parse done",
    "150 C: parse done",
    "210 B: parse done",
    "210 -- everyone has finished parse (A was first)",
    "240 C: store failed, breaking the barrier",
    "270 A: store done",
    "270 A: stopping (Barrier aborted)",
    "300 B: store done",
    "300 B: stopping (Barrier aborted)",
    "300 <Barrier [broken]>",
  ]);
});
