// Runs the Semaphore examples of docs/examples under jest fake timers and
// compares their whole output, each line with the virtual time it was printed at.
import { main as bounded } from "../../../docs/examples/semaphore-bounded";
import { main as limit } from "../../../docs/examples/semaphore-limit";
import { runExample } from "../../../test/helpers";

test("semaphore-limit: five downloads, never more than two at a time, in FIFO order", async () => {
  expect(await runExample(limit)).toEqual([
    "0 start a.txt  <Semaphore [locked, waiters:3]>",
    "0 start b.txt  <Semaphore [locked, waiters:3]>",
    "30 done  b.txt",
    "30 start c.txt  <Semaphore [locked, waiters:2]>",
    "90 done  c.txt",
    "90 start d.txt  <Semaphore [locked, waiters:1]>",
    "120 done  d.txt",
    "120 start e.txt  <Semaphore [locked]>",
    "150 done  a.txt",
    "210 done  e.txt",
    "210 <Semaphore [unlocked, value:2]>",
  ]);
});

test("semaphore-bounded: a timeout on a full pool, a guard released twice, an over-release caught", async () => {
  expect(await runExample(bounded)).toEqual([
    "0 <BoundedSemaphore [locked]>",
    "50 third caller: no connection within 50 ms",
    "50 <BoundedSemaphore [unlocked, value:1]>",
    "50 RangeError: BoundedSemaphore released too many times",
    "50 <BoundedSemaphore [unlocked, value:2]>",
  ]);
});
