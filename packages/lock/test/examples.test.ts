// Runs the Lock examples of docs/examples under jest fake timers and compares
// their whole output, each line with the virtual time it was printed at.
import { main as cache } from "../../../docs/examples/lock-cache";
import { main as timeout } from "../../../docs/examples/lock-timeout";
import { runExample } from "../../core/test/helpers";

test("lock-cache: without a lock every request fetches; with one, one fetch per rate", async () => {
  expect(await runExample(cache)).toEqual([
    "0 without a lock:",
    "0   fetching EUR",
    "0   fetching EUR",
    "0   fetching EUR",
    "100   3 fetches",
    "100 with a lock:",
    "100   miss EUR, <Lock [locked, waiters:3]>",
    "100   fetching EUR",
    "200   miss GBP, <Lock [locked, waiters:1]>",
    "200   fetching GBP",
    "300   0.92, 0.92, 0.79, 0.92: 2 fetches, <Lock [unlocked]>",
  ]);
});

test("lock-timeout: a probe times out, a request is aborted, the next caller gets the lock", async () => {
  expect(await runExample(timeout)).toEqual([
    "0 queued: <Lock [locked, waiters:3]>",
    "0 export: started",
    "50 probe: busy for 50 ms, giving up; <Lock [locked, waiters:2]>",
    "100 request: the user left; <Lock [locked, waiters:1]>",
    "200 export: done",
    "200 save: runs after the export; <Lock [locked]>",
    "200 end: <Lock [unlocked]>",
  ]);
});
