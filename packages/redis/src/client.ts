import type { Script } from "./scripts";

/** One connection as this package uses it, whichever client is behind it. */
export interface Connection {
  /** Sends one command; the reply as the client decodes it (strings, numbers, arrays, null). */
  send(args: readonly string[]): Promise<unknown>;
  /** A new connection of the same client kind and options, connected (or connecting). */
  duplicate(): Promise<Connection>;
  /** Closes this connection at once, failing a pending blocking command. */
  close(): void;
  /** Calls `listener` whenever this connection becomes ready again; returns the unsubscribe. */
  onReady(listener: () => void): () => void;
}

interface NodeRedisClient {
  sendCommand(args: string[]): Promise<unknown>;
  isOpen: boolean;
  duplicate(): NodeRedisClient;
  connect(): Promise<unknown>;
  destroy?(): void;
  disconnect?(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

interface IoRedisClient {
  call(command: string, ...args: string[]): Promise<unknown>;
  status: string;
  duplicate(): IoRedisClient;
  disconnect(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

const has = (value: object, key: string, type: string): boolean =>
  typeof (value as Record<string, unknown>)[key] === type;

// Errors of our own connection surface through its commands; an EventEmitter
// without an "error" listener would throw them instead.
function ignore(): void {}

function subscribe(emitter: NodeRedisClient | IoRedisClient, listener: () => void): () => void {
  emitter.on("ready", listener);
  return () => void emitter.off("ready", listener);
}

function nodeRedis(client: NodeRedisClient): Connection {
  return {
    send: (args) => client.sendCommand([...args]),
    async duplicate() {
      const copy = client.duplicate();
      copy.on("error", ignore);
      try {
        await copy.connect();
      } catch (error) {
        copy.destroy?.();
        throw error;
      }
      return nodeRedis(copy);
    },
    // destroy() since node-redis 5; disconnect() before. Neither waits for
    // a pending BLPOP, which quit() would.
    close: () => (client.destroy ? client.destroy() : void client.disconnect?.().catch(ignore)),
    onReady: (listener) => subscribe(client, listener),
  };
}

function ioRedis(client: IoRedisClient): Connection {
  return {
    send: ([command, ...args]) => client.call(command!, ...args),
    duplicate() {
      const copy = client.duplicate();
      copy.on("error", ignore);
      return Promise.resolve(ioRedis(copy));
    },
    close: () => client.disconnect(),
    onReady(listener) {
      // A duplicate is still connecting when it is returned: its first
      // "ready" is not a reconnect.
      let first = client.status !== "ready";
      return subscribe(client, () => (first ? (first = false) : listener()));
    },
  };
}

/**
 * The connection of a node-redis or ioredis client, told apart by their own
 * members: ioredis has `call` and a `status` string, node-redis has
 * `sendCommand` and `isOpen`; both have `duplicate`.
 *
 * @throws `TypeError` for anything else.
 */
export function connect(client: unknown): Connection {
  if (typeof client === "object" && client !== null && has(client, "duplicate", "function")) {
    if (has(client, "call", "function") && has(client, "status", "string")) return ioRedis(client as IoRedisClient);
    if (has(client, "sendCommand", "function") && has(client, "isOpen", "boolean"))
      return nodeRedis(client as NodeRedisClient);
  }
  throw new TypeError("client must be a node-redis or ioredis client");
}

/**
 * Whether `error` is the server's answer (ERR, WRONGTYPE, OOM, NOSCRIPT,
 * BUSY, LOADING, …: an upper-case code first, in both clients) rather than a
 * connection failure, after which the command may or may not have run.
 */
export const isReplyError = (error: unknown): boolean =>
  error instanceof Error && /^[A-Z][A-Z_]+(\s|$)/.test(error.message);

const noScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith("NOSCRIPT");

/**
 * Runs scripts on one connection: EVALSHA once the script's SHA is known,
 * EVAL before that and after a NOSCRIPT (the server lost its script cache).
 * The first call loads every script at once (SCRIPT LOAD, pipelined), so
 * that only the calls made before those replies go as EVAL; a script whose
 * load failed is loaded again at its next call. Every call is written to
 * the connection synchronously, so calls reach the server in the order they
 * were made (a cancel never overtakes its acquire), except for the retry
 * after a NOSCRIPT.
 */
export class Scripts {
  readonly #shas = new Map<Script, string>();
  /** Scripts whose SCRIPT LOAD is on its way. */
  readonly #loading = new Set<Script>();

  constructor(
    readonly connection: Connection,
    readonly all: readonly Script[],
  ) {}

  run(script: Script, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    const sha = this.#shas.get(script);
    if (sha === undefined) {
      this.#load();
      return this.connection.send(["EVAL", script.source, ...tail]);
    }
    return this.connection.send(["EVALSHA", sha, ...tail]).catch((error: unknown) => {
      if (!noScript(error)) throw error;
      return this.connection.send(["EVAL", script.source, ...tail]);
    });
  }

  /** Learns the SHA of every script not known or on its way yet. */
  #load(): void {
    for (const script of this.all) {
      if (this.#shas.has(script) || this.#loading.has(script)) continue;
      this.#loading.add(script);
      this.connection.send(["SCRIPT", "LOAD", script.source]).then(
        (loaded) => {
          this.#loading.delete(script);
          this.#shas.set(script, String(loaded));
        },
        () => this.#loading.delete(script),
      );
    }
  }
}
