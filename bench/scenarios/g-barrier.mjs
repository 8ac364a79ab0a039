// (g) Barrier(100): 100 tasks pass it together 1,000 times.
import { check, now, size } from "../lib/harness.mjs";

export const title = "Barrier(100): 1,000 cycles";
export const needs = "barrier";
export const modes = ["plain"];
export const metrics = [{ key: "ns", label: "ns per wait()" }];
export const cases = [{ label: "100 parties × 1,000 cycles", parties: 100, cycles: size(1_000, 50) }];

export async function run(library, { parties, cycles }) {
  const barrier = library.barrier(parties);
  const arrived = new Int32Array(cycles);
  const taken = new Uint8Array(cycles * parties);
  let early = 0;
  let badPositions = 0;
  async function party() {
    for (let cycle = 0; cycle < cycles; cycle++) {
      arrived[cycle]++;
      const position = await barrier.wait();
      if (arrived[cycle] !== parties) early++;
      if (library.positions) {
        const slot = cycle * parties + position;
        if (!(position >= 0 && position < parties) || taken[slot]++ !== 0) badPositions++;
      }
    }
  }
  const all = new Array(parties);
  const start = now();
  for (let i = 0; i < parties; i++) all[i] = party();
  await Promise.all(all);
  const elapsed = now() - start;
  check(early === 0, `${library.name}: ${early} times a task passed before all ${parties} arrived`);
  check(badPositions === 0, `${library.name}: ${badPositions} positions out of range or handed out twice`);
  return { ns: (elapsed * 1e6) / (parties * cycles) };
}
