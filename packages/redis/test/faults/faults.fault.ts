// The fault suite (`pnpm test:faults`): every scenario of scenarios.ts, for
// a lock and for a semaphore, against real worker processes and a real
// redis-server; each must keep its own claims, pass the history checker and
// leak nothing. One line per scenario says what happened, with its figures.
// SYNC_FAULT_PLANT=<name> runs it all against a planted bug (plant.ts).
import { plantedFromEnv } from "./plant";
import { barrierScenario, describeFaults, runScenario, scenarios, type Kind, type Scenario } from "./scenarios";

const lib = plantedFromEnv();

async function check(scenario: Scenario, kind: Kind): Promise<void> {
  const outcome = await runScenario(scenario, kind, lib);
  const ok = outcome.claims.length === 0 && outcome.problems.length === 0;
  process.stdout.write(
    `fault ${ok ? "ok  " : "FAIL"} ${scenario.id} ${kind} (${(outcome.ms / 1000).toFixed(1)} s): ${outcome.notes.join("; ")}\n`,
  );
  expect({ claims: outcome.claims, problems: outcome.problems }).toEqual({ claims: [], problems: [] });
}

describeFaults().each(["lock", "semaphore"] as const)("%s", (kind) => {
  test.each(scenarios.filter((s) => s.kinds.includes(kind)).map((s) => [s.title, s] as const))("%s", (_, scenario) =>
    check(scenario, kind),
  );
});

describeFaults()("barrier", () => {
  test(barrierScenario.title, () => check(barrierScenario, "lock"));
});
