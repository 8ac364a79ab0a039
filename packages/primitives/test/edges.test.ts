// What a user of the published packages meets, checked on the built dist
// files (run `pnpm build` first): the .d.ts compile in a browser project
// without Node's types or the disposable lib, and the ESM and CommonJS
// builds loaded in one app recognise each other's objects.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";

const packagesDir = join(__dirname, "..", "..");
const names = ["core", "lock", "event", "condition", "semaphore", "barrier", "primitives"];
let temp: string;

beforeAll(() => {
  const missing = names.filter((name) => !existsSync(join(packagesDir, name, "dist", "index.d.ts")));
  if (missing.length > 0) throw new Error(`run \`pnpm build\` first; no dist in ${missing.join(", ")}`);
  temp = mkdtempSync(join(tmpdir(), "sync-edges-"));
  mkdirSync(join(temp, "node_modules", "@sync"), { recursive: true });
  for (const name of names) symlinkSync(join(packagesDir, name), join(temp, "node_modules", "@sync", name), "dir");
});

afterAll(() => {
  if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
});

describe("the published types", () => {
  // What broke: the .d.ts named `Disposable` and `Symbol.dispose`, so this
  // project failed with TS2304 and TS2550 even without `using`.
  const consumer = `
import { Barrier, BoundedSemaphore, Condition, Event, Lock, Semaphore, TimeoutError, withTimeout } from "@sync/primitives";
import { Guard, WaiterQueue, type Acquirable, type Waiter, type WaitOptions } from "@sync/core";
export async function main(): Promise<number> {
  const lock = new Lock();
  const guard: Guard = await lock.hold({ timeout: 10 });
  guard.release();
  const queue = new WaiterQueue<true>();
  const waiter: Waiter<true> | undefined = queue.shift();
  waiter?.grant(true);
  const options: WaitOptions = { signal: new AbortController().signal };
  const target: Acquirable = new Semaphore(2);
  await target.acquire(options);
  await new BoundedSemaphore(3).run(async () => 1, { permits: 2 });
  await new Condition(lock).acquire();
  new Event().set();
  await withTimeout((signal) => new Barrier(1).wait({ signal }), 5).catch((e: unknown) => e instanceof TimeoutError);
  return queue.length;
}
`;

  it.each([
    ["bundler", "mts", ts.ModuleKind.ESNext, ts.ModuleResolutionKind.Bundler],
    ["node16", "mts", ts.ModuleKind.Node16, ts.ModuleResolutionKind.Node16],
    ["node16", "cts", ts.ModuleKind.Node16, ts.ModuleResolutionKind.Node16],
    ["node10", "ts", ts.ModuleKind.CommonJS, ts.ModuleResolutionKind.Node10],
  ])(
    "compile with lib ES2022 + DOM, no @types/node, skipLibCheck off (%s resolution, .%s)",
    (kind, extension, module, resolution) => {
      const file = join(temp, `consumer-${kind}.${extension}`);
      writeFileSync(file, consumer);
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
        types: [],
        skipLibCheck: false,
        module,
        moduleResolution: resolution,
      });
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map((d) => `${d.file?.fileName ?? ""}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
      expect(diagnostics).toEqual([]);
    },
    60_000,
  );

  it("let `using` hold a guard where the disposable lib is there", () => {
    const file = join(temp, "consumer-using.mts");
    writeFileSync(
      file,
      `import { Lock } from "@sync/lock";\nexport async function f(): Promise<void> {\n  using _ = await new Lock().hold();\n}\n`,
    );
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts", "lib.dom.d.ts"],
      types: [],
      skipLibCheck: false,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
    });
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual(
      [],
    );
  }, 60_000);
});

describe("the ESM and CommonJS builds in one app", () => {
  // What broke: `new Condition(lockFromTheOtherBuild)` threw TypeError and
  // `instanceof TimeoutError` was false across builds.
  it("recognise each other's errors and locks", () => {
    const script = `
import { createRequire } from "node:module";
const require = createRequire(${JSON.stringify(join(temp, "x.cjs"))});
const esm = await import("@sync/primitives");
const cjs = require("@sync/primitives");
const result = {};
for (const [from, to, name] of [[esm, cjs, "esm->cjs"], [cjs, esm, "cjs->esm"]]) {
  result[name] = [
    from.TimeoutError !== to.TimeoutError,
    new from.TimeoutError("t") instanceof to.TimeoutError,
    new from.InvalidStateError("i") instanceof to.InvalidStateError,
    new from.BrokenBarrierError("b") instanceof to.BrokenBarrierError,
    new from.BrokenBarrierError("b") instanceof to.InvalidStateError,
    new from.TimeoutError("t") instanceof to.InvalidStateError,
    new from.Lock() instanceof to.Lock,
    new to.Condition(new from.Lock()).locked(),
  ];
}
console.log(JSON.stringify(result));
`;
    const file = join(temp, "cross.mjs");
    writeFileSync(file, script);
    const output = execFileSync(process.execPath, [file], { cwd: temp, encoding: "utf8" });
    const row = [true, true, true, true, true, false, true, false];
    expect(JSON.parse(output)).toEqual({ "esm->cjs": row, "cjs->esm": row });
  });
});
