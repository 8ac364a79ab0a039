// Jobs that need different amounts of memory share a budget of 512 MB: a
// BoundedSemaphore with one permit per MB, and each job holds as many permits
// as it needs. The queue stays first in, first out: the 400 MB render waits
// at the head until enough is free, and the small jobs behind it wait too,
// although they would fit, so a large job is never starved by small ones.
import { BoundedSemaphore } from "@sync/semaphore";

const BUDGET = 512; // MB

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs five jobs of 32–400 MB within 512 MB, and refuses one that could never fit. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const memory = new BoundedSemaphore(BUDGET);

  async function job(name: string, mb: number, ms: number): Promise<void> {
    using _ = await memory.hold({ permits: mb }); // all `mb` permits go back when the block exits
    print(`start ${name} (${mb} MB), ${memory.value} MB free`);
    await sleep(ms);
    print(`done  ${name}`);
  }

  const jobs = [
    job("thumbnails", 128, 40),
    job("index", 256, 100),
    job("render", 400, 60), // waits at the head for 400 MB
    job("resize", 64, 20), // would fit now, but waits behind the render
    job("report", 32, 20),
  ];
  print(`${memory.waiters} jobs waiting, ${memory.value} MB free`);
  await Promise.all(jobs);

  try {
    await memory.acquire({ permits: 1024 });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    print(`a 1024 MB job: RangeError, it could never fit in ${BUDGET} MB`);
  }
  print(`${memory.value} MB free`);
}
