// Runs docs/examples/redis-fencing.ts (which starts its own redis-server) and
// compares its whole output.
import { main } from "../../../docs/examples/redis-fencing";
import { describeRedis } from "./harness";

describeRedis("docs/examples/redis-fencing.ts", () => {
  test("the storage refuses A's late write: B's report stays", async () => {
    const lines: string[] = [];
    await main((line) => lines.push(line));
    expect(lines).toEqual([
      "A holds the lock, token 1; its write leaves and is held up in the network",
      "A released the lock, believing its write done",
      "B holds the lock, token 2",
      '  storage: wrote "B\'s report" (token 2)',
      '  storage: refused "A\'s report" (token 1 < 2)',
      'the storage keeps "B\'s report"',
    ]);
  });
});
