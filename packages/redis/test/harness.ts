// What the redis suites share: one server per test file, clients of both
// kinds, and the skip when redis-server is missing (a failure instead with
// SYNC_REQUIRE_REDIS=1, as in CI).
import { Redis } from "ioredis";
import { createClient } from "redis";
import { RedisSync, type RedisSyncOptions } from "@sync/redis";
import { haveRedis, startRedis, type RedisServer } from "./redis-server";

if (!haveRedis && process.env.SYNC_REQUIRE_REDIS === "1") {
  throw new Error("SYNC_REQUIRE_REDIS=1 but redis-server is not on PATH (apt-get install redis-server)");
}

/** `describe`, or `describe.skip` when there is no redis-server here. */
export const describeRedis: jest.Describe = haveRedis ? describe : describe.skip;

export type Kind = "node-redis" | "ioredis";
export const kinds: Kind[] = ["node-redis", "ioredis"];

/** A raw client of either kind, for commands and for RedisSync. */
export interface Client {
  readonly raw: unknown;
  send(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

export async function connectClient(kind: Kind, url: string): Promise<Client> {
  if (kind === "node-redis") {
    const client = createClient({ url });
    client.on("error", () => {});
    await client.connect();
    return {
      raw: client,
      send: (args) => client.sendCommand(args),
      close: async () => client.destroy(),
    };
  }
  const client = new Redis(url, { lazyConnect: true });
  client.on("error", () => {});
  await client.connect();
  return {
    raw: client,
    send: ([command, ...args]) => client.call(command!, ...args),
    close: async () => client.disconnect(),
  };
}

/**
 * Starts a server for the enclosing describe block (beforeAll/afterAll),
 * and tracks what `sync()` makes so afterEach closes it all.
 */
export function useRedis(kind: Kind) {
  let server: RedisServer | undefined;
  const open: { sync: RedisSync; client: Client }[] = [];
  let admin: Client | undefined;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startRedis();
    admin = await connectClient(kind, server.url);
  });
  afterEach(async () => {
    for (const { sync, client } of open.splice(0)) {
      await sync.close();
      await client.close();
    }
    for (const client of clients.splice(0)) await client.close();
    await admin?.send(["FLUSHALL"]);
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  return {
    get server(): RedisServer {
      return server!;
    },
    /** Raw commands on a connection of the suite's kind. */
    send: (args: string[]) => admin!.send(args),
    /** A raw connected client of the suite's kind, closed after the test. */
    async client(): Promise<unknown> {
      const client = await connectClient(kind, server!.url);
      clients.push(client);
      return client.raw;
    },
    /** A new RedisSync on its own client, closed after the test. */
    async sync(options?: RedisSyncOptions): Promise<RedisSync> {
      const client = await connectClient(kind, server!.url);
      const sync = new RedisSync(client.raw, options);
      open.push({ sync, client });
      return sync;
    },
  };
}

/** Resolves after `ms` real milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 5 ms until it holds; fails after `ms`. For waits on another process. */
export async function eventually(condition: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(5);
  }
}

/** Resolves once `lease` is lost (at once if it is already). */
export function lost(lease: { signal: AbortSignal }): Promise<void> {
  if (lease.signal.aborted) return Promise.resolve();
  return new Promise((resolve) => lease.signal.addEventListener("abort", () => resolve(), { once: true }));
}
