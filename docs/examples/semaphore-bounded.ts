// A pool of two connections guarded by a BoundedSemaphore: a third caller
// gives up after a timeout, a guard releases only once, and a release that
// nobody acquired is caught as a RangeError instead of silently growing the pool.
import { TimeoutError } from "@sync/core";
import { BoundedSemaphore } from "@sync/semaphore";

/** Shows a timeout on a full pool and a caught over-release. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const pool = new BoundedSemaphore(2);
  const first = await pool.hold();
  const second = await pool.hold();
  print(String(pool));

  try {
    await pool.acquire({ timeout: 50 });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    print(`third caller: no connection within 50 ms`);
  }

  first.release();
  first.release(); // a guard releases once: this does nothing
  print(String(pool));

  second.release();
  try {
    pool.release(); // a bug: nobody holds a connection
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    print(`${error.name}: ${error.message}`);
  }
  print(String(pool));
}
