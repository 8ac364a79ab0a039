// Size budgets for `pnpm size`, one per named import (STYLE.md: "size budgets
// measure each named import"). Each check bundles the built ESM file
// (dist/index.mjs, so run `pnpm build` first) with esbuild, minified and
// gzipped. The bundles' own `@sync/*` imports resolve through the workspace
// links to the other packages' dist/index.mjs, so every size includes the
// part of @sync/core that the import pulls in: what a user's bundle pays.
//
// Each primitive is measured twice, from its own package and from
// @sync/primitives: the two must be (nearly) equal, or the re-exporting
// package defeats tree-shaking.

/* global module -- size-limit loads this file as CommonJS */

/** The ESM bundle of a workspace package, relative to this file. */
const dist = (name) => `packages/${name}/dist/index.mjs`;

/**
 * [export, package, budget] for every primitive. Issue 11 asks for Lock,
 * Event and Barrier at 1.5 kB, Semaphore with BoundedSemaphore 1.6 kB,
 * Condition 1.8 kB and all six 2.8 kB. Not reached: the queue went back to
 * a ring and the abort watch to links, which won back the contended paths'
 * speed for about 0.15-0.2 kB on each (docs/performance.md). These budgets
 * hold today's sizes with about 2% headroom, so that any growth is a
 * decision.
 */
const primitives = [
  ["Lock", "lock", "2.09 kB"],
  ["Event", "event", "1.94 kB"],
  ["Semaphore", "semaphore", "2.32 kB"],
  ["BoundedSemaphore", "semaphore", "2.33 kB"],
  ["Condition", "condition", "2.51 kB"],
  ["Barrier", "barrier", "2.09 kB"],
  // Issue 12 asks for RWLock at 1.6 kB and KeyedLock at 1.7 kB, measured
  // 2.25 kB and 2.65 kB. Their own code is about 0.37 kB (RWLock, over the
  // core pieces it uses: the queue with needs, the option check, hold and
  // run) and 0.6 kB (KeyedLock, over Lock). So both targets wait for a
  // smaller core; KeyedLock's is below Lock's own size today.
  ["RWLock", "rwlock", "2.3 kB"],
  ["KeyedLock", "keyed", "2.7 kB"],
];

const check = (name, pkg, imported, limit) => ({
  name,
  path: dist(pkg),
  import: imported,
  limit,
  gzip: true,
  // esbuild would otherwise apply packages/*/tsconfig.json to the dist files,
  // and its `paths` (@sync/* -> packages/*/src) would measure the sources
  // instead of the published bundles. A user's bundler never sees our tsconfig.
  modifyEsbuildConfig: (config) => ({ ...config, tsconfigRaw: {} }),
});

module.exports = [
  ...primitives.flatMap(([name, pkg, limit]) => [
    check(`${name} from @sync/${pkg}`, pkg, `{ ${name} }`, limit),
    check(`${name} from @sync/primitives`, "primitives", `{ ${name} }`, limit),
  ]),
  check(
    "the six seed primitives from @sync/primitives",
    "primitives",
    "{ Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier }",
    "3.5 kB",
  ),
  check("everything: * from @sync/primitives", "primitives", "*", "4.44 kB"),
];
