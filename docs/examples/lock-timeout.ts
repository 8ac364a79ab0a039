// Bounding the wait for a lock. A nightly export holds the database lock for
// 200 ms. A status probe gives up after 50 ms; a user's request is cancelled
// when the user leaves the page. Neither leaves anything behind: each leaves
// the queue at once, and the lock goes to the next caller in line.
import { TimeoutError } from "@sync/core";
import { Lock } from "@sync/lock";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Shows a timeout and an abort on a busy lock, and the FIFO hand-off that follows. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const db = new Lock();
  const user = new AbortController();

  const exporting = db.run(async () => {
    print("export: started");
    await sleep(200);
    print("export: done");
  });

  async function probe(): Promise<void> {
    try {
      await db.run(() => print("probe: ok"), { timeout: 50 });
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      print(`probe: busy for 50 ms, giving up; ${db}`);
    }
  }

  async function request(): Promise<void> {
    try {
      await db.run(() => print("request: served"), { signal: user.signal });
    } catch (error) {
      if (!user.signal.aborted) throw error;
      print(`request: ${(error as Error).message}; ${db}`);
    }
  }

  const others = [probe(), request(), db.run(() => print(`save: runs after the export; ${db}`))];
  print(`queued: ${db}`);

  await sleep(100);
  user.abort(new Error("the user left"));

  await Promise.all([exporting, ...others]);
  print(`end: ${db}`);
}
