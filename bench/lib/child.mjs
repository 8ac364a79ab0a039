// One scenario in one mode, in one `node --expose-gc` process: every library
// is warmed up, then measured in rounds interleaved across libraries
// (A B C, A B C …). Writes the raw numbers as JSON to the path in argv[4].
//
// Each library gets its own copy of the scenario module (a distinct URL is a
// distinct module), so the driver's inline caches see one library only and
// no library pays for the shapes of the others.
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { collectYoung, QUICK, summary } from "./harness.mjs";
import { libraries } from "./libraries.mjs";

const [file, mode, output] = process.argv.slice(2);
const scenario = await import(`../scenarios/${file}`);
// A scenario whose timed part is short sets more rounds of its own.
const rounds = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 2 : (scenario.rounds ?? 7)));
const warmups = 1;
// Milliseconds one measured run of a `scalable` scenario may take, unless
// the scenario sets its own `budgetMs`.
const budgetMs = Number(process.env.BENCH_BUDGET_MS ?? 300);

const inMode = libraries.filter((library) => library.mode === mode);
const present = inMode.filter((library) => library[scenario.needs] !== undefined);
// Peers that lack the feature: reported, never emulated.
const absent = inMode
  .filter((library) => library.role === "peer" && library[scenario.needs] === undefined)
  .map((library) => library.name);
const drivers = await Promise.all(
  present.map((_, index) => import(`../scenarios/${file}?library=${index}`).then((module) => module.run)),
);

/**
 * The case a library runs. Where the cost per operation does not depend on
 * the size (`scenario.scalable` names that size), a library too slow to do
 * the full size within the budget does fewer operations: a probe at 1/10 of
 * the size tells how many fit. The floor and @sync always run the full size.
 */
async function sized(run, library, testCase) {
  const key = scenario.scalable;
  if (key === undefined || QUICK || library.role !== "peer") return testCase;
  const probe = { ...testCase, [key]: Math.ceil(testCase[key] / 10) };
  await run(library, probe); // warm, so the estimate is not of cold code
  const start = performance.now();
  await run(library, probe);
  const estimate = (performance.now() - start) * 10;
  const budget = scenario.budgetMs ?? budgetMs;
  if (estimate <= budget) return testCase;
  return { ...testCase, [key]: Math.max(probe[key], Math.floor((testCase[key] * budget) / estimate)) };
}

const cases = [];
for (const testCase of scenario.cases) {
  const samples = present.map(() => Object.fromEntries(scenario.metrics.map(({ key }) => [key, []])));
  const own = [];
  for (const [index, library] of present.entries()) own.push(await sized(drivers[index], library, testCase));
  for (let i = 0; i < warmups; i++) {
    for (const [index, library] of present.entries()) await drivers[index](library, own[index]);
  }
  for (let round = 0; round < rounds; round++) {
    for (const [index, library] of present.entries()) {
      collectYoung();
      const result = await drivers[index](library, own[index]);
      for (const { key } of scenario.metrics) samples[index][key].push(result[key]);
    }
  }
  cases.push({
    label: testCase.label,
    results: present.map((library, index) => ({
      name: library.name,
      role: library.role,
      package: library.package,
      scaled: own[index] === testCase ? undefined : own[index][scenario.scalable],
      metrics: Object.fromEntries(
        scenario.metrics.map(({ key }) => [key, { ...summary(samples[index][key]), samples: samples[index][key] }]),
      ),
    })),
  });
}

writeFileSync(
  output,
  JSON.stringify({ file, mode, title: scenario.title, metrics: scenario.metrics, absent, rounds, cases }),
);
