// Runs this package's example in docs/examples (event-startup; event-python
// is tested by its author) under jest fake timers and compares its whole
// output, each line with the virtual time it was printed at.
import { main as startup } from "../../../docs/examples/event-startup";
import { runExample } from "../../core/test/helpers";

test("event-startup: early requests wait for set(), one times out, a late one passes at once", async () => {
  expect(await runExample(startup)).toEqual([
    "0 starting: <Event [unset, waiters:3]>",
    "50 /b: 503 after 50 ms; <Event [unset, waiters:2]>",
    "100 configured: <Event [set]>",
    "100 /a: 200 hello",
    "100 /c: 200 hello",
    "100 /d: 200 hello",
  ]);
});
