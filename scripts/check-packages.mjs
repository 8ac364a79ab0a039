// Asserts that every published package's package.json has the shape that
// STYLE.md lays out, so a new or edited package cannot drift from it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";

const root = new URL("../packages/", import.meta.url);
const problems = [];

// "." and, for core only, the internal subpath that sibling packages import.
const entry = (name) => ({
  import: { types: `./dist/${name}.d.mts`, default: `./dist/${name}.mjs` },
  require: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.cjs` },
});
const exportsMap = (dir) => ({
  ".": entry("index"),
  ...(dir === "core" ? { "./internal": entry("internal") } : {}),
  "./package.json": "./package.json",
});

for (const dir of readdirSync(root)) {
  const pkg = JSON.parse(readFileSync(new URL(`${dir}/package.json`, root), "utf8"));
  const fail = (message) => problems.push(`packages/${dir}/package.json: ${message}`);
  const expect = (key, value) => isDeepStrictEqual(pkg[key], value) || fail(`${key} must be ${JSON.stringify(value)}`);

  expect("name", `@sync/${dir}`);
  for (const key of ["version", "description", "license"]) if (typeof pkg[key] !== "string") fail(`${key} is missing`);
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) fail("keywords are missing");
  if (pkg.repository?.directory !== `packages/${dir}`) fail(`repository.directory must be packages/${dir}`);
  if (typeof pkg.engines?.node !== "string") fail("engines.node is missing");
  expect("sideEffects", false);
  expect("files", ["dist"]);
  expect("main", "./dist/index.cjs");
  expect("module", "./dist/index.mjs");
  expect("types", "./dist/index.d.ts");
  expect("exports", exportsMap(dir));
  // node10 resolution (no exports map) finds the internal types through typesVersions.
  expect("typesVersions", dir === "core" ? { "*": { internal: ["./dist/internal.d.ts"] } } : undefined);
  expect("scripts", { build: "rollup -c ../../rollup.config.mjs" });
  expect("publishConfig", { access: "public" });
  // A package may take the user's own client as an optional peer (@sync/redis:
  // redis, ioredis), and test with it as a dev dependency; nothing else.
  for (const name of Object.keys(pkg.peerDependencies ?? {})) {
    if (pkg.peerDependenciesMeta?.[name]?.optional !== true) fail(`peer dependency ${name} must be optional`);
  }
  for (const name of Object.keys(pkg.devDependencies ?? {})) {
    if (pkg.peerDependencies?.[name] === undefined) fail(`dev dependency ${name}: only optional peers may be one`);
  }
  for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
    if (!name.startsWith("@sync/")) fail(`runtime dependency ${name}: packages depend on @sync/* only`);
    if (range !== "workspace:^") fail(`${name} must be "workspace:^"`);
  }
  for (const file of ["README.md", "tsconfig.json", "src/index.ts"]) {
    if (!existsSync(new URL(`${dir}/${file}`, root))) fail(`${file} is missing`);
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("package.json files match STYLE.md");
