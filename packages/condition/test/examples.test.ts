// Runs the Condition example of docs/examples under jest fake timers and
// compares its whole output, each line with the virtual time it was printed at.
import { main as boundedQueue } from "../../../docs/examples/condition-bounded-queue";
import { runExample } from "../../core/test/helpers";

test("condition-bounded-queue: puts wait while full, takes while empty, a timed-out put is dropped", async () => {
  expect(await runExample(boundedQueue)).toEqual([
    "0 put job1, size 1",
    "0 w1 took job1",
    "0 put job2, size 1",
    "0 w2 took job2",
    "0 put job3, size 1",
    "0 put job4, size 2",
    "30 extra: still full after 20 ms, dropped (size 2)",
    "40 w1 took job3",
    "40 put job5, size 2",
    "40 w2 took job4",
    "40 put job6, size 2",
    "80 w1 took job5",
    "80 w2 took job6",
    "120 w1 stops",
    "120 w2 stops",
  ]);
});
