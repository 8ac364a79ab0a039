// The fault scenarios for a 2-permit RedisSemaphore (3 for the storm), and
// the barrier whose party dies (suite.ts, scenarios.ts).
import { barrierScenario, describeFaults } from "./scenarios";
import { check, faultTests } from "./suite";

faultTests("semaphore");

describeFaults()("barrier", () => {
  test(barrierScenario.title, () => check(barrierScenario, "lock"));
});
