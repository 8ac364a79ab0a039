// A read-mostly cache behind an RWLock. Readers share the lock; a refresh
// takes it alone. The refresh queues behind the two readers already in, and
// the reader that comes after it waits for it (write-preferring), so a
// stream of readers can never starve the refresh. The refresh then
// downgrades, reading what it wrote beside the waiting reader.
import { RWLock } from "@sync/rwlock";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Readers share, a writer waits for them, and the reader behind the writer waits for it. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const rw = new RWLock();
  let rates = { EUR: 0.92 };

  const read = (name: string, ms: number) =>
    rw.reader.run(async () => {
      print(`${name}: EUR ${rates.EUR}, ${rw}`);
      await sleep(ms);
    });

  async function refresh(): Promise<void> {
    await rw.writer.acquire();
    print(`refresh: writing, ${rw}`);
    await sleep(50);
    rates = { EUR: 0.93 };
    rw.downgrade(); // now one reader, beside the reader that waited
    print(`refresh: downgraded, ${rw}`);
    await sleep(10);
    rw.reader.release();
  }

  const first = read("reader 1", 100);
  const second = read("reader 2", 60);
  const refreshing = refresh();
  const third = read("reader 3", 20); // queued behind the refresh
  print(`queued: ${rw}`);
  await Promise.all([first, second, refreshing, third]);
  print(`end: ${rw}`);
}
