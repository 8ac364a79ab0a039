// A TCP proxy on loopback between some workers and the server: the fault
// suite's network partition. `stall()` stops forwarding in both directions
// while keeping every connection open (packets dropped, as on a cut cable:
// nothing errors, replies just never come); `heal()` delivers what was held
// back, as TCP retransmission would; `cut()` resets every connection;
// `refuse(true)` resets new connections as they arrive.
// Imported by relative path; never published.
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";

interface Pair {
  client: Socket;
  server: Socket;
  held: [Socket, Buffer][];
}

export class TcpProxy {
  readonly port: number;
  #server: Server;
  #pairs = new Set<Pair>();
  #stalled = false;
  #refusing = false;

  private constructor(server: Server) {
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Listens on a free loopback port and forwards to `targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const proxy = new TcpProxy(server);
    server.on("connection", (client) => proxy.#accept(client, targetPort));
    return proxy;
  }

  #accept(client: Socket, targetPort: number): void {
    if (this.#refusing) {
      client.resetAndDestroy();
      return;
    }
    const server = createConnection({ host: "127.0.0.1", port: targetPort });
    const pair: Pair = { client, server, held: [] };
    this.#pairs.add(pair);
    const forward = (to: Socket) => (data: Buffer) => {
      if (this.#stalled) pair.held.push([to, data]);
      else to.write(data);
    };
    client.on("data", forward(server));
    server.on("data", forward(client));
    const close = () => {
      this.#pairs.delete(pair);
      if (!client.destroyed) client.resetAndDestroy();
      if (!server.destroyed) server.resetAndDestroy();
    };
    for (const socket of [client, server]) {
      socket.on("error", close);
      socket.on("close", close);
    }
  }

  /** Connections open through the proxy. */
  get connections(): number {
    return this.#pairs.size;
  }

  /** Stops forwarding, both ways, on every connection, new ones included. */
  stall(): void {
    this.#stalled = true;
  }

  /** Forwards again, delivering first what was held back. */
  heal(): void {
    this.#stalled = false;
    for (const pair of this.#pairs) {
      for (const [to, data] of pair.held.splice(0)) if (!to.destroyed) to.write(data);
    }
  }

  /** Resets every open connection (what was held back is dropped). */
  cut(): void {
    for (const pair of [...this.#pairs]) {
      pair.held.length = 0;
      pair.client.resetAndDestroy();
      pair.server.resetAndDestroy();
      this.#pairs.delete(pair);
    }
  }

  /** While on, new connections are reset at once. */
  refuse(on: boolean): void {
    this.#refusing = on;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
