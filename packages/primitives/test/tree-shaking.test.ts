// @sync/primitives re-exports everything, so a user may write
// `import { Lock } from "@sync/primitives"` and must still ship only Lock
// (and the part of @sync/core it uses). This bundles such an entry, written
// to a temp dir, with rollup (+ @rollup/plugin-node-resolve) and with esbuild,
// resolving @sync/* through node_modules links to the workspace packages and
// their package.json `exports` maps to the built dist/index.mjs files, as a
// user's bundler resolves the published packages. Needs `pnpm build`.
//
// "Code of another primitive" is measured two ways: the bytes each input
// module contributes to the output (rollup's renderedLength, esbuild's
// bytesInOutput), and markers read from that package's own dist file (its
// exported class declarations and the texts of the errors it throws), so the
// test follows the sources instead of a list kept by hand.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import { build } from "esbuild";
import { rollup } from "rollup";

const root = join(__dirname, "../../..");
const packagesDir = join(root, "packages");
const primitivePackages = ["lock", "event", "condition", "semaphore", "barrier", "rwlock", "keyed"];
const allPackages = ["core", ...primitivePackages, "primitives"];
const distOf = (name: string) => join(packagesDir, name, "dist", "index.mjs");

/** What a bundler reports for one entry: the code, and the bytes each input file contributed. */
interface Bundle {
  code: string;
  bytesByFile: Map<string, number>;
}

/** Bundles `entry` (a file) with rollup and @rollup/plugin-node-resolve, as an ES module. */
async function bundleWithRollup(entry: string): Promise<Bundle> {
  const bundle = await rollup({
    input: entry,
    plugins: [nodeResolve()],
    onwarn: (warning) => {
      throw new Error(`rollup: ${warning.message}`);
    },
  });
  try {
    const { output } = await bundle.generate({ format: "es" });
    const [chunk] = output;
    if (output.length !== 1 || chunk.type !== "chunk") throw new Error("rollup: expected one chunk");
    const bytesByFile = new Map(Object.entries(chunk.modules).map(([id, info]) => [id, info.renderedLength]));
    return { code: chunk.code, bytesByFile };
  } finally {
    await bundle.close();
  }
}

/** Bundles `entry` with esbuild (tree-shaking on, identifiers kept readable), as an ES module. */
async function bundleWithEsbuild(entry: string): Promise<Bundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    minifySyntax: true,
    // Without this, esbuild applies the nearest tsconfig.json to each file,
    // and the repo's `paths` (@sync/* -> packages/*/src) would bundle the
    // sources instead of dist. A user's bundler never sees our tsconfig.
    tsconfigRaw: {},
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  const [file] = result.outputFiles;
  const [output] = Object.values(result.metafile.outputs);
  if (file === undefined || output === undefined) throw new Error("esbuild: expected one output file");
  const bytesByFile = new Map(
    Object.entries(output.inputs).map(([path, info]) => [join(process.cwd(), path), info.bytesInOutput]),
  );
  return { code: file.text, bytesByFile };
}

/** The @sync packages that `name` depends on, directly or not, itself included. */
function closure(name: string): Set<string> {
  const manifest = JSON.parse(readFileSync(join(packagesDir, name, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const result = new Set([name]);
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    for (const inner of closure(dependency.replace(/^@sync\//, ""))) result.add(inner);
  }
  return result;
}

/** What identifies a package's code in a bundle: its exported class names and the texts of its errors. */
function markersOf(name: string): { classes: string[]; messages: string[] } {
  const code = readFileSync(distOf(name), "utf8");
  const exported = /^export \{([^}]*)\};?$/m.exec(code)?.[1] ?? "";
  const classes = exported
    .split(",")
    .map((entry) => entry.trim().split(/\s+as\s+/)[0]!)
    .filter((id) => new RegExp(`^class ${id}\\b`, "m").test(code));
  // The literal start of each thrown message, up to its first interpolation.
  const messages = [...code.matchAll(/new \w*Error\((["'`])((?:(?!\$\{)[^"'`\\])+)/g)].map((match) => match[2]!);
  return { classes, messages };
}

const classPattern = (id: string) => new RegExp(`\\bclass ${id}\\b|\\b${id}\\s*=\\s*class\\b`);

let temp: string;

beforeAll(() => {
  const missing = allPackages.map(distOf).filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `tree-shaking.test.ts needs the built packages; run \`pnpm build\` first. Missing:\n  ${missing.map((file) => relative(root, file)).join("\n  ")}`,
    );
  }
  // The entries live outside the repo; temp/node_modules/@sync/* link to the
  // workspace packages, as an install would. Each package's own @sync imports
  // then resolve through its workspace links (packages/*/node_modules/@sync).
  temp = mkdtempSync(join(tmpdir(), "sync-tree-shaking-"));
  mkdirSync(join(temp, "node_modules", "@sync"), { recursive: true });
  for (const name of allPackages)
    symlinkSync(join(packagesDir, name), join(temp, "node_modules", "@sync", name), "dir");
});

afterAll(() => {
  if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
});

describe.each([
  ["rollup", bundleWithRollup],
  ["esbuild", bundleWithEsbuild],
])("%s bundle of one import from @sync/primitives", (bundlerName, bundle) => {
  // Lock is the case the issue names; the others show the same for every primitive.
  test.each([
    ["Lock", "lock"],
    ["Event", "event"],
    ["Condition", "condition"],
    ["Semaphore", "semaphore"],
    ["Barrier", "barrier"],
    ["RWLock", "rwlock"],
    ["KeyedLock", "keyed"],
  ])("import { %s } keeps only its own package and its dependencies", async (name, pkg) => {
    const entry = join(temp, `${bundlerName}-${name}.mjs`);
    writeFileSync(entry, `import { ${name} } from "@sync/primitives";\nexport { ${name} };\n`);
    const { code, bytesByFile } = await bundle(entry);

    // Every module came from a workspace dist file, never from src.
    const sources = [...bytesByFile.keys()].filter((file) => file !== entry);
    for (const file of sources) expect(relative(packagesDir, file)).toMatch(/^[a-z]+\/dist\/[\w-]+\.mjs$/);

    const allowed = closure(pkg);
    const contributed = (other: string) => bytesByFile.get(distOf(other)) ?? 0;
    const report = Object.fromEntries(allPackages.map((other) => [other, contributed(other) > 0]));
    // Core is allowed, not required; primitives itself only re-exports and adds no code.
    expect(report).toEqual({ ...report, [pkg]: true, primitives: false });
    for (const other of primitivePackages.filter((candidate) => !allowed.has(candidate))) {
      expect({ [other]: contributed(other) }).toEqual({ [other]: 0 });
    }

    // The imported class is in the output, with at least one of its package's
    // error messages where it has any (not all: importing Semaphore rightly
    // drops BoundedSemaphore's).
    const own = markersOf(pkg);
    expect(own.classes).toContain(name);
    expect(code).toMatch(classPattern(name));
    if (own.messages.length > 0) expect(own.messages.filter((message) => code.includes(message))).not.toEqual([]);

    // No class declaration and no error message of any package outside the closure.
    for (const other of primitivePackages.filter((candidate) => !allowed.has(candidate))) {
      const { classes, messages } = markersOf(other);
      expect(classes.length).toBeGreaterThan(0);
      expect(classes.filter((id) => classPattern(id).test(code))).toEqual([]);
      expect(messages.filter((message) => code.includes(message))).toEqual([]);
    }
  });
});

describe.each([
  ["rollup", bundleWithRollup],
  ["esbuild", bundleWithEsbuild],
])("%s bundle of core alone", (bundlerName, bundle) => {
  // withTimeout shares the queue's abort watch, in the same module as the
  // queue: the queue itself must still drop out.
  test("import { withTimeout } leaves the waiter queue out", async () => {
    const entry = join(temp, `${bundlerName}-alone-withTimeout.mjs`);
    writeFileSync(entry, `import { withTimeout } from "@sync/core";\nexport { withTimeout };\n`);
    const { code } = await bundle(entry);
    expect(code).toMatch(classPattern("TimeoutError"));
    expect(code).not.toMatch(/\brequeue\(/);
  });
});
