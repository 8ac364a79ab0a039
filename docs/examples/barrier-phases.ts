// Three workers go through the same phases in lockstep: nobody starts a
// phase before everyone has finished the one before. The first to arrive
// (position 0) reports the phase. When a worker fails, it breaks the barrier
// with abort(), so the others stop instead of waiting forever.
import { Barrier, BrokenBarrierError } from "@sync/barrier";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const phases = ["fetch", "parse", "store"];

/** Runs workers A, B and C through three phases; C fails in the last one. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const barrier = new Barrier(3);

  async function worker(name: string, durations: number[], failsIn?: string): Promise<void> {
    for (const [i, phase] of phases.entries()) {
      await sleep(durations[i]!);
      if (phase === failsIn) {
        print(`${name}: ${phase} failed, breaking the barrier`);
        barrier.abort();
        return;
      }
      print(`${name}: ${phase} done`);
      try {
        const position = await barrier.wait();
        if (position === 0) print(`-- everyone has finished ${phase} (${name} was first)`);
      } catch (error) {
        if (!(error instanceof BrokenBarrierError)) throw error;
        print(`${name}: stopping (${error.message})`);
        return;
      }
    }
  }

  await Promise.all([worker("A", [90, 30, 60]), worker("B", [30, 120, 90]), worker("C", [60, 60, 30], "store")]);
  print(String(barrier));
}
