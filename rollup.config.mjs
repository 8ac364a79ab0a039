// The one build of every package: run from a package folder as
// `rollup -c ../../rollup.config.mjs`. It reads that package's package.json,
// so no package has a build config of its own.
//
// Each entry of the `exports` map is built from src/<name>.ts ("." from
// src/index.ts) into dist/<name>.{mjs,cjs,d.mts,d.ts], all in one rollup run:
// code that two entries share is imported from one file, so `@sync/core` and
// `@sync/core/internal` share their state (one WeakMap of abort watches).
// A package with several entries (core) keeps one JavaScript file per source
// module rather than one shared chunk: with `sideEffects: false` a bundler
// then drops every module a user never reaches, even one whose code it
// cannot prove pure (Guard's computed `[dispose]` key), which in a shared
// chunk would stay in every bundle.
import { readFileSync } from "node:fs";
import { dts } from "rollup-plugin-dts";
import esbuild from "rollup-plugin-esbuild";

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const dependencies = Object.keys(pkg.dependencies ?? {});
// @sync/* stays an import: each package ships once and is deduplicated.
const external = (id) => dependencies.some((name) => id === name || id.startsWith(`${name}/`));
const input = Object.fromEntries(
  Object.keys(pkg.exports)
    .filter((key) => key !== "./package.json")
    .map((key) => {
      const name = key === "." ? "index" : key.slice(2);
      return [name, `src/${name}.ts`];
    }),
);
const several = Object.keys(input).length > 1;
const output = (format, extension, preserveModules = false) => ({
  dir: "dist",
  format,
  preserveModules,
  entryFileNames: `[name].${extension}`,
  chunkFileNames: `shared-[hash].${extension}`,
});

export default [
  {
    input,
    external,
    plugins: [esbuild({ target: "es2022", tsconfig: "tsconfig.json" })],
    output: [output("es", "mjs", several), output("cjs", "cjs", several)],
  },
  {
    input,
    external,
    plugins: [dts({ tsconfig: "tsconfig.json" })],
    output: [output("es", "d.mts"), output("es", "d.ts")],
  },
];
