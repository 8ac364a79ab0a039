// Runs docs/examples/redis-fencing.ts (which starts its own redis-server) and
// compares its whole output.
import { main } from "../../../docs/examples/redis-fencing";
import { describeRedis } from "./harness";

describeRedis("docs/examples/redis-fencing.ts", () => {
  test("the storage refuses A's late write: B's report stays", async () => {
    const lines: string[] = [];
    await main((line) => lines.push(line));
    // Tokens start at the server clock: name them by A's.
    const a = Number(/token (\d+)/.exec(lines[0] ?? "")?.[1]);
    const named = lines.map((line) =>
      line.replace(/\d{6,}/g, (n) => (Number(n) === a ? "A" : Number(n) === a + 1 ? "A+1" : n)),
    );
    expect(named).toEqual([
      "A holds the lock, token A; its write leaves and is held up in the network",
      "A released the lock, believing its write done",
      "B holds the lock, token A+1",
      '  storage: wrote "B\'s report" (token A+1)',
      '  storage: refused "A\'s report" (token A < A+1)',
      'the storage keeps "B\'s report"',
    ]);
  });
});
