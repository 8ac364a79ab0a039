// The history checker of the fault suite. A scenario records what its worker
// processes saw (every request, grant, loss, release and fenced write, with
// local monotonic times comparable across the processes of one machine:
// performance.timeOrigin + performance.now()) and what the suite did to them
// (kills, pauses, server restarts); `checkHistory` then says which of the
// guarantees of API-redis.md the run broke. It knows nothing of how
// @sync/redis works: only what a holder could know, and the tokens it got.
// Imported by relative path; never published.

/** One `hold()` call of a worker, from the call to its outcome. */
export interface Request {
  proc: string;
  id: string;
  name: string;
  requestAt: number;
  /** Arrival order at the server, when the scenario made it certain (it waited for `waiters()` to grow). */
  order?: number;
  outcome: "granted" | "timeout" | "aborted" | "error" | "killed" | "pending";
  settledAt?: number;
}

/** One grant, and when its holder stopped believing it held. */
export interface Grant {
  proc: string;
  id: string;
  name: string;
  token: number;
  requestAt: number;
  grantedAt: number;
  /**
   * When the holder stopped counting as a holder: it called `release()`, saw
   * `lease.signal` abort, died, or was paused past its local deadline (from
   * that deadline). `Infinity` while it still holds.
   */
  endAt: number;
  end: "released" | "lost" | "killed" | "paused" | "held";
  /**
   * Spans inside [grantedAt, endAt) when the holder does not count: paused
   * past its local deadline, until it had run again long enough to be told
   * of the loss. A holder that is not told counts again after the gap.
   */
  gaps?: [from: number, to: number][];
  /** The server's incarnation at the grant: tokens are only comparable within one. */
  epoch: number;
}

/** A write the fenced resource received: accepted only with a token >= the highest it had accepted. */
export interface Write {
  proc: string;
  id: string;
  name: string;
  token: number;
  at: number;
  accepted: boolean;
}

export interface History {
  requests: Request[];
  grants: Grant[];
  writes: Write[];
}

export interface CheckOptions {
  /** Permits of each name (1 for a lock). */
  permits: Record<string, number>;
  /**
   * Slack for comparing times taken in different processes (ms). Every
   * ordering the checker relies on is causal (a release is timestamped before
   * it is sent, a grant after it arrives), so a round trip separates them.
   */
  eps?: number;
  /** Check that confirmed arrivals are granted in order (off where the server lost its queue). */
  fifo?: boolean;
}

/** Every guarantee `history` breaks, one line each; empty when it keeps them all. */
export function checkHistory(history: History, options: CheckOptions): string[] {
  const eps = options.eps ?? 1;
  const problems: string[] = [];
  const names = new Set(history.grants.map((g) => g.name));
  for (const name of names) {
    const permits = options.permits[name];
    if (permits === undefined) {
      problems.push(`${name}: no permits given to the checker`);
      continue;
    }
    const grants = history.grants.filter((g) => g.name === name);
    problems.push(...checkExclusion(name, grants, permits, eps));
    problems.push(...checkTokens(name, grants, eps));
    if (options.fifo !== false) {
      problems.push(
        ...checkFifo(
          name,
          history.requests.filter((r) => r.name === name),
          grants,
        ),
      );
    }
    problems.push(
      ...checkFencing(
        name,
        grants,
        history.writes.filter((w) => w.name === name),
        eps,
      ),
    );
  }
  return problems;
}

const describe = (g: Grant) => `${g.proc}/${g.id} (token ${g.token})`;
const span = (g: Grant) => `[${round(g.grantedAt)}, ${g.endAt === Infinity ? "…" : round(g.endAt)})`;
const round = (t: number) => (t % 1e6).toFixed(1);

/** Whether `g` counts as a holder at `t`: granted, not yet ended (less eps), not in a gap. */
const liveAt = (g: Grant, t: number, eps: number) =>
  g.grantedAt <= t && g.endAt - eps > t && !(g.gaps ?? []).some(([from, to]) => from - eps <= t && t < to);

/**
 * Never more than `permits` holders whose leases they had not lost: a
 * sweep over the moments a holder starts to count (its grant, the end of a
 * gap), counting the holders live then.
 */
function checkExclusion(name: string, grants: Grant[], permits: number, eps: number): string[] {
  const problems: string[] = [];
  for (const g of grants) {
    for (const [t, what] of [
      [g.grantedAt, "was granted"],
      ...(g.gaps ?? []).map(([, to]) => [to, "counted again after a pause"] as const),
    ] as const) {
      const live = grants.filter((o) => liveAt(o, t, eps));
      if (live.length > permits) {
        problems.push(
          `exclusion: ${name} had ${live.length} live holders (permits ${permits}) when ${describe(g)} ${what}: ` +
            live.map((o) => `${describe(o)} ${span(o)}`).join(", "),
        );
      }
    }
  }
  return problems;
}

/**
 * Tokens strictly rise per name: within one server incarnation no token is
 * granted twice, and a grant that happened before another was even
 * requested has the lower token.
 */
function checkTokens(name: string, grants: Grant[], eps: number): string[] {
  const problems: string[] = [];
  const seen = new Map<string, Grant>();
  for (const g of grants) {
    const key = `${g.epoch}:${g.token}`;
    const other = seen.get(key);
    if (other !== undefined)
      problems.push(`tokens: ${name} granted token ${g.token} twice: ${describe(other)}, ${describe(g)}`);
    seen.set(key, g);
    if (!Number.isSafeInteger(g.token) || g.token < 1)
      problems.push(`tokens: ${name} ${describe(g)} is not a positive integer`);
  }
  for (const a of grants) {
    for (const b of grants) {
      if (a.epoch === b.epoch && a.grantedAt + eps < b.requestAt && a.token >= b.token) {
        problems.push(
          `tokens: ${name} ${describe(b)} was requested after ${describe(a)} was granted, with no higher token`,
        );
      }
    }
  }
  return problems;
}

/**
 * Waiters that stayed are granted in arrival order: of two confirmed
 * arrivals in one incarnation, the later one is never granted before (the
 * server's grant order is its token order) or instead of the earlier one
 * while the earlier one was still waiting.
 */
function checkFifo(name: string, requests: Request[], grants: Grant[]): string[] {
  const problems: string[] = [];
  const grantOf = new Map(grants.map((g) => [`${g.proc}/${g.id}`, g]));
  const ordered = requests.filter((r) => r.order !== undefined).sort((a, b) => a.order! - b.order!);
  for (let i = 0; i < ordered.length; i++) {
    for (let j = i + 1; j < ordered.length; j++) {
      const a = ordered[i]!;
      const b = ordered[j]!;
      const ga = grantOf.get(`${a.proc}/${a.id}`);
      const gb = grantOf.get(`${b.proc}/${b.id}`);
      if (gb === undefined) continue;
      if (ga !== undefined && ga.epoch === gb.epoch && ga.token > gb.token) {
        problems.push(`fifo: ${name} ${describe(gb)} arrived after ${describe(ga)} but was granted first`);
      }
      if (ga === undefined && (a.settledAt === undefined || a.settledAt > gb.grantedAt)) {
        problems.push(
          `fifo: ${name} ${describe(gb)} was granted while ${a.proc}/${a.id}, which arrived earlier, was still waiting (${a.outcome})`,
        );
      }
    }
  }
  return problems;
}

/**
 * The fenced resource never accepts a stale holder's write: once a holder
 * granted later (in the same server incarnation: across a data loss
 * tokens rise only as far as the server's clock does, which the scenario
 * that restarts the server checks itself) has tried to write, a write of an
 * earlier grant must be refused; and the resource itself never accepted a
 * token below one it had accepted. (Before the later holder's first write
 * the resource cannot know, which is why a holder writes first thing.)
 */
function checkFencing(name: string, grants: Grant[], writes: Write[], eps: number): string[] {
  const problems: string[] = [];
  const grantOf = new Map(grants.map((g) => [`${g.proc}/${g.id}`, g]));
  const stale = new Map<string, { writer: Grant; newer: Write; count: number; at: number }>();
  let highest = -Infinity;
  const sorted = [...writes].sort((a, b) => a.at - b.at);
  for (const w of sorted) {
    if (w.accepted && w.token < highest) problems.push(`fencing: ${name} accepted token ${w.token} after ${highest}`);
    if (w.accepted) highest = Math.max(highest, w.token);
    const writer = grantOf.get(`${w.proc}/${w.id}`);
    if (!w.accepted || writer === undefined) continue;
    const newer = sorted.find((o) => {
      const other = grantOf.get(`${o.proc}/${o.id}`);
      return (
        o.at < w.at &&
        other !== undefined &&
        other !== writer &&
        other.epoch === writer.epoch &&
        other.grantedAt > writer.grantedAt + eps
      );
    });
    if (newer === undefined) continue;
    const key = `${w.proc}/${w.id} ${newer.proc}/${newer.id}`;
    const seen = stale.get(key);
    if (seen === undefined) stale.set(key, { writer, newer, count: 1, at: w.at });
    else seen.count++;
  }
  for (const { writer, newer, count, at } of stale.values()) {
    problems.push(
      `fencing: ${name} accepted ${count} stale write(s) of ${describe(writer)}, the first at ${round(at)}, ` +
        `after ${newer.proc}/${newer.id} (token ${newer.token}), granted later, had written`,
    );
  }
  return problems;
}
