// The Barrier example of Python's asyncio documentation, translated line by
// line. asyncio prints `draining` on the second line; a @sync barrier is
// filling again the moment it releases a cycle, so it prints `filling` there.
import { Barrier } from "@sync/barrier";

/** Prints the barrier before, right after and a turn after the third `wait()`. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  // barrier with 3 parties
  const b = new Barrier(3);

  // create 2 new waiting tasks
  const tasks = [b.wait(), b.wait()];

  await Promise.resolve(); // asyncio.sleep(0)
  print(String(b));

  // The third .wait() call passes the barrier
  await b.wait();
  print(String(b));
  print("barrier passed");

  await Promise.resolve(); // asyncio.sleep(0)
  print(String(b));

  await Promise.all(tasks);
}
