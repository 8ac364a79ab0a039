// The Event example of Python's asyncio documentation, translated line by
// line: a task waits for an event that main() sets one second later.
import { Event } from "@sync/event";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waiter(event: Event, print: (line: string) => void): Promise<void> {
  print("waiting for it ...");
  await event.wait();
  print("... got it!");
}

/** Prints `waiting for it ...`, then, one second later, `... got it!`. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  // Create an Event object.
  const event = new Event();

  // Spawn a task to wait until 'event' is set.
  const waiterTask = waiter(event, print);

  // Sleep for 1 second and set the event.
  await sleep(1_000);
  event.set();

  // Wait until the waiter task is finished.
  await waiterTask;
}
