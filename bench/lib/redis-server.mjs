// A throw-away `redis-server` for one scenario process: a free loopback
// port, nothing persisted, stopped when the scenario ends.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

/** Whether `redis-server` is on PATH. */
export function haveRedis() {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/** A port the kernel has just handed out on 127.0.0.1 (free unless someone takes it first). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a server; resolves once it accepts connections. Retries on a port taken in between. */
export async function startRedis() {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let log = "";
    const ready = await new Promise((resolve) => {
      child.stdout.on("data", (chunk) => {
        log += chunk;
        if (log.includes("Ready to accept connections")) resolve(true);
      });
      child.stderr.on("data", (chunk) => (log += chunk));
      child.once("exit", () => resolve(false));
    });
    if (ready) {
      child.stdout.resume();
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        stop: () =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      };
    }
    if (attempt === 2) throw new Error(`redis-server did not start:\n${log}`);
  }
}
