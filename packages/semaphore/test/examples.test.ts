// Runs the Semaphore examples of docs/examples under jest fake timers and
// compares their whole output, each line with the virtual time it was printed at.
import { main as bounded } from "../../../docs/examples/semaphore-bounded";
import { main as limit } from "../../../docs/examples/semaphore-limit";
import { main as weights } from "../../../docs/examples/semaphore-weights";
import { runExample } from "../../core/test/helpers";

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

test("semaphore-weights: a 512 MB budget, the 400 MB render at the head, the small jobs behind it, one that never fits", async () => {
  expect(await runExample(weights)).toEqual([
    "0 3 jobs waiting, 128 MB free",
    "0 start thumbnails (128 MB), 128 MB free",
    "0 start index (256 MB), 128 MB free",
    "40 done  thumbnails",
    "100 done  index",
    "100 start render (400 MB), 16 MB free",
    "100 start resize (64 MB), 16 MB free",
    "100 start report (32 MB), 16 MB free",
    "120 done  resize",
    "120 done  report",
    "160 done  render",
    "160 a 1024 MB job: RangeError, it could never fit in 512 MB",
    "160 512 MB free",
  ]);
});
