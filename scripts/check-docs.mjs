// Keeps the Markdown docs (README.md, docs/*.md, packages/*/README.md) from rotting:
//
// 1. Examples. A block between `<!-- example: docs/examples/<name>.ts -->` and
//    `<!-- /example -->` holds one ```ts fence whose content is exactly that
//    file, which `pnpm typecheck` compiles and `pnpm demo` runs. Edit the
//    file, then paste it into every block that names it.
// 2. Links. Every relative link points to a file or folder that exists, and
//    a `#fragment` into a Markdown file names one of its headings (GitHub's
//    slugs) or an `<a id>` in it.
//
// Markers and links inside code (fences, code spans) do not count. Prints
// every problem as `file:line: message` and exits 1 if there is any.
import { existsSync, readdirSync, readFileSync } from "node:fs";

const root = new URL("../", import.meta.url);
const problems = [];
const read = (path) => readFileSync(new URL(path, root), "utf8").replace(/\r\n/g, "\n");
const lineOf = (text, index) => text.slice(0, index).split("\n").length;
const blank = (s) => s.replace(/[^\n]/g, " ");

/** `text` with fenced blocks blanked out (same length, newlines kept, so offsets and lines still match). */
function withoutFences(text) {
  const fence = /^ {0,3}(`{3,}|~{3,})[^\n]*\n/gm;
  let out = text;
  for (let open; (open = fence.exec(text)) !== null;) {
    const close = new RegExp(`^ {0,3}${open[1][0] === "`" ? "`" : "~"}{${open[1].length},}[ \\t]*$`, "gm");
    close.lastIndex = fence.lastIndex;
    const end = close.exec(text);
    const stop = end === null ? text.length : end.index + end[0].length;
    out = out.slice(0, open.index) + blank(out.slice(open.index, stop)) + out.slice(stop);
    fence.lastIndex = stop;
  }
  return out;
}

/** The same, with inline code spans blanked out too. */
const prose = (text) => withoutFences(text).replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, blank);

/** Every anchor of a Markdown file: its headings' GitHub slugs (`lock`, `lock-1`, …) and its `<a id>`s. */
const anchorCache = new Map();
function anchorsOf(path) {
  if (anchorCache.has(path)) return anchorCache.get(path);
  const anchors = new Set();
  const text = withoutFences(read(path));
  for (const [, heading] of text.matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/gm)) {
    const slug = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/<[^>]+>/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    let name = slug;
    for (let n = 1; anchors.has(name); n++) name = `${slug}-${n}`;
    anchors.add(name);
  }
  for (const [, id] of text.matchAll(/<a\s[^>]*?\b(?:id|name)\s*=\s*["']([^"']+)["']/gi)) anchors.add(id);
  anchorCache.set(path, anchors);
  return anchors;
}

function checkExamples(file, text) {
  const marker = /<!--\s*(\/?)example(?::\s*(\S+))?\s*-->/g;
  let open;
  for (const match of prose(text).matchAll(marker)) {
    const at = `${file}:${lineOf(text, match.index)}`;
    if (match[1] === "") {
      if (open !== undefined) problems.push(`${at}: example block opened inside the one at ${open.at}`);
      if (match[2] === undefined) problems.push(`${at}: example marker names no file`);
      open = { at, example: match[2], start: match.index + match[0].length };
    } else if (open === undefined) {
      problems.push(`${at}: <!-- /example --> closes no block`);
    } else {
      if (open.example !== undefined) checkExample(open, text.slice(open.start, match.index));
      open = undefined;
    }
  }
  if (open !== undefined) problems.push(`${open.at}: example block is never closed with <!-- /example -->`);
}

function checkExample({ at, example }, block) {
  if (!/^docs\/examples\/[\w.-]+\.ts$/.test(example) || !existsSync(new URL(example, root))) {
    problems.push(`${at}: example must name an existing docs/examples/<name>.ts, got ${example}`);
    return;
  }
  const fence = /^```ts\n([\s\S]*?)^```[ \t]*$/gm;
  const found = [...block.matchAll(fence)];
  if (found.length !== 1 || block.replace(fence, "").trim() !== "") {
    problems.push(`${at}: the block for ${example} must hold exactly one \`\`\`ts fence and nothing else`);
    return;
  }
  const [shown, expected] = [found[0][1], read(example)];
  if (shown === expected) return;
  const [have, want] = [shown.split("\n"), expected.split("\n")];
  let i = 0;
  while (have[i] === want[i]) i++;
  const show = (s) => (s === undefined ? "(end of text)" : JSON.stringify(s));
  problems.push(
    `${at}: the block differs from ${example} at line ${i + 1} of the example: ` +
      `the doc has ${show(have[i])}, the file has ${show(want[i])}`,
  );
}

function checkLinks(file, text) {
  const patterns = [
    // [text](target "title") and ![alt](target), one level of nested brackets.
    /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    // [label]: target
    /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm,
    // <a href="target">, <img src="target">
    /<(?:a|img|source)\b[^>]*?\s(?:href|src)\s*=\s*["']([^"']*)["']/gi,
  ];
  const visible = prose(text);
  for (const match of patterns.flatMap((pattern) => [...visible.matchAll(pattern)])) {
    const [, target] = match;
    const at = `${file}:${lineOf(text, match.index)}`;
    // Absolute URLs (http:, mailto:, //host) are not files.
    if (target === "" || /^[a-z][a-z\d+.-]*:/i.test(target) || target.startsWith("//")) continue;
    let path;
    let fragment;
    try {
      path = decodeURIComponent(target.replace(/[?#].*$/, ""));
      fragment = target.includes("#") ? decodeURIComponent(target.slice(target.indexOf("#") + 1)) : "";
    } catch {
      problems.push(`${at}: malformed link ${target}`);
      continue;
    }
    // GitHub resolves a leading / from the repository root.
    const base = new URL(file, root);
    const url = path === "" ? base : path.startsWith("/") ? new URL(`.${path}`, root) : new URL(path, base);
    if (!url.href.startsWith(root.href)) problems.push(`${at}: link ${target} leaves the repository`);
    else if (!existsSync(url)) problems.push(`${at}: link to missing file ${target}`);
    else if (fragment !== "" && url.pathname.endsWith(".md")) {
      const relative = decodeURIComponent(url.href.slice(root.href.length));
      if (!anchorsOf(relative).has(fragment)) problems.push(`${at}: no heading or anchor #${fragment} in ${relative}`);
    }
  }
}

const files = [
  "README.md",
  ...readdirSync(new URL("docs/", root))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
  ...readdirSync(new URL("packages/", root))
    .map((name) => `packages/${name}/README.md`)
    .filter((path) => existsSync(new URL(path, root))),
];
for (const file of files) {
  const text = read(file);
  checkExamples(file, text);
  checkLinks(file, text);
}

if (problems.length > 0) {
  console.error(`check-docs: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exitCode = 1;
} else {
  console.log(`check-docs: ${files.length} files, examples and links ok`);
}
