// A cache of exchange rates shared by concurrent requests. Filling it is a
// read-modify-write with an await in the middle: look the rate up, fetch it
// when it is missing, store it. Without a lock, every request that arrives
// while the first fetch is in flight finds the rate missing and fetches it
// too. With one, the first request fetches and the others, served in turn,
// find the rate in the cache.
import { Lock } from "@sync/lock";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const rates: Record<string, number> = { EUR: 0.92, GBP: 0.79 };

/** Fills a rate cache from concurrent requests, first without a lock, then with one. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  let fetches = 0;
  async function fetchRate(currency: string): Promise<number> {
    fetches++;
    print(`  fetching ${currency}`);
    await sleep(100); // the remote call
    return rates[currency]!;
  }

  print("without a lock:");
  const unguarded = new Map<string, number>();
  async function racyRate(currency: string): Promise<number> {
    let rate = unguarded.get(currency);
    if (rate === undefined) {
      rate = await fetchRate(currency); // others run meanwhile, and miss too
      unguarded.set(currency, rate);
    }
    return rate;
  }
  await Promise.all([racyRate("EUR"), racyRate("EUR"), racyRate("EUR")]);
  print(`  ${fetches} fetches`);

  print("with a lock:");
  fetches = 0;
  const cache = new Map<string, number>();
  const lock = new Lock();
  async function getRate(currency: string): Promise<number> {
    using _ = await lock.hold(); // released when the function returns or throws
    let rate = cache.get(currency);
    if (rate === undefined) {
      print(`  miss ${currency}, ${lock}`);
      rate = await fetchRate(currency);
      cache.set(currency, rate);
    }
    return rate;
  }
  const got = await Promise.all([getRate("EUR"), getRate("EUR"), getRate("GBP"), getRate("EUR")]);
  print(`  ${got.join(", ")}: ${fetches} fetches, ${lock}`);
}
