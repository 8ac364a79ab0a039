// Five downloads, at most two at a time: a Semaphore with two permits. Each
// download holds a permit for as long as it runs; `using` gives it back when
// the block exits, even if the download throws.
import { Semaphore } from "@sync/semaphore";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Downloads five files two at a time, printing the semaphore as it goes. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const slots = new Semaphore(2);

  async function download(name: string, ms: number): Promise<void> {
    using _ = await slots.hold();
    print(`start ${name}  ${slots}`);
    await sleep(ms); // the transfer
    print(`done  ${name}`);
  }

  await Promise.all([
    download("a.txt", 150),
    download("b.txt", 30),
    download("c.txt", 60),
    download("d.txt", 30),
    download("e.txt", 90),
  ]);
  print(String(slots));
}
