// The one build of every package: run from a package folder as
// `rollup -c ../../rollup.config.mjs`. It reads that package's package.json,
// so no package has a build config of its own.
import { readFileSync } from "node:fs";
import { dts } from "rollup-plugin-dts";
import esbuild from "rollup-plugin-esbuild";

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const dependencies = Object.keys(pkg.dependencies ?? {});
// @sync/* stays an import: each package ships once and is deduplicated.
const external = (id) => dependencies.some((name) => id === name || id.startsWith(`${name}/`));
const input = "src/index.ts";

export default [
  {
    input,
    external,
    plugins: [esbuild({ target: "es2022", tsconfig: "tsconfig.json" })],
    output: [
      { file: "dist/index.mjs", format: "es" },
      { file: "dist/index.cjs", format: "cjs" },
    ],
  },
  {
    input,
    external,
    plugins: [dts({ tsconfig: "tsconfig.json" })],
    output: [
      { file: "dist/index.d.mts", format: "es" },
      { file: "dist/index.d.ts", format: "es" },
    ],
  },
];
