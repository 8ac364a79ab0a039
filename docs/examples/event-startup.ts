// A start-up gate. Requests that arrive before the service has loaded its
// configuration wait on an Event; one set() lets all of them through at once,
// and requests that come later pass without waiting. A request whose deadline
// runs out first gives up with a TimeoutError and stops counting as a waiter.
import { TimeoutError } from "@sync/core";
import { Event } from "@sync/event";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Holds early requests until the configuration is loaded. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const ready = new Event();
  let greeting = "";

  async function handle(path: string, deadline: number): Promise<void> {
    try {
      await ready.wait({ timeout: deadline });
      print(`${path}: 200 ${greeting}`);
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      print(`${path}: 503 after ${deadline} ms; ${ready}`);
    }
  }

  const early = [handle("/a", 500), handle("/b", 50), handle("/c", 500)];
  print(`starting: ${ready}`);

  await sleep(100); // loading the configuration
  greeting = "hello";
  ready.set();
  ready.clear(); // even cleared at once, every waiter was already let through
  ready.set();
  print(`configured: ${ready}`);
  await Promise.all(early);

  await handle("/d", 0); // set: passes at once, even with no time to wait
}
