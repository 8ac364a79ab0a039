// A throwaway redis-server for tests, fault injection and benchmarks: on a
// free loopback port, no persistence, stopped by the caller. Only loopback.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The redis-server binary on PATH, or undefined when there is none. */
export function redisServerPath(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const path = found.stdout.trim();
  return found.status === 0 && path !== "" ? path : undefined;
}

/** Whether the redis tests can run here. */
export const haveRedis = redisServerPath() !== undefined;

/** A free TCP port on 127.0.0.1, from the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** One PING over a raw socket: true if the server answers PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

async function until(condition: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`redis-server: ${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL), waits for it to exit, removes its directory. Idempotent. */
  stop(): Promise<void>;
  /** Sends `signal` to the server process and waits for it to exit (unless SIGSTOP/SIGCONT). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
  /** Kills the server and starts a fresh one (no data) on the same port; waits for PING. */
  restart(): Promise<void>;
}

/**
 * Starts `redis-server` on a free loopback port with `--save "" --appendonly
 * no` and resolves once it answers PING. `extra` arguments are appended
 * (e.g. `["--replicaof", "127.0.0.1", "6379"]`).
 */
export async function startRedis(extra: string[] = []): Promise<RedisServer> {
  const binary = redisServerPath();
  if (binary === undefined) throw new Error("redis-server is not on PATH");
  const port = await freePort();
  // Its own working directory: a replica writes the RDB it receives there.
  const dir = mkdtempSync(join(tmpdir(), "sync-redis-"));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (): Promise<void> => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir];
    args.push(...extra);
    const started = spawn(binary, args, { stdio: "ignore" });
    child = started;
    exited = new Promise((resolve) => started.once("exit", () => resolve()));
    await until(() => ping(port), "no PONG");
  };

  const kill = async (signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    running.kill(signal);
    if (signal === "SIGSTOP" || signal === "SIGCONT") return;
    const timer = setTimeout(() => running.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
    kill,
    pause: () => void child?.kill("SIGSTOP"),
    resume: () => void child?.kill("SIGCONT"),
    async restart() {
      // SIGKILL ends a paused server too, without letting it run first.
      await kill("SIGKILL");
      await launch();
    },
  };
}
