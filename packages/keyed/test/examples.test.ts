// Runs the KeyedLock example of docs/examples under jest fake timers and
// compares its whole output, each line with the virtual time it was printed at.
import { main as transfer } from "../../../docs/examples/keyed-transfer";
import { runExample } from "../../core/test/helpers";

test("keyed-transfer: opposite transfers take turns, another runs beside them, no lock is kept", async () => {
  expect(await runExample(transfer)).toEqual([
    "0 alice -> bob: start, <KeyedLock [keys:4, waiters:1]>",
    "0 carol -> dave: start, <KeyedLock [keys:4, waiters:1]>",
    "50 alice -> bob: done",
    "50 bob -> alice: start, <KeyedLock [keys:4, waiters:0]>",
    "50 carol -> dave: done",
    "100 bob -> alice: done",
    "100 balances: alice 80, bob 70, carol 0, dave 0",
    "100 end: <KeyedLock [keys:0, waiters:0]>",
  ]);
});
