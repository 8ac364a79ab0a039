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
 * Condition 1.8 kB and all six 2.8 kB. Not reached yet: after dropping
 * keepShape and the internal exports, and shortening messages, core's share
 * grew again with the hardening of issue 11 (cross-build brands, the abort
 * reason for polyfilled signals, the error report of an abort, the ring that
 * shrinks, grants by need). These budgets hold today's sizes with about 2%
 * headroom, so that any growth is a decision; docs/performance.md lists the
 * figures.
 */
const primitives = [
  ["Lock", "lock", "1.98 kB"],
  ["Event", "event", "1.86 kB"],
  ["Semaphore", "semaphore", "2.25 kB"],
  ["BoundedSemaphore", "semaphore", "2.25 kB"],
  ["Condition", "condition", "2.4 kB"],
  ["Barrier", "barrier", "1.97 kB"],
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
  check("everything: * from @sync/primitives", "primitives", "*", "3.42 kB"),
];
