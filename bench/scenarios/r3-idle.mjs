// (r3) Idle cost: one process holds a Redis lock while 20 waiters, 5 in each
// of 4 processes, sit queued on it. From 0.5 s after they queued (0.2 s in
// quick mode): the commands per second the server executed (`INFO stats`,
// minus the bench's own INFO; this counts the commands a script runs inside
// it too), and, read from MONITOR, the commands the clients sent (round
// trips). Then the release lets all 20 through.
import { check, size } from "../lib/harness.mjs";
import { monitorCommands, sleep } from "../lib/redis-harness.mjs";

export const group = "redis";
export const title = "Redis lock, idle cost: 20 waiters queued on a held lock";
export const needs = "lock";
export const modes = ["plain"];
export const processes = 4;
export const rounds = 3;
export const metrics = [
  { key: "perSecond", label: "commands per second, all processes" },
  { key: "perProcess", label: "commands per second per process" },
  { key: "sentPerProcess", label: "commands sent per second per process" },
];
const seconds = size(5, 0.3);
export const cases = [{ label: `20 waiters, ${seconds} s`, waiters: 5, seconds }];

/** Commands the server has executed since it started. */
async function commands(admin) {
  return Number(/total_commands_processed:(\d+)/.exec(await admin.info("stats"))[1]);
}

export async function drive({ workers, admin, port, clock }, { waiters, seconds }) {
  await workers[0].step("hold");
  await Promise.all(workers.map((worker) => worker.step("queue", { waiters })));
  // Every waiter is queued on the server (where the library has a queue
  // there) or has made its first attempt.
  await workers[0].step("queued", { waiters: waiters * workers.length });
  // The steady state: what a library does once, when its first waiter
  // queues (a connection of its own, a first heartbeat), is not idle cost.
  await sleep(size(500, 200));
  const monitor = await monitorCommands(port);
  const before = await commands(admin);
  const sentBefore = monitor.sent();
  const start = clock();
  await sleep(seconds * 1e3);
  const after = await commands(admin);
  const sentAfter = monitor.sent();
  const elapsed = (clock() - start) / 1e6;
  monitor.stop();
  // INFO counts the commands before it: `after` includes the first INFO.
  const perSecond = (after - before - 1) / elapsed;
  await workers[0].step("release");
  const granted = await Promise.all(workers.map((worker) => worker.step("granted")));
  check(
    granted.every((count) => count === waiters),
    `${granted.join(", ")} of ${waiters} waiters per process granted`,
  );
  return {
    perSecond,
    perProcess: perSecond / workers.length,
    sentPerProcess: (sentAfter - sentBefore) / elapsed / workers.length,
  };
}

export const steps = {
  async hold(instance, _args, state) {
    state.lock = instance.lock("r3");
    state.held = await state.lock.acquire();
  },
  async queue(instance, { waiters }, state) {
    state.lock ??= instance.lock("r3");
    state.waiters = Array.from({ length: waiters }, async () => state.lock.release(await state.lock.acquire()));
  },
  async queued(instance, { waiters }) {
    if (instance.waiters) while ((await instance.waiters("r3")) < waiters) await sleep(1);
    else await sleep(100);
  },
  async release(_instance, _args, state) {
    await state.lock.release(state.held);
  },
  async granted(_instance, _args, state) {
    await Promise.all(state.waiters);
    return state.waiters.length;
  },
};
