// Money transfers between accounts, each account locked by its id. Two
// transfers between the same accounts in opposite directions would deadlock
// with one lock per account taken in argument order; KeyedLock takes the
// keys of a call in one global order, so they run one after the other. A
// transfer that touches other accounts runs beside them, and once nothing is
// locked, no lock is kept.
import { KeyedLock } from "@sync/keyed";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Transfers in opposite directions take turns; one on other accounts runs beside them. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const accounts = new KeyedLock();
  const balances = new Map([
    ["alice", 100],
    ["bob", 50],
    ["carol", 0],
    ["dave", 0],
  ]);

  async function transfer(from: string, to: string, amount: number): Promise<void> {
    using _ = await accounts.hold([from, to], { timeout: 1_000 });
    print(`${from} -> ${to}: start, ${accounts}`);
    const left = balances.get(from)! - amount;
    await sleep(50); // the ledger write
    balances.set(from, left);
    balances.set(to, balances.get(to)! + amount);
    print(`${from} -> ${to}: done`);
  }

  await Promise.all([transfer("alice", "bob", 30), transfer("bob", "alice", 10), transfer("carol", "dave", 0)]);
  print(`balances: ${[...balances].map(([name, value]) => `${name} ${value}`).join(", ")}`);
  print(`end: ${accounts}`);
}
