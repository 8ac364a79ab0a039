// Two processes (here, two RedisSync instances with a client each) write a
// report under one RedisLock. A's write is held up in the network until
// after B, which got the lock next, has written (a stand-in for the network
// that lands it only then, so the order never depends on timing). The
// storage refuses a token lower than the highest it has seen, so A's late
// write cannot overwrite B's.
//
// `pnpm demo` runs it with a redis-server of its own on a free loopback port,
// or skips it with a note when redis-server is not installed.
import { createClient } from "redis";
import { RedisSync } from "@sync/redis";
import { haveRedis, startRedis } from "../../packages/redis/test/redis-server";

type Print = (line: string) => void;

/** A resource that checks fencing tokens: the last line of defence. */
class Storage {
  #highest = 0;
  value = "";

  constructor(readonly print: Print) {}

  write(token: number, value: string): void {
    if (token < this.#highest) {
      this.print(`  storage: refused "${value}" (token ${token} < ${this.#highest})`);
      return;
    }
    this.#highest = token;
    this.value = value;
    this.print(`  storage: wrote "${value}" (token ${token})`);
  }
}

export async function main(print: Print = console.log): Promise<void> {
  if (!haveRedis) {
    print("skipped: redis-server is not on PATH (apt-get install redis-server, or brew install redis)");
    return;
  }
  const server = await startRedis();
  const clients = [createClient({ url: server.url }), createClient({ url: server.url })];
  await Promise.all(clients.map((client) => client.connect()));
  const [a, b] = clients.map((client) => new RedisSync(client, { lease: 1_000 })) as [RedisSync, RedisSync];
  try {
    const storage = new Storage(print);
    const leaseA = await a.lock("report").hold({ timeout: 5_000 });
    print(`A holds the lock, token ${leaseA.token}; its write leaves and is held up in the network`);
    let land!: () => void;
    const late = new Promise<void>((resolve) => (land = resolve)).then(() => storage.write(leaseA.token, "A's report"));
    const waitingB = b.lock("report").hold({ timeout: 5_000 });
    await leaseA.release();
    print("A released the lock, believing its write done");
    {
      await using leaseB = await waitingB;
      print(`B holds the lock, token ${leaseB.token}`);
      storage.write(leaseB.token, "B's report");
    }
    land(); // the network finally delivers A's write, after B's
    await late;
    print(`the storage keeps "${storage.value}"`);
  } finally {
    await Promise.all([a.close(), b.close()]);
    for (const client of clients) client.destroy();
    await server.stop();
  }
}

// Run when executed (`tsx docs/examples/redis-fencing.ts`), not when imported.
const entry = process.argv[1];
if (entry !== undefined && /(^|[\\/])redis-fencing\.ts$/.test(entry)) {
  console.log("\n=== redis-fencing ===");
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
