// Runs the RWLock example of docs/examples under jest fake timers and compares
// its whole output, each line with the virtual time it was printed at.
import { main as cache } from "../../../docs/examples/rwlock-cache";
import { runExample } from "../../core/test/helpers";

test("rwlock-cache: readers share, the refresh waits for them, the reader behind it waits for the refresh", async () => {
  expect(await runExample(cache)).toEqual([
    "0 queued: <RWLock [read:2, waiters:2]>",
    "0 reader 1: EUR 0.92, <RWLock [read:2, waiters:2]>",
    "0 reader 2: EUR 0.92, <RWLock [read:2, waiters:2]>",
    "100 refresh: writing, <RWLock [write, waiters:1]>",
    "150 refresh: downgraded, <RWLock [read:2]>",
    "150 reader 3: EUR 0.93, <RWLock [read:2]>",
    "170 end: <RWLock [unlocked]>",
  ]);
});
