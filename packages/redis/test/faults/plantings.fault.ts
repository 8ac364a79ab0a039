// Planted bugs (plant.ts) must make the history checker fail: each runs a
// scenario of the suite against a copy of the sources with one bug in it,
// and the checker (not only the scenario's own claims) must name what broke.
// Every line it printed is shown, so the suite's output documents it.
import { plant, plantings } from "./plant";
import { describeFaults, runScenario, scenarios } from "./scenarios";

const cases: [planting: string, scenario: string][] = [
  ["renew-noop", "s8"],
  ["release-no-owner", "s2"],
  ["loss-unreported", "s2"],
  ["grant-tail", "s2"],
  ["token-stuck", "s2"],
];

describeFaults()("planted bugs", () => {
  test.each(cases)("planted %s: scenario %s (lock) fails the checker", async (name, id) => {
    const outcome = await runScenario(
      scenarios.find((s) => s.id === id)!,
      "lock",
      plant(name),
    );
    const lines = [...outcome.problems.map((p) => `  checker: ${p}`), ...outcome.claims.map((c) => `  claim: ${c}`)];
    process.stdout.write(`planted ${name} (${plantings[name]!.description}), ${id} lock:\n${lines.join("\n")}\n`);
    expect(outcome.problems).not.toEqual([]);
  });
});
