// The fault scenarios for a RedisLock (suite.ts, scenarios.ts).
import { faultTests } from "./suite";

faultTests("lock");
