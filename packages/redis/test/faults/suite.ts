// The tests of the fault suite (`pnpm test:faults`): every scenario of
// scenarios.ts for one kind of primitive, against real worker processes and
// a real redis-server; each must keep its own claims, pass the history
// checker and leak nothing. One line per scenario says what happened, with
// its figures. SYNC_FAULT_PLANT=<name> runs it all against a planted bug
// (plant.ts); SYNC_FAULT_TRACE=1 adds the timeline of every failure.
// Imported by relative path; never published.
import { plantedFromEnv } from "./plant";
import { describeFaults, runScenario, scenarios, type Kind, type Scenario } from "./scenarios";

export async function check(scenario: Scenario, kind: Kind): Promise<void> {
  const outcome = await runScenario(scenario, kind, plantedFromEnv());
  const ok = outcome.claims.length === 0 && outcome.problems.length === 0;
  process.stdout.write(
    `fault ${ok ? "ok  " : "FAIL"} ${scenario.id} ${kind} (${(outcome.ms / 1000).toFixed(1)} s): ${outcome.notes.join("; ")}\n`,
  );
  expect({ claims: outcome.claims, problems: outcome.problems }).toEqual({ claims: [], problems: [] });
}

/** One test per scenario of `kind`. */
export function faultTests(kind: Kind): void {
  describeFaults()(kind, () => {
    test.each(scenarios.filter((s) => s.kinds.includes(kind)).map((s) => [s.title, s] as const))("%s", (_, scenario) =>
      check(scenario, kind),
    );
  });
}
