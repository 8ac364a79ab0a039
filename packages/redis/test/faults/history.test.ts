// The fault suite's history checker on made-up histories: it passes the
// good ones and names what is wrong with each bad one. (The fault suite
// itself, with servers and processes, is `pnpm test:faults`.)
import { checkHistory, type Grant, type History, type Request, type Write } from "./history";

const grant = (proc: string, token: number, grantedAt: number, endAt: number, extra: Partial<Grant> = {}): Grant => ({
  proc,
  id: "h1",
  name: "x",
  token,
  requestAt: grantedAt - 1,
  grantedAt,
  endAt,
  end: "released",
  epoch: 0,
  ...extra,
});
const request = (g: Grant, order?: number, extra: Partial<Request> = {}): Request => ({
  proc: g.proc,
  id: g.id,
  name: g.name,
  requestAt: g.requestAt,
  order,
  outcome: "granted",
  settledAt: g.grantedAt,
  ...extra,
});
const write = (g: Grant, at: number, accepted: boolean): Write => ({
  proc: g.proc,
  id: g.id,
  name: g.name,
  token: g.token,
  at,
  accepted,
});
const lock = { permits: { x: 1 } };

test("a clean hand-off passes", () => {
  const a = grant("a", 1, 100, 200);
  const b = grant("b", 2, 201, 300, { requestAt: 150 });
  const history: History = {
    requests: [request(a, 1), request(b, 2)],
    grants: [a, b],
    writes: [write(a, 101, true), write(b, 202, true), write(a, 250, false)],
  };
  expect(checkHistory(history, lock)).toEqual([]);
});

test("exclusion: two live holders of a lock, or three of a 2-permit semaphore", () => {
  const a = grant("a", 1, 100, 300);
  const b = grant("b", 2, 200, 400);
  expect(checkHistory({ requests: [], grants: [a, b], writes: [] }, lock)).toEqual([
    "exclusion: x had 2 live holders (permits 1) when b/h1 (token 2) was granted: a/h1 (token 1) [100.0, 300.0), b/h1 (token 2) [200.0, 400.0)",
  ]);
  const c = grant("c", 3, 250, 260);
  expect(checkHistory({ requests: [], grants: [a, b], writes: [] }, { permits: { x: 2 } })).toEqual([]);
  expect(checkHistory({ requests: [], grants: [a, b, c], writes: [] }, { permits: { x: 2 } })).toHaveLength(1);
});

test("exclusion: a holder that lost its lease no longer counts", () => {
  const a = grant("a", 1, 100, 150, { end: "lost" });
  const b = grant("b", 2, 200, 400);
  expect(checkHistory({ requests: [], grants: [a, b], writes: [] }, lock)).toEqual([]);
});

test("tokens: reused, or not rising after a grant", () => {
  const a = grant("a", 5, 100, 150);
  const b = grant("b", 5, 200, 300, { requestAt: 160 });
  expect(checkHistory({ requests: [], grants: [a, b], writes: [] }, lock)).toEqual([
    "tokens: x granted token 5 twice: a/h1 (token 5), b/h1 (token 5)",
    "tokens: x b/h1 (token 5) was requested after a/h1 (token 5) was granted, with no higher token",
  ]);
  // Across a server restart (another epoch) tokens start again.
  expect(checkHistory({ requests: [], grants: [a, { ...b, token: 1, epoch: 1 }], writes: [] }, lock)).toEqual([]);
});

test("fifo: a later arrival granted first, or while an earlier one still waited", () => {
  const a = grant("a", 2, 300, 400, { requestAt: 10 });
  const b = grant("b", 1, 200, 250, { requestAt: 20 });
  expect(checkHistory({ requests: [request(a, 1), request(b, 2)], grants: [a, b], writes: [] }, lock)).toEqual([
    "fifo: x b/h1 (token 1) arrived after a/h1 (token 2) but was granted first",
  ]);
  const waiting: Request = {
    proc: "a",
    id: "h1",
    name: "x",
    requestAt: 10,
    order: 1,
    outcome: "timeout",
    settledAt: 500,
  };
  expect(checkHistory({ requests: [waiting, request(b, 2)], grants: [b], writes: [] }, lock)).toEqual([
    "fifo: x b/h1 (token 1) was granted while a/h1, which arrived earlier, was still waiting (timeout)",
  ]);
  // A waiter that left first does not count; and the check can be turned off.
  expect(
    checkHistory({ requests: [{ ...waiting, settledAt: 100 }, request(b, 2)], grants: [b], writes: [] }, lock),
  ).toEqual([]);
  expect(
    checkHistory({ requests: [request(a, 1), request(b, 2)], grants: [a, b], writes: [] }, { ...lock, fifo: false }),
  ).toEqual([]);
});

test("fencing: a stale write accepted after a later holder wrote, or a token below the highest", () => {
  const a = grant("a", 3, 100, 150, { end: "paused" });
  const b = grant("b", 3, 200, 300);
  expect(
    checkHistory(
      { requests: [], grants: [a, b], writes: [write(a, 101, true), write(b, 201, true), write(a, 250, true)] },
      lock,
    ),
  ).toEqual([
    "tokens: x granted token 3 twice: a/h1 (token 3), b/h1 (token 3)",
    "tokens: x b/h1 (token 3) was requested after a/h1 (token 3) was granted, with no higher token",
    "fencing: x accepted 1 stale write(s) of a/h1 (token 3), the first at 250.0, after b/h1 (token 3), granted later, had written",
  ]);
  // Refused or not, once the later holder has written, the earlier one is stale.
  const refused = [
    write(a, 101, true),
    { ...write(b, 201, false), token: 1 },
    write(a, 250, true),
    write(a, 260, true),
  ];
  expect(checkHistory({ requests: [], grants: [a, { ...b, token: 4 }], writes: refused }, lock)).toEqual([
    "fencing: x accepted 2 stale write(s) of a/h1 (token 3), the first at 250.0, after b/h1 (token 1), granted later, had written",
  ]);
  // Not across a server restart: tokens start again there, as documented.
  expect(checkHistory({ requests: [], grants: [a, { ...b, token: 1, epoch: 1 }], writes: refused }, lock)).toEqual([]);
  const c = grant("c", 1, 400, 500);
  expect(
    checkHistory({ requests: [], grants: [c], writes: [write(b, 201, true), write(c, 401, true)] }, lock),
  ).toContain("fencing: x accepted token 1 after 3");
});

test("exclusion: a holder counts again after a gap (paused, resumed, never told of the loss)", () => {
  const a = grant("a", 1, 100, Infinity, { end: "held", gaps: [[150, 400]] });
  const b = grant("b", 2, 200, 300);
  expect(checkHistory({ requests: [], grants: [a, b], writes: [] }, lock)).toEqual([]);
  const c = grant("c", 3, 350, 600);
  expect(checkHistory({ requests: [], grants: [a, c], writes: [] }, lock)).toEqual([
    "exclusion: x had 2 live holders (permits 1) when a/h1 (token 1) counted again after a pause: a/h1 (token 1) [100.0, …), c/h1 (token 3) [350.0, 600.0)",
  ]);
});
