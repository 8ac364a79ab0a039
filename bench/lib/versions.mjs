// The installed version of each library, read from its package.json on disk
// (some export maps hide `pkg/package.json` from import).
import { readFileSync } from "node:fs";

/** `name@version` of a package installed for the bench. */
export function packageId(name) {
  const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return `${name}@${JSON.parse(readFileSync(url, "utf8")).version}`;
}
