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
 * Condition 1.8 kB and the six seed primitives together 2.8 kB. Not reached:
 * measured 1.91, 1.70, 1.89, 2.17, 2.30 and 3.03 kB, so 0.41, 0.20, 0.39,
 * 0.57, 0.50 and 0.23 kB over. Of Lock's 1.91 kB, 1.71 are core: the
 * queue alone (the ring and the linked abort watch, kept for the contended
 * paths' speed, with the option check, the timers and TimeoutError) is
 * 1.47 kB, so no primitive reaches 1.5 kB without giving up one of those
 * (docs/performance.md). These budgets hold today's sizes with about 2%
 * headroom, so that any growth is a decision.
 */
const primitives = [
  ["Lock", "lock", "1.95 kB"],
  ["Event", "event", "1.74 kB"],
  ["Semaphore", "semaphore", "2.21 kB"],
  ["BoundedSemaphore", "semaphore", "2.22 kB"],
  ["Condition", "condition", "2.35 kB"],
  ["Barrier", "barrier", "1.93 kB"],
  // Issue 12 asks for RWLock at 1.6 kB and KeyedLock at 1.7 kB, measured
  // 2.16 kB and 2.52 kB. Their own code is about 0.37 kB (RWLock, over the
  // core pieces it uses: the queue with needs, the option check, hold and
  // run) and 0.6 kB (KeyedLock, over Lock). So both targets wait for a
  // smaller core; KeyedLock's is below Lock's own size today.
  ["RWLock", "rwlock", "2.21 kB"],
  ["KeyedLock", "keyed", "2.58 kB"],
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
    "3.09 kB",
  ),
  check("everything: * from @sync/primitives", "primitives", "*", "4.25 kB"),
];
