// async-lock: acquire(key, fn) runs fn holding key and settles as fn does.
// `maxPending: Infinity`: its default of 1,000 queued callers per key would
// reject a burst larger than that.
import AsyncLock from "async-lock";
import { packageId } from "../lib/versions.mjs";

class Keyed {
  inner = new AsyncLock({ maxPending: Infinity });
  run(key, fn) {
    return this.inner.acquire(key, fn);
  }
  idle() {
    return !this.inner.isBusy();
  }
}

export default [
  { name: "async-lock", package: packageId("async-lock"), role: "peer", mode: "plain", keyed: () => new Keyed() },
];
