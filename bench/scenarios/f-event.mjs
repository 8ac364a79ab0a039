// (f) Event: 100,000 waiters, then one set() wakes them all.
import { check, now, settle, size } from "../lib/harness.mjs";

export const title = "Event: 100,000 waiters woken by one set()";
export const needs = "event";
export const modes = ["plain"];
export const metrics = [{ key: "ns", label: "ns per waiter (wait + wake-up)" }];
export const cases = [{ label: "100,000 waiters", n: size(100_000, 5_000) }];

export async function run(library, { n }) {
  const event = library.event();
  let woken = 0;
  const wake = () => woken++;
  const start = now();
  for (let i = 0; i < n; i++) event.wait().then(wake);
  await settle();
  const early = woken;
  event.set();
  await settle();
  const elapsed = now() - start;
  check(early === 0, `${library.name}: ${early} waiters woke before set()`);
  check(woken === n, `${library.name}: ${woken} of ${n} waiters woke`);
  return { ns: (elapsed * 1e6) / n };
}
