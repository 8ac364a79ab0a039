/*
 * @sync/redis: the @sync primitives across processes, over one Redis
 * (>= 7.0) server or primary.
 *
 * Keys. Every primitive lives under one hash tag,
 * `<prefix>{<kind>:<name>}` (kind: lock, semaphore, event, barrier), so all
 * of its keys sit in one slot and each script touches one slot only:
 *
 *   :m        hash  permits | parties (set by the first call), token (the
 *                   fencing counter), seq (the arrival counter), flag
 *                   (event), broken (barrier), quiet (server ms: no grant
 *                   before it, after the data was lost)
 *   :q        zset  queued waiter ids, scored by arrival number: FIFO order,
 *                   O(log n) removal from anywhere (a cancel)
 *   :h        zset  holders (a hold id is its waiter id), scored by their
 *                   lease deadline on the server's clock
 *   :a        hash  RedisSync instance id -> "<deadline> <lease>": the
 *                   instances with waiters here, alive until that deadline
 *   :mb:<id>  list  the mailbox of one instance for this primitive
 *
 * The meta hash is never deleted, and the fencing counter starts, at the
 * first grant on a meta hash, from the server clock in microseconds
 * (`TIME`: about 1.8e15, below 2^53), not from 0: tokens rise by one per
 * grant, and keep rising across a restart that loses the data as long as
 * the server's clock moved on by more microseconds than there were grants.
 *
 * Scripts (scripts.ts, one per operation, each atomic). Each reaps what it
 * may depend on (holders past their deadline leave; an instance past its
 * heartbeat deadline leaves with all its waiters) and hands freed permits to
 * the head waiters; with nobody queued there is nobody to hand to, so the
 * uncontended paths skip that (scripts.ts says what each one reads):
 *
 *   acquire    grant at once when nobody is queued and a permit is free,
 *              else queue (or, for `timeout: 0`, answer "busy"). Sent
 *              again for an id the server has, it only answers "queued".
 *   release    remove the hold; hand its permit to the head waiter.
 *   renew      extend a hold that is still there; report it gone otherwise.
 *   cancel     take a waiter out of the queue, or, if it was granted in the
 *              meantime, release that grant and take its message back out
 *              of the mailbox: no permit leaks.
 *   heartbeat  keep this instance alive at this primitive; queue again, at
 *              the tail, any of its waiters the server no longer has (reaped
 *              while this process was cut off, or lost with the server's
 *              data, whose permits it restores too, starting a quiet
 *              period: see Data loss).
 *   inspect    the counts behind locked(), waiters(), available(), isSet(),
 *              nWaiting(), broken().
 *   eventWait, eventSet, eventClear, barrierWait, barrierBreak: the same
 *              for Event and Barrier.
 *
 * Invariants.
 *   1. A holder has a live lease: its deadline is in the future, or the next
 *      script that reads the holders (to grant, renew, count or hand off)
 *      removes it first.
 *   2. The queue is in arrival order (the server's), and only its head is
 *      ever granted: a newcomer is granted at once only if nobody is queued.
 *   3. A grant is pushed to exactly one mailbox, that of the waiter's
 *      instance, in the same script that made it; a cancel that finds the
 *      waiter granted takes that message back.
 *   4. Tokens only rise: every grant takes `HINCRBY token 1`; the counter
 *      starts at the server clock (above).
 *   5. Locally, a waiter settles once: the WaiterQueue of @sync/core that
 *      holds it (one per call) grants it from its reply, or from its mailbox
 *      message (made after a BLPOP was sent, or confirmed by a renewal), or
 *      rejects it on abort/timeout, never both.
 *   6. No grant during a quiet period (wake() and acquire check it).
 *
 * Pushed grants, no polling. Each RedisSync has one connection of its own
 * (`client.duplicate()`) that blocks in BLPOP on its mailboxes, one per
 * primitive with waiters of this instance, plus a control list; adding a
 * mailbox pushes to the control list, which ends the BLPOP so that it starts
 * again with the new key. A list keeps a grant that arrives while nobody
 * reads, which pub/sub would drop. A grant message for a waiter that is no
 * longer here (it left, and its cancel has not run or failed) is cancelled
 * again, so it cannot hold a permit until its lease runs out. (BLPOP over
 * several primitives' mailboxes needs them in one slot: on Redis Cluster use
 * one RedisSync per slot.)
 *
 * Heartbeat, renewals, reaping. One timer per RedisSync, every `lease / 3`:
 * a heartbeat per primitive with waiters here (not per waiter), and a renew
 * per held lease, all written at once (the clients pipeline them). It also
 * watches each lease's local deadline: a lease renewed in time keeps it more
 * than a round ahead and needs no timer of its own; one whose renewal failed
 * gets a timer when its deadline may come before the next round. With
 * nothing left to keep alive, the timer stops at its next round (meanwhile
 * it does not keep the process alive), so hold-release-hold does not make
 * it anew. A
 * process that dies stops both: its holds expire after at most `lease`, its
 * waiters are reaped `lease` after its last heartbeat, by the next script
 * that touches the primitive. So that the next waiter does not wait for some
 * other call to come by, acquire and heartbeat reply with the time left on
 * the first holder's lease, and the waiting instance sends a heartbeat (which
 * reaps) for that primitive at that moment, by the latest reply: a holder
 * that renews moves it on.
 *
 * Clocks. Lease deadlines are the server's: `TIME` inside the scripts, never
 * a client's wall clock. Locally, `performance.now()` only: a lease counts
 * as lost `lease - margin` after the last confirmed renewal was *sent*
 * (margin: lease / 10), which is before the server's deadline, which was
 * set after that sending. A grant in the reply counts from when its request
 * was sent. A grant pushed to the mailbox may be old: this process may have
 * been paused while it waited there, past its lease, and another process
 * granted since. Each BLPOP goes after an EXISTS of the mailboxes on the
 * same connection; if they were all empty, a grant the BLPOP returns was
 * made after both were sent, and counts from that sending, like a grant in
 * a reply, if it is read within one renewal round (`lease / 3`) of that
 * sending (not a reply read late, say after a pause). Any other pushed grant
 * makes hold() resolve only once a renewal, sent when the push is read,
 * confirms it (one round trip more), and the lease counts from that
 * sending. If that renewal finds the hold gone, the call was not granted:
 * it is queued again, at the tail, under the same id
 * (its request is sent again; it lost its place while it could not answer,
 * as a dead waiter does, and its timeout and signal still run). Queuing
 * again rather than rejecting: the contract says a hold waits until its own
 * signal or timeout, and a pause is no reason to fail. An abort while the
 * renewal is in flight rejects the call at once; its cancel, sent after the
 * renewal on the same connection, releases the grant if it was confirmed.
 *
 * Data loss (a restart without persistence, a fail-over that lost writes).
 * The meta hash is gone, but holders may still believe they hold until
 * their local deadlines, and cannot all hear of it at once (one may be cut
 * off). A script from an instance with state at the primitive (a heartbeat
 * of its waiters, a renewal of its hold) that finds the meta hash missing
 * recreates it with `quiet` = server time + its lease: no grant until then,
 * by which time every old holder's local deadline has passed (leases of
 * the same length). Its reply, like acquire's, gives the time until a grant
 * may be possible (the later of the quiet period's end and the first
 * holder's lease end), and the waiting instance heartbeats then, so nothing
 * stalls. What stays open: a process that touches the name first after
 * such a loss (an acquire, which creates the meta hash) cannot tell it from
 * a first use and is granted at once, while an old holder may still act;
 * the clock-seeded tokens make a fenced resource refuse that old holder.
 *
 * Failure model. One server, or a primary whose replicas may lose the last
 * writes on fail-over (`replicas: n` WAITs after each grant to narrow that).
 * The network may drop, delay or cut connections: a waiting call keeps
 * waiting until its signal or timeout (a hold whose request met a dropped
 * connection counts as queued: the heartbeat queues it if the server never
 * got it, and a grant whose reply was lost expires unrenewed and is queued
 * again); after a reconnect the blocking connection's first read is
 * followed by a heartbeat of every primitive; a held lease is lost at its
 * local deadline. Nothing is granted twice: a grant exists only on the
 * server, and a lost lease is never renewed again. A server error (a script
 * error, OOM, a key of the wrong type: each script reads every key it may
 * touch with a command of that key's type before its first write) rejects
 * the call and changes nothing.
 */
import { InvalidStateError, TimeoutError, type WaitOptions } from "@sync/core";
import { connect, isReplyError, Scripts, type Connection } from "./client";
import { check, WaiterQueue } from "./core";
import { Grant, type Holder } from "./lease";
import {
  barrier,
  event,
  lock,
  semaphore,
  type RedisBarrier,
  type RedisEvent,
  type RedisLock,
  type RedisSemaphore,
} from "./primitives";
import * as lua from "./scripts";

/**
 * Options of {@link RedisSync}.
 *
 * @example
 * ```ts
 * new RedisSync(client, { prefix: "app:", lease: 10_000, replicas: 1 });
 * ```
 */
export interface RedisSyncOptions {
  /** Prepended to every key; default `"sync:"`. */
  prefix?: string | undefined;
  /** Milliseconds a grant lives unless renewed (renewed every `lease / 3`); default 30,000. */
  lease?: number | undefined;
  /** After each grant, `WAIT` for this many replicas to have it; default 0. */
  replicas?: number | undefined;
}

/** What a primitive is on the server and here. */
export interface Place {
  readonly kind: "lock" | "semaphore" | "event" | "barrier";
  readonly name: string;
  /** meta, queue, holders, alive. */
  readonly keys: readonly string[];
  /** This instance's mailbox for the primitive. */
  readonly mailbox: string;
  /** The waiters of this instance the server has queued. */
  readonly queued: Set<Waiting>;
  /**
   * The permits of the last hold() here, "" for events and barriers: what a
   * heartbeat restores on a server that lost its data.
   */
  count: string;
  /** A heartbeat scheduled for when the first holder's lease ends. */
  reap: ReturnType<typeof setTimeout> | undefined;
}

/** One pending call of this instance. */
export interface Waiting {
  readonly id: string;
  readonly place: Place;
  /** One waiter; shift() it to settle the call (invariant 5). */
  readonly waiter: WaiterQueue<string>;
  /** The request, sent again when a pushed grant turns out to be gone. */
  readonly script: lua.Script;
  readonly args: readonly (string | number)[];
  readonly mode: "wait" | "try";
  readonly countMismatch: (stored: string) => Error;
  /**
   * `performance.now()` when the request that granted was sent: the last
   * request, or, for a pushed grant, its confirming renewal.
   */
  since: number;
}

/** What a waiting call resolves with: the payload of its grant, and since when it is held. */
export interface Outcome {
  /** The waiter id, which is also the hold id of a grant. */
  readonly id: string;
  readonly payload: string;
  /** `performance.now()` when the request that granted or confirmed the grant was sent. */
  readonly since: number;
}

const defaults = { prefix: "sync:", lease: 30_000, replicas: 0 };

function checkOptions(options: RedisSyncOptions | undefined): Required<RedisSyncOptions> {
  if (options === undefined) return { ...defaults };
  if (typeof options !== "object" || options === null)
    throw new TypeError(`options must be an object, got ${options === null ? "null" : typeof options}`);
  const prefix = options.prefix ?? defaults.prefix;
  const lease = options.lease ?? defaults.lease;
  const replicas = options.replicas ?? defaults.replicas;
  if (typeof prefix !== "string") throw new TypeError(`prefix must be a string, got ${typeof prefix}`);
  if (typeof lease !== "number") throw new TypeError(`lease must be a number, got ${typeof lease}`);
  if (!Number.isInteger(lease) || lease < 30) throw new RangeError(`lease must be an integer >= 30, got ${lease}`);
  if (typeof replicas !== "number") throw new TypeError(`replicas must be a number, got ${typeof replicas}`);
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new RangeError(`replicas must be an integer >= 0, got ${replicas}`);
  return { prefix, lease, replicas };
}

/** The error for a call on a closed RedisSync. */
const closedError = (): InvalidStateError => new InvalidStateError("RedisSync is closed");

function ignore(): void {}

/** A timer of Node, which can stop keeping the process alive (a browser's is a number). */
interface Timer {
  ref?(): unknown;
  unref?(): unknown;
}

/**
 * The shared machinery of one {@link RedisSync}: its connections, mailbox
 * reader, heartbeat and leases. Primitives call into it.
 */
export class Engine implements Holder {
  readonly prefix: string;
  readonly lease: number;
  readonly replicas: number;
  readonly scripts: Scripts;
  readonly instance: string = crypto.randomUUID();
  #count = 0;
  #closed = false;
  readonly #places = new Map<string, Place>();
  readonly #byMailbox = new Map<string, Place>();
  readonly #waiting = new Map<string, Waiting>();
  readonly #grants = new Set<Grant>();
  /** Mailboxes with queued waiters of this instance. */
  readonly #mailboxes = new Map<string, number>();
  readonly #control: string;
  /** Milliseconds between renewal rounds: `lease / 3`. */
  readonly #period: number;
  /** The keys of the BLPOP in flight. */
  #watched = new Set<string>();
  /** A push to the control list is on its way: the BLPOP will start again. */
  #woken = false;
  /** A BLPOP is in flight. */
  #reading = false;
  #blocking: Connection | undefined;
  #listening: Promise<void> | undefined;
  #unsubscribe: () => void = ignore;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #closing: Promise<void> | undefined;

  constructor(client: unknown, options: RedisSyncOptions | undefined) {
    const connection = connect(client);
    const { prefix, lease, replicas } = checkOptions(options);
    this.prefix = prefix;
    this.lease = lease;
    this.replicas = replicas;
    this.scripts = new Scripts(connection, Object.values(lua));
    this.#control = `${prefix}{control:${this.instance}}`;
    this.#period = Math.max(1, Math.floor(lease / 3));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The place of a primitive, shared by every object of that kind and name made by this instance. */
  place(kind: Place["kind"], name: string): Place {
    const base = `${this.prefix}{${kind}:${name}}`;
    let place = this.#places.get(base);
    if (place === undefined) {
      place = {
        kind,
        name,
        keys: [`${base}:m`, `${base}:q`, `${base}:h`, `${base}:a`],
        mailbox: `${base}:mb:${this.instance}`,
        queued: new Set(),
        count: "",
        reap: undefined,
      };
      this.#places.set(base, place);
      this.#byMailbox.set(place.mailbox, place);
    }
    return place;
  }

  /** Runs a script of `place`, rejecting at once when closed. */
  run(place: Place, script: lua.Script, args: readonly (string | number)[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(closedError());
    return this.scripts.run(script, place.keys, args);
  }

  /**
   * A waiting call: validates the options, sends `script` with
   * `args(id, mode)`, and resolves with the payload of the grant, whether it
   * came in the reply or later through the mailbox.
   *
   * Script replies: {"done", payload}, {"queued", ms?}, {"busy"} (mode
   * "try": TimeoutError) or {"count", stored} (InvalidStateError).
   */
  wait(
    place: Place,
    options: WaitOptions | undefined,
    script: lua.Script,
    args: (id: string, mode: "wait" | "try") => (string | number)[],
    countMismatch: (stored: string) => Error,
  ): Promise<Outcome> {
    const error = check(options) ?? (this.#closed ? closedError() : undefined);
    if (error !== undefined) return Promise.reject(error);
    const id = `${this.instance}|${++this.#count}`;
    // `timeout: 0` is a try: one round trip, never queued (the signal still
    // counts during it), so the local wait gets no timeout of its own.
    const mode = options?.timeout === 0 ? "try" : "wait";
    const waiting: Waiting = {
      id,
      place,
      waiter: new WaiterQueue<string>(() => this.#leave(waiting)),
      script,
      args: args(id, mode),
      mode,
      countMismatch,
      since: 0,
    };
    this.#waiting.set(id, waiting);
    const pending = waiting.waiter.wait(mode === "try" ? { signal: options?.signal } : options);
    this.#send(waiting);
    return pending.then((payload) => {
      if (place.queued.delete(waiting)) this.#unwatch(place);
      return { id, payload, since: waiting.since };
    });
  }

  /** Sends the request of `waiting` (again) and settles or queues it by the reply. */
  #send(waiting: Waiting): void {
    const { id, place, mode } = waiting;
    const sent = performance.now();
    waiting.since = sent;
    this.run(place, waiting.script, waiting.args).then(
      (reply) => {
        const [status, detail] = reply as [string, unknown];
        if (status === "queued") {
          if (waiting.waiter.length === 0) return; // it left (or a push overtook this reply)
          this.#queue(waiting);
          this.#schedule(place, detail);
          return;
        }
        this.#waiting.delete(id);
        const settled = waiting.waiter.shift();
        if (status === "done") settled?.grant(String(detail));
        else if (status === "busy") settled?.fail(new TimeoutError("timed out without waiting (timeout: 0)"));
        else settled?.fail(waiting.countMismatch(String(detail)));
      },
      (error: unknown) => {
        // The connection failed: the request may have been queued, or even
        // granted, with the reply lost. A hold keeps waiting (the contract:
        // until its own signal or timeout), as if queued: the heartbeat
        // queues it again if the server does not have it, and a grant whose
        // reply was lost expires unrenewed and is then queued again too.
        if (place.count !== "" && mode === "wait" && !isReplyError(error) && !this.#closed) {
          if (waiting.waiter.length === 0) return;
          this.#queue(waiting);
          return;
        }
        this.#waiting.delete(id);
        waiting.waiter.shift()?.fail(error);
      },
    );
  }

  /** `waiting` is queued on the server (or may be): watch its mailbox, heartbeat its place. */
  #queue(waiting: Waiting): void {
    const { place } = waiting;
    if (place.queued.has(waiting)) return;
    place.queued.add(waiting);
    this.#watch(place.mailbox);
    this.#tick();
  }

  /**
   * A grant pushed to a queued hold: it may have been made long ago (this
   * process was paused, or the message waited in the mailbox), even expired
   * and been granted to another since. So the call resolves only once a
   * renewal confirms it, its local deadline counted from when that renewal
   * was sent; a hold that is gone lost its place while it could not answer,
   * as a dead waiter does, and is queued again at the tail. Meanwhile an
   * abort rejects the call, and its cancel, sent after this renewal,
   * releases the grant.
   */
  #confirm(waiting: Waiting, payload: string): void {
    const { id, place } = waiting;
    if (place.queued.delete(waiting)) this.#unwatch(place);
    const sent = performance.now();
    this.scripts.run(lua.renew, place.keys, [id, this.lease]).then(
      (renewed) => {
        if (waiting.waiter.length === 0) return; // it left: its cancel released the grant
        if (renewed !== 1) return this.#send(waiting);
        waiting.since = sent;
        this.#waiting.delete(id);
        waiting.waiter.shift()?.grant(payload);
      },
      () => {
        // No answer: wait as if queued; a grant still there expires
        // unrenewed, and the heartbeat then queues the hold again.
        if (waiting.waiter.length > 0 && !this.#closed) this.#queue(waiting);
      },
    );
  }

  // An abort or timeout: the waiter has rejected already (WaiterQueue); tell
  // the server, which also takes back a grant that crossed this cancel.
  #leave(waiting: Waiting): void {
    this.#waiting.delete(waiting.id);
    const { place } = waiting;
    if (place.queued.delete(waiting)) this.#unwatch(place);
    if (!this.#closed) this.scripts.run(lua.cancel, place.keys, [waiting.id]).catch(ignore);
  }

  /**
   * A mailbox message: "<waiter id> <payload>", popped from `mailbox` by a
   * BLPOP that was sent at `fresh` with every mailbox empty (undefined if
   * some was not).
   */
  #deliver(mailbox: string, message: string, fresh: number | undefined): void {
    const space = message.indexOf(" ");
    const id = message.slice(0, space);
    const waiting = this.#waiting.get(id);
    if (waiting !== undefined) {
      const payload = message.slice(space + 1);
      // A push for a hold whose "queued" reply came first: if it was made
      // after `fresh`, its lease counts from then, as a grant in a reply
      // counts from its request, when read within a renewal round of it;
      // else it may be old and needs confirming. One that overtook the
      // "queued" reply counts from when the request was sent.
      const { place } = waiting;
      if ((place.kind === "lock" || place.kind === "semaphore") && place.queued.has(waiting)) {
        if (fresh === undefined || performance.now() - fresh >= this.#period) return this.#confirm(waiting, payload);
        waiting.since = fresh;
      }
      this.#waiting.delete(id);
      waiting.waiter.shift()?.grant(payload);
      return;
    }
    // A grant for a waiter that left, whose cancel has not run yet or
    // failed: cancel again (a no-op if it ran), so the permit passes on.
    const place = this.#byMailbox.get(mailbox);
    if (place !== undefined && (place.kind === "lock" || place.kind === "semaphore") && !this.#closed)
      this.scripts.run(lua.cancel, place.keys, [id]).catch(ignore);
  }

  #watch(mailbox: string): void {
    this.#mailboxes.set(mailbox, (this.#mailboxes.get(mailbox) ?? 0) + 1);
    this.#listen();
    // Not reading now: the next BLPOP takes the mailbox anyway.
    if (!this.#reading || this.#watched.has(mailbox) || this.#woken) return;
    // Ends the BLPOP in flight, which then starts again with this mailbox
    // (and any other added before it does: one push is enough for them all).
    this.#woken = true;
    this.scripts.connection.send(["RPUSH", this.#control, "1"]).catch(ignore);
  }

  #unwatch(place: Place): void {
    const count = this.#mailboxes.get(place.mailbox);
    if (count === undefined) return;
    if (count > 1) this.#mailboxes.set(place.mailbox, count - 1);
    else this.#mailboxes.delete(place.mailbox);
    this.#tick();
  }

  #listen(): void {
    this.#listening ??= this.#read().catch(ignore);
  }

  // The reading loop of the blocking connection, which it (re)makes as
  // needed: a duplicate whose first connect fails (the server went away
  // meanwhile) is dropped and made again.
  async #read(): Promise<void> {
    let recovering = false;
    let delay = 50;
    const pause = async (): Promise<void> => {
      recovering = true;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 1_000);
    };
    while (!this.#closed) {
      let connection = this.#blocking;
      if (connection === undefined) {
        try {
          connection = await this.scripts.connection.duplicate();
        } catch {
          await pause();
          continue;
        }
        if (this.#closed) return connection.close();
        this.#blocking = connection;
        this.#unsubscribe = connection.onReady(() => (recovering = true));
      }
      const mailboxes = [...this.#mailboxes.keys()];
      const keys = [this.#control, ...mailboxes];
      this.#watched = new Set(keys);
      this.#woken = false;
      this.#reading = true;
      // The server runs this EXISTS just before the BLPOP (same connection):
      // if it finds every mailbox empty, whatever the BLPOP returns was
      // pushed, so granted, after `sent`.
      const sent = performance.now();
      const empty =
        mailboxes.length > 0 &&
        connection.send(["EXISTS", ...mailboxes]).then(
          (found) => found === 0,
          () => false,
        );
      let reply: unknown;
      let fresh: number | undefined;
      try {
        // After a reconnect, a bounded first read, then the fallback check.
        reply = await connection.send(["BLPOP", ...keys, recovering ? "1" : "0"]);
        if (await empty) fresh = sent;
      } catch {
        this.#reading = false;
        if (!this.#closed) await pause();
        continue;
      }
      this.#reading = false;
      delay = 50;
      if (recovering) {
        recovering = false;
        this.#heartbeatAll();
      }
      if (Array.isArray(reply) && reply[0] !== this.#control) this.#deliver(String(reply[0]), String(reply[1]), fresh);
    }
  }

  /**
   * Schedules a heartbeat (which reaps) of `place` when its first holder's
   * lease ends, by the latest reply: a holder that renews moves that end,
   * so a heartbeat every `lease / 3` keeps pushing this one back.
   */
  #schedule(place: Place, detail: unknown): void {
    const ms = Number(detail);
    if (!(ms >= 0)) return;
    clearTimeout(place.reap);
    place.reap = setTimeout(() => {
      place.reap = undefined;
      this.#heartbeat(place);
    }, ms + 1);
  }

  #heartbeat(place: Place): void {
    if (this.#closed || place.queued.size === 0) return;
    const ids = place.count === "" ? [] : [...place.queued].map((w) => w.id);
    this.scripts
      .run(lua.heartbeat, place.keys, [this.instance, this.lease, place.count, ...ids])
      .then((reply) => this.#schedule(place, (reply as unknown[])[1]), ignore);
  }

  #heartbeatAll(): void {
    for (const place of this.#places.values()) this.#heartbeat(place);
  }

  get #needed(): boolean {
    return !this.#closed && (this.#grants.size > 0 || this.#mailboxes.size > 0);
  }

  /**
   * Starts the heartbeat-and-renewal timer if there is something to keep
   * alive. With nothing left, the timer only stops keeping the process
   * alive; its next round stops it, so that a hold after a release does
   * not make it anew.
   */
  #tick(): void {
    if (!this.#needed) return void (this.#ticker as Timer | undefined)?.unref?.();
    if (this.#ticker === undefined) this.#ticker = setInterval(() => this.#beat(), this.#period);
    else (this.#ticker as Timer).ref?.();
  }

  #beat(): void {
    if (!this.#needed) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
      return;
    }
    this.#heartbeatAll();
    const now = performance.now();
    for (const grant of this.#grants) {
      grant.watch(now, this.#period);
      if (grant.live) this.renew(grant);
    }
  }

  /** Sends a renewal of `grant`; a confirmed one moves its local deadline, a refused one loses it. */
  renew(grant: Grant): void {
    const sent = performance.now();
    this.scripts.run(lua.renew, grant.keys, [grant.id, this.lease]).then((renewed) => {
      if (renewed === 1) grant.extend(sent);
      else grant.lose("lease expired on the server");
    }, ignore);
  }

  /** Tracks a new grant: it is renewed until released or lost. */
  hold(place: Place, outcome: Outcome): Grant {
    const grant = new Grant(
      this,
      outcome.id,
      Number(outcome.payload),
      place.keys,
      this.lease - this.lease / 10,
      outcome.since,
    );
    this.#grants.add(grant);
    this.#tick();
    // A grant whose reply was read late (this process was paused) may be
    // close to its local deadline, or past it, before the first round.
    grant.watch(performance.now(), this.#period);
    return grant;
  }

  release(grant: Grant): Promise<unknown> {
    return this.scripts.run(lua.release, grant.keys, [grant.id]);
  }

  forget(grant: Grant): void {
    this.#grants.delete(grant);
    this.#tick();
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    const sent: Promise<unknown>[] = [];
    for (const place of this.#places.values()) clearTimeout(place.reap);
    for (const waiting of this.#waiting.values()) {
      const settled = waiting.waiter.shift();
      if (settled === undefined) continue;
      settled.fail(new InvalidStateError("RedisSync was closed while waiting"));
      sent.push(this.scripts.run(lua.cancel, waiting.place.keys, [waiting.id]).catch(ignore));
    }
    this.#waiting.clear();
    for (const grant of [...this.#grants]) {
      sent.push(this.release(grant).catch(ignore));
      grant.lose("RedisSync was closed");
    }
    this.#closing = Promise.all(sent).then(async () => {
      this.#unsubscribe();
      this.#blocking?.close();
      await this.#listening;
      await this.scripts.connection.send(["DEL", this.#control]).catch(ignore);
    });
    return this.#closing;
  }
}

/**
 * The entry point: the \@sync primitives over a Redis server, shared by every
 * process that uses the same server and prefix. It takes your connected
 * client (node-redis >= 4 or ioredis >= 5), opens one more connection of its
 * own (`client.duplicate()`) for pushed grants, and closes only that one.
 *
 * @example
 * ```ts
 * const client = createClient({ url: process.env.REDIS_URL });
 * await client.connect();
 * const sync = new RedisSync(client, { prefix: "sync:" });
 * {
 *   await using lease = await sync.lock("invoice:42").hold({ timeout: 5_000 });
 *   await db.update(invoice, { fencingToken: lease.token, signal: lease.signal });
 * }
 * await sync.close();
 * ```
 */
export class RedisSync {
  readonly #engine: Engine;

  /**
   * @param client - a connected node-redis or ioredis client.
   * @param options - `prefix` (default `"sync:"`), `lease` (ms, default
   *   30,000), `replicas` (default 0).
   * @throws `TypeError` if `client` is neither client kind or an option has
   *   the wrong type; `RangeError` if `lease` is not an integer >= 30 or
   *   `replicas` not an integer >= 0.
   */
  constructor(client: unknown, options?: RedisSyncOptions) {
    this.#engine = new Engine(client, options);
  }

  /**
   * The lock of this name: the same lock in every process that uses the same
   * server and prefix.
   *
   * @throws `TypeError` if `name` is not a string, `RangeError` if it is empty.
   */
  lock(name: string): RedisLock {
    return lock(this.#engine, name);
  }

  /**
   * The semaphore of this name, with `permits` permits (the first call on
   * the server fixes the count).
   *
   * @throws `TypeError`/`RangeError` for a bad name, or unless `permits` is
   *   an integer >= 1.
   */
  semaphore(name: string, permits: number): RedisSemaphore {
    return semaphore(this.#engine, name, permits);
  }

  /**
   * The event of this name.
   *
   * @throws `TypeError`/`RangeError` for a bad name.
   */
  event(name: string): RedisEvent {
    return event(this.#engine, name);
  }

  /**
   * The barrier of this name, for `parties` callers per cycle (the first
   * call on the server fixes the count).
   *
   * @throws `TypeError`/`RangeError` for a bad name, or unless `parties` is
   *   an integer >= 1.
   */
  barrier(name: string, parties: number): RedisBarrier {
    return barrier(this.#engine, name, parties);
  }

  /**
   * Stops renewals and heartbeats, releases every lease this instance holds
   * (their signals abort with `LeaseLostError`), rejects its pending waits
   * with `InvalidStateError` (and takes them off the server's queues), and
   * closes its own connection, not the client's. A second call returns the
   * same promise; every later call of a primitive rejects with
   * `InvalidStateError`.
   */
  close(): Promise<void> {
    return this.#engine.close();
  }

  /** `<RedisSync prefix:"sync:" lease:30000>`, with `closed` once closed. */
  toString(): string {
    const engine = this.#engine;
    return `<RedisSync prefix:${JSON.stringify(engine.prefix)} lease:${engine.lease}${engine.closed ? " closed" : ""}>`;
  }
}
